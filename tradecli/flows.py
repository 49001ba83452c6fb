"""Reading tables of reported figures (data/flows.csv and files of the same schema).

A file is read as text with the csv module (exact physical line numbers, ragged rows seen),
checked cell by cell, then typed. Nothing here writes to any file.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import bundled, periods, validation
from .errors import TradeDataError
from .validation import ERROR, Problem

#: Columns of the typed figures frame, in order.
FIGURE_COLUMNS = [
    "id", "reporter", "partner", "flow", "period", "basis", "year", "currency", "value",
    "status", "source", "quote", "note", "file", "line",
]  # fmt: skip

BUNDLED = "bundled"


@dataclass
class Flows:
    """Typed figures plus the warnings found while reading them."""

    figures: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)


def _display_name(source: str | Path) -> str:
    return "<stdin>" if str(source) == "-" else str(source)


def _read_bytes(source: str | Path) -> bytes:
    if str(source) == "-":
        return sys.stdin.buffer.read()
    path = Path(source)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TradeDataError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise TradeDataError(f"{path}: is a directory, not a CSV file") from None
    except PermissionError:
        raise TradeDataError(f"{path}: permission denied; check the file's permissions") from None
    except OSError as exc:
        raise TradeDataError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def read_table(source: str | Path, name: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one CSV file as text cells plus a ``line`` column, and the structural problems found.

    Returns an empty frame when the file is structurally unusable (empty, undecodable, no header).
    """
    name = name or _display_name(source)
    data = _read_bytes(source)
    empty = pd.DataFrame(columns=[*validation.COLUMNS, "line"])
    if not data.strip():
        return empty, [Problem(name, None, None, None, "empty-file", "the file is empty; expected a header row and figures")]
    try:
        text = data.decode("utf-8-sig")  # a UTF-8 byte-order mark is allowed and dropped
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return empty, [
            Problem(name, line, None, repr(data[exc.start : exc.start + 4]), "bad-encoding",
                    f"bytes that are not UTF-8 at byte {exc.start}; save the file as UTF-8")
        ]  # fmt: skip
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return empty, [Problem(name, line, None, None, "bad-encoding", "a NUL byte: this looks like a binary file, not CSV text")]

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    try:
        header = [cell.strip() for cell in next(reader)]
        problems += validation.check_columns(name, header)
        width = len(header)
        rows, lines = [], []
        start = reader.line_num + 1
        for row in reader:
            if len(row) != width and any(cell.strip() for cell in row):
                problems.append(Problem(name, start, None, None, "ragged-row", f"{len(row)} fields where the header has {width}"))
            elif len(row) == width:
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        return empty, [*problems, Problem(name, reader.line_num, None, None, "bad-csv", f"not valid CSV: {exc}")]

    if any(p.severity == ERROR for p in problems):
        return empty, problems
    frame = pd.DataFrame(rows, columns=header, dtype="str")
    for column in validation.COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    frame = frame.assign(line=pd.Series(lines, dtype="int64"))
    if frame.empty:
        problems.append(Problem(name, None, None, None, "no-rows", "the file has a header but no figures"))
    return frame, problems


def type_figures(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Turn checked text cells into typed figures (FIGURE_COLUMNS); rows with a blank value are left out."""
    stripped = frame.assign(**{c: frame[c].str.strip() for c in validation.COLUMNS})
    parsed = {label: periods.try_parse(label) for label in stripped["period"].drop_duplicates()}
    return (
        stripped.assign(
            value=validation.parse_values(stripped["value"]),
            basis=stripped["period"].map(lambda p: parsed[p].basis),
            year=stripped["period"].map(lambda p: parsed[p].year).astype("int64"),
            status=stripped["status"].replace("", "reported"),
            id=stripped["id"].where(stripped["id"] != "", name + ":" + stripped["line"].astype("str")),
            file=name,
        )
        .dropna(subset=["value"])
        .loc[:, FIGURE_COLUMNS]
        .reset_index(drop=True)
    )


def check(sources: list[str | Path] | None = None) -> list[Problem]:
    """Every problem in the given files (the bundled data when none), across files too."""
    problems, _ = _read_all(sources)
    return problems


def _read_all(sources: list[str | Path] | None) -> tuple[list[Problem], pd.DataFrame]:
    if not sources:
        sources = [bundled.path("flows.csv")]
        names = ["data/flows.csv"]
    else:
        names = [_display_name(s) for s in sources]
    problems: list[Problem] = []
    typed = []
    for source, name in zip(sources, names, strict=True):
        frame, found = read_table(source, name)
        problems += found
        if frame.empty:
            continue
        cell_problems = validation.check_cells(name, frame)
        problems += cell_problems
        bad_lines = {p.line for p in cell_problems if p.severity == ERROR}
        typed.append(type_figures(frame[~frame["line"].isin(bad_lines)], name))
    figures = pd.concat(typed, ignore_index=True) if typed else pd.DataFrame(columns=FIGURE_COLUMNS)
    if not figures.empty:
        problems += validation.check_figures(figures)
    return problems, figures


def load(sources: list[str | Path] | None = None) -> Flows:
    """Read and check figures; raise TradeDataError summarising the errors if there are any.

    With no sources, the bundled data/flows.csv is read.
    """
    problems, figures = _read_all(sources)
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        first = errors[0]
        count = f"{len(errors)} error{'s' if len(errors) > 1 else ''}"
        where = f", first at line {first.line}" if first.line is not None else ""
        column = f", column {first.column}" if first.column else ""
        raise TradeDataError(f"{first.file}: {count}{where}{column}: {first.message}; run `tradecli validate {first.file}`")
    return Flows(figures, [p for p in problems if p.severity != ERROR])
