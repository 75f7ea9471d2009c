#!/usr/bin/env bash
# Private PostgreSQL cluster for development and tests, kept under .pg/ in the checkout.
#   db/cluster.sh start   initialise (first time) and start; prints the DATABASE_URL
#   db/cluster.sh stop    stop it (the data stays)
#   db/cluster.sh url     print the DATABASE_URL
# Port: CRM_PG_PORT (default 54329). Trust authentication on loopback only.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
port=${CRM_PG_PORT:-54329}
dbname=${CRM_PG_DB:-crm}
link="$root/.pg"
url="postgres://postgres@127.0.0.1:$port/$dbname?sslmode=disable"

say() { echo "cluster: $*" >&2; }

pg_bindir() {
	local d
	if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
		pg_config --bindir
		return
	fi
	for d in /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ]; then echo "$d"; return; fi
	done
	return 1
}

ensure_binaries() {
	if pg_bindir >/dev/null; then return; fi
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		say "PostgreSQL binaries missing: installing postgresql-15 with apt-get"
		mkdir -p /etc/postgresql-common
		echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 postgresql-contrib >/dev/null
		return
	fi
	say "PostgreSQL binaries not found. Install them with:"
	say "  sudo apt-get install -y --no-install-recommends postgresql-15"
	exit 1
}

# As root, PostgreSQL must run as the postgres user, which may not be able to enter the checkout
# (a clone under a private temp dir), so the data lives under /var/lib/postgresql and .pg links to it.
as_pg() {
	if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

data_dir() {
	if [ "$(id -u)" = 0 ]; then
		if [ ! -e "$link" ]; then
			local hash dir
			hash=$(echo -n "$root" | sha256sum | cut -c1-12)
			dir=/var/lib/postgresql/crm-dev/$hash
			mkdir -p "$dir"
			chown -R postgres: /var/lib/postgresql/crm-dev
			ln -s "$dir" "$link"
		fi
	else
		mkdir -p "$link"
	fi
	echo "$(readlink -f "$link")/data"
}

start() {
	ensure_binaries
	local bin data
	bin=$(pg_bindir)
	data=$(data_dir)
	if [ ! -s "$data/PG_VERSION" ]; then
		say "initialising a private cluster in $data"
		as_pg "$bin/initdb" -D "$data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
		cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 256MB
CONF
		printf 'host all all 127.0.0.1/32 trust\n' >"$data/pg_hba.conf"
	fi
	if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		if ! as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null; then
			say "PostgreSQL did not start (is port $port taken? set CRM_PG_PORT). Its log says:"
			tail -n 5 "$data/server.log" >&2
			exit 1
		fi
		say "started on 127.0.0.1:$port"
	fi
	if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "select 1 from pg_database where datname = '$dbname'" | grep -q 1; then
		"$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$dbname"
	fi
	echo "$url"
}

stop() {
	local bin data
	bin=$(pg_bindir) || exit 0
	[ -e "$link/data/PG_VERSION" ] || { say "no cluster"; exit 0; }
	data=$(readlink -f "$link")/data
	as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null && say "stopped"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) echo "$url" ;;
*) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
