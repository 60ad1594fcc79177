#!/bin/sh
# tests/compat/install.sh -- installs the pinned npm packages (package.json + package-lock.json)
# into tests/compat/node_modules with `npm ci` when node_modules is missing or the lock file
# changed.  scripts/test.sh runs it before the unit suites (the TOTP interop test reads otplib
# from there) and tests/compat/run.sh before the compatibility suite.  npm's output goes to
# stderr; the exit status is non-zero when the packages could not be installed.
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo 'compat: node and npm are required' >&2
    exit 1
fi

# The stamp is a copy of the lock file that node_modules was installed from.
stamp="$here/node_modules/.gatehouse-compat-lock"
if [ ! -d "$here/node_modules" ] || ! cmp -s "$here/package-lock.json" "$stamp"; then
    echo "compat: npm ci (installing pinned packages into tests/compat/node_modules)" >&2
    if ! (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2; then
        echo 'compat: npm ci failed' >&2
        exit 1
    fi
    cp "$here/package-lock.json" "$stamp"
fi
