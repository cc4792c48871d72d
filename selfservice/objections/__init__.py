"""Objections to credit records (Yuxi art. 21–24, Kunming task 19)."""
