#!/bin/sh
# fuzz.sh -- the libFuzzer targets of tests/fuzz/, each run for a bounded time over its committed
# seed corpus (STYLE.md section 8).  Prints TAP, one case per target:
#   ok N - fuzz <target> (<execs> runs)
#   not ok N - fuzz <target> (<execs> runs)    then the report as "# " lines
# and the plan at the end; exits non-zero when any target fails.
#
# Installs what it needs (scripts/deps.sh build fuzz), configures build-fuzz/ once (clang,
# -Dfuzz=true, ASan + UBSan), builds only the fuzz programs.  New inputs go to a temporary
# folder, so the committed corpus is never modified; a crashing input is kept in
# build-fuzz/crashes/ and the full output in build-fuzz/fuzz-logs/<target>.log.
#
# Usage: scripts/fuzz.sh [TARGET...]
#   FUZZ_SECONDS  time per target (default 10; 0 replays the corpus only)
#   FUZZ_RUNS     at most this many inputs per target (default 20000000)
#   FUZZ_JOBS     targets run at once (default: the number of CPUs)
#
# Reproduce a failure: build-fuzz/tests/fuzz/fuzz_<target> build-fuzz/crashes/<file>
set -u
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)
build="$root/build-fuzz"
all_targets="form basic_auth policy keyring_text utf8 page_token sid breach_index access_token webhook"
seconds=${FUZZ_SECONDS:-10}
runs=${FUZZ_RUNS:-20000000}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

targets=${*:-$all_targets}
for t in $targets; do
    case " $all_targets " in
    *" $t "*) ;;
    *) echo "fuzz.sh: unknown target '$t' ($all_targets)" >&2; exit 2 ;;
    esac
done

n=0
failed=0
# result STATUS DESCRIPTION: one TAP line (STATUS 0 is ok).
result() {
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        failed=1
    fi
}
bail() {
    result 1 "$1"
    [ -z "${2:-}" ] || tail -20 "$2" | sed 's/^/# /'
    echo "1..$n"
    exit 1
}

# ---- dependencies, configuration, build ----

scripts/deps.sh build fuzz >&2 || bail "fuzz: install dependencies (scripts/deps.sh build fuzz)"
if [ ! -f "$build/build.ninja" ]; then
    setup_log="${TMPDIR:-/tmp}/gatehouse-fuzz-setup.$$.log"
    CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dtests=false >"$setup_log" 2>&1 || bail "fuzz: configure build-fuzz/" "$setup_log"
    rm -f "$setup_log"
fi
logs="$build/fuzz-logs"
crashes="$build/crashes"
mkdir -p "$logs" "$crashes"
programs=""
for t in $targets; do
    programs="$programs tests/fuzz/fuzz_$t"
done
# shellcheck disable=SC2086
ninja -C "$build" $programs >"$logs/build.log" 2>&1 ||
    bail "fuzz: build the fuzz programs (an old build-fuzz/ without -Dfuzz=true? remove it)" \
        "$logs/build.log"

# Sanitizers stop at the first error; libFuzzer then saves the input.
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:symbolize=1
UBSAN_OPTIONS=halt_on_error=1:abort_on_error=0:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS
if ! command -v llvm-symbolizer >/dev/null 2>&1 && [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
    ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
    export ASAN_SYMBOLIZER_PATH
fi

# report LOG: the lines of a failure worth reading, as TAP diagnostics.
report() {
    grep -E 'invariant failed|ERROR: |WARNING: |runtime error|SUMMARY|#[0-9]+ 0x[0-9a-f]+ in |Test unit written|Slowest unit|Timeout|out-of-memory' "$1" |
        grep -vE ' in (fuzzer::|__sanitizer_|__asan::|__ubsan::|__interceptor_|abort |raise |__pthread_kill|__libc_start|_start )' |
        head -40 | sed 's/^/# /'
}

# hexdump FILE: the first 256 bytes as hex, as TAP diagnostics.
hexdump() {
    {
        head -c 256 "$1" | od -An -v -tx1 | tr -d ' \n' | fold -w 64
        echo
    } | sed 's/^/#   /'
}

# ---- the bounded run ----

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-fuzz.XXXXXX")
pids=""
# An interrupted run stops the runners; each fuzzer ends by itself within FUZZ_SECONDS.
# shellcheck disable=SC2317 # (run by the trap)
cleanup() {
    for pid in $pids; do
        kill "$pid" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$seconds" -gt 0 ]; then
    limits="-max_total_time=$seconds -runs=$runs"
else
    limits="-runs=0" # replay the corpus only
fi

# run_target T: fuzzes T into a fresh output corpus (first folder), reading the committed one.
run_target() {
    mkdir -p "$tmp/$1"
    # shellcheck disable=SC2086
    "$build/tests/fuzz/fuzz_$1" $limits -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$crashes/$1-" "$tmp/$1" "tests/fuzz/corpus/$1" >"$logs/$1.log" 2>&1
    echo $? >"$tmp/$1.rc"
}

start=$(date +%s)
echo "# fuzz: $(echo "$targets" | wc -w) targets, ${seconds}s each, $jobs at once" >&2
running=0
for t in $targets; do
    if [ "$running" -ge "$jobs" ]; then
        first=${pids%% *}
        wait "$first"
        pids=${pids#"$first"}
        pids=${pids# }
        running=$((running - 1))
    fi
    run_target "$t" &
    pids="$pids${pids:+ }$!"
    running=$((running + 1))
done
wait
pids=""

for t in $targets; do
    log="$logs/$t.log"
    rc=$(cat "$tmp/$t.rc" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
    [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -1)
    [ -n "$execs" ] || execs="?"
    if [ "$rc" -eq 0 ]; then
        result 0 "fuzz $t ($execs runs)"
        continue
    fi
    result 1 "fuzz $t ($execs runs)"
    echo "# exit status $rc; full output: build-fuzz/fuzz-logs/$t.log"
    report "$log"
    unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    if [ -n "$unit" ] && [ -f "$unit" ]; then
        echo "# input ($(wc -c <"$unit") bytes, first 256 as hex), saved as ${unit#"$root"/}:"
        hexdump "$unit"
        echo "# reproduce: build-fuzz/tests/fuzz/fuzz_$t ${unit#"$root"/}"
    fi
done
echo "# fuzz: $(($(date +%s) - start))s" >&2
echo "1..$n"
exit $failed
