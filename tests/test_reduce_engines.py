"""Big files are reduced long -> wide in DuckDB and small ones in pandas; both then go through
the one ``metrics.measures``. The two reductions must give the same table, and the CLI the same
CSV and JSON, column by column, mirrored and derived figures included."""

from __future__ import annotations

import csv
import io
import json
import random
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradecli import metrics, queries, render
from tradecli.cli import app
from tradecli.read import bigfiles, flows

duckdb = pytest.importorskip("duckdb")

BUNDLED = Path(__file__).parent.parent / "data" / "flows.csv"  # real figures, cited in seeds/ (see data/datapackage.json)
HEADER = ["id", "reporter", "partner", "flow", "period", "currency", "value", "status", "source", "quote", "note"]
runner = CliRunner()


def write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def random_rows(seed: int) -> list[list[str]]:
    """A reproducible table in which reporters report some flows about each other and partners
    report others: own figures, mirrored ones, totals with one flow (derived), totals with both
    (checked), blank ids (the id is file:line), several statuses, currencies and periods."""
    rng = random.Random(seed)
    codes = ["IND", "PER", "CHL", "NZL", "BRA"]
    rows = []
    for reporter in codes:
        for partner in codes:
            if partner == reporter or rng.random() < 0.3:
                continue
            for period in rng.sample(["2023", "2024", "FY2023-24", "FY2024-25"], rng.randint(1, 3)):
                for currency in rng.sample(["USD", "NZD"], rng.randint(1, 2)):
                    flows_ = rng.choice([["export"], ["import"], ["total"], ["export", "import"], ["export", "total"],
                                         ["import", "total"], ["export", "import", "total"]])  # fmt: skip
                    values = {f: round(rng.uniform(0, 5000), rng.randint(0, 3)) for f in ("export", "import")}
                    values["total"] = values["export"] + values["import"] + rng.choice([0, 0, 0.001, 400])
                    for flow in flows_:
                        status = rng.choice(["reported", "approximate", "preliminary", "approximate;preliminary", ""])
                        figure_id = "" if rng.random() < 0.3 else f"{reporter}-{partner}-{flow}-{period}-{currency}".lower()
                        source = rng.choice(["a.txt", "b.txt", "c.txt"])
                        rows.append([figure_id, reporter, partner, flow, period, currency, repr(values[flow]), status, source,
                                     "quoted words", ""])  # fmt: skip
    rng.shuffle(rows)
    return rows


def narrow_to(reporter, partner_codes=(), period=None):
    return lambda reporters, codes: (reporter, list(partner_codes), period)


QUESTIONS = [
    ("IND", (), None),
    ("NZL", (), None),
    ("PER", ("IND", "CHL"), None),
    ("IND", (), "FY2023-24"),
    (None, (), None),
    (None, ("IND",), None),
    (["IND", "NZL"], (), None),
]


def both_engines(sources, question, monkeypatch):
    """The balance of ``question`` from the pandas path and from the DuckDB path (which must use its wide table)."""
    reporter, partner_codes, period = question
    monkeypatch.setenv("TRADECLI_ENGINE", "pandas")
    small = flows.load(sources)
    monkeypatch.setenv("TRADECLI_ENGINE", "duckdb")
    big = flows.load(sources, narrow_to(*question))
    assert big.answers(reporter, partner_codes, period), "the DuckDB path must answer from its wide table"
    ask = {"partner_codes": list(partner_codes), "periods": (period,) if period else (), "reporter": reporter}
    return queries.balance(**ask, flows=small), queries.balance(**ask, flows=big)


def rendered(frame: pd.DataFrame, fmt: str) -> str:
    out = io.StringIO()
    render.render(frame, "balance", render.Format(fmt), out)
    return out.getvalue()


@pytest.fixture(scope="module")
def inputs():
    with tempfile.TemporaryDirectory() as directory:
        base = Path(directory)
        cases = {"bundled": [BUNDLED]}
        for seed in range(4):
            cases[f"random-{seed}"] = [write(base / f"random-{seed}.csv", random_rows(seed))]
        half = random_rows(10)
        cases["two-files"] = [write(base / "one.csv", half[::2]), write(base / "two.csv", half[1::2])]
        parquet = base / "random-0.parquet"
        duckdb.execute("COPY (SELECT * FROM read_csv($p, all_varchar = true)) TO '" + str(parquet) + "' (FORMAT parquet)",
                       {"p": str(cases["random-0"][0])})  # fmt: skip
        cases["parquet"] = [parquet]
        yield cases


@pytest.mark.parametrize("question", QUESTIONS, ids=str)
@pytest.mark.parametrize("case", ["bundled", "random-0", "random-1", "random-2", "random-3", "two-files"])
def test_pandas_and_duckdb_reductions_give_the_same_balances(inputs, case, question, monkeypatch):
    try:
        small, big = both_engines(inputs[case], question, monkeypatch)
    except Exception as exc:  # both must refuse the same question the same way
        monkeypatch.setenv("TRADECLI_ENGINE", "pandas")
        periods = (question[2],) if question[2] else ()
        with pytest.raises(type(exc), match=str(exc).split(";")[0][:40]):
            queries.balance(question[1] or None, periods=periods, reporter=question[0], flows=flows.load(inputs[case]))
        return
    assert list(big.columns) == list(small.columns) == metrics.BALANCE_COLUMNS
    for column in small.columns:  # column by column, values and dtypes
        pd.testing.assert_series_equal(big[column], small[column], check_dtype=True, obj=column)
    assert rendered(big, "csv") == rendered(small, "csv")
    assert json.loads(rendered(big, "json")) == json.loads(rendered(small, "json"))


def test_parquet_gives_the_csv_balances(inputs, monkeypatch):
    monkeypatch.setenv("TRADECLI_ENGINE", "pandas")
    small = queries.balance(reporter=None, flows=flows.load(inputs["random-0"]))
    big = queries.balance(reporter=None, flows=flows.load(inputs["parquet"], narrow_to(None)))
    # Figure ids made of file:line name the file; everything else is equal.
    pd.testing.assert_frame_equal(big.drop(columns="figures"), small.drop(columns="figures"))


def test_the_two_reductions_give_the_same_wide_table(inputs, monkeypatch):
    monkeypatch.setenv("TRADECLI_ENGINE", "pandas")
    for case in ("bundled", "random-1", "two-files"):
        sources = inputs[case]
        expected = metrics.reduce(metrics.perspective(flows.load(sources).figures, None))
        reduced = bigfiles.wide(sources, [str(s) for s in sources], None)
        order = metrics.WIDE_KEYS
        got = reduced.wide.sort_values(order).reset_index(drop=True)
        want = expected.sort_values(order).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_mirrored_and_derived_figures_of_the_bundled_data(monkeypatch):
    """New Zealand's own figures (NZD total 3,140, goods and services; exports 718, goods), seen from
    India's side by DuckDB: India's imports are New Zealand's exports, and nothing is derived across scopes."""
    with open(BUNDLED, encoding="utf-8", newline="") as handle:
        rows = {(r["reporter"], r["partner"], r["flow"], r["currency"]): float(r["value"]) for r in csv.DictReader(handle)}
    total, nz_exports = rows[("NZL", "IND", "total", "NZD")], rows[("NZL", "IND", "export", "NZD")]
    monkeypatch.setenv("TRADECLI_ENGINE", "duckdb")
    table = queries.balance(["NZL"], reporter="IND", flows=flows.load([BUNDLED], narrow_to("IND", ["NZL"])))
    nzd = table[table["currency"] == "NZD"].set_index("scope")
    assert nzd.loc["goods", "imports"] == nz_exports
    assert nzd.loc["goods_services", "total"] == total
    assert nzd[["exports", "balance"]].isna().all().all()  # never 3,140 - 718 (issue 15)
    assert set(nzd.loc["goods", "flags"].split(";")) == {"approximate", "partner-reported"}
    assert set(nzd.loc["goods_services", "flags"].split(";")) == {"partner-reported", "scope-inferred"}
    assert nzd.loc["goods", "figures"] == "nzl-ind-2024-export-nzd"


def test_the_cli_answers_a_big_file_as_a_small_one(inputs, monkeypatch):
    path = inputs["random-2"][0]
    out = {}
    for engine in ("pandas", "duckdb"):
        monkeypatch.setenv("TRADECLI_ENGINE", engine)
        for fmt in ("csv", "json"):
            result = runner.invoke(app, ["balance", "--data", str(path), "--reporter", "PER", "-f", fmt])
            assert result.exit_code == 0, result.stderr
            out[engine, fmt] = result.stdout
    assert out["duckdb", "csv"] == out["pandas", "csv"]
    assert out["duckdb", "json"] == out["pandas", "json"]


def test_a_duplicate_across_big_files_is_the_same_error(tmp_path, monkeypatch):
    row = ["", "IND", "PER", "export", "2024", "USD", "933", "reported", "a.txt", "words", ""]
    first, second = write(tmp_path / "a.csv", [row]), write(tmp_path / "b.csv", [row[:6] + ["934"] + row[7:]])
    messages = []
    for engine in ("pandas", "duckdb"):
        monkeypatch.setenv("TRADECLI_ENGINE", engine)
        with pytest.raises(flows.TradeDataError) as caught:
            flows.load([first, second], narrow_to("IND"))
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "conflicts with 933" in messages[0]


def test_duckdb_is_bounded_and_spills_to_a_private_temp_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    con = bigfiles._Connection([])
    temp, memory, most = con.execute(
        "SELECT current_setting('temp_directory'), current_setting('memory_limit'), current_setting('max_temp_directory_size')"
    ).fetchone()
    assert Path(temp).parent == Path(tempfile.gettempdir())
    assert Path(temp).name.startswith("tradecli-duckdb-")
    assert not Path(temp).is_relative_to(tmp_path)
    assert memory.startswith("2.0 GiB")
    assert most.startswith("16.0 GiB")


@pytest.mark.parametrize("reduce", [False, True], ids=["validate", "balance"])
def test_a_big_csv_is_read_once(reduce, monkeypatch):
    """Reading the header binds the query and reads no rows (LIMIT 0); the rows are read once, into a table."""
    reads = []
    execute = bigfiles._Connection.execute

    def counting(self, sql, params=None):
        if "read_csv(" in sql and not sql.rstrip().endswith("LIMIT 0"):
            reads.append(sql)
        return execute(self, sql, params)

    monkeypatch.setattr(bigfiles._Connection, "execute", counting)
    if reduce:
        assert not bigfiles.wide([BUNDLED], ["flows.csv"], "IND").problems
    else:
        assert not [p for p in bigfiles.check([BUNDLED], ["flows.csv"]) if p.severity == "error"]
    assert len(reads) == 1
    assert reads[0].startswith("CREATE TEMP TABLE")


def test_no_writable_temp_dir_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADECLI_ENGINE", "duckdb")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    result = runner.invoke(app, ["balance", "--data", str(BUNDLED), "-f", "csv"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "temporary directory" in result.stderr


@pytest.mark.parametrize("sql_type", ["DOUBLE", "FLOAT", "BIGINT", "DECIMAL(20,3)"])
def test_a_typed_parquet_value_gives_the_balances_of_its_text(tmp_path, sql_type):
    """A Parquet value column of DOUBLE or an integer type is used as it is (no text round trip); FLOAT and
    DECIMAL go through their text. Either way the balances are those of the same figures written as text."""
    values = [0.1, 0.2, 56951.05, 1e15 + 0.125, 7.0, 123456789.123, 3.24, 0.0]
    if sql_type == "BIGINT":
        values = [round(v) for v in values]
    rows = []
    for n, value in enumerate(values):
        period = str(2000 + n)
        rows += [["", "IND", "PER", "export", period, "USD", repr(value), "", "a.txt", "q", ""],
                 ["", "PER", "IND", "export", period, "USD", repr(value * 2), "", "a.txt", "q", ""]]  # fmt: skip
    text = write(tmp_path / "typed.csv", rows)
    parquet = tmp_path / "typed.parquet"
    duckdb.execute(
        f"COPY (SELECT * REPLACE (CAST(value AS {sql_type}) AS value) FROM read_csv($p, all_varchar = true)) "
        f"TO '{parquet}' (FORMAT parquet)",
        {"p": str(text)},
    )
    # what the CSV text of each typed value reads as (DuckDB writes the typed value as text, as tradecli reads it)
    as_text = tmp_path / "as_text.csv"
    duckdb.execute(
        f"COPY (SELECT * REPLACE (CAST(value AS VARCHAR) AS value) FROM read_parquet('{parquet}')) TO '{as_text}' (HEADER)"
    )
    results = {}
    for name, source in {"parquet": parquet, "text": as_text}.items():
        result = runner.invoke(app, ["balance", "--data", str(source), "--reporter", "IND", "-f", "csv", "--engine", "duckdb"])
        assert result.exit_code == 0, result.output
        results[name] = [{k: v for k, v in row.items() if k != "figures"} for row in csv.DictReader(io.StringIO(result.stdout))]
    assert results["parquet"] == results["text"]
    assert len(results["text"]) == len(values)
    # the imports are PER's exports to IND, mirrored: twice each export (recomputed here from the text)
    with open(as_text, encoding="utf-8") as handle:
        typed = {(r["reporter"], r["period"]): float(r["value"]) for r in csv.DictReader(handle)}
    for row in results["parquet"]:
        assert float(row["imports"]) == pytest.approx(typed[("PER", row["period"])])


def test_ids_holding_separators_are_tidied_alike_on_both_engines(tmp_path):
    rows = [
        ["a;;b", "IND", "PER", "export", "2024", "USD", "10", "", "a.txt", "q", ""],
        [";x", "IND", "PER", "import", "2024", "USD", "20", "", "a.txt", "q", ""],
        ["y;", "IND", "PER", "total", "2024", "USD", "30", "", "a.txt", "q", ""],
        ["", "IND", "PER", "export", "2023", "USD", "1", "", "a.txt", "q", ""],
    ]
    source = write(tmp_path / "ids.csv", rows)
    out = {}
    for engine in ("pandas", "duckdb"):
        result = runner.invoke(app, ["balance", "--data", str(source), "--reporter", "IND", "-f", "json", "--engine", engine])
        assert result.exit_code == 0, result.output
        out[engine] = {row["period"]: row["figures"] for row in json.loads(result.stdout)}
    assert out["duckdb"] == out["pandas"]
    assert out["pandas"]["2024"] == ["a", "b", "x", "y"]
    assert out["pandas"]["2023"] == [f"{source}:5"]
