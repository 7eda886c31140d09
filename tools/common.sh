# Shared set-up for the demo, the tests and the benchmarks: sourced, not run.
# Installs what is missing (Debian 12, as root), builds and installs sqii, and
# starts a throw-away PostgreSQL cluster that is removed on exit.
set -euo pipefail

SQII_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
SQII_PACKAGES="postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR
    postgresql-$PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl make gcc"

log() { printf '== %s\n' "$*" >&2; }

# Install the Debian packages that are missing; a no-op when all are present.
sqii_prereqs() {
    local missing=()
    local p
    for p in $SQII_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages: ${missing[*]}; run as root or install them first" >&2
        exit 1
    fi
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Build with -Werror and install into the PostgreSQL found by pg_config.
sqii_build_install() {
    log "building and installing sqii"
    make -C "$SQII_ROOT" -s PG_CONFIG="$PG_BIN/pg_config" >/dev/null
    make -C "$SQII_ROOT" -s PG_CONFIG="$PG_BIN/pg_config" install >/dev/null
}

# Run a command as the cluster's owner (PostgreSQL refuses to run as root).
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Start a throw-away cluster listening only on a private socket directory.
# Sets PGHOST, PGPORT, PGUSER, PGDATABASE for psql, pg_regress and pg_prove.
cluster_start() {
    CLUSTER_DIR=$(mktemp -d /tmp/sqii-cluster.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres: "$CLUSTER_DIR"
    trap cluster_stop EXIT
    as_owner "$PG_BIN/initdb" -D "$CLUSTER_DIR/data" -U postgres --auth=trust \
        --no-sync -E UTF8 --locale=C.UTF-8 >"$CLUSTER_DIR/initdb.log" 2>&1
    export PGHOST=$CLUSTER_DIR PGPORT=${SQII_PORT:-55432} PGUSER=postgres PGDATABASE=postgres
    as_owner "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w \
        -o "-c listen_addresses='' -c unix_socket_directories='$CLUSTER_DIR' -p $PGPORT \
            -c max_worker_processes=8 -c max_parallel_workers=4 -c fsync=off \
            -c shared_buffers=${SQII_SHARED_BUFFERS:-512MB} -c work_mem=64MB \
            -c max_parallel_workers_per_gather=2 ${SQII_PG_OPTS:-}" \
        start >/dev/null
    log "throw-away cluster at $CLUSTER_DIR (port $PGPORT)"
}

cluster_stop() {
    local rc=$?
    if [ -n "${CLUSTER_DIR:-}" ] && [ -d "$CLUSTER_DIR" ]; then
        as_owner "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m immediate stop >/dev/null 2>&1 || true
        if [ $rc -ne 0 ] && [ -f "$CLUSTER_DIR/server.log" ]; then
            echo "--- last server log lines ---" >&2
            tail -20 "$CLUSTER_DIR/server.log" >&2
        fi
        rm -rf "$CLUSTER_DIR"
    fi
    return $rc
}

psql_q() { psql -X -v ON_ERROR_STOP=1 -q "$@"; }
