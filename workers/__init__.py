"""Dramatiq actors and their plumbing: the broker, the outbox relay, the database per worker."""
