"""Rendering: the CSV/JSON contract byte for byte, and tables that people can read."""

import io
import json
import math
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecli import render
from tradecli.render import Format

FRAME = pd.DataFrame(
    {
        "reporter": ["IND", "IND"],
        "partner": ["PER", '=HYPERLINK("x")'],
        "period": ["2024", "FY2023-24"],
        "basis": ["calendar", "fiscal-apr-mar"],
        "currency": ["USD", "NZD"],
        "exports": [933.0, 0.1 + 0.2],
        "imports": [4690.0, math.nan],
        "total": [5623.0, 1234567.5],
        "balance": [-355.29999999999995, -3757.0],
        "export_import_ratio": [0.19893390191897655, math.nan],
        "balance_pct_of_total": [-66.81486750844, math.nan],
        "flags": ["approximate", "-derived"],
        "sources": ["a.txt", "@b.txt"],
    }
)

# Written by hand from FRAME: float noise trimmed, NaN empty, no separators, text neutralised.
EXPECTED_CSV = """\
reporter,partner,period,basis,currency,exports,imports,total,balance,export_import_ratio,balance_pct_of_total,flags,sources
IND,PER,2024,calendar,USD,933,4690,5623,-355.3,0.1989339019,-66.8148675084,approximate,a.txt
IND,"'=HYPERLINK(""x"")",FY2023-24,fiscal-apr-mar,NZD,0.3,,1234567.5,-3757,,,'-derived,'@b.txt
"""


def rendered(fmt, frame=FRAME, kind="balance"):
    out = io.StringIO()
    render.render(frame, kind, fmt, out)
    return out.getvalue()


def test_csv_contract():
    assert rendered(Format.csv) == EXPECTED_CSV


def test_json_has_the_csv_columns_raw_numbers_and_nulls():
    data = json.loads(rendered(Format.json))
    assert data[0] == {
        "reporter": "IND", "partner": "PER", "period": "2024", "basis": "calendar", "currency": "USD",
        "exports": 933, "imports": 4690, "total": 5623, "balance": -355.3,
        "export_import_ratio": 0.1989339019, "balance_pct_of_total": -66.8148675084,
        "flags": ["approximate"], "sources": ["a.txt"],
    }  # fmt: skip
    assert data[1]["imports"] is None
    assert data[1]["partner"] == '=HYPERLINK("x")'  # JSON is for programs: text stays as it is
    assert list(data[0]) == list(FRAME.columns)


def test_auto_is_csv_when_not_a_terminal():
    assert rendered(Format.auto) == EXPECTED_CSV


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_auto_is_a_table_on_a_terminal():
    assert render.resolve(Format.auto, Terminal()) is Format.table


@given(st.text())
def test_neutralised_text_never_starts_with_a_trigger(text):
    assert not render.neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
    assert render.neutralise(text).endswith(text)


BALANCE = pd.DataFrame(
    {
        "reporter": ["IND", "IND", "IND"],
        "partner": ["PER", "NZL", "CHL"],
        "period": ["2024", "2024", "FY2024-25"],
        "basis": ["calendar", "calendar", "fiscal-apr-mar"],
        "currency": ["USD", "NZD", "USD"],
        "exports": [933.0, 2422.0, 1150.0],
        "imports": [4690.0, 718.0, 2600.0],
        "total": [5623.0, 3140.0, 3750.0],
        "balance": [-3757.0, 1704.0, -1450.0],
        "export_import_ratio": [933 / 4690, 2422 / 718, 1150 / 2600],
        "balance_pct_of_total": [0.0, 0.0, 0.0],
        "flags": ["approximate", "partner-reported;derived", "[bold]preliminary"],
        "sources": ["000.txt", "000.txt", "000.txt"],
        "figures": ["a;b", "c;d", "e;f"],
        "derivation": ["", "exports = total − imports", ""],
        "total_check_gap": [math.nan] * 3,
        "fx": ["", "", ""],
    }
)


@pytest.fixture
def table(pinned_terminal):
    return rendered(Format.table, BALANCE)


def test_table_fits_80_columns(table):
    assert max(len(line.rstrip()) for line in table.splitlines()) <= 80


def test_table_has_one_section_per_currency_with_its_unit(table):
    assert "India's trade with Peru, Chile: balance, US$ million" in table
    assert "India's trade with New Zealand: balance, NZ$ million" in table
    assert table.index("US$ million") < table.index("NZ$ million")


def test_table_numbers_are_readable_and_right_aligned(table):
    lines = [line for line in table.splitlines() if line.lstrip().startswith(("Peru", "Chile"))]
    peru, chile = lines
    assert "4,690" in peru
    assert "-3,757" in peru
    assert "0.20" in peru  # ratio, two decimals
    assert peru.index("-3,757") + len("-3,757") == chile.index("-1,450") + len("-1,450")


def test_table_footnotes_explain_flags_derivations_and_sources(table):
    assert "approx = the source gives the figure as approximate" in table
    assert "New Zealand 2024 NZ$ m: exports = total − imports." in table
    assert "Sources: 000.txt" in table
    assert "tradecli sources peru new-zealand chile" in table


def test_data_is_never_read_as_markup(table):
    assert "[bold]preliminary" in table


def test_no_colour_codes_when_no_color_is_set(table):
    assert "\x1b[" not in table


def test_sources_listing_shows_the_exact_quote(pinned_terminal):
    frame = pd.DataFrame(
        [{"id": "x1", "reporter": "IND", "partner": "PER", "flow": "export", "period": "2024", "basis": "calendar",
          "currency": "USD", "value": 933.0, "status": "approximate",
          "source": "000.txt", "quote": "exports were around US$933 million", "note": "",
          "file": "f.csv", "line": 2}]
    )  # fmt: skip
    text = rendered(Format.table, frame, "sources")
    assert "x1: IND export to PER, 2024: 933 US$ m (approximate)" in text
    assert "“exports were around US$933 million”" in text
    assert "— 000.txt" in text


def test_years_table_signs_changes(pinned_terminal):
    frame = pd.DataFrame(
        [{"reporter": "IND", "partner": "CHL", "period": "FY2024-25", "basis": "fiscal-apr-mar", "currency": "USD",
          "exports": 1150.0, "exports_change": -30.0, "exports_change_pct": -30 / 1180 * 100,
          "imports": 2600.0, "imports_change": 1090.0, "imports_change_pct": 1090 / 1510 * 100,
          "total": 3750.0, "total_change": 1060.0, "total_change_pct": 1060 / 2690 * 100,
          "balance": -1450.0, "balance_change": -1120.0, "balance_change_pct": -1120 / 330 * 100,
          "flags": "preliminary", "sources": "000.txt", "previous_period": "FY2023-24", "figures": "a"}]
    )  # fmt: skip
    text = rendered(Format.table, frame, "years")
    row = next(line for line in text.splitlines() if "FY2024-25" in line)
    assert re.search(r"1,150\s+-2\.5%\s+2,600\s+\+72\.2%\s+-1,450\s+-1,120", row)


CHECK = pd.DataFrame(
    {
        "reporter": ["IND", "IND"],
        "partner": ["PER", "PER"],
        "flow": ["export", "export"],
        "period": ["FY2019-20", "2024"],
        "basis": ["fiscal-apr-mar", "calendar"],
        "currency": ["USD", "USD"],
        "official": [773.24, math.nan],
        "other": [770.0, 933.0],
        "gap": [770.0 - 773.24, math.nan],
        "gap_pct": [(770.0 - 773.24) / 773.24 * 100, math.nan],
        "official_source": ["tradestat.csv", ""],
        "other_source": ["a.txt", "a.txt"],
        "reason": ["", "official has FY2019-20 only: fiscal and calendar years never matched"],
    }
)

# By hand: 770 - 773.24 = -3.24 (float noise trimmed); -3.24 / 773.24 * 100 = -0.4190160881 (12 digits); NaN empty.
EXPECTED_CHECK_CSV = """\
reporter,partner,flow,period,basis,currency,official,other,gap,gap_pct,official_source,other_source,reason
IND,PER,export,FY2019-20,fiscal-apr-mar,USD,773.24,770,-3.24,-0.4190160881,tradestat.csv,a.txt,
IND,PER,export,2024,calendar,USD,,933,,,,a.txt,official has FY2019-20 only: fiscal and calendar years never matched
"""


def test_check_csv_golden():
    out = io.StringIO()
    render.render(CHECK, "check", Format.csv, out)
    assert out.getvalue() == EXPECTED_CHECK_CSV


def test_check_table_shows_the_gap_and_why_a_figure_is_unmatched(pinned_terminal):
    out = io.StringIO()
    render.render(CHECK, "check", Format.table, out)
    text = out.getvalue()
    assert "773.24" in text
    assert "-3.24" in text
    assert "-0.4%" in text
    assert "Gap = other − official" in text


def test_a_table_too_wide_for_the_terminal_keeps_every_digit(pinned_terminal):
    wide = BALANCE.assign(
        partner=["United States", "WLD", "CHN"],
        exports=[53088.61, 313361.04, 16612.71],
        imports=[35818.47, 474709.28, 65260.76],
        total=[88907.08, 788070.32, 81873.47],
        balance=[17270.14, -161348.24, -48648.05],
        currency=["USD"] * 3,
        period=["FY2019-20"] * 3,
    )
    text = rendered(Format.table, wide)
    for number in ("313,361.04", "474,709.28", "-161,348.24"):
        assert number in text
    assert "…" not in text
    # Columns that cannot fit are left out whole, and the table says which (issue 12)
    assert "Left out to fit 80 columns: Exp/Imp, Total; -f csv has every column." in text
    assert max(len(line) for line in text.splitlines()) <= 80


@pytest.mark.parametrize("width", [60, 72, 100])
def test_tables_fit_the_terminal_or_say_what_they_left_out(monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.setenv("NO_COLOR", "1")
    for kind, frame in (("balance", BALANCE), ("balance", FRAME)):
        text = rendered(Format.table, frame, kind)
        fits = max(len(line) for line in text.splitlines()) <= width
        words = " ".join(text.split())
        assert fits or f"This table is wider than {width} columns: widen the terminal, or use -f csv." in words, text
        assert "…" not in text
        if "Left out" in words:
            assert "-f csv has every column" in words


def test_a_table_written_to_a_file_has_no_trailing_spaces(pinned_terminal):
    text = rendered(Format.table, BALANCE)
    assert all(line == line.rstrip() for line in text.splitlines())


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (770 - 773.24, -3.24),  # float noise of a difference: -3.2400000000000091
        (0.1 + 0.2, 0.3),
        (16650.00000055, 16650.00000055),  # US$16,650,000,000.55 in millions: to the cent
        (1234567.89 - 1000000.01, 234567.88),
        (933 / 4690, 0.1989339019),
    ],
)
def test_numbers_are_exact_to_the_cent_without_float_noise(value, written):
    assert render.raw(value) == written
    assert rendered(Format.csv, pd.DataFrame({"v": [value]})) == f"v\n{written:.15g}\n"
