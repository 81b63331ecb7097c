#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster.
#
#   scripts/with-postgres.sh CMD [ARG...]
#
# Creates a cluster in a temporary directory, starts it on a free 127.0.0.1 port, creates
# the database `kehoach`, exports DATABASE_URL, runs CMD, then always stops the cluster and
# removes the directory (also on failure or interrupt). Exits with CMD's exit code.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARG...]" >&2
    exit 2
fi

# Debian's binaries, highest major version first; otherwise whatever is on PATH.
pgbin=""
while IFS= read -r dir; do
    if [[ -x $dir/initdb && -x $dir/pg_ctl ]]; then
        pgbin=$dir
        break
    fi
done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k4,4Vr)
if [[ -z $pgbin ]]; then
    if initdb_path=$(command -v initdb); then
        pgbin=$(dirname "$initdb_path")
    else
        echo "with-postgres: initdb not found; run scripts/bootstrap-system.sh" >&2
        exit 1
    fi
fi

python=$(command -v python3 || command -v python || true)
if [[ -z $python ]]; then
    echo "with-postgres: python3 is needed to pick a free port" >&2
    exit 1
fi

# As root, the server runs as `postgres` (initdb refuses root); otherwise as ourselves.
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "with-postgres: running as root needs the 'postgres' user (Debian package postgresql)" >&2
        exit 1
    fi
    as_pg=(runuser -u postgres --)
fi
pg() {
    ${as_pg[@]+"${as_pg[@]}"} "$@"
}

# As root, under /tmp: the postgres user must be able to reach it (TMPDIR may be private).
if [[ ${#as_pg[@]} -gt 0 ]]; then
    tmpdir=$(mktemp -d /tmp/kehoach-pg.XXXXXX)
else
    tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/kehoach-pg.XXXXXX")
fi
datadir=$tmpdir/data
sockdir=$tmpdir/sock
logfile=$tmpdir/server.log
started=""

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [[ -n $started ]]; then
        pg "$pgbin/pg_ctl" -D "$datadir" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmpdir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$sockdir"
if [[ ${#as_pg[@]} -gt 0 ]]; then
    chown -R postgres: "$tmpdir"
fi

initdb_args=(-D "$datadir" -A trust -U postgres -E UTF8)
if ! pg "$pgbin/initdb" "${initdb_args[@]}" --locale=C.UTF-8 >"$tmpdir/initdb.log" 2>&1; then
    rm -rf "$datadir"
    if ! pg "$pgbin/initdb" "${initdb_args[@]}" --no-locale >"$tmpdir/initdb.log" 2>&1; then
        cat "$tmpdir/initdb.log" >&2
        echo "with-postgres: initdb failed" >&2
        exit 1
    fi
fi

free_port() {
    "$python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Another process may grab the port between the probe and the start; try a few times.
port=""
for _ in 1 2 3; do
    candidate=$(free_port)
    opts="-p $candidate -k $sockdir -c listen_addresses=127.0.0.1"
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    started=yes
    if pg "$pgbin/pg_ctl" -D "$datadir" -l "$logfile" -w -o "$opts" start >/dev/null; then
        port=$candidate
        break
    fi
    started=""
done
if [[ -z $port ]]; then
    cat "$logfile" >&2 || true
    echo "with-postgres: the server did not start" >&2
    exit 1
fi

"$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres kehoach
version=$("$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -d kehoach -XAtc 'show server_version')
echo "with-postgres: PostgreSQL $version on 127.0.0.1:$port (cluster in $tmpdir)" >&2

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/kehoach"

set +e
"$@"
rc=$?
set -e
exit "$rc"
