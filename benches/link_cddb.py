"""Release linking on data nobody here generated: the FreeDB CDs of ../shared/data/cddb
(9,763 CDs, 300 labelled duplicate pairs in 221 groups: one CD submitted twice or more
with other spellings), written as three providers' album lookups, landed with
`liner ingest`, linked by `liner transform`, and scored pairwise against the truth,
beside the same two baselines as benches/link_mb20k.py on the same records. Prints
one table.

    python benches/link_cddb.py table DIR --liner target/debug/liner

The mapping. liner links across providers, one release per provider per cluster, so
the members of a labelled group go to different providers (sorted by id: the first
to MusicBrainz, the second to Deezer, the third to Apple Music); the four groups of
four to six CDs are left out (19 CDs), and every CD in no group goes to one of the
three by a hash of its id. That places the truth's pairs where liner can find them,
and tells liner nothing else.

  MusicBrainz -> release lookups (/release/<mbid>, the shape of
                 fixtures/real/musicbrainz/release_c9d52105_meteora_lookup.json)
  Deezer      -> album lookups (/album/<id>, fixtures/real/deezer/album_302127_*.json)
  Apple Music -> album lookups (/catalog/us/albums/<id>,
                 fixtures/real/apple_music/catalog_us_albums_*.json)

Artist, title and year are written exactly as given (lower case, non-English letters
garbled, a year often missing). The CDs' track titles come as one string with no
boundaries, so no provider gets a track list or a track count: the shapes leave
those fields out (MusicBrainz `media` empty, no `nb_tracks`, no `trackCount`), and
the size comparison says nothing. The category and genre are FreeDB's own and
no provider has them.

Scores, review and blocking recall as in benches/link_mb20k.py, for releases.
"""

import csv
import json
import os
import sys
import uuid
from collections import defaultdict

sys.path.insert(0, os.path.dirname(__file__))
from link_mb20k import baselines, cli, land_and_transform, pairs_of, print_table, score, stable  # noqa: E402

PROVIDERS = ["musicbrainz", "deezer", "apple_music"]


def read(data):
    with open(os.path.join(data, "cddb.csv"), newline="", encoding="utf-8") as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    with open(os.path.join(data, "gt.csv"), newline="", encoding="utf-8") as f:
        gt = [(r["id1"], r["id2"]) for r in csv.DictReader(f)]
    return rows, gt


def groups_of(gt):
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in gt:
        parent[find(a)] = find(b)
    groups = defaultdict(set)
    for a, b in gt:
        for x in (a, b):
            groups[find(x)].add(x)
    return list(groups.values())


def placed(rows, gt):
    """Each CD's provider; the CDs left out; the true pairs among those placed."""
    provider, left_out = {}, set()
    for g in groups_of(gt):
        if len(g) > len(PROVIDERS):
            left_out |= g
            continue
        for i, cd in enumerate(sorted(g, key=int)):
            provider[cd] = PROVIDERS[i]
    for cd in rows:
        if cd not in provider and cd not in left_out:
            provider[cd] = PROVIDERS[int(stable("cddb", cd)[:8], 16) % len(PROVIDERS)]
    by_group = {i: [cd for cd in g] for i, g in enumerate(groups_of(gt)) if not g & left_out}
    return provider, left_out, pairs_of(by_group)


def year(v):
    v = (v or "").strip()
    return v if len(v) == 4 and v.isdigit() and v != "0000" else None


def item_id(provider, cd):
    if provider == "musicbrainz":
        return str(uuid.UUID(stable("cddb-mb", cd)[:32]))
    if provider == "deezer":
        return str(100_000_000 + int(cd))
    return str(1_500_000_000 + int(cd))


def write(dir_, rows, provider):
    def put(p, resource, name, body):
        path = os.path.join(dir_, p, resource, f"{name}.json")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(body, f, ensure_ascii=False)

    for cd, p in provider.items():
        r = rows[cd]
        title, artist, date = r["title"], r["artist"], year(r["year"])
        rid = item_id(p, cd)
        if p == "musicbrainz":
            credit = [{"name": artist, "joinphrase": "", "artist": {"name": artist}}] if artist else []
            body = {
                "id": rid,
                "title": title,
                "status": "Official",
                "date": date,
                "barcode": None,
                "disambiguation": "",
                "artist-credit": credit,
                "label-info": [],
                "media": [],
                "relations": [],
            }
            put("musicbrainz", "releases", rid, body)
        elif p == "deezer":
            body = {
                "id": int(rid),
                "title": title,
                "upc": "",
                "release_date": f"{date}-01-01" if date else "0000-00-00",
                "record_type": "album",
                "artist": {"id": 0, "name": artist, "type": "artist"},
                "contributors": [{"id": 0, "name": artist}] if artist else [],
                "type": "album",
            }
            put("deezer", "albums", rid, body)
        else:
            attributes = {"name": title, "artistName": artist, "isComplete": True}
            if date:
                attributes["releaseDate"] = f"{date}-01-01"
            put("apple_music", "albums", rid, {"data": [{"id": rid, "type": "albums", "attributes": attributes}]})


def liner_result(dir_, ids):
    import duckdb

    db = duckdb.connect(os.path.join(dir_, "data/warehouse.duckdb"), read_only=True)
    clusters = defaultdict(list)
    for p, i, cluster in db.sql(
        "SELECT provider, item_id, cluster_id FROM canonical.clusters WHERE entity = 'release'"
    ).fetchall():
        if (p, i) in ids:
            clusters[cluster].append(ids[(p, i)])
    review = db.sql("SELECT count(*) FROM canonical.review_queue WHERE entity = 'release'").fetchall()[0][0]
    candidates = set()
    for lp, li, rp, ri in db.sql(
        "SELECT left_provider, left_id, right_provider, right_id FROM intermediate.link_candidates WHERE entity = 'release'"
    ).fetchall():
        a, b = ids.get((lp, li)), ids.get((rp, ri))
        if a is not None and b is not None:
            candidates.add(tuple(sorted((a, b))))
    staged = []
    for p, i, title, artist, y in db.sql(
        "SELECT provider, item_id, title, artist, year FROM intermediate.release_items"
    ).fetchall():
        if (p, i) in ids:
            staged.append(
                {
                    "unique_id": ids[(p, i)],
                    "source": p,
                    "title": title or "",
                    "artist": artist or "",
                    "album": "",
                    "year": str(y) if y else None,
                    "length_s": None,
                }
            )
    return pairs_of(clusters), review, candidates, staged


def table(data, dir_, liner):
    dir_ = os.path.abspath(dir_)
    rows, gt = read(data)
    provider, left_out, truth = placed(rows, gt)
    wall = land_and_transform(dir_, liner, lambda recorded: write(recorded, rows, provider))
    ids = {(p, item_id(p, cd)): cd for cd, p in provider.items()}
    found, review, candidates, records = liner_result(dir_, ids)
    results = [("liner", wall, *score(found, truth), review, candidates), *baselines(records, truth)]
    heading = (
        f"CDDB: {len(provider)} CDs on three providers ({len(left_out)} in groups of four or more left out), "
        f"{len(truth)} true pairs; {len(records)} staged by liner"
    )
    print_table(heading, results, truth)


if __name__ == "__main__":
    cli(__doc__.splitlines()[0], table, "cddb")
