"""The library owns the question: the CLI's JSON is the Dataset's result, for every command.

Expected values are recomputed here from data/flows.csv with plain pandas, never with tradecli's
own functions; the JSON comparison then proves that CLI and library give the same answer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import tradecli
from tradecli import Dataset, bundled
from tradecli.cli import app
from tradecli.errors import UsageError

runner = CliRunner()


def cli_json(*args: str, env: dict | None = None):
    result = runner.invoke(app, [*args, "-f", "json"], env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def raw_flows() -> pd.DataFrame:
    return pd.read_csv(bundled.path("flows.csv"), dtype=str)


def value(frame: pd.DataFrame, **where) -> float:
    rows = frame
    for column, wanted in where.items():
        rows = rows[rows[column] == wanted]
    assert len(rows) == 1, where
    return float(rows["value"].iloc[0])


def test_years_with_a_period_keeps_the_change_on_the_period_before():
    """`compare chile --years --period FY2024-25` used to show no change at all (issue 10)."""
    flows = raw_flows()
    exp = {p: value(flows, reporter="IND", partner="CHL", flow="export", period=p) for p in ("FY2023-24", "FY2024-25")}
    imp = {p: value(flows, reporter="IND", partner="CHL", flow="import", period=p) for p in ("FY2023-24", "FY2024-25")}
    rows = cli_json("compare", "chile", "--years", "--period", "FY2024-25")
    assert [r["period"] for r in rows] == ["FY2024-25"]
    (row,) = rows
    assert row["previous_period"] == "FY2023-24"
    assert row["exports_change"] == pytest.approx(exp["FY2024-25"] - exp["FY2023-24"])
    assert row["exports_change_pct"] == pytest.approx(100 * (exp["FY2024-25"] - exp["FY2023-24"]) / exp["FY2023-24"])
    assert round(row["exports_change_pct"], 1) == -2.5
    assert round(row["imports_change_pct"], 1) == 72.2
    before, now = exp["FY2023-24"] - imp["FY2023-24"], exp["FY2024-25"] - imp["FY2024-25"]
    assert row["balance_change"] == pytest.approx(now - before) == -1120
    library = Dataset.open().select(["chile"], periods="FY2024-25").years()
    assert rows == library.records()
    assert tradecli.compare_years(["CHL"], period="FY2024-25").equals(library.frame)


@pytest.fixture
def nz_only(tmp_path) -> Path:
    """A file holding only New Zealand's own figures (the bundled NZL rows, cut out with plain pandas)."""
    flows = raw_flows()
    path = tmp_path / "nz.csv"
    flows[flows["reporter"] == "NZL"].to_csv(path, index=False)
    return path


def test_a_file_of_one_foreign_reporter_is_answered_from_its_side_by_cli_and_library(nz_only):
    rows = cli_json("balance", "--data", str(nz_only))
    assert {r["reporter"] for r in rows} == {"NZL"}
    assert rows == tradecli.Dataset.open([nz_only]).select().balance().records()
    # The one-call API decides the reporter by the same rule (it raised NoFiguresError for IND).
    library = tradecli.balance(flows=tradecli.load([nz_only]))
    assert json.loads(json.dumps(rows)) == tradecli.Result(library, "balance").records()
    (nzd,) = [r for r in rows if r["currency"] == "NZD" and r["scope"] == "goods_services"]
    flows = raw_flows()
    assert nzd["total"] == value(flows, id="nzl-ind-2024-total-nzd")


CASES = [
    ("balance",),
    ("balance", "peru"),
    ("balance", "--reporter", "all"),
    ("balance", "nz", "--currency", "usd"),
    ("compare", "chile", "--years"),
    ("compare", "chile", "--years", "--period", "FY2024-25"),
    ("compare", "chile", "lac", "--period", "FY2023-24"),
    ("partners",),
    ("partners", "--reporter", "nz"),
    ("sources", "chile"),
    ("sources", "--period", "2024"),
    ("validate",),
]


def library_result(args: tuple[str, ...]):
    """The same question asked of the library directly."""
    command, *rest = args
    partners, options = [], {}
    it = iter(rest)
    for arg in it:
        if arg.startswith("--") and arg != "--years":
            options[arg[2:]] = next(it)
        elif arg != "--years":
            partners.append(arg)
    question = Dataset.open().select(partners, options.get("reporter"), options.get("period"))
    if command == "balance":
        return question.balance(options.get("currency"))
    if command == "compare":
        return question.years() if "--years" in args else question.side_by_side()
    if command == "partners":
        return question.partners()
    if command == "sources":
        return question.sources()
    return Dataset.open().validate()


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_the_cli_json_is_the_library_result(args):
    assert cli_json(*args) == library_result(args).records()


def test_reporter_all_tables_name_each_reporter_and_their_hint_runs_as_printed(pinned_terminal):
    result = runner.invoke(app, ["balance", "--reporter", "all", "-f", "table"])
    assert result.exit_code == 0
    text = result.stdout
    assert " Reporter " in text
    hint = [line for line in text.splitlines() if "tradecli sources" in line]
    assert hint, text
    command = hint[-1].split("tradecli ", 1)[1].split()
    again = runner.invoke(app, [*command, "-f", "json"])
    assert again.exit_code == 0, again.stderr
    assert {r["reporter"] for r in json.loads(again.stdout)} == {"IND", "NZL"}


def test_the_question_is_checked_once_in_the_library():
    with pytest.raises(UsageError):
        Dataset.open().select(reporter=" ")
    with pytest.raises(UsageError):
        Dataset.open().select(periods="FY2024")  # not a period label
    assert Dataset.open().select(periods=["fy2024-25", "FY2024-25"]).periods == ("FY2024-25",)


def test_the_sources_hint_names_the_data_it_was_read_from(tmp_path, nz_only, pinned_terminal):
    """`tradecli balance --data FILE` prints a `tradecli sources ...` hint that runs as printed (with the same file)."""
    result = runner.invoke(app, ["balance", "--data", str(nz_only), "-f", "table"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.stderr
    hint = [line for line in result.stdout.splitlines() if "tradecli sources" in line][-1]
    command = __import__("shlex").split(hint.split("tradecli ", 1)[1])
    assert "-d" in command
    again = runner.invoke(app, [*command, "-f", "json"])
    assert again.exit_code == 0, again.stderr
    assert {r["reporter"] for r in json.loads(again.stdout)} == {"NZL"}
