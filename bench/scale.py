"""Benchmark: tradecli on a 10,000,000-row flows file against DuckDB SQL, plain pandas and polars.

Usage:  python bench/scale.py [--years 81] [--reporter PER] [--runs 3] [--dir /tmp]

Generates (once, deterministically) every country of data/countries.csv (real ISO3 codes)
reporting exports and imports with every other for 81 years, 249 × 248 × 81 × 2 = 10,003,824
rows, as Parquet and as CSV, then runs each tool on the same questions, alternating tools run by run, and prints the
median wall time, the peak memory (largest process) and tradecli's ratio to DuckDB:

  one reporter    tradecli balance --data F --reporter R --format csv
  all reporters   tradecli balance --data F --reporter all --format csv

Each peer computes the same table (exports, imports, total, balance, ratio per reporter ×
partner × period) from the same file and writes CSV to /dev/null. Needs duckdb; pandas is
there with tradecli; polars is used if installed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

from _process import run  # bench/ is on the path when a script here runs

COUNTRIES = Path(__file__).resolve().parent.parent / "data" / "countries.csv"


def iso3() -> list[str]:
    """The ISO 3166-1 alpha-3 codes of data/countries.csv, in order."""
    import csv

    with open(COUNTRIES, encoding="utf-8", newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def generate(directory: Path, years: int) -> tuple[Path, Path]:
    """Write the synthetic table as Parquet and CSV, once (values from a hash: the same every time).

    Every country reports its exports to and imports from every other country (real ISO3
    codes, never itself), for ``years`` calendar years: 249 × 248 × 81 × 2 = 10,003,824 rows.
    """
    import duckdb

    codes = iso3()
    stem = directory / f"tradecli-iso3-{len(codes)}x{years}"
    parquet, csv = stem.with_suffix(".parquet"), stem.with_suffix(".csv")
    if parquet.exists() and csv.exists():
        return parquet, csv
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(
        "CREATE TABLE flows AS "
        "SELECT r.code AS reporter, p.code AS partner, f.flow, (2024 - y)::VARCHAR AS period, 'USD' AS currency, "
        "round((hash(r.code, p.code, y, f.flow) % 10000000) / 100.0, 2) AS value, "
        "'reported' AS status, 'synthetic' AS source, 'generated' AS quote "
        "FROM unnest($codes) r(code), unnest($codes) p(code), range($years) t(y), "
        "(VALUES ('export'), ('import')) f(flow) WHERE r.code <> p.code "
        "ORDER BY r.code, p.code, y, f.flow",
        {"codes": codes, "years": years},
    )
    con.execute("COPY flows TO $path (FORMAT parquet)", {"path": str(parquet)})
    con.execute("COPY flows TO $path (FORMAT csv, HEADER)", {"path": str(csv)})
    return parquet, csv


def duckdb_sql(source: Path, reporter: str | None) -> str:
    where = f"WHERE reporter = '{reporter}'" if reporter else ""
    read = f"read_parquet('{source}')" if source.suffix == ".parquet" else f"read_csv('{source}')"
    return f"""
import duckdb
duckdb.execute('''COPY (
  SELECT reporter, partner, period, exports, imports, exports + imports AS total, exports - imports AS balance,
         exports / nullif(imports, 0) AS export_import_ratio
  FROM (SELECT reporter, partner, period, max(value) FILTER (WHERE flow = 'export') AS exports,
               max(value) FILTER (WHERE flow = 'import') AS imports
        FROM {read} {where} GROUP BY ALL)
) TO '/dev/null' (FORMAT csv, HEADER)''')
"""


def pandas_script(source: Path, reporter: str | None) -> str:
    read = (
        f"pd.read_parquet({str(source)!r}, columns=['reporter','partner','flow','period','value']"
        + (f", filters=[('reporter', '==', {reporter!r})])" if reporter else ")")
        if source.suffix == ".parquet"
        else f"pd.read_csv({str(source)!r}, usecols=['reporter','partner','flow','period','value'])"
    )
    keep = f"\nf = f[f['reporter'] == {reporter!r}]" if reporter and source.suffix != ".parquet" else ""
    return f"""
import pandas as pd
f = {read}{keep}
w = f.pivot_table(index=['reporter','partner','period'], columns='flow', values='value', aggfunc='first').reset_index()
w = w.assign(total=w['export'] + w['import'], balance=w['export'] - w['import'], ratio=w['export'] / w['import'])
w.to_csv('/dev/null', index=False)
"""


def polars_script(source: Path, reporter: str | None) -> str:
    scan = f"pl.scan_parquet({str(source)!r})" if source.suffix == ".parquet" else f"pl.scan_csv({str(source)!r})"
    where = f".filter(pl.col('reporter') == {reporter!r})" if reporter else ""
    return f"""
import polars as pl
q = ({scan}{where}
     .group_by('reporter', 'partner', 'period')
     .agg(exports=pl.col('value').filter(pl.col('flow') == 'export').first(),
          imports=pl.col('value').filter(pl.col('flow') == 'import').first())
     .with_columns(total=pl.col('exports') + pl.col('imports'), balance=pl.col('exports') - pl.col('imports'),
                   ratio=pl.col('exports') / pl.col('imports')))
q.collect().write_csv('/dev/null')
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=81)
    parser.add_argument("--reporter", default="PER", help="the reporter of the one-reporter question")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--only", choices=["parquet", "csv"], help="one file format only")
    parser.add_argument("--questions", default="one,all", help="one,all")
    args = parser.parse_args()

    parquet, csv = generate(Path(args.dir), args.years)
    tradecli = shutil.which("tradecli") or sys.exit("tradecli is not on PATH: pip install '.[big]' first")
    try:
        import polars  # noqa: F401

        has_polars = True
    except ImportError:
        has_polars = False

    countries = len(iso3())
    rows = countries * (countries - 1) * args.years * 2
    print(f"{rows:,} rows; Parquet {parquet.stat().st_size / 2**20:.0f} MiB, CSV {csv.stat().st_size / 2**20:.0f} MiB; "
          f"{args.runs} runs each, tools alternating")  # fmt: skip
    print(f"{'file':<8} {'question':<14} {'tool':<10} {'median s':>9} {'peak MiB':>9} {'vs duckdb':>10}")
    for source in [s for s in (parquet, csv) if args.only in (None, s.suffix[1:])]:
        for question in args.questions.split(","):
            reporter = args.reporter if question == "one" else None
            tools = {
                "tradecli": [tradecli, "balance", "--data", str(source), "--reporter", reporter or "all", "--format", "csv"],
                "duckdb": [sys.executable, "-c", duckdb_sql(source, reporter)],
                "pandas": [sys.executable, "-c", pandas_script(source, reporter)],
            }
            if has_polars:
                tools["polars"] = [sys.executable, "-c", polars_script(source, reporter)]
            results: dict[str, list[tuple[float, float]]] = {name: [] for name in tools}
            for _ in range(args.runs):
                for name, command in tools.items():
                    results[name].append(run(command))
            base = statistics.median(w for w, _ in results["duckdb"])
            base_mem = max(m for _, m in results["duckdb"])
            for name, runs in results.items():
                wall = statistics.median(w for w, _ in runs)
                mem = max(m for _, m in runs)
                label = "one reporter" if reporter else "all reporters"
                ratios = f"{wall / base:>6.2f}× t {mem / base_mem:.2f}× m"
                print(f"{source.suffix[1:]:<8} {label:<14} {name:<10} {wall:>9.2f} {mem:>9.0f} {ratios}", flush=True)


if __name__ == "__main__":
    main()
