"""Notifications to subjects: SMS gateways (and, later, the outbox)."""
