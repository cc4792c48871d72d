"""Case machinery shared by objections, repairs, pledges and reports."""
