"""Orchestration: the stage chain and its runner (`stages`), one feed's pass (`runner`), `newsmon run --once` with
worker processes (`parallel`), offline classify/eval (`classify`), `reprocess`, and the entry points the Airflow
DAGs wire (`tasks`, the only module that reads the clock or an Airflow Connection).

May import every subpackage below it (core, lang, index, ingest, detect, entities, stories, alerts, search).
"""
