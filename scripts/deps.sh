#!/bin/sh
# deps.sh -- install the Debian packages Gatehouse needs, and only those missing.
#
# Idempotent: a second run installs nothing and prints nothing but a summary line.
# Groups: build (always), test (make test), bench (bench/ scripts), fuzz (scripts/fuzz.sh).
# john-data (test) ships a real common-password list that the breach index tests import.
# Usage: scripts/deps.sh [build] [test] [bench] [fuzz]
set -eu

build_pkgs="gcc pkg-config meson ninja-build libsodium-dev libssl-dev libmicrohttpd-dev
libjansson-dev libsqlite3-dev libpq-dev libzxcvbn-dev libunistring-dev diceware libqrencode-dev"
test_pkgs="libcmocka-dev valgrind sqlite3 clang-format cppcheck postgresql john-data oathtool qrencode"
bench_pkgs="wrk nginx-light curl liboath-dev"
# clang 14; libclang-rt-14-dev holds its libFuzzer, ASan and UBSan runtimes (only a Recommends of
# clang's packages, which deps.sh does not install); llvm-14 has llvm-symbolizer, for stack traces.
fuzz_pkgs="clang libclang-rt-14-dev llvm-14"

want=""
for group in "${@:-build}"; do
    case "$group" in
    build) want="$want $build_pkgs" ;;
    test) want="$want $build_pkgs $test_pkgs" ;;
    bench) want="$want $build_pkgs $bench_pkgs" ;;
    fuzz) want="$want $build_pkgs $fuzz_pkgs" ;;
    *) echo "deps.sh: unknown group '$group' (build, test, bench, fuzz)" >&2; exit 2 ;;
    esac
done

missing=""
for p in $want; do
    case " $missing " in *" $p "*) continue ;; esac
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
# Node.js runs the API and compat tests; Debian's nodejs/npm only when no node is present.
case " $* " in
*" test "*)
    command -v node >/dev/null 2>&1 || missing="$missing nodejs"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
    ;;
esac

if [ -z "$missing" ]; then
    echo "deps: all packages present"
    exit 0
fi

echo "deps: installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "deps: need root to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: installed:$missing"
