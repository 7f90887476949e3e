#!/usr/bin/env python3
"""Whole-process benchmark: auditlake against DuckDB on the same generated CloudTrail trail log files.

For each size it generates trail logs with the project's generator (90 days, 3 accounts, 2 regions), then, in one
run and alternating the two engines:
  - ingest: `auditlake ingest` of the .json.gz files into a store, against DuckDB reading the same files
    (read_json ... unnest(Records)) and writing Parquet partitioned by day with zstd: wall time, events/s, input
    MB/s, peak memory, bytes written;
  - queries: typical investigations on our store against DuckDB on its Parquet, each process started afresh:
    median of --runs after one warm-up run each, and the ratio ours/DuckDB (below 1 is faster);
  - storage: bytes on disk against the gzipped input.
Results go to benches/results/<date>.json and, with --readme, into the table in benches/README.md.

Usage: python3 benches/compare.py [--sizes 100000,1000000] [--runs 5] [--work /tmp/auditlake-bench] [--readme]
Needs: a release build (`cargo build --release --workspace`) and the DuckDB CLI (`pip install duckdb-cli`,
installed on first use).
"""

import argparse
import csv
import datetime
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = "2024-01-01"
DAYS = 90

# (name, what it asks, our Lake SQL, DuckDB SQL over view `t`). The day-bounded ones give DuckDB the partition
# column too, as a DuckDB user would write them.
QUERIES = [
    ("count", "all events",
     "SELECT count(*) AS n FROM bench",
     "SELECT count(*) AS n FROM t"),
    ("by-source", "events per service",
     "SELECT eventSource, count(*) AS n FROM bench GROUP BY eventSource ORDER BY n DESC, eventSource",
     "SELECT eventSource, count(*) AS n FROM t GROUP BY eventSource ORDER BY n DESC, eventSource"),
    ("top-errors", "top error codes",
     "SELECT errorCode, count(*) AS n FROM bench WHERE errorCode IS NOT NULL GROUP BY errorCode "
     "ORDER BY n DESC, errorCode LIMIT 10",
     "SELECT errorCode, count(*) AS n FROM t WHERE errorCode IS NOT NULL GROUP BY errorCode "
     "ORDER BY n DESC, errorCode LIMIT 10"),
    ("principal-day", "one principal in a one-day window",
     "SELECT eventTime, eventName, sourceIPAddress FROM bench WHERE userIdentity.userName = 'mallory' "
     "AND eventTime >= '2024-01-01 00:00:00' AND eventTime < '2024-01-02 00:00:00' ORDER BY eventTime, eventName",
     "SELECT eventTime, eventName, sourceIPAddress FROM t WHERE userIdentity.userName = 'mallory' "
     "AND eventday = '2024-01-01' AND eventTime >= TIMESTAMP '2024-01-01 00:00:00' "
     "AND eventTime < TIMESTAMP '2024-01-02 00:00:00' ORDER BY eventTime, eventName"),
    ("event-id", "one event by eventID",
     "SELECT eventTime, eventName FROM bench WHERE eventID = '00000000-0000-4000-8000-000000004002'",
     "SELECT eventTime, eventName FROM t WHERE eventID = '00000000-0000-4000-8000-000000004002'"),
    ("s3-buckets", "S3 reads by bucket (requestParameters)",
     "SELECT element_at(requestParameters, 'bucketName') AS bucket, count(*) AS n FROM bench "
     "WHERE eventSource = 's3.amazonaws.com' AND eventName = 'GetObject' GROUP BY 1 ORDER BY n DESC, bucket",
     "SELECT requestParameters->>'bucketName' AS bucket, count(*) AS n FROM t "
     "WHERE eventSource = 's3.amazonaws.com' AND eventName = 'GetObject' GROUP BY 1 ORDER BY n DESC, bucket"),
    ("hourly-7d", "hourly histogram over 7 days",
     "SELECT date_trunc('hour', eventTime) AS hour, count(*) AS n FROM bench "
     "WHERE eventTime >= '2024-02-01 00:00:00' AND eventTime < '2024-02-08 00:00:00' GROUP BY 1 ORDER BY 1",
     "SELECT date_trunc('hour', eventTime) AS hour, count(*) AS n FROM t "
     "WHERE eventday >= '2024-02-01' AND eventday < '2024-02-08' "
     "AND eventTime >= TIMESTAMP '2024-02-01 00:00:00' AND eventTime < TIMESTAMP '2024-02-08 00:00:00' "
     "GROUP BY 1 ORDER BY 1"),
    ("failed-logins", "failed console logins by user and IP",
     "SELECT userIdentity.userName AS who, sourceIPAddress, count(*) AS n FROM bench "
     "WHERE eventName = 'ConsoleLogin' AND element_at(responseElements, 'ConsoleLogin') = 'Failure' "
     "GROUP BY 1, 2 ORDER BY n DESC, who, sourceIPAddress",
     "SELECT userIdentity.userName AS who, sourceIPAddress, count(*) AS n FROM t "
     "WHERE eventName = 'ConsoleLogin' AND (responseElements->>'ConsoleLogin') = 'Failure' "
     "GROUP BY 1, 2 ORDER BY n DESC, who, sourceIPAddress"),
    ("like-name", "LIKE on eventName",
     "SELECT eventName, count(*) AS n FROM bench WHERE eventName LIKE '%Bucket%' GROUP BY 1 ORDER BY 1",
     "SELECT eventName, count(*) AS n FROM t WHERE eventName LIKE '%Bucket%' GROUP BY 1 ORDER BY 1"),
    ("regions", "distinct regions per account",
     "SELECT recipientAccountId, count(DISTINCT awsRegion) AS regions FROM bench GROUP BY 1 ORDER BY 1",
     "SELECT recipientAccountId, count(DISTINCT awsRegion) AS regions FROM t GROUP BY 1 ORDER BY 1"),
    ("denied-principals", "AccessDenied by principal",
     "SELECT userIdentity.arn AS principal, count(*) AS n FROM bench WHERE errorCode = 'AccessDenied' "
     "GROUP BY 1 ORDER BY n DESC, principal LIMIT 10",
     "SELECT userIdentity.arn AS principal, count(*) AS n FROM t WHERE errorCode = 'AccessDenied' "
     "GROUP BY 1 ORDER BY n DESC, principal LIMIT 10"),
]

DUCK_COLUMNS = (
    "STRUCT(eventVersion VARCHAR, userIdentity STRUCT(\"type\" VARCHAR, principalId VARCHAR, arn VARCHAR, "
    "accountId VARCHAR, accessKeyId VARCHAR, userName VARCHAR, invokedBy VARCHAR, sessionContext JSON), "
    "eventTime TIMESTAMP, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, "
    "userAgent VARCHAR, errorCode VARCHAR, errorMessage VARCHAR, requestParameters JSON, responseElements JSON, "
    "additionalEventData JSON, requestID VARCHAR, eventID VARCHAR, readOnly BOOLEAN, resources JSON, "
    "eventType VARCHAR, managementEvent BOOLEAN, recipientAccountId VARCHAR, eventCategory VARCHAR, "
    "tlsDetails JSON)[]"
)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def timed(cmd, stdin=None):
    """Runs cmd; returns (wall seconds, peak RSS in bytes or None, stdout)."""
    time_bin = Path("/usr/bin/time").exists()
    full = (["/usr/bin/time", "-f", "%M"] + cmd) if time_bin else cmd
    started = time.perf_counter()
    p = subprocess.run(full, input=stdin, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    peak = None
    if time_bin:
        last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
        peak = int(last) * 1024 if last.isdigit() else None
    return wall, peak, p.stdout


def folder_bytes(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def rows_of(csv_text):
    rows = list(csv.reader(io.StringIO(csv_text)))
    return rows[1:] if rows else []


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="events per dataset, comma separated")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per query and engine (median reported)")
    ap.add_argument("--ingest-runs", type=int, default=3, help="ingest runs per engine (median reported); 0 reuses the stores of the last run "
                    "and times queries only")
    ap.add_argument("--work", default="/tmp/auditlake-bench", help="scratch folder (data is kept for reruns)")
    ap.add_argument("--binary", help="the auditlake binary (default: the release build)")
    ap.add_argument("--readme", action="store_true", help="write the results table into benches/README.md")
    args = ap.parse_args()

    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = args.binary or str(target / "release" / "auditlake")
    if not args.binary:
        print("building the release binary…", file=sys.stderr)
        subprocess.run(["cargo", "build", "--release", "--workspace"], cwd=ROOT, check=True)
    if not shutil.which("duckdb"):
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "duckdb-cli"], check=True)
    duck = shutil.which("duckdb")
    duck_version = run([duck, "--version"]).stdout.strip()
    ours_version = run([binary, "--version"]).stdout.strip()

    work = Path(args.work)
    results = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.node()} · {os.cpu_count()} cores · {platform.platform()}",
        "auditlake": ours_version,
        "duckdb": duck_version,
        "sizes": [],
    }
    for size in [int(s) for s in args.sizes.split(",")]:
        results["sizes"].append(bench_size(binary, duck, work / str(size), size, args))
    out = ROOT / "benches" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{results['date']}{'' if args.ingest_runs else '-queries'}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    print(table)
    print(f"results: {path}", file=sys.stderr)
    if args.readme:
        readme = ROOT / "benches" / "README.md"
        text = readme.read_text()
        begin, end = "<!-- results:begin -->", "<!-- results:end -->"
        if begin in text and end in text:
            text = text[: text.index(begin) + len(begin)] + "\n" + table + text[text.index(end):]
            readme.write_text(text)


def bench_size(binary, duck, work, size, args):
    logs = work / "logs"
    if not (work / "generated.json").exists():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        per_day = -(-size // DAYS)
        doc = run([binary, "--output", "json", "generate", "--out", str(logs), "--days", str(DAYS),
                   "--start", START, "--events-per-day", str(per_day)]).stdout
        (work / "generated.json").write_text(doc)
    generated = json.loads((work / "generated.json").read_text())
    events, input_bytes = generated["events"], generated["bytes"]
    print(f"{events:,} events in {generated['files']:,} files ({input_bytes / 2**20:.1f} MiB gzipped)",
          file=sys.stderr)

    lake, duck_out = work / "lake", work / "duck"
    ingest_sql = (
        "SET threads=%d;\nCOPY (SELECT r.*, strftime(r.eventTime, '%%Y-%%m-%%d') AS eventday FROM "
        "(SELECT unnest(Records) AS r FROM read_json('%s/**/*.json.gz', format='unstructured', "
        "maximum_object_size=1073741824, columns={'Records': '%s'}))) TO '%s' "
        "(FORMAT parquet, PARTITION_BY (eventday), COMPRESSION zstd);\n"
        % (os.cpu_count() or 2, logs, DUCK_COLUMNS, duck_out)
    )
    ingest = {"ours": [], "duckdb": []}
    if args.ingest_runs == 0 and not (lake.exists() and duck_out.exists()):
        sys.exit(f"--ingest-runs 0 needs the stores of an earlier run in {work}")
    for _ in range(args.ingest_runs):
        shutil.rmtree(lake, ignore_errors=True)
        run([binary, "--lake", str(lake), "eds", "create", "bench", "--retention-days", "3653"])
        wall, peak, _ = timed([binary, "--lake", str(lake), "ingest", "--eds", "bench", str(logs)])
        ingest["ours"].append((wall, peak, folder_bytes(lake / "eventdatastores")))
        shutil.rmtree(duck_out, ignore_errors=True)
        wall, peak, _ = timed([duck], stdin=ingest_sql)
        ingest["duckdb"].append((wall, peak, folder_bytes(duck_out)))

    def ingest_row(runs):
        wall = statistics.median(r[0] for r in runs)
        peaks = [r[1] for r in runs if r[1] is not None]
        return {"seconds": round(wall, 3), "events_per_second": round(events / wall),
                "input_mb_per_second": round(input_bytes / 1e6 / wall, 1),
                "peak_memory_bytes": max(peaks) if peaks else None, "output_bytes": runs[-1][2],
                "output_vs_gzip_input": round(runs[-1][2] / input_bytes, 3)}

    row = {"events": events, "files": generated["files"], "input_bytes": input_bytes, "ingest": None,
           "queries": []}
    if args.ingest_runs > 0:
        row["ingest"] = {"ours": ingest_row(ingest["ours"]), "duckdb": ingest_row(ingest["duckdb"])}
        row["ingest"]["ratio_events_per_second"] = round(
            row["ingest"]["ours"]["events_per_second"] / row["ingest"]["duckdb"]["events_per_second"], 2)

    view = f"CREATE VIEW t AS SELECT * FROM read_parquet('{duck_out}/**/*.parquet', hive_partitioning=true);\n"
    for name, what, ours_sql, duck_sql in QUERIES:
        ours_cmd = [binary, "--lake", str(lake), "query", "--format", "csv", ours_sql]
        duck_cmd = [duck, "-csv", "-c", f"SET threads={os.cpu_count() or 2}; {view}{duck_sql}"]
        _, _, ours_out = timed(ours_cmd)  # warm-up, and the answers to compare
        _, _, duck_out_text = timed(duck_cmd)
        same = len(rows_of(ours_out)) == len(rows_of(duck_out_text))
        times = {"ours": [], "duckdb": []}
        for _ in range(args.runs):
            times["ours"].append(timed(ours_cmd)[0])
            times["duckdb"].append(timed(duck_cmd)[0])
        ours_t, duck_t = statistics.median(times["ours"]), statistics.median(times["duckdb"])
        row["queries"].append({"name": name, "question": what, "ours_seconds": round(ours_t, 4),
                               "duckdb_seconds": round(duck_t, 4), "ratio": round(ours_t / duck_t, 2),
                               "rows": len(rows_of(ours_out)), "same_row_count": same})
        print(f"  {name:<18} ours {ours_t:.3f}s  duckdb {duck_t:.3f}s  ratio {ours_t / duck_t:.2f}"
              f"{'' if same else '  (row counts differ!)'}", file=sys.stderr)
    row["median_query_ratio"] = round(statistics.median(q["ratio"] for q in row["queries"]), 2)
    return row


def markdown(results):
    out = [f"Run on {results['date']}, {results['machine']}; {results['auditlake']}, DuckDB {results['duckdb']}.", ""]
    for s in results["sizes"]:
        i = s["ingest"]
        mib = lambda b: f"{b / 2**20:.1f} MiB" if b is not None else "?"
        out += [f"### {s['events']:,} events, {s['files']:,} files, {mib(s['input_bytes'])} gzipped", ""]
        if i is None:
            out += ["(queries only: stores of an earlier run)", ""]
        else:
            out += ["| ingest | seconds | events/s | input MB/s | peak memory | bytes written | vs gzip input |",
                "|---|---:|---:|---:|---:|---:|---:|"]
            for engine in ("ours", "duckdb"):
                e = i[engine]
                out.append(f"| {'auditlake' if engine == 'ours' else 'DuckDB'} | {e['seconds']:.2f} | "
                       f"{e['events_per_second']:,} | {e['input_mb_per_second']} | {mib(e['peak_memory_bytes'])} | "
                       f"{mib(e['output_bytes'])} | {e['output_vs_gzip_input']:.2f}× |")
            out += ["", f"Ingest events/s ratio (auditlake / DuckDB): **{i['ratio_events_per_second']}×**.", ""]
        out += ["| query | auditlake s | DuckDB s | ratio | rows |", "|---|---:|---:|---:|---:|"]
        for q in s["queries"]:
            out.append(f"| {q['name']}: {q['question']} | {q['ours_seconds']:.3f} | {q['duckdb_seconds']:.3f} | "
                       f"{q['ratio']:.2f} | {q['rows']}{'' if q['same_row_count'] else ' (differs)'} |")
        out += ["", f"Median query ratio: **{s['median_query_ratio']}×** (below 1: auditlake is faster).", ""]
    return "\n".join(out)


if __name__ == "__main__":
    main()
