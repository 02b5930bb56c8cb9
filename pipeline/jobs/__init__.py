"""Orchestration: the per-feed runner, parallel runs, classify, reprocess, task entry points."""
