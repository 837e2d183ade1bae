"""Link 1M Deezer-shaped albums against 1M MusicBrainz-shaped releases three ways, on
the same input, and print one table: tool, wall time, peak memory, precision, recall.

- liner: `liner transform` over the raw lake that `liner bench link-scale` wrote
  (raw JSON to canonical links: the pipeline's own path, parsing included).
- rapidfuzz: a Python matcher as a seed would write it: GTIN first, then within each
  normalised artist the best `token_sort_ratio` title at 90 or more.
- splink: Fellegi-Sunter on DuckDB: GTIN, title, artist, year and track count
  compared, u by random sampling, m by EM, links at match probability 0.9 or more.

The baselines read `release_items.parquet` (both providers' releases as liner staged
them: title, MusicBrainz's disambiguation, artist credit, GTIN, year, track count);
everyone is scored on `release_truth.parquet`, counting only true pairs whose two
sides were landed. Each tool runs as its own process; peak memory is that process's
maximum resident set.

    python benches/link_baselines.py table DIR --liner target/debug/liner
"""

import argparse
import os
import subprocess
import sys
import time
import unicodedata

import duckdb


def items(dir):
    return duckdb.sql(f"SELECT * FROM read_parquet('{dir}/release_items.parquet')").df()


def norm(s):
    s = unicodedata.normalize("NFKD", s or "").encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in s.lower()).split())


def artist_key(s):
    n = norm(s)
    return n[4:] if n.startswith("the ") else n


def match_rapidfuzz(dir, out):
    from rapidfuzz import fuzz, process

    df = items(dir)
    mb = df[df.provider == "musicbrainz"]
    dz = df[df.provider == "deezer"]
    pairs = set()
    by_gtin = {}
    for i, g in zip(mb.item_id, mb.gtin):
        if g is not None:
            by_gtin.setdefault(g, []).append(i)
    linked_mb, linked_dz = set(), set()
    for i, g in zip(dz.item_id, dz.gtin):
        for m in by_gtin.get(g, []) if g is not None else []:
            pairs.add((m, i))
            linked_mb.add(m)
            linked_dz.add(i)
    blocks = {}
    for i, t, d, a in zip(mb.item_id, mb.title, mb.disambiguation, mb.artist):
        if i not in linked_mb:
            blocks.setdefault(artist_key(a), []).append((i, norm(f"{t} {d or ''}")))
    for i, t, a in zip(dz.item_id, dz.title, dz.artist):
        if i in linked_dz:
            continue
        block = blocks.get(artist_key(a))
        if not block:
            continue
        best = process.extractOne(norm(t), [c for _, c in block], scorer=fuzz.token_sort_ratio, score_cutoff=90)
        if best is not None:
            pairs.add((block[best[2]][0], i))
    write_pairs(pairs, out)


def match_splink(dir, out):
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = items(dir)
    df["title"] = [norm(f"{t} {d or ''}") for t, d in zip(df.title, df.disambiguation)]
    df["artist"] = [artist_key(a) for a in df.artist]
    df["unique_id"] = df.item_id
    df = df[["provider", "unique_id", "title", "artist", "gtin", "year", "track_count"]]
    api = DuckDBAPI()
    left = api.register(df[df.provider == "musicbrainz"].drop(columns="provider"), dataset_display_name="musicbrainz")
    right = api.register(df[df.provider == "deezer"].drop(columns="provider"), dataset_display_name="deezer")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.ExactMatch("gtin"),
            cl.JaroWinklerAtThresholds("title", [0.95, 0.88, 0.7]),
            cl.JaroWinklerAtThresholds("artist", [0.95, 0.88]),
            cl.ExactMatch("year"),
            cl.ExactMatch("track_count"),
        ],
        blocking_rules_to_generate_predictions=[block_on("gtin"), block_on("artist", "substr(title, 1, 3)")],
    )
    linker = Linker([left, right], settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match([block_on("gtin")], recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("artist", "substr(title, 1, 3)"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("gtin"))
    found = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
    pairs = set()
    for sl, il, ir in zip(found.source_dataset_l, found.unique_id_l, found.unique_id_r):
        pairs.add((il, ir) if sl == "musicbrainz" else (ir, il))
    write_pairs(pairs, out)


def liner_pairs(dir):
    db = duckdb.connect(f"{dir}/warehouse.duckdb", read_only=True)
    rows = db.sql(
        "SELECT CASE WHEN left_provider = 'musicbrainz' THEN left_id ELSE right_id END, "
        "CASE WHEN left_provider = 'deezer' THEN left_id ELSE right_id END "
        "FROM canonical.links WHERE entity = 'release' "
        "AND ((left_provider = 'deezer' AND right_provider = 'musicbrainz') "
        "OR (left_provider = 'musicbrainz' AND right_provider = 'deezer'))"
    ).fetchall()
    return set(rows)


def write_pairs(pairs, out):
    db = duckdb.connect()
    db.execute("CREATE TABLE p (musicbrainz_id VARCHAR, deezer_id VARCHAR)")
    db.executemany("INSERT INTO p VALUES (?, ?)", sorted(pairs)) if len(pairs) < 1000 else None
    if len(pairs) >= 1000:
        import pandas as pd

        frame = pd.DataFrame(sorted(pairs), columns=["musicbrainz_id", "deezer_id"])
        db.register("frame", frame)
        db.execute("INSERT INTO p SELECT * FROM frame")
    db.execute(f"COPY p TO '{out}' (FORMAT parquet)")


def read_pairs(path):
    return set(duckdb.sql(f"SELECT musicbrainz_id, deezer_id FROM read_parquet('{path}')").fetchall())


def score(dir, found):
    df = items(dir)
    mb = set(df[df.provider == "musicbrainz"].item_id)
    dz = set(df[df.provider == "deezer"].item_id)
    truth = read_pairs(f"{dir}/release_truth.parquet")
    expected = {p for p in truth if p[0] in mb and p[1] in dz}
    correct = len(found & truth)
    precision = correct / len(found) if found else 1.0
    recall = correct / len(expected) if expected else 1.0
    return precision, recall, len(found)


def timed(cmd, env=None):
    """Runs `cmd`; returns (wall seconds, peak resident bytes) of that process alone."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed with {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_maxrss * 1024


# What "linking" is in liner's transform: the items read from staging, their
# identifiers, the exact and fuzzy links, the clusters and the links table. Staging
# (parsing every JSON body) and the marts are the rest of the transform.
LINKING_MODELS = [
    "intermediate.release_items",
    "intermediate.track_items",
    "intermediate.item_identifiers",
    "intermediate.exact_links",
    "intermediate.fuzzy_links",
    "canonical.clusters",
    "canonical.links",
]


def linking_seconds(dir):
    """The linking models' build times in the transform just run (meta.models)."""
    db = duckdb.connect(f"{dir}/warehouse.duckdb", read_only=True)
    names = ", ".join(f"'{m}'" for m in LINKING_MODELS)
    rows = db.sql(f"SELECT name, elapsed_ms FROM meta.models WHERE name IN ({names})").fetchall()
    return sum(ms for _, ms in rows) / 1000, {name: ms / 1000 for name, ms in rows}


def table(dir, liner):
    dir = os.path.abspath(dir)
    rows = []
    env = dict(os.environ, LINER_CONFIG=f"{dir}/liner.toml")
    wall, peak = timed([liner, "transform"], env)
    result = score(dir, liner_pairs(dir))
    rows.append(("liner (raw JSON to links)", wall, peak, *result))
    linking, per_model = linking_seconds(dir)
    rows.append(("liner, its linking models alone", linking, None, *result))
    for tool in ["rapidfuzz", "splink"]:
        out = f"{dir}/{tool}_pairs.parquet"
        wall, peak = timed([sys.executable, __file__, "match", tool, dir, out])
        rows.append((f"{tool} (staged items to links)", wall, peak, *score(dir, read_pairs(out))))
    print(f"{'tool':<34} {'wall':>8} {'peak memory':>12} {'precision':>10} {'recall':>8} {'links':>9}")
    for name, wall, peak, precision, recall, n in rows:
        memory = f"{peak / 1e9:>10.2f}GB" if peak is not None else f"{'-':>12}"
        print(f"{name:<34} {wall:>7.1f}s {memory} {100 * precision:>9.2f}% {100 * recall:>7.2f}% {n:>9}")
    splink = next(wall for name, wall, *_ in rows if name.startswith("splink"))
    print(f"liner's linking models: {splink / linking:.1f}x faster than Splink in this run; by model: "
          + ", ".join(f"{name} {s:.1f}s" for name, s in sorted(per_model.items(), key=lambda kv: -kv[1])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("table", help="run all three on DIR and print the table")
    t.add_argument("dir")
    t.add_argument("--liner", required=True, help="the liner binary")
    m = sub.add_parser("match", help="run one baseline, writing its pairs")
    m.add_argument("tool", choices=["rapidfuzz", "splink"])
    m.add_argument("dir")
    m.add_argument("out")
    a = ap.parse_args()
    if a.cmd == "table":
        table(a.dir, a.liner)
    else:
        {"rapidfuzz": match_rapidfuzz, "splink": match_splink}[a.tool](a.dir, a.out)


if __name__ == "__main__":
    main()
