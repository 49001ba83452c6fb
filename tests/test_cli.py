"""The command line through Typer's CliRunner (and a real process where start-up matters)."""

import csv
import importlib.util
import io
import json
import os
import subprocess
import sys

import pytest
from conftest import one_line_error
from typer.testing import CliRunner

from tradecli import __version__, queries, render
from tradecli.cli import app

runner = CliRunner()


def run(*args, **kwargs):
    return runner.invoke(app, list(args), **kwargs)


def test_balance_peru_as_csv():
    result = run("balance", "peru", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.startswith(
        "reporter,partner,period,basis,currency,exports,imports,total,balance,export_import_ratio,balance_pct_of_total,flags,sources,"
    )
    # Hand-checked: 933 - 4690 = -3757; 933 / 4690 = 0.1989339019; -3757 / 5623 * 100 = -66.8148675084.
    assert row.startswith(
        'IND,PER,2024,calendar,USD,933,4690,5623,-3757,0.1989339019,-66.8148675084,"approximate;scope-inferred",000_e9e87cddf52bb8e0.txt,'
    )
    assert result.stderr == ""


def test_json_equals_the_library_result():
    result = run("balance", "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == render.json_records(queries.balance())


def test_compare_years_for_chile():
    result = run("compare", "chile", "--years", "-f", "json")
    rows = json.loads(result.stdout)
    assert [r["period"] for r in rows] == ["FY2023-24", "FY2024-25"]
    assert rows[0]["imports_change"] is None
    assert round(rows[1]["imports_change_pct"], 1) == 72.2
    assert rows[1]["flags"] == ["approximate", "preliminary", "scope-inferred"]  # JSON lists; CSV joins them with ;


def test_balance_in_another_currency_shows_the_rate():
    rows = json.loads(run("balance", "peru", "--currency", "nzd", "-f", "json").stdout)
    assert rows[0]["currency"] == "NZD"
    assert rows[0]["exports"] == pytest.approx(933 / 0.605096, rel=1e-9)
    assert "converted" in rows[0]["flags"]
    assert rows[0]["fx"] == "1 USD = 1.65263 NZD (1 ÷ 0.605096, nzd-usd-2024: 2024, 000_e9e87cddf52bb8e0.txt)"


def test_partner_aliases_and_the_reporter_option():
    by_alias = json.loads(run("balance", "NZ", "-f", "json").stdout)
    by_name = json.loads(run("balance", "new zealand", "-f", "json").stdout)
    assert by_alias == by_name
    nz_side = json.loads(run("balance", "india", "--reporter", "nz", "-f", "json").stdout)
    assert {r["reporter"] for r in nz_side} == {"NZL"}
    # NZ's exports (goods) and the two-way total (goods and services) are of different scopes: no balance.
    assert {(r["currency"], r["scope"], r["exports"], r["total"]) for r in nz_side} == {
        ("NZD", "goods", 718, None), ("NZD", "goods_services", None, 3140),
        ("USD", "goods", 430, None), ("USD", "goods_services", None, 1900),
    }  # fmt: skip
    assert {r["balance"] for r in nz_side} == {None}


def test_partners_lists_the_figureless_ones():
    result = run("partners", "-f", "csv")
    assert "ECU,Ecuador,country,no figures" in result.stdout
    assert 'PER,Peru,country,figures,2024,calendar,USD,"export;import",2' in result.stdout  # ; quoted: any separator


def test_sources_give_the_exact_words():
    rows = json.loads(run("sources", "peru", "-f", "json").stdout)
    assert {r["quote"] for r in rows} == {
        "in 2024, India’s imports from Peru stood at approximately US$4.69 billion",
        "India’s exports to Peru were around US$933 million",
    }


def test_table_output_on_request(pinned_terminal):
    result = run("balance", "peru", "-f", "table")
    assert "India's trade with Peru: balance, goods, US$ million" in result.stdout
    assert "-3,757" in result.stdout


def test_unknown_partner_is_a_usage_error_with_a_suggestion():
    assert "did you mean 'peru'" in one_line_error(run("balance", "peur"), 2)


@pytest.mark.parametrize(
    "args",
    [
        ["balance", "--bogus"],
        ["balance", "-f", "xml"],
        ["balance", "--period", "2023-24"],
        ["balance", "--currency", "XYZ"],
        ["compare"],
        ["nonsense"],
        ["balance", "--reporter", "atlantis"],
    ],
)
def test_usage_errors_exit_2_in_one_line(args):
    one_line_error(run(*args), 2)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["compare", "peru", "chile"], "fiscal year"),
        (["balance", "--currency", "NZD"], "no exchange rate"),
        (["balance", "peru", "--period", "FY2023-24"], "no figures"),
    ],
)
def test_data_errors_exit_1_in_one_line(args, words):
    assert words in one_line_error(run(*args), 1)


def test_every_command_has_help():
    for command in ("balance", "compare", "chart", "products", "partners", "sources", "validate", "import", "check"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Usage" in result.stdout


def test_version():
    assert run("--version").stdout == f"tradecli {__version__}\n"


def process(*args, env=None):
    code = "import sys; from tradecli.cli import app; app(prog_name='tradecli')"
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def imported(stderr):
    return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def test_help_and_version_do_not_import_pandas():
    for args in (
        ["--help"],
        ["--version"],
        ["balance", "--help"],
        ["chart", "--help"],
        ["import", "--help"],
        ["check", "--help"],
    ):
        result = process(*args)
        assert result.returncode == 0
        assert not {"pandas", "matplotlib", "openpyxl"} & imported(result.stderr)


def test_completion_offers_partner_names_without_pandas():
    env = {"_TRADECLI_COMPLETE": "complete_bash", "COMP_WORDS": "tradecli balance new", "COMP_CWORD": "2"}
    result = process(env=env)
    assert "new-zealand" in result.stdout
    assert "pandas" not in imported(result.stderr)


def test_a_data_command_does_import_pandas():
    # Guards the two tests above: the import-time probe must see pandas when it is imported.
    assert "pandas" in imported(process("balance", "peru").stderr)


def test_python_dash_m():
    result = subprocess.run(
        [sys.executable, "-m", "tradecli", "balance", "peru", "-f", "csv"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert ",933,4690," in result.stdout


def test_text_outputs_do_not_import_the_optional_extras(tmp_path):
    for args in (["chart", "chile"], ["balance", "-f", "md"]):
        result = process(*args)
        assert result.returncode == 0, result.stderr[-500:]
        assert not {"matplotlib", "openpyxl"} & imported(result.stderr)
    if importlib.util.find_spec("matplotlib") is not None:  # guards the probe, as for pandas above
        assert "matplotlib" in imported(process("chart", "chile", "-o", str(tmp_path / "c.svg")).stderr)


def test_an_unknown_reporter_is_called_a_reporter():
    line = one_line_error(run("balance", "peru", "--reporter", "xyzzy"), 2)
    assert "unknown reporter 'xyzzy'" in line


@pytest.mark.parametrize(
    "args", [["balance", "--currency", ""], ["balance", "--reporter", " "], ["balance", "--currency", "QQQ"]]
)
def test_empty_or_invalid_option_values_are_usage_errors(args):
    one_line_error(run(*args), 2)


def test_a_currency_with_no_rates_is_a_data_error():
    assert "EUR" in one_line_error(run("balance", "peru", "--currency", "eur"), 1)


def test_values_too_large_are_a_data_error_not_infinity(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text(
        "reporter,partner,flow,period,currency,value,source,quote\nIND,PER,export,2024,USD,1e308,s,q\nIND,PER,import,2024,USD,1e308,s,q\n"
    )
    for fmt in ("csv", "json"):
        assert "too large" in one_line_error(run("balance", "--data", str(path), "-f", fmt), 1)


def test_a_converted_row_cites_its_rate_among_figures_and_sources():
    row = json.loads(run("balance", "peru", "--currency", "NZD", "-f", "json").stdout)[0]
    assert "nzd-usd-2024" in row["figures"]
    assert row["sources"] == ["000_e9e87cddf52bb8e0.txt"]  # the rate comes from the same article


def test_the_name_library_loads_only_when_the_bundled_names_miss():
    for args in (["--help"], ["balance", "--help"], ["balance", "peru", "-f", "csv"], ["compare", "nz", "-f", "csv"]):
        result = process(*args)
        assert result.returncode == 0, result.stderr[-300:]
        assert "countryguess" not in imported(result.stderr)
    result = process("balance", "uae", "-f", "csv")
    assert "countryguess" in imported(result.stderr)
    assert "no figures for IND with ARE" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["balance", "--period", ""],
        ["balance", "-p", " "],
        ["balance", "--currency", ""],
        ["balance", "--reporter", ""],
        ["balance", "--data", ""],
        ["balance", "-o", ""],
        ["balance", ""],
        ["compare", "peru", "--period", ""],
        ["check", "peru", "--official", ""],
        ["check", "peru", "--mirror", "--flow", ""],
        ["validate", ""],
        ["import", "comtrade", "tests/fixtures/comtrade_china_2023.json", "--commodity", ""],
    ],
)
def test_an_empty_value_is_refused_not_ignored(args):
    assert "empty" in one_line_error(run(*args), 2)


@pytest.mark.parametrize(
    "args",
    [
        ["balance", "peru", "-p", "2024", "-p", "FY2023-24"],
        ["compare", "chile", "--years", "--period", "FY2023-24", "--period", "FY2024-25"],
        ["balance", "peru", "-c", "USD", "--currency", "NZD"],
        ["balance", "peru", "-o", "a.csv", "-o", "b.csv"],
    ],
)
def test_a_single_valued_option_given_twice_is_refused(args):
    line = one_line_error(run(*args), 2)
    assert "given 2 times" in line
    assert line.split()[1] in {"--period", "--currency", "--output"}


def test_tradecli_data_is_named_in_the_errors_it_causes(tmp_path):
    missing = tmp_path / "missing.csv"
    line = one_line_error(run("balance", env={"TRADECLI_DATA": str(missing)}), 1)
    assert "$TRADECLI_DATA" in line
    assert "missing.csv" in line
    line = one_line_error(run("balance", "peru", "--period", "1999", env={"TRADECLI_DATA": "data/flows.csv"}), 1)
    assert "no figures" in line
    assert "$TRADECLI_DATA" in line
    # --data wins over the variable, so the variable is not named
    line = one_line_error(run("balance", "peru", "-p", "1999", "-d", "data/flows.csv", env={"TRADECLI_DATA": str(missing)}), 1)
    assert "TRADECLI_DATA" not in line
    result = run("validate", env={"TRADECLI_DATA": str(missing)})
    assert result.exit_code == 1
    assert "$TRADECLI_DATA" in result.stderr
    assert "names no file" in one_line_error(run("balance", env={"TRADECLI_DATA": os.pathsep}), 2)


def test_json_lists_are_the_csv_cells_split_on_semicolons():
    as_csv = list(csv.DictReader(io.StringIO(run("balance", "-f", "csv").stdout)))
    as_json = json.loads(run("balance", "-f", "json").stdout)
    assert len(as_csv) == len(as_json) > 3
    for row, record in zip(as_csv, as_json, strict=True):
        for column in ("flags", "sources", "figures"):
            assert record[column] == [part for part in row[column].split(";") if part]


def test_partners_keep_the_order_asked():
    def order(*args):
        return list(dict.fromkeys(r["partner"] for r in json.loads(run(*args, "-f", "json").stdout)))

    assert order("balance", "peru", "chile") == ["PER", "CHL"]
    assert order("balance", "chile", "peru") == ["CHL", "PER"]
    assert order("compare", "nz", "peru", "-c", "USD") == ["NZL", "PER"]
    assert order("compare", "peru", "nz", "-c", "USD") == ["PER", "NZL"]
    assert order("compare", "nz", "chile", "--years", "-c", "USD") == ["NZL", "CHL"]


def test_output_to_a_txt_file_is_the_text_table(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    target = tmp_path / "peru.txt"
    assert run("balance", "peru", "-o", str(target)).exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("India's trade with Peru: balance, goods, US$ million\n")
    assert "4,690" in text
    assert "reporter,partner" not in text


@pytest.mark.parametrize("width", ["60", "80"])
def test_top_level_help_gives_whole_one_line_summaries(width):
    text = process("--help", env={"COLUMNS": width}).stdout
    commands = text[text.index("Commands:") :].splitlines()[1:]
    assert "…" not in text
    assert "..." not in "\n".join(commands)
    assert len([line for line in commands if line.strip()]) == 11  # one line each: 10 commands and fetch
    assert all(len(line) <= int(width) for line in text.splitlines())


def test_every_command_help_ends_with_examples():
    for command in ("balance", "compare", "chart", "products", "partners", "sources", "validate", "import", "check"):
        text = run(command, "--help").stdout
        examples = text[text.index("Examples:") :].splitlines()[1:]
        assert examples
        assert all(line.strip().startswith(f"tradecli {command}") for line in examples if line.strip())
