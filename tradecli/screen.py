"""Screening a file's bytes before any reader parses them: one pass, bounded memory, the same verdict for every engine.

Both readers (pandas for small files, DuckDB for big ones) run this first, so a file that is
empty, not UTF-8, binary (a NUL byte) or has a record longer than MAX_RECORD_BYTES gets the
same finding, line and message from either, in memory and time bounded by the file's first
bad byte: a 2 GB sparse file stops at its first block, a 1 GB line at its first MiB.

It also learns where records and physical lines part (a quoted line break, a blank line), so a
reader that numbers records (DuckDB) can give the physical line a person sees in an editor.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .validation import Problem

#: The longest record (a line, or a quoted cell across lines, with its line ends) any reader accepts.
MAX_RECORD_BYTES = 4 * 2**20
#: How many places where records and lines part are remembered for renumbering (about 100 bytes each).
MAX_BREAKS = 2**20
#: Bytes read at a time.
CHUNK = 2**20



def too_long() -> str:
    """The message for a record past the limit (the exact reader's field limit says the same)."""
    size = f"{MAX_RECORD_BYTES >> 20} MiB" if MAX_RECORD_BYTES >= 2**20 else f"{MAX_RECORD_BYTES} bytes"
    return f"a record longer than {size}, the limit on a line or a quoted cell (an unclosed quote, or not a CSV file?)"


@dataclass
class Screen:
    """Feed a file's bytes in order; the first problem found is kept and later bytes are ignored."""

    name: str
    problem: Problem | None = None
    offset: int = 0  # bytes seen
    lines: int = 0  # newlines seen
    records: int = 0  # non-blank records ended
    record_line: int = 1  # physical line where the current record starts
    record_bytes: int = 0  # bytes of the current record so far
    quoted: bool = False  # inside a quoted cell
    text: bool = False  # a byte other than white space seen
    last: int = -1  # the byte before this chunk (-1 at the start)
    #: (record index, physical line minus 1 minus index) wherever that difference changes; records count the header as 0.
    breaks: list[tuple[int, int]] = field(default_factory=list)
    _decoder: codecs.IncrementalDecoder = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8-sig")())

    def feed(self, chunk: bytes) -> bool:
        """Check the next bytes; False once a problem is found (stop reading)."""
        if self.problem is not None:
            return False
        if not self.text and chunk.strip():
            self.text = True
        nul = chunk.find(b"\x00")
        passed = chunk if nul < 0 else chunk[:nul]
        try:
            self._decoder.decode(passed)
        except UnicodeDecodeError as exc:
            # The decoder's object ends where ``passed`` ends (it may begin with bytes held from the chunk before).
            at = self.offset + len(passed) - (len(exc.object) - exc.start)
            start = max(0, at - self.offset)
            return self._fail(chunk, start, repr(chunk[start : start + 4]), "bad-encoding",
                              f"bytes that are not UTF-8 at byte {at}; save the file as UTF-8")  # fmt: skip
        if nul >= 0:
            return self._fail(chunk, nul, None, "bad-encoding", "a NUL byte: this looks like a binary file, not CSV text")
        self._records(chunk)
        return self.problem is None

    def finish(self) -> Problem | None:
        """The problem, if any, once every byte was fed (an empty file, a cut-off UTF-8 sequence)."""
        if self.problem is None:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.problem = Problem(self.name, self.lines + 1, None, None, "bad-encoding",
                                       f"bytes that are not UTF-8 at byte {self.offset - 1}; save the file as UTF-8")  # fmt: skip
        if self.problem is None and not self.text:
            self.problem = Problem(self.name, 1, None, None, "empty-file", "the file is empty; expected a header row and figures")
        if self.problem is None and self.record_bytes and not self.last == 10:
            self._end_records(np.array([self.offset], dtype=np.int64), np.array([self.lines + 1], dtype=np.int64), b"")
        return self.problem

    def line(self, record: int) -> int:
        """The physical line where record ``record`` starts (the header is record 0, on line 1)."""
        at = bisect.bisect_right(self.breaks, (record, 1 << 62)) - 1
        return record + 1 + (self.breaks[at][1] if at >= 0 else 0)

    def lines_of(self, records: np.ndarray) -> np.ndarray:
        """``line`` for many records at once."""
        if not self.breaks:
            return records + 1
        keys = np.array([b[0] for b in self.breaks], dtype=np.int64)
        extra = np.array([0] + [b[1] for b in self.breaks], dtype=np.int64)
        return records + 1 + extra[np.searchsorted(keys, records, side="right")]

    def _fail(self, chunk: bytes, at: int, value: str | None, code: str, message: str) -> bool:
        line = self.lines + chunk.count(b"\n", 0, at) + 1
        self.problem = Problem(self.name, line, None, value, code, message)
        return False

    def _records(self, chunk: bytes) -> None:
        """Find where records end (newlines outside quotes), check their length, note lines and records parting."""
        raw = np.frombuffer(chunk, dtype=np.uint8)
        if not self.quoted and b'"' not in chunk:
            newlines = np.flatnonzero(raw == 10)
        else:
            special = np.flatnonzero((raw == 10) | (raw == 34))
            kinds = raw[special]
            quotes = special[kinds == 34]
            all_newlines = special[kinds == 10]
            inside = ((np.searchsorted(quotes, all_newlines) + self.quoted) & 1) == 1
            newlines = all_newlines[~inside]
            self.quoted = bool((len(quotes) + self.quoted) & 1)
        count = chunk.count(b"\n")
        line_numbers = self.lines + 1 + np.searchsorted(np.flatnonzero(raw == 10), newlines) if len(newlines) else newlines
        self._end_records(self.offset + newlines, line_numbers, chunk)
        self.lines += count
        self.offset += len(chunk)
        self.last = chunk[-1] if chunk else self.last
        if self.problem is None and self.record_bytes > MAX_RECORD_BYTES:
            self.problem = Problem(self.name, self.record_line, None, None, "record-too-long", too_long())

    def _end_records(self, ends: np.ndarray, end_lines: np.ndarray, chunk: bytes) -> None:
        """Records end at byte offsets ``ends`` (a newline on line ``end_lines``, or the end of the file)."""
        if not len(ends):
            self.record_bytes += len(chunk)
            return
        starts = np.concatenate([[self.offset - self.record_bytes], ends[:-1] + 1])
        start_lines = np.concatenate([[self.record_line], end_lines[:-1] + 1])
        lengths = ends - starts
        if lengths.max() > MAX_RECORD_BYTES:
            at = int(np.argmax(lengths > MAX_RECORD_BYTES))
            self.problem = Problem(self.name, int(start_lines[at]), None, None, "record-too-long", too_long())
            return
        # Blank: nothing, or a lone CR before the newline (the readers skip both).
        first = np.zeros(len(starts), dtype=np.int64)
        inside = (starts >= self.offset) & (starts < self.offset + len(chunk))
        if len(chunk):
            first[inside] = np.frombuffer(chunk, dtype=np.uint8)[starts[inside] - self.offset]
        first[starts == self.offset - 1] = self.last  # a CR at the end of the chunk before
        blank = (lengths == 0) | ((lengths == 1) & (first == 13))
        kept_lines = start_lines[~blank]
        if len(kept_lines):
            index = self.records + np.arange(len(kept_lines))
            extra = kept_lines - 1 - index
            previous = self.breaks[-1][1] if self.breaks else 0
            changed = np.flatnonzero(np.diff(extra, prepend=previous) != 0)
            if len(self.breaks) + len(changed) > MAX_BREAKS:
                self.problem = Problem(self.name, int(kept_lines[changed[0]]), None, None, "bad-csv",
                                       "too many blank lines or line breaks inside quotes to number the records")  # fmt: skip
                return
            self.breaks += [(int(index[i]), int(extra[i])) for i in changed]
            self.records += len(kept_lines)
        self.record_bytes = self.offset + len(chunk) - int(ends[-1]) - 1
        self.record_line = int(end_lines[-1]) + 1


def regular(source: str | Path) -> Path:
    """The path, if it names a file a reader may open; OSError naming what it is otherwise."""
    path = Path(source)
    mode = path.stat().st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "Is a directory")
    if not stat.S_ISREG(mode) and not stat.S_ISFIFO(mode):
        raise OSError(f"{path}: not a regular file (a device or socket); pass a CSV file")
    return path


def unreadable(path: str | Path, exc: OSError) -> str:
    """What to tell a person whose file cannot be opened or read, starting with its name."""
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file; check the path"
    if isinstance(exc, IsADirectoryError):
        return f"{path}: is a directory, not a CSV file"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied; check the file's permissions"
    return f"{path}: cannot be read ({exc.strerror})" if exc.strerror else str(exc)


def chunks(data: bytes) -> Iterator[bytes]:
    """``data`` in CHUNK-sized pieces."""
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]


def screen(pieces: Iterable[bytes], name: str) -> Screen:
    """Screen the bytes in ``pieces`` (stopping at the first problem); the Screen holds it and the renumbering."""
    found = Screen(name)
    for piece in pieces:
        if not found.feed(piece):
            break
    found.finish()
    return found


def screen_file(path: str | Path, name: str) -> Screen:
    """``screen`` a regular file, read CHUNK bytes at a time (OSError when it cannot be opened)."""
    with open(path, "rb") as handle:
        return screen(iter(lambda: handle.read(CHUNK), b""), name)


def exact_records(text: Iterable[str], name: str) -> Iterator[tuple[int, list[str] | None, Problem | None]]:
    """The csv module's strict reading of ``text``: (physical line, row, None) per record, or a problem.

    The one structural rule for every engine: an empty line is skipped, any other record with
    a field count other than the header's is a ragged row, broken quoting is bad CSV.
    The header comes first, as (1, header, None).
    """
    previous = csv.field_size_limit(MAX_RECORD_BYTES)
    try:
        reader = csv.reader(text, strict=True)
        start, width = 1, None
        try:
            for row in reader:
                if width is None:
                    width = len(row)
                    yield start, row, None
                elif len(row) == width:
                    yield start, row, None
                elif row:
                    yield (
                        start,
                        None,
                        Problem(name, start, None, None, "ragged-row", f"{len(row)} fields where the header has {width}"),
                    )
                start = reader.line_num + 1
        except csv.Error as exc:
            message = too_long() if "field limit" in str(exc) else f"not valid CSV: {exc}"
            code = "record-too-long" if "field limit" in str(exc) else "bad-csv"
            yield (
                reader.line_num,
                None,
                Problem(name, start if code == "record-too-long" else reader.line_num, None, None, code, message),
            )
    finally:
        csv.field_size_limit(previous)


def structure(path: str | Path, name: str) -> list[Problem]:
    """The structural problems ``exact_records`` finds in a file, read as a stream (bounded memory)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [problem for _, _, problem in exact_records(handle, name) if problem is not None]


def structure_of_text(text: str, name: str) -> list[Problem]:
    """``structure`` for text in memory."""
    return [problem for _, _, problem in exact_records(io.StringIO(text, newline=""), name) if problem is not None]
