"""Departments, staff accounts and their roles."""
