"""Thin Sanic blueprints, the app factory and its listeners."""
