#!/usr/bin/env bash
# Print a docker-compose .env built from .env.example with every secret freshly generated:
#   docker/gen-env.sh > .env              the default: Elasticsearch security on + the `secured` compose profile
#   docker/gen-env.sh --insecure > .env   laptop only: security off, no `secured` profile (secrets still generated)
# `--secured` is accepted as an alias of the default (it was the opt-in before security became the default).
# Passwords: `openssl rand -hex 16` (URL- and JSON-safe); shared secrets: `openssl rand -hex 32`;
# Fernet key: 32 random bytes, URL-safe base64. Plain bash 3.2+ (macOS) and openssl.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
example="$root/.env.example"
secured=true
case "${1:-}" in
  "" | --secured) ;;
  --insecure) secured=false ;;
  *) echo "usage: docker/gen-env.sh [--insecure] > .env" >&2; exit 2 ;;
esac
[[ $# -le 1 ]] || { echo "usage: docker/gen-env.sh [--insecure] > .env" >&2; exit 2; }
command -v openssl > /dev/null || { echo "gen-env: openssl is required" >&2; exit 1; }

keys="_AIRFLOW_WWW_USER_PASSWORD AIRFLOW_DB_PASSWORD AIRFLOW_FERNET_KEY AIRFLOW_JWT_SECRET AIRFLOW_API_SECRET_KEY"
keys="$keys ELASTIC_PASSWORD KIBANA_PASSWORD NEWSMON_ES_PASSWORD"
# Written explicitly either way, so the output does not depend on what .env.example happens to hold.
keys="$keys COMPOSE_PROFILES NEWSMON_ES_SECURITY NEWSMON_ES_USER_NAME"

value_for() {  # KEY -> the generated value, or the security setting of this run
  case "$1" in
    AIRFLOW_FERNET_KEY) openssl rand -base64 32 | tr '+/' '-_' ;;
    AIRFLOW_JWT_SECRET | AIRFLOW_API_SECRET_KEY) openssl rand -hex 32 ;;
    COMPOSE_PROFILES) if $secured; then echo secured; else echo; fi ;;
    NEWSMON_ES_SECURITY) echo "$secured" ;;
    NEWSMON_ES_USER_NAME) echo newsmon ;;
    *) openssl rand -hex 16 ;;
  esac
}

seen=" "
while IFS= read -r line || [[ -n "$line" ]]; do
  if [[ "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)= ]] && [[ " $keys " == *" ${BASH_REMATCH[1]} "* ]]; then
    key="${BASH_REMATCH[1]}"
    printf '%s=%s\n' "$key" "$(value_for "$key")"
    seen="$seen$key "
  else
    printf '%s\n' "$line"
  fi
done < "$example"

for key in $keys; do
  [[ "$seen" == *" $key "* ]] || { echo "gen-env: $key is missing from .env.example" >&2; exit 1; }
done
