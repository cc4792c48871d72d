"""Access tokens and authentication primitives."""
