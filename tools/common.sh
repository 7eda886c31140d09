# Shared set-up for the demo, the tests and the benchmarks: sourced, not run.
# Installs what is missing (Debian 12, as root), builds and installs sqii, and
# starts a throw-away PostgreSQL cluster that is removed on exit.
set -euo pipefail

SQII_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=15
# SQII_PG_BIN points at another (relocated) PostgreSQL 15 tree, to work beside
# a colleague without sharing the installed extension files.
PG_BIN=${SQII_PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
SQII_PACKAGES="postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR
    postgresql-$PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl make gcc
    python3-numpy python3-scipy python3-psycopg2"

log() { printf '== %s\n' "$*" >&2; }

# Debian's tools to build the Debian package (test/package/run-package):
# dpkg-buildpackage (dpkg-dev, in build-essential), dh, and pg_buildext's
# debhelper sequences from postgresql-server-dev-all.
SQII_PACKAGING_PACKAGES="build-essential debhelper postgresql-server-dev-all"

# Install the Debian packages that are missing; a no-op when all are present.
sqii_prereqs() {
    sqii_install_missing $SQII_PACKAGES
}

sqii_packaging_prereqs() {
    sqii_install_missing $SQII_PACKAGING_PACKAGES
}

sqii_install_missing() {
    local missing=()
    local p
    for p in "$@"; do
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

# The released 0.1: tag v0.1, or the commit it names when a clone has no tags.
SQII_V01_REF=v0.1
SQII_V01_COMMIT=b5809b558b85db24b7e8f0dad401c696227a7cbf

# The git revision of a release (default 0.1): its tag, or the commit the tag
# names when a clone has no tags.
sqii_release_ref() {
    local ref=${1:-$SQII_V01_REF}
    git -C "$SQII_ROOT" rev-parse -q --verify "$ref^{commit}" >/dev/null || ref=$SQII_V01_COMMIT
    echo "$ref"
}

# Build and install an earlier release from git (for the update tests): its
# library and scripts replace the current ones until sqii_build_install runs.
# With a directory as second argument, the release's tree is left there (its
# examples are what a district built on that release).
sqii_build_install_release() {
    local ref
    ref=$(sqii_release_ref "${1:-}")
    local keep=${2:-}
    local dir
    dir=${keep:-$(mktemp -d /tmp/sqii-release.XXXXXX)}
    mkdir -p "$dir"
    git -C "$SQII_ROOT" archive "$ref" | tar -x -C "$dir"
    log "building and installing sqii from $ref"
    make -C "$dir" -s PG_CONFIG="$PG_BIN/pg_config" >/dev/null
    make -C "$dir" -s PG_CONFIG="$PG_BIN/pg_config" install >/dev/null
    [ -n "$keep" ] || rm -rf "$dir"
}

# Run a command as the cluster's owner (PostgreSQL refuses to run as root).
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Start a throw-away cluster listening only on a private socket directory, and
# point PGHOST, PGPORT, PGUSER, PGDATABASE at it (psql, pg_regress, pg_prove).
# May be called several times (shards); every cluster is removed on exit.
CLUSTER_DIRS=()
cluster_start() {
    local port=${1:-${SQII_PORT:-55432}}
    local dir
    dir=$(mktemp -d /tmp/sqii-cluster.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    CLUSTER_DIRS+=("$dir")
    trap cluster_stop EXIT
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust \
        --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port \
            -c max_worker_processes=8 -c max_parallel_workers=4 -c fsync=off \
            -c shared_buffers=${SQII_SHARED_BUFFERS:-512MB} -c work_mem=64MB \
            -c max_parallel_workers_per_gather=2 ${SQII_PG_OPTS:-}" \
        start >/dev/null
    export PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
    CLUSTER_DIR=$dir
    log "throw-away cluster at $dir (port $port)"
}

cluster_stop() {
    local rc=$?
    local dir
    for dir in "${CLUSTER_DIRS[@]}"; do
        [ -d "$dir" ] || continue
        as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
        if [ $rc -ne 0 ] && [ -f "$dir/server.log" ]; then
            echo "--- last server log lines of $dir ---" >&2
            tail -20 "$dir/server.log" >&2
        fi
        rm -rf "$dir"
    done
    return $rc
}

psql_q() { psql -X -v ON_ERROR_STOP=1 -q "$@"; }
