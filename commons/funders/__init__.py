"""Funders of a call: their contributions to its pool, their rules, and who paid what to which project."""
