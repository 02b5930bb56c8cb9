#!/usr/bin/env bash
# Print a docker-compose .env built from .env.example with every secret freshly generated:
#   docker/gen-env.sh > .env              laptop stack, generated secrets
#   docker/gen-env.sh --secured > .env    Elasticsearch security on + the `secured` compose profile
# Passwords: `openssl rand -hex 16` (URL- and JSON-safe); shared secrets: `openssl rand -hex 32`;
# Fernet key: 32 random bytes, URL-safe base64. Plain bash 3.2+ (macOS) and openssl.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
example="$root/.env.example"
secured=false
case "${1:-}" in
  --secured) secured=true ;;
  "") ;;
  *) echo "usage: docker/gen-env.sh [--secured] > .env" >&2; exit 2 ;;
esac
command -v openssl > /dev/null || { echo "gen-env: openssl is required" >&2; exit 1; }

keys="_AIRFLOW_WWW_USER_PASSWORD AIRFLOW_DB_PASSWORD AIRFLOW_FERNET_KEY AIRFLOW_JWT_SECRET AIRFLOW_API_SECRET_KEY"
keys="$keys ELASTIC_PASSWORD KIBANA_PASSWORD"
if $secured; then
  keys="$keys COMPOSE_PROFILES NEWSMON_ES_SECURITY NEWSMON_ES_USER_NAME NEWSMON_ES_PASSWORD"
fi

value_for() {  # KEY -> the generated or --secured value
  case "$1" in
    AIRFLOW_FERNET_KEY) openssl rand -base64 32 | tr '+/' '-_' ;;
    AIRFLOW_JWT_SECRET | AIRFLOW_API_SECRET_KEY) openssl rand -hex 32 ;;
    COMPOSE_PROFILES) echo secured ;;
    NEWSMON_ES_SECURITY) echo true ;;
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
