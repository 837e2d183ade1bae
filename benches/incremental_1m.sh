#!/usr/bin/env bash
# Incremental builds at a million: the catalog `benches/link_1m.sh` writes (about a
# million releases a provider), built fully, then what lands after it built
# incrementally: the last artists (about 50 MusicBrainz releases, and their Deezer
# albums), then a night's refresh (1% of the answers again, some fields changed). Each
# incremental build is held to a full build of the same lake, table for table. Prints
# one table: case, wall time, peak memory, share of the full build. Takes about fifteen
# minutes and 3 GB of disk.
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
trap 'rm -f "$times"' EXIT

# Runs `liner transform ARGS`, timed: appends "case seconds peak_kb" to $times.
timed() {
    local case=$1; shift
    /usr/bin/time -f "$case %e %M" -a -o "$times" "$liner" transform "$@" >"$dir/$case.log" 2>&1
}
# The incremental warehouse against a full build of the same lake, with the link
# model the incremental builds used (the first full build's).
same_as_full() {
    cp "$dir/warehouse.duckdb" "$dir/incremental.duckdb"
    "$liner" transform --full --keep-model >/dev/null 2>&1
    "$venv/bin/python" benches/same_warehouse.py "$dir/warehouse.duckdb" "$dir/incremental.duckdb"
}

timed full --full
cp -r "$dir/later/." "$dir/raw/"
timed new_artists
echo "new artists: $(same_as_full)"
cp -r "$dir/refresh/." "$dir/raw/"
timed refresh
echo "refresh: $(same_as_full)"
timed nothing_new

echo
awk 'NR == 1 { full = $2 }
     { printf "%-14s %8.1f s %8.2f GB %8.1f%% of the full build\n", $1, $2, $3 / 1e6, 100 * $2 / full }' "$times"
