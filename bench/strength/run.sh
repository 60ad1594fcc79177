#!/bin/sh
# run.sh -- passphrase strength estimation: Gatehouse's gh_passphrase_check vs Dropbox's zxcvbn
# (npm, pinned), on the same fixed corpus, in the same run.
#
# Generates a corpus of candidate passphrases (corpus.js: a seeded PRNG, so the same size and
# seed always give the same bytes: common passwords, words with digits, names and dates, l33t,
# keyboard walks, repeats, passphrases of 2 to 6 words, random strings, Cyrillic, CJK, emoji,
# accented Latin), builds driver.c against build-release's static library, and measures:
#   gatehouse  gh_passphrase_check (default policy, no context) per second
#   zxcvbn     zxcvbn(candidate, ["gatehouse", "twilio"]) per second, in node
# then prints both rates, their ratio (target: gatehouse >= 10 x zxcvbn) and the score
# agreement: the fraction of candidates that both estimates put in the same zxcvbn score
# bucket (0-4, from guesses < 10^3, 10^6, 10^8, 10^10).  key=value lines on stdout, then '#'
# lines for humans; progress on stderr.
#
# Environment (all optional):
#   BENCH_CORPUS       candidates in the corpus                      (default 20000)
#   BENCH_SEED         the generator's seed                          (default 20261128)
#   BENCH_MIN_SECONDS  each side repeats the corpus at least this long (default 3)
#   BENCH_REQUIRE_TARGETS=1  exit 3 when the rate target is missed  (default: report only)
#
# Exit status: 0 done, 1 setup failure, 3 target missed (only with BENCH_REQUIRE_TARGETS=1).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

corpus_size=${BENCH_CORPUS:-20000}
seed=${BENCH_SEED:-20261128}
min_seconds=${BENCH_MIN_SECONDS:-3}
target=10

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}

case "$corpus_size" in
'' | *[!0-9]*) die "BENCH_CORPUS must be a number, not '$corpus_size'" ;;
esac
case "$seed" in
'' | *[!0-9]*) die "BENCH_SEED must be a number, not '$seed'" ;;
esac

tmp=""
# shellcheck disable=SC2317 # invoked by the traps below
cleanup() {
    status=$?
    trap - EXIT
    [ -n "$tmp" ] && rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- dependencies and build ----

"$root/scripts/deps.sh" build >&2
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    "$root/scripts/deps.sh" test >&2 # the test group brings node and npm
fi
for tool in node npm cc sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done

# The stamp is a copy of the lock file that node_modules was installed from.
stamp="$here/node_modules/.gatehouse-bench-lock"
if [ ! -d "$here/node_modules" ] || ! cmp -s "$here/package-lock.json" "$stamp"; then
    say "npm ci (installing pinned zxcvbn into bench/strength/node_modules)"
    (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2 ||
        die "npm ci failed"
    cp "$here/package-lock.json" "$stamp"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench-strength.XXXXXX")

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
cc -O2 -std=c11 -D_GNU_SOURCE -I"$root/include" -o "$tmp/driver" "$here/driver.c" \
    "$tmp/libgatehouse.a" $(pkg-config --libs libsodium libcrypto sqlite3 libpq) \
    -lzxcvbn -lunistring -lm -lpthread >&2 || die "could not build driver.c"

# ---- corpus ----

say "generating the corpus ($corpus_size candidates, seed $seed)"
node "$here/corpus.js" "$corpus_size" "$seed" >"$tmp/corpus.tsv" || die "corpus.js failed"
corpus_sha=$(sha256sum "$tmp/corpus.tsv" | cut -d' ' -f1)

# ---- measure ----

value() { # value KEY FILE
    sed -n "s/^$1=//p" "$2"
}

say "measuring gh_passphrase_check (at least $min_seconds s)"
"$tmp/driver" "$tmp/corpus.tsv" "$tmp/gatehouse.out" "$min_seconds" >"$tmp/gatehouse.txt" ||
    die "the driver failed"
say "measuring zxcvbn (npm) (at least $min_seconds s)"
NODE_PATH="$here/node_modules" node "$here/zxcvbn-rate.js" "$tmp/corpus.tsv" "$tmp/zxcvbn.out" \
    "$min_seconds" >"$tmp/zxcvbn.txt" || die "zxcvbn-rate.js failed"
node "$here/compare.js" "$tmp/corpus.tsv" "$tmp/gatehouse.out" "$tmp/zxcvbn.out" \
    >"$tmp/compare.txt" || die "compare.js failed"

gh_rate=$(value rate "$tmp/gatehouse.txt")
js_rate=$(value rate "$tmp/zxcvbn.txt")
ratio=$(awk -v a="$gh_rate" -v b="$js_rate" 'BEGIN { printf "%.1f", a / b }')
met=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r >= t) ? "yes" : "no" }')

cat <<EOF
corpus=$corpus_size
seed=$seed
corpus_sha256=$corpus_sha
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
gatehouse_rate=$gh_rate
gatehouse_checks=$(value checks "$tmp/gatehouse.txt")
gatehouse_seconds=$(value seconds "$tmp/gatehouse.txt")
zxcvbn_rate=$js_rate
zxcvbn_checks=$(value checks "$tmp/zxcvbn.txt")
zxcvbn_seconds=$(value seconds "$tmp/zxcvbn.txt")
zxcvbn_version=$(value version "$tmp/zxcvbn.txt")
node_version=$(node --version)
rate_ratio=$ratio
target_ratio=$target
targets_met=$met
EOF
grep -v '^#' "$tmp/compare.txt"
if [ "$met" = yes ]; then
    echo "# target HOLDS: gh_passphrase_check runs ${ratio}x zxcvbn's rate (target >= ${target}x)"
else
    echo "# target MISSED: gh_passphrase_check runs ${ratio}x zxcvbn's rate (target >= ${target}x)"
fi
grep '^#' "$tmp/compare.txt"

if [ "$met" = no ] && [ "${BENCH_REQUIRE_TARGETS:-0}" = 1 ]; then
    exit 3
fi
exit 0
