"""Subjects: enterprises, individual businesses and citizens a credit record is about."""
