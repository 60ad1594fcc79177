#!/bin/sh
# run.sh -- the breached-passphrase index at scale: builds an index of BENCH_ENTRIES (10^8)
# generated Pwned Passwords entries with `gatehouse breach import`, then measures it.
#
#   build    gen.c writes BENCH_ENTRIES lines "<40 hex>:<count>" (seeded, deterministic, every
#            key distinct) into a pipe; `gatehouse breach import --json -` reads them, under
#            peakrss.c (fork + wait4: the import's own wall time, CPU time and peak RSS, as
#            GNU time -v would report them).  The CLI's JSON gives the index size, bytes per
#            entry, shards, the library's own working-set figure and its false-positive rate
#            over 10^6 random probes.
#   lookups  lookup.c opens the index (gh_breach_open) and recomputes the corpus in process to
#            know the hits: a cold pass (the file dropped from the page cache first), a warm-up,
#            then gh_breach_contains_sha1 latency for hits and misses, one call at a time and
#            in batches of 16; gh_breach_contains (SHA-1 + NFKC + lookup) on generated
#            passphrases; and the false-positive rate over BENCH_FP_PROBES misses.
#
# key=value lines on stdout, then '#' lines for humans; progress on stderr.
#
# Targets (from the issue): false-positive rate <= 1e-4 (both measurements), <= 2.5 bytes per
# entry, and hit and miss p99 <= 2000 ns (warm, one lookup at a time).
#
# Environment (all optional):
#   BENCH_ENTRIES     lines generated = entries in the index         (default 100000000)
#   BENCH_SEED        the generator's seed                           (default 20261128)
#   BENCH_LOOKUPS     timed lookups of each kind                     (default 1000000)
#   BENCH_FP_PROBES   misses probed for the false-positive rate      (default 10000000)
#   BENCH_TMP         folder for the temp folder (the index, ~2.3 bytes per entry, and the
#                     import's spill file, 8 bytes per entry)        (default $TMPDIR or /tmp)
#   BENCH_REQUIRE_TARGETS=1  exit 3 when a target is missed          (default: report only)
#
# Exit status: 0 done, 1 setup or measurement failure, 3 target missed (only with
# BENCH_REQUIRE_TARGETS=1).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

entries=${BENCH_ENTRIES:-100000000}
seed=${BENCH_SEED:-20261128}
lookups=${BENCH_LOOKUPS:-1000000}
fp_probes=${BENCH_FP_PROBES:-10000000}
target_fp=0.0001
target_bpe=2.5
target_p99=2000

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}

for pair in "BENCH_ENTRIES:$entries" "BENCH_SEED:$seed" "BENCH_LOOKUPS:$lookups" \
    "BENCH_FP_PROBES:$fp_probes"; do
    case "${pair#*:}" in
    '' | *[!0-9]*) die "${pair%%:*} must be a whole number, not '${pair#*:}'" ;;
    esac
done
[ "$entries" -gt 0 ] || die "BENCH_ENTRIES must be at least 1"
[ "$lookups" -ge 16 ] || die "BENCH_LOOKUPS must be at least 16"
[ "$fp_probes" -gt 0 ] || die "BENCH_FP_PROBES must be at least 1"

tmp=""
gen_pid=""
imp_pid=""

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
    # The two peakrss wrappers pass SIGTERM on to gen and the import.
    for pid in $imp_pid $gen_pid; do
        kill "$pid" 2>/dev/null || true
    done
    n=0
    for pid in $imp_pid $gen_pid; do
        while running "$pid" && [ "$n" -lt 100 ]; do
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

# ---- dependencies, space and build ----

"$root/scripts/deps.sh" build >&2
for tool in cc pkg-config meson ninja awk sed df mkfifo; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
case "$cores" in "" | *[!0-9]*) cores="?" ;; esac
mem_mib=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)

base=${BENCH_TMP:-${TMPDIR:-/tmp}}
[ -d "$base" ] || die "BENCH_TMP: no folder $base"
tmp=$(mktemp -d "$base/gatehouse-bench-breach.XXXXXX")

# The spill file (8 bytes per line) and the index being written (~2.3) exist at the same time.
need_kib=$(awk -v n="$entries" 'BEGIN { printf "%.0f", (n * 11 + 256 * 1048576) / 1024 }')
free_kib=$(df -Pk "$tmp" | awk 'NR == 2 { print $4 }')
[ "$free_kib" -ge "$need_kib" ] ||
    die "$tmp has $((free_kib / 1024)) MiB free; the run needs about $((need_kib / 1024)) MiB (BENCH_TMP)"

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
say "building build-release (lib/libgatehouse.a)"
build_target lib/libgatehouse.a || die "could not build build-release's lib/libgatehouse.a"
say "building build-release (cli/gatehouse)"
build_target cli/gatehouse || die "could not build build-release's cli/gatehouse"

cflags="-O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra"
# shellcheck disable=SC2086 # cflags holds several words on purpose
cc $cflags -o "$tmp/gen" "$here/gen.c" >&2 || die "could not build gen.c"
# shellcheck disable=SC2086
cc $cflags -o "$tmp/peakrss" "$here/peakrss.c" >&2 || die "could not build peakrss.c"
for prog in lookup; do
    # shellcheck disable=SC2046,SC2086 # pkg-config prints several words on purpose
    cc $cflags -I"$root/include" -o "$tmp/$prog" "$here/$prog.c" "$tmp/libgatehouse.a" \
        $(pkg-config --libs libsodium libcrypto sqlite3 libpq) -lzxcvbn -lunistring -lm \
        -lpthread >&2 || die "could not build $prog.c"
done

# ---- build the index ----

value() { # value KEY FILE: from key=value lines
    sed -n "s/^$1=//p" "$2" | head -n 1
}
json_value() { # json_value KEY FILE: a number from a one-level JSON object
    # shellcheck disable=SC2020 # each of , { } becomes a newline
    tr ',{}' '\n\n\n' <"$2" | sed -n "s/^[[:space:]]*\"$1\"[[:space:]]*:[[:space:]]*//p" |
        head -n 1
}

index="$tmp/breach.idx"
mkfifo "$tmp/lines"
load_before=$(cut -d ' ' -f 1 /proc/loadavg)
say "importing $entries generated lines (seed $seed) with gatehouse breach import into $index"
"$tmp/peakrss" "$tmp/gen.stat" "$tmp/gen" "$entries" "$seed" >"$tmp/lines" &
gen_pid=$!
# --data: a folder without a gatehouse.conf, so no one's configuration changes the run.
env -u GATEHOUSE_CONFIG "$tmp/peakrss" "$tmp/import.stat" "$tmp/gatehouse" breach import \
    --data "$tmp" --output "$index" --tmp "$tmp" --json - <"$tmp/lines" >"$tmp/import.json" &
imp_pid=$!
if wait "$imp_pid"; then imp_status=0; else imp_status=$?; fi
imp_pid=""
if wait "$gen_pid"; then gen_status=0; else gen_status=$?; fi
gen_pid=""
[ "$imp_status" = 0 ] || die "the import failed (exit $imp_status)"
[ "$gen_status" = 0 ] || die "the generator failed (exit $gen_status)"
load_import=$(cut -d ' ' -f 1 /proc/loadavg)

for key in lines records entries; do
    got=$(json_value "$key" "$tmp/import.json")
    [ "$got" = "$entries" ] || die "the import reports $key=$got, expected $entries"
done
[ "$(json_value bad "$tmp/import.json")" = 0 ] || die "the import found bad lines"

build_seconds=$(value wall_seconds "$tmp/import.stat")
build_cpu=$(awk -v u="$(value user_seconds "$tmp/import.stat")" \
    -v s="$(value sys_seconds "$tmp/import.stat")" 'BEGIN { printf "%.2f", u + s }')
gen_cpu=$(awk -v u="$(value user_seconds "$tmp/gen.stat")" \
    -v s="$(value sys_seconds "$tmp/gen.stat")" 'BEGIN { printf "%.2f", u + s }')
peak_rss_kib=$(value peak_rss_kib "$tmp/import.stat")
index_bytes=$(json_value bytes "$tmp/import.json")
bpe=$(json_value bytes_per_entry "$tmp/import.json")
fp_import=$(json_value fp_rate "$tmp/import.json")

# ---- lookups ----

say "measuring lookups ($lookups of each kind, $fp_probes false-positive probes)"
"$tmp/lookup" "$index" "$entries" "$seed" "$lookups" "$fp_probes" >"$tmp/lookup.txt" ||
    die "the lookup driver failed"
load_after=$(cut -d ' ' -f 1 /proc/loadavg)
fp_bench=$(value fp_rate_bench "$tmp/lookup.txt")
hit_p99=$(value hit_p99_ns "$tmp/lookup.txt")
miss_p99=$(value miss_p99_ns "$tmp/lookup.txt")

verdict() { # verdict VALUE LIMIT: yes when VALUE <= LIMIT
    awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 <= t + 0) ? "yes" : "no" }'
}
fp_ok=$(verdict "$fp_import" "$target_fp")
[ "$(verdict "$fp_bench" "$target_fp")" = yes ] || fp_ok=no
bpe_ok=$(verdict "$bpe" "$target_bpe")
p99_ok=$(verdict "$hit_p99" "$target_p99")
[ "$(verdict "$miss_p99" "$target_p99")" = yes ] || p99_ok=no
met=yes
for ok in $fp_ok $bpe_ok $p99_ok; do
    [ "$ok" = yes ] || met=no
done

# ---- report ----

{
    echo "entries=$entries"
    echo "seed=$seed"
    echo "cores=$cores"
    echo "mem_total_mib=$mem_mib"
    echo "load_before=$load_before"
    echo "load_after_import=$load_import"
    echo "load_after=$load_after"
    echo "build_seconds=$build_seconds"
    awk -v n="$entries" -v s="$build_seconds" 'BEGIN { printf "build_lines_per_s=%.0f\n", n / s }'
    echo "build_cpu_seconds=$build_cpu"
    echo "build_seconds_self=$(json_value seconds "$tmp/import.json")"
    echo "gen_cpu_seconds=$gen_cpu"
    awk -v k="$peak_rss_kib" 'BEGIN { printf "peak_rss_mib=%.1f\n", k / 1024 }'
    awk -v b="$(json_value peak_memory "$tmp/import.json")" \
        'BEGIN { printf "peak_memory_lib_mib=%.1f\n", b / 1048576 }'
    awk -v k="$(value peak_anon_kib "$tmp/import.stat")" \
        'BEGIN { printf "peak_rss_anon_mib=%.1f\n", k / 1024 }'
    awk -v k="$(value peak_file_kib "$tmp/import.stat")" \
        'BEGIN { printf "peak_rss_file_mib=%.1f\n", k / 1024 }'
    echo "build_major_faults=$(value major_faults "$tmp/import.stat")"
    echo "index_bytes=$index_bytes"
    awk -v b="$index_bytes" 'BEGIN { printf "index_mib=%.1f\n", b / 1048576 }'
    echo "bytes_per_entry=$bpe"
    echo "shards=$(json_value shards "$tmp/import.json")"
    echo "fp_probes_import=$(json_value probes "$tmp/import.json")"
    echo "fp_hits_import=$(json_value fp_hits "$tmp/import.json")"
    echo "fp_rate_import=$fp_import"
    grep -v '^index_' "$tmp/lookup.txt"
    echo "target_fp_rate=$target_fp"
    echo "target_bytes_per_entry=$target_bpe"
    echo "target_p99_ns=$target_p99"
    echo "targets_met=$met"
} >"$tmp/result.txt"
cat "$tmp/result.txt"

r() { value "$1" "$tmp/result.txt"; }
holds() { [ "$1" = yes ] && echo HOLDS || echo MISSED; }
awk -v n="$entries" -v s="$build_seconds" -v cpu="$build_cpu" \
    -v gcpu="$gen_cpu" 'BEGIN {
    printf "# build (gatehouse breach import): %d lines in %.1f s = %.2f M lines/s (%.1f s CPU; the generator, in the same pipe, %.1f s CPU)\n",
        n, s, n / s / 1e6, cpu, gcpu
}'
echo "# build memory: peak RSS $(r peak_rss_mib) MiB (ru_maxrss); sampled peaks: $(r peak_rss_anon_mib) MiB private (heap), $(r peak_rss_file_mib) MiB file-backed (the program's code and, at scale, mostly the finished index, mapped to measure its false-positive rate); the library's own count: $(r peak_memory_lib_mib) MiB of working set"
echo "# index: $index_bytes bytes ($(r index_mib) MiB) in $(r shards) shard(s) = $bpe bytes per entry: target <= $target_bpe $(holds "$bpe_ok")"
echo "# false positives: import $(r fp_hits_import) of $(r fp_probes_import) = $fp_import; bench $(r fp_hits_bench) of $(r fp_probes_bench) = $fp_bench (95% $(r fp_rate_bench_ci95_low)..$(r fp_rate_bench_ci95_high)); 2^-16 = 1.53e-05 expected: target <= $target_fp $(holds "$fp_ok")"
echo "# lookups, warm, one at a time (clock_gettime around each call, ~$(r timer_overhead_ns) ns of it included): hit p50 $(r hit_p50_ns) / p99 $hit_p99 / mean $(r hit_mean_ns) ns; miss p50 $(r miss_p50_ns) / p99 $miss_p99 / mean $(r miss_mean_ns) ns: target p99 <= $target_p99 ns $(holds "$p99_ok")"
echo "# lookups, warm, batches of 16 (time / 16): hit p50 $(r hit_batch16_p50_ns) / p99 $(r hit_batch16_p99_ns) ns ($(r hit_batch16_lookups_per_s) /s); miss p50 $(r miss_batch16_p50_ns) / p99 $(r miss_batch16_p99_ns) ns ($(r miss_batch16_lookups_per_s) /s)"
echo "# lookups, cold (index dropped from the page cache, $(r cold_resident_pct)% resident; $(r cold_major_faults) major faults): hit p50 $(r cold_hit_p50_ns) / p99 $(r cold_hit_p99_ns) / p99.9 $(r cold_hit_p999_ns) / mean $(r cold_hit_mean_ns) ns"
echo "# gh_breach_contains (SHA-1 + NFKC + lookup), misses: ASCII p50 $(r passphrase_p50_ns) / p99 $(r passphrase_p99_ns) ns; full-width (NFKC differs: two SHA-1s and lookups) p50 $(r passphrase_nfkc_p50_ns) / p99 $(r passphrase_nfkc_p99_ns) ns; its parts alone: gh_breach_sha1 p50 $(r sha1_p50_ns) ns, gh_passphrase_normalize p50 $(r normalize_p50_ns) ns (found: $(r passphrase_found) and $(r passphrase_nfkc_found); any found is a false positive)"
echo "# machine: $cores cores shared with whatever else runs (load $load_before before, $load_import after the import, $load_after at the end); the index ($(r index_mib) MiB) fits in RAM ($mem_mib MiB), so warm lookups read the page cache"
if [ "$met" = yes ]; then
    echo "# targets HOLD"
else
    echo "# targets MISSED"
fi

if [ "$met" = no ] && [ "${BENCH_REQUIRE_TARGETS:-0}" = 1 ]; then
    exit 3
fi
exit 0
