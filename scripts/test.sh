#!/bin/sh
# test.sh -- builds and runs every test suite, then prints one line: "N passed, N failed".
#
# Suites (each prints TAP; every "ok"/"not ok" line is one test case):
# A throwaway PostgreSQL cluster (scripts/pg.sh, as a non-root user, on a unix socket in a
# temporary folder) serves the PostgreSQL runs and is removed at the end.
#
#   unit          cmocka unit tests, the store contract on SQLite and on PostgreSQL (build/)
#   unit-asan     the same, under ASan + UBSan           (build-asan/)
#   unit-valgrind the same, under valgrind memcheck      (build/)
#   api           the real server on an ephemeral port   (tests/api/run.js)
#   api-asan      the same, against the ASan + UBSan server (leaks fail its clean exit)
#   api-pg        the same, every server on its own PostgreSQL database
#   compat        the official twilio npm package        (tests/compat/run.sh)
#   fuzz          libFuzzer on every network parser, 10 s each over its corpus (scripts/fuzz.sh)
#   check         clang-format, banned calls, cppcheck   (scripts/check.sh)
# Exits non-zero when any test fails or any suite cannot run.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
logs="$root/build/test-logs"

build() {
    dir=$1
    shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@" >/dev/null || return 1
    fi
    ninja -C "$dir" >/dev/null
}

echo "test: building (build/, build-asan/)"
build build --buildtype=debug -Dwerror=true || { echo "test: build failed"; echo "0 passed, 1 failed"; exit 1; }
build build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true ||
    { echo "test: sanitizer build failed"; echo "0 passed, 1 failed"; exit 1; }
rm -rf "$logs"
mkdir -p "$logs"

# The PostgreSQL cluster lives under /tmp: its server runs as a non-root user that must reach it.
pgdir=$(mktemp -d /tmp/gatehouse-pg.XXXXXX)
chmod 755 "$pgdir"
trap 'scripts/pg.sh stop "$pgdir/cluster" >/dev/null 2>&1; rm -rf "$pgdir"' EXIT INT TERM
if ! GATEHOUSE_TEST_PG_URL=$(scripts/pg.sh start "$pgdir/cluster" 2>"$logs/pg-start.err"); then
    echo "test: cannot start PostgreSQL:"
    sed 's/^/    /' "$logs/pg-start.err"
    echo "0 passed, 1 failed"
    exit 1
fi
export GATEHOUSE_TEST_PG_URL
echo "test: PostgreSQL cluster up in $pgdir/cluster"

# run_suite NAME COMMAND...: runs a suite, keeps its TAP in $logs/NAME.tap, prints its counts.
run_suite() {
    name=$1
    shift
    "$@" >"$logs/$name.tap" 2>"$logs/$name.err"
    status=$?
    # A skipped case ("ok N - name # SKIP why") is not a pass.
    p=$(grep '^ok ' "$logs/$name.tap" | grep -vc '# SKIP')
    s=$(grep '^ok ' "$logs/$name.tap" | grep -c '# SKIP')
    f=$(grep -c '^not ok ' "$logs/$name.tap")
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # the suite itself failed (crash, sanitizer report, setup error)
        echo "not ok - suite $name exited with status $status" >>"$logs/$name.tap"
    fi
    printf 'test: %-14s %4d passed, %d failed%s\n' "$name" "$p" "$f" \
        "$([ "$s" -eq 0 ] || echo ", $s skipped")"
    if [ "$f" -ne 0 ]; then
        grep -A12 '^not ok ' "$logs/$name.tap" | head -60 | sed 's/^/    /'
        tail -20 "$logs/$name.err" | sed 's/^/    stderr: /'
    fi
    echo "$p $f" >>"$logs/counts"
}

unit_tests() {
    dir=$1
    shift
    rc=0
    for t in "$dir"/tests/unit/*_test; do
        [ -x "$t" ] || continue
        echo "# $(basename "$t")"
        CMOCKA_MESSAGE_OUTPUT=TAP "$@" "$t" || rc=1
    done
    return $rc
}

# The pinned npm packages first: the unit suites' TOTP interop test reads otplib from them.
if ! sh tests/compat/install.sh 2>"$logs/npm.err"; then
    echo "test: npm packages not installed (see $logs/npm.err); compat will fail"
fi
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
run_suite unit unit_tests build
run_suite unit-asan unit_tests build-asan
run_suite unit-valgrind unit_tests build valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect
export GATEHOUSE_BIN="$root/build/cli/gatehouse"
run_suite api node tests/api/run.js
export GATEHOUSE_BIN="$root/build-asan/cli/gatehouse"
run_suite api-asan node tests/api/run.js
export GATEHOUSE_BIN="$root/build/cli/gatehouse"
GATEHOUSE_TEST_PG_DIR="$pgdir/cluster"
export GATEHOUSE_TEST_PG_DIR
run_suite api-pg node tests/api/run.js
unset GATEHOUSE_TEST_PG_DIR
run_suite compat tests/compat/run.sh
run_suite fuzz scripts/fuzz.sh
run_suite check scripts/check.sh

awk '{p += $1; f += $2} END {printf "%d passed, %d failed\n", p, f; exit (f > 0)}' "$logs/counts"
