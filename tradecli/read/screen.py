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
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..validation import Problem

#: The longest record (a line, or a quoted cell across lines, with its line ends) any reader accepts.
MAX_RECORD_BYTES = 4 * 2**20
#: How many places where records and lines part are remembered for renumbering (about 100 bytes each).
MAX_BREAKS = 2**20
#: Bytes read at a time.
CHUNK = 2**20
#: How many ragged rows are listed (a file of ten million ragged rows is refused all the same).
LISTED = 1000


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
    last: int = 10  # the byte before this chunk (a line end before the first)
    record_commas: int = 0  # separators outside quotes in the current record so far
    width: int | None = None  # the header's field count
    crlf: bool | None = None  # whether lines end in CRLF (None: no line end yet)
    pending: tuple[str, int] | None = None  # a closing quote or CR at a chunk's end, judged by the next byte
    #: Records whose field count is not the header's (the first LISTED); reading goes on past them.
    ragged: list[Problem] = field(default_factory=list)
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
                if self._decoder.getstate()[0]:  # utf-8-sig keeps a lone b"\xef" as the start of a BOM, even at the end
                    raise UnicodeDecodeError("utf-8", b"", 0, 1, "unexpected end of data")
            except UnicodeDecodeError:
                self.problem = Problem(self.name, self.lines + 1, None, None, "bad-encoding",
                                       f"bytes that are not UTF-8 at byte {self.offset - 1}; save the file as UTF-8")  # fmt: skip
        if self.problem is None and not self.text:
            self.problem = Problem(self.name, 1, None, None, "empty-file", "the file is empty; expected a header row and figures")
        if self.problem is None and self.pending and self.pending[0] == "cr":
            self._lone_cr(self.pending[1])
        if self.problem is None and self.record_bytes > 0:
            ends = np.array([self.offset], dtype=np.int64)
            self._end_records(ends, np.array([self.lines + 1], dtype=np.int64), b"", lambda at: np.zeros(len(at), dtype=np.int64))
        return self.problem

    def problems(self) -> list[Problem]:
        """What the screen found: the problem that stopped it, else the ragged rows (empty: go on and parse)."""
        return [self.problem] if self.problem is not None else list(self.ragged)

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
        """Find where records end (newlines outside quotes), check quoting and record length, count fields,
        note where records and lines part."""
        raw = np.frombuffer(chunk, dtype=np.uint8)
        all_newlines = np.flatnonzero(raw == 10)
        commas = np.flatnonzero(raw == 44)
        if not self.quoted and not self.pending and b'"' not in chunk and b"\r" not in chunk:
            newlines, separators = all_newlines, lambda at: np.searchsorted(commas, at)  # the common chunk: nothing to judge
            crlf = np.zeros(len(newlines), dtype=bool)
        else:
            newlines, separators = self._quoting(chunk, raw, all_newlines, commas)
            if self.problem is not None:
                return
            crlf = (newlines > 0) & (raw[np.maximum(newlines - 1, 0)] == 13) | ((newlines == 0) & (self.last == 13))
        if len(newlines):  # one kind of line end per file (DuckDB cannot read a mix)
            self.crlf = bool(crlf[0]) if self.crlf is None else self.crlf
            other = np.flatnonzero(crlf != self.crlf)
            if len(other):
                line = self.lines + 1 + int(np.searchsorted(all_newlines, newlines[other[0]]))
                self.problem = Problem(self.name, line, None, None, "bad-csv",
                                       f"this line ends in {'LF' if self.crlf else 'CRLF'}, lines before it in "
                                       f"{'CRLF' if self.crlf else 'LF'}; save the file with one kind of line end")  # fmt: skip
                return
        line_numbers = self.lines + 1 + np.searchsorted(all_newlines, newlines) if len(newlines) else newlines
        self._end_records(self.offset + newlines, line_numbers, chunk, separators)
        self.lines += len(all_newlines)
        self.offset += len(chunk)
        self.last = chunk[-1] if chunk else self.last
        if self.problem is None and self.record_bytes > MAX_RECORD_BYTES:
            self.problem = Problem(self.name, self.record_line, None, None, "record-too-long", too_long())

    def _quoting(self, chunk: bytes, raw: np.ndarray, all_newlines: np.ndarray, commas: np.ndarray):
        """Newlines outside quotes and a function counting separators outside quotes before positions
        in the chunk; a problem for a quote in the wrong place or a lone CR.

        A quote may open a cell (after a comma, a line end or the file's start) or, inside a
        quoted cell, close it (before a comma, a line end or the end) or be doubled. Anything
        else is read differently by different CSV readers, so it is refused for all of them.
        """
        quotes = np.flatnonzero(raw == 34)
        start_quoted = self.quoted
        n = len(raw)

        def inside(positions: np.ndarray) -> np.ndarray:  # for positions that are not quotes
            return ((np.searchsorted(quotes, positions) + start_quoted) & 1) == 1

        def before(positions: np.ndarray) -> np.ndarray:  # the byte before each position (a line end before the file)
            found = raw[np.maximum(positions - 1, 0)].astype(np.int64)
            found[positions == 0] = self.last
            if self.offset == 0 and chunk.startswith(b"\xef\xbb\xbf"):
                found[positions == 3] = 10  # just after the byte-order mark
            return found

        def after(positions: np.ndarray) -> np.ndarray:  # the byte after each position (0: in the next chunk)
            found = raw[np.minimum(positions + 1, n - 1)].astype(np.int64)
            found[positions == n - 1] = 0
            return found

        if self.pending:  # the last byte of the chunk before needs this chunk's first byte
            kind, at_line = self.pending
            self.pending = None
            if kind == "quote" and raw[0] not in (44, 10, 13, 34):
                return self._misquoted(at_line)
            if kind == "cr" and raw[0] != 10:
                return self._lone_cr(at_line)
        opening = ((np.arange(len(quotes)) + start_quoted) & 1) == 0
        bad_open = opening & ~np.isin(before(quotes), (44, 10, 34))
        closing_at_end = ~opening & (quotes == n - 1)
        bad_close = ~opening & ~closing_at_end & ~np.isin(after(quotes), (44, 10, 13, 34))
        crs = np.flatnonzero(raw == 13)
        crs = crs[~inside(crs)]
        lone = crs[(crs != n - 1) & (after(crs) != 10)]
        bad = np.concatenate([quotes[bad_open | bad_close], lone])
        if len(bad):
            first = int(bad.min())
            line = self.lines + int(np.searchsorted(all_newlines, first)) + 1
            return self._misquoted(line) if raw[first] == 34 else self._lone_cr(line)
        if closing_at_end.any():
            self.pending = ("quote", self.lines + len(all_newlines) + 1)
        elif len(crs) and crs[-1] == n - 1:
            self.pending = ("cr", self.lines + len(all_newlines) + 1)
        self.quoted = bool((len(quotes) + start_quoted) & 1)
        # Quoted spans (one may run on from the chunk before, one into the next) and the separators inside each.
        opens = np.concatenate([[-1], quotes[opening]]) if start_quoted else quotes[opening]
        closes = quotes[~opening]
        closes = np.concatenate([closes, [n]]) if len(opens) > len(closes) else closes
        within = np.cumsum(np.searchsorted(commas, closes) - np.searchsorted(commas, opens))

        def separators(at: np.ndarray) -> np.ndarray:  # separators outside quotes before each position (outside quotes)
            if not len(opens):
                return np.searchsorted(commas, at)
            spans = np.searchsorted(opens, at)  # spans opened before: all closed by then, or running to the end
            return np.searchsorted(commas, at) - np.where(spans > 0, within[np.maximum(spans - 1, 0)], 0)

        return all_newlines[~inside(all_newlines)], separators

    def _misquoted(self, line: int):
        self.problem = Problem(self.name, line, None, None, "bad-csv",
                               "a '\"' inside a cell that is not quoted, or text after a closing '\"'; "
                               "quote the whole cell and double each '\"' in it")  # fmt: skip
        return np.array([], dtype=np.int64), None

    def _lone_cr(self, line: int):
        message = "a carriage return (CR) outside quotes that does not end a line; save the file with LF or CRLF line ends"
        self.problem = Problem(self.name, line, None, None, "bad-csv", message)
        return np.array([], dtype=np.int64), None

    def _end_records(self, ends: np.ndarray, end_lines: np.ndarray, chunk: bytes, separators) -> None:
        """Records end at byte offsets ``ends`` (a newline on line ``end_lines``, or the end of the file);
        ``separators`` counts the separators outside quotes before positions in ``chunk``."""
        to_end = int(separators(np.array([len(chunk)]))[0])
        if not len(ends):
            self.record_bytes += len(chunk)
            self.record_commas += to_end
            return
        starts = np.concatenate([[self.offset - self.record_bytes], ends[:-1] + 1])
        start_lines = np.concatenate([[self.record_line], end_lines[:-1] + 1])
        lengths = ends - starts
        if lengths.max() > MAX_RECORD_BYTES:
            at = int(np.argmax(lengths > MAX_RECORD_BYTES))
            self.problem = Problem(self.name, int(start_lines[at]), None, None, "record-too-long", too_long())
            return
        counts = separators(ends - self.offset)
        fields = np.diff(counts, prepend=0) + 1
        fields[0] += self.record_commas
        self.record_commas = to_end - int(counts[-1])
        # Blank: nothing, or a lone CR before the newline (the readers skip both).
        first = np.zeros(len(starts), dtype=np.int64)
        inside = (starts >= self.offset) & (starts < self.offset + len(chunk))
        if len(chunk):
            first[inside] = np.frombuffer(chunk, dtype=np.uint8)[starts[inside] - self.offset]
        first[starts == self.offset - 1] = self.last  # a CR at the end of the chunk before
        blank = (lengths == 0) | ((lengths == 1) & (first == 13))
        kept_lines, kept_fields = start_lines[~blank], fields[~blank]
        if len(kept_lines):
            if self.width is None:
                self.width = int(kept_fields[0])
            ragged = np.flatnonzero(kept_fields != self.width)[: LISTED - len(self.ragged)]
            message = "{} fields where the header has " + str(self.width)
            self.ragged += [
                Problem(self.name, int(kept_lines[i]), None, None, "ragged-row", message.format(int(kept_fields[i])))
                for i in ragged
            ]
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
