"""Goods, services, or both: nothing is derived, mirrored, balanced or compared across scopes (issue 15).

Expected values are worked out by hand from the figures written in each test; both engines
(pandas, and DuckDB as big files use it) must give them.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import tradecli
from tradecli.cli import app

runner = CliRunner()
HEADER = "reporter,partner,flow,period,currency,value,status,source,quote,scope,scope_from\n"
ENGINES = ["pandas", pytest.param("duckdb", marks=pytest.mark.skipif(not __import__("importlib").util.find_spec("duckdb"),
                                                                     reason="DuckDB not installed"))]  # fmt: skip


def run_json(*args, engine="pandas"):
    result = runner.invoke(app, [*args, "-f", "json"], env={"TRADECLI_ENGINE": engine})
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def mixed(tmp_path):
    """A goods total next to a goods-and-services total, and a goods export, for one partner and year."""
    path = tmp_path / "mixed.csv"
    path.write_text(
        HEADER
        + "IND,CHL,total,2024,USD,100,reported,doc.txt,goods total 100,goods,stated\n"
        + "IND,CHL,total,2024,USD,300,reported,doc.txt,two-way trade 300,goods_services,stated\n"
        + "IND,CHL,export,2024,USD,40,reported,doc.txt,goods exports 40,goods,stated\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_a_flow_is_derived_only_from_a_total_of_its_own_scope(mixed, engine):
    rows = {r["scope"]: r for r in run_json("balance", "chile", "--data", str(mixed), engine=engine)}
    assert set(rows) == {"goods", "goods_services"}
    goods, both = rows["goods"], rows["goods_services"]
    # goods: imports = 100 - 40 = 60 (same scope), balance 40 - 60 = -20.
    assert (goods["exports"], goods["imports"], goods["total"], goods["balance"]) == (40, 60, 100, -20)
    assert "derived" in goods["flags"]
    # goods and services: the total alone; never 300 - 40.
    assert (both["exports"], both["imports"], both["total"], both["balance"]) == (None, None, 300, None)
    assert "derived" not in both["flags"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_scope_can_be_asked_for_alone(mixed, engine):
    rows = run_json("balance", "chile", "--data", str(mixed), "--scope", "goods_services", engine=engine)
    assert [(r["scope"], r["total"]) for r in rows] == [("goods_services", 300)]


def test_a_mirror_is_used_only_for_its_own_scope(tmp_path):
    path = tmp_path / "mirror.csv"
    path.write_text(
        HEADER
        + "IND,NZL,import,2024,NZD,700,reported,doc.txt,goods imports 700,goods,stated\n"
        + "NZL,IND,export,2024,NZD,900,reported,doc.txt,exports incl. services 900,goods_services,stated\n",
        encoding="utf-8",
    )
    rows = {r["scope"]: r for r in run_json("balance", "nz", "--data", str(path), "--reporter", "india")}
    # India's own goods imports stand; NZ's goods-and-services exports become India's imports of that scope only.
    assert rows["goods"]["imports"] == 700
    assert "partner-reported" not in rows["goods"]["flags"]
    assert rows["goods_services"]["imports"] == 900
    assert "partner-reported" in rows["goods_services"]["flags"]


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown", "table"])
def test_new_zealand_is_never_3140_minus_718(fmt):
    """The bundled NZ$3,140m (goods and services) and NZ$718m (goods) are never subtracted: no 2,422, no +1,704."""
    result = runner.invoke(app, ["balance", "nz", "-f", fmt], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.stderr
    for wrong in ("2422", "2,422", "1704", "1,704", "1470", "1,470", "1040", "1,040"):
        assert wrong not in result.stdout
    if fmt == "json":
        rows = json.loads(result.stdout)
        assert {r["balance"] for r in rows} == {None}
        assert {(r["currency"], r["scope"]) for r in rows} == {
            ("NZD", "goods"), ("NZD", "goods_services"), ("USD", "goods"), ("USD", "goods_services"),
        }  # fmt: skip
    if fmt == "table":
        assert "different scopes" in result.stdout


def test_years_and_side_by_side_never_cross_scopes(tmp_path):
    path = tmp_path / "years.csv"
    path.write_text(
        HEADER
        + "IND,PER,total,2023,USD,100,reported,doc.txt,goods 2023,goods,stated\n"
        + "IND,PER,total,2024,USD,500,reported,doc.txt,goods and services 2024,goods_services,stated\n"
        + "IND,CHL,total,2024,USD,80,reported,doc.txt,goods 2024,goods,stated\n",
        encoding="utf-8",
    )
    years = run_json("compare", "peru", "--years", "--data", str(path))
    assert [r["total_change"] for r in years] == [None, None]  # 2024 has no 2023 of its own scope: a gap
    result = runner.invoke(app, ["compare", "peru", "chile", "--period", "2024", "--data", str(path), "-f", "csv"])
    assert result.exit_code == 1  # Peru's 2024 is goods and services, Chile's goods: nothing shared
    assert "goods_services" in result.stderr


def test_check_never_measures_a_gap_across_scopes(tmp_path, mixed):
    official = tmp_path / "official.csv"
    official.write_text(
        HEADER + "IND,CHL,total,2024,USD,310,reported,official.txt,official goods and services,goods_services,stated\n",
        encoding="utf-8",
    )
    news = tmp_path / "news.csv"
    news.write_text(HEADER + "IND,CHL,total,2024,USD,100,reported,doc.txt,goods total 100,goods,stated\n", encoding="utf-8")
    rows = run_json("check", "chile", "--official", str(official), "--data", str(news))
    assert all(r["gap"] is None for r in rows)
    assert any("scope" in r["reason"] for r in rows)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bad_scope_is_the_same_error_on_both_engines(tmp_path, engine):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "IND,CHL,total,2024,USD,100,reported,doc.txt,words,merchandise,stated\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "-f", "json"], env={"TRADECLI_ENGINE": engine})
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)
    assert (problem["code"], problem["line"], problem["column"], problem["value"]) == ("bad-scope", 2, "scope", "merchandise")
    assert problem["message"] == "scope 'merchandise' is not one of goods, services, goods_services"


def test_a_file_without_scope_is_goods_and_says_it_is_inferred(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text(
        "reporter,partner,flow,period,currency,value,source,quote\nIND,PER,export,2024,USD,5,doc.txt,five\n", encoding="utf-8"
    )
    (row,) = run_json("balance", "peru", "--data", str(path))
    assert row["scope"] == "goods"
    assert "scope-inferred" in row["flags"]


def test_an_unknown_scope_option_is_a_usage_error():
    result = runner.invoke(app, ["balance", "peru", "--scope", "merchandise"])
    assert result.exit_code == 2
    assert "goods, services, goods_services" in result.stderr


def test_comtrade_services_are_services_and_code_200_is_their_total(tmp_path):
    """A typeCode S answer (EBOPS 2010, cmdCode 200 = total services) imports as services, never goods.

    No real S response with rows is public (comtradr's recording holds none), so this one is the
    real recorded C response of tests/fixtures/comtrade_v1_china_2010.json (comtradr) with its type and code changed.
    """
    from pathlib import Path

    recorded = json.loads((Path(__file__).parent / "fixtures" / "comtrade_v1_china_2010.json").read_text(encoding="utf-8"))
    rows = [dict(r, typeCode="S", classificationCode="EB", cmdCode="200", cmdDesc="Total services") for r in recorded["data"]]
    path = tmp_path / "services.json"
    path.write_text(json.dumps({**recorded, "data": rows}), encoding="utf-8")
    result = runner.invoke(app, ["import", "comtrade", str(path)])
    assert result.exit_code == 0, result.stderr
    imported = list(__import__("csv").DictReader(__import__("io").StringIO(result.stdout)))
    assert imported
    assert {(r["scope"], r["scope_from"]) for r in imported} == {("services", "stated")}
    # Values as recorded: primaryValue in US$ ÷ 1,000,000, one figure per total row.
    totals = [r for r in rows if r["partner2Code"] == 0 and r["customsCode"] == "C00" and r["motCode"] == 0]
    assert sorted(float(r["value"]) for r in imported) == pytest.approx(sorted(r["primaryValue"] / 1e6 for r in totals))


def _left_out(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "left out" in line]


def test_compare_says_which_figures_it_leaves_out_and_how_to_see_them():
    """`compare nz peru --currency USD` on the bundled data: Peru's figures are goods (US$933m exports, US$4,690m imports),
    NZ's are US$430m goods and US$1,900m goods and services. Only the goods sit side by side; the US$1,900m total is left
    out, and one line says so, naming the command that shows it (which must run as printed and show it)."""
    import csv
    import io
    import shlex

    result = runner.invoke(app, ["compare", "nz", "peru", "--currency", "USD", "-f", "csv"])
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["partner"], r["scope"]) for r in rows] == [("NZL", "goods"), ("PER", "goods")]  # never goods beside both
    (line,) = _left_out(result.stderr)
    assert line.startswith("Warning: ")
    assert "New Zealand 2024 USD goods_services" in line
    assert "Peru" in line
    hint = line.rsplit("`", 2)[1]
    assert hint == "tradecli balance new-zealand --currency USD"
    shown = runner.invoke(app, [*shlex.split(hint)[1:], "-f", "json"])
    assert shown.exit_code == 0, shown.stderr
    assert {(r["scope"], r["total"]) for r in json.loads(shown.stdout)} >= {("goods_services", 1900)}


def test_compare_without_a_currency_names_every_figure_it_leaves_out():
    result = runner.invoke(app, ["compare", "nz", "peru", "-f", "csv"])
    assert result.exit_code == 0, result.stderr
    (line,) = _left_out(result.stderr)
    for slot in ("2024 NZD goods", "2024 NZD goods_services", "2024 USD goods_services"):
        assert slot in line
    assert line.endswith("`tradecli balance new-zealand`")


@pytest.mark.parametrize("engine", ENGINES)
def test_side_by_side_warns_of_what_is_not_shared_on_both_engines(tmp_path, engine):
    """A user's file: Chile has goods and goods-and-services totals for 2024 and a goods total for 2023, Peru a goods
    total for 2024. Side by side: the 2024 goods totals; Chile's other two are left out, named in one warning."""
    from tradecli import Dataset

    path = tmp_path / "two.csv"
    path.write_text(
        HEADER
        + "IND,CHL,total,2024,USD,100,reported,doc.txt,goods 100,goods,stated\n"
        + "IND,CHL,total,2024,USD,300,reported,doc.txt,two-way 300,goods_services,stated\n"
        + "IND,CHL,total,2023,USD,90,reported,doc.txt,goods 90,goods,stated\n"
        + "IND,PER,total,2024,USD,50,reported,doc.txt,goods 50,goods,stated\n",
        encoding="utf-8",
    )
    result = Dataset.open([path], engine=engine).select(["chile", "peru"]).side_by_side()
    assert [(r["partner"], r["period"], r["scope"], r["total"]) for r in result.records()] == [
        ("CHL", "2024", "goods", 100), ("PER", "2024", "goods", 50),
    ]  # fmt: skip
    (note,) = [w for w in result.warnings if w.code == "left-out"]
    assert isinstance(note, tradecli.Note)  # the library's own type, exported
    assert "Chile 2023 USD goods, 2024 USD goods_services" in note.summary()
    assert note.summary().endswith(f"`tradecli balance chile -d {path} --engine {engine}`")
    cli = runner.invoke(app, ["compare", "chile", "peru", "--data", str(path), "--engine", engine, "-f", "csv"])
    assert _left_out(cli.stderr) == [f"Warning: {note.summary()}"]


def test_compare_with_a_scope_one_partner_lacks_gives_the_real_reason():
    """`compare nz peru --scope goods_services`: Peru has no goods-and-services figure (both are calendar 2024), so the
    refusal says that, not that a fiscal year is never compared with a calendar year."""
    result = runner.invoke(app, ["compare", "nz", "peru", "--currency", "USD", "--scope", "goods_services", "-f", "csv"])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "PER: no figures" in line
    assert "fiscal year" not in line
    assert line.endswith("PER has no figures of the period, currency and scope asked for.")


def test_compare_of_two_scopes_says_scopes_never_stand_side_by_side(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text(
        HEADER
        + "IND,PER,total,2024,USD,500,reported,doc.txt,goods and services 2024,goods_services,stated\n"
        + "IND,CHL,total,2024,USD,80,reported,doc.txt,goods 2024,goods,stated\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["compare", "peru", "chile", "--data", str(path), "-f", "csv"])
    assert result.exit_code == 1
    assert "fiscal year" not in result.stderr
    assert "never set side by side" in result.stderr
