"""Hand-off of a chat to staff: a queue in the shared store."""
