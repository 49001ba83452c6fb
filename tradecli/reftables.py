"""Small reference tables a user supplies (exchange rates, names): read bounded, decoded and split
into rows with their line numbers, every problem one line naming the file, line and column.

Plain Python (the csv module): these files are small, and a hostile one must not cost more than
reading it once.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from .errors import TradeDataError

#: The most a reference table may hold; a rates or names file is a few KB.
MAX_BYTES = 8 * 1024 * 1024
#: The most one cell may hold.
MAX_CELL = 2000


def _bytes(source: str | Path, name: str) -> bytes:
    """The file's bytes, refused past MAX_BYTES before it is read whole."""
    from .read.flows import read_bytes

    if str(source) != "-":
        try:
            info = os.stat(source)
        except OSError:
            info = None  # read_bytes says what is wrong, in its words
        if info is not None and stat.S_ISREG(info.st_mode) and info.st_size > MAX_BYTES:
            raise TradeDataError(f"{name}: {info.st_size >> 20} MiB is more than a reference table holds ({MAX_BYTES >> 20} MiB)")
    data = read_bytes(source)
    if len(data) > MAX_BYTES:
        raise TradeDataError(f"{name}: more than {MAX_BYTES >> 20} MiB is more than a reference table holds")
    return data


def read_rows(source: str | Path, columns: Sequence[str], required: Sequence[str], what: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV reference table as (line, {column: stripped cell}), blank lines skipped.

    ``columns`` are the ones it may have, ``required`` those it must; ``what`` names the table in
    messages ('an exchange-rate table'). Raises TradeDataError in one line on any problem.
    """
    name = "<stdin>" if str(source) == "-" else str(source)
    data = _bytes(source, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TradeDataError(f"{name}: bytes that are not UTF-8 at byte {exc.start}; save {what} as UTF-8") from None
    if "\x00" in text:
        raise TradeDataError(f"{name}: a NUL byte; {what} is a UTF-8 CSV text file")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [cell.strip() for cell in next(reader, [])]
        if not header or not any(header):
            raise TradeDataError(f"{name}: empty; {what} needs a header row: {','.join(columns)}")
        missing = [c for c in required if c not in header]
        unknown = [c for c in header if c not in columns]
        if missing or unknown or len(set(header)) != len(header):
            said = "; ".join(
                part
                for part in (
                    f"missing column{'s' * (len(missing) > 1)} {', '.join(missing)}" if missing else "",
                    f"unknown column{'s' * (len(unknown) > 1)} {', '.join(repr(c[:40]) for c in unknown)}" if unknown else "",
                    "a column named twice" if len(set(header)) != len(header) else "",
                )
                if part
            )
            raise TradeDataError(f"{name}, line 1: {said}; {what} has the columns {','.join(columns)}")
        rows = []
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise TradeDataError(f"{name}, line {line}: {len(record)} cells where the header has {len(header)}")
            cells = {column: cell.strip() for column, cell in zip(header, record, strict=True)}
            for column, cell in cells.items():
                if len(cell) > MAX_CELL:
                    raise TradeDataError(f"{name}, line {line}, column {column}: more than {MAX_CELL} characters")
            rows.append((line, {c: cells.get(c, "") for c in columns}))
    except csv.Error as exc:
        raise TradeDataError(f"{name}, line {reader.line_num}: not CSV ({exc})") from None
    return rows


def problem(source: str | Path, line: int, column: str, message: str) -> TradeDataError:
    """The one-line error for a cell of a reference table."""
    name = "<stdin>" if str(source) == "-" else str(source)
    return TradeDataError(f"{name}, line {line}, column {column}: {message}")
