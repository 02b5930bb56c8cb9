"""Kibana saved objects for the articles index (generated, committed, checked) and their idempotent import.

The `newsmon kibana setup` command body is in `pipeline/cli/kibana_cmd.py`. May import `pipeline.core` and
`pipeline.index`; topic names come from `core.vocab` (topics.yaml), the URL default from `core.settings`.
"""
