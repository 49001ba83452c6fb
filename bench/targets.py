"""Benchmark: the speed targets of issue 10 on the 10,000,000-row file, each against its yardstick, in one run.

Usage:  python bench/targets.py [--runs 3] [--dir /tmp] [--only one-parquet,one-csv,all-parquet,validate,validate-64]

Each row runs tradecli and its yardstick alternately (A B A B ...), as whole processes, and
prints the medians of wall and CPU seconds (user + system, all threads) and the peak memory:

  one-parquet   tradecli balance --data F.parquet --reporter PER -f csv   against DuckDB SQL (bench/scale.py's)
  one-csv       the same from the CSV file                                 against DuckDB SQL
  all-parquet   tradecli balance --data F.parquet --reporter all -f csv   against DuckDB SQL
  validate      tradecli validate F.csv                                    against pandas.read_csv(F.csv)
  validate-64   tradecli validate on a 64 MiB file (auto engine)           against TRADECLI_ENGINE=pandas

For the one-reporter rows the target is on the time above the `import pandas` floor, which
is measured in the same run: (tradecli - import pandas) / DuckDB SQL <= 1.25.
The files come from bench/scale.py and bench/validate_vs_read_csv.py (generated once).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import scale  # bench/ is on the path when a script here runs
import validate_vs_read_csv
from _process import measure

TARGETS = {"one-parquet": 1.25, "one-csv": 1.25, "all-parquet": 1.5, "validate": 1.25, "validate-64": 1.0}


def median(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Median wall and CPU seconds, and the largest peak memory, of runs of (wall, MiB, CPU)."""
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), statistics.median(r[2] for r in runs)


class Spill:
    """The most DuckDB spilled at once: the largest total size of the tradecli-duckdb-* temp dirs seen while polled."""

    def __init__(self) -> None:
        self.most = 0

    def __call__(self) -> None:
        size = 0
        for directory in Path(tempfile.gettempdir()).glob("tradecli-duckdb-*"):
            try:
                size += sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
            except OSError:
                pass  # removed while we looked
        self.most = max(self.most, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--only", default=",".join(TARGETS))
    args = parser.parse_args()

    parquet, csv = scale.generate(Path(args.dir), 81)
    small = Path(args.dir) / "tradecli-bench-1000000.csv"
    if not small.exists():
        validate_vs_read_csv.generate(small, 1_000_000)
    tradecli = shutil.which("tradecli") or sys.exit("tradecli is not on PATH: pip install '.[big]' first")
    python = sys.executable
    floor = [python, "-c", "import pandas"]
    questions = {
        "one-parquet": ([tradecli, "balance", "--data", str(parquet), "--reporter", "PER", "-f", "csv"], None,
                        [python, "-c", scale.duckdb_sql(parquet, "PER")], "DuckDB SQL"),
        "one-csv": ([tradecli, "balance", "--data", str(csv), "--reporter", "PER", "-f", "csv"], None,
                    [python, "-c", scale.duckdb_sql(csv, "PER")], "DuckDB SQL"),
        "all-parquet": ([tradecli, "balance", "--data", str(parquet), "--reporter", "all", "-f", "csv"], None,
                        [python, "-c", scale.duckdb_sql(parquet, None)], "DuckDB SQL"),
        "validate": ([tradecli, "validate", str(csv), "-f", "csv"], None,
                     [python, "-c", f"import pandas; pandas.read_csv({str(csv)!r})"], "read_csv"),
        "validate-64": ([tradecli, "validate", str(small), "-f", "csv"], None,
                        [tradecli, "validate", str(small), "-f", "csv"], "pandas engine"),
    }  # fmt: skip
    chosen = [q for q in args.only.split(",") if q in questions]
    print(f"{args.runs} runs each, alternating; wall and CPU are medians, memory the largest peak", flush=True)
    print(f"{'question':<12} {'tool':<14} {'wall s':>7} {'CPU s':>7} {'MiB':>6}   ratio (target)", flush=True)
    for name in chosen:
        command, env, peer, peer_name = questions[name]
        peer_env = {"TRADECLI_ENGINE": "pandas"} if name == "validate-64" else None
        one = name.startswith("one-")
        runs: dict[str, list] = {"tradecli": [], peer_name: [], **({"import pandas": []} if one else {})}
        spill = Spill()
        for _ in range(args.runs):
            runs["tradecli"].append(measure(command, env, spill))
            runs[peer_name].append(measure(peer, peer_env))
            if one:
                runs["import pandas"].append(measure(floor))
        got = {tool: median(r) for tool, r in runs.items()}
        for tool, (wall, mib, cpu) in got.items():
            print(f"{name:<12} {tool:<14} {wall:>7.2f} {cpu:>7.2f} {mib:>6.0f}", flush=True)
        (wall, mib, cpu), (pwall, pmib, pcpu) = got["tradecli"], got[peer_name]
        fwall, _, fcpu = got.get("import pandas", (0.0, 0.0, 0.0))
        above = "above the import-pandas floor " if one else ""
        print(
            f"{name:<12} ratio {above}wall {(wall - fwall) / pwall:.2f}x, CPU {(cpu - fcpu) / pcpu:.2f}x, "
            f"memory {mib / pmib:.2f}x (target {TARGETS[name]}x); DuckDB's temp spill at most {spill.most / 2**20:.0f} MiB "
            f"in {tempfile.gettempdir()}",
            flush=True,
        )


if __name__ == "__main__":
    main()
