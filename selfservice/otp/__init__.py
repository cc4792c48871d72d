"""One-time codes sent by SMS: hashed in the shared store, rate limited, locked after wrong tries."""
