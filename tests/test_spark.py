"""One answer from every engine: the same questions on pandas, DuckDB and Spark (local mode) give the same
CSV and JSON, column by column, and the same validation findings on the whole bad corpus.

Spark runs one local session for the whole module (a start costs ~12 s), bound to 127.0.0.1 with its UI
off. The module skips only where Java is missing (saying so), or where the ``spark`` extra is not installed
and TRADECLI_SPARK_TESTS is not ``required`` (CI sets it, so CI fails rather than skip).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tradecli.cli import app

ROOT = Path(__file__).parent.parent
CORPUS = Path(__file__).parent / "corpus"
with open(CORPUS / "MANIFEST.csv", newline="") as handle:
    MANIFEST = [row["file"] for row in csv.DictReader(handle)]
ENGINES = ("pandas", "duckdb", "spark")

if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
    pytest.skip("the Spark engine needs Java 17+ (java is not on PATH and JAVA_HOME is unset)", allow_module_level=True)
if os.environ.get("TRADECLI_SPARK_TESTS") != "required":
    if find_spec("pyspark") is None or find_spec("sqlglot") is None:
        pytest.skip("the spark extra is not installed: pip install -e '.[test,spark]'", allow_module_level=True)
duckdb = pytest.importorskip("duckdb")

runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def spark_session():
    """One local Spark session (two threads, loopback only) for every test here."""
    saved = {k: os.environ.get(k) for k in ("SPARK_LOCAL_IP", "TRADECLI_SPARK_MASTER", "SPARK_REMOTE")}
    os.environ.update(SPARK_LOCAL_IP="127.0.0.1", TRADECLI_SPARK_MASTER="local[2]")
    os.environ.pop("SPARK_REMOTE", None)
    from tradecli.read import spark

    session = spark.session()
    conf = session.sparkContext.getConf()
    assert conf.get("spark.driver.host") == conf.get("spark.driver.bindAddress") == "127.0.0.1"
    assert conf.get("spark.ui.enabled") == "false"
    yield session
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def run(engine: str, *args) -> tuple[int, str, str]:
    result = runner.invoke(app, [*map(str, args), "--engine", engine])
    return result.exit_code, result.stdout, result.stderr


def same_everywhere(*args) -> str:
    """The CSV and JSON answers of every engine, required identical (CSV cell by cell, JSON key by key); the CSV."""
    answers = {}
    for engine in ENGINES:
        for fmt in ("csv", "json"):
            answers[engine, fmt] = run(engine, *args, "-f", fmt)
    for engine in ENGINES[1:]:
        for fmt in ("csv", "json"):
            code, out, err = answers[engine, fmt]
            base_code, base_out, base_err = answers["pandas", fmt]
            assert (code, err) == (base_code, base_err), (engine, fmt, err, base_err)
            if fmt == "csv":
                mine, theirs = list(csv.DictReader(io.StringIO(out))), list(csv.DictReader(io.StringIO(base_out)))
                assert len(mine) == len(theirs), engine
                for row, base in zip(mine, theirs, strict=True):
                    for column in base:  # column by column, exactly
                        assert row[column] == base[column], (engine, column, row, base)
                assert out == base_out
            else:
                assert json.loads(out) == json.loads(base_out) if out else out == base_out
    return answers["pandas", "csv"][1]


HEADER = ["id", "reporter", "partner", "flow", "period", "currency", "value", "status", "source", "quote", "note"]


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> Path:
    """A reproducible table where reporters report some flows about each other and partners report others
    (own, mirrored, totals with one flow and with both, blank ids, statuses, currencies, periods)."""
    from test_reduce_engines import random_rows  # the generator the pandas/DuckDB reduction test uses

    path = tmp_path_factory.mktemp("spark") / "random.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(random_rows(2))
    return path


def test_one_reporter(table):
    out = same_everywhere("balance", "--data", table, "--reporter", "PER")
    assert out.count("\n") > 2, "the question must have answers to compare"


def test_all_reporters(table):
    out = same_everywhere("balance", "--data", table, "--reporter", "all")
    assert {"IND", "PER", "NZL"} <= {row["reporter"] for row in csv.DictReader(io.StringIO(out))}


def test_a_partner_with_mirror_figures(table):
    out = same_everywhere("balance", "india", "--data", table, "--reporter", "BRA")
    assert "partner-reported" in out, "the question must use a partner's figure"


def test_period_with_years(table):
    out = same_everywhere("compare", "india", "--years", "--period", "FY2024-25", "--data", table, "--reporter", "BRA")
    assert "FY2024-25" in out
    assert "FY2023-24" in out, "a change on the period before the one shown"


def test_partners_and_sources(table):
    same_everywhere("partners", "--data", table, "--reporter", "CHL")
    same_everywhere("sources", "india", "--data", table, "--reporter", "BRA")


def test_the_bundled_data(table):
    same_everywhere("balance", "--data", ROOT / "data" / "flows.csv", "--reporter", "all")


@pytest.mark.parametrize("name", MANIFEST)
def test_validation_findings_on_the_bad_corpus(name):
    same_everywhere("validate", CORPUS / name)


ROW = st.fixed_dictionaries(
    {
        "reporter": st.sampled_from(["IND", "PER", "NZL", "india", "", "LAC"]),
        "partner": st.sampled_from(["IND", "PER", "CHL", "X1", ""]),
        "flow": st.sampled_from(["export", "import", "total", "Export", ""]),
        "period": st.sampled_from(["2024", "FY2023-24", "2024-25", ""]),
        "currency": st.sampled_from(["USD", "NZD", "usd"]),
        "value": st.one_of(
            st.integers(-5, 10**6).map(str),
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
            st.sampled_from(["", " 12 ", "1_000", "1d", "1e400", "nan", "inf", "1,234", "0x10", "-0"]),
        ),
        "status": st.sampled_from(["", "reported", "approximate;preliminary", "guess"]),
        "id": st.sampled_from(["", "a", "b"]),
    }
)


@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=1, max_size=12))
def test_validation_findings_on_a_hypothesis_sample(rows, tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "sample.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows([r["id"], r["reporter"], r["partner"], r["flow"], r["period"], r["currency"], r["value"], r["status"],
                          "doc.txt", "words", ""] for r in rows)  # fmt: skip
    same_everywhere("validate", path)
    same_everywhere("balance", "--data", path, "--reporter", "all")


def test_parquet_read_by_spark(table, tmp_path):
    parquet = tmp_path / "random.parquet"
    duckdb.execute("COPY (SELECT * FROM read_csv($p, all_varchar = true)) TO '" + str(parquet) + "' (FORMAT parquet)",
                   {"p": str(table)})  # fmt: skip
    same_everywhere("balance", "--data", parquet, "--reporter", "all")  # pandas reads Parquet through DuckDB
    same_everywhere("validate", parquet)


def test_an_unknown_engine_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("TRADECLI_ENGINE", "sparkle")
    result = runner.invoke(app, ["balance", "peru"])  # the bundled data: no file to read with an engine, still refused
    assert result.exit_code == 2
    assert "TRADECLI_ENGINE 'sparkle' is not one of auto, pandas, duckdb, spark" in result.stderr
    monkeypatch.delenv("TRADECLI_ENGINE")
    result = runner.invoke(app, ["validate", "--engine", "polars"])
    assert result.exit_code == 2
    assert "--engine 'polars' is not one of" in result.stderr


def test_nothing_of_spark_loads_unless_asked(table):
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from tradecli.cli import app\n"
        f"args = ['balance', '--data', {str(table)!r}, '--reporter', 'all', '--engine', 'duckdb', '-f', 'csv']\n"
        "r = CliRunner().invoke(app, args)\n"
        "assert r.exit_code == 0, r.stderr\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'sqlglot', 'py4j', 'ibis')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_spark_asked_without_its_extra_is_one_line(table):
    code = (  # pyspark looked for and not found, as on an install without the extra
        "import importlib.util, sys\n"
        "real = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda n, *a: None if n == 'pyspark' else real(n, *a)\n"
        "from tradecli.cli import app\n"
        f"app(['balance', '--data', {str(table)!r}, '--engine', 'spark'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Error: the Spark engine needs pyspark, which is not installed; install it with: pip install 'tradecli[spark]'"
    ]


def test_spark_keeps_its_log_off_stderr(table):
    # A fresh process starts its own session: nothing of Spark's start-up may reach stderr.
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "TRADECLI_SPARK_MASTER": "local[1]"}
    done = subprocess.run(
        [sys.executable, "-m", "tradecli", "balance", "--data", str(table), "-r", "PER", "--engine", "spark", "-f", "csv"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == run("pandas", "balance", "--data", table, "--reporter", "PER", "-f", "csv")[1]


def test_a_local_session_without_java_is_one_line(table):
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "SPARK_REMOTE")}
    env["PATH"] = str(Path(sys.executable).parent)  # this Python, and no java
    done = subprocess.run([sys.executable, "-m", "tradecli", "validate", str(table), "--engine", "spark"],
                          capture_output=True, text=True, env=env)  # fmt: skip
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("Error: a local Spark session needs Java 17 or later, which was not found; install it")


def test_spark_scratch_is_private_under_the_system_temp_dir(spark_session):
    import tempfile

    local = Path(spark_session.sparkContext.getConf().get("spark.local.dir"))
    assert local.parent == Path(tempfile.gettempdir())
    assert local.name.startswith("tradecli-spark-")
    assert oct(local.stat().st_mode & 0o777) == oct(0o700)


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        ("java.io.IOException: No space left on device", "Spark ran out of temporary space in "),
        ("java.lang.OutOfMemoryError: Java heap space", "Spark ran out of memory (2g for a local session)"),
    ],
)
def test_a_full_disk_or_memory_is_one_line(failure, words):
    from tradecli.errors import TradeDataError
    from tradecli.read import spark

    with pytest.raises(TradeDataError) as caught, spark._spark_errors():
        raise RuntimeError(f"An error occurred while calling o42.collect.\n: {failure}\n\tat org.apache.spark...")
    assert str(caught.value).startswith(words)
    assert "\n" not in str(caught.value)


def test_the_rendering_keeps_duckdb_meaning(spark_session):
    from tradecli.read import spark

    sql = "SELECT list(x ORDER BY k), len(list(x)), max(CAST(isinf(n) AS INTEGER)) FROM t WHERE k < $most"
    text, names, _ = spark.render(sql, {"t": {"k": "bigint", "x": "string", "n": "double"}}, {})
    assert "ARRAY_SORT(COLLECT_LIST(STRUCT(" in text  # ordered, NULLs kept (a struct is never NULL)
    assert "SIZE(" in text
    assert "LENGTH(" not in text
    assert "IS_INF" not in text
    assert names == ("most",)
    assert ":most" in text  # a named argument, never a pasted value
    rows = spark_session.createDataFrame([(2, None, 1.0), (1, "a", float("inf")), (9, "z", 0.0)], "k bigint, x string, n double")
    rows.createOrReplaceTempView("t")
    assert list(spark_session.sql(text, args={"most": 5}).collect()[0]) == [["a", None], 2, 1]  # DuckDB's answer
    values = "FROM (VALUES (2, NULL, 1.0), (1, 'a', 'inf'::DOUBLE), (9, 'z', 0.0)) t(k, x, n)"
    assert duckdb.execute(sql.replace("FROM t", values), {"most": 5}).fetchone() == (["a", None], 2, 1)
    # Grouped and ordered by an aggregate (a select Spark needs rewritten): the list inside keeps its order too.
    grouped = "SELECT list(x ORDER BY k) FROM t GROUP BY n > 0 HAVING count(*) > 1 ORDER BY min(k)"
    assert [list(r) for r in spark_session.sql(spark.render(grouped, {"t": {"k": "bigint", "x": "string", "n": "double"}}, {})[0])
            .collect()] == [[["a", None]]]  # fmt: skip
    spark_session.catalog.dropTempView("t")


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_a_url_is_read_by_spark_alone(table, tmp_path, suffix):
    # file:// stands for s3a://, hdfs://, abfss://: not screened on this machine, its header read by Spark.
    path = tmp_path / f"random.{suffix}"
    if suffix == "csv":
        shutil.copy(table, path)
    else:
        duckdb.execute(f"COPY (SELECT * FROM read_csv($p, all_varchar = true)) TO '{path}' (FORMAT parquet)", {"p": str(table)})
    code, out, err = run("spark", "balance", "--data", path.as_uri(), "--reporter", "all", "-f", "csv")
    assert (code, err) == (0, "")
    expected = run("duckdb", "balance", "--data", path, "--reporter", "all", "-f", "csv")[1]
    assert out.replace(path.as_uri() + ":", str(path) + ":") == expected  # figure ids without an id name the file


@pytest.fixture(scope="module")
def tradestat(tmp_path_factory) -> Path:
    """The real TradeStat pages (India-China by HS chapter, India-World; tests/fixtures/README.md) as one figures file."""
    path = tmp_path_factory.mktemp("tradestat") / "india.csv"
    pages = sorted(str(p) for p in (ROOT / "tests" / "fixtures").glob("tradestat_*/*.asp"))
    result = runner.invoke(app, ["import", "tradestat", *pages, "-o", str(path)])
    assert result.exit_code == 0, result.stderr
    return path


def test_products_growth_and_shares(tradestat):
    out = same_everywhere("products", "china", "--data", tradestat, "--flow", "import", "--top", "5")
    assert len(list(csv.DictReader(io.StringIO(out)))) == 5
    same_everywhere("products", "china", "--data", tradestat, "--period", "FY2008-09", "--world")
    out = same_everywhere("growth", "china", "--data", tradestat)
    assert [row["from"] for row in csv.DictReader(io.StringIO(out))] == ["FY1996-97"]
    out = same_everywhere("balance", "china", "--share", "--data", tradestat, "--period", "FY2018-19")
    assert next(csv.DictReader(io.StringIO(out)))["total_share_pct"] != ""
