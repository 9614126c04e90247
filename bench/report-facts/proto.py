#!/usr/bin/env python3
"""Prototype of the year numbers read from compact facts tables (README.md here).

proto.py [--build] [--rounds N] [--bench-stats PATH] COPY.db

--build      builds the rf_* tables of build.sql in COPY.db (it WRITES: give it a copy of a
             center, never the shared file), each table's pages in one run at the end of the file.
--rounds N   rounds (default 3); each drops COPY.db from the page cache (posix_fadvise), runs
             bench-stats --cold --runs 1 if given (main's path), then the prototype's queries cold,
             the last 365 days after them and the calendar year again warm.
Prints wall and process CPU, read calls (4 KiB pages SQLite asked the system for) and MiB
from the disk, min / median / max, the load average and budget lines (< 300 ms, PASS/OVER).
The prototype aggregates in SQL (COUNT DISTINCT): it is the reads of the C walks, not their
counting, so it is a floor for a real implementation's CPU, not its figure.
"""
import os, sqlite3, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))


def queries(p_from, p_to):
    live = "NOT IN (SELECT id FROM residents INDEXED BY residents_deleted WHERE deleted <> 0)"
    return [
        "SELECT count (*) FROM residents INDEXED BY residents_deleted WHERE deleted <> 0",
        f"SELECT count (*), count (DISTINCT r), count (DISTINCT src) FROM rf_admitted"
        f" WHERE admitted_on BETWEEN '{p_from}' AND '{p_to}'",
        f"SELECT count (*), count (DISTINCT r), total (relatives), count (DISTINCT exit_stage),"
        f" count (birth_date), count (sex), count (kdn) FROM rf_episodes"
        f" WHERE end_key >= '{p_from}' AND admitted_on <= '{p_to}'",
        f"SELECT count (*), count (DISTINCT stage) FROM rf_stages"
        f" WHERE end_key > '{p_to}' AND started_on <= '{p_to}'",
        f"SELECT count (*), count (DISTINCT r), total (flags) FROM rf_done"
        f" WHERE done_on BETWEEN '{p_from}' AND '{p_to}'",
        f"SELECT months, count (*), total (outcome = 'done'), count (remission) FROM rf_due"
        f" WHERE months IN (6, 12) AND due_on BETWEEN '{p_from}' AND '{p_to}' GROUP BY months",
        "SELECT count (*), count (DISTINCT basis) FROM court_obligations"
        " INDEXED BY court_obligations_report WHERE deleted = 0",
        f"SELECT agency_kind, count (*) FROM referrals WHERE sent_on BETWEEN '{p_from}' AND '{p_to}'"
        f" AND deleted = 0 AND direction = 'outgoing' AND resident_id {live} GROUP BY agency_kind",
        f"SELECT total (response_on IS NOT NULL AND (due_on IS NULL OR response_on <= due_on)),"
        f" total (response_on IS NULL) FROM referrals WHERE sent_on BETWEEN '{p_from}' AND '{p_to}'"
        f" AND deleted = 0 AND direction = 'outgoing' AND resident_id {live}",
    ]


def drop(path):
    for p in (path, path + "-wal"):
        if os.path.exists(p):
            fd = os.open(p, os.O_RDONLY)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)


def io():
    d = dict(l.split(": ") for l in open("/proc/self/io").read().splitlines())
    return int(d["syscr"]), int(d["read_bytes"])


def run(path, p_from, p_to):
    """Opens @path, runs the period's queries; (wall ms, CPU ms, reads, MiB)."""
    r0, b0 = io()
    t0, c0 = time.perf_counter(), time.process_time()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.execute("PRAGMA cache_size = -1024")  # the report's connections: 1 MB
    for q in queries(p_from, p_to):
        db.execute(q).fetchall()
    db.close()
    t1, c1 = time.perf_counter(), time.process_time()
    r1, b1 = io()
    return (t1 - t0) * 1000, (c1 - c0) * 1000, r1 - r0, (b1 - b0) / 1048576


def build(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    # New pages come from the freelist first; fill it so that each table is
    # one run of pages at the end of the file, as a migration would write it.
    free = db.execute("PRAGMA freelist_count").fetchone()[0]
    db.execute("CREATE TABLE rf_pad (x)")
    db.execute("WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
               " INSERT INTO rf_pad SELECT zeroblob (4000) FROM n", (free + 16,))
    t0, c0 = time.perf_counter(), time.process_time()
    for stmt in open(os.path.join(HERE, "build.sql")).read().split(";\n"):
        if "CREATE" in stmt or "INSERT" in stmt:
            t = time.perf_counter()
            db.execute(stmt)
            print(f"  {time.perf_counter() - t:6.1f} s  {stmt.split('(')[0].split(chr(10))[-1][:50]}")
    print(f"built in {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU")
    db.execute("DROP TABLE rf_pad")
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint (TRUNCATE)")
    for name, pages in db.execute("SELECT name, count (*) FROM dbstat WHERE name LIKE 'rf%'"
                                  " OR name LIKE 'sqlite_autoindex_rf%' GROUP BY name"):
        print(f"  {name:28} {pages:7} pages")


def main():
    args = sys.argv[1:]
    rounds, bench, do_build = 3, None, False
    while args and args[0].startswith("--"):
        a = args.pop(0)
        if a == "--build":
            do_build = True
        elif a == "--rounds":
            rounds = int(args.pop(0))
        elif a == "--bench-stats":
            bench = args.pop(0)
    if len(args) != 1:
        sys.exit(__doc__)
    path = args[0]
    if do_build:
        build(path)
        if bench:
            # The build changed the file: its first opening by the program runs the full check
            # (no valid clean-close marker) and would be timed in round 1.
            subprocess.run([bench, "--runs", "1", path], capture_output=True)
    today = time.strftime("%Y-%m-%d")
    year = (today[:4] + "-01-01", today[:4] + "-12-31")
    y, m, d = map(int, today.split("-"))
    last = (time.strftime("%Y-%m-%d", time.localtime(time.mktime((y, m, d, 12, 0, 0, 0, 0, -1)) - 365 * 86400)), today)
    res = {"cold": [], "365": [], "warm": []}
    for i in range(rounds):
        print(f"== round {i + 1}  load {' '.join(open('/proc/loadavg').read().split()[:3])}")
        if bench:
            out = subprocess.run([bench, "--cold", "--runs", "1", path], capture_output=True, text=True).stdout
            for line in out.splitlines():
                if "run 1:" in line:
                    print("main's path  " + line)
        drop(path)
        for key, period in (("cold", year), ("365", last), ("warm", year)):
            r = run(path, *period)
            res[key].append(r)
            print(f"prototype {key:4} {period[0]}..{period[1]}: {r[0]:7.1f} ms wall, {r[1]:6.1f} ms CPU,"
                  f" {r[2]:6} reads, {r[3]:5.1f} MiB from the disk")
    print("--- prototype, min / median / max ---")
    for key, label in (("cold", "calendar year, first run (cold)"), ("365", "last 365 days, after it"),
                       ("warm", "calendar year, warm")):
        for n, unit in ((0, "ms wall"), (1, "ms CPU")):
            v = sorted(r[n] for r in res[key])
            print(f"{label:34} {unit:8} {v[0]:7.1f} / {statistics.median(v):7.1f} / {v[-1]:7.1f}")
    print("--- budgets (prototype: reads only, counting in SQL) ---")
    for key, label in (("cold", "calendar year, first run (cold)"), ("365", "last 365 days, median"),
                       ("warm", "calendar year, warm, median")):
        v = statistics.median(r[0] for r in res[key])
        print(f"{label:34} {v:7.1f} ms  budget < 300 ms: {'PASS' if v < 300 else 'OVER'}")
    print("load average: " + open("/proc/loadavg").read().strip())


main()
