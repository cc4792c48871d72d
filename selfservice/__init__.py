"""Domain of the self-service backend: models, services and policy; no transport code."""
