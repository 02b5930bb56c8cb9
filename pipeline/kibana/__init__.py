"""Kibana saved objects."""
