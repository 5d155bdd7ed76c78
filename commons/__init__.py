"""Commons: calls for commons (appels à communs) with collective budgeting."""
