"""The `newsmon` command line: every job runs from here without Airflow.

Owns argument parsing, exit codes (0 ok, 1 runtime failure, 2 bad usage or config), progress and terminal
rendering (`app` plus one module per command body that prints, e.g. `search_cmd`, `kibana_cmd`). May import every
other subpackage; nothing imports it.
"""
