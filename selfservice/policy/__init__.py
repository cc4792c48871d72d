"""Per-jurisdiction rules loaded from versioned policy files."""
