#!/usr/bin/env bash
# Linking on data nobody here generated: MusicBrainz 20K (recordings) written as five
# providers' real response shapes, and the FreeDB CDs of CDDB (releases) as three
# providers' album lookups, each landed with `liner ingest`, transformed, scored
# pairwise beside RapidFuzz and Splink on the same records (benches/link_mb20k.py and
# benches/link_cddb.py say the mappings). Prints one table per set: precision, recall,
# F1, review items, blocking recall.
#
#   benches/link_real.sh
#
# The baselines' packages live in LINK_BENCH_VENV (default ~/.cache/liner-bench-venv);
# the lakes and warehouses under LINK_REAL_DIR (default data/bench-real).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${LINK_REAL_DIR:-data/bench-real}
. benches/setup.sh
"$venv/bin/python" benches/link_mb20k.py table "$dir/mb20k" --liner "$liner"
echo
"$venv/bin/python" benches/link_cddb.py table "$dir/cddb" --liner "$liner"
