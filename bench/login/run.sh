#!/bin/sh
# run.sh -- human logins (POST /v1/Sessions) at the default Argon2id parameters: throughput, tail
# latency and peak memory under load, then the timing gap between an unknown e-mail and a wrong
# passphrase on an idle server.
#
# Builds build-release if needed, starts one Gatehouse on a temp data folder (SQLite) with no
# configuration file, so every password-hashing setting is the default: Argon2id with libsodium's
# INTERACTIVE limits (64 MiB, 2 passes) and a hashing pool of one computation per CPU.  Then:
#   throughput  wrk POSTs the owner's correct credentials, each request from its own
#               X-Forwarded-For address (the server trusts 127.0.0.1 as a proxy), and counts
#               201s, 429s and anything else; the server's peak memory is read from /proc
#   timing gap  gap.js (node) sends one login at a time, in rounds of three kinds: correct,
#               unknown e-mail, wrong passphrase, and compares their medians
# and prints a key=value summary on stdout.  Progress and wrk's own report go to stderr.
#
# Nothing is judged but correctness: every measured login must answer 201 or 429 (any other
# status, or a socket error, makes the run invalid), and every gap request its expected status.
#
# Environment (all optional):
#   BENCH_DURATION     wrk duration of the measured run             (default 10s)
#   BENCH_CONNECTIONS  wrk connections                              (default 64)
#   BENCH_THREADS      wrk threads                                  (default 2)
#   BENCH_WARMUP       warm-up run before the measurement, 0 to skip (default 2s)
#   BENCH_TIMEOUT      wrk's per-request timeout; logins queue behind the hashing pool, so it
#                      is far above wrk's 2 s default                (default 30s)
#   BENCH_GAP_N        timed requests per kind in the gap phase, 0 to skip it (default 200)
#   BENCH_SERVE_THREADS  `gatehouse serve --threads N` (default: not given, so the server's own
#                      default, one request thread per CPU; more threads than the hashing pool
#                      has slots is what makes the pool answer 429)
#
# Exit status: 0 done, 1 setup failure, any status other than 201/429 or a socket error in the
# throughput run, or an unexpected status in the gap phase.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
warmup=${BENCH_WARMUP:-2s}
timeout=${BENCH_TIMEOUT:-30s}
gap_n=${BENCH_GAP_N:-200}
serve_threads=${BENCH_SERVE_THREADS:-}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

case "$gap_n" in
"" | *[!0-9]*) die "BENCH_GAP_N must be a whole number, not '$gap_n'" ;;
esac
case "$serve_threads" in
*[!0-9]*) die "BENCH_SERVE_THREADS must be a whole number, not '$serve_threads'" ;;
esac

tmp=""     # everything: binary, data folder, outputs
gh_pid=""  # the Gatehouse server
wrk_pid=""
node_pid=""

# running PID: true while PID exists and is not a zombie (Linux /proc).
running() {
    st=$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ]
}

# shellcheck disable=SC2317 # invoked by the traps below
cleanup() {
    status=$?
    trap - EXIT
    trap '' INT TERM HUP # a second Ctrl-C must not leave the temp folder behind
    for pid in $wrk_pid $node_pid $gh_pid; do
        kill "$pid" 2>/dev/null || true
    done
    # A child signalled between fork and exec can lose the SIGTERM: give every process 5 s,
    # then SIGKILL, so that the waits below always return.
    n=0
    for pid in $wrk_pid $node_pid $gh_pid; do
        while running "$pid" && [ "$n" -lt 50 ]; do
            sleep 0.1
            n=$((n + 1))
        done
        if running "$pid"; then
            kill -9 "$pid" 2>/dev/null || true
        fi
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
if [ "$gap_n" != 0 ] && ! command -v node >/dev/null 2>&1; then
    "$root/scripts/deps.sh" test >&2 # the test group brings node
fi
for tool in wrk curl awk sed; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh bench should have installed it)"
done
if [ "$gap_n" != 0 ]; then
    command -v node >/dev/null 2>&1 || die "node not found (scripts/deps.sh test should have installed it)"
    node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' ||
        die "gap.js needs node >= 18 (global fetch), found $(node --version)"
fi
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
case "$cores" in "" | *[!0-9]*) cores="?" ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench-login.XXXXXX")

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

kib() { # kib PID FIELD -> the /proc/PID/status field (VmRSS, VmHWM) in kB
    sed -n "s/^$2:[[:space:]]*\\([0-9][0-9]*\\) kB$/\\1/p" "/proc/$1/status"
}

cpu_ticks() { # cpu_ticks PID -> user + system clock ticks so far
    sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# wait_idle PID: until the process has used (almost) no CPU for half a second, at most 60 s.
# After wrk stops, the server still finishes the logins it had queued.
wait_idle() {
    k=0
    running "$1" || die "gatehouse serve (pid $1) is no longer running"
    a=$(cpu_ticks "$1")
    while [ "$k" -lt 120 ]; do
        sleep 0.5
        running "$1" || die "gatehouse serve (pid $1) is no longer running"
        b=$(cpu_ticks "$1")
        [ "$((b - a))" -le 1 ] && return 0
        a=$b
        k=$((k + 1))
    done
    say "warning: the server still uses CPU after 60 s; measuring anyway"
}

# ---- the instance: data folder, the owner (from init), a second user for the gap phase ----

data="$tmp/data"
umask 077
"$bin" init --data "$data" --json >"$tmp/init.json" || die "gatehouse init failed"
owner_email=$(json_field owner_email <"$tmp/init.json")
owner_pass=$(json_field owner_passphrase <"$tmp/init.json")
rm -f "$tmp/init.json"
[ -n "$owner_email" ] || die "no owner_email from gatehouse init --json"
[ -n "$owner_pass" ] || die "no owner_passphrase from gatehouse init --json"

# The gap phase logs in and fails as this user, never as the owner.
gap_email=gap-bench@example.com
gap_pass="quiet otter juggles seven lanterns brightly"
if [ "$gap_n" != 0 ]; then
    printf '%s\n' "$gap_pass" | "$bin" user create --data "$data" --email "$gap_email" \
        --name "Gap Bench" --role developer --json >"$tmp/user.json" ||
        die "gatehouse user create failed"
    case "$(json_field sid <"$tmp/user.json")" in US?*) ;; *) die "no user SID from gatehouse user create" ;; esac
    rm -f "$tmp/user.json"
fi

# The Argon2id parameters actually stored, every distinct set among the users' hashes (read-only;
# sqlite3 comes with `deps.sh test`, so it may be missing).
stored_params="n/a"
if command -v sqlite3 >/dev/null 2>&1; then
    # shellcheck disable=SC2016 # the $ are the hash string's, not the shell's
    stored_params=$(sqlite3 -readonly "$data/gatehouse.db" \
        "SELECT passphrase_hash FROM users" 2>/dev/null |
        sed -n 's/^\$argon2id\$v=[0-9]*\$\([^$]*\)\$.*/\1/p' | sort -u | paste -s -d ';' -) ||
        true
    [ -n "$stored_params" ] || stored_params="n/a"
fi

# ---- the server: no configuration file, X-Forwarded-For believed from loopback ----

out="$tmp/serve.out"
: >"$out" # now, not in the child: the loop below may read it before the child runs
set -- --data "$data" --listen 127.0.0.1:0 --trusted-proxies 127.0.0.1
[ -z "$serve_threads" ] || set -- "$@" --threads "$serve_threads"
"$bin" serve "$@" >"$out" 2>/dev/null &
gh_pid=$!
port=""
i=0
while [ "$i" -lt 100 ]; do
    port=$(sed -n 's/^gatehouse: listening on http:\/\/127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$out")
    [ -n "$port" ] && break
    kill -0 "$gh_pid" 2>/dev/null || die "gatehouse serve exited: $(cat "$out")"
    sleep 0.1
    i=$((i + 1))
done
[ -n "$port" ] || die "gatehouse serve did not report its port within 10 s"
url="http://127.0.0.1:$port"
say "gatehouse listening on $url (pid $gh_pid)"

# ---- correctness checks before measuring ----

# check_login LABEL EMAIL PASSPHRASE WANT XFF -> dies unless the login answers WANT (201 with a
# token, or 401).  The passphrase goes through a file, not the command line (ps would show it).
check_login() {
    printf '%s' "$3" >"$tmp/check.pass"
    code=$(curl -sS -o "$tmp/check.json" -w '%{http_code}' -H "X-Forwarded-For: $5" \
        --data-urlencode "Email=$2" --data-urlencode "Passphrase@$tmp/check.pass" \
        "$url/v1/Sessions") || die "curl could not reach the server ($1)"
    rm -f "$tmp/check.pass"
    [ "$code" = "$4" ] || die "$1: POST /v1/Sessions answered $code, not $4: $(cat "$tmp/check.json")"
    if [ "$4" = 201 ]; then
        [ -n "$(json_field token <"$tmp/check.json")" ] || die "$1: no token in $(cat "$tmp/check.json")"
    fi
    rm -f "$tmp/check.json"
}
check_login "owner, correct" "$owner_email" "$owner_pass" 201 192.0.2.1
check_login "unknown e-mail" nobody-check@example.com "$owner_pass" 401 192.0.2.2
if [ "$gap_n" != 0 ]; then
    check_login "gap user, correct" "$gap_email" "$gap_pass" 201 192.0.2.3
fi
say "curl check: owner login -> 201 with a token, unknown e-mail -> 401"

wait_idle "$gh_pid"
idle_rss=$(kib "$gh_pid" VmRSS)
idle_hwm=$(kib "$gh_pid" VmHWM)
load_before=$(cut -d ' ' -f 1 /proc/loadavg)

# ---- throughput: wrk ----

# run_wrk LABEL DURATION -> sets $result to the wrk_result line; wrk's own report goes to stderr.
# wrk runs in the background and is waited for, so a signal to this script is handled at once.
run_wrk() {
    wout="$tmp/wrk-$1.out"
    wrk --latency --timeout "$timeout" -t "$threads" -c "$connections" -d "$2" \
        -s "$here/login.lua" "$url" >"$wout" 2>&1 &
    wrk_pid=$!
    if ! wait "$wrk_pid"; then
        wrk_pid=""
        cat "$wout" >&2
        die "wrk failed ($1)"
    fi
    wrk_pid=""
    grep -v '^wrk_result ' "$wout" >&2 || true
    result=$(grep '^wrk_result ' "$wout" | tail -n 1)
    [ -n "$result" ] || die "wrk printed no result line ($1)"
}

field() { # field NAME "wrk_result a=1 b=2 ..."
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

export BENCH_EMAIL="$owner_email" BENCH_PASSPHRASE="$owner_pass"
if [ "$warmup" != 0 ]; then
    say "warm-up: owner logins ($warmup)"
    run_wrk warmup "$warmup"
    if [ "$(field other "$result")" != 0 ] || [ "$(field socket_errors "$result")" != 0 ]; then
        die "warm-up: statuses other than 201/429 or socket errors ($result)"
    fi
    wait_idle "$gh_pid"
fi
say "measuring: POST /v1/Sessions ($duration, $threads threads, $connections connections," \
    "timeout $timeout)"
run_wrk login "$duration"
wrk_line=$result
say "waiting for the server to finish the logins it had queued"
wait_idle "$gh_pid"
peak_hwm=$(kib "$gh_pid" VmHWM)
after_rss=$(kib "$gh_pid" VmRSS)
unset BENCH_EMAIL BENCH_PASSPHRASE

failed=0
if [ "$(field other "$wrk_line")" != 0 ] || [ "$(field socket_errors "$wrk_line")" != 0 ]; then
    say "INVALID: statuses other than 201/429 or socket errors: $wrk_line"
    failed=1
fi

# ---- timing gap: gap.js, one request at a time, on the now idle server ----

gap_out="$tmp/gap.out"
: >"$gap_out"
if [ "$gap_n" != 0 ] && [ "$failed" = 0 ]; then
    say "timing gap: $gap_n logins per kind (correct, unknown e-mail, wrong passphrase)," \
        "one at a time"
    BENCH_URL="$url" BENCH_EMAIL="$gap_email" BENCH_PASSPHRASE="$gap_pass" BENCH_GAP_N="$gap_n" \
        node "$here/gap.js" >"$gap_out" &
    node_pid=$!
    if ! wait "$node_pid"; then
        node_pid=""
        die "gap.js failed"
    fi
    node_pid=""
fi

# ---- summary ----

awk -v w="$wrk_line" -v dur="$duration" -v conns="$connections" -v thr="$threads" \
    -v tmo="$timeout" -v cores="$cores" -v idle_rss="$idle_rss" -v idle_hwm="$idle_hwm" \
    -v peak="$peak_hwm" -v after="$after_rss" -v params="$stored_params" -v load="$load_before" \
    -v failed="$failed" -v gapfile="$gap_out" -v sthreads="${serve_threads:-default}" '
function get(line, key,    i, parts, kv) {
    split(line, parts, " ")
    for (i in parts) {
        split(parts[i], kv, "=")
        if (kv[1] == key) return kv[2] + 0
    }
    return -1
}
BEGIN {
    secs = get(w, "duration_s")
    ok = get(w, "s201"); r429 = get(w, "s429")
    lps = secs > 0 ? ok / secs : 0
    rps429 = secs > 0 ? r429 / secs : 0
    pool = cores + 0
    poolmib = pool > 0 ? 64 * pool : "?" # not inside printf: there ">" redirects
    printf "duration=%s\nconnections=%s\nthreads=%s\ntimeout=%s\ncores=%s\n", dur, conns, thr, \
        tmo, cores
    printf "pwhash_memlimit_mib=64\npwhash_opslimit=2\npwhash_pool=%s\npwhash_pool_mib=%s\n", \
        cores, poolmib
    printf "pwhash_stored_params=%s\nserve_threads=%s\n", params, sthreads
    printf "load_before=%s\n", load
    printf "logins_per_s=%.2f\np50_ms=%.1f\np99_ms=%.1f\nmax_ms=%.1f\n", lps, \
        get(w, "p50_us") / 1000, get(w, "p99_us") / 1000, get(w, "max_us") / 1000
    printf "logins=%d\nrejected_429=%d\nrejected_429_per_s=%.2f\n", ok, r429, rps429
    printf "status_401=%d\nother_status=%d\nsocket_errors=%d\n", get(w, "s401"), \
        get(w, "other"), get(w, "socket_errors")
    printf "idle_rss_mib=%.1f\nidle_peak_rss_mib=%.1f\npeak_rss_mib=%.1f\nafter_rss_mib=%.1f\n", \
        idle_rss / 1024, idle_hwm / 1024, peak / 1024, after / 1024
    ngap = 0
    while ((getline line < gapfile) > 0) {
        if (line ~ /^[a-z0-9_]+=/) {
            print line
            split(line, kv, "=")
            gap[kv[1]] = substr(line, length(kv[1]) + 2)
            ngap++
        }
    }
    if (ngap == 0)
        printf "gap=%s\n", failed ? "skipped_invalid_run" : "skipped"
    if (failed)
        printf "# INVALID RUN: statuses other than 201/429 or socket errors (see above)\n"
    printf "# %.2f logins/s at the default Argon2id (64 MiB, 2 passes, pool of %s), " \
        "%s connections: p50 %.0f ms, p99 %.0f ms; 429s %.2f/s\n", lps, cores, conns, \
        get(w, "p50_us") / 1000, get(w, "p99_us") / 1000, rps429
    printf "# server memory: %.1f MiB idle, peak %.1f MiB under load (hashing pool %s x 64 MiB " \
        "= %s MiB), %.1f MiB after\n", idle_rss / 1024, peak / 1024, cores, poolmib, \
        after / 1024
    if (ngap > 0) {
        printf "#\n# %-34s %10s %10s %10s %10s\n", "timing gap (" gap["gap_n"] " per kind, idle)", \
            "median ms", "mean ms", "p10 ms", "p90 ms"
        split("correct unknown wrong", kinds, " ")
        names["correct"] = "correct passphrase (201)"
        names["unknown"] = "unknown e-mail (401)"
        names["wrong"] = "wrong passphrase (401)"
        for (i = 1; i <= 3; i++) {
            k = kinds[i]
            printf "# %-34s %10.1f %10.1f %10.1f %10.1f\n", names[k], gap[k "_median_ms"], \
                gap[k "_mean_ms"], gap[k "_p10_ms"], gap[k "_p90_ms"]
        }
        printf "# unknown - wrong: %+.2f ms (%+.2f%% of wrong), 95%% bootstrap interval " \
            "[%+.2f, %+.2f] ms\n", gap["gap_unknown_vs_wrong_ms"], gap["gap_pct"], \
            gap["gap_ci95_low_ms"], gap["gap_ci95_high_ms"]
    }
    printf "# wrk, node and the server share this machine%ss %s cores (load %s before the " \
        "run): the figures are not capacity\n", "\047", cores, load
}'

[ "$failed" = 0 ] || exit 1
exit 0
