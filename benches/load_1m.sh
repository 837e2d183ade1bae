#!/usr/bin/env bash
# Loading a million tracks into PostgreSQL: `liner load` against psql's \copy of the
# same rows from CSV (the practical limit) and plain batched INSERTs, one server, one
# run. Prints wall time and peak memory of each. Takes about ten minutes the first time
# (writing and transforming the catalog), a few after.
#
#   benches/load_1m.sh [RELEASES]      # default 145000 releases a provider: ~1M tracks
#
# The catalog comes from the pipeline itself (`liner bench link-scale`), kept in
# LOAD_BENCH_DIR (default data/bench-load). The server is a throwaway one started by
# .ci/postgres-up with fsync on, as in production; or set BENCH_POSTGRES_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
releases=${1:-145000}
dir=${LOAD_BENCH_DIR:-data/bench-load}
. benches/setup.sh
if [ ! -f "$dir/warehouse.duckdb" ]; then
    "$liner" bench link-scale --releases "$releases" --dir "$dir" >/dev/null
fi
if [ -z "${BENCH_POSTGRES_URL:-}" ]; then
    eval "$(.ci/postgres-up -c fsync=on)"
    trap '.ci/postgres-down "$TEST_POSTGRES_DIR"' EXIT
    BENCH_POSTGRES_URL=$TEST_POSTGRES_URL
fi
"$venv/bin/python" benches/load_baselines.py "$dir" "$BENCH_POSTGRES_URL" --liner "$liner"
