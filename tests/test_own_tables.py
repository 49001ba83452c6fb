"""A user's own exchange rates (--fx, $TRADECLI_FX) and names (--names, $TRADECLI_NAMES): read as hostile files."""

import csv
import io

import pytest
from conftest import one_line_error
from typer.testing import CliRunner

from tradecli.cli import app

runner = CliRunner()
HEADER = "id,base,quote_currency,period,rate,status,source,quote,derivation\n"
TRADESTAT = "tests/fixtures/tradestat_fy2019-20_usd.csv"


def run(*args, **kwargs):
    return runner.invoke(app, list(args), **kwargs)


@pytest.fixture
def imported(tmp_path):
    """The TradeStat FY2019-20 table (US$ million) imported to the flows schema."""
    out = tmp_path / "fy2019-20.csv"
    result = run("import", "tradestat", TRADESTAT, "-c", "USD", "-p", "FY2019-20", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def rates_file(tmp_path, body, name="rates.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_a_users_rate_converts_and_is_cited(imported, tmp_path):
    rates = rates_file(tmp_path, "my-usd-inr,USD,INR,FY2019-20,70.9,approximate,my-notes.txt,about Rs 70.9 a dollar,\n")
    result = run("balance", "china", "-d", str(imported), "-c", "INR", "--fx", str(rates), "-f", "csv")
    assert result.exit_code == 0, result.stderr
    (row,) = csv_rows(result.stdout)
    # The fixture's CHINA P RP row, recomputed here: exports 16,612.71, imports 65,260.76 (US$ million) x 70.9.
    assert float(row["exports"]) == pytest.approx(16612.71 * 70.9)
    assert float(row["imports"]) == pytest.approx(65260.76 * 70.9)
    assert row["currency"] == "INR"
    assert "my-usd-inr" in row["figures"]
    assert "my-notes.txt" in row["sources"]
    assert "1 USD = 70.9 INR" in row["fx"]


def test_tradecli_fx_is_read_when_no_fx_option(imported, tmp_path):
    rates = rates_file(tmp_path, "r1,INR,USD,FY2019-20,0.0141,,rbi.txt,q,\n")
    result = run("balance", "china", "-d", str(imported), "-c", "INR", "-f", "csv", env={"TRADECLI_FX": str(rates)})
    assert result.exit_code == 0, result.stderr
    (row,) = csv_rows(result.stdout)
    assert float(row["exports"]) == pytest.approx(16612.71 / 0.0141)


def test_without_a_rate_the_message_points_to_fx(imported):
    line = one_line_error(run("balance", "china", "-d", str(imported), "-c", "INR"), 1)
    assert "--fx FILE" in line
    assert "data/fx.csv" not in line


def test_fx_without_currency_is_refused(tmp_path):
    rates = rates_file(tmp_path, "r1,INR,USD,FY2019-20,0.0141,,rbi.txt,q,\n")
    assert "--currency" in one_line_error(run("balance", "peru", "--fx", str(rates)), 2)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("r,USD,INR,FY2019-20,-70,,s,q,\n", "column rate: '-70' is not a positive number"),
        ("r,USD,INR,FY2019-20,nan,,s,q,\n", "column rate: 'nan'"),
        ("r,USD,INR,FY2019-20,1e999,,s,q,\n", "column rate: '1e999'"),
        ("r,USD,INR,FY2019-20,７０,,s,q,\n", "column rate"),
        ("r,USD,INR,2019-20,70,,s,q,\n", "column period"),
        ("r,USD,XXY,2019,70,,s,q,\n", "column quote_currency: 'XXY' is not an ISO 4217"),
        ("r,USD,USD,2019,70,,s,q,\n", "the same currency"),
        ("r,USD,INR,2019,70,,,q,\n", "column source: empty"),
        ("r,USD,INR,2019,70,,s,,\n", "column quote: empty"),
        ("r,USD,INR,2019,70,guess,s,q,\n", "column status"),
        ("r,USD,INR,2019,70,,s,q,\nr,USD,INR,2020,71,,s,q,\n", "line 3, column id: id 'r' is already used"),
        ("a,USD,INR,2019,70,,s,q,\nb,INR,USD,2019,0.014,,s,q,\n", "a second INR/USD rate for 2019"),
        ("nzd,USD,NZD,2024,1.7,,s,q,\n", "a second USD/NZD rate for 2024 (the bundled fx.csv"),
        ("r,USD,INR,2019,70,,s,q\n", "8 cells where the header has 9"),
    ],
)
def test_a_bad_rates_file_is_one_line_naming_line_and_column(tmp_path, body, words):
    rates = rates_file(tmp_path, body)
    line = one_line_error(run("balance", "peru", "-c", "INR", "--fx", str(rates)), 1)
    assert words in line
    assert str(rates) in line


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"id,base\n", "missing columns"),
        (HEADER.encode().replace(b"derivation", b"=cmd()"), "unknown column '=cmd()'"),
        (HEADER.encode() + b"r,USD,INR,2019,70,,s,\xff,\n", "not UTF-8"),
        (HEADER.encode() + b"r,USD,INR,2019,70,,s,\x00,\n", "NUL"),
        (HEADER.encode() + b'r,USD,INR,2019,70,,s,"unclosed\n', "line"),
    ],
)
def test_a_hostile_rates_file_is_refused_in_one_line(tmp_path, content, words):
    rates = tmp_path / "rates.csv"
    rates.write_bytes(content)
    assert words in one_line_error(run("balance", "peru", "-c", "INR", "--fx", str(rates)), 1)


def test_a_huge_rates_file_is_refused_before_it_is_read(tmp_path):
    rates = tmp_path / "rates.csv"
    with rates.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: costs no disk
    assert "reference table" in one_line_error(run("balance", "peru", "-c", "INR", "--fx", str(rates)), 1)


def test_output_never_overwrites_a_rates_file(tmp_path):
    rates = rates_file(tmp_path, "r,USD,INR,2024,84,,s,q,\n")
    before = rates.read_bytes()
    assert one_line_error(run("balance", "peru", "-c", "INR", "--fx", str(rates), "-o", str(rates)), 2)
    assert rates.read_bytes() == before


def test_a_names_file_maps_a_tradestat_spelling_and_says_so(tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("name,code\nAtlantis,XAT\n", encoding="utf-8")
    result = run("import", "tradestat", TRADESTAT, "-c", "USD", "-p", "FY2019-20", "--names", str(names))
    assert result.exit_code == 0, result.stderr
    rows = [r for r in csv_rows(result.stdout) if r["partner"] == "XAT"]
    assert [r["value"] for r in rows] == ["12.3", "4.1"]  # the fixture's ATLANTIS row: Export 12.30, Import 4.10
    assert all("names file" in r["note"] for r in rows)
    assert "ATLANTIS" not in result.stderr  # no unknown-name warning


def test_tradecli_names_is_read_by_import(tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("name,code\nATLANTIS,XAT\n", encoding="utf-8")
    result = run("import", "tradestat", TRADESTAT, "-c", "USD", "-p", "FY2019-20", env={"TRADECLI_NAMES": str(names)})
    assert result.exit_code == 0, result.stderr
    assert any(r["partner"] == "XAT" for r in csv_rows(result.stdout))


def test_an_unknown_tradestat_name_points_to_names():
    result = run("import", "tradestat", TRADESTAT, "-c", "USD", "-p", "FY2019-20")
    warning = next(line for line in result.stderr.splitlines() if "ATLANTIS" in line)
    assert "--names FILE" in warning
    assert "tradestat_names.csv" not in warning


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("name,code\nAtlantis,xat\n", "column code: 'xat'"),
        ("name,code\nAtlantis,XATL\n", "column code"),
        ("name,code\n,XAT\n", "column name: empty"),
        ("name,code\nAtlantis,XAT\nATLANTIS,XAU\n", "line 3, column code: 'ATLANTIS' is already XAT (line 2)"),
        ("spelling,code\n", "missing column name"),
    ],
)
def test_a_bad_names_file_is_one_line(tmp_path, content, words):
    names = tmp_path / "names.csv"
    names.write_text(content, encoding="utf-8")
    result = run("import", "tradestat", TRADESTAT, "-c", "USD", "-p", "FY2019-20", "--names", str(names))
    assert words in one_line_error(result, 1)


def test_names_are_for_tradestat(tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("name,code\nAtlantis,XAT\n", encoding="utf-8")
    result = run("import", "comtrade", "tests/fixtures/comtrade_china_2023.json", "--names", str(names))
    assert "--names is for TradeStat" in one_line_error(result, 2)


def test_tradecli_fx_is_named_in_the_errors_it_causes(tmp_path):
    rates = rates_file(tmp_path, "r,USD,INR,2019,-1,,s,q,\n")
    line = one_line_error(run("balance", "peru", "-c", "INR", env={"TRADECLI_FX": str(rates)}), 1)
    assert "column rate" in line
    assert "$TRADECLI_FX" in line
    # without --currency the variable is not read, so it causes nothing
    assert run("balance", "peru", "-f", "csv", env={"TRADECLI_FX": str(rates)}).exit_code == 0
