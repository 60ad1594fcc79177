#!/bin/sh
# run.sh -- access-token (JWT, HS256) verification: Gatehouse in process vs jsonwebtoken and jose
# (npm, pinned) on the same tokens in the same run, and the HTTP verify endpoint.
#
# Provisions a throw-away instance (gatehouse init, one main API key), mints BENCH_TOKENS
# distinct tokens with `gatehouse token mint` (that key, TTL 24 h, identities and grants of
# several sizes; one per line in a file every side reads), then measures, one after the other:
#   gatehouse_pure          driver.c: gh_access_token_parse + gh_access_token_check_signature +
#                           gh_access_token_check_times, the key's secret given (no store)
#   gatehouse_full          driver.c: gh_access_token_verify on a gh_ctx opened on the data
#                           folder, as the operator (the store checks too)
#   jsonwebtoken            verify-rate.js: jwt.verify(token, secret, {algorithms: ['HS256']}),
#                           secret a string (at every call jsonwebtoken tries to read it as a
#                           public key, which throws, then makes a secret KeyObject)
#   jsonwebtoken_keyobject  the same with a KeyObject made once
#   jose                    await jose.jwtVerify(token, TextEncoder(secret), ...)
#   jose_keyobject          the same with a KeyObject made once
#   http                    wrk against POST /v1/AccessTokens/Verify (form Token=..., HTTP Basic
#                           auth with the main key) on `gatehouse serve`, rotating the tokens
# Every token must verify on every side (and a forged one must not), and every HTTP response of
# the warm-up must be a 200 with "active":true; anything else ends the run.
#
# Target (from the issue): Gatehouse's in-process rate >= 20 x jsonwebtoken's, judged on the
# like-for-like pure path; the full path's ratio is reported too.
#
# key=value lines on stdout, then '#' lines for humans; progress and wrk's report on stderr.
#
# Environment (all optional):
#   BENCH_TOKENS       distinct tokens minted                             (default 300)
#   BENCH_MIN_SECONDS  each in-process way repeats the tokens at least this long, per round
#                      (default 2)
#   BENCH_ROUNDS       in-process rounds (driver.c, then verify-rate.js, again and again); each
#                      way's best round is reported, so that a burst of other work on the
#                      machine in one round does not decide the comparison (default 3)
#   BENCH_DURATION     wrk duration of the measured HTTP run              (default 10s)
#   BENCH_CONNECTIONS  wrk connections                                    (default 64)
#   BENCH_THREADS      wrk threads                                        (default 2)
#   BENCH_WARMUP       HTTP warm-up, every response checked; 0 skips it    (default 2s)
#   BENCH_HTTP=0       skip the HTTP measurement (no server, no wrk)
#   BENCH_REQUIRE_TARGETS=1  exit 3 when the target is missed             (default: report only)
#
# Exit status: 0 done, 1 setup failure or any refused token, non-200 or socket error, 3 target
# missed (only with BENCH_REQUIRE_TARGETS=1).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

ntokens=${BENCH_TOKENS:-300}
min_seconds=${BENCH_MIN_SECONDS:-2}
rounds=${BENCH_ROUNDS:-3}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
warmup=${BENCH_WARMUP:-2s}
with_http=${BENCH_HTTP:-1}
target=20

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}

case "$ntokens" in
'' | *[!0-9]*) die "BENCH_TOKENS must be a whole number, not '$ntokens'" ;;
esac
[ "$ntokens" -ge 1 ] || die "BENCH_TOKENS must be at least 1"
case "$rounds" in
'' | *[!0-9]*) die "BENCH_ROUNDS must be a whole number, not '$rounds'" ;;
esac
[ "$rounds" -ge 1 ] || die "BENCH_ROUNDS must be at least 1"
case "$min_seconds" in
'' | *[!0-9.]*) die "BENCH_MIN_SECONDS must be a number, not '$min_seconds'" ;;
esac
case "$with_http" in
0 | 1) ;;
*) die "BENCH_HTTP must be 0 or 1, not '$with_http'" ;;
esac

tmp=""
gh_pid=""
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
    trap '' INT TERM HUP # a second Ctrl-C must not leave the temp folder behind
    for pid in $wrk_pid $gh_pid; do
        kill "$pid" 2>/dev/null || true
    done
    n=0
    for pid in $wrk_pid $gh_pid; do
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

if [ "$with_http" = 1 ]; then
    "$root/scripts/deps.sh" build bench >&2 # bench: wrk and curl
else
    "$root/scripts/deps.sh" build >&2
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    "$root/scripts/deps.sh" test >&2 # the test group brings node and npm
fi
for tool in node npm cc pkg-config meson ninja awk sed; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
if [ "$with_http" = 1 ]; then
    for tool in wrk curl; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh bench installs it)"
    done
fi
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")

# The stamp is a copy of the lock file that node_modules was installed from.
stamp="$here/node_modules/.gatehouse-bench-lock"
if [ ! -d "$here/node_modules" ] || ! cmp -s "$here/package-lock.json" "$stamp"; then
    say "npm ci (installing pinned jsonwebtoken and jose into bench/jwt/node_modules)"
    (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2 ||
        die "npm ci failed"
    cp "$here/package-lock.json" "$stamp"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench-jwt.XXXXXX")

# Another engineer may be rebuilding at the same time: retry a few times, then snapshot what is
# needed into the temp folder so a later rebuild cannot change it under the benchmark.
build_target() { # build_target TARGET
    attempt=1
    while :; do
        if { [ -f "$root/build-release/build.ninja" ] ||
            meson setup "$root/build-release" "$root" --buildtype=release -Dtests=false \
                >"$tmp/build.log" 2>&1; } &&
            ninja -C "$root/build-release" "$1" >"$tmp/build.log" 2>&1 &&
            cp "$root/build-release/$1" "$tmp/$(basename "$1")" 2>>"$tmp/build.log"; then
            return 0
        fi
        if [ "$attempt" -ge 5 ]; then
            cat "$tmp/build.log" >&2
            return 1
        fi
        say "build-release: $1 not buildable right now (attempt $attempt), retrying in 5 s"
        attempt=$((attempt + 1))
        sleep 5
    done
}
say "building build-release (lib/libgatehouse.a, cli/gatehouse)"
build_target lib/libgatehouse.a || die "could not build build-release's lib/libgatehouse.a"
build_target cli/gatehouse || die "could not build build-release's cli/gatehouse"
"$tmp/gatehouse" version >/dev/null 2>&1 || die "the gatehouse binary does not run"
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -I"$root/include" -o "$tmp/driver" \
    "$here/driver.c" "$tmp/libgatehouse.a" \
    $(pkg-config --libs libsodium libcrypto sqlite3 libpq jansson) -lzxcvbn -lunistring -lm \
    -lpthread >&2 || die "could not build driver.c"

# Every gatehouse command ignores the caller's GATEHOUSE_CONFIG: only the data folder's file.
gh() { env -u GATEHOUSE_CONFIG "$tmp/gatehouse" "$@"; }

json_field() { # json_field NAME < one-line flat JSON object
    sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p"
}

value() { # value KEY FILE: from key=value lines
    sed -n "s/^$1=//p" "$2" | head -n 1
}

# ---- instance, key and tokens ----

data="$tmp/data"
mkdir -p "$data"
# A cheaper Argon2id for the owner's passphrase, so init is quick; verification never hashes.
printf 'pwhash_memory_mib = 19\npwhash_passes = 2\n' >"$data/gatehouse.conf"
gh init --data "$data" --json >"$tmp/init.json" || die "gatehouse init failed"
gh key create --type main --data "$data" --json >"$tmp/key.json" ||
    die "gatehouse key create failed"
account_sid=$(json_field account_sid <"$tmp/key.json")
key_sid=$(json_field sid <"$tmp/key.json")
key_secret=$(json_field secret <"$tmp/key.json")
rm -f "$tmp/init.json" "$tmp/key.json"
case "$account_sid" in AC?*) ;; *) die "no account SID from gatehouse key create" ;; esac
case "$key_sid" in SK?*) ;; *) die "no key SID from gatehouse key create" ;; esac
[ -n "$key_secret" ] || die "no key secret from gatehouse key create"

# Four shapes in turn, from a bare identity to ~1 KiB of grants; iat steps back one second per
# token, so every jti ("<key>-<iat>") differs too.  All valid for about 24 hours.
say "minting $ntokens tokens with gatehouse token mint"
now=$(date +%s)
i=0
: >"$tmp/tokens.txt"
while [ "$i" -lt "$ntokens" ]; do
    hex=$(printf '%032x' "$i")
    case $((i % 4)) in
    0)
        identity="user-$i"
        grants=""
        ;;
    1)
        identity="user-$i@example.com"
        grants="{\"video\":{\"room\":\"room-$((i % 17))\"}}"
        ;;
    2)
        identity="agent-$i"
        grants="{\"chat\":{\"service_sid\":\"IS$hex\",\"endpoint_id\":\"bench:agent-$i:web\"},\"voice\":{\"incoming\":{\"allow\":true},\"outgoing\":{\"application_sid\":\"AP$hex\",\"params\":{\"mode\":\"bench\"}}}}"
        ;;
    *)
        identity="customer-$i-0123456789abcdefghijklmnopqrstuvwxyz-0123456789abcdefghijklmnopqrstuvwxyz"
        grants="{\"video\":{\"room\":\"room-$i\"},\"chat\":{\"service_sid\":\"IS$hex\",\"endpoint_id\":\"bench:customer-$i:ios:0123456789abcdef\",\"deployment_role_sid\":\"RL$hex\",\"push_credential_sid\":\"CR$hex\"},\"voice\":{\"incoming\":{\"allow\":true},\"outgoing\":{\"application_sid\":\"AP$hex\",\"params\":{\"mode\":\"bench\",\"queue\":\"support-$i\"}},\"push_credential_sid\":\"CR$hex\"},\"data_sync\":{\"service_sid\":\"IS$hex\",\"endpoint_id\":\"bench:customer-$i\"}}"
        ;;
    esac
    if [ -n "$grants" ]; then
        set -- --grants "$grants"
    else
        set --
    fi
    GATEHOUSE_KEY_SECRET=$key_secret gh token mint --account "$account_sid" --key "$key_sid" \
        --identity "$identity" --ttl 86400 --iat "$((now - i))" "$@" >>"$tmp/tokens.txt" ||
        die "gatehouse token mint failed (token $((i + 1)))"
    i=$((i + 1))
done
[ "$(grep -c . "$tmp/tokens.txt")" = "$ntokens" ] || die "expected $ntokens tokens"

export BENCH_KEY_SECRET="$key_secret" BENCH_KEY_SID="$key_sid" BENCH_ACCOUNT_SID="$account_sid"

# ---- in process ----

# Both sides take turns, round after round, so that other work on the machine (it is shared)
# falls on both; each way's best round counts.
load_before=$(cut -d ' ' -f 1 /proc/loadavg)
round=1
while [ "$round" -le "$rounds" ]; do
    say "round $round of $rounds: Gatehouse in process, pure path then gh_access_token_verify (at least $min_seconds s each)"
    "$tmp/driver" "$tmp/tokens.txt" "$data" "$min_seconds" >"$tmp/gatehouse-$round.txt" ||
        die "the driver failed"
    say "gatehouse: pure $(value pure_rate "$tmp/gatehouse-$round.txt") /s, full $(value full_rate "$tmp/gatehouse-$round.txt") /s"
    say "round $round of $rounds: jsonwebtoken and jose in node (at least $min_seconds s each)"
    NODE_PATH="$here/node_modules" node "$here/verify-rate.js" "$tmp/tokens.txt" "$min_seconds" \
        >"$tmp/node-$round.txt" || die "verify-rate.js failed"
    round=$((round + 1))
done
load_mid=$(cut -d ' ' -f 1 /proc/loadavg)

# ---- HTTP ----

http_line=""
failed=0
if [ "$with_http" = 1 ]; then
    out="$tmp/serve.out"
    : >"$out"
    env -u GATEHOUSE_CONFIG "$tmp/gatehouse" serve --data "$data" --listen 127.0.0.1:0 \
        >"$out" 2>/dev/null &
    gh_pid=$!
    port=""
    k=0
    while [ "$k" -lt 100 ]; do
        port=$(sed -n 's/^gatehouse: listening on http:\/\/127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$out")
        [ -n "$port" ] && break
        kill -0 "$gh_pid" 2>/dev/null || die "gatehouse serve exited: $(cat "$out")"
        sleep 0.1
        k=$((k + 1))
    done
    [ -n "$port" ] || die "gatehouse serve did not report its port within 10 s"
    url="http://127.0.0.1:$port"
    say "gatehouse listening on $url (pid $gh_pid)"

    # Credentials and the token go through curl config files, not the command line.
    umask 077
    printf 'user = "%s:%s"\n' "$key_sid" "$key_secret" >"$tmp/curl.cfg"
    printf 'Token=%s' "$(head -n 1 "$tmp/tokens.txt")" >"$tmp/verify.body"
    code=$(curl -sS -K "$tmp/curl.cfg" --data-binary "@$tmp/verify.body" \
        -H 'Content-Type: application/x-www-form-urlencoded' -o "$tmp/verify.json" \
        -w '%{http_code}' "$url/v1/AccessTokens/Verify") || die "curl could not reach $url"
    [ "$code" = 200 ] || die "POST /v1/AccessTokens/Verify answered $code: $(cat "$tmp/verify.json")"
    grep -q '"active": *true' "$tmp/verify.json" ||
        die "POST /v1/AccessTokens/Verify: the token is not active: $(cat "$tmp/verify.json")"
    say "curl check: POST /v1/AccessTokens/Verify -> 200, \"active\": true"

    # run_wrk LABEL DURATION STRICT -> $result, the wrk_result line; wrk's report to stderr.
    run_wrk() {
        wout="$tmp/wrk-$1.out"
        BENCH_TOKENS_FILE="$tmp/tokens.txt" BENCH_STRICT=$3 wrk --latency -t "$threads" \
            -c "$connections" -d "$2" -s "$here/verify.lua" "$url" >"$wout" 2>&1 &
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
    if [ "$warmup" != 0 ]; then
        say "warm-up ($warmup, every response checked: 200 with \"active\":true)"
        run_wrk warmup "$warmup" 1
        if [ "$(field non2xx "$result")" != 0 ] || [ "$(field socket_errors "$result")" != 0 ] ||
            [ "$(field non200 "$result")" != 0 ] || [ "$(field inactive "$result")" != 0 ]; then
            die "warm-up: not every response was a 200 with \"active\":true ($result)"
        fi
        [ "$(field requests "$result")" -gt 0 ] || die "warm-up: no response"
    fi
    say "measuring: POST /v1/AccessTokens/Verify ($duration, $threads threads, $connections connections)"
    run_wrk measured "$duration" 0
    http_line=$result
    if [ "$(field non2xx "$http_line")" != 0 ] || [ "$(field socket_errors "$http_line")" != 0 ]; then
        say "measured run: non-2xx=$(field non2xx "$http_line") socket errors=$(field socket_errors "$http_line")"
        failed=1
    fi
fi
load_after=$(cut -d ' ' -f 1 /proc/loadavg)

# ---- report ----

# each_round KEY SIDE: KEY's value in every round, one a line, in round order.
each_round() {
    n=1
    while [ "$n" -le "$rounds" ]; do
        value "$1" "$tmp/$2-$n.txt"
        n=$((n + 1))
    done
}
# g KEY / j KEY: the best round's rate (the highest) for a *_rate KEY, else round 1's value.
best() { each_round "$1" "$2" | sort -g | tail -n 1; }
g() { case "$1" in *_rate) best "$1" gatehouse ;; *) value "$1" "$tmp/gatehouse-1.txt" ;; esac; }
j() { case "$1" in *_rate) best "$1" node ;; *) value "$1" "$tmp/node-1.txt" ;; esac; }
# spread KEY SIDE: every round's rate, rounded, comma-separated.
spread() { each_round "$1" "$2" | awk '{ printf "%s%.0f", (NR > 1 ? "," : ""), $1 } END { print "" }'; }
pure=$(g pure_rate)
full=$(g full_rate)
jwt_rate=$(j jsonwebtoken_rate)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
ratio_pure=$(ratio "$pure" "$jwt_rate")
ratio_full=$(ratio "$full" "$jwt_rate")
met=$(awk -v r="$ratio_pure" -v t="$target" 'BEGIN { print (r >= t) ? "yes" : "no" }')
met_full=$(awk -v r="$ratio_full" -v t="$target" 'BEGIN { print (r >= t) ? "yes" : "no" }')

{
    echo "tokens=$ntokens"
    echo "token_bytes_min=$(g token_bytes_min)"
    echo "token_bytes_mean=$(g token_bytes_mean)"
    echo "token_bytes_max=$(g token_bytes_max)"
    echo "min_seconds=$min_seconds"
    echo "rounds=$rounds"
    echo "cores=$cores"
    echo "load_before=$load_before"
    echo "load_after_in_process=$load_mid"
    echo "load_after=$load_after"
    printf 'gatehouse_pure_per_s=%.0f\n' "$pure"
    printf 'gatehouse_full_per_s=%.0f\n' "$full"
    printf 'jsonwebtoken_per_s=%.0f\n' "$jwt_rate"
    printf 'jsonwebtoken_keyobject_per_s=%.0f\n' "$(j jsonwebtoken_keyobject_rate)"
    printf 'jose_per_s=%.0f\n' "$(j jose_rate)"
    printf 'jose_keyobject_per_s=%.0f\n' "$(j jose_keyobject_rate)"
    echo "gatehouse_pure_rounds=$(spread pure_rate gatehouse)"
    echo "gatehouse_full_rounds=$(spread full_rate gatehouse)"
    echo "jsonwebtoken_rounds=$(spread jsonwebtoken_rate node)"
    echo "jsonwebtoken_keyobject_rounds=$(spread jsonwebtoken_keyobject_rate node)"
    echo "jose_rounds=$(spread jose_rate node)"
    echo "jose_keyobject_rounds=$(spread jose_keyobject_rate node)"
    echo "ratio_vs_jsonwebtoken_pure=$ratio_pure"
    echo "ratio_vs_jsonwebtoken_full=$ratio_full"
    echo "ratio_vs_jsonwebtoken_keyobject_pure=$(ratio "$pure" "$(j jsonwebtoken_keyobject_rate)")"
    echo "ratio_vs_jose_pure=$(ratio "$pure" "$(j jose_rate)")"
    echo "ratio_vs_jose_full=$(ratio "$full" "$(j jose_rate)")"
    echo "jsonwebtoken_version=$(j jsonwebtoken_version)"
    echo "jose_version=$(j jose_version)"
    echo "node_version=$(node --version)"
    if [ -n "$http_line" ]; then
        printf '%s\n' "$http_line" | awk -v dur="$duration" -v c="$connections" -v t="$threads" '
        {
            for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            printf "http=measured\nhttp_duration=%s\nhttp_connections=%s\nhttp_threads=%s\n", dur, c, t
            printf "http_requests_per_s=%.0f\nhttp_p50_ms=%.3f\nhttp_p90_ms=%.3f\nhttp_p99_ms=%.3f\n",
                v["rps"], v["p50_us"] / 1000, v["p90_us"] / 1000, v["p99_us"] / 1000
            printf "http_max_ms=%.3f\nhttp_requests=%d\nhttp_non2xx=%d\nhttp_socket_errors=%d\n",
                v["max_us"] / 1000, v["requests"], v["non2xx"], v["socket_errors"]
        }'
    else
        echo "http=skipped"
    fi
    echo "target_ratio=$target"
    echo "targets_met=$met"
} >"$tmp/result.txt"
cat "$tmp/result.txt"

r() { value "$1" "$tmp/result.txt"; }
per_us() { awk -v r="$1" 'BEGIN { printf "%.2f", (r > 0 ? 1e6 / r : 0) }'; }
if [ "$met" = yes ]; then
    verdict="HOLDS"
else
    verdict="MISSED"
fi
echo "# target $verdict: the pure path verifies ${ratio_pure}x as many tokens per second as jsonwebtoken (string secret) (target >= ${target}x); gh_access_token_verify with the store: ${ratio_full}x ($( [ "$met_full" = yes ] && echo "also above" || echo "below") the target)"
echo "# tokens: $ntokens distinct, HS256, one main key, $(r token_bytes_min) to $(r token_bytes_max) bytes (mean $(r token_bytes_mean)); every one verified valid on every side, a forged signature refused on every side"
echo "#"
printf '# %-58s %12s %9s %10s\n' "in process, one thread, best of $rounds rounds of ${min_seconds} s" "verif./s" "us each" "gatehouse"
row() { # row LABEL RATE
    printf '# %-58s %12.0f %9s %10s\n' "$1" "$2" "$(per_us "$2")" "$(ratio "$pure" "$2")x"
}
row "gatehouse pure (parse + signature + times)" "$pure"
row "gatehouse full (gh_access_token_verify, SQLite store)" "$full"
row "jsonwebtoken $(r jsonwebtoken_version), string secret (the target's)" "$jwt_rate"
row "jsonwebtoken $(r jsonwebtoken_version), KeyObject made once" "$(j jsonwebtoken_keyobject_rate)"
row "jose $(r jose_version), Uint8Array secret, awaited" "$(j jose_rate)"
row "jose $(r jose_version), KeyObject made once, awaited" "$(j jose_keyobject_rate)"
echo "# (the last column: the pure path's rate over that row's; node $(node --version))"
echo "# jsonwebtoken with a string secret spends most of each call on crypto.createPublicKey(secret), which OpenSSL 3 refuses after probing every key format, before it makes a secret KeyObject: the ratio measures that; against jsonwebtoken with a KeyObject made once the pure path is $(r ratio_vs_jsonwebtoken_keyobject_pure)x, against jose $(r ratio_vs_jose_pure)x"
echo "# per-round rates (verifications/s): gatehouse pure $(r gatehouse_pure_rounds); full $(r gatehouse_full_rounds); jsonwebtoken $(r jsonwebtoken_rounds); with a KeyObject $(r jsonwebtoken_keyobject_rounds); jose $(r jose_rounds); with a KeyObject $(r jose_keyobject_rounds)"
if [ -n "$http_line" ]; then
    echo "# HTTP: POST /v1/AccessTokens/Verify, $connections connections, $threads wrk threads, $duration: $(r http_requests_per_s) requests/s, p50 $(r http_p50_ms) ms, p90 $(r http_p90_ms) ms, p99 $(r http_p99_ms) ms ($(r http_requests) requests, non-2xx $(r http_non2xx), socket errors $(r http_socket_errors))"
    if [ "$failed" = 1 ]; then
        echo "# INVALID HTTP RUN: non-2xx responses or socket errors (see above)"
    fi
else
    echo "# HTTP: skipped (BENCH_HTTP=0)"
fi
contention=""
[ -z "$http_line" ] || contention="; wrk and the server compete for them in the HTTP run"
echo "# machine: $cores cores shared by everything in the run (load $load_before before, $load_mid after the in-process rounds, $load_after at the end)$contention"

[ "$failed" = 0 ] || exit 1
if [ "$met" = no ] && [ "${BENCH_REQUIRE_TARGETS:-0}" = 1 ]; then
    exit 3
fi
exit 0
