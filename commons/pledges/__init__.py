"""Pledges: commitments of money, time or a skill against a project's need."""
