"""Shared records, settings, config loading."""
