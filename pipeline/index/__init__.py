"""The Elasticsearch edge and the index schema.

Owns `store` (the ONLY module that builds the client from `Settings` and calls its API; `StoreError` and its
kinds), `names` (index and alias names for a prefix), `schema` (mapping JSON and templates; setup creates them,
jobs only verify) and `documents` (records <-> the documents Elasticsearch stores). May import `pipeline.core`.
"""
