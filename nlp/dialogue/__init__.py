"""Channel-agnostic dialogue engine: per-user state, intent routing to skills, slot filling."""
