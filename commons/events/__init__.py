"""Domain events: written to an outbox in the use case's transaction, relayed to the workers."""
