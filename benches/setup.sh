# Sourced by the bench scripts: the baselines' virtual environment (LINK_BENCH_VENV,
# default ~/.cache/liner-bench-venv, from benches/requirements.txt) as $venv, and liner
# built into the same target folder as .ci/run (so DuckDB is not compiled again) as $liner.
venv=${LINK_BENCH_VENV:-$HOME/.cache/liner-bench-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --requirement benches/requirements.txt
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/liner-target}"
cargo build --quiet
liner="$CARGO_TARGET_DIR/debug/liner"
