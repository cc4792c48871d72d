"""Incentive and punishment measures and their attachment to records."""
