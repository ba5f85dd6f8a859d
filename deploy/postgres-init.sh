#!/bin/sh
# Runs once, when the PostgreSQL volume is first created (docker-entrypoint-initdb.d).
# Two roles, as DESIGN.md asks:
# - clientflow_owner owns the database. The app connects as it only to run the migrations and
#   install Hangfire's schema at start-up (ConnectionStrings:PostgresMigrations), and then grants
#   the app role SELECT, INSERT, UPDATE and DELETE on what it created.
# - clientflow is the app role (ConnectionStrings:Postgres): it owns nothing and is neither a
#   superuser nor BYPASSRLS, so the forced row-level security policies bind every query it runs
#   and it cannot switch them off.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$CLIENTFLOW_OWNER_PASSWORD" -v app_password="$CLIENTFLOW_DB_PASSWORD" <<'EOSQL'
CREATE ROLE clientflow_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE clientflow LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
ALTER DATABASE clientflow OWNER TO clientflow_owner;
EOSQL
