"""Markdown and xlsx output: a hand-written Markdown golden, workbooks opened and read, the figures behind."""

import io
import math
import re
import sys
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import make_figures, one_line_error
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import tradecli
from tradecli import queries, render
from tradecli.cli import app
from tradecli.render import Format
from tradecli.render.output import open_output
from tradecli.render.safetext import safe_text

runner = CliRunner()

BALANCE = pd.DataFrame(
    {
        "reporter": ["IND"],
        "partner": ["PER"],
        "period": ["2024"],
        "basis": ["calendar"],
        "currency": ["USD"],
        "exports": [933.0],
        "imports": [4690.0],
        "total": [5623.0],
        "balance": [-3757.0],
        "export_import_ratio": [933 / 4690],
        "balance_pct_of_total": [-3757 / 5623 * 100],
        "flags": ["approximate"],
        "sources": ["a_b.txt"],
        "figures": ["f1"],
        "derivation": [""],
        "total_check_gap": [math.nan],
        "fx": [""],
    }
)
FIGURES = pd.DataFrame(
    [{"id": "f1", "reporter": "IND", "partner": "PER", "flow": "export", "period": "2024", "basis": "calendar",
      "currency": "USD", "value": 933.0, "status": "approximate", "source": "a_b.txt",
      "quote": "exports *around* 933 | m", "note": "", "file": "f.csv", "line": 2}]
)  # fmt: skip

# Written by hand: one bold title and pipe table per currency (numbers right-aligned, as in the
# terminal table), each footnote a paragraph, then each figure with its exact words. Markdown's
# special characters in data (_ * |) are escaped so a quote is never read as markup.
EXPECTED_MARKDOWN = """\
**India's trade with Peru: balance, US$ million**

| Partner | Period | Exports | Imports | Total | Balance | Exp/Imp | Flags |
|---|---|---:|---:|---:|---:|---:|---|
| Peru | 2024 | 933 | 4,690 | 5,623 | -3,757 | 0.20 | approx |

Balance = exports − imports; Exp/Imp = exports ÷ imports; total = exports + imports where the source gives none. \
Balance as % of total: use -f csv.

Flags: approx = the source gives the figure as approximate (ca., around, about).

Sources: a\\_b.txt.

**Figures behind the numbers, with the exact words of their source**

- f1: IND export to PER, 2024: 933 US$ m (approximate): “exports \\*around\\* 933 \\| m” (a\\_b.txt)
"""


def rendered(frame, kind, fmt, figures=None):
    out = io.StringIO()
    render.render(frame, kind, fmt, out, figures=figures)
    return out.getvalue()


def test_markdown_golden():
    assert rendered(BALANCE, "balance", Format.markdown, FIGURES) == EXPECTED_MARKDOWN


def test_md_is_markdown():
    assert rendered(BALANCE, "balance", Format.md, FIGURES) == EXPECTED_MARKDOWN


def test_markdown_cells_stay_inside_their_column():
    frame = BALANCE.assign(flags="a|b\nc")
    row = rendered(frame, "balance", Format.markdown).splitlines()[4]
    assert row.endswith("| a\\|b c |")
    assert row.count(" | ") == 7  # eight cells, seven inner separators


@given(st.text())
def test_markdown_escape_keeps_every_character_on_one_line(text):
    escaped = render.md_escape(text)
    assert "\n" not in escaped
    assert "\r" not in escaped
    unescaped = re.sub(r"\\(.)", r"\1", escaped)  # every special character came with its backslash
    # Controls and bidi marks are shown escaped (issue 9); everything else is kept as typed.
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", escaped)
    assert unescaped == safe_text(" ".join(text.splitlines()))
    assert not re.search(r"(?<!\\)[|*_`\[\]<>~]", re.sub(r"\\.", "", escaped))


def test_markdown_of_problems_and_nothing_found():
    assert rendered(pd.DataFrame(columns=queries.PROBLEM_COLUMNS), "problems", Format.markdown) == "No problems found.\n"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.json", Format.json), ("A.XLSX", Format.xlsx), ("notes.md", Format.markdown), ("r.markdown", Format.markdown),
     ("x.csv", Format.csv), ("noext", Format.csv), ("dir.v2/out", Format.csv)],
)  # fmt: skip
def test_auto_format_follows_the_output_name(name, fmt):
    assert render.for_path(Format.auto, name) is fmt


def test_figures_behind_lists_each_id_once_in_first_seen_order():
    figures = make_figures(
        ("IND", "PER", "export", "2024", "USD", 933),
        ("IND", "PER", "import", "2024", "USD", 4690),
        ("IND", "CHL", "export", "2024", "USD", 1),
    )  # ids f2, f3, f4
    table = pd.DataFrame({"figures": ["f3;f2", "f2"]})
    behind = queries.figures_behind(table, SimpleNamespace(figures=figures))
    assert list(behind["id"]) == ["f3", "f2"]
    assert list(behind["value"]) == [4690.0, 933.0]
    assert list(behind.columns) == queries.SOURCE_COLUMNS


def test_binary_output_is_written_atomically(tmp_path):
    target = tmp_path / "out.bin"
    with open_output(str(target), binary=True) as stream:
        stream.write(b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


# --- xlsx ---------------------------------------------------------------------------------


def workbook(frame, kind, figures=None):
    openpyxl = pytest.importorskip("openpyxl")
    out = io.BytesIO()
    render.render(frame, kind, Format.xlsx, out, figures=figures)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def test_xlsx_numbers_are_numbers_with_units_in_the_header():
    book = workbook(BALANCE, "balance", FIGURES)
    assert book.sheetnames == ["balance", "sources", "notes"]
    sheet = book["balance"]
    headers = [c.value for c in sheet[1]]
    assert headers[:13] == [
        "reporter", "partner", "period", "basis", "currency", "exports (US$ m)", "imports (US$ m)", "total (US$ m)",
        "balance (US$ m)", "export_import_ratio", "balance_pct_of_total (%)", "flags", "sources",
    ]  # fmt: skip
    exports, balance, ratio, pct = sheet["F2"], sheet["I2"], sheet["J2"], sheet["K2"]
    assert (exports.value, exports.data_type, exports.number_format) == (933, "n", "#,##0")
    assert (balance.value, balance.number_format) == (-3757, "#,##0")
    assert (ratio.value, ratio.number_format) == (0.1989339019, "0.00")  # the CSV's raw value
    assert (pct.value, pct.number_format) == (-66.8148675084, "0.0")
    assert sheet["P2"].value is None  # total_check_gap: missing is an empty cell, never 0
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:Q2"


def test_xlsx_sources_sheet_has_the_quotes():
    sources = workbook(BALANCE, "balance", FIGURES)["sources"]
    rows = list(sources.iter_rows(values_only=True))
    header = rows[0]
    assert header[header.index("quote")] == "quote"
    assert rows[1][header.index("quote")] == "exports *around* 933 | m"
    assert rows[1][header.index("value (US$ m)")] == 933
    assert sources.freeze_panes == "A2"


def test_xlsx_notes_sheet_has_the_title_and_footnotes():
    notes = [row[0] for row in workbook(BALANCE, "balance", FIGURES)["notes"].iter_rows(values_only=True)]
    assert notes[0] == "India's trade with Peru: balance"
    assert "Sources: a_b.txt." in notes


def test_xlsx_mixed_currencies_show_the_unit_in_each_cell():
    frame = pd.concat([BALANCE, BALANCE.assign(currency="NZD", exports=2422.5)], ignore_index=True)
    sheet = workbook(frame, "balance")["balance"]
    assert sheet["F1"].value == "exports (millions of currency)"
    assert sheet["F2"].number_format == '#,##0.0 "US$ m"'
    assert sheet["F3"].number_format == '#,##0.0 "NZ$ m"'
    assert sheet["F3"].value == 2422.5


def test_xlsx_text_is_never_a_formula():
    sheet = workbook(BALANCE.assign(partner='=HYPERLINK("x")', flags="-derived"), "balance")["balance"]
    assert sheet["B2"].value == '=HYPERLINK("x")'
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].quotePrefix
    assert sheet["L2"].data_type == "s"


def run(*args):
    return runner.invoke(app, list(args))


def test_balance_xlsx_from_the_command_line(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "all.xlsx"
    result = run("balance", "-f", "xlsx", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(target)
    rows = list(book["balance"].iter_rows(values_only=True))
    assert len(rows) == 1 + len(queries.balance())
    header = rows[0]
    peru = next(r for r in rows if r[1] == "PER")
    assert peru[header.index("balance (millions of currency)")] == -3757
    ids = {part for r in rows[1:] for part in r[header.index("figures")].split(";")}
    sources = list(book["sources"].iter_rows(values_only=True))
    assert {r[0] for r in sources[1:]} == ids  # every figure behind the numbers, and only those


def test_xlsx_format_follows_the_file_name(tmp_path):
    pytest.importorskip("openpyxl")
    target = tmp_path / "chile.xlsx"
    assert run("compare", "chile", "--years", "-o", str(target)).exit_code == 0
    assert target.read_bytes()[:2] == b"PK"  # a zip: an xlsx, not CSV


def test_partners_xlsx_lists_the_reporters_figures(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "partners.xlsx"
    assert run("partners", "-o", str(target)).exit_code == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["partners", "sources", "notes"]
    assert book["sources"].max_row == 1 + len(tradecli.source_list())


def test_validate_xlsx_has_no_units_and_no_sources_sheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "problems.xlsx"
    assert run("validate", "-f", "xlsx", "-o", str(target)).exit_code == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["problems", "notes"]
    assert [c.value for c in book["problems"][1]] == queries.PROBLEM_COLUMNS  # `value` there is the file's text


def test_partners_markdown_of_a_reporter_without_figures():
    result = run("partners", "--reporter", "ecuador", "-f", "md")
    assert result.exit_code == 0, result.stderr
    assert "| BOL | Bolivia | country | — | — | — | no figures |" in result.stdout
    assert "Figures behind the numbers" not in result.stdout


def test_xlsx_needs_an_output_file():
    assert "-o FILE" in one_line_error(run("balance", "-f", "xlsx"), 2)


def test_missing_openpyxl_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # `import openpyxl` now raises ImportError
    message = one_line_error(run("balance", "-f", "xlsx", "-o", str(tmp_path / "a.xlsx")), 1)
    assert message == "Error: -f xlsx needs openpyxl, which is not installed; install it with: pip install 'tradecli[xlsx]'"
    assert list(tmp_path.iterdir()) == []


def test_markdown_from_the_command_line_lists_the_quotes():
    result = run("sources", "peru", "-f", "md")
    assert result.exit_code == 0, result.stderr
    assert (
        "- ind-per-2024-export: IND export to PER, 2024: 933 US$ m (approximate; goods, scope inferred): “India’s exports to Peru"
        in result.stdout
    )
    result = run("balance", "peru", "-f", "markdown")
    assert "| Peru | 2024 | 933 | 4,690 | 5,623 | -3,757 | 0.20 | approx scope? |" in result.stdout
    assert "“in 2024, India’s imports from Peru stood at approximately US$4.69 billion”" in result.stdout


def test_notes_never_send_people_elsewhere_for_what_they_have():
    # The workbook has every column and a sources sheet; Markdown lists the figures behind (issue 12).
    notes = [row[0] for row in workbook(BALANCE, "balance", FIGURES)["notes"].iter_rows(values_only=True)]
    assert not any("-f csv" in str(n) or "tradecli sources" in str(n) for n in notes)
    markdown = io.StringIO()
    render.render(BALANCE, "balance", Format.markdown, markdown, figures=FIGURES)
    assert "tradecli sources" not in markdown.getvalue()
    assert "Balance as % of total: use -f csv." in markdown.getvalue()  # the pipe table has no such column
