"""The audit log: who did what to which object, when, with what details.

An entry is written by the use case that acts, in its transaction (it commits with the action or
not at all), and is never changed or deleted afterwards. A project's entries form its public journal.

- ``models``: the ``AuditEntry`` table, read-only once written.
- ``services``: ``record`` (in the caller's transaction) and ``project_journal`` (a project's entries).
- ``routes`` / ``pages``: the journal of a project as JSON and as a page.
"""
