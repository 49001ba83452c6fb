"""Reading tables of reported figures (data/flows.csv and files of the same schema).

A file is read as text with the csv module (exact physical line numbers, ragged rows seen),
checked cell by cell, then typed. Nothing here writes to any file.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import bundled, periods, validation
from .errors import TradeDataError, UsageError
from .validation import ERROR, Problem

#: Columns of the typed figures frame, in order.
FIGURE_COLUMNS = [
    "id", "reporter", "partner", "flow", "period", "basis", "year", "currency", "value",
    "status", "source", "quote", "note", "file", "line",
]  # fmt: skip

#: Stands for the bundled data/flows.csv among sources.
BUNDLED = "<bundled>"
BUNDLED_NAME = "data/flows.csv"


@dataclass
class Flows:
    """Typed figures plus the warnings found while reading them."""

    figures: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    bundled: bool = True  # whether the bundled figures are among them


def _display_name(source: str | Path) -> str:
    return "<stdin>" if str(source) == "-" else str(source)


def _read_bytes(source: str | Path) -> bytes:
    """The file's bytes; TradeDataError (one line, saying what to do) when it cannot be read."""
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


def _records(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """For each non-blank CSV record: the physical line it starts on (1-based) and its field count.

    Quote-aware: commas and newlines inside double quotes do not count (an escaped "" toggles
    twice). Runs on the raw bytes with numpy, so it costs a fraction of parsing.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    special = np.flatnonzero(raw < 45)  # '\n' (10), '"' (34) and ',' (44) are all below '-'
    kinds = raw[special]
    quotes, newlines, commas = special[kinds == 34], special[kinds == 10], special[kinds == 44]
    ends, end_lines = newlines, np.arange(1, len(newlines) + 1)
    if len(quotes):
        outside = (np.searchsorted(quotes, newlines) & 1) == 0
        ends, end_lines = newlines[outside], end_lines[outside]
        commas = commas[(np.searchsorted(quotes, commas) & 1) == 0]
    if not data.endswith(b"\n"):
        ends, end_lines = np.append(ends, len(data)), np.append(end_lines, len(newlines) + 1)
    starts = np.concatenate([[0], ends[:-1] + 1])
    start_lines = np.concatenate([[1], end_lines[:-1] + 1])
    fields = np.diff(np.searchsorted(commas, ends), prepend=0) + 1
    length = ends - starts
    crlf_blank = (length == 1) & (raw[np.minimum(starts, max(len(raw) - 1, 0))] == 13) if len(raw) else length < 0
    keep = (length > 0) & ~crlf_blank
    return start_lines[keep], fields[keep]


def _read_exact(text: str, name: str) -> tuple[list[str], list[list[str]], list[int], list[Problem]]:
    """Parse with the csv module (slow, exact): header, rows, their physical lines, ragged rows."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader)
        rows, lines = [], []
        start = reader.line_num + 1
        for row in reader:
            if len(row) != len(header) and any(cell.strip() for cell in row):
                problems.append(
                    Problem(name, start, None, None, "ragged-row", f"{len(row)} fields where the header has {len(header)}")
                )
            elif len(row) == len(header):
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except StopIteration:
        return [], [], [], []
    except csv.Error as exc:
        problems.append(Problem(name, reader.line_num, None, None, "bad-csv", f"not valid CSV: {exc}"))
        return [], [], [], problems
    return header, rows, lines, problems


def _read_fast(data: bytes, text: str, name: str) -> tuple[list[str], pd.DataFrame | None, list[Problem]]:
    """Parse with pandas' C reader, line numbers from ``_records``; None when it must fall back."""
    lines, fields = _records(data)
    if len(lines) == 0:
        return [], None, []
    try:
        header = next(csv.reader([text[: text.find("\n")].rstrip("\r") if "\n" in text else text]))
    except csv.Error:  # a stray CR or the like: the exact reader reports it with its line
        return [], None, []
    if fields[0] != len(header):  # a quoted newline in the header: let the exact reader decide
        return header, None, []
    ragged = np.flatnonzero(fields[1:] != len(header))
    if len(ragged):
        return (
            header,
            pd.DataFrame(),
            [
                Problem(
                    name,
                    int(lines[1 + i]),
                    None,
                    None,
                    "ragged-row",
                    f"{int(fields[1 + i])} fields where the header has {len(header)}",
                )
                for i in ragged
            ],
        )
    try:
        frame = pd.read_csv(
            io.BytesIO(data), dtype="str", keep_default_na=False, na_filter=False, encoding="utf-8-sig",
            skip_blank_lines=True, header=0, names=[f"c{i}" for i in range(len(header))],
        )  # fmt: skip
    except (ValueError, pd.errors.ParserError):
        return header, None, []
    if len(frame) != len(lines) - 1:  # the two readers disagree (odd quoting): trust the exact one
        return header, None, []
    return header, frame.assign(line=lines[1:].astype("int64")), []


def _strip(column: pd.Series) -> pd.Series:
    """Strip surrounding spaces, working on the distinct values (columns of codes repeat a lot)."""
    codes, uniques = pd.factorize(column)
    stripped = np.array([u.strip() for u in uniques], dtype=object)
    if (stripped == np.asarray(uniques, dtype=object)).all():
        return column
    return pd.Series(stripped[codes] if len(codes) else [], index=column.index, dtype="str")


def read_table(source: str | Path, name: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one CSV file as text cells plus ``line`` and ``number`` (the value parsed, NaN if not), and the structural problems.

    Returns an empty frame when the file is unusable (unreadable, empty, undecodable, ragged).
    Nothing is ever written.
    """
    name = name or _display_name(source)
    empty = pd.DataFrame(columns=[*validation.COLUMNS, "line", "number"])
    try:
        data = _read_bytes(source)
    except TradeDataError as exc:
        return empty, [Problem(name, None, None, None, "unreadable", str(exc).split(": ", 1)[1])]
    if not data.strip():
        return empty, [Problem(name, 1, None, None, "empty-file", "the file is empty; expected a header row and figures")]
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

    header, frame, problems = _read_fast(data, text, name)
    if frame is None:
        header, rows, lines, problems = _read_exact(text, name)
        frame = pd.DataFrame(rows, columns=header, dtype="str").assign(line=pd.Series(lines, dtype="int64"))
    header = [h.strip() for h in header]
    problems = validation.check_columns(name, header) + problems
    if any(p.severity == ERROR for p in problems):
        return empty, problems
    frame.columns = [*header, "line"]
    frame = frame.assign(**{c: "" for c in validation.COLUMNS if c not in header})
    frame = frame.assign(
        **{c: _strip(frame[c]) for c in validation.STRIPPED}, number=lambda f: validation.parse_values(f["value"])
    )
    if frame.empty:
        problems.append(Problem(name, 1, None, None, "no-rows", "the file has a header but no figures"))
    return frame, problems


def type_figures(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Turn checked text cells into typed figures (FIGURE_COLUMNS); rows with a blank value are left out."""
    codes, labels = pd.factorize(frame["period"])
    parsed = [periods.try_parse(label) for label in labels]
    basis = np.array([p.basis for p in parsed], dtype=object)
    year = np.array([p.year for p in parsed], dtype="int64")
    return (
        frame.assign(
            value=frame["number"],
            basis=pd.Series(basis[codes] if len(codes) else [], index=frame.index, dtype="str"),
            year=year[codes] if len(codes) else np.array([], dtype="int64"),
            status=frame["status"].replace("", "reported"),
            id=frame["id"].where(frame["id"] != "", name + ":" + frame["line"].astype("str")),
            file=name,
        )
        .dropna(subset=["value"])
        .loc[:, FIGURE_COLUMNS]
        .reset_index(drop=True)
    )


def resolve_sources(
    data: Sequence[str | Path] | None = None, with_bundled: bool = False, env: str | None = None
) -> list[str | Path]:
    """Which files to read, by precedence: ``data`` (--data), else ``env`` (TRADECLI_DATA, a
    path list separated by os.pathsep), else the bundled data. ``with_bundled`` adds the
    bundled data to the first two. "-" is standard input.
    """
    chosen: list[str | Path] = list(data or [])
    if not chosen and env:
        chosen = [part for part in env.split(os.pathsep) if part]
    if not chosen:
        return [BUNDLED]
    if chosen.count("-") > 1:
        raise UsageError("standard input ('-') can be read only once")
    return [BUNDLED, *chosen] if with_bundled else chosen


def _name(source: str | Path) -> str:
    return BUNDLED_NAME if source == BUNDLED else _display_name(source)


def check(sources: Sequence[str | Path] | None = None) -> list[Problem]:
    """Every problem in the given files (the bundled data when none), within and across files."""
    problems, _ = _read_all(sources)
    return problems


def _read_all(sources: Sequence[str | Path] | None) -> tuple[list[Problem], pd.DataFrame]:
    problems: list[Problem] = []
    typed = []
    for source in sources or [BUNDLED]:
        name = _name(source)
        frame, found = read_table(bundled.path("flows.csv") if source == BUNDLED else source, name)
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


def summary(problems: list[Problem]) -> str | None:
    """One line for the errors among ``problems`` (None when there are none), naming the first."""
    errors = [p for p in problems if p.severity == ERROR]
    if not errors:
        return None
    first = errors[0]
    count = f"{len(errors)} error{'s' if len(errors) > 1 else ''}"
    where = f", first at line {first.line}" if first.line is not None else ""
    column = f", column {first.column}" if first.column else ""
    target = "" if first.file == BUNDLED_NAME else f" {first.file}"
    hint = f"; run `tradecli validate{target}`" if first.code != "unreadable" else ""
    return f"{first.file}: {count}{where}{column}: {first.message}{hint}"


def load(sources: Sequence[str | Path] | None = None) -> Flows:
    """Read and check figures; raise TradeDataError summarising the errors if there are any.

    ``sources`` are file paths, "-" for standard input, or BUNDLED; none means the bundled data.
    """
    sources = list(sources or [BUNDLED])
    problems, figures = _read_all(sources)
    message = summary(problems)
    if message:
        raise TradeDataError(message)
    return Flows(figures, [p for p in problems if p.severity != ERROR], bundled=BUNDLED in sources)
