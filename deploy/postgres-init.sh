#!/bin/sh
# Runs once, when the PostgreSQL volume is first created (docker-entrypoint-initdb.d).
# The app connects as 'clientflow': it owns the database and its tables but is neither a
# superuser nor BYPASSRLS, so the forced row-level security policies bind it.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_password="$CLIENTFLOW_DB_PASSWORD" <<'EOSQL'
CREATE ROLE clientflow LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
ALTER DATABASE clientflow OWNER TO clientflow;
EOSQL
