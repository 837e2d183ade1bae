#!/usr/bin/env bash
# Incremental builds at a million: the catalog `benches/link_1m.sh` writes (about a
# million releases a provider), built fully, then what lands after it built
# incrementally: the last artists (about 50 MusicBrainz releases, and their Deezer
# albums), then a night's refresh (1% of the answers again, some fields changed). Each
# incremental build is held to a full build of the same lake, table for table. After
# each build the app's tables are loaded into PostgreSQL (a throwaway server with
# fsync on, as benches/load_1m.sh; or BENCH_POSTGRES_URL), and once more with nothing
# new. Prints one table: case, wall time, peak memory, share of the full build (of the
# first load, for loads). Takes about twenty minutes and 3 GB of disk.
#
#   benches/incremental_1m.sh [RELEASES]        # default 1000000
#
# The lake and the warehouse stay in INCREMENTAL_BENCH_DIR (default data/bench-incremental).
set -euo pipefail
cd "$(dirname "$0")/.."
releases=${1:-1000000}
dir=${INCREMENTAL_BENCH_DIR:-data/bench-incremental}
. benches/setup.sh
rm -rf "$dir"
"$liner" bench link-scale --releases "$releases" --releases-only --later 50 --refresh 0.01 --dir "$dir" >/dev/null
export LINER_CONFIG="$dir/liner.toml"
times=$(mktemp)
cleanup=(rm -f "$times")
trap '"${cleanup[@]}"' EXIT
if [ -z "${BENCH_POSTGRES_URL:-}" ]; then
    eval "$(.ci/postgres-up -c fsync=on)"
    trap '"${cleanup[@]}"; .ci/postgres-down "$TEST_POSTGRES_DIR"' EXIT
    BENCH_POSTGRES_URL=$TEST_POSTGRES_URL
fi

# Runs `liner transform ARGS`, timed: appends "case seconds peak_kb" to $times.
timed() {
    local case=$1; shift
    /usr/bin/time -f "$case %e %M" -a -o "$times" "$liner" transform "$@" >"$dir/$case.log" 2>&1
}
# Runs `liner load` into PostgreSQL, timed as `timed`.
load() {
    /usr/bin/time -f "$1 %e %M" -a -o "$times" "$liner" load --target "$BENCH_POSTGRES_URL" >"$dir/$1.log" 2>&1
}
# The incremental warehouse against a full build of the same lake, with the link
# model the incremental builds used (the first full build's).
same_as_full() {
    cp "$dir/warehouse.duckdb" "$dir/incremental.duckdb"
    "$liner" transform --full --keep-model >/dev/null 2>&1
    "$venv/bin/python" benches/same_warehouse.py "$dir/warehouse.duckdb" "$dir/incremental.duckdb"
}

timed full --full
load load_full
cp -r "$dir/later/." "$dir/raw/"
timed new_artists
load load_new_artists
load load_nothing_new
echo "new artists: $(same_as_full)"
# The comparison rebuilt the warehouse fully: the app takes that build whole first.
"$liner" load --target "$BENCH_POSTGRES_URL" >/dev/null 2>&1
cp -r "$dir/refresh/." "$dir/raw/"
timed refresh
load load_refresh
echo "refresh: $(same_as_full)"
timed nothing_new

echo
awk '$1 == "full" { full = $2 } $1 == "load_full" { first_load = $2 }
     { base = ($1 ~ /^load_/) ? first_load : full
       printf "%-18s %8.1f s %8.2f GB %8.1f%% of the %s\n", $1, $2, $3 / 1e6, 100 * $2 / base,
           ($1 ~ /^load_/) ? "first load" : "full build" }' "$times"
