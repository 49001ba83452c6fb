"""The fast paths of big inputs give exactly what the plain ones give (issue 10, speed).

Each fast path is checked against a plain reference computed here: Python's own ``repr`` and
``Decimal``, ``str.strip``, the spreadsheet rule's regular expressions applied unconditionally,
the Python CSV writer, and the pandas engine. Nothing here is timed (bench/ measures speed).
"""

from __future__ import annotations

import csv
import io
import math
import random
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tradecli import metrics, render
from tradecli.cli import app
from tradecli.render import safetext

runner = CliRunner()


def decimals_by_repr(x: float) -> int:
    """The decimals of a float's shortest exact form, worked out from its repr (0 for NaN and inf)."""
    if not math.isfinite(x):
        return 0
    return min(max(-Decimal(repr(x)).normalize().as_tuple().exponent, 0), metrics.MAX_DECIMALS)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=50), st.lists(st.integers(0, 12), max_size=50))
def test_decimals_in_numpy_are_those_of_repr(values, places):
    # Arbitrary floats, and the same floats rounded to a few decimals (figures as files write them).
    rounded = [round(v, p) if math.isfinite(v) and abs(v) < 1e300 else v for v, p in zip(values, places, strict=False)]
    every = values + rounded + [0.1 + 0.2, 56951.05, 2.0**53 + 2, 123456789012345.67, 1e-10, 1.5e-10, -0.0, 5e-324]
    assert metrics.decimals_of(every).tolist() == [decimals_by_repr(v) for v in every]


def test_decimals_of_many_figures_are_those_of_repr():
    rng = np.random.default_rng(20261203)
    raw = rng.uniform(-1e9, 1e9, 20_000)
    values = [round(v, int(p)) for v, p in zip(raw.tolist(), rng.integers(0, 11, raw.size).tolist(), strict=True)]
    values += rng.uniform(0, 1e18, 2_000).tolist()
    assert metrics.decimals_of(values).tolist() == [decimals_by_repr(v) for v in values]


def plain_csv_cell(text: str) -> str:
    """The spreadsheet rule with no shortcut: mark every fragment, then quote what a separator could split."""
    text = safetext._FRAGMENT.sub("\\1'\\2", text)
    return '"' + text.replace('"', '""') + '"' if safetext._SPLITS.search(text) else text


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=list("=+-@\t\r\n＝＋－＠,;|\"'a1 é"), max_size=8))
def test_csv_cell_shortcut_changes_nothing(text):
    assert safetext.csv_cell(text) == plain_csv_cell(text)


def hostile_frame(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    texts = ["=1+2", "PER", "'=x", "a,b", 'x"y', "\n=z", "-5", "＝A", "", None, "ñandú", "tab\tx", "@SUM", "a;=b"]
    return pd.DataFrame(
        {
            "text": pd.Series(rng.choice(np.array(texts, dtype=object), rows), dtype="object"),
            "value": np.where(rng.random(rows) < 0.1, np.nan, rng.normal(0, 1e6, rows) * rng.choice([1, 1e-8, 1e12], rows)),
            "noisy": rng.choice([0.1 + 0.2, -0.0, 1e16, 1e-5, 3.2400000000000091, 123456789.123456789, 1e289, 5e-324, 7.0], rows),
            "count": rng.integers(-(10**12), 10**12, rows),
            "code": pd.Series(rng.choice(["x", "y", None], rows), dtype="str"),
        }
    )


def test_csv_lines_by_duckdb_are_the_python_writers_bytes():
    pytest.importorskip("duckdb")
    frame = hostile_frame(5_000, 1)
    python, engine = io.StringIO(), io.StringIO()
    render.write_csv(frame, python, engine_rows=10**9)
    render.write_csv(frame, engine, engine_rows=1)
    assert engine.getvalue() == python.getvalue()
    assert len(list(csv.reader(io.StringIO(python.getvalue())))) == 5_001
    assert "'=1+2" in python.getvalue()
    assert '"a,b"' in python.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=list("=+-@\t\r\n＝＋－＠,;|\"'a1 é"), max_size=8)), max_size=30))
def test_csv_cells_is_csv_cell_on_every_cell(texts):
    for dtype in ("str", "object"):
        column = pd.Series(texts, dtype=dtype)
        expected = [plain_csv_cell("" if t is None else t) for t in texts]
        assert safetext.csv_cells(column).tolist() == expected


@pytest.mark.parametrize("engine_rows", [1, 10**9])
def test_vectorised_text_cells_write_the_same_bytes(monkeypatch, engine_rows):
    frame = hostile_frame(3_000, 2).assign(ids=[f"f.parquet:{n};f.parquet:{n + 1}" for n in range(3_000)])
    per_value = io.StringIO()
    render.write_csv(frame, per_value, engine_rows=engine_rows)
    monkeypatch.setattr(render, "BIG_TEXT_ROWS", 1)
    vectorised = io.StringIO()
    render.write_csv(frame, vectorised, engine_rows=engine_rows)
    assert vectorised.getvalue() == per_value.getvalue()
    assert '"f.parquet:0;f.parquet:1"' in per_value.getvalue()


def test_csv_lines_by_duckdb_go_to_a_byte_stream_unchanged():
    pytest.importorskip("duckdb")
    frame = hostile_frame(2_000, 3)
    text = io.StringIO()
    render.write_csv(frame, text, engine_rows=10**9)
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    stream.write("before\n")
    render.write_csv(frame, stream, engine_rows=1)
    stream.write("after\n")
    stream.flush()
    assert raw.getvalue().decode("utf-8") == "before\n" + text.getvalue() + "after\n"


def test_csv_cells_keeps_a_repeated_index():
    ids = pd.Series([f"=id{n}" if n % 1000 == 0 else f"id{n};x" for n in range(3_000)], index=[0] * 3_000, dtype="str")
    safe = safetext.csv_cells(ids)
    assert list(safe.index) == [0] * 3_000
    assert safe.tolist() == [plain_csv_cell(t) for t in ids]


def test_csv_lines_keep_the_line_ends_of_a_stream_that_translates_them():
    pytest.importorskip("duckdb")
    frame = hostile_frame(2_000, 4)
    python, engine = io.BytesIO(), io.BytesIO()
    for raw, rows in ((python, 10**9), (engine, 1)):
        stream = io.TextIOWrapper(raw, encoding="utf-8", newline="\r\n")
        render.write_csv(frame, stream, engine_rows=rows)
        stream.detach()  # flushed, and the bytes stay open
    assert engine.getvalue() == python.getvalue()
    assert engine.getvalue().count(b"\r\n") >= 2_001


def test_csv_lines_to_an_output_file_are_its_bytes(tmp_path):
    pytest.importorskip("duckdb")
    from tradecli.render.output import open_output, writes_as_is

    frame = hostile_frame(2_000, 5)
    expected = io.StringIO()
    render.write_csv(frame, expected, engine_rows=10**9)
    with open_output(tmp_path / "out.csv") as stream:
        assert writes_as_is(stream)
        stream.write("# before\n")
        render.write_csv(frame, stream, engine_rows=1)
    assert (tmp_path / "out.csv").read_bytes().decode("utf-8") == "# before\n" + expected.getvalue()
    assert not writes_as_is(io.StringIO())


def test_csv_by_duckdb_leaves_the_largest_floats_to_python(monkeypatch):
    pytest.importorskip("duckdb")
    frame = pd.DataFrame({"value": [1.0, 1.7976931348623157e308, -1e308]})
    out = io.StringIO()
    render.write_csv(frame, out, engine_rows=1)
    # 15 digits would round the largest float up to inf: it keeps all 17 (its repr), as the Python writer does.
    assert out.getvalue().splitlines() == ["value", "1", repr(1.7976931348623157e308), "-1e+308"]


def test_the_fast_strip_is_pythons_strip():
    duckdb = pytest.importorskip("duckdb")
    from tradecli.read import bigfiles

    spaces = [" ", "\t", "\u00a0", "\u2003", "\u3000", "\x1c", "\x85", "\u2028"]
    rng = random.Random(7)
    cells = ["", "PER", " PER", "PER ", "P E R", "ñ"] + [
        "".join(rng.choice(spaces) for _ in range(rng.randint(0, 2)))
        + rng.choice(["IND", "a b", "", "\u00a0x\u00a0"])
        + "".join(rng.choice(spaces) for _ in range(rng.randint(0, 2)))
        for _ in range(300)
    ]
    con = duckdb.connect()
    got = con.execute(
        f"SELECT {bigfiles._text('cell')} FROM (SELECT unnest($cells) AS cell)",
        {"cells": cells, "whitespace": bigfiles.WHITESPACE},
    ).fetchall()
    assert [g for (g,) in got] == [c.strip() for c in cells]


def test_every_reporter_of_a_big_file_is_the_pandas_answer(tmp_path, monkeypatch):
    pytest.importorskip("duckdb")
    bundled = Path(__file__).parent.parent / "data" / "flows.csv"  # real figures, cited in seeds/
    out = {}
    monkeypatch.setattr(render, "CSV_ENGINE_ROWS", 1)  # the CSV lines made by DuckDB too
    for engine in ("pandas", "duckdb"):
        monkeypatch.setenv("TRADECLI_ENGINE", engine)
        result = runner.invoke(app, ["balance", "--data", str(bundled), "--reporter", "all", "-f", "csv"])
        assert result.exit_code == 0, result.stderr
        out[engine] = result.stdout
    assert out["duckdb"] == out["pandas"]
    reporters = {line.split(",")[0] for line in out["duckdb"].splitlines()[1:]}
    assert {"IND", "NZL"} <= reporters
