"""Benchmark: `tradecli products` on a 10,000,000-row HS-level flows file (DuckDB engine), against DuckDB SQL.

Usage:  python bench/products_scale.py [--reporters 20] [--partners 50] [--years 5] [--codes 1000] [--runs 3] [--dir /tmp]

Generates (once, deterministically) reporters (real ISO3 codes of data/countries.csv) trading with
partners and the World (WLD) in ``codes`` HS-6 subheadings under ``codes // 10`` headings, each
flow and year: 20 × (49 + WLD) × 5 × 1,000 × 2 = 10,000,000 rows, as Parquet and as CSV. Then
times, alternating run by run:

  tradecli   tradecli products PARTNER --reporter R --data F --level 4 --world --format csv
  duckdb     the same rows summed to headings with the World share, in one SQL query

and prints the median wall time, the peak memory (largest process) and tradecli's ratio to DuckDB.
Needs duckdb (pip install '.[big]').
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

from _process import run  # bench/ is on the path when a script here runs
from scale import iso3


def generate(directory: Path, reporters: int, partners: int, years: int, codes: int) -> tuple[Path, Path]:
    """Write the synthetic HS-6 table as Parquet and CSV, once (values from a hash: the same every time)."""
    import duckdb

    countries = iso3()
    chosen_reporters = countries[:reporters]
    chosen_partners = [*countries[reporters : reporters + partners - 1], "WLD"]
    stem = directory / f"tradecli-products-{reporters}x{partners}x{years}x{codes}"
    parquet, csv = stem.with_suffix(".parquet"), stem.with_suffix(".csv")
    if parquet.exists() and csv.exists():
        return parquet, csv
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(
        "CREATE TABLE flows AS "
        "SELECT r.code AS reporter, p.code AS partner, f.flow, (2024 - y)::VARCHAR AS period, 'USD' AS currency, "
        # The World's figure is larger than any one partner's (about 40 times), as it is in real data.
        "round((hash(r.code, p.code, y, f.flow, c) % 1000000) / 100.0 * CASE WHEN p.code = 'WLD' THEN 40 ELSE 1 END, 2) "
        "AS value, 'reported' AS status, 'synthetic' AS source, 'generated' AS quote, "
        "lpad(CAST(100000 + c * 10 + (c % 7) AS VARCHAR), 6, '0') AS product "
        "FROM unnest($reporters) r(code), unnest($partners) p(code), range($years) t(y), range($codes) k(c), "
        "(VALUES ('export'), ('import')) f(flow) "
        "ORDER BY r.code, p.code, y, f.flow, c",
        {"reporters": chosen_reporters, "partners": chosen_partners, "years": years, "codes": codes},
    )
    con.execute("COPY flows TO $path (FORMAT parquet)", {"path": str(parquet)})
    con.execute("COPY flows TO $path (FORMAT csv, HEADER)", {"path": str(csv)})
    return parquet, csv


def duckdb_sql(source: Path, reporter: str, partner: str) -> str:
    read = f"read_parquet('{source}')" if source.suffix == ".parquet" else f"read_csv('{source}', all_varchar = true)"
    return f"""
import duckdb
duckdb.execute('''COPY (
  WITH f AS (SELECT partner, flow, period, left(product, 4) AS heading, sum(CAST(value AS DOUBLE)) AS value
             FROM {read} WHERE reporter = '{reporter}' AND partner IN ('{partner}', 'WLD') GROUP BY ALL),
       p AS (SELECT * FROM f WHERE partner = '{partner}' AND period = (SELECT max(period) FROM f)),
       w AS (SELECT * FROM f WHERE partner = 'WLD')
  SELECT p.flow, p.heading, p.value, 100 * p.value / sum(p.value) OVER (PARTITION BY p.flow) AS share_pct,
         100 * p.value / w.value AS world_share_pct
  FROM p LEFT JOIN w USING (flow, period, heading) ORDER BY p.flow, p.value DESC
) TO '/dev/null' (FORMAT csv, HEADER)''')
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=20)
    parser.add_argument("--partners", type=int, default=50, help="partners per reporter, the World included")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--codes", type=int, default=1000, help="HS-6 codes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--only", choices=["parquet", "csv"], help="one file format only")
    args = parser.parse_args()

    parquet, csv = generate(Path(args.dir), args.reporters, args.partners, args.years, args.codes)
    tradecli = shutil.which("tradecli") or sys.exit("tradecli is not on PATH: pip install '.[big]' first")
    countries = iso3()
    reporter, partner = countries[0], countries[args.reporters]
    rows = args.reporters * args.partners * args.years * args.codes * 2
    print(f"{rows:,} rows; Parquet {parquet.stat().st_size / 2**20:.0f} MiB, CSV {csv.stat().st_size / 2**20:.0f} MiB; "
          f"products {partner} --reporter {reporter} --level 4 --world; {args.runs} runs each, tools alternating")  # fmt: skip
    print(f"{'file':<8} {'tool':<10} {'median s':>9} {'peak MiB':>9} {'vs duckdb':>10}")
    for source in [s for s in (parquet, csv) if args.only in (None, s.suffix[1:])]:
        tools = {
            "tradecli": [tradecli, "products", partner, "--reporter", reporter, "--data", str(source),
                         "--level", "4", "--world", "--format", "csv"],
            "duckdb": [sys.executable, "-c", duckdb_sql(source, reporter, partner)],
        }  # fmt: skip
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in tools}
        for _ in range(args.runs):
            for name, command in tools.items():
                results[name].append(run(command))
        base = statistics.median(w for w, _ in results["duckdb"])
        base_mem = max(m for _, m in results["duckdb"])
        for name, measured in results.items():
            wall = statistics.median(w for w, _ in measured)
            mem = max(m for _, m in measured)
            ratios = f"{wall / base:>6.2f}× t {mem / base_mem:.2f}× m"
            print(f"{source.suffix[1:]:<8} {name:<10} {wall:>9.2f} {mem:>9.0f} {ratios}", flush=True)


if __name__ == "__main__":
    main()
