"""Feeds, fetch, parse, normalise, feed health."""
