#!/usr/bin/env bash
# A private PostgreSQL 15 cluster in a folder, reachable only through a Unix
# socket inside that folder. initdb and postgres refuse to run as root, so as
# root the cluster belongs to the system user "samlad-pg" (created here).
#
#   pg.sh init DIR [fast]     create the cluster (fast: no fsync, for tests)
#   pg.sh start DIR           start it (no-op when running)
#   pg.sh stop DIR            stop it (fast shutdown)
#   pg.sh bootstrap DIR DB    create role samlad_admin and database DB it owns
#   pg.sh url DIR ROLE DB     print the connection URL for ROLE on DB
#   pg.sh psql DIR [ARGS]     psql as the superuser
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_USER=samlad-pg

die() { echo "pg.sh: $*" >&2; exit 1; }

# Runs a command as the cluster's owner.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$PG_USER" -- "$@"
	else
		"$@"
	fi
}

ensure_user() {
	[ "$(id -u)" -eq 0 ] || return 0
	id -u "$PG_USER" >/dev/null 2>&1 && return 0
	useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
}

cmd_init() {
	local dir=$1 fast=${2:-}
	[ -e "$dir/data/PG_VERSION" ] && return 0
	ensure_user
	mkdir -p "$dir/data" "$dir/run"
	[ "$(id -u)" -eq 0 ] && chown -R "$PG_USER" "$dir"
	as_owner test -w "$dir/data" ||
		die "$PG_USER cannot write $dir/data (is a parent folder private to root?)"
	as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 ${fast:+--no-sync} >"$dir/initdb.log" 2>&1 ||
		die "initdb failed; see $dir/initdb.log"
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$dir/run'"
		echo "unix_socket_permissions = 0777"
		echo "max_connections = 200"
		echo "shared_buffers = 256MB"
		echo "logging_collector = off"
		if [ -n "$fast" ]; then
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "full_page_writes = off"
		fi
	} | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
}

cmd_start() {
	local dir=$1
	[ -e "$dir/data/PG_VERSION" ] || die "no cluster in $dir (run: pg.sh init $dir)"
	if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		return 0
	fi
	as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null ||
		die "PostgreSQL did not start; see $dir/postgres.log"
}

cmd_stop() {
	local dir=$1
	as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

cmd_psql() {
	local dir=$1; shift
	"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -U postgres "$@"
}

cmd_bootstrap() {
	local dir=$1 db=$2
	cmd_psql "$dir" -d postgres <<SQL
SELECT 'CREATE ROLE samlad_admin LOGIN CREATEROLE'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'samlad_admin')\gexec
SELECT 'CREATE DATABASE $db OWNER samlad_admin'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$db')\gexec
SQL
	cmd_psql "$dir" -d "$db" -c "ALTER SCHEMA public OWNER TO samlad_admin"
}

cmd_url() {
	echo "postgresql:///$3?host=$1/run&user=$2"
}

[ $# -ge 2 ] || die "usage: pg.sh init|start|stop|bootstrap|url|psql DIR ..."
cmd=$1; shift
dir=$(realpath -m "$1"); shift
case "$cmd" in
	init) cmd_init "$dir" "$@" ;;
	start) cmd_start "$dir" ;;
	stop) cmd_stop "$dir" ;;
	bootstrap) cmd_bootstrap "$dir" "$@" ;;
	url) cmd_url "$dir" "$@" ;;
	psql) cmd_psql "$dir" "$@" ;;
	*) die "unknown command $cmd" ;;
esac
