"""Credit records, their history and list memberships."""
