"""The ledger: double-entry accounts of money (euro and local currencies) and time.

Every movement of money or time is a transfer whose entries sum to zero in each unit; balances are
derived from the entries only, and entries are never changed: a correction is a reversing transfer.

- ``rules``: the pure rules (kinds, units, sign convention, floors, ``validate_legs``), no I/O.
- ``models``: the three tables (``LedgerAccount``, ``Transfer``, ``Entry``).
- ``services``: open accounts, record and reverse transfers, read balances.
- ``check``: verify every invariant of a stored ledger (``commons ledger check``).
"""
