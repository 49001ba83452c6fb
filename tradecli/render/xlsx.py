"""Results as an .xlsx workbook (part of rendering; needs the optional extra ``xlsx``: openpyxl).

The first sheet holds the result with the CSV's columns in the same order, numbers as numbers
(the CSV's raw values, never text) with number formats, the unit in the header and a frozen
header row. A ``sources`` sheet lists the figures behind it with their exact words, and a
``notes`` sheet the title and the table's footnotes (flags, derivations, rates).
"""

from __future__ import annotations

from typing import IO, Any

from ..errors import MissingExtraError
from . import common_decimals, raw, records, unit
from .safetext import neutralise, xlsx_text

SHEET_NAMES = {
    "balance": "balance", "years": "change", "partners": "partners", "sources": "figures", "problems": "problems",
    "growth": "growth",
}  # fmt: skip
_MONEY = {
    "exports", "imports", "total", "balance", "total_check_gap", "value",
    "world_exports", "world_imports", "world_total",
    *(f"{m}_{end}" for m in ("exports", "imports", "total", "balance") for end in ("from", "to")),
}  # fmt: skip
_MONEY_CHANGE = {"exports_change", "imports_change", "total_change", "balance_change", "gap_exports", "gap_imports", "gap_total"}
_PERCENT = {
    "balance_pct_of_total", "exports_change_pct", "imports_change_pct", "total_change_pct", "balance_change_pct",
    "exports_share_pct", "imports_share_pct", "total_share_pct",
    "exports_cagr_pct", "imports_cagr_pct", "total_cagr_pct",
}  # fmt: skip
_RATIO = {"export_import_ratio"}
_COUNT = {"figures", "line"}  # integer columns of partners (figures) and sources / problems (line)
_MAX_WIDTH = 60


def _openpyxl():
    try:
        import openpyxl
    except ImportError:
        raise MissingExtraError("-f xlsx", "openpyxl", "xlsx") from None
    return openpyxl


def header(name: str, currencies: list[str]) -> str:
    """A header cell: the column name with its unit ('exports (US$ m)', 'balance_pct_of_total (%)')."""
    if name in _MONEY | _MONEY_CHANGE and currencies:  # no currency column, no money (validate's value is text)
        return f"{name} ({unit(currencies[0])})" if len(currencies) == 1 else f"{name} (millions of currency)"
    if name in _PERCENT:
        return f"{name} (%)"
    return name


def _number_format(name: str, whole: bool, currency: str | None) -> str | None:
    """The Excel number format of a numeric column; with mixed currencies money cells also show their unit."""
    if name in _MONEY | _MONEY_CHANGE:
        body = "#,##0" if whole else "#,##0.0"
        fmt = f"+{body};-{body};0" if name in _MONEY_CHANGE else body
        return f'{fmt} "{unit(currency)}"' if currency else fmt
    if name in _PERCENT:
        return "+0.0;-0.0;0.0" if name.endswith("_change_pct") else "0.0"
    if name in _RATIO:
        return "0.00"
    if name in _COUNT:
        return "0"
    return None


def _put(sheet, row: int, column: int, value: Any):
    """Write one cell: numbers as numbers, text as text that a spreadsheet never runs as a formula."""
    value = raw(value)
    if isinstance(value, str):
        value = xlsx_text(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and neutralise(value) != value:
        # openpyxl takes a string starting with '=' for a formula; keep it a string, and have the
        # spreadsheet keep it one when the cell is edited (quotePrefix is Excel's leading ').
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _write_frame(sheet, frame) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = list(frame.columns)
    currencies = list(dict.fromkeys(frame["currency"])) if "currency" in columns else []
    mixed = len(currencies) > 1
    for n, name in enumerate(columns, start=1):
        sheet.cell(row=1, column=n, value=header(name, currencies)).font = Font(bold=True)
    whole = {name: common_decimals(frame[name]) == 0 for name in columns if name in _MONEY | _MONEY_CHANGE}
    widths = [len(header(name, currencies)) for name in columns]
    for r, row in enumerate(records(frame), start=2):
        for n, name in enumerate(columns, start=1):
            cell = _put(sheet, r, n, row[name])
            if isinstance(cell.value, int | float):
                number_format = _number_format(name, whole.get(name, True), row.get("currency") if mixed else None)
                if number_format:
                    cell.number_format = number_format
            widths[n - 1] = max(widths[n - 1], len(str(cell.value or "")))
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = min(width + 2, _MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if len(frame):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"


def write_xlsx(frame, kind: str, out: IO[bytes], heading: str, notes: list[str], figures=None) -> None:
    """Write a workbook: the result, the figures behind it (``figures``: SOURCE_COLUMNS) and the notes."""
    openpyxl = _openpyxl()
    book = openpyxl.Workbook()
    book.properties.creator = "tradecli"
    sheet = book.active
    sheet.title = SHEET_NAMES.get(kind, kind)
    _write_frame(sheet, frame)
    if figures is not None and kind != "sources":
        _write_frame(book.create_sheet("sources"), figures)
    notes_sheet = book.create_sheet("notes")
    for r, line in enumerate([heading, *notes], start=1):
        _put(notes_sheet, r, 1, line)
    notes_sheet.column_dimensions["A"].width = 100
    # Built in memory, then written at once: a full disk or a closed pipe fails one write,
    # not the zip archive's own clean-up at exit.
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    out.write(buffer.getvalue())
