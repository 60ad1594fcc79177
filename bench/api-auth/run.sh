#!/bin/sh
# run.sh -- Gatehouse vs nginx: authenticated GET throughput and tail latency.
#
# Builds build-release if needed, starts a throw-away Gatehouse (temp data folder, one main API
# key) and a minimal nginx (`return 200`), drives both with wrk over loopback, and prints a
# key=value summary on stdout.  Progress and wrk's own reports go to stderr.
#
# Targets: Gatehouse requests/s >= 0.5 x nginx's, and Gatehouse p99 <= 2 x nginx's p99.
#
# Environment (all optional):
#   BENCH_DURATION     wrk duration of each measured run     (default 10s)
#   BENCH_CONNECTIONS  wrk connections                       (default 64)
#   BENCH_THREADS      wrk threads                           (default 2)
#   BENCH_WARMUP       warm-up run before each measurement, 0 to skip (default 2s); the
#                      Gatehouse warm-up also checks that every single response is a 200
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

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

tmp=""
gh_pid=""
nginx_pid=""
wrk_pid=""

# shellcheck disable=SC2317 # invoked by the traps below
cleanup() {
    status=$?
    trap - EXIT INT TERM HUP
    for pid in $wrk_pid $gh_pid $nginx_pid; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in $wrk_pid $gh_pid $nginx_pid; do
        wait "$pid" 2>/dev/null || true
    done
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

"$root/scripts/deps.sh" bench >&2
for tool in wrk nginx awk sed; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
        die "$tool not found (scripts/deps.sh bench should have installed it)"
done
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)

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

# ---- Gatehouse: data folder, main API key, server ----

json_field() { # json_field NAME < one-line flat JSON object
    sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p"
}

data="$tmp/data"
"$bin" init --data "$data" --json >"$tmp/init.json" || die "gatehouse init failed"
account_sid=$(json_field account_sid <"$tmp/init.json")
"$bin" key create --type main --data "$data" --json >"$tmp/key.json" ||
    die "gatehouse key create failed"
key_sid=$(json_field sid <"$tmp/key.json")
key_secret=$(json_field secret <"$tmp/key.json")
rm -f "$tmp/init.json" "$tmp/key.json"
case "$account_sid" in AC?*) ;; *) die "no account SID from gatehouse init" ;; esac
case "$key_sid" in SK?*) ;; *) die "no key SID from gatehouse key create" ;; esac
[ -n "$key_secret" ] || die "no key secret from gatehouse key create"

"$bin" serve --data "$data" --listen 127.0.0.1:0 >"$tmp/serve.out" 2>/dev/null &
gh_pid=$!
gh_port=""
i=0
while [ "$i" -lt 100 ]; do
    gh_port=$(sed -n 's/^gatehouse: listening on http:\/\/127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' \
        "$tmp/serve.out")
    [ -n "$gh_port" ] && break
    kill -0 "$gh_pid" 2>/dev/null || die "gatehouse serve exited: $(cat "$tmp/serve.out")"
    sleep 0.1
    i=$((i + 1))
done
[ -n "$gh_port" ] || die "gatehouse serve did not report its port within 10 s"
gh_url="http://127.0.0.1:$gh_port"
say "gatehouse listening on $gh_url (pid $gh_pid)"

# ---- nginx: own minimal config in the temp folder, on a free port ----

port_free() {
    if command -v ss >/dev/null 2>&1; then
        [ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
    else
        return 0 # nginx itself will refuse a taken port; the loop below retries
    fi
}

mkdir -p "$tmp/nginx"
user_line=""
if [ "$(id -u)" -eq 0 ]; then
    # As root nginx would switch its workers to "nobody"; keep them as the current user.
    user_line="user $(id -un) $(id -gn);"
fi
start_nginx() { # start_nginx PORT -> 0 when bound
    n="$tmp/nginx"
    rm -f "$n/nginx.pid" "$n/error.log"
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
}
EOF
    "$nginx_bin" -p "$n/" -c "$n/nginx.conf" -e "$n/error.log" >/dev/null 2>&1 &
    nginx_pid=$!
    j=0
    # nginx writes its pid file only after it has bound the listening socket.
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
tries=0
while [ "$tries" -lt 20 ]; do
    tries=$((tries + 1))
    seed=$(($(date +%s) % 100000 + $$ * 31 + tries * 7919))
    p=$(awk -v s="$seed" 'BEGIN { srand(s); print 20000 + int(rand() * 40000) }')
    port_free "$p" || continue
    if start_nginx "$p"; then
        nginx_port=$p
        break
    fi
done
if [ -z "$nginx_port" ]; then
    cat "$tmp/nginx/error.log" >&2 2>/dev/null || true
    die "could not start nginx"
fi
nginx_url="http://127.0.0.1:$nginx_port"
say "nginx listening on $nginx_url (pid $nginx_pid)"

# ---- correctness check before measuring ----

export BENCH_ACCOUNT_SID="$account_sid" BENCH_KEY_SID="$key_sid" BENCH_KEY_SECRET="$key_secret"
account_path="/2010-04-01/Accounts/$account_sid.json"
if command -v curl >/dev/null 2>&1; then
    # Credentials go through a curl config file, not the command line (ps would show them).
    umask 077
    printf 'user = "%s:%s"\n' "$key_sid" "$key_secret" >"$tmp/curl.cfg"
    code=$(curl -sS -K "$tmp/curl.cfg" -o "$tmp/verify.json" -w '%{http_code}' \
        "$gh_url$account_path") || die "curl could not reach gatehouse"
    [ "$code" = 200 ] || die "GET $account_path answered $code, not 200: $(cat "$tmp/verify.json")"
    [ "$(json_field sid <"$tmp/verify.json")" = "$account_sid" ] ||
        die "GET $account_path returned another resource: $(cat "$tmp/verify.json")"
    code=$(curl -sS -o /dev/null -w '%{http_code}' "$nginx_url/") || die "curl could not reach nginx"
    [ "$code" = 200 ] || die "nginx answered $code, not 200"
    say "curl check: GET $account_path -> 200 with the account, nginx GET / -> 200"
else
    say "curl not installed: relying on the wrk check below (every response must be 200)"
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

gh_script="$here/auth-get.lua"
plain_script="$here/report.lua"

if [ "$warmup" != 0 ]; then
    say "warm-up: gatehouse ($warmup, every status checked)"
    run_wrk gatehouse-warmup "$gh_url" "$gh_script" "$warmup" 1
    check_clean "gatehouse warm-up" "$result" || die "gatehouse answered something other than 200"
fi
say "measuring: gatehouse GET $account_path ($duration, $threads threads, $connections connections)"
run_wrk gatehouse "$gh_url" "$gh_script" "$duration" 0
gh_line=$result

if [ "$warmup" != 0 ]; then
    say "warm-up: nginx ($warmup)"
    run_wrk nginx-warmup "$nginx_url/" "$plain_script" "$warmup" 0
fi
say "measuring: nginx GET / ($duration, $threads threads, $connections connections)"
run_wrk nginx "$nginx_url/" "$plain_script" "$duration" 0
nginx_line=$result

# ---- summary ----

failed=0
check_clean gatehouse "$gh_line" || failed=1
check_clean nginx "$nginx_line" || failed=1

awk -v g="$gh_line" -v n="$nginx_line" -v dur="$duration" -v conns="$connections" \
    -v thr="$threads" -v failed="$failed" '
function get(line, key,    i, parts, kv) {
    split(line, parts, " ")
    for (i in parts) {
        split(parts[i], kv, "=")
        if (kv[1] == key) return kv[2] + 0
    }
    return -1
}
BEGIN {
    grps = get(g, "rps"); nrps = get(n, "rps")
    g50 = get(g, "p50_us") / 1000; g99 = get(g, "p99_us") / 1000
    n50 = get(n, "p50_us") / 1000; n99 = get(n, "p99_us") / 1000
    rr = nrps > 0 ? grps / nrps : 0
    pr = n99 > 0 ? g99 / n99 : 0
    ok_rps = rr >= 0.5; ok_p99 = n99 > 0 && pr <= 2
    printf "duration=%s\nconnections=%s\nthreads=%s\n", dur, conns, thr
    printf "gatehouse_rps=%.0f\ngatehouse_p50_ms=%.3f\ngatehouse_p99_ms=%.3f\n", grps, g50, g99
    printf "gatehouse_requests=%d\ngatehouse_non2xx=%d\ngatehouse_socket_errors=%d\n", \
        get(g, "requests"), get(g, "non2xx"), get(g, "socket_errors")
    printf "nginx_rps=%.0f\nnginx_p50_ms=%.3f\nnginx_p99_ms=%.3f\n", nrps, n50, n99
    printf "nginx_requests=%d\nnginx_non2xx=%d\nnginx_socket_errors=%d\n", \
        get(n, "requests"), get(n, "non2xx"), get(n, "socket_errors")
    printf "rps_ratio=%.3f\np99_ratio=%.3f\n", rr, pr
    printf "targets_met=%s\n", (ok_rps && ok_p99 && !failed) ? "yes" : "no"
    if (failed)
        printf "# INVALID RUN: errors or non-200 responses (see above); targets not judged\n"
    else
        printf "# targets %s: Gatehouse %.0f req/s = %.2f x nginx (target >= 0.5: %s), " \
            "p99 %.2f ms = %.2f x nginx %.2f ms (target <= 2: %s)\n", \
            (ok_rps && ok_p99) ? "HOLD" : "MISSED", grps, rr, ok_rps ? "ok" : "MISSED", \
            g99, pr, n99, ok_p99 ? "ok" : "MISSED"
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
