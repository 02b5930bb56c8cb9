#!/usr/bin/env bash
# es-security-setup (compose profile `secured`, one-shot): with Elasticsearch security on, create the
# `newsmon_writer` role (docker/newsmon-writer-role.json) and the newsmon application user, then set the
# built-in `kibana_system` password so Kibana can connect. Idempotent (PUT/POST overwrite). Refuses to run
# with security off or weak passwords.
# Needs: ELASTIC_PASSWORD, KIBANA_PASSWORD, NEWSMON_ES_USER_NAME, NEWSMON_ES_PASSWORD, NEWSMON_INDEX_PREFIX.
set -euo pipefail

ES_URL="${ES_URL:-http://elasticsearch:9200}"
PREFIX="${NEWSMON_INDEX_PREFIX:-newsmon}"

fail() { echo "es-security-setup: $*" >&2; exit 1; }

check_password() {  # name value: generated passwords only (docker/gen-env.sh uses `openssl rand -hex 16`)
  local name="$1" value="$2"
  [[ -n "$value" ]] || fail "$name is empty (generate one: openssl rand -hex 16)"
  [[ ${#value} -ge 16 ]] || fail "$name is shorter than 16 characters (generate one: openssl rand -hex 16)"
  [[ "$value" != *change-me* ]] || fail "$name still holds the .env.example placeholder"
  [[ "$value" =~ ^[A-Za-z0-9._~-]+$ ]] || fail "$name must be URL/JSON-safe (use openssl rand -hex 16)"
}

check_password ELASTIC_PASSWORD "${ELASTIC_PASSWORD:-}"
check_password KIBANA_PASSWORD "${KIBANA_PASSWORD:-}"
check_password NEWSMON_ES_PASSWORD "${NEWSMON_ES_PASSWORD:-}"
[[ -n "${NEWSMON_ES_USER_NAME:-}" ]] || fail "NEWSMON_ES_USER_NAME is empty (e.g. newsmon)"
[[ "$NEWSMON_ES_USER_NAME" =~ ^[a-z][a-z0-9_-]*$ ]] || fail "NEWSMON_ES_USER_NAME must match [a-z][a-z0-9_-]*"
[[ "$PREFIX" =~ ^[a-z0-9][a-z0-9_-]*$ ]] || fail "NEWSMON_INDEX_PREFIX must match [a-z0-9][a-z0-9_-]*"

# Security must really be on: an anonymous request has to be refused.
code=$(curl -s -o /dev/null -w '%{http_code}' "$ES_URL/_security/_authenticate" || true)
[[ "$code" == 401 ]] || fail "Elasticsearch answered $code without credentials: set NEWSMON_ES_SECURITY=true in .env"

es() {  # method path json-body
  curl -fsS -u "elastic:${ELASTIC_PASSWORD}" -H 'Content-Type: application/json' -X "$1" "$ES_URL$2" -d "$3" \
    > /dev/null || fail "$1 $2 failed"
}

# The role: docker/newsmon-writer-role.json with the index prefix filled in (tests/test_compose.py runs
# `newsmon es setup` under exactly this role on a secured node).
es PUT /_security/role/newsmon_writer "$(sed "s/__INDEX_PREFIX__/${PREFIX}/g" "$(dirname "$0")/newsmon-writer-role.json")"
es PUT "/_security/user/${NEWSMON_ES_USER_NAME}" "{
  \"password\": \"${NEWSMON_ES_PASSWORD}\",
  \"roles\": [\"newsmon_writer\", \"kibana_admin\"],
  \"full_name\": \"newsmon pipeline\"
}"
# Last, so that a healthy Kibana implies the newsmon user exists (newsmon-setup waits for Kibana).
es POST /_security/user/kibana_system/_password "{\"password\": \"${KIBANA_PASSWORD}\"}"

echo "es-security-setup: role newsmon_writer, user ${NEWSMON_ES_USER_NAME}, kibana_system password set"
