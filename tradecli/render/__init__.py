"""The one place results are written: a Rich table for people, CSV and JSON for programs.

CSV and JSON carry the same columns with raw numbers (no separators, symbols or display
rounding; float noise trimmed: 10 decimal places and 15 significant digits at most) and
missing values as empty/null.
Tables show units, flags and sources as footnotes, numbers right-aligned. Markdown is the
table as a pipe table plus the figures behind it; xlsx (spreadsheet.py) and charts
(chart.py) are the other two parts of rendering.
"""

from __future__ import annotations

import json
import math
import re
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, Any

from .. import flags as flag_defs
from .. import partners
from .safetext import csv_cell, csv_cells, neutralise, safe_text, text_of


class Format(StrEnum):
    """Output formats; ``auto`` is a table on a terminal and CSV when piped."""

    auto = "auto"
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    md = "md"  # short for markdown
    xlsx = "xlsx"

    @property
    def binary(self) -> bool:
        """Whether the format is bytes (a file, never a terminal)."""
        return self is Format.xlsx

    @property
    def lists_figures(self) -> bool:
        """Whether the output lists the figures behind a result with their quotes (``figures`` of render)."""
        return self in (Format.markdown, Format.md, Format.xlsx)


def resolve(fmt: Format, stream: IO[str]) -> Format:
    """Turn ``auto`` into ``table`` on a terminal and ``csv`` otherwise; ``md`` into ``markdown``."""
    if fmt is Format.md:
        return Format.markdown
    if fmt is not Format.auto:
        return fmt
    isatty = getattr(stream, "isatty", None)
    return Format.table if isatty is not None and isatty() else Format.csv


_SUFFIX_FORMAT = {
    ".json": Format.json,
    ".xlsx": Format.xlsx,
    ".md": Format.markdown,
    ".markdown": Format.markdown,
    ".txt": Format.table,
}


def for_path(fmt: Format, path: str | None) -> Format:
    """For an --output file, ``auto`` follows the file name: .json, .xlsx, .md/.markdown, .txt (the table); else CSV."""
    if fmt is not Format.auto or path is None or path == "-":
        return fmt
    suffix = path[path.rfind(".") :].lower() if "." in path else ""
    return _SUFFIX_FORMAT.get(suffix, Format.csv)


# --- raw values ------------------------------------------------------------------------


#: Numbers are written with at most this many decimal places and 15 significant digits:
#: exact to the cent (0.00000001 million) for any figure below 10 trillion, while the float
#: noise of sums and differences (770 − 773.24 = -3.2400000000000091) is trimmed.
DECIMALS = 10


def _digits(value: float) -> str:
    """A float with 15 significant digits, or all 17 where 15 would round past the largest float (to inf)."""
    text = f"{value:.15g}"
    return text if -1e308 < value < 1e308 or not math.isinf(float(text)) else repr(value)


def raw(value: Any) -> Any:
    """A cell as a plain Python value: floats rounded (see DECIMALS), missing as None."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        value = float(value)
        if math.isnan(value):
            return None
        return float(_digits(round(value, DECIMALS)))
    if type(value).__name__.startswith("int"):
        return int(value)
    if value != value:  # pandas NA / NaT
        return None
    return value


def records(frame) -> list[dict[str, Any]]:
    """The frame as a list of dicts of raw values (the JSON form)."""
    columns = list(frame.columns)
    return [{c: raw(v) for c, v in zip(columns, row, strict=True)} for row in frame.itertuples(index=False, name=None)]


#: From this many rows, CSV lines are assembled by DuckDB when it is installed (see ``_csv_lines_duckdb``).
CSV_ENGINE_ROWS = 50_000
#: The same when DuckDB is already imported (measured: 20,088 rows of a balance, 18 columns, 137 ms against 222 ms).
CSV_ENGINE_ROWS_LOADED = 10_000


def write_csv(frame, out: IO[str], header: bool = True, engine_rows: int | None = None) -> None:
    """Write CSV: header row, raw numbers, empty for missing, text safe in any spreadsheet.

    Text cells follow safetext.csv_cell (a leading formula trigger gets a ', and a cell any
    separator could split is quoted); lines end in LF. Column by column, then joined in
    blocks, so a table of millions of rows is written without building one huge string.
    From ``engine_rows`` rows (default CSV_ENGINE_ROWS) DuckDB (when installed) formats the numbers and joins the
    lines, byte for byte as Python does (a test compares the two on hostile cells).
    """
    import numpy as np
    import pandas as pd

    if header:
        out.write(",".join(csv_cell(str(c)) for c in frame.columns) + "\n")
    columns = []
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_float_dtype(column.dtype):
            values = column.to_numpy(dtype="float64")
            # numpy rounds by scaling by 10**DECIMALS, which overflows near the largest float: those stay as they are.
            small = np.abs(values) < 1e290
            columns.append(("float", np.where(small, np.round(np.where(small, values, 0.0), DECIMALS), values)))
        elif pd.api.types.is_integer_dtype(column.dtype) and not isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
            columns.append(("int", column.to_numpy(dtype="int64")))
        elif len(frame) >= BIG_TEXT_ROWS:  # one vectorised pass: millions of distinct cells (figure ids) are common
            columns.append(("text", csv_cells(column).reset_index(drop=True)))
        else:  # each distinct text made safe once (codes, flags and sources repeat a lot)
            codes, uniques = pd.factorize(column, use_na_sentinel=False)
            safe = [csv_cell(t) if t else "" for t in map(text_of, uniques)]
            columns.append(("text", np.array(safe, dtype=object)[codes] if safe else np.full(len(codes), "", dtype=object)))
    if not len(frame.columns) or not len(frame):
        return
    if engine_rows is None:  # DuckDB already imported (a big file was read): its fixed cost is a connection, no import
        engine_rows = CSV_ENGINE_ROWS_LOADED if "duckdb" in sys.modules else CSV_ENGINE_ROWS
    big = len(frame) >= engine_rows
    if big and (blocks := _csv_lines_duckdb(columns, len(frame))) is not None:
        _write_blocks(blocks, out)
        return
    cells = []
    for kind, data in columns:
        if kind == "float":
            # A comprehension over plain floats formats faster than numpy's char.mod.
            cells.append([f"{v:.15g}" if -1e308 < v < 1e308 else "" if v != v else _digits(v) for v in data.tolist()])
        elif kind == "int":
            cells.append([str(v) for v in data.tolist()])
        else:
            cells.append(data.tolist())
    rows = list(zip(*cells, strict=True))
    for start in range(0, len(rows), 100_000):
        out.write("".join(",".join(row) + "\n" for row in rows[start : start + 100_000]))


#: From this many rows, text columns are made safe in one vectorised pass (``safetext.csv_cells``) rather than
#: once per distinct value: below it, the few pandas calls of the pass cost more than the cells.
BIG_TEXT_ROWS = 10_000


def _write_blocks(blocks, out: IO[str]) -> None:
    """Write blocks of UTF-8 CSV text (bytes) to ``out``: straight to its byte buffer when it writes text as is
    (``output.writes_as_is``: standard output, ``-o`` files), else decoded."""
    from .output import writes_as_is

    raw = writes_as_is(out)
    if raw:
        out.flush()
    for block in blocks:
        if raw:
            out.buffer.write(block)
        else:
            out.write(bytes(block).decode("utf-8"))
    if raw:
        out.buffer.flush()


def _csv_lines_duckdb(columns: list[tuple[str, Any]], length: int, block: int = 65_536):
    """The CSV lines of ``write_csv``'s prepared columns, built by DuckDB on every core, as blocks of UTF-8 bytes
    (about ``block`` rows each, in order); None when DuckDB or pyarrow is not installed or a number is beyond
    what DuckDB formats as Python does.

    Floats are already rounded; ``printf('%.15g')`` writes them as Python's ``f"{v:.15g}"`` and a
    missing one (NaN) as empty. Text is the safe text made by ``csv_cell``. Each block is the Arrow
    buffer that holds its lines one after the other: no Python string per line or cell.
    The connection reads no file and writes none: it only sees the frame handed to it.
    """
    try:
        import duckdb
        import pyarrow as pa
    except ImportError:
        return None
    import numpy as np

    frame, parts = {}, []
    for n, (kind, data) in enumerate(columns):
        name = f"c{n}"
        if kind == "float":
            if (np.abs(data[~np.isnan(data)]) >= 1e308).any():  # _digits' corner: keep Python's way
                return None
            frame[name] = data
            parts.append(f"coalesce(printf('%.15g', {name}), '')")
        elif kind == "int":
            frame[name] = data
            parts.append(f"CAST({name} AS VARCHAR)")
        else:
            frame[name] = data
            parts.append(name)
    con = duckdb.connect(config={"enable_external_access": False, "autoload_known_extensions": False})
    con.execute("SET preserve_insertion_order = true")  # the lines come back in the frame's order
    con.execute("SET lock_configuration = true")
    # An Arrow table, not a pandas frame: DuckDB before 1.4.4 cannot scan pandas 3's str dtype.
    con.register("csv_frame", pa.table({name: pa.array(values, from_pandas=True) for name, values in frame.items()}))
    line = " || ',' || ".join(parts) + " || chr(10)"
    lines_of = con.sql(f"SELECT {line} AS line FROM csv_frame")
    # DuckDB 2 names it to_arrow_reader; 1.x fetch_arrow_reader.
    reader = (getattr(lines_of, "to_arrow_reader", None) or lines_of.fetch_arrow_reader)(block)

    def blocks():
        try:
            for batch in reader:
                lines = batch.column(0)
                if not (pa.types.is_string(lines.type) or pa.types.is_large_string(lines.type)):
                    lines = lines.cast(pa.large_string())
                width = np.int32 if pa.types.is_string(lines.type) else np.int64
                bounds = np.frombuffer(lines.buffers()[1], dtype=width)[lines.offset : lines.offset + len(lines) + 1]
                if len(lines):
                    yield memoryview(lines.buffers()[2])[int(bounds[0]) : int(bounds[-1])]
        finally:
            con.close()

    return blocks()


#: Columns that hold lists: ';'-joined in CSV (and tables), JSON arrays in JSON.
LIST_COLUMNS = frozenset(
    {
        "flags", "sources", "figures", "periods", "bases", "currencies", "flows", "mentioned_in",
        "official_flags", "other_flags", "official_source", "other_source", "official_figures", "other_figures",
        "world_figures", "members", "members_missing", "periods_found", "periods_missing",
    }
)  # fmt: skip


def json_records(frame) -> list[dict[str, Any]]:
    """The JSON form: records() with every list column (LIST_COLUMNS) as a list of strings ([] when empty)."""

    def value(column: str, cell: Any) -> Any:
        if column in LIST_COLUMNS and (cell is None or isinstance(cell, str)):
            return [part for part in (cell or "").split(";") if part]
        return cell

    return [{c: value(c, v) for c, v in row.items()} for row in records(frame)]


def write_json(frame, out: IO[str]) -> None:
    """Write JSON: a list of objects with the CSV's keys, null for missing, lists as arrays."""
    json.dump(json_records(frame), out, ensure_ascii=False, indent=2, allow_nan=False)
    out.write("\n")


# --- tables for people --------------------------------------------------------------------

_SYMBOL = {"USD": "US$", "NZD": "NZ$", "INR": "₹", "EUR": "€", "GBP": "£", "AUD": "A$", "CAD": "C$"}
SHORT_FLAG = {
    flag_defs.APPROXIMATE: "approx",
    flag_defs.PRELIMINARY: "prelim",
    flag_defs.ESTIMATED: "est",
    flag_defs.PARTNER_REPORTED: "partner",
    flag_defs.DERIVED: "derived",
    flag_defs.CONVERTED: "fx",
    flag_defs.INCONSISTENT: "check!",
    flag_defs.SCOPE_INFERRED: "scope?",
    flag_defs.FROM_MEMBERS: "members",
}


def unit(currency: str) -> str:
    """The display unit of values in millions of ``currency``: 'US$ m'."""
    return f"{_SYMBOL.get(currency, currency)} m"


def number_text(value: Any, decimals: int, sign: bool = False, suffix: str = "") -> str:
    value = raw(value)
    if value is None:
        return "—"
    text = f"{value:{'+' if sign else ''},.{decimals}f}"
    if text.lstrip("+-") == f"{0:.{decimals}f}":
        text = text.lstrip("+-")
    return text + suffix


def common_decimals(values) -> int:
    """0 when every value in a column is whole; 2 when every value is exact in hundredths (official
    tables give two decimals, shown to the last digit); else 1. A column keeps one precision."""
    numbers = [float(raw(v)) for v in values if raw(v) is not None]
    if all(n.is_integer() for n in numbers):
        return 0
    # Within 1e-6 of a hundredth: sums and differences of two-decimal figures carry float noise.
    exact = all(abs(n * 100 - round(n * 100)) < 1e-6 for n in numbers)
    tenths = all(abs(n * 10 - round(n * 10)) < 1e-6 for n in numbers)
    return 2 if exact and not tenths else 1


@dataclass
class Column:
    """How one table column shows a frame column."""

    name: str
    header: str
    kind: str = "text"  # text | nowrap | wide | money | change | ratio | pct | pct_change | int | partner | flags | unit | list


@dataclass
class TableSpec:
    """A table: title, columns and which footnotes to add."""

    title: str
    columns: list[Column]
    footnotes: list[str] = field(default_factory=list)


MONEY = ("exports", "imports", "total", "balance")
#: The most characters of a description a table shows (kind "short").
SHORT_WIDTH = 28
# Text columns Rich may squeeze to nothing at 80 columns keep at least this width.
_MIN_WIDTH = {"flags": 7, "list": 9}

SPECS: dict[str, list[Column]] = {
    "balance": [
        Column("partner", "Partner", "partner"),
        Column("period", "Period", "nowrap"),
        Column("currency", "Unit", "unit"),
        Column("exports", "Exports", "money"),
        Column("imports", "Imports", "money"),
        Column("total", "Total", "money"),
        Column("balance", "Balance", "money"),
        Column("export_import_ratio", "Exp/Imp", "ratio"),
        # shown only when the result has them (--share, --members)
        Column("total_share_pct", "Share", "pct"),
        Column("figure", "Figure"),
        Column("coverage", "Members", "nowrap"),
        Column("gap_total", "Gap", "change"),
        Column("flags", "Flags", "flags"),
    ],
    "growth": [
        Column("partner", "Partner", "partner"),
        Column("from", "From", "nowrap"),
        Column("to", "To", "nowrap"),
        Column("years", "Years", "int"),
        Column("currency", "Unit", "unit"),
        Column("exports_from", "Exp. from", "money"),
        Column("exports_to", "Exp. to", "money"),
        Column("exports_cagr_pct", "Exp. CAGR", "pct_change"),
        Column("imports_from", "Imp. from", "money"),
        Column("imports_to", "Imp. to", "money"),
        Column("imports_cagr_pct", "Imp. CAGR", "pct_change"),
        Column("total_cagr_pct", "Total CAGR", "pct_change"),
        Column("periods_missing", "Gaps", "list"),
        Column("flags", "Flags", "flags"),
    ],
    "years": [
        Column("partner", "Partner", "partner"),
        Column("period", "Period", "nowrap"),
        Column("currency", "Unit", "unit"),
        Column("exports", "Exports", "money"),
        Column("exports_change_pct", "Δ %", "pct_change"),
        Column("imports", "Imports", "money"),
        Column("imports_change_pct", "Δ %", "pct_change"),
        Column("balance", "Balance", "money"),
        Column("balance_change", "Δ", "change"),
        Column("flags", "Flags", "flags"),
    ],
    "products": [
        Column("rank", "#", "int"),
        Column("product", "Product", "nowrap"),
        Column("description", "Description", "short"),
        Column("value", "Value", "money"),
        Column("share_pct", "Share", "pct"),
        Column("balance", "Own balance", "change"),
        Column("change_pct", "Δ %", "pct_change"),
        Column("world_share_pct", "Of world", "pct"),
        Column("flags", "Flags", "flags"),
    ],
    "partners": [
        Column("code", "Code"),
        Column("name", "Name"),
        Column("kind", "Kind"),
        Column("periods", "Periods", "list"),
        Column("currencies", "Currencies", "list"),
        Column("flows", "Flows", "list"),
        Column("figures", "Figures", "count"),
    ],
    "sources": [
        Column("reporter", "By"),
        Column("partner", "With"),
        Column("flow", "Flow"),
        Column("period", "Period", "nowrap"),
        Column("value", "Value", "money"),
        Column("currency", "Unit", "unit"),
        Column("status", "Status", "list"),
        Column("quote", "Quote (exact words)", "wide"),
    ],
    "check": [
        Column("partner", "Partner", "partner"),
        Column("flow", "Flow"),
        Column("period", "Period", "nowrap"),
        Column("currency", "Unit", "unit"),
        Column("official", "Official", "money"),
        Column("other", "Other", "money"),
        Column("gap", "Gap", "change"),
        Column("gap_pct", "Gap %", "pct_change"),
        Column("reason", "Why unmatched", "wide"),
    ],
    "flows": [
        Column("reporter", "By"),
        Column("partner", "With"),
        Column("flow", "Flow"),
        Column("period", "Period", "nowrap"),
        Column("value", "Value"),
        Column("currency", "Unit", "unit"),
        Column("quote", "From", "wide"),
    ],
    "problems": [
        Column("file", "File"),
        Column("line", "Line", "int"),
        Column("column", "Column"),
        Column("value", "Value"),
        Column("severity", "Severity"),
        Column("code", "Code"),
        Column("message", "Message"),
    ],
}


def _cell(column: Column, row: dict[str, Any], decimals: dict[str, int]):
    from rich.text import Text

    # Controls shown escaped; Text, never markup: data is never parsed as [style].
    return Text(safe_text(_cell_text(column, row, decimals)))


def _cell_text(column: Column, row: dict[str, Any], decimals: dict[str, int]) -> str:
    """A cell as people read it: separators, fixed decimals, signs, units and short flags."""
    value = row.get(column.name)
    kind = column.kind
    if kind == "money":
        text = number_text(value, decimals[column.name])
    elif kind == "change":
        text = number_text(value, decimals[column.name], sign=True)
    elif kind == "ratio":
        text = number_text(value, 2)
    elif kind == "pct":
        text = number_text(value, 1, suffix="%")
    elif kind == "pct_change":
        text = number_text(value, 1, sign=True, suffix="%")
    elif kind == "count":
        text = str(raw(value)) if raw(value) else "no figures"
    elif kind == "int":
        text = "—" if raw(value) is None else str(raw(value))
    elif kind == "nowrap":
        text = str(value)
    elif kind == "short":  # a long description cut for the table; -f csv and json have it whole
        words = "" if raw(value) is None else " ".join(str(value).split())
        text = words if len(words) <= SHORT_WIDTH else words[: SHORT_WIDTH - 1].rstrip() + "…"
    elif kind == "unit":
        text = unit(str(value))
    elif kind == "partner":
        entry = partners.names().get(str(value))
        text = entry.name if entry and entry.kind == "country" else str(value)
    elif kind == "flags":
        text = " ".join(SHORT_FLAG.get(f, f) for f in flag_defs.split(str(value or "")))
    elif kind == "list":
        text = ", ".join(flag_defs.split(str(value or ""))) or "—"
    else:
        text = "" if raw(value) is None else str(value)
    return text


#: How a scope reads in titles and notes.
SCOPE_WORDS = {"goods": "goods", "services": "services", "goods_services": "goods and services"}


def _scope_notes(rows: list[dict[str, Any]]) -> list[str]:
    """One line per partner and period whose figures are of different scopes: why no balance combines them."""
    seen: dict[tuple, list[str]] = {}
    for r in rows:
        if r.get("scope"):
            key = (r.get("reporter"), r["partner"], r["period"], r.get("currency"))
            seen.setdefault(key, [])
            if r["scope"] not in seen[key]:
                seen[key].append(r["scope"])
    several = len({key[0] for key in seen}) > 1  # --reporter all: say whose side
    return [
        f"{f'{partners.display(str(reporter))} with ' if several else ''}{partners.display(str(partner))} {period} "
        f"{unit(str(currency))}: the figures are of different scopes "
        f"({', '.join(SCOPE_WORDS.get(s, s) for s in scopes)}), so no flow is derived and no balance computed across them."
        for (reporter, partner, period, currency), scopes in seen.items()
        if len(scopes) > 1
    ]


def footnotes(
    kind: str, rows: list[dict[str, Any]], every_column: bool = False, figures_listed: bool = False, again: Sequence[str] = ()
) -> list[str]:
    """Footnotes for a table: units, the flags shown, derivations, scopes, FX rates and sources.

    ``every_column``: the output has every column (a workbook), so no note sends people to -f csv
    for one; ``figures_listed``: it lists the figures behind with their words, so no note sends
    them to `tradecli sources`.
    """
    notes = []
    if kind == "balance":
        notes.append(
            "Balance = exports − imports; Exp/Imp = exports ÷ imports; total = exports + imports where the source gives none."
            + ("" if every_column else " Balance as % of total: use -f csv.")
        )
    if kind == "years":
        notes.append(
            "Balance = exports − imports. Δ % = change ÷ |previous period| × 100 (a widening deficit "
            "is negative); the first period has none." + ("" if every_column else " Total and its change: use -f csv.")
        )
    if kind == "growth":
        notes.append(
            "CAGR = ((value at To ÷ value at From)^(1/years) − 1) × 100, derived from the two ends' figures only; "
            "Gaps = periods in between without figures (never filled in); no CAGR where an end is missing or not positive."
            + ("" if every_column else " Totals and balances at each end: use -f csv.")
        )
    if kind == "balance" and any("total_share_pct" in r for r in rows):
        notes.append(
            "Share = the partner's % of the reporter's trade with the World (total) in the same period, currency and "
            "scope; derived from the World row's figures (world_figures)."
            + ("" if every_column else " Export and import shares: use -f csv.")
        )
    if kind == "balance" and any(r.get("figure") for r in rows):
        notes.append(
            "Figure: reported = as a source gives the group; sum of members = derived, the sum of the figures of the "
            "members that have them (Members: how many of the group's; which ones: -f csv); Gap = sum of members − "
            "reported total."
        )
        notes += list(dict.fromkeys(f"Members: {r['membership']}." for r in rows if r.get("membership")))
    shown = flag_defs.split(flag_defs.merge(str(r.get("flags") or "") for r in rows))
    if shown:
        notes.append("Flags: " + "; ".join(f"{SHORT_FLAG.get(f, f)} = {flag_defs.MEANING.get(f, f)}" for f in shown) + ".")
    several = len({r.get("reporter") for r in rows}) > 1
    for r in rows:
        if kind == "growth" or str(r.get("derivation") or "").startswith("derived:"):
            continue  # a rate or a sum of members: its own note says how it is derived
        derived = [part for part in str(r.get("derivation") or "").split("; ") if part and not part.startswith("total =")]
        if derived:
            who = f"{partners.display(r['reporter'])} with " if several else ""
            notes.append(f"{who}{partners.display(r['partner'])} {r['period']} {unit(r['currency'])}: {'; '.join(derived)}.")
    if kind in ("balance", "years", "chart"):
        notes += _scope_notes(rows)
    rates = dict.fromkeys(part for r in rows for part in str(r.get("fx") or "").split(";") if part)
    notes += [f"Rate used: {rate}." for rate in rates]
    if kind in ("balance", "years", "chart", "growth"):
        files = dict.fromkeys(part for r in rows for part in str(r.get("sources") or "").split(";") if part)
        codes = " ".join(dict.fromkeys(partners.spelling(str(r["partner"])) for r in rows))
        reporters = list(dict.fromkeys(str(r["reporter"]) for r in rows))
        if len(reporters) > 1:
            codes += " --reporter all"
        elif reporters != ["IND"]:
            codes += f" --reporter {partners.spelling(reporters[0])}"
        if files:
            notes.append(f"Sources: {', '.join(files)}.")
            if not figures_listed:
                named = "".join(f" {shlex.quote(str(a))}" for a in again)  # the same files: the hint runs as printed
                notes.append(f"Exact words behind each number: tradecli sources {codes}{named}")
    if kind == "check":
        notes.append(
            "Gap = other − official; Gap % = gap ÷ official × 100. Figures are matched only on the same flow, "
            "period and currency."
        )
        for side in ("official", "other"):
            files = dict.fromkeys(part for r in rows for part in str(r.get(f"{side}_source") or "").split(";") if part)
            if files:
                notes.append(f"{side.capitalize()}: {', '.join(files)}.")
        if any(
            flag_defs.PARTNER_REPORTED in flag_defs.split(str(r.get(f"{s}_flags") or ""))
            for r in rows
            for s in ("official", "other")
        ):
            notes.append(
                "Mirror figures: imports are valued CIF (with insurance and freight) and exports FOB (free on board), "
                "as Comtrade reports them, so a country's imports from a partner normally exceed the partner's exports "
                "to it by a few percent: a gap of that size is expected, not an error."
            )
        flagged = flag_defs.split(flag_defs.merge(str(r.get(f"{s}_flags") or "") for r in rows for s in ("official", "other")))
        if flagged:
            notes.append("Flags of the figures: " + "; ".join(f"{f} = {flag_defs.MEANING.get(f, f)}" for f in flagged) + ".")
    if kind == "products":
        notes += _products_notes(rows, every_column)
    if kind == "sources":
        notes.append(
            "Status: reported = stated as is; approximate = qualified (ca., around, about); preliminary = so called; "
            "estimated = marked as an estimate by the source."
        )
    return notes


def _products_notes(rows: list[dict[str, Any]], every_column: bool) -> list[str]:
    """How a products table is made, and each flow's concentration (the same figures as the CSV columns)."""
    notes = [
        "Share = value ÷ the flow's reported total (else ÷ the sum of its products); Own balance = the product's "
        "exports − imports with the partner; Δ % = change on the period before; Of world = value ÷ the reporter's "
        "trade in the same product with the World."
    ]
    seen: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        seen.setdefault((r["partner"], r["period"], r["currency"], r["flow"]), r)
    for (partner, period, currency, flow), r in seen.items():
        total = "reported" if r.get("flow_total_from") == "reported" else "sum of products"
        notes.append(
            f"{partners.display(str(partner))} {period} {flow}s, {unit(str(currency))}: {r['products_count']} products at "
            f"HS level {r['level']}; flow total {number_text(r['flow_total'], 2)} ({total}); top 1 = "
            f"{number_text(r['top1_share_pct'], 1, suffix='%')}, "
            f"top 5 = {number_text(r['top5_share_pct'], 1, suffix='%')} of the products' "
            f"sum; HHI {number_text(r['hhi'], 0)} (0–10,000)."
        )
    files = dict.fromkeys(part for r in rows for part in str(r.get("sources") or "").split(";") if part)
    if files:
        notes.append(f"Sources: {', '.join(files)}.")
    return notes


_PRODUCT = re.compile(r"\[(commodity [^\]]*)\]")


def products_words(rows: list[dict[str, Any]]) -> str:
    """' in commodity 4401 Fuel wood' when the rows are a commodity's figures, not the country totals; else ''.

    A commodity's figures (imported with --commodity: "file.json [commodity 4401 Fuel wood]") never read as the total.
    """
    products = dict.fromkeys(
        p
        for r in rows
        for side in ("sources", "official_source", "other_source")
        for p in _PRODUCT.findall(str(r.get(side) or ""))
    )
    return f" in {', '.join(products)}" if products else ""


def title(kind: str, rows: list[dict[str, Any]]) -> str:
    """A table title naming the reporter (and the partner when there is one)."""
    reporters = dict.fromkeys(partners.display(str(r["reporter"])) for r in rows if r.get("reporter"))
    if len(reporters) > 1:  # --reporter all: a Reporter column says whose side each row is
        return {
            "balance": "Trade by reporter: balance",
            "years": "Trade by reporter: change on the previous period",
            "growth": "Trade by reporter: compound annual growth",
            "check": "Trade by reporter: other figures against official ones",
        }.get(kind, title(kind, [{k: v for k, v in r.items() if k != "reporter"} for r in rows]))
    who = ", ".join(reporters)
    partner_names = dict.fromkeys(partners.display(str(r["partner"])) for r in rows if r.get("partner"))
    with_whom = f" with {', '.join(partner_names)}" if 0 < len(partner_names) <= 3 else ""
    with_whom += products_words(rows)
    return {
        "balance": f"{who}'s trade{with_whom}: balance",
        "years": f"{who}'s trade{with_whom}: change on the previous period",
        "growth": f"{who}'s trade{with_whom}: compound annual growth",
        "partners": "Partners",
        "sources": "Figures behind the numbers",
        "problems": "Problems found",
        "check": f"{who}'s trade{with_whom}: other figures against official ones",
        "flows": "Imported figures",
        "products": f"{who}'s trade{with_whom}: products",
    }.get(kind, kind)


def _column_decimals(frame, spec: list[Column]) -> dict[str, int]:
    return {c.name: common_decimals(frame[c.name]) for c in spec if c.kind in ("money", "change")}


def _numeric(column: Column) -> bool:
    return column.kind in ("money", "change", "ratio", "pct", "pct_change", "int", "count")


def _table(frame, spec: list[Column], heading: str, width: int | None = None):
    """A Rich table of ``frame``, and the narrowest width it prints in without cropping a number.

    With ``width`` (the terminal's) and a table wider than it that can fit, the text columns are
    given widths that wrap between words (Rich alone would squeeze the widest ones below that).
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    decimals = _column_decimals(frame, spec)
    table = Table(title=Text(safe_text(heading)), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1))
    rows = [[_cell(c, row, decimals) for c in spec] for row in records(frame)]
    for n, column in enumerate(spec):
        numeric = _numeric(column)
        minimum = _MIN_WIDTH.get(column.kind)
        if numeric or column.kind == "nowrap":
            # Never cut a number or a period short ("313,361.…"): a table too wide for the
            # terminal squeezes the text columns instead, or runs past the edge.
            minimum = max([len(row[n]) for row in rows], default=0) or None
        else:  # text wraps between words ("New/Zealand", not "Zealan/d"); a word longer than 12 is folded, never cut
            words = [min(len(w), 12) for text in (column.header, *(row[n].plain for row in rows)) for w in text.split()]
            minimum = max([minimum or 0, *words]) or None
        table.add_column(
            column.header,
            justify="right" if numeric else "left",
            no_wrap=numeric or column.kind in ("nowrap", "unit", "partner"),
            min_width=minimum,
            overflow="fold",
        )
    for row in rows:
        table.add_row(*row)
    # The width below which Rich would crop: unwrappable columns whole, the others at their minimum, plus padding.
    natural = [
        max([len(c.header), col.min_width or 0, *(len(row[n]) for row in rows)])
        for n, (c, col) in enumerate(zip(spec, table.columns, strict=True))
    ]
    least = [natural[n] if col.no_wrap else max(col.min_width or 1, 1) for n, col in enumerate(table.columns)]
    hard = sum(least) + _overhead(table, natural)
    if width is not None and hard <= width < sum(natural) + _overhead(table, natural):
        spare = width - hard
        wanted = [natural[n] - least[n] for n in range(len(spec))]
        for n, col in enumerate(table.columns):
            if not col.no_wrap:
                extra = min(wanted[n], spare * wanted[n] // max(sum(wanted), 1))
                col.width = least[n] + extra
    return table, hard


def _overhead(table, natural: list[int]) -> int:
    """The characters a table adds to its columns' widths (padding, edges, separators), as Rich measures it."""
    import io

    from rich.console import Console
    from rich.measure import Measurement

    console = Console(file=io.StringIO(), width=100_000)
    return Measurement.get(console, console.options, table).maximum - sum(natural)


_PREPOSITION = {"export": "to", "import": "from", "total": "with"}


def _figure_line(r: dict[str, Any]) -> str:
    """One figure as a line: id, who, flow, period, value with unit, status."""
    value = number_text(r["value"], common_decimals([r["value"]]))
    status = ", ".join(flag_defs.split(str(r["status"])))
    scope = f"; {SCOPE_WORDS.get(r['scope'], r['scope'])}, scope {r.get('scope_from') or 'stated'}" if r.get("scope") else ""
    return (
        f"{r['id']}: {r['reporter']} {r['flow']} {_PREPOSITION[r['flow']]} "
        f"{r['partner']}, {r['period']}: {value} {unit(str(r['currency']))} ({status}{scope})"
    )


def _write_figures(rows: list[dict[str, Any]], console) -> None:
    """The sources listing for people: each figure, then its exact words and document."""
    from rich.text import Text

    console.print(Text("Figures behind the numbers, with the exact words of their source", style="italic"))
    for r in rows:
        console.print(Text("\n" + safe_text(_figure_line(r))))
        console.print(Text(safe_text(f"  “{r['quote']}”")))
        note = f"; note: {r['note']}" if r.get("note") else ""
        console.print(Text(safe_text(f"  — {r['source']}{note}"), style="dim"))
        if r.get("scope_quote"):  # where the scope comes from, when not from the figure's own words
            console.print(Text(safe_text(f"  scope: “{r['scope_quote']}” — {r.get('scope_source') or ''}"), style="dim"))


def _write_problems(rows: list[dict[str, Any]], console) -> None:
    """The validation report for people, one line per problem as compilers print them."""
    from rich.text import Text

    if not rows:
        console.print(Text("No problems found."))
    for r in rows:
        where = ":".join(str(part) for part in (r["file"], r["line"], r["column"]) if part is not None)
        value = f" (value: {r['value']!r})" if r.get("value") not in (None, "") else ""
        console.print(Text(safe_text(f"{where}: {r['severity']}: {r['message']}{value} [{r['code']}]")))


def _several_reporters(frame) -> bool:
    return "reporter" in frame.columns and len(set(frame["reporter"])) > 1


def _sections(frame, kind: str, heading: str | None):
    """(title, frame part, columns) per table: one per currency for figures, else one."""
    if kind == "products":  # one table per period, currency and flow: shares of one whole each
        for key in dict.fromkeys(zip(frame["period"], frame["currency"], frame["flow"], strict=True)):
            period, code, flow = key
            part = frame[(frame["period"] == period) & (frame["currency"] == code) & (frame["flow"] == flow)]
            yield f"{heading or title(kind, records(part))}, {flow}s {period}, {unit(code)[:-2]} million", part, SPECS[kind]
        return
    if "currency" in frame.columns and kind in ("balance", "years", "check", "growth"):
        # One table per currency: figures in different currencies never share a column.
        spec = [c for c in SPECS[kind] if c.kind != "unit" and c.name in frame.columns]
        if _several_reporters(frame):  # --reporter all: each row says whose side it is seen from
            spec = [Column("reporter", "Reporter", "partner"), *spec]
        scopes = frame["scope"] if "scope" in frame.columns else None
        for code in dict.fromkeys(frame["currency"]):
            # ... and one per scope: goods, services and both never share a column either.
            for scope in dict.fromkeys(scopes[frame["currency"] == code]) if scopes is not None else [None]:
                part = frame[(frame["currency"] == code) & ((scopes == scope) if scope is not None else True)]
                what = f"{SCOPE_WORDS.get(scope, scope)}, " if scope is not None else ""
                yield f"{heading or title(kind, records(part))}, {what}{unit(code)[:-2]} million", part, spec
    else:
        yield heading or title(kind, records(frame)), frame, SPECS[kind]


#: Columns a table leaves out, in this order, when the terminal is too narrow for all of them
#: ("partner" only when every row has the same partner, which the title then names).
NARROW_DROPS: dict[str, tuple[str, ...]] = {
    "balance": ("partner", "export_import_ratio", "total", "figure"),
    "years": ("partner", "balance_change", "balance"),
    "growth": ("partner", "periods_missing", "years", "total_cagr_pct", "exports_from", "imports_from"),
    "check": ("partner", "gap", "flow"),
    "partners": ("kind", "currencies", "flows"),
    "flows": ("reporter", "currency"),
    "products": ("change_pct", "rank", "balance", "world_share_pct"),
}


def _fitted(part, spec: list[Column], heading: str, kind: str, width: int):
    """The table for ``width`` columns: whole when it fits, else without NARROW_DROPS columns one at a
    time until it does. Returns (table, needed width, headers left out)."""
    table, needed = _table(part, spec, heading, width)
    left_out: list[str] = []
    for name in NARROW_DROPS.get(kind, ()):
        if needed <= width:
            break
        if name == "partner" and len(set(part["partner"])) != 1:
            continue
        column = next((c for c in spec if c.name == name), None)
        if column is not None:
            spec = [c for c in spec if c is not column]
            left_out.append(column.header)
            table, needed = _table(part, spec, heading, width)
    return table, needed, left_out


def _print_table(console, table, needed: int) -> None:
    """Print a table; one whose numbers cannot fit the terminal runs past its edge rather than lose digits."""
    from rich.console import Console
    from rich.measure import Measurement

    if needed > console.width:  # Rich would crop the columns past the edge: print the table whole instead
        natural = Measurement.get(console, console.options.update_width(10_000), table).maximum
        console = Console(file=console.file, width=max(needed, natural), highlight=False, soft_wrap=False)
    console.print(table)


def write_table(frame, kind: str, out: IO[str], heading: str | None = None) -> None:
    """Write tables for people: one per currency for figures, then the footnotes.

    A table too wide for the terminal leaves out columns (NARROW_DROPS) and says which; one that
    still cannot fit is printed whole, with a note to use -f csv. A file gets no trailing spaces.
    """
    import io

    from rich.console import Console
    from rich.text import Text

    terminal = Console(file=out, highlight=False, soft_wrap=False)
    buffer = None if terminal.is_terminal else io.StringIO()
    console = terminal if buffer is None else Console(file=buffer, width=terminal.width, highlight=False, soft_wrap=False)
    rows = records(frame)
    narrow: list[str] = []
    if kind == "sources":
        _write_figures(rows, console)
    elif kind == "problems":
        _write_problems(rows, console)
    else:
        too_wide = False
        for heading_text, part, spec in _sections(frame, kind, heading):
            table, needed, left_out = _fitted(part, spec, heading_text, kind, console.width)
            narrow += [h for h in left_out if h not in narrow]
            too_wide |= needed > console.width
            _print_table(console, table, needed)
        if narrow:
            narrow = [f"Left out to fit {console.width} columns: {', '.join(narrow)}; -f csv has every column."]
        if too_wide:
            narrow.append(f"This table is wider than {console.width} columns: widen the terminal, or use -f csv.")
    for note in [*footnotes(kind, rows, again=again_of(frame)), *narrow]:
        console.print(Text(safe_text(note), style="dim"))
    if buffer is not None:
        out.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))


# --- Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md_escape(text: str) -> str:
    """Text as inert Markdown on one line: special characters backslash-escaped, line breaks as spaces."""
    return _MD_SPECIAL.sub(r"\\\1", safe_text(" ".join(str(text).splitlines())))


def _pipe_table(frame, spec: list[Column]) -> list[str]:
    decimals = _column_decimals(frame, spec)
    lines = [
        "| " + " | ".join(md_escape(c.header) for c in spec) + " |",
        "|" + "|".join("---:" if _numeric(c) else "---" for c in spec) + "|",
    ]
    for row in records(frame):
        cells = [_cell_text(c, row, decimals) for c in spec]
        cells = [text if _numeric(c) else neutralise(text) for c, text in zip(spec, cells, strict=True)]  # numbers stay numbers
        lines.append("| " + " | ".join(md_escape(text) for text in cells) + " |")
    return lines


def write_markdown(frame, kind: str, out: IO[str], heading: str | None = None, figures=None) -> None:
    """Write Markdown: a bold title and a pipe table per section, the footnotes, then the figures behind them."""
    rows = records(frame)
    blocks: list[list[str]] = []
    if kind == "sources":
        figures = frame
    elif kind == "problems" and not rows:
        blocks.append(["No problems found."])
    else:
        for heading_text, part, spec in _sections(frame, kind, heading):
            blocks.append([f"**{md_escape(heading_text)}**", "", *_pipe_table(part, spec)])
    listed = figures is not None and len(figures) > 0
    blocks += [[md_escape(note)] for note in footnotes(kind, rows, figures_listed=listed, again=again_of(frame))]
    if figures is not None and len(figures):
        blocks.append(["**Figures behind the numbers, with the exact words of their source**"])
        blocks.append(
            [f"- {md_escape(_figure_line(r))}: “{md_escape(r['quote'])}” ({md_escape(r['source'])})" for r in records(figures)]
        )
    out.write("\n\n".join("\n".join(block) for block in blocks) + "\n")


def render(
    frame,
    kind: str,
    fmt: Format = Format.auto,
    out: IO | None = None,
    heading: str | None = None,
    figures=None,
) -> None:
    """Write ``frame`` (a result of kind balance|years|partners|sources|problems) in ``fmt``.

    ``figures`` (queries.figures_behind) are listed after a Markdown table and on an xlsx
    sheet of their own; xlsx needs a binary ``out``.
    """
    out = out or sys.stdout
    fmt = resolve(fmt, out)
    if fmt is Format.csv:
        write_csv(frame, out)
    elif fmt is Format.json:
        write_json(frame, out)
    elif fmt is Format.markdown:
        write_markdown(frame, kind, out, heading, figures)
    elif fmt is Format.xlsx:
        from . import xlsx as spreadsheet

        notes = footnotes(kind, records(frame), every_column=True, figures_listed=figures is not None, again=again_of(frame))
        spreadsheet.write_xlsx(frame, kind, out, heading or title(kind, records(frame)), notes, figures)
    else:
        write_table(frame, kind, out, heading)


def again_of(frame) -> list[str]:
    """The options that name a result's files again (``--data``), for hints that must run as printed."""
    return list(getattr(frame, "attrs", {}).get("again", []))


def chart_kind(path: str | None) -> str:
    """What a chart's --output name asks for: 'svg', 'png' or 'text' (none, '-', or .txt); else a UsageError."""
    from . import chart

    return chart.output_kind(path)


def write_chart(frame, out: IO, kind: str) -> None:
    """Write balances as a chart: the text chart (``kind`` 'text') or an SVG/PNG image (binary ``out``)."""
    from . import chart

    if kind == "text":
        chart.write_text(frame, out)
    else:
        chart.write_image(frame, out, kind)
