"""Alert rules, ledger/outbox, channels."""
