"""Alerts: rules over newly indexed stories, delivered exactly once per (rule, story) through a ledger/outbox.

Owns the alert rules (`rules`: config/alerts.yaml models and the rule query), story summaries (`summary`,
`message`), the delivery ledger and cursors (`ledger`: create, due, claim, mark), the delivery loop and its
report (`deliver`, `report`), rendering (`render`) and the channels (`channels`: webhook, email, log).

May import `pipeline.core` and `pipeline.index` (Elasticsearch only through `pipeline.index.store`).
"""
