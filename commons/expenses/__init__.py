"""Spending: a project's members report expenses, approve them, and the leads pay them from the ledger.

    submitted ──(enough approvals)──▶ approved ──(a lead pays: ledger project → project spent)──▶ paid
        │                                │
        ├──(a lead rejects)──▶ rejected ◀┤
        └──(its author withdraws)──▶ withdrawn ◀┘        (paid, rejected and withdrawn are final)

- ``rules``: who may approve and how many approvals are missing, as pure functions.
- ``models``: ``Expense`` and ``ExpenseApproval`` (one per person and expense).
- ``services``: the use cases; each writes its audit entry and its event in its own transaction.
- ``notifications``: who hears of each expense event.
- ``routes`` / ``pages``: the JSON API and the "Dépenses" section of the project page.
"""
