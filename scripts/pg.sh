#!/bin/sh
# pg.sh -- a throwaway PostgreSQL cluster for tests, from Debian's postgresql packages.
#
#   scripts/pg.sh start DIR            initdb DIR/data (once) and start the server; prints the
#                                      URL of the "postgres" database
#   scripts/pg.sh url DIR [DBNAME]     prints the URL of DBNAME (default postgres)
#   scripts/pg.sh createdb DIR NAME    creates database NAME and prints its URL
#   scripts/pg.sh stop DIR             stops the server (fast) and removes DIR entirely
#   scripts/pg.sh dropdb DIR NAME      drops database NAME (closing its connections)
#   scripts/pg.sh dump DIR NAME        prints pg_dump's plain-text dump of NAME (for tests that
#                                      look for secrets at rest)
#
# The server listens only on a unix socket in DIR (no TCP), with trust authentication for the
# superuser "postgres", fsync off (test data only) and max_connections 200 (PG_MAX_CONNECTIONS
# overrides).  Its port number only names the socket file; it is picked at random in
# 20000-40000 among ports with no TCP listener, so two clusters never share a name.  A URL looks
# like  postgresql://postgres@/postgres?host=/tmp/x&port=23456  (libpq URL form).
#
# The server never runs as root: invoked as root, it runs as Debian's "postgres" user (created
# as "gatehouse-pg" when missing) via runuser, and DIR is chowned to it; invoked as anyone
# else, it runs as that user.  The newest /usr/lib/postgresql/*/bin is used (PG_BINDIR
# overrides).  Only the URL goes to stdout; diagnostics go to stderr; a failure exits non-zero
# with a one-line message.  The server's log is DIR/postgres.log.
set -eu

die() {
    echo "pg.sh: $*" >&2
    exit 1
}

usage() {
    echo "usage: scripts/pg.sh start DIR | url DIR [DBNAME] | createdb DIR NAME | stop DIR |" \
        "halt DIR | dropdb DIR NAME | dump DIR NAME" >&2
    exit 2
}

# Variables libpq would otherwise read: the commands below name everything explicitly.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGSERVICEFILE PGOPTIONS PGPASSWORD \
    PGSSLMODE PGTARGETSESSIONATTRS PGDATA 2>/dev/null || true
export PGCONNECT_TIMEOUT=10

MARKER=.gatehouse-pg-cluster # in DIR: what `stop` checks before removing DIR

# find_bindir: the newest /usr/lib/postgresql/VERSION/bin with a server in it.
find_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then
        if [ ! -x "$PG_BINDIR/initdb" ] || [ ! -x "$PG_BINDIR/pg_ctl" ]; then
            die "PG_BINDIR=$PG_BINDIR has no initdb/pg_ctl"
        fi
        bindir=$PG_BINDIR
        return
    fi
    version=$(for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && [ -x "$d/psql" ]; then
            v=${d#/usr/lib/postgresql/}
            echo "${v%/bin}"
        fi
    done | sort -t. -k1,1n -k2,2n | tail -n 1)
    [ -n "$version" ] ||
        die "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (run scripts/deps.sh test)"
    bindir=/usr/lib/postgresql/$version/bin
}

# absdir DIR: DIR's absolute physical path (DIR must exist).
absdir() {
    (cd "$1" 2>/dev/null && pwd -P) || die "no such folder: $1"
}

# urlenc TEXT: percent-encodes everything but unreserved characters and "/".
urlenc() {
    printf '%s' "$1" | od -An -v -tx1 | awk '
        BEGIN {
            for (i = 48; i < 58; i++) safe[sprintf("%02x", i)] = sprintf("%c", i)
            for (i = 65; i < 91; i++) safe[sprintf("%02x", i)] = sprintf("%c", i)
            for (i = 97; i < 123; i++) safe[sprintf("%02x", i)] = sprintf("%c", i)
            safe["2d"] = "-"; safe["2e"] = "."; safe["5f"] = "_"; safe["7e"] = "~"; safe["2f"] = "/"
        }
        { for (i = 1; i <= NF; i++) printf "%s", ($i in safe) ? safe[$i] : "%" toupper($i) }
        END { printf "\n" }'
}

# url DBNAME: the libpq URL of DBNAME in the cluster in $dir on $port.
url_of() {
    echo "postgresql://postgres@/$(urlenc "$1")?host=$(urlenc "$dir")&port=$port"
}

check_dbname() {
    case "$1" in
    "" | [0-9]* | *[!A-Za-z0-9_]*) die "database name must be letters, digits and _ (not leading digit): '$1'" ;;
    esac
    [ "${#1}" -le 63 ] || die "database name longer than 63 characters: $1"
}

# run_as: who runs the server.  Sets $runuser (empty: the invoking user).
pick_user() {
    runuser=""
    [ "$(id -u)" -eq 0 ] || return 0
    if [ -d "$dir/data" ]; then
        runuser=$(stat -c %U "$dir/data")
        [ "$runuser" != root ] || die "$dir/data is owned by root; remove it (scripts/pg.sh stop $dir)"
        return 0
    fi
    if getent passwd postgres >/dev/null 2>&1; then
        runuser=postgres
    else
        runuser=gatehouse-pg
        if ! getent passwd "$runuser" >/dev/null 2>&1; then
            echo "pg.sh: creating system user $runuser to run the test server" >&2
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
                "$runuser" >/dev/null 2>&1 || die "could not create system user $runuser"
        fi
    fi
    command -v runuser >/dev/null 2>&1 || die "runuser not found (util-linux)"
}

# as CMD...: runs CMD as the server's user, from / (the caller's folder may be unreadable to it).
as() {
    if [ -n "$runuser" ]; then
        (cd / && runuser -u "$runuser" -- "$@")
    else
        (cd / && "$@")
    fi
}

read_port() {
    [ -f "$dir/port" ] || die "no cluster in $dir (run scripts/pg.sh start $dir)"
    port=$(cat "$dir/port")
    case "$port" in "" | *[!0-9]*) die "bad port file $dir/port" ;; esac
}

# tcp_listening PORT: true when something listens on TCP PORT (IPv4 or IPv6).
tcp_listening() {
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$hex" '
        $4 == "0A" { n = split($2, a, ":"); if (a[n] == p) found = 1 }
        END { exit found ? 0 : 1 }'
}

pick_port() {
    tries=0
    while [ "$tries" -lt 100 ]; do
        tries=$((tries + 1))
        r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' \n')
        p=$((20000 + r % 20001))
        if [ -e "$dir/.s.PGSQL.$p" ] || [ -e "/tmp/.s.PGSQL.$p" ] ||
            [ -e "/var/run/postgresql/.s.PGSQL.$p" ] || tcp_listening "$p"; then
            continue
        fi
        port=$p
        return 0
    done
    die "no free port found in 20000-40000"
}

running() {
    [ -f "$dir/data/PG_VERSION" ] && as "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

cmd_start() {
    find_bindir
    mkdir -p "$1" || die "cannot create $1"
    dir=$(absdir "$1")
    pick_user
    # the socket path (DIR/.s.PGSQL.NNNNN) must fit in sockaddr_un (107 bytes)
    [ "${#dir}" -le 90 ] || die "folder path too long for a unix socket (max 90 characters): $dir"
    case "$dir" in *"'"* | *"\\"* | *" "*) die "folder path must not contain quotes, backslashes or spaces: $dir" ;; esac
    if [ -d "$dir/data" ]; then
        if [ ! -f "$dir/data/PG_VERSION" ] || [ ! -f "$dir/port" ]; then
            die "$dir/data is not a complete cluster (remove it with scripts/pg.sh stop $dir)"
        fi
        read_port
        if running; then
            if ! "$bindir/pg_isready" -q -h "$dir" -p "$port" -U postgres -d postgres -t 10; then
                die "the server in $dir is registered but does not answer (scripts/pg.sh stop $dir, then start again)"
            fi
            url_of postgres
            return 0
        fi
    else
        if [ -n "$(ls -A "$dir")" ] && [ ! -f "$dir/$MARKER" ]; then
            die "$dir is not empty; give an empty or new folder"
        fi
        : >"$dir/$MARKER"
        pick_port
        echo "$port" >"$dir/port"
        chmod 0700 "$dir"
        if [ -n "$runuser" ]; then
            chown -R "$runuser:" "$dir" || die "cannot chown $dir to $runuser"
            as test -w "$dir" ||
                die "user $runuser cannot reach $dir (a parent folder is not searchable); use a folder under /tmp"
        fi
        as "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --no-locale -E UTF8 --no-sync \
            >"$dir/initdb.log" 2>&1 ||
            die "initdb failed: $(tail -n 1 "$dir/initdb.log") (see $dir/initdb.log)"
        cat >>"$dir/data/postgresql.conf" <<EOF

# scripts/pg.sh: a throwaway test cluster, unix socket only
listen_addresses = ''
port = $port
unix_socket_directories = '$dir'
unix_socket_permissions = 0700
max_connections = ${PG_MAX_CONNECTIONS:-200}
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_checkpoints = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
    fi
    if ! as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -s start >/dev/null 2>"$dir/pg_ctl.err"; then
        die "the server did not start: $(tail -n 1 "$dir/postgres.log" 2>/dev/null || tail -n 1 "$dir/pg_ctl.err") (see $dir/postgres.log)"
    fi
    rm -f "$dir/pg_ctl.err"
    echo "pg.sh: PostgreSQL $("$bindir/postgres" -V | awk '{print $3}') running in $dir (socket port $port, user ${runuser:-$(id -un)})" >&2
    url_of postgres
}

cmd_url() {
    dir=$(absdir "$1")
    read_port
    name=${2:-postgres}
    check_dbname "$name"
    url_of "$name"
}

cmd_createdb() {
    dir=$(absdir "$1")
    name=$2
    check_dbname "$name"
    connected
    # template0: nothing can be connected to it, so concurrent creates never collide on it
    if ! err=$("$bindir/createdb" -h "$dir" -p "$port" -U postgres -T template0 -- "$name" 2>&1); then
        die "createdb $name failed: $(echo "$err" | head -n 1)"
    fi
    url_of "$name"
}

# connected: checks the cluster in $dir answers; sets bindir and port.
connected() {
    find_bindir
    read_port
    [ -S "$dir/.s.PGSQL.$port" ] || die "no server running in $dir (run scripts/pg.sh start $dir)"
}

cmd_dropdb() {
    dir=$(absdir "$1")
    check_dbname "$2"
    connected
    if ! err=$("$bindir/dropdb" -h "$dir" -p "$port" -U postgres --if-exists --force -- "$2" 2>&1); then
        die "dropdb $2 failed: $(echo "$err" | head -n 1)"
    fi
}

cmd_dump() {
    dir=$(absdir "$1")
    check_dbname "$2"
    connected
    "$bindir/pg_dump" -h "$dir" -p "$port" -U postgres --no-owner -- "$2" ||
        die "pg_dump $2 failed"
}

# halt DIR: stops the server but keeps the cluster; `start DIR` brings it back (same port, data).
cmd_halt() {
    dir=$(absdir "$1")
    [ -f "$dir/$MARKER" ] || die "$dir was not made by scripts/pg.sh start"
    find_bindir
    pick_user
    running || return 0
    as "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 -s stop >/dev/null 2>&1 ||
        die "the server in $dir did not stop"
}

cmd_stop() {
    if [ ! -e "$1" ]; then
        echo "pg.sh: $1 does not exist; nothing to stop" >&2
        return 0
    fi
    dir=$(absdir "$1")
    [ -f "$dir/$MARKER" ] || [ -z "$(ls -A "$dir")" ] ||
        die "$dir was not made by scripts/pg.sh start; not removing it"
    case "$dir" in / | /tmp | /var | /home | /root | /usr) die "refusing to remove $dir" ;; esac
    if [ -f "$dir/data/postmaster.pid" ]; then
        find_bindir
        pick_user
        pid=$(head -n 1 "$dir/data/postmaster.pid")
        if ! as "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 -s stop >/dev/null 2>&1 && running; then
            as "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 -s stop >/dev/null 2>&1 || true
            if running; then
                die "the server in $dir did not stop; not removing it"
            fi
        fi
        # pg_ctl returns once postmaster.pid is gone, a moment before the process itself
        n=0
        while [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ] &&
            [ "$n" -lt 100 ]; do
            n=$((n + 1))
            sleep 0.05
        done
    fi
    rm -rf "$dir" || die "could not remove $dir"
}

[ $# -ge 2 ] || usage
cmd=$1
shift
case "$cmd" in
start) [ $# -eq 1 ] || usage; cmd_start "$1" ;;
url) [ $# -le 2 ] || usage; cmd_url "$@" ;;
createdb) [ $# -eq 2 ] || usage; cmd_createdb "$1" "$2" ;;
stop) [ $# -eq 1 ] || usage; cmd_stop "$1" ;;
halt) [ $# -eq 1 ] || usage; cmd_halt "$1" ;;
dropdb) [ $# -eq 2 ] || usage; cmd_dropdb "$1" "$2" ;;
dump) [ $# -eq 2 ] || usage; cmd_dump "$1" "$2" ;;
*) usage ;;
esac
