"""Benchmark: the same questions on the 10M-row file with DuckDB and with Spark local[2], in one run.

Usage:  python bench/spark.py [--years 81] [--reporter PER] [--runs 1] [--dir /tmp] [--only parquet|csv]

Uses bench/scale.py's file (every ISO3 country reporting exports and imports with every other for
81 years, 10,003,824 rows, generated once) and times whole processes of

  one reporter    tradecli balance --data F --reporter R --format csv --engine duckdb|spark
  all reporters   tradecli balance --data F --reporter all --format csv --engine duckdb|spark

Spark runs a local session with two threads (TRADECLI_SPARK_MASTER=local[2]) bound to 127.0.0.1;
its time includes starting the session (about 10 s here). The two engines' CSV answers are compared
(byte for byte) on the one-reporter question. Needs tradecli[spark] and Java 17.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from _process import run  # bench/ is on the path when a script here runs
from scale import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=81)
    parser.add_argument("--reporter", default="PER")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--only", choices=["parquet", "csv"], default="parquet")
    parser.add_argument("--questions", default="one,all")
    args = parser.parse_args()

    parquet, csv = generate(Path(args.dir), args.years)
    source = parquet if args.only == "parquet" else csv
    tradecli = shutil.which("tradecli") or sys.exit("tradecli is not on PATH: pip install '.[spark]' first")
    os.environ.update(TRADECLI_SPARK_MASTER="local[2]", SPARK_LOCAL_IP="127.0.0.1")
    print(f"{source.name}: {source.stat().st_size / 2**20:.0f} MiB; {args.runs} run(s) each")
    print(f"{'question':<14} {'engine':<8} {'median s':>9} {'vs duckdb':>10}")
    for question in args.questions.split(","):
        reporter = args.reporter if question == "one" else "all"
        label = "one reporter" if question == "one" else "all reporters"
        times: dict[str, float] = {}
        for engine in ("duckdb", "spark"):  # each printed when done: Spark's all-reporters run is long
            command = [tradecli, "balance", "--data", str(source), "--reporter", reporter, "-f", "csv", "--engine", engine]
            times[engine] = statistics.median(run(command)[0] for _ in range(args.runs))
            print(f"{label:<14} {engine:<8} {times[engine]:>9.2f} {times[engine] / times['duckdb']:>9.1f}×", flush=True)
        if question == "one":
            answers = {
                e: hashlib.sha256(subprocess.run([tradecli, "balance", "--data", str(source), "--reporter", reporter, "-f",
                                                  "csv", "--engine", e], capture_output=True, check=True).stdout).hexdigest()
                for e in ("duckdb", "spark")
            }  # fmt: skip
            assert answers["duckdb"] == answers["spark"], "the engines' answers differ"
            print("one reporter: the same answer from both engines", flush=True)


if __name__ == "__main__":
    main()
