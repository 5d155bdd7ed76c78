"""Budgeting: pure allocation rules (no database, no framework) and the pabulib file format."""
