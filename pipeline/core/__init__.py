"""The ground floor: shared typed records and outcomes, settings (the only reader of the environment), config-file
loading with located errors, the shared vocabulary (facet keys, topic names from topics.yaml) and time helpers.

Owns `records`, `settings`, `config`, `vocab`, `timeutil`. Imports no other subpackage.
"""
