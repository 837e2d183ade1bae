#!/usr/bin/env bash
# Linking at a million: 1M Deezer-shaped albums against 1M MusicBrainz-shaped releases,
# written as the pipeline lands them, linked by liner and, on the same input, by two
# baselines (RapidFuzz, Splink on DuckDB). Prints one table: tool, wall time, peak
# memory, precision, recall. Takes about ten minutes and 2 GB of disk.
#
#   benches/link_1m.sh [RELEASES]        # default 1000000
#
# The baselines' Python packages go into their own virtual environment
# (LINK_BENCH_VENV, default ~/.cache/liner-bench-venv); the lake, the warehouse and
# the baselines' input stay in LINK_BENCH_DIR (default data/bench-link).
set -euo pipefail
cd "$(dirname "$0")/.."
releases=${1:-1000000}
dir=${LINK_BENCH_DIR:-data/bench-link}
. benches/setup.sh
rm -rf "$dir"
"$liner" bench link-scale --releases "$releases" --releases-only --dir "$dir"
echo
"$venv/bin/python" benches/link_baselines.py table "$dir" --liner "$liner"
