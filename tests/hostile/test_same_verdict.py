"""Both engines give the same whole finding on the same bad cell (issue 9, part 9, cell rules)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradecli.read import flows

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


# --- the whole bad corpus's kinds of trouble, fuzzed through both engines -------------------------

_CELLS = st.sampled_from([
    "IND", "PER", "CHL", "in", " IND ", "", " ", "export", "import", "total", "exports", "2024", "FY2024-25", "2024-25",
    "٢٠٢٤", "USD", "US$", "usd", "1", "933", "-5", "1,000", '"1,000"', "1e400", "inf", "nan", "NaN", "1_000", " 7 ",
    "0x10", "1.", ".5", "+3", "reported", "guess", "approximate;preliminary", '"a\nb"', '"a,b"', '"q""q"', '""',
    "\x1b[2J", "=cmd", "a\x00b", '"', 'x"y', "\r", "\tIND", "USD\t", "\xa0PER", "\u3000export",
])  # fmt: skip
_ROW = st.lists(_CELLS, min_size=10, max_size=12).map(",".join)
_ENDS = st.sampled_from(["\n", "\r\n", "\n\n", "\r\n\r\n"])


def _check(path: Path, engine: str) -> list[dict]:
    before = os.environ.get("TRADECLI_ENGINE")
    os.environ["TRADECLI_ENGINE"] = engine
    try:
        return [p.as_dict() for p in flows.check([path])]
    finally:
        if before is None:
            del os.environ["TRADECLI_ENGINE"]
        else:
            os.environ["TRADECLI_ENGINE"] = before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_ENDS, _ROW), min_size=1, max_size=5), st.booleans())
def test_a_fuzzed_file_gets_the_same_findings_from_both_engines(rows, final_newline):
    pytest.importorskip("duckdb")
    text = HEADER.rstrip("\n") + "".join(end + row for end, row in rows) + ("\n" if final_newline else "")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(text.encode())
        assert _check(path, "duckdb") == _check(path, "pandas")


# Found by the hostile run: DuckDB renamed a column called "line" (its own line number's name),
# stopped at a repeated column name, and stripped only spaces where pandas strips all white space.
ODD_FILES = {
    "a column called line": "reporter,partner,flow,period,currency,value,source,quote,line\nIND,PER,export,2024,USD,1,s,q,1\n",
    "a repeated column": "reporter,partner,flow,period,currency,value,source,quote,value\nIND,PER,export,2024,USD,1,s,q,2\n",
    "codes padded with TAB and NBSP": (
        "reporter,partner,flow,period,currency,value,source,quote\n\tIND,\xa0PER,export ,2024,USD\t,\t7 ,s,q\n"
    ),
    "a TAB before a bad code": "reporter,partner,flow,period,currency,value,source,quote\n\tin,PER,export,2024,USD,1,s,q\n",
}


@pytest.mark.parametrize("text", ODD_FILES.values(), ids=ODD_FILES.keys())
def test_odd_headers_and_padding_get_the_same_findings(tmp_path, text):
    pytest.importorskip("duckdb")
    path = tmp_path / "odd.csv"
    path.write_text(text, encoding="utf-8")
    assert _check(path, "duckdb") == _check(path, "pandas")
