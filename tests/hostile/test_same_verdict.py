"""Both engines give the same whole finding on the same bad cell (issue 9, part 9, cell rules)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADER = "id,reporter,partner,flow,period,currency,value,status,source,quote,note\n"
GOOD = ["a", "IND", "PER", "export", "2024", "USD", "1", "reported", "s", "q", ""]
BAD_CELLS = [
    ("reporter", "in"), ("partner", "P;E"), ("flow", "exports"), ("currency", "US$"),
    ("period", "2024-25"), ("period", "٢٠٢٤"), ("status", "guess"), ("partner", "\x1b[2J"),
]  # fmt: skip


def findings(path: Path, engine: str) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRADECLI_ENGINE": engine}
    result = subprocess.run(
        [sys.executable, "-m", "tradecli", "validate", str(path), "-f", "csv"], env=env, capture_output=True, timeout=60
    )
    assert result.returncode == 1, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout.decode(), newline="")))


@pytest.mark.parametrize(("column", "value"), BAD_CELLS)
def test_the_engines_agree_on_the_whole_finding(tmp_path, column, value):
    row = list(GOOD)
    row[HEADER.strip().split(",").index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + out.getvalue(), encoding="utf-8")
    pandas, duckdb = findings(path, "pandas"), findings(path, "duckdb")
    assert pandas == duckdb
    assert [(f["line"], f["column"]) for f in pandas] == [("2", column)]
