#!/bin/sh
# initdb-service-roles.sh: run by the postgres image on the first start of its volume
# (/docker-entrypoint-initdb.d): the services' login roles, with the passwords compose passes.
set -eu
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
  -v catalog_pw="$UNIC_CATALOG_DB_PASSWORD" -v responses_pw="$UNIC_RESPONSES_DB_PASSWORD" \
  -v scoring_pw="$UNIC_SCORING_DB_PASSWORD" -v matching_pw="$UNIC_MATCHING_DB_PASSWORD" \
  -qAt -f /unic/service-roles.sql >/dev/null
