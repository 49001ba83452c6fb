"""The DuckDB path for big files gives what the pandas path gives: same problems, same numbers."""

import csv
import json
from importlib.util import find_spec
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradecli.cli import app
from tradecli.errors import TradeDataError
from tradecli.read import flows

duckdb = pytest.importorskip("duckdb")

CORPUS = Path(__file__).parent / "corpus"
with open(CORPUS / "MANIFEST.csv", newline="") as handle:
    MANIFEST = list(csv.DictReader(handle))

runner = CliRunner()


def findings(path, engine, monkeypatch):
    monkeypatch.setenv("TRADECLI_ENGINE", engine)
    return [p.as_dict() for p in flows.check([path])]


@pytest.mark.parametrize("case", MANIFEST, ids=lambda m: m["file"])
def test_both_engines_give_the_whole_same_finding(case, monkeypatch):
    # Every field of every finding: code, line, column, value, message, severity, in the same order.
    path = CORPUS / case["file"]
    small = findings(path, "pandas", monkeypatch)
    assert findings(path, "duckdb", monkeypatch) == small
    assert [(p["code"], p["line"]) for p in small][:1] == ([(case["code"], int(case["line"]))] if case["code"] else [])


HEADER = "reporter,partner,flow,period,currency,value,status,source,quote\n"
ROWS = [
    ("IND", "PER", "export", "2024", "USD", "933", "approximate"),
    ("IND", "PER", "import", "2024", "USD", "4690", "approximate"),
    ("IND", "CHL", "export", "FY2023-24", "USD", "1180", "reported"),
    ("IND", "CHL", "import", "FY2023-24", "USD", "1510", "reported"),
    ("IND", "CHL", "export", "FY2024-25", "USD", "1150", "preliminary"),
    ("IND", "CHL", "import", "FY2024-25", "USD", "2600", "preliminary"),
    ("NZL", "IND", "total", "2024", "NZD", "3140", "reported"),
    ("NZL", "IND", "export", "2024", "NZD", "718", "approximate"),
]


@pytest.fixture
def files(tmp_path):
    path = tmp_path / "flows.csv"
    path.write_text(HEADER + "".join(",".join([*r, "doc.txt", f"row {n}"]) + "\n" for n, r in enumerate(ROWS)))
    parquet = tmp_path / "flows.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{path}', all_varchar = true)) TO '{parquet}' (FORMAT parquet)")
    return path, parquet


def answer(*args, engine="auto", monkeypatch=None):
    monkeypatch.setenv("TRADECLI_ENGINE", engine)
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "question",
    [
        ["balance"],
        ["balance", "peru"],
        ["compare", "chile", "--years"],
        ["balance", "india", "--reporter", "nz"],
        ["balance", "--reporter", "all"],
    ],
)
def test_both_engines_and_parquet_give_the_same_answers(files, question, monkeypatch):
    path, parquet = files
    small = answer(*question, "--data", path, "-f", "json", engine="pandas", monkeypatch=monkeypatch)
    big = answer(*question, "--data", path, "-f", "json", engine="duckdb", monkeypatch=monkeypatch)
    from_parquet = answer(*question, "--data", parquet, "-f", "json", monkeypatch=monkeypatch)
    assert big == small
    strip = lambda rows: [{k: v for k, v in r.items() if k not in ("figures",)} for r in rows]  # noqa: E731 - ids name the file
    assert strip(from_parquet) == strip(small)


def test_a_conflict_in_a_big_file_is_an_error_naming_both_lines(tmp_path, monkeypatch):
    path = tmp_path / "c.csv"
    path.write_text(
        HEADER
        + "IND,PER,export,2024,USD,1,reported,d,q\n"
        + "IND,CHL,export,2024,USD,1,reported,d,q\n"
        + "IND,PER,export,2024,USD,2,reported,d,q\n"
    )
    monkeypatch.setenv("TRADECLI_ENGINE", "duckdb")
    result = runner.invoke(app, ["balance", "--data", str(path)])
    assert result.exit_code == 1
    assert "line 4" in result.stderr
    assert "line 2" in result.stderr


def test_parquet_without_duckdb_says_what_to_install(tmp_path, monkeypatch):
    import tradecli.read.bigfiles as bigfiles

    monkeypatch.setattr(bigfiles, "available", lambda: False)
    result = runner.invoke(app, ["balance", "--data", str(tmp_path / "x.parquet")])
    assert result.exit_code == 1  # a missing extra: the request is fine, this installation cannot do it
    assert "tradecli[big]" in result.stderr


@pytest.mark.parametrize("name", ["empty.csv", "binary.csv", "latin1.csv", "header_only.csv"])
def test_files_duckdb_cannot_read_are_one_line_errors(name, monkeypatch):
    monkeypatch.setenv("TRADECLI_ENGINE", "duckdb")
    result = runner.invoke(app, ["balance", "peru", "--data", str(CORPUS / name)])
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_two_missing_files_through_duckdb_are_each_named(tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("TRADECLI_ENGINE", "duckdb")
    first, second = tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}"
    result = runner.invoke(app, ["balance", "peru", "--data", str(first), "--data", str(second)])
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {first}: 1 error: no such file; check the path; also {second}: 1 error: no such file; check the path\n"
    )


URL_WORDS = "a URL is read by the Spark engine only (pandas and DuckDB read local files); add --engine spark"


@pytest.mark.parametrize("engine", ["auto", "pandas", "duckdb"])
@pytest.mark.parametrize("url", ["s3a://bucket/x.parquet", "hdfs://namenode/flows.csv"])
@pytest.mark.parametrize("reporter", [[], ["--reporter", "all"]])
def test_a_url_without_spark_says_only_spark_reads_it(engine, url, reporter):
    """Never opened (no network in tests): one line, a data error as for any unreadable file, and a hint that runs."""
    result = runner.invoke(app, ["balance", *reporter, "--data", url, "--engine", engine, "-f", "csv"])
    assert result.exit_code == 1
    hint = f"tradecli validate {url} --engine spark"
    assert result.stderr == f"Error: {url}: 1 error: {URL_WORDS}, e.g. `{hint}`\n"
    if find_spec("pyspark") is None:  # the hint runs as printed: without the spark extra it says what to install
        checked = runner.invoke(app, hint.split()[1:])
        assert checked.exit_code == 1
        assert "tradecli[spark]" in checked.stderr


def test_validate_lists_a_url_beside_a_missing_file(tmp_path):
    missing = tmp_path / "a.csv"
    result = runner.invoke(app, ["validate", "s3a://bucket/x.parquet", str(missing), "-f", "json"])
    assert result.exit_code == 1
    rows = [(p["file"], p["code"], p["message"]) for p in json.loads(result.stdout)]
    assert rows == [
        ("s3a://bucket/x.parquet", "unreadable", f"{URL_WORDS}, e.g. `tradecli validate s3a://bucket/x.parquet --engine spark`"),
        (str(missing), "unreadable", "no such file; check the path"),
    ]


def test_the_library_refuses_a_url_without_spark():
    with pytest.raises(TradeDataError, match="read by the Spark engine only"):
        flows.load(["s3a://bucket/x.parquet"])


def test_a_directory_through_duckdb_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADECLI_ENGINE", "duckdb")
    result = runner.invoke(app, ["balance", "peru", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_reporter_in_batches_reads_the_file_once_and_warns_once(tmp_path, monkeypatch):
    """`--reporter all` to CSV on a big file streams batches of reporters: the file is read and checked once
    (for the first batch), the CSV is the pandas engine's, and a warning met by two batches is told once."""
    pytest.importorskip("duckdb")
    from tradecli import dataset
    from tradecli.read import bigfiles

    codes = ["CHL", "IND", "NZL", "PER", "BRA"]
    rows = [
        f"{r},{p},{flow},2024,USD,{10 * n + k},reported,doc.txt,row"
        for n, (r, p) in enumerate((r, p) for r in codes for p in codes if r != p)
        for k, flow in enumerate(("export", "import"))
    ]
    rows.append("IND,CHL,export,2023,USD,,reported,doc.txt,row")  # a warning, in the rows of two batches
    path = tmp_path / "all.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    monkeypatch.setattr(dataset, "BATCH_REPORTERS", 2)
    prepared = []
    real = bigfiles._prepare
    monkeypatch.setattr(bigfiles, "_prepare", lambda *a, **k: prepared.append(a) or real(*a, **k))
    out = {}
    for engine in ("pandas", "duckdb"):
        result = runner.invoke(app, ["balance", "--data", str(path), "--reporter", "all", "-f", "csv", "--engine", engine])
        out[engine] = result
    assert out["duckdb"].exit_code == out["pandas"].exit_code == 0, out["pandas"].stderr
    assert out["duckdb"].stdout == out["pandas"].stdout
    assert len(prepared) == 1  # three batches of two reporters, one read
    assert out["duckdb"].stderr.count("is blank") == 1, out["duckdb"].stderr
    assert not bigfiles._prepared  # let go once the last batch is written
    table = list(csv.DictReader(out["pandas"].stdout.splitlines()))
    assert {r["reporter"] for r in table} == set(codes)


def test_a_warning_of_a_batch_without_rows_is_told_with_the_next(tmp_path, monkeypatch):
    """The first batch of reporters has no figures for the period asked; the warning its read met is not lost."""
    pytest.importorskip("duckdb")
    from tradecli import dataset

    rows = ["AAA,BBB,export,2023,USD,1,reported,doc.txt,row", "BBB,AAA,export,2023,USD,2,reported,doc.txt,row"]
    rows += [
        f"{r},{p},export,2024,USD,10,reported,doc.txt,row" for r in ("CHL", "IND", "PER") for p in ("CHL", "IND", "PER") if r != p
    ]
    rows += ["IND,CHL,import,2024,USD,5,reported,doc.txt,row", "IND,CHL,total,2024,USD,99,reported,doc.txt,row"]
    path = tmp_path / "all.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    monkeypatch.setattr(dataset, "BATCH_REPORTERS", 2)
    told = {}
    for engine in ("pandas", "duckdb"):
        result = runner.invoke(app, ["balance", "--data", str(path), "--reporter", "all", "--period", "2024", "-f", "csv",
                                     "--engine", engine])  # fmt: skip
        assert result.exit_code == 0, result.stderr
        told[engine] = (result.stdout, [line for line in result.stderr.splitlines() if "differs" in line])
    assert told["duckdb"] == told["pandas"]
    assert len(told["duckdb"][1]) == 1  # IND's total 99 against 10 + 5
