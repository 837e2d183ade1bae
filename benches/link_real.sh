#!/usr/bin/env bash
# Linking on data nobody here generated: MusicBrainz 20K written as five providers'
# real response shapes, landed with `liner ingest`, transformed, scored pairwise beside
# RapidFuzz and Splink on the same records (benches/link_mb20k.py says the mapping).
# Prints one table: precision, recall, F1, review items, blocking recall.
#
#   benches/link_real.sh
#
# The baselines' packages live in LINK_BENCH_VENV (default ~/.cache/liner-bench-venv);
# the lake and warehouse in LINK_REAL_DIR (default data/bench-mb20k).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${LINK_REAL_DIR:-data/bench-mb20k}
. benches/setup.sh
"$venv/bin/python" benches/link_mb20k.py table "$dir" --liner "$liner"
