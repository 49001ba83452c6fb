"""Benchmark: `tradecli validate` on a 1,000,000-row flows file against pandas' own read_csv.

Usage:  python bench/validate_vs_read_csv.py [--rows 1000000] [--runs 5] [--dir /tmp]

Generates a seeded synthetic file in the flows.csv schema, then runs the two whole processes
alternately (A B A B ...) and prints each one's median wall time and peak memory and the ratio.
Both timings include starting Python and importing pandas, as a user sees them.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
from pathlib import Path

from _process import run  # bench/ is on the path when a script here runs

HEADER = "id,reporter,partner,flow,period,currency,value,status,source,quote,note\n"
PARTNERS = ["PER", "CHL", "BRA", "ARG", "MEX", "COL", "ECU", "BOL", "URY", "PRY"]
CURRENCIES = ["USD", "EUR", "GBP", "JPY", "INR", "NZD", "AUD", "CAD", "CHF", "CNY"]


def generate(path: Path, rows: int, seed: int = 20261122) -> None:
    """Write ``rows`` distinct valid figures (reporter IND), reproducibly."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(HEADER)
        written = 0
        year = 1000
        while written < rows:
            for partner in PARTNERS:
                for flow in ("export", "import"):
                    for currency in CURRENCIES:
                        if written == rows:
                            return
                        value = rng.uniform(0, 10_000)
                        handle.write(f",IND,{partner},{flow},{year},{currency},{value:.2f},reported,synthetic,generated row,\n")
                        written += 1
            year += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", default="/tmp")
    args = parser.parse_args()

    path = Path(args.dir) / f"tradecli-bench-{args.rows}.csv"
    if not path.exists():
        generate(path, args.rows)
    tradecli = shutil.which("tradecli") or sys.exit("tradecli is not on PATH: pip install . first")
    commands = {
        "tradecli validate": [tradecli, "validate", str(path), "--format", "csv"],
        "pandas read_csv": [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"],
    }
    for command in commands.values():  # warm-up: file cache, .pyc
        run(command)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            results[name].append(run(command))

    print(f"{args.rows:,} rows, {path.stat().st_size / 2**20:.0f} MiB, {args.runs} runs each, alternating")
    print(f"{'command':<20} {'median s':>9} {'peak MiB':>9}")
    medians = {}
    for name, runs in results.items():
        medians[name] = statistics.median(w for w, _ in runs)
        print(f"{name:<20} {medians[name]:>9.2f} {max(m for _, m in runs):>9.0f}")
    print(f"ratio validate / read_csv: {medians['tradecli validate'] / medians['pandas read_csv']:.2f} (target <= 2.00)")


if __name__ == "__main__":
    main()
