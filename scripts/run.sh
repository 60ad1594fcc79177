#!/bin/sh
# run.sh -- build (release), initialise ./var on first run, then serve on 127.0.0.1:8088.
# Environment: GATEHOUSE_DATA (default ./var), GATEHOUSE_LISTEN (default 127.0.0.1:8088).
set -eu
cd "$(dirname "$0")/.."
build=build-release
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" --buildtype=release -Dtests=false >/dev/null
fi
ninja -C "$build" >/dev/null
bin="$build/cli/gatehouse"
data="${GATEHOUSE_DATA:-./var}"
if [ ! -f "$data/gatehouse.db" ]; then
    "$bin" init --data "$data"
    echo
fi
exec "$bin" serve --data "$data" --listen "${GATEHOUSE_LISTEN:-127.0.0.1:8088}"
