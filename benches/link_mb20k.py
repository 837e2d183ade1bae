"""Linking on data nobody here generated: MusicBrainz 20K (../shared/data/musicbrainz-20k,
five sources of real MusicBrainz recordings with DAPO-made duplicates, 16,250 true pairs)
written as five providers' real response shapes, landed with `liner ingest`, linked by
`liner transform`, and scored pairwise against the truth, beside two baselines run on
the same records in the same run. Prints one table.

    python benches/link_mb20k.py table DIR --liner target/debug/liner

The mapping (each source is one provider; each record one track of a release of that
provider, the records of one source grouped into releases by album and artist):

  source 1 -> MusicBrainz release lookups (/release/<mbid>?inc=recordings..., the shape
              of fixtures/real/musicbrainz/release_c9d52105_meteora_lookup.json)
  source 2 -> Deezer album lookups and album track lists (/album/<id>, /album/<id>/tracks,
              fixtures/real/deezer/album_302127_*.json)
  source 3 -> Spotify track lookups (/tracks/<id>, fixtures/real/spotify/track_*.json)
  source 4 -> Apple Music album lookups with their songs (/catalog/us/albums/<id>,
              fixtures/real/apple_music/catalog_us_albums_*.json)
  source 5 -> Beatport track lists (/catalog/tracks/?..., fixtures/real/beatport/v4_catalog_tracks_*.json)

What a provider's typed field cannot hold is converted the one way it can mean, and
nothing else is touched: lengths become the provider's number ("04:04", "219" seconds,
"4.367" minutes, "1m 58sec", "321266" ms; a space inside a number dropped; "unk." left
out); years become four digits ("75" -> 1975, "'11" -> 2011; a year with a space
inside is left out) and go where the provider puts a date. Titles, artists and albums
are written exactly as given: an artist fused into the title, an empty artist, an album
or a track number fused into the title, "[unknown]" stay as the benchmark made them.
`cluster_id` is read only to score.

Scores: pairwise over all five sources (a pair is right when both records share a
cluster_id): for liner the pairs inside its canonical clusters, for the baselines the
pairs they link (their links' connected components chain into clusters of hundreds,
which would score them far below what they found). Review: liner's track pairs waiting
in canonical.review_queue. Blocking recall: the share of true pairs liner ever scored
(intermediate.link_candidates), where liner keeps them.

Baselines, on the same records as liner staged them (intermediate.track_items: title,
artist, length; album and year from the CSV as given), cleaned as any user would
first (a fused "Artist - Title" with the credit empty read out, a leading track number
cut, folded to ASCII lower case):
- rapidfuzz: per pair of sources, within a normalised-artist block, each record's best
  `token_sort_ratio` title at 90 or more (a seed's matcher).
- splink: Fellegi-Sunter on DuckDB over all five sources: title and artist by
  Jaro-Winkler levels with term-frequency adjustments, length within 2/10 s, year
  exact; blocking on artist and title prefix, title prefix, artist and length; u by
  random sampling, m by EM (blocked on artist, then on title); pairs at match
  probability 0.9 or more.
"""

import argparse
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
import uuid
from collections import defaultdict

SOURCES = {"1": "musicbrainz", "2": "deezer", "3": "spotify", "4": "apple_music", "5": "beatport"}


def read(data):
    rows = []
    for s in SOURCES:
        with open(os.path.join(data, f"{s}.csv"), newline="", encoding="utf-8") as f:
            rows.extend(csv.DictReader(f))
    return rows


def length_ms(source, v):
    v = (v or "").strip()
    if not v or v.startswith("unk"):
        return None
    v = v.replace(" ", "") if source in ("2", "5") else v
    try:
        if source == "1":  # mm:ss
            m, s = v.split(":")
            return (int(m) * 60 + int(s)) * 1000
        if source == "2":  # seconds
            return int(v) * 1000
        if source == "3":  # decimal minutes
            return round(float(v) * 60_000)
        if source == "4":  # "1m 58sec"
            m = re.fullmatch(r"(\d+)m\s*(\d+)sec", v)
            return (int(m[1]) * 60 + int(m[2])) * 1000 if m else None
        if source == "5":  # milliseconds
            return int(v)
    except (ValueError, TypeError):
        return None
    return None


def year(v):
    v = (v or "").strip().lstrip("'")
    if re.fullmatch(r"\d{4}", v):
        return v
    if re.fullmatch(r"\d{2}", v):
        return ("19" if int(v) > 26 else "20") + v
    return None


def position(v):
    try:
        return int(v)
    except ValueError:
        return None


def stable(*parts):
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


def spotify_id(rec_id):
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    n, out = int(stable("spotify", rec_id)[:24], 16), ""
    while len(out) < 22:
        n, r = divmod(n, 62)
        out += alphabet[r]
    return out


def write(dir_, rows):
    """The five providers' responses, under DIR/<provider>/<resource>/<name>.json."""

    def put(provider, resource, name, body):
        path = os.path.join(dir_, provider, resource, f"{name}.json")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(body, f, ensure_ascii=False)

    albums = defaultdict(list)
    for r in rows:
        albums[(r["source"], r["album"], r["artist"])].append(r)
    for (source, album, artist), recs in albums.items():
        recs.sort(key=lambda r: (position(r["number"]) or 0, r["id"]))
        date = next((year(r["year"]) for r in recs if year(r["year"])), None)
        key = stable(source, album, artist)
        if source == "1":
            rid = str(uuid.UUID(key[:32]))
            tracks = [
                {
                    "id": str(uuid.UUID(stable("mbt", r["id"])[:32])),
                    "number": r["number"],
                    "position": position(r["number"]),
                    "title": r["title"],
                    "length": length_ms("1", r["length"]),
                    "recording": {
                        "id": str(uuid.UUID(stable("mbr", r["id"])[:32])),
                        "title": r["title"],
                        "length": length_ms("1", r["length"]),
                        "disambiguation": "",
                        "video": False,
                        "isrcs": [],
                        "artist-credit": [{"name": r["artist"], "joinphrase": "", "artist": {"name": r["artist"]}}] if r["artist"] else [],
                    },
                    "artist-credit": [{"name": r["artist"], "joinphrase": "", "artist": {"name": r["artist"]}}] if r["artist"] else [],
                }
                for r in recs
            ]
            body = {
                "id": rid,
                "title": album,
                "status": "Official",
                "date": date,
                "barcode": None,
                "disambiguation": "",
                "artist-credit": [{"name": artist, "joinphrase": "", "artist": {"name": artist}}] if artist else [],
                "label-info": [],
                "media": [{"position": 1, "format": "Digital Media", "track-count": len(tracks), "tracks": tracks}],
                "relations": [],
            }
            put("musicbrainz", "releases", rid, body)
        elif source == "2":
            aid = 100_000_000 + int(key[:10], 16)
            data = [
                {
                    "id": 200_000_000 + int(r["id"]),
                    "readable": True,
                    "title": r["title"],
                    "title_short": r["title"],
                    "isrc": "",
                    "duration": (length_ms("2", r["length"]) or 0) // 1000,
                    "track_position": position(r["number"]),
                    "disk_number": 1,
                    "rank": 0,
                    "explicit_lyrics": False,
                    "artist": {"id": 0, "name": r["artist"], "type": "artist"},
                    "type": "track",
                }
                for r in recs
            ]
            put("deezer", "album_tracks", str(aid), {"data": data, "total": len(data)})
            put(
                "deezer",
                "albums",
                str(aid),
                {
                    "id": aid,
                    "title": album,
                    "upc": "",
                    "release_date": f"{date}-01-01" if date else "0000-00-00",
                    "record_type": "album",
                    "nb_tracks": len(data),
                    "artist": {"id": 0, "name": artist, "type": "artist"},
                    "contributors": [{"id": 0, "name": artist}] if artist else [],
                    "type": "album",
                },
            )
        elif source == "3":
            album_id = spotify_id(key)
            for r in recs:
                artists = [{"id": spotify_id(r["artist"]), "name": r["artist"], "type": "artist"}] if r["artist"] else []
                put(
                    "spotify",
                    "tracks",
                    spotify_id(r["id"]),
                    {
                        "id": spotify_id(r["id"]),
                        "name": r["title"],
                        "type": "track",
                        "duration_ms": length_ms("3", r["length"]),
                        "track_number": position(r["number"]),
                        "disc_number": 1,
                        "explicit": False,
                        "external_ids": {},
                        "artists": artists,
                        "album": {
                            "id": album_id,
                            "name": album,
                            "album_type": "album",
                            "release_date": date,
                            "release_date_precision": "year",
                            "artists": artists,
                        },
                    },
                )
        elif source == "4":
            aid = str(1_500_000_000 + int(key[:10], 16))
            songs = [
                {
                    "id": str(1_000_000_000 + int(r["id"])),
                    "type": "songs",
                    "attributes": {
                        "name": r["title"],
                        "artistName": r["artist"],
                        "albumName": album,
                        "durationInMillis": length_ms("4", r["length"]),
                        "trackNumber": position(r["number"]),
                        "discNumber": 1,
                        **({"releaseDate": f"{date}-01-01"} if date else {}),
                    },
                }
                for r in recs
            ]
            put(
                "apple_music",
                "albums",
                aid,
                {
                    "data": [
                        {
                            "id": aid,
                            "type": "albums",
                            "attributes": {
                                "name": album,
                                "artistName": artist,
                                "trackCount": len(songs),
                                "isComplete": True,
                                **({"releaseDate": f"{date}-01-01"} if date else {}),
                            },
                            "relationships": {"tracks": {"data": songs}},
                        }
                    ]
                },
            )
        else:
            rid = 40_000_000 + int(key[:10], 16)
            results = [
                {
                    "id": 30_000_000 + int(r["id"]),
                    "name": r["title"],
                    "mix_name": "",
                    "artists": [{"id": 0, "name": r["artist"]}] if r["artist"] else [],
                    "length_ms": length_ms("5", r["length"]),
                    "isrc": None,
                    "new_release_date": f"{date}-01-01" if date else None,
                    "release": {"id": rid, "name": album},
                }
                for r in recs
            ]
            put(
                "beatport",
                "tracks",
                f"release_id={rid}",
                {"results": results, "next": None, "previous": None, "count": len(results), "page": "1/1", "per_page": 100},
            )


def item_key(provider, item_id):
    """The benchmark record behind a liner track item."""
    if provider == "deezer":
        return int(item_id) - 200_000_000
    if provider == "apple_music":
        return int(item_id) - 1_000_000_000
    if provider == "beatport":
        return int(item_id) - 30_000_000
    return None


def record_ids(rows):
    ids = {}
    for r in rows:
        provider = SOURCES[r["source"]]
        if provider == "musicbrainz":
            ids[(provider, str(uuid.UUID(stable("mbr", r["id"])[:32])))] = r["id"]
        elif provider == "spotify":
            ids[(provider, spotify_id(r["id"]))] = r["id"]
        else:
            offset = {"deezer": 200_000_000, "apple_music": 1_000_000_000, "beatport": 30_000_000}[provider]
            ids[(provider, str(offset + int(r["id"])))] = r["id"]
    return ids


def pairs_of(groups):
    out = set()
    for members in groups.values():
        m = sorted(members)
        for i in range(len(m)):
            for j in range(i + 1, len(m)):
                out.add((m[i], m[j]))
    return out


def truth_pairs(rows):
    by = defaultdict(list)
    for r in rows:
        by[r["cluster_id"]].append(r["id"])
    return pairs_of(by)


def score(found, truth):
    right = len(found & truth)
    p = right / len(found) if found else 1.0
    r = right / len(truth) if truth else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1, len(found)


def liner_result(dir_, ids):
    import duckdb

    db = duckdb.connect(os.path.join(dir_, "data/warehouse.duckdb"), read_only=True)
    clusters = defaultdict(list)
    for provider, item_id, cluster in db.sql(
        "SELECT provider, item_id, cluster_id FROM canonical.clusters WHERE entity = 'track'"
    ).fetchall():
        rec = ids.get((provider, item_id))
        if rec is not None:
            clusters[cluster].append(rec)
    review = db.sql("SELECT count(*) FROM canonical.review_queue WHERE entity = 'track'").fetchall()[0][0]
    candidates = None
    # Tables and views (the candidates are a view over item numbers).
    tables = {
        t for (t,) in db.sql("SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()
    }
    if "intermediate.link_candidates" in tables:
        candidates = set()
        for lp, li, rp, ri in db.sql(
            "SELECT left_provider, left_id, right_provider, right_id FROM intermediate.link_candidates WHERE entity = 'track'"
        ).fetchall():
            a, b = ids.get((lp, li)), ids.get((rp, ri))
            if a is not None and b is not None:
                candidates.add(tuple(sorted((a, b))))
    return pairs_of(clusters), review, candidates


def staged(dir_, rows):
    """The records as liner staged them, for the baselines: one row per record."""
    import duckdb

    ids = record_ids(rows)
    by_id = {r["id"]: r for r in rows}
    db = duckdb.connect(os.path.join(dir_, "data/warehouse.duckdb"), read_only=True)
    out = []
    for provider, item_id, title, artist, duration in db.sql(
        "SELECT provider, item_id, title, artist, duration_ms FROM intermediate.track_items"
    ).fetchall():
        rec = ids.get((provider, item_id))
        if rec is None:
            continue
        r = by_id[rec]
        out.append(
            {
                "unique_id": rec,
                "source": r["source"],
                "title": title or "",
                "artist": artist or "",
                "album": r["album"],
                "year": year(r["year"]),
                "length_s": (duration or 0) / 1000 if duration else None,
            }
        )
    return out


def norm(s):
    s = unicodedata.normalize("NFKD", s or "").encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in s.lower()).split())


def cleaned(records):
    """The clean-up any user of a baseline does first, so that the baselines meet
    liner on the same footing: an artist fused into the title with the credit empty
    read out ("A - T"), a leading track number ("021-T") cut, then folded."""
    out = []
    for r in records:
        title, artist = r["title"], r["artist"]
        if not artist.strip() and " - " in title:
            artist, title = title.split(" - ", 1)
        title = re.sub(r"^\s*\d{1,3}\s*[-.)]\s*", "", title)
        out.append({**r, "title": norm(title), "artist": norm(artist)})
    return out


def match_rapidfuzz(records):
    from rapidfuzz import fuzz, process

    records = cleaned(records)
    by_source = defaultdict(list)
    for r in records:
        by_source[r["source"]].append(r)
    pairs = set()
    sources = sorted(by_source)
    for i, a in enumerate(sources):
        for b in sources[i + 1 :]:
            blocks = defaultdict(list)
            for r in by_source[b]:
                blocks[r["artist"]].append(r)
            for r in by_source[a]:
                if not r["artist"]:
                    continue
                block = blocks.get(r["artist"])
                if not block:
                    continue
                best = process.extractOne(
                    r["title"], [c["title"] for c in block], scorer=fuzz.token_sort_ratio, score_cutoff=90
                )
                if best is not None:
                    pairs.add(tuple(sorted((r["unique_id"], block[best[2]]["unique_id"]))))
    return pairs


def match_splink(records):
    import pandas as pd
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = pd.DataFrame(cleaned(records))
    df["length_bucket"] = [None if v is None or v != v else int(v // 5) for v in df.length_s]
    api = DuckDBAPI()
    frames = [api.register(g.drop(columns="source"), dataset_display_name=f"s{s}") for s, g in df.groupby("source")]
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("title", [0.95, 0.88, 0.7]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("artist", [0.95, 0.88]).configure(term_frequency_adjustments=True),
            cl.CustomComparison(
                output_column_name="length_s",
                comparison_levels=[
                    cll.NullLevel("length_s"),
                    cll.AbsoluteDifferenceLevel("length_s", 2),
                    cll.AbsoluteDifferenceLevel("length_s", 10),
                    cll.ElseLevel(),
                ],
            ),
            cl.ExactMatch("year"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("artist", "substr(title, 1, 3)"),
            block_on("substr(title, 1, 5)"),
            block_on("artist", "length_bucket"),
        ],
    )
    linker = Linker(frames, settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match([block_on("title", "artist")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("artist"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("title"))
    found = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
    return {tuple(sorted((a, b))) for a, b in zip(found.unique_id_l, found.unique_id_r)}


def land_and_transform(dir_, liner, write_responses):
    """A fresh project in DIR: the responses written, `liner ingest`, `liner transform`.
    Returns the transform's wall time."""
    recorded = os.path.join(dir_, "recorded")
    if os.path.exists(dir_):
        subprocess.run(["rm", "-rf", dir_], check=True)
    os.makedirs(recorded)
    write_responses(recorded)
    with open(os.path.join(dir_, "liner.toml"), "w") as f:
        f.write("[paths]\ndata_dir = \"data\"\n")
    run = lambda *args: subprocess.run([liner, *args], cwd=dir_, check=True, stdout=subprocess.DEVNULL)
    run("ingest", "recorded")
    started = time.monotonic()
    run("transform")
    return time.monotonic() - started


def baselines(records, truth):
    """The two baselines' rows of the table, on the records liner staged."""
    out = []
    for name, match in [("rapidfuzz", match_rapidfuzz), ("splink", match_splink)]:
        started = time.monotonic()
        pairs = match(records)
        wall = time.monotonic() - started
        # Their own pairs: their links' connected components would chain a few wrong
        # links into clusters of hundreds and score them below what they found.
        out.append((name, wall, *score(pairs, truth), None, None))
    return out


def print_table(heading, results, truth):
    print(heading)
    print(f"{'tool':<10} {'wall':>7} {'precision':>10} {'recall':>8} {'F1':>6} {'pairs':>7} {'review':>7} {'blocking recall':>16}")
    for name, wall, p, r, f1, n, review, cands in results:
        blocking = f"{100 * len(cands & truth) / len(truth):.1f}%" if cands is not None else "n/a"
        rev = str(review) if review is not None else "-"
        print(f"{name:<10} {wall:>6.1f}s {100 * p:>9.2f}% {100 * r:>7.2f}% {100 * f1:>6.1f} {n:>7} {rev:>7} {blocking:>16}")


def table(data, dir_, liner):
    dir_ = os.path.abspath(dir_)
    rows = read(data)
    truth = truth_pairs(rows)
    wall = land_and_transform(dir_, liner, lambda recorded: write(recorded, rows))
    found, review, candidates = liner_result(dir_, record_ids(rows))
    records = staged(dir_, rows)
    results = [("liner", wall, *score(found, truth), review, candidates), *baselines(records, truth)]
    heading = f"MusicBrainz 20K: {len(rows)} records in five sources, {len(truth)} true pairs; {len(records)} staged by liner"
    print_table(heading, results, truth)


def cli(description, table_fn, data_folder):
    """`table DIR --liner BIN [--data FOLDER]`, the command line of a real-data benchmark."""
    ap = argparse.ArgumentParser(description=description)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("table", help="write, ingest, transform, score, and run the baselines")
    t.add_argument("dir")
    t.add_argument("--liner", required=True)
    t.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../shared/data", data_folder))
    a = ap.parse_args()
    table_fn(a.data, a.dir, a.liner)


if __name__ == "__main__":
    cli(__doc__.splitlines()[0], table, "musicbrainz-20k")
