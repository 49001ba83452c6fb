"""Official data from the command line: import, then balance, compare --years and check on the result."""

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import one_line_error
from typer.testing import CliRunner

from tradecli import render
from tradecli.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"


def run(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


def rows(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def imported(tmp_path):
    """The two TradeStat years and the two Comtrade files, imported into tmp_path."""
    for name, args in {
        "fy2019.csv": ["tradestat", FIXTURES / "tradestat_fy2019-20_usd.csv", "--period", "FY2019-20", "--currency", "USD"],
        "fy2020.csv": ["tradestat", FIXTURES / "tradestat_fy2020-21_usd.csv", "-p", "FY2020-21", "-c", "usd"],
        "china.csv": ["comtrade", FIXTURES / "comtrade_china_2023.json"],
        "india.csv": ["comtrade", FIXTURES / "comtrade_india_2023.csv"],
    }.items():
        result = run("import", *args, "-o", tmp_path / name)
        assert result.exit_code == 0, result.stderr
    return tmp_path


def test_import_writes_the_flows_schema_to_stdout_and_warnings_to_stderr():
    result = run("import", "tradestat", FIXTURES / "tradestat_fy2019-20_usd.csv", "-p", "FY2019-20", "-c", "USD")
    assert result.exit_code == 0, result.stderr
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(table[0]) == [
        "id",
        "reporter",
        "partner",
        "flow",
        "period",
        "currency",
        "value",
        "status",
        "source",
        "quote",
        "note",
        "scope",
        "scope_from",
        "scope_source",
        "scope_quote",
        "product",
        "product_name",
    ]
    assert {(r["scope"], r["scope_from"]) for r in table} == {("goods", "stated")}  # TradeStat is merchandise trade
    assert len(table) == 13  # 7 partner rows x 2 flows, less Cook Islands' blank import
    peru = [r for r in table if r["partner"] == "PER"]
    assert [(r["flow"], r["value"], r["quote"]) for r in peru] == [
        ("export", "773.24", "line 4: PERU, Export 773.24"),
        ("import", "1602.02", "line 4: PERU, Import 1,602.02"),
    ]
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["Warning"] * 3
    assert "line 6, column Country: 'ATLANTIS'" in lines[1]
    assert lines[3].endswith("13 figures imported, 3 warnings")


def test_imported_files_validate_cleanly(imported):
    result = run("validate", imported / "fy2019.csv", imported / "fy2020.csv", imported / "china.csv", imported / "india.csv")
    assert result.exit_code == 0, result.stdout
    assert "0 errors, 0 warnings" in result.stderr


def test_balance_from_an_imported_year_to_the_cent(imported):
    (peru,) = rows(run("balance", "peru", "-d", imported / "fy2019.csv", "-f", "json"))
    # 773.24 - 1,602.02 = -828.78, the file's own Trade Balance; 773.24 + 1,602.02 = 2,375.26, its Total Trade.
    assert (peru["exports"], peru["imports"], peru["balance"], peru["total"]) == (773.24, 1602.02, -828.78, 2375.26)
    assert peru["period"] == "FY2019-20"
    assert peru["basis"] == "fiscal-apr-mar"
    assert peru["sources"] == ["tradestat_fy2019-20_usd.csv"]


def test_the_world_row_is_indias_total(imported):
    (world,) = rows(run("balance", "world", "-d", imported / "fy2019.csv", "-f", "json"))
    assert (world["exports"], world["imports"], world["balance"]) == (313361.04, 474709.28, -161348.24)


def test_table_shows_official_figures_to_the_last_digit(imported, pinned_terminal):
    out = run("balance", "peru", "-d", imported / "fy2019.csv", "-f", "table").stdout
    assert "773.24  1,602.02  2,375.26  -828.78" in out


def test_year_on_year_across_imported_years(imported):
    out = rows(run("compare", "peru", "--years", "-d", imported / "fy2019.csv", "-d", imported / "fy2020.csv", "-f", "json"))
    assert [r["period"] for r in out] == ["FY2019-20", "FY2020-21"]
    assert out[1]["previous_period"] == "FY2019-20"
    assert out[1]["exports_change"] == pytest.approx(700 - 773.24)  # -73.24
    assert out[1]["exports_change_pct"] == pytest.approx(-73.24 / 773.24 * 100)  # -9.47...
    assert out[1]["balance_change"] == pytest.approx(-800 - -828.78)  # +28.78: a narrower deficit


def test_the_perspective_follows_the_data(imported):
    # china.csv holds China's figures only: seen from China's side, its exports to India are exports.
    (india,) = rows(run("balance", "india", "-d", imported / "china.csv", "-f", "json"))
    assert india["reporter"] == "CHN"
    assert india["exports"] == pytest.approx(117676.54321012)
    assert india["imports"] == pytest.approx(18234.56789)
    assert india["flags"] == []


def test_import_never_writes_over_its_input(tmp_path):
    source = tmp_path / "ts.csv"
    source.write_bytes((FIXTURES / "tradestat_fy2019-20_usd.csv").read_bytes())
    before = source.read_bytes()
    assert "refusing to overwrite" in one_line_error(
        run("import", "tradestat", source, "-p", "FY2019-20", "-c", "USD", "-o", source), 2
    )
    assert source.read_bytes() == before


def test_import_reads_standard_input():
    data = (FIXTURES / "tradestat_fy2019-20_usd.csv").read_text()
    result = run("import", "tradestat", "-", "-p", "FY2019-20", "-c", "USD", input=data)
    assert result.exit_code == 0, result.stderr
    assert ",<stdin>," in result.stdout.splitlines()[1]


def test_check_india_reported_against_china_reported(imported):
    out = rows(run("check", "china", "--mirror", "-d", imported / "india.csv", "-d", imported / "china.csv", "-f", "json"))
    assert [(r["flow"], r["official"], r["other"]) for r in out] == [
        # India's exports; China's imports from India, to the cent (the output contract: 10 decimals, 15 digits).
        ("export", 16650.00000055, 18234.56789),
        ("import", 101750, 117676.54321012),
    ]
    assert out[0]["gap"] == pytest.approx(18234.56789 - 16650.00000055)  # 1,584.56788945
    assert out[1]["gap_pct"] == pytest.approx(15926.54321012 / 101750 * 100)  # 15.65...
    assert out[0]["official_source"] == ["comtrade_india_2023.csv"]
    assert out[0]["other_source"] == ["comtrade_china_2023.json"]


def test_check_an_article_against_official_figures_of_another_basis(imported):
    out = rows(run("check", "peru", "--official", imported / "fy2019.csv", "-f", "json"))
    assert {(r["period"], r["official"] is None) for r in out} == {("2024", True), ("FY2019-20", False)}
    assert all("fiscal and calendar years never matched" in r["reason"] for r in out)


def test_check_a_figure_against_the_official_one(imported, tmp_path):
    mine = tmp_path / "article.csv"
    mine.write_text(
        "reporter,partner,flow,period,currency,value,status,source,quote\n"
        "IND,PER,export,FY2019-20,USD,770,approximate,article.txt,exports to Peru were about US$770 million\n"
    )
    out = rows(run("check", "peru", "--official", imported / "fy2019.csv", "-d", mine, "--flow", "export", "-f", "json"))
    (row,) = out
    assert (row["official"], row["other"]) == (773.24, 770)
    assert row["gap"] == pytest.approx(-3.24)
    assert row["gap_pct"] == pytest.approx(-3.24 / 773.24 * 100)  # -0.419 %
    assert row["other_flags"] == ["approximate", "scope-inferred"]  # no scope column: goods, flagged as inferred


def test_check_json_equals_the_library_result(imported):
    from tradecli import queries
    from tradecli.read.flows import load

    args = ["check", "china", "--mirror", "-d", imported / "india.csv", "-d", imported / "china.csv", "-f", "json"]
    expected = queries.crosscheck(["CHN"], flows=load([imported / "india.csv", imported / "china.csv"]), mirror=True)
    assert rows(run(*args)) == render.json_records(expected)


def test_check_table_says_why_a_figure_has_no_counterpart(imported, pinned_terminal):
    out = run("check", "peru", "--official", imported / "fy2019.csv", "-f", "table").stdout
    assert "Why unmatched" in out
    assert "Official: tradestat_fy2019-20_usd.csv." in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["import", "xls", FIXTURES / "comtrade_no_total.json"], "'xls' is not one of"),
        (
            [
                "import",
                "tradestat",
                FIXTURES / "tradestat_fy2019-20_usd.csv",
                FIXTURES / "tradestat_fy2020-21_usd.csv",
                "-c",
                "USD",
                "-p",
                "FY2019-20",
            ],
            "give one --period per file",
        ),  # fmt: skip
        (["import", "tradestat", FIXTURES / "tradestat_fy2019-20_usd.csv", "-p", "FY2019-20"], "give --currency"),
        (["import", "tradestat", FIXTURES / "tradestat_fy2019-20_usd.csv", "-p", "2019-20", "-c", "USD"], "FY2019-20"),
        (["import", "comtrade", FIXTURES / "comtrade_china_2023.json", "-p", "2023"], "Comtrade data states both"),
        (["check", "peru"], "--official FILE"),
        (["check", "peru", "--mirror", "--flow", "re-export"], "--flow 're-export'"),
    ],
)
def test_usage_errors_exit_2_in_one_line(args, words):
    assert words in one_line_error(run(*args), 2)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["import", "comtrade", FIXTURES / "comtrade_no_total.json", "--commodity", "85"], "no cmdCode 85"),
        (["import", "comtrade", FIXTURES / "tradestat_fy2019-20_usd.csv"], "a TradeStat country-wise table, not Comtrade data"),
        (["import", "tradestat", FIXTURES / "comtrade_india_2023.csv", "-p", "FY2019-20", "-c", "USD"], "not a TradeStat"),
        (["import", "tradestat", FIXTURES / "missing.csv", "-p", "FY2019-20", "-c", "USD"], "no such file"),
        (["check", "peru", "--official", FIXTURES / "comtrade_no_total.json"], "comtrade_no_total.json"),
    ],
)
def test_bad_files_exit_1_in_one_line(args, words):
    assert words in one_line_error(run(*args), 1)


def test_a_failed_import_leaves_the_output_file_alone(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    result = run("import", "comtrade", FIXTURES / "comtrade_no_total.json", "--commodity", "85", "-o", out)
    assert result.exit_code == 1
    assert out.read_text() == "old\n"


def test_import_and_check_have_help():
    for command in ("import", "check"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Usage" in result.stdout
