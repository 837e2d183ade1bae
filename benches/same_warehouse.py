"""Whether two warehouses hold the same rows, table for table: every table and view of
the layers models write (and what incremental models keep), compared with EXCEPT ALL
both ways. marts.coverage is left out: it keeps one row a build, a history.

    same_warehouse.py FULL INCREMENTAL

Prints "same rows in N tables", or each table that differs and exits 1.
"""

import sys

import duckdb

full, incremental = sys.argv[1], sys.argv[2]
db = duckdb.connect()
db.execute(f"ATTACH '{full}' AS f (READ_ONLY)")
db.execute(f"ATTACH '{incremental}' AS i (READ_ONLY)")
LAYERS = "('staging', 'intermediate', 'canonical', 'marts', 'incremental')"


def tables(catalog):
    rows = db.execute(
        f"SELECT table_schema || '.' || table_name FROM information_schema.tables "
        f"WHERE table_catalog = '{catalog}' AND table_schema IN {LAYERS} AND table_type = 'BASE TABLE' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


f, i = tables("f"), tables("i")
differ = [] if f == i else [f"tables differ: {sorted(set(f) ^ set(i))}"]
for t in f:
    if t == "marts.coverage" or t not in i:
        continue
    a = db.execute(f"SELECT count(*) FROM (FROM f.{t} EXCEPT ALL FROM i.{t})").fetchone()[0]
    b = db.execute(f"SELECT count(*) FROM (FROM i.{t} EXCEPT ALL FROM f.{t})").fetchone()[0]
    if a or b:
        differ.append(f"{t}: {a} row(s) only in the full build, {b} only in the incremental")
if differ:
    print("\n".join(differ))
    sys.exit(1)
print(f"same rows in {len(f)} tables")
