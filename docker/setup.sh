#!/usr/bin/env bash
# newsmon-setup (one-shot compose service): create the Elasticsearch index templates, indices and aliases,
# then import the Kibana saved objects. Both commands are idempotent, so re-running is safe:
#   docker compose run --rm newsmon-setup
# Runs in the newsmon image with NEWSMON_ES_URL / NEWSMON_INDEX_PREFIX / NEWSMON_ES_USER_NAME /
# NEWSMON_ES_PASSWORD / NEWSMON_KIBANA_URL from docker-compose.yml.
set -euo pipefail

echo "newsmon-setup: Elasticsearch ${NEWSMON_ES_URL:?} (index prefix ${NEWSMON_INDEX_PREFIX:-newsmon})"
newsmon es setup

echo "newsmon-setup: Kibana ${NEWSMON_KIBANA_URL:=http://kibana:5601}"
newsmon kibana setup --url "${NEWSMON_KIBANA_URL}"

echo "newsmon-setup: done"
