"""Charts: the text chart against a hand-written golden, images opened and read, the missing extra."""

import io
import math
import struct
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import one_line_error
from typer.testing import CliRunner

from tradecli.cli import app
from tradecli.render import chart

runner = CliRunner()

# Hand-made balances: two calendar periods for Peru in US$ (a deficit, then a surplus) and a
# fiscal NZ$ period for New Zealand with no exports (so no balance either).
FRAME = pd.DataFrame(
    {
        "reporter": ["IND", "IND", "IND"],
        "partner": ["PER", "PER", "NZL"],
        "period": ["2023", "2024", "FY2023-24"],
        "basis": ["calendar", "calendar", "fiscal-apr-mar"],
        "currency": ["USD", "USD", "NZD"],
        "exports": [500.0, 800.0, math.nan],
        "imports": [1000.0, 400.0, 300.0],
        "total": [1500.0, 1200.0, math.nan],
        "balance": [-500.0, 400.0, math.nan],
        "flags": ["preliminary", "", ""],
        "sources": ["doc.txt", "doc.txt", "doc.txt"],
        "figures": ["a;b", "c;d", "e"],
        "derivation": ["", "", ""],
        "fx": ["", "", ""],
    }
)

# Worked by hand at 80 columns: bars are 80 - 30 = 50 cells for the largest flow of each chart.
# Peru (top 1,000): 500 -> 25 cells, 1,000 -> 50, 800 -> 40, 400 -> 20; the balance spans the gap
# between the two bars, '-' for a deficit (cells 25-49), '+' for a surplus (cells 20-39).
# New Zealand is a chart of its own (NZ$, fiscal): 300 -> 50 cells; missing values show as —.
EXPECTED = """\
India's trade with Peru, US$ million (calendar years)
█ exports  ░ imports  balance = exports − imports: - deficit, + surplus

Peru 2023  prelim
  exports  █████████████████████████                               500
  imports  ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░    1,000
  balance                           -------------------------     -500  deficit

Peru 2024
  exports  ████████████████████████████████████████                800
  imports  ░░░░░░░░░░░░░░░░░░░░                                    400
  balance                      ++++++++++++++++++++                400  surplus

India's trade with New Zealand, NZ$ million (fiscal years, Apr–Mar)
█ exports  ░ imports  balance = exports − imports: - deficit, + surplus

New Zealand FY2023-24
  exports                                                            —
  imports  ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░      300
  balance                                                            —

Flags: prelim = the source gives the figure as preliminary.
Sources: doc.txt.
Exact words behind each number: tradecli sources peru new-zealand
"""


def test_text_chart_golden(pinned_terminal):
    out = io.StringIO()
    chart.write_text(FRAME, out)
    assert out.getvalue() == EXPECTED


def test_surplus_and_deficit_read_without_colour(pinned_terminal):
    out = io.StringIO()
    chart.write_text(FRAME, out)
    text = out.getvalue()
    assert "\x1b[" not in text
    deficit, surplus = (line for line in text.splitlines() if line.startswith("  balance") and ("-" in line or "+" in line))
    assert "-----" in deficit
    assert deficit.endswith("deficit")
    assert "+++++" in surplus
    assert surplus.endswith("surplus")


def test_a_tiny_balance_still_gets_a_mark():
    frame = FRAME.iloc[[0]].assign(exports=999.0, balance=-1.0)
    line = str(list(chart.text_lines(chart.groups(frame)[0], 80))[-1])
    # 999 and 1,000 both round to 50 cells: the deficit still shows as one mark in the last cell.
    assert line == "  balance  " + " " * 49 + "-" + " " + "      -1" + "  deficit"


def test_long_values_shorten_the_bars_and_never_wrap(pinned_terminal):
    frame = FRAME.iloc[[0]].assign(exports=12345678.5, imports=1.0, balance=12345677.5)
    out = io.StringIO()
    chart.write_text(frame, out)
    lines = out.getvalue().splitlines()
    exports = next(line for line in lines if line.startswith("  exports"))
    # "12,345,678.5" is 12 characters: bars get 80 - 22 - 12 = 46 cells.
    assert exports == "  exports  " + "█" * 46 + " " + "12,345,678.5"
    assert max(len(line) for line in lines[:8]) <= 80


def test_output_kind_follows_the_file_name():
    assert chart.output_kind(None) == "text"
    assert chart.output_kind("-") == "text"
    assert chart.output_kind("out/Chile.SVG") == "svg"
    assert chart.output_kind("c.png") == "png"
    assert chart.output_kind("c.txt") == "text"


def run(*args):
    return runner.invoke(app, list(args))


def test_chart_chile_years_in_the_terminal(pinned_terminal):
    result = run("chart", "chile", "--years")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "India's trade with Chile, goods, US$ million (fiscal years, Apr–Mar)"
    assert "Chile FY2023-24  approx scope?" in lines
    assert "Chile FY2024-25  approx prelim scope?" in lines
    # FY2024-25: imports 2,600 is the longest bar (50 cells); exports 1,150 -> 1150/2600*50 = 22.1 -> 22.
    assert "  exports  " + "█" * 22 + " " * 28 + "    1,150" in lines
    assert "Sources: 000_e9e87cddf52bb8e0.txt." in lines


def test_chart_refuses_partners_that_share_no_period():
    assert "fiscal year" in one_line_error(run("chart", "peru", "chile"), 1)


def test_chart_years_puts_currencies_in_charts_of_their_own(pinned_terminal):
    text = run("chart", "nz", "peru", "--years").stdout
    assert "India's trade with New Zealand, goods, NZ$ million (calendar years)" in text
    assert "India's trade with New Zealand, Peru, goods, US$ million (calendar years)" in text
    assert "India's trade with New Zealand, goods and services, US$ million (calendar years)" in text  # a scope of its own


def test_chart_unknown_image_type_is_a_usage_error(tmp_path):
    assert ".svg or .png" in one_line_error(run("chart", "chile", "-o", str(tmp_path / "c.jpg")), 2)
    assert not (tmp_path / "c.jpg").exists()


def test_chart_text_to_a_file(tmp_path, pinned_terminal):
    target = tmp_path / "chile.txt"
    assert run("chart", "chile", "-o", str(target)).exit_code == 0
    assert "Chile FY2024-25  approx prelim" in target.read_text(encoding="utf-8")


def test_svg_has_title_units_periods_and_sources(tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "chile.svg"
    result = run("chart", "chile", "--years", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    svg = target.read_text(encoding="utf-8")
    for words in ("India's trade with Chile, goods, US$ million", "US$ million", "Chile FY2023-24", "Chile FY2024-25",
                  "-1,450 deficit", "Sources: 000_e9e87cddf52bb8e0.txt."):  # fmt: skip
        assert words in svg, words
    assert "<dc:date>" not in svg


def test_svg_is_the_same_every_time():
    pytest.importorskip("matplotlib")
    first, second = io.BytesIO(), io.BytesIO()
    chart.write_image(FRAME, first, "svg")
    chart.write_image(FRAME, second, "svg")
    assert first.getvalue() == second.getvalue()
    svg = first.getvalue().decode()
    for words in ("NZ$ million", "New Zealand FY2023-24", "-500 deficit", "400 surplus"):
        assert words in svg, words


def test_png_is_a_png_of_the_set_width():
    pytest.importorskip("matplotlib")
    out = io.BytesIO()
    chart.write_image(FRAME, out, "png")
    data = out.getvalue()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 960  # 8 inches at 120 dpi
    assert height > 300


def test_missing_matplotlib_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now raises ImportError
    target = tmp_path / "chile.svg"
    message = one_line_error(run("chart", "chile", "-o", str(target)), 1)
    assert message == (
        "Error: a chart image needs matplotlib, which is not installed; install it with: pip install 'tradecli[charts]'"
    )
    assert list(tmp_path.iterdir()) == []  # no file, not even a temporary one


def test_a_commodity_chart_names_the_commodity(tmp_path, pinned_terminal):
    """Figures of one commodity (import --commodity) are never charted as if they were the country total."""
    fixture = Path(__file__).parent / "fixtures" / "comtrade_legacy_api_2016.csv"
    imported = tmp_path / "live-animals.csv"
    assert run("import", "comtrade", str(fixture), "--commodity", "01", "-o", str(imported)).exit_code == 0
    text = run("chart", "world", "--data", str(imported), "--reporter", "india").stdout
    assert text.splitlines()[0].startswith("India's trade with World in commodity 01 Live animals, goods, US$")
