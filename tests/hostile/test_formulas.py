"""No spreadsheet formula from any output, whatever separator the reader picks (issue 9, part 5).

A CSV of figures whose text cells carry formula payloads is written by tradecli as CSV,
Markdown and xlsx, then read back the way a spreadsheet reads it: by LibreOffice itself
(headless, with comma, semicolon and tab as separator and formula evaluation on) when it is
installed, and always by Python's csv reader with each separator, which is how a spreadsheet
splits the fields. No cell may be a formula or begin with a formula trigger.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRIGGERS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
# One payload per text column, each a known way to smuggle a formula past a CSV writer.
PAYLOADS = [
    "x;=cmd|' /c calc'!A1",  # a ';' reader (German/French Excel) starts a field after the ';'
    '=HYPERLINK("http://example.invalid")\t@SUM(1)',  # leading trigger, and a TAB reader's fragment
    "s\r=1+1",  # a bare CR: a new row for some readers
    'a;"=2+2"',  # a quote right after the separator
    "x|+3+3,-4+4\n=5+5",  # pipe, comma and LF fragments
    "＝1+1",  # fullwidth equals: Excel folds it to '='
    "x\r\n=1",  # CRLF inside a cell: a ';' reader starts a row after it (the LF was once taken as the trigger)
    "\t=1",  # a TAB reader starts a field after the leading TAB
]
HEADER = "id,reporter,partner,flow,period,currency,value,status,source,quote,note\n"


def _hostile_csv(tmp_path: Path) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)  # a bare CR is quoted too
    for n, payload in enumerate(PAYLOADS):
        flow = "export" if n % 2 == 0 else "import"
        writer.writerow([f"h{n}", "IND", "PER", flow, 2020 + n // 2, "USD", 100 + n, "reported", payload, payload, payload])
    path = tmp_path / "hostile.csv"
    path.write_text(HEADER + out.getvalue(), encoding="utf-8")
    return path


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "tradecli", *args], cwd=cwd, env=env, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    return result


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formulas")
    data = _hostile_csv(tmp)
    return {
        "sources": _run("sources", "--data", str(data), "-f", "csv", cwd=tmp).stdout.decode(),
        "partners": _run("partners", "--data", str(data), "-f", "csv", cwd=tmp).stdout.decode(),
        "balance": _run("balance", "peru", "--data", str(data), "-f", "csv", cwd=tmp).stdout.decode(),
        "dir": tmp,
    }


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("command", ["sources", "partners", "balance"])
def test_no_field_begins_a_formula_whatever_the_separator(outputs, command, delimiter):
    rows = list(csv.reader(io.StringIO(outputs[command], newline=""), delimiter=delimiter))
    assert len(rows) > 1
    for row in rows:
        for field in row:
            # A number is a number ("-4" in a numeric column is fine); a text field must not start a formula.
            if field.startswith(TRIGGERS):
                float(field.replace(",", ""))


def test_the_payload_survives_as_text(outputs):
    # Nothing is lost: read with the right separator, each cell is the payload with a ' before each trigger.
    rows = list(csv.DictReader(io.StringIO(outputs["sources"], newline="")))
    assert rows[0]["source"] == "x;'=cmd|' /c calc'!A1"
    assert rows[2]["source"] == "s\r'=1+1"
    assert {r["id"] for r in rows} == {f"h{n}" for n in range(len(PAYLOADS))}


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
@pytest.mark.parametrize("separator", [44, 59, 9], ids=["comma", "semicolon", "tab"])
def test_libreoffice_opens_no_formula(outputs, separator, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    source = outputs["dir"] / "sources.csv"
    source.write_text(outputs["sources"], encoding="utf-8")
    # CSV filter tokens: separator, quote ("), UTF-8 (76), from line 1, ..., token 13: evaluate formulas.
    options = f"CSV:{separator},34,76,1,,0,false,true,false,false,false,0,true"
    profile = tmp_path / "profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", f"--infilter={options}",
         "--convert-to", "xlsx", "--outdir", str(tmp_path), str(source)],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    sheet = openpyxl.load_workbook(tmp_path / "sources.xlsx").active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert len(cells) > (20 if separator == 44 else 5)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(TRIGGERS)] == []
    if separator == 44:  # read as meant, the values are numbers, not text
        header = [c.value for c in sheet[1]]
        assert sheet.cell(row=2, column=header.index("value") + 1).value == 100


def test_xlsx_cells_are_text_not_formulas(outputs, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    data = _hostile_csv(tmp_path)
    _run("sources", "--data", str(data), "-f", "xlsx", "-o", str(tmp_path / "s.xlsx"), cwd=tmp_path)
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert "x;=cmd|' /c calc'!A1" in {c.value for c in cells}  # kept whole: xlsx cells are typed


def test_markdown_cells_do_not_begin_a_formula(tmp_path):
    data = _hostile_csv(tmp_path)
    text = _run("sources", "--data", str(data), "-f", "md", cwd=tmp_path).stdout.decode()
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("| -") and not line.startswith("|--"):
            for cell in line.strip("|").split(" | "):
                cell = cell.strip()
                assert not cell.startswith(TRIGGERS) or cell.lstrip("-").replace(",", "").replace(".", "").isdigit()
