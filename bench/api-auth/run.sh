#!/bin/sh
# run.sh -- Gatehouse vs nginx: authenticated GET throughput and tail latency, on SQLite and on
# PostgreSQL.
#
# Builds build-release if needed and measures, with the same wrk settings and the same
# authenticated GET, four configurations on this machine:
#   sqlite     one Gatehouse on a temp data folder (SQLite), one main API key
#   nginx      a minimal nginx (`return 200`): the yardstick
#   pg1        one Gatehouse on a throw-away PostgreSQL cluster (scripts/pg.sh)
#   pg2_nginx  two Gatehouse servers on that same database behind an nginx load balancer
#              (upstream with both, keepalive to the upstreams)
# and prints a key=value summary on stdout.  Progress and wrk's own reports go to stderr.
#
# Targets (SQLite vs nginx only): Gatehouse requests/s >= 0.5 x nginx's, and Gatehouse p99 <= 2 x
# nginx's p99.  The PostgreSQL figures are reported, not judged.
#
# Environment (all optional):
#   BENCH_DURATION     wrk duration of each measured run     (default 10s)
#   BENCH_CONNECTIONS  wrk connections                       (default 64)
#   BENCH_THREADS      wrk threads                           (default 2)
#   BENCH_WARMUP       warm-up run before each measurement, 0 to skip (default 2s); the
#                      Gatehouse warm-ups also check that every single response is a 200
#   BENCH_PG=0         skip the PostgreSQL configurations (no cluster, no postgresql package)
#   BENCH_REQUIRE_TARGETS=1  exit 3 when a target is missed (default: report only)
#
# Exit status: 0 done, 1 setup failure or any non-200/socket error, 3 target missed (only with
# BENCH_REQUIRE_TARGETS=1).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
warmup=${BENCH_WARMUP:-2s}
with_pg=${BENCH_PG:-1}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

case "$with_pg" in
0 | 1) ;;
*) die "BENCH_PG must be 0 or 1, not '$with_pg'" ;;
esac

tmp=""       # everything but the PostgreSQL cluster
pgtmp=""     # the PostgreSQL cluster's parent folder (under /tmp, see below)
gh_pid=""    # Gatehouse on SQLite
pga_pid=""   # Gatehouse on PostgreSQL, first server (measured alone, and behind nginx)
pgb_pid=""   # Gatehouse on PostgreSQL, second server (behind nginx)
nginx_pid="" # nginx: `return 200` and, with PostgreSQL, the load balancer
wrk_pid=""

# running PID: true while PID exists and is not a zombie (Linux /proc).
# shellcheck disable=SC2317 # invoked by cleanup
running() {
    st=$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ]
}

# shellcheck disable=SC2317 # invoked by the traps below
cleanup() {
    status=$?
    trap - EXIT
    trap '' INT TERM HUP # a second Ctrl-C must not leave the cluster or the temp folders behind
    for pid in $wrk_pid $gh_pid $pga_pid $pgb_pid $nginx_pid; do
        kill "$pid" 2>/dev/null || true
    done
    # A child signalled between fork and exec can lose the SIGTERM: give every process 5 s,
    # then SIGKILL, so that the waits below always return.
    n=0
    for pid in $wrk_pid $gh_pid $pga_pid $pgb_pid $nginx_pid; do
        while running "$pid" && [ "$n" -lt 50 ]; do
            sleep 0.1
            n=$((n + 1))
        done
        if running "$pid"; then
            kill -9 "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$pgtmp" ] && [ -d "$pgtmp" ]; then
        # pg.sh stops the server (fast shutdown) and removes the cluster folder; it refuses to
        # remove a folder whose server would not stop, and so do we.
        if "$root/scripts/pg.sh" stop "$pgtmp/cluster" >/dev/null 2>&1; then
            rm -rf "$pgtmp"
        else
            printf 'bench: warning: the PostgreSQL cluster in %s did not stop; left in place\n' \
                "$pgtmp/cluster" >&2
        fi
    fi
    if [ -n "$tmp" ] && [ -d "$tmp" ]; then
        rm -rf "$tmp"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- dependencies and build ----

if [ "$with_pg" = 1 ]; then
    "$root/scripts/deps.sh" bench test >&2 # test: the postgresql server packages
else
    "$root/scripts/deps.sh" bench >&2
fi
for tool in wrk nginx awk sed; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
        die "$tool not found (scripts/deps.sh bench should have installed it)"
done
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench.XXXXXX")

# Another engineer may be rebuilding at the same time: retry a few times, then snapshot the
# binary into the temp folder so a later rebuild cannot change it under the benchmark.
build_release() {
    attempt=1
    while :; do
        if { [ -f "$root/build-release/build.ninja" ] ||
            meson setup "$root/build-release" "$root" --buildtype=release -Dtests=false \
                >"$tmp/build.log" 2>&1; } &&
            ninja -C "$root/build-release" >"$tmp/build.log" 2>&1 &&
            cp "$root/build-release/cli/gatehouse" "$tmp/gatehouse" 2>>"$tmp/build.log" &&
            "$tmp/gatehouse" version >/dev/null 2>>"$tmp/build.log"; then
            return 0
        fi
        if [ "$attempt" -ge 5 ]; then
            cat "$tmp/build.log" >&2
            return 1
        fi
        say "build-release not buildable right now (attempt $attempt), retrying in 5 s"
        attempt=$((attempt + 1))
        sleep 5
    done
}
say "building build-release"
build_release || die "could not build build-release"
bin="$tmp/gatehouse"

# ---- helpers ----

json_field() { # json_field NAME < one-line flat JSON object
    sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p"
}

# provision LABEL STORE-ARGS... -> sets p_account, p_key_sid, p_key_secret: `gatehouse init` and
# one main API key on the store the arguments name.
provision() {
    label=$1
    shift
    "$bin" init "$@" --json >"$tmp/init.json" || die "gatehouse init failed ($label)"
    p_account=$(json_field account_sid <"$tmp/init.json")
    "$bin" key create --type main "$@" --json >"$tmp/key.json" ||
        die "gatehouse key create failed ($label)"
    p_key_sid=$(json_field sid <"$tmp/key.json")
    p_key_secret=$(json_field secret <"$tmp/key.json")
    rm -f "$tmp/init.json" "$tmp/key.json"
    case "$p_account" in AC?*) ;; *) die "no account SID from gatehouse init ($label)" ;; esac
    case "$p_key_sid" in SK?*) ;; *) die "no key SID from gatehouse key create ($label)" ;; esac
    [ -n "$p_key_secret" ] || die "no key secret from gatehouse key create ($label)"
}

# start_gatehouse PIDVAR LABEL SERVE-ARGS... -> sets the variable named PIDVAR (at once, so the
# exit trap always knows the process) and started_url.  The request log goes to /dev/null.
start_gatehouse() {
    pidvar=$1
    label=$2
    shift 2
    out="$tmp/serve-$label.out"
    : >"$out" # now, not in the child: the loop below may read it before the child runs
    "$bin" serve --listen 127.0.0.1:0 "$@" >"$out" 2>/dev/null &
    eval "$pidvar=\$!"
    pid=$!
    port=""
    i=0
    while [ "$i" -lt 100 ]; do
        port=$(sed -n 's/^gatehouse: listening on http:\/\/127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$out")
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || die "gatehouse serve exited ($label): $(cat "$out")"
        sleep 0.1
        i=$((i + 1))
    done
    [ -n "$port" ] || die "gatehouse serve did not report its port within 10 s ($label)"
    started_url="http://127.0.0.1:$port"
    say "gatehouse ($label) listening on $started_url (pid $pid)"
}

# ---- Gatehouse on SQLite: data folder, main API key, server ----

data="$tmp/data"
provision sqlite --data "$data"
account_sid=$p_account
key_sid=$p_key_sid
key_secret=$p_key_secret
start_gatehouse gh_pid sqlite --data "$data"
gh_url=$started_url

# ---- Gatehouse on PostgreSQL: a throw-away cluster, one database, two servers ----

pga_url=""
pgb_url=""
if [ "$with_pg" = 1 ]; then
    # pg.sh wants a short path under /tmp whose parents the "postgres" user can search (as root
    # it runs the server as that user), so the cluster gets its own world-searchable folder.
    pgtmp=$(mktemp -d /tmp/gatehouse-bench-pg.XXXXXX)
    chmod 755 "$pgtmp"
    say "starting a throw-away PostgreSQL cluster in $pgtmp/cluster"
    "$root/scripts/pg.sh" start "$pgtmp/cluster" >/dev/null || die "could not start PostgreSQL"
    pg_url=$("$root/scripts/pg.sh" createdb "$pgtmp/cluster" gatehouse_bench) ||
        die "could not create the benchmark database"
    # Both servers share one master key: the key file `init` creates in $pgdata.
    pgdata="$tmp/pgdata"
    provision postgresql --store "$pg_url" --data "$pgdata"
    pg_account_sid=$p_account
    pg_key_sid=$p_key_sid
    pg_key_secret=$p_key_secret
    start_gatehouse pga_pid pg-a --store "$pg_url" --data "$pgdata"
    pga_url=$started_url
    start_gatehouse pgb_pid pg-b --store "$pg_url" --key-file "$pgdata/master.key"
    pgb_url=$started_url
fi

# ---- nginx: own minimal config in the temp folder, on free ports ----

port_free() {
    if command -v ss >/dev/null 2>&1; then
        [ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
    else
        return 0 # nginx itself will refuse a taken port; the loop below retries
    fi
}

random_port() { # random_port SALT -> a port in 20000-59999
    seed=$(($(date +%s) % 100000 + $$ * 31 + $1 * 7919))
    awk -v s="$seed" 'BEGIN { srand(s); print 20000 + int(rand() * 40000) }'
}

mkdir -p "$tmp/nginx"
user_line=""
if [ "$(id -u)" -eq 0 ]; then
    # As root nginx would switch its workers to "nobody"; keep them as the current user.
    user_line="user $(id -un) $(id -gn);"
fi
# start_nginx PORT [LB-PORT] -> 0 when bound.  PORT answers `return 200`; LB-PORT (with
# PostgreSQL) is the load balancer in front of the two PostgreSQL servers.
start_nginx() {
    n="$tmp/nginx"
    rm -f "$n/nginx.pid" "$n/error.log"
    lb=""
    if [ -n "${2:-}" ]; then
        lb=$(
            cat <<EOF

    # The load balancer: both Gatehouse servers on PostgreSQL, as docs/DEPLOYMENT.md shows it.
    upstream gatehouse {
        server ${pga_url#http://} max_fails=3 fail_timeout=10s;
        server ${pgb_url#http://} max_fails=3 fail_timeout=10s;
        keepalive 64;
        keepalive_requests 10000;
        keepalive_timeout 20s;
    }

    server {
        listen 127.0.0.1:$2;
        client_max_body_size 64k;
        client_body_buffer_size 64k;
        location / {
            proxy_pass http://gatehouse;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header Authorization \$http_authorization;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_connect_timeout 2s;
            proxy_send_timeout 15s;
            proxy_read_timeout 15s;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
            # Only for the check below that both servers answer (not in DEPLOYMENT.md).
            add_header X-Upstream \$upstream_addr always;
        }
    }
EOF
        )
    fi
    cat >"$n/nginx.conf" <<EOF
# Minimal nginx for the Gatehouse benchmark: same keep-alive behaviour as a stock server.
$user_line
daemon off;
worker_processes auto;
pid $n/nginx.pid;
error_log $n/error.log warn;

events {
    worker_connections 1024;
}

http {
    access_log off;
    default_type text/plain;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 1000;
    client_body_temp_path $n/client_body;
    proxy_temp_path $n/proxy;
    fastcgi_temp_path $n/fastcgi;
    uwsgi_temp_path $n/uwsgi;
    scgi_temp_path $n/scgi;

    server {
        listen 127.0.0.1:$1;
        location / {
            return 200 "ok\n";
        }
    }
$lb
}
EOF
    "$nginx_bin" -p "$n/" -c "$n/nginx.conf" -e "$n/error.log" >/dev/null 2>&1 &
    nginx_pid=$!
    j=0
    # nginx writes its pid file only after it has bound the listening sockets.
    while [ "$j" -lt 100 ]; do
        if ! kill -0 "$nginx_pid" 2>/dev/null; then
            wait "$nginx_pid" 2>/dev/null || true
            nginx_pid=""
            return 1
        fi
        [ -s "$n/nginx.pid" ] && return 0
        sleep 0.1
        j=$((j + 1))
    done
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
    nginx_pid=""
    return 1
}

nginx_port=""
lb_port=""
tries=0
while [ "$tries" -lt 20 ]; do
    tries=$((tries + 1))
    p=$(random_port "$tries")
    port_free "$p" || continue
    q=""
    if [ "$with_pg" = 1 ]; then
        q=$(random_port "$((tries + 1000))")
        if [ "$q" = "$p" ] || ! port_free "$q"; then
            continue
        fi
    fi
    if start_nginx "$p" "$q"; then
        nginx_port=$p
        lb_port=$q
        break
    fi
done
if [ -z "$nginx_port" ]; then
    cat "$tmp/nginx/error.log" >&2 2>/dev/null || true
    die "could not start nginx"
fi
nginx_url="http://127.0.0.1:$nginx_port"
say "nginx listening on $nginx_url (pid $nginx_pid)"
lb_url=""
if [ -n "$lb_port" ]; then
    lb_url="http://127.0.0.1:$lb_port"
    say "nginx load balancer on $lb_url -> $pga_url, $pgb_url"
fi

# ---- correctness checks before measuring ----

account_path="/2010-04-01/Accounts/$account_sid.json"
pg_account_path=""
[ "$with_pg" = 0 ] || pg_account_path="/2010-04-01/Accounts/$pg_account_sid.json"

# check_get LABEL URL CURLCFG ACCOUNT -> dies unless GET URL answers 200 with that account; the
# response headers are left in $tmp/verify.headers.
check_get() {
    code=$(curl -sS -K "$3" -D "$tmp/verify.headers" -o "$tmp/verify.json" -w '%{http_code}' \
        "$2") || die "curl could not reach $1 ($2)"
    [ "$code" = 200 ] || die "$1: GET $2 answered $code, not 200: $(cat "$tmp/verify.json")"
    [ "$(json_field sid <"$tmp/verify.json")" = "$4" ] ||
        die "$1: GET $2 returned another resource: $(cat "$tmp/verify.json")"
}

if command -v curl >/dev/null 2>&1; then
    # Credentials go through curl config files, not the command line (ps would show them).
    umask 077
    printf 'user = "%s:%s"\n' "$key_sid" "$key_secret" >"$tmp/curl-sqlite.cfg"
    check_get "gatehouse (sqlite)" "$gh_url$account_path" "$tmp/curl-sqlite.cfg" "$account_sid"
    code=$(curl -sS -o /dev/null -w '%{http_code}' "$nginx_url/") || die "curl could not reach nginx"
    [ "$code" = 200 ] || die "nginx answered $code, not 200"
    say "curl check: sqlite GET $account_path -> 200 with the account, nginx GET / -> 200"
    if [ "$with_pg" = 1 ]; then
        printf 'user = "%s:%s"\n' "$pg_key_sid" "$pg_key_secret" >"$tmp/curl-pg.cfg"
        check_get "gatehouse (pg-a)" "$pga_url$pg_account_path" "$tmp/curl-pg.cfg" "$pg_account_sid"
        check_get "gatehouse (pg-b)" "$pgb_url$pg_account_path" "$tmp/curl-pg.cfg" "$pg_account_sid"
        # Through the load balancer: every answer a 200 with the account, and both servers
        # answering.  nginx round-robins within each worker (one per core), so among cores + 1
        # requests some worker gets two, one for each server.
        case "$cores" in "" | *[!0-9]*) max_checks=34 ;; *) max_checks=$((2 * cores + 2)) ;; esac
        upstreams=""
        k=0
        while [ "$k" -lt "$max_checks" ]; do
            k=$((k + 1))
            check_get "nginx load balancer" "$lb_url$pg_account_path" "$tmp/curl-pg.cfg" \
                "$pg_account_sid"
            up=$(tr -d '\r' <"$tmp/verify.headers" | sed -n 's/^[Xx]-[Uu]pstream: *//p')
            case " $upstreams " in *" $up "*) ;; *) upstreams="$upstreams $up" ;; esac
            # shellcheck disable=SC2086 # one word per upstream address
            set -- $upstreams
            [ "$#" -lt 2 ] || break
        done
        [ "$#" -eq 2 ] || die "nginx load balancer: expected both upstreams to answer, saw:$upstreams"
        say "curl check: pg GET $pg_account_path -> 200 with the account on both servers and" \
            "through nginx (answered by$upstreams)"
    fi
    rm -f "$tmp/verify.json" "$tmp/verify.headers"
else
    say "curl not installed: relying on the wrk checks below (every response must be 200)"
    [ "$warmup" != 0 ] || warmup=1s
fi

# ---- wrk runs ----

# run_wrk LABEL URL SCRIPT DURATION STRICT -> sets $result to the wrk_result line; wrk's own
# report goes to stderr.  wrk runs in the background and is waited for, so a signal to this
# script is handled at once (the trap stops wrk too).
run_wrk() {
    out="$tmp/wrk-$1.out"
    BENCH_STRICT=$5 wrk --latency -t "$threads" -c "$connections" -d "$4" -s "$3" "$2" \
        >"$out" 2>&1 &
    wrk_pid=$!
    if ! wait "$wrk_pid"; then
        wrk_pid=""
        cat "$out" >&2
        die "wrk failed ($1)"
    fi
    wrk_pid=""
    grep -v '^wrk_result ' "$out" >&2 || true
    result=$(grep '^wrk_result ' "$out" | tail -n 1)
    [ -n "$result" ] || die "wrk printed no result line ($1)"
}

field() { # field NAME "wrk_result a=1 b=2 ..."
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

check_clean() { # check_clean LABEL LINE
    n2=$(field non2xx "$2")
    se=$(field socket_errors "$2")
    n200=$(field non200 "$2")
    if [ "$n2" != 0 ] || [ "$se" != 0 ] || { [ -n "$n200" ] && [ "$n200" != 0 ]; }; then
        say "$1: non-2xx=$n2 non-200=${n200:-n/a} socket errors=$se ($2)"
        return 1
    fi
}

# measure_gatehouse LABEL URL PATH: strict warm-up (every status must be 200), then the
# measured run of auth-get.lua with the credentials in BENCH_ACCOUNT_SID/KEY_SID/KEY_SECRET.
measure_gatehouse() {
    if [ "$warmup" != 0 ]; then
        say "warm-up: $1 ($warmup, every status checked)"
        run_wrk "$1-warmup" "$2" "$gh_script" "$warmup" 1
        check_clean "$1 warm-up" "$result" || die "$1 answered something other than 200"
    fi
    say "measuring: $1 GET $3 ($duration, $threads threads, $connections connections)"
    run_wrk "$1" "$2" "$gh_script" "$duration" 0
}

gh_script="$here/auth-get.lua"
plain_script="$here/report.lua"

export BENCH_ACCOUNT_SID="$account_sid" BENCH_KEY_SID="$key_sid" BENCH_KEY_SECRET="$key_secret"
measure_gatehouse sqlite "$gh_url" "$account_path"
gh_line=$result

if [ "$warmup" != 0 ]; then
    say "warm-up: nginx ($warmup)"
    run_wrk nginx-warmup "$nginx_url/" "$plain_script" "$warmup" 0
fi
say "measuring: nginx GET / ($duration, $threads threads, $connections connections)"
run_wrk nginx "$nginx_url/" "$plain_script" "$duration" 0
nginx_line=$result

pga_line=""
lb_line=""
if [ "$with_pg" = 1 ]; then
    BENCH_ACCOUNT_SID=$pg_account_sid
    BENCH_KEY_SID=$pg_key_sid
    BENCH_KEY_SECRET=$pg_key_secret
    measure_gatehouse pg1 "$pga_url" "$pg_account_path"
    pga_line=$result
    measure_gatehouse pg2_nginx "$lb_url" "$pg_account_path"
    lb_line=$result
fi

# ---- summary ----

failed=0
check_clean gatehouse "$gh_line" || failed=1
check_clean nginx "$nginx_line" || failed=1
if [ "$with_pg" = 1 ]; then
    check_clean pg1 "$pga_line" || failed=1
    check_clean pg2_nginx "$lb_line" || failed=1
fi

awk -v g="$gh_line" -v n="$nginx_line" -v a="$pga_line" -v b="$lb_line" -v dur="$duration" \
    -v conns="$connections" -v thr="$threads" -v cores="$cores" -v failed="$failed" '
function get(line, key,    i, parts, kv) {
    split(line, parts, " ")
    for (i in parts) {
        split(parts[i], kv, "=")
        if (kv[1] == key) return kv[2] + 0
    }
    return -1
}
function keys(prefix, line) {
    printf "%s_rps=%.0f\n%s_p50_ms=%.3f\n%s_p99_ms=%.3f\n", prefix, get(line, "rps"), \
        prefix, get(line, "p50_us") / 1000, prefix, get(line, "p99_us") / 1000
    printf "%s_requests=%d\n%s_non2xx=%d\n%s_socket_errors=%d\n", prefix, get(line, "requests"), \
        prefix, get(line, "non2xx"), prefix, get(line, "socket_errors")
}
function row(name, line,    x) {
    x = nrps > 0 ? get(line, "rps") / nrps : 0 # not inside printf: there ">" redirects
    printf "# %-40s %9.0f %9.3f %9.3f %9.2f\n", name, get(line, "rps"), get(line, "p50_us") / 1000, \
        get(line, "p99_us") / 1000, x
}
BEGIN {
    grps = get(g, "rps"); nrps = get(n, "rps")
    g50 = get(g, "p50_us") / 1000; g99 = get(g, "p99_us") / 1000
    n50 = get(n, "p50_us") / 1000; n99 = get(n, "p99_us") / 1000
    rr = nrps > 0 ? grps / nrps : 0
    pr = n99 > 0 ? g99 / n99 : 0
    ok_rps = rr >= 0.5; ok_p99 = n99 > 0 && pr <= 2
    printf "duration=%s\nconnections=%s\nthreads=%s\ncores=%s\n", dur, conns, thr, cores
    printf "gatehouse_rps=%.0f\ngatehouse_p50_ms=%.3f\ngatehouse_p99_ms=%.3f\n", grps, g50, g99
    printf "gatehouse_requests=%d\ngatehouse_non2xx=%d\ngatehouse_socket_errors=%d\n", \
        get(g, "requests"), get(g, "non2xx"), get(g, "socket_errors")
    printf "sqlite_rps=%.0f\nsqlite_p50_ms=%.3f\nsqlite_p99_ms=%.3f\n", grps, g50, g99
    printf "nginx_rps=%.0f\nnginx_p50_ms=%.3f\nnginx_p99_ms=%.3f\n", nrps, n50, n99
    printf "nginx_requests=%d\nnginx_non2xx=%d\nnginx_socket_errors=%d\n", \
        get(n, "requests"), get(n, "non2xx"), get(n, "socket_errors")
    printf "rps_ratio=%.3f\np99_ratio=%.3f\n", rr, pr
    printf "targets_met=%s\n", (ok_rps && ok_p99 && !failed) ? "yes" : "no"
    if (a != "") {
        printf "postgresql=measured\n"
        keys("pg1", a)
        keys("pg2_nginx", b)
        arps = get(a, "rps"); brps = get(b, "rps")
        printf "pg1_vs_sqlite_rps_ratio=%.3f\n", (grps > 0 ? arps / grps : 0)
        printf "pg2_nginx_vs_pg1_rps_ratio=%.3f\n", (arps > 0 ? brps / arps : 0)
    } else {
        printf "postgresql=skipped\n"
    }
    if (failed)
        printf "# INVALID RUN: errors or non-200 responses (see above); targets not judged\n"
    else
        printf "# targets %s: Gatehouse %.0f req/s = %.2f x nginx (target >= 0.5: %s), " \
            "p99 %.2f ms = %.2f x nginx %.2f ms (target <= 2: %s)\n", \
            (ok_rps && ok_p99) ? "HOLD" : "MISSED", grps, rr, ok_rps ? "ok" : "MISSED", \
            g99, pr, n99, ok_p99 ? "ok" : "MISSED"
    printf "#\n# %-40s %9s %9s %9s %9s\n", "configuration (GET, " conns " connections, " dur ")", \
        "req/s", "p50 ms", "p99 ms", "x nginx"
    row("gatehouse, SQLite, 1 server", g)
    row("nginx, return 200", n)
    if (a != "") {
        row("gatehouse, PostgreSQL, 1 server", a)
        row("gatehouse, PostgreSQL, 2 servers + nginx", b)
    } else {
        printf "# %-40s (skipped: BENCH_PG=0)\n", "gatehouse on PostgreSQL"
    }
    printf "# wrk, nginx, %sthe Gatehouse servers share this machine%ss %s cores: " \
        "the figures compare configurations, they are not capacity\n", \
        (a != "" ? "PostgreSQL and " : ""), "\047", cores
}'

[ "$failed" = 0 ] || exit 1
if [ "${BENCH_REQUIRE_TARGETS:-0}" = 1 ]; then
    awk -v g="$gh_line" -v n="$nginx_line" '
    function get(line, key,    i, parts, kv) {
        split(line, parts, " ")
        for (i in parts) { split(parts[i], kv, "="); if (kv[1] == key) return kv[2] + 0 }
        return -1
    }
    BEGIN {
        nrps = get(n, "rps"); n99 = get(n, "p99_us")
        exit !(nrps > 0 && get(g, "rps") / nrps >= 0.5 && n99 > 0 && get(g, "p99_us") / n99 <= 2)
    }' || exit 3
fi
exit 0
