#!/bin/sh
# run.sh -- TOTP verification (RFC 6238: SHA-1, 6 digits, 30 s, a window of one step either
# side): Gatehouse's gh_totp_verify vs liboath's oath_totp_validate (Debian's liboath-dev) and
# otplib (npm, pinned), in process, on the same inputs, in the same run.
#
# driver.c writes BENCH_INPUTS inputs from a seeded generator (a random 160-bit secret, a time,
# and a code: the current step's, the previous step's, the next step's, or a wrong one, in
# turn; the codes made by liboath), then every side checks every input once (each must accept
# the first three kinds and refuse the fourth, or the run fails), then measures verifications
# per second over the whole mix and over each kind alone:
#   gatehouse  driver.c: gh_totp_verify from build-release's static library (no last step)
#   liboath    driver.c: oath_totp_validate(secret, 20, now, 30, 0, 1, code), same process
#   otplib     otplib-rate.js: totp.checkDelta(code, secret hex), window 1, instance per input
# Rounds alternate driver.c and node; each way's best round is reported.
#
# Target (from the issue): Gatehouse ahead of liboath, judged on the mix; the kinds are reported
# too.  key=value lines on stdout, then '#' lines for humans; progress on stderr.
#
# Environment (all optional):
#   BENCH_INPUTS       inputs, a quarter of each kind                    (default 4000)
#   BENCH_SEED         the generator's seed                               (default 20261128)
#   BENCH_MIN_SECONDS  each measurement repeats its inputs at least this long (default 1)
#   BENCH_ROUNDS       rounds of driver.c then otplib-rate.js             (default 3)
#   BENCH_REQUIRE_TARGETS=1  exit 3 when the target is missed             (default: report only)
#
# Exit status: 0 done, 1 setup failure or a side that misjudges an input, 3 target missed (only
# with BENCH_REQUIRE_TARGETS=1).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

ninputs=${BENCH_INPUTS:-4000}
seed=${BENCH_SEED:-20261128}
min_seconds=${BENCH_MIN_SECONDS:-1}
rounds=${BENCH_ROUNDS:-3}

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}

case "$ninputs" in
'' | *[!0-9]*) die "BENCH_INPUTS must be a whole number, not '$ninputs'" ;;
esac
[ "$ninputs" -ge 4 ] || die "BENCH_INPUTS must be at least 4"
case "$seed" in
'' | *[!0-9]*) die "BENCH_SEED must be a whole number, not '$seed'" ;;
esac
case "$rounds" in
'' | *[!0-9]*) die "BENCH_ROUNDS must be a whole number, not '$rounds'" ;;
esac
[ "$rounds" -ge 1 ] || die "BENCH_ROUNDS must be at least 1"
case "$min_seconds" in
'' | *[!0-9.]*) die "BENCH_MIN_SECONDS must be a number, not '$min_seconds'" ;;
esac

tmp=""
# shellcheck disable=SC2317 # invoked by the traps below
cleanup() {
    status=$?
    trap - EXIT
    trap '' INT TERM HUP # a second Ctrl-C must not leave the temp folder behind
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

"$root/scripts/deps.sh" build bench >&2 # bench: liboath-dev
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    "$root/scripts/deps.sh" test >&2 # the test group brings node and npm
fi
for tool in node npm cc pkg-config meson ninja awk sed sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
pkg-config --exists liboath || die "liboath not found (scripts/deps.sh bench installs liboath-dev)"
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")

# The stamp is a copy of the lock file that node_modules was installed from.
stamp="$here/node_modules/.gatehouse-bench-lock"
if [ ! -d "$here/node_modules" ] || ! cmp -s "$here/package-lock.json" "$stamp"; then
    say "npm ci (installing pinned otplib into bench/totp/node_modules)"
    (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2 ||
        die "npm ci failed"
    cp "$here/package-lock.json" "$stamp"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench-totp.XXXXXX")

# Only the static library is needed.  Another engineer may be rebuilding at the same time: retry
# a few times, then snapshot the library so a later rebuild cannot change it under the benchmark.
build_release() {
    attempt=1
    while :; do
        if { [ -f "$root/build-release/build.ninja" ] ||
            meson setup "$root/build-release" "$root" --buildtype=release -Dtests=false \
                >"$tmp/build.log" 2>&1; } &&
            ninja -C "$root/build-release" lib/libgatehouse.a >"$tmp/build.log" 2>&1 &&
            cp "$root/build-release/lib/libgatehouse.a" "$tmp/libgatehouse.a" 2>>"$tmp/build.log"; then
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
say "building build-release (lib/libgatehouse.a)"
build_release || die "could not build build-release"
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -I"$root/include" $(pkg-config --cflags liboath) \
    -o "$tmp/driver" "$here/driver.c" "$tmp/libgatehouse.a" \
    $(pkg-config --libs libsodium libcrypto sqlite3 libpq jansson liboath) -lzxcvbn \
    -lunistring -lm -lpthread >&2 || die "could not build driver.c"

# ---- inputs ----

say "generating $ninputs inputs (seed $seed)"
"$tmp/driver" gen "$ninputs" "$seed" >"$tmp/inputs.tsv" || die "driver gen failed"
inputs_sha=$(sha256sum "$tmp/inputs.tsv" | cut -d ' ' -f 1)

# ---- measure ----

value() { # value KEY FILE: from key=value lines
    sed -n "s/^$1=//p" "$2" | head -n 1
}

load_before=$(cut -d ' ' -f 1 /proc/loadavg)
round=1
while [ "$round" -le "$rounds" ]; do
    say "round $round of $rounds: gh_totp_verify and oath_totp_validate (5 measurements each, at least $min_seconds s each)"
    "$tmp/driver" run "$tmp/inputs.tsv" "$min_seconds" >"$tmp/c-$round.txt" ||
        die "the driver failed"
    say "gatehouse $(value gatehouse_mixed_rate "$tmp/c-$round.txt") /s, liboath $(value liboath_mixed_rate "$tmp/c-$round.txt") /s (mixed)"
    say "round $round of $rounds: otplib in node (5 measurements, at least $min_seconds s each)"
    NODE_PATH="$here/node_modules" node "$here/otplib-rate.js" "$tmp/inputs.tsv" "$min_seconds" \
        >"$tmp/node-$round.txt" || die "otplib-rate.js failed"
    say "otplib $(value otplib_mixed_rate "$tmp/node-$round.txt") /s (mixed)"
    round=$((round + 1))
done
load_after=$(cut -d ' ' -f 1 /proc/loadavg)

# ---- report ----

# best KEY: the highest value of KEY over the rounds (driver.c's or node's files).
best() {
    n=1
    while [ "$n" -le "$rounds" ]; do
        value "$1" "$tmp/c-$n.txt"
        value "$1" "$tmp/node-$n.txt"
        n=$((n + 1))
    done | sort -g | tail -n 1
}
# spread KEY: every round's value, comma-separated.
spread() {
    n=1
    while [ "$n" -le "$rounds" ]; do
        value "$1" "$tmp/c-$n.txt"
        value "$1" "$tmp/node-$n.txt"
        n=$((n + 1))
    done | awk '{ printf "%s%.0f", (NR > 1 ? "," : ""), $1 } END { print "" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

gh_mixed=$(best gatehouse_mixed_rate)
oath_mixed=$(best liboath_mixed_rate)
js_mixed=$(best otplib_mixed_rate)
ratio_oath=$(ratio "$gh_mixed" "$oath_mixed")
met=$(awk -v a="$gh_mixed" -v b="$oath_mixed" 'BEGIN { print (a > b) ? "yes" : "no" }')

{
    echo "inputs=$ninputs"
    echo "seed=$seed"
    echo "inputs_sha256=$inputs_sha"
    echo "min_seconds=$min_seconds"
    echo "rounds=$rounds"
    echo "cores=$cores"
    echo "load_before=$load_before"
    echo "load_after=$load_after"
    for side in gatehouse liboath otplib; do
        for kind in mixed now prev next wrong; do
            printf '%s_%s_per_s=%.0f\n' "$side" "$kind" "$(best "${side}_${kind}_rate")"
        done
    done
    for kind in mixed now prev next wrong; do
        echo "ratio_vs_liboath_$kind=$(ratio "$(best "gatehouse_${kind}_rate")" "$(best "liboath_${kind}_rate")")"
    done
    for kind in mixed now prev next wrong; do
        echo "ratio_vs_otplib_$kind=$(ratio "$(best "gatehouse_${kind}_rate")" "$(best "otplib_${kind}_rate")")"
    done
    echo "gatehouse_mixed_rounds=$(spread gatehouse_mixed_rate)"
    echo "liboath_mixed_rounds=$(spread liboath_mixed_rate)"
    echo "otplib_mixed_rounds=$(spread otplib_mixed_rate)"
    echo "liboath_version=$(value liboath_version "$tmp/c-1.txt")"
    echo "libsodium_version=$(value libsodium_version "$tmp/c-1.txt")"
    echo "otplib_version=$(value otplib_version "$tmp/node-1.txt")"
    echo "node_version=$(value node_version "$tmp/node-1.txt")"
    echo "target=gatehouse_mixed_per_s > liboath_mixed_per_s"
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
echo "# target $verdict: gh_totp_verify checks ${ratio_oath}x as many codes per second as liboath's oath_totp_validate on the mix (target: ahead, > 1x); otplib: $(ratio "$gh_mixed" "$js_mixed")x"
echo "# inputs: $ninputs (a quarter each: the current step's code, the previous step's, the next step's, a wrong one), SHA-1, 6 digits, 30 s, window +-1; every side judged every input right"
echo "#"
printf '# %-12s %14s %14s %14s %9s %9s\n' "codes" "gatehouse /s" "liboath /s" "otplib /s" "vs oath" "vs otplib"
for kind in mixed now prev next wrong; do
    printf '# %-12s %14s %14s %14s %8sx %8sx\n' "$kind" "$(r "gatehouse_${kind}_per_s")" \
        "$(r "liboath_${kind}_per_s")" "$(r "otplib_${kind}_per_s")" \
        "$(r "ratio_vs_liboath_$kind")" "$(r "ratio_vs_otplib_$kind")"
done
echo "# per verification: gatehouse $(per_us "$gh_mixed") us, liboath $(per_us "$oath_mixed") us, otplib $(per_us "$js_mixed") us (mixed; best of $rounds rounds of ${min_seconds} s)"
echo "# gh_totp_verify always computes and compares all three steps (constant time); liboath and otplib stop at the first match, trying now's step first: their 'now' row is their best case and 'wrong' (what an attacker sends) their worst"
echo "# per-round mixed rates: gatehouse $(r gatehouse_mixed_rounds); liboath $(r liboath_mixed_rounds); otplib $(r otplib_mixed_rounds)"
echo "# machine: $cores cores shared with everything else (load $load_before before, $load_after after); one thread per side; liboath $(r liboath_version), otplib $(r otplib_version) on node $(r node_version)"

if [ "$met" = no ] && [ "${BENCH_REQUIRE_TARGETS:-0}" = 1 ]; then
    exit 3
fi
exit 0
