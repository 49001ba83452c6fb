"""Benchmark: `tradecli import comtrade` on a bulk v1 file (tab-separated, gzipped) of many rows.

Usage:  python bench/comtrade_import.py [--reporters 250] [--partners 250] [--runs 3] [--dir /tmp]

Writes (once, deterministically) a bulk file with the 35 code columns of tests/fixtures/
comtrade_bulk_china_2010.txt.gz: every reporter × partner of Comtrade's M49 table × 2 flows,
country totals, and prints the median wall time and peak memory of importing it (whole
process, output to a file), and the rows per second.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import statistics
import sys
from pathlib import Path

from _process import run  # bench/ is on the path when a script here runs

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = gzip.decompress((ROOT / "tests/fixtures/comtrade_bulk_china_2010.txt.gz").read_bytes()).decode().split("\n")[0]


def generate(path: Path, reporters: int, partners: int) -> int:
    """The bulk file: one row per reporter × partner × flow; returns the row count."""
    with open(ROOT / "data/comtrade_areas.csv", encoding="utf-8", newline="") as handle:
        codes = [row["m49"] for row in csv.DictReader(handle) if row["code"] and not row["expired"] and row["m49"] != "0"]
    header = COLUMNS.split("\t")
    template = dict.fromkeys(header, "")
    template.update(typeCode="C", freqCode="A", refPeriodId="20230101", refYear="2023", refMonth="52", period="2023",
                    classificationCode="H6", classificationSearchCode="HS", isOriginalClassification="True",
                    cmdCode="TOTAL", aggrLevel="0", isLeaf="False", customsCode="C00", mosCode="0", motCode="0",
                    partner2Code="0", legacyEstimationFlag="0", isReported="True", isAggregate="False")  # fmt: skip
    rows = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as out:
        out.write(COLUMNS + "\n")
        for r in codes[:reporters]:
            for p in [c for c in codes if c != r][:partners]:
                for flow in ("M", "X"):
                    rows += 1
                    value = f"{(int(r) * 7919 + int(p) * 104729 + rows) % 10**11}.{rows % 100:02d}"
                    cells = dict(template, reporterCode=r, partnerCode=p, flowCode=flow, primaryValue=value)
                    out.write("\t".join(cells[h] for h in header) + "\n")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=250)
    parser.add_argument("--partners", type=int, default=250)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp"))
    args = parser.parse_args()
    path = args.dir / f"comtrade_bulk_{args.reporters}x{args.partners}.txt.gz"
    rows = generate(path, args.reporters, args.partners)
    tradecli = [sys.executable, "-m", "tradecli", "import", "comtrade", str(path), "-o", str(args.dir / "imported.csv")]
    times, peaks = zip(*(run(tradecli) for _ in range(args.runs)), strict=True)
    wall = statistics.median(times)
    print(f"{rows:,} rows, {path.stat().st_size / 2**20:.1f} MiB gzipped")
    print(f"tradecli import comtrade: {wall:.2f} s median of {args.runs}, peak {max(peaks):.0f} MiB, {rows / wall:,.0f} rows/s")


if __name__ == "__main__":
    main()
