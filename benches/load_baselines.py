"""Loading a million tracks into PostgreSQL: liner against the practical limit (psql's
\\copy of the same rows from CSV) and plain batched INSERTs, in one run on one server.

    load_baselines.py DIR URL --liner PATH

DIR holds a warehouse whose canonical.tracks has the rows (benches/load_1m.sh makes
one with `liner bench link-scale`); URL is a PostgreSQL server whose user may create
databases. Each tool loads into an empty database of its own, into the same table
(liner creates it; the others get its definition from pg_dump): same types, primary
key and indexes. Wall time and peak memory (VmHWM) are each process's own; the CSV
and the INSERT script are written beforehand and not timed.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

import duckdb


def timed(cmd):
    """Runs cmd: (seconds, peak RSS bytes, stdout). The peak is the process's VmHWM,
    read until it exits: wait4's ru_maxrss would count this Python process's memory
    too, as Linux carries it over through fork and exec."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err)
        peak = 0
        while p.poll() is None:
            try:
                with open(f"/proc/{p.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            peak = max(peak, int(line.split()[1]) * 1024)
            except (FileNotFoundError, ProcessLookupError):
                pass
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} ... failed ({p.returncode}):\n{stdout}\n{stderr}")
    return seconds, peak, stdout


def database_url(url, name):
    u = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


def psql(url, *args):
    return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, *args], check=True,
                          capture_output=True, text=True).stdout


def apply(url, script):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url], input=script, check=True,
                   capture_output=True, text=True)


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("url")
    ap.add_argument("--liner", required=True)
    ap.add_argument("--batch", type=int, default=1000, help="rows per INSERT statement")
    args = ap.parse_args()

    admin = database_url(args.url, "postgres")
    for db in ("bench_liner", "bench_copy", "bench_insert"):
        psql(admin, "-c", f"DROP DATABASE IF EXISTS {db}")
        psql(admin, "-c", f"CREATE DATABASE {db}")

    wh = duckdb.connect(os.path.join(args.dir, "warehouse.duckdb"), read_only=True)
    rows = wh.execute("SELECT count(*) FROM canonical.tracks").fetchone()[0]

    # liner: its own command, as a user runs it.
    liner_url = database_url(args.url, "bench_liner")
    cmd = [args.liner, "--config", os.path.join(args.dir, "liner.toml"), "load", "--target", liner_url, "--table", "tracks"]
    liner_s, liner_rss, out = timed(cmd)
    again_s, _, again_out = timed(cmd)
    if "nothing changed" not in again_out:
        sys.exit(f"the second liner load changed something:\n{again_out}")

    # The same table for the others: liner's definition, from pg_dump.
    ddl = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "-t", "public.tracks", liner_url],
                         check=True, capture_output=True, text=True).stdout
    # The columns liner loads (the warehouse keeps some to itself, such as source_file).
    columns = psql(liner_url, "-At", "-c", "SELECT column_name FROM information_schema.columns "
                   "WHERE table_schema = 'public' AND table_name = 'tracks' ORDER BY ordinal_position").split()
    col_list = ", ".join(f'"{c}"' for c in columns)

    csv_path = os.path.join(args.dir, "tracks.csv")
    wh.execute(f"COPY (SELECT {col_list} FROM canonical.tracks) TO '{csv_path}' (FORMAT csv, HEADER false)")
    copy_url = database_url(args.url, "bench_copy")
    apply(copy_url, ddl)
    copy_s, copy_rss, _ = timed(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", copy_url, "-c",
                                 f"\\copy public.tracks ({col_list}) FROM '{csv_path}' WITH (FORMAT csv)"])

    insert_url = database_url(args.url, "bench_insert")
    apply(insert_url, ddl)
    sql_path = os.path.join(args.dir, "tracks_inserts.sql")
    cur = wh.execute(f"SELECT {col_list} FROM canonical.tracks")
    with open(sql_path, "w") as f:
        f.write("BEGIN;\n")
        while True:
            batch = cur.fetchmany(args.batch)
            if not batch:
                break
            values = ",\n".join("(" + ", ".join(sql_literal(v) for v in row) + ")" for row in batch)
            f.write(f"INSERT INTO public.tracks ({col_list}) VALUES\n{values};\n")
        f.write("COMMIT;\n")
    insert_s, insert_rss, _ = timed(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", insert_url, "-f", sql_path])

    counts = [psql(database_url(args.url, db), "-At", "-c", "SELECT count(*) FROM public.tracks").strip()
              for db in ("bench_liner", "bench_copy", "bench_insert")]
    if len(set(counts)) != 1 or int(counts[0]) != rows:
        sys.exit(f"the three tables differ: {counts}, warehouse {rows}")

    print(f"{rows} tracks into an empty table (primary key and provider-id indexes), one server, one run:")
    print(f"{'tool':<44}{'wall':>8}{'peak memory':>14}{'vs psql':>9}")
    for name, s, rss in [
        ("liner load (warehouse -> binary COPY, merge)", liner_s, liner_rss),
        ("psql \\copy from CSV", copy_s, copy_rss),
        (f"psql, INSERTs of {args.batch} rows, one transaction", insert_s, insert_rss),
    ]:
        print(f"{name:<44}{s:>7.1f}s{rss / 1e6:>11.0f} MB{s / copy_s:>8.2f}x")
    print(f"liner load again, nothing new: {again_s:.1f}s, no row written")
    os.remove(csv_path)
    os.remove(sql_path)


if __name__ == "__main__":
    main()
