"""Chinese working-day calendar with a holiday table for years chinese-calendar does not know."""
