"""Reading tables of reported figures (data/flows.csv and files of the same schema).

A file is read as text with the csv module (exact physical line numbers, ragged rows seen),
checked cell by cell, then typed. Nothing here writes to any file.
"""

from __future__ import annotations

import csv
import io
import os
import shlex
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import bundled, periods, validation
from ..errors import TradeDataError, UsageError
from ..validation import ERROR, Problem
from . import bigfiles, engines, screen

#: Columns of the typed figures frame, in order.
FIGURE_COLUMNS = [
    "id", "reporter", "partner", "flow", "period", "basis", "year", "currency", "value",
    "status", "source", "quote", "note", "file", "line",
    "scope", "scope_from", "scope_source", "scope_quote", "product", "product_name",
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
    # Codes in the whole data (the figures may hold only the rows a question needs).
    reporters: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)
    # Big files: the question's wide table reduced in DuckDB (metrics.WIDE_COLUMNS), and the
    # question it answers as (reporter, partner codes, period); see ``answers``.
    wide: pd.DataFrame | None = None
    question: tuple | None = None

    def __post_init__(self) -> None:
        if not self.codes and not self.figures.empty:
            self.reporters = set(self.figures["reporter"])
            self.codes = self.reporters | set(self.figures["partner"])

    def answers(self, reporter: str | Sequence[str] | None, partner_codes: Sequence[str] | None, period: str | None) -> bool:
        """Whether ``wide`` holds the answer to this question (reporter, partners, period label)."""
        return self.wide is not None and self.question == _question(reporter, partner_codes, period)


def _question(reporter, partner_codes, period) -> tuple:
    """A question as a comparable value: reporter (or a tuple of them), sorted partners, period."""
    who = reporter if reporter is None or isinstance(reporter, str) else tuple(reporter)
    return (who, tuple(sorted(partner_codes or [])), period)


class _LazyFlows(Flows):
    """Flows whose figures are read only when something asks for them: for big files, a balance
    comes from ``wide`` and never needs the long figures in pandas."""

    _read: Callable[[], pd.DataFrame] | None = None
    _figures: pd.DataFrame | None = None

    @property  # type: ignore[override]
    def figures(self) -> pd.DataFrame:
        if self._figures is None and self._read is not None:
            self._figures, self._read = self._read(), None
        return self._figures

    @figures.setter
    def figures(self, value: pd.DataFrame) -> None:
        self._figures = value

    def __post_init__(self) -> None:  # the codes are given: nothing to read
        pass


#: What a question needs, given the data's reporters and all its codes: functions called
#: only when needed (given one code, they say whether the data has it). It returns
#: (reporter or None for all, partner codes, period label); big files are reduced to those
#: rows before pandas sees them.
Narrow = Callable[[Callable[[], set[str]], Callable[[], set[str]]], tuple[str | None, list[str], str | None]]


def _display_name(source: str | Path) -> str:
    return "<stdin>" if str(source) == "-" else str(source)


#: The most a stream (standard input, a FIFO) may hold: it is read into memory whole.
MAX_STREAM_BYTES = 256 * 1024 * 1024
#: The biggest CSV file the pandas engine reads (into memory, whole); bigger ones need DuckDB (tradecli[big]).
MAX_TABLE_BYTES = 2**30


def _pieces(source: str | Path) -> Iterator[bytes]:
    """The bytes of a file, a FIFO or standard input ("-"), a block at a time; a stream stops past
    MAX_STREAM_BYTES (so an endless pipe ends). TradeDataError (one line, saying what to do) when
    it cannot be read; a device (/dev/zero, /dev/urandom) is refused before a byte is read."""
    if str(source) == "-":
        if sys.stdin is None:
            raise TradeDataError("--data -: standard input is closed; pass a file, or pipe the CSV in")
        yield from _bounded(sys.stdin.buffer, "<stdin>")
        return
    path = Path(source)
    try:
        with screen.regular(path).open("rb") as handle:
            if stat.S_ISFIFO(os.fstat(handle.fileno()).st_mode):
                yield from _bounded(handle, str(path))
            else:
                yield from iter(lambda: handle.read(screen.CHUNK), b"")
    except OSError as exc:
        raise TradeDataError(screen.unreadable(path, exc)) from None


def _bounded(stream, name: str) -> Iterator[bytes]:
    """A stream's blocks, refused past MAX_STREAM_BYTES."""
    size = 0
    while block := stream.read(screen.CHUNK):
        size += len(block)
        if size > MAX_STREAM_BYTES:
            raise TradeDataError(f"{name}: more than {MAX_STREAM_BYTES >> 20} MiB from a stream; save it to a file and pass that")
        yield block


def read_bytes(source: str | Path, limit: int | None = None) -> bytes:
    """A file's bytes ("-": standard input); TradeDataError in one line when it cannot be read
    or holds more than ``limit`` bytes (checked as it is read, so memory stays bounded)."""
    if limit is not None and str(source) != "-" and Path(source).is_file() and Path(source).stat().st_size > limit:
        raise TradeDataError(f"{source}: more than {limit >> 20} MiB; {_too_big_hint(limit)}")
    blocks, size = [], 0
    for block in _pieces(source):
        size += len(block)
        if limit is not None and size > limit:
            raise TradeDataError(f"{_display_name(source)}: more than {limit >> 20} MiB; {_too_big_hint(limit)}")
        blocks.append(block)
    return b"".join(blocks)


def _too_big_hint(limit: int) -> str:
    return "the limit on a file read whole" if limit != MAX_TABLE_BYTES else "install DuckDB (tradecli[big]) to read it"


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
    """Parse with the csv module (slow, exact; ``screen.exact_records``): header, rows, their physical lines, problems."""
    header: list[str] = []
    rows, lines, problems = [], [], []
    for line, row, problem in screen.exact_records(io.StringIO(text, newline=""), name):
        if problem is not None:
            problems.append(problem)
        elif line == 1 and not rows and not header:
            header = row
        else:
            rows.append(row)
            lines.append(line)
    if any(p.code != "ragged-row" for p in problems):
        return header, [], [], problems
    return header, rows, lines, problems


def _records_quick(data: bytes, width: int) -> tuple[np.ndarray, np.ndarray] | None:
    """``_records`` for the common file: no quotes, no blank lines, every record ``width`` fields.

    Counting newlines and commas is enough to prove it; None means "scan properly".
    """
    if b'"' in data or b"\n\n" in data or b"\n\r\n" in data or data.startswith((b"\n", b"\r\n", b"\xef\xbb\xbf\n")):
        return None
    count = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if data.count(b",") != count * (width - 1):
        return None
    return np.arange(1, count + 1), np.full(count, width)


def _read_fast(data: bytes, text: str, name: str) -> tuple[list[str], pd.DataFrame | None, list[Problem]]:
    """Parse with pandas' C reader, line numbers from ``_records``; None when it must fall back."""
    try:
        header = next(csv.reader([text[: text.find("\n")].rstrip("\r") if "\n" in text else text]))
    except csv.Error:  # a stray CR or the like: the exact reader reports it with its line
        return [], None, []
    width = len(header)
    lines, fields = _records_quick(data, width) or _records(data)
    if len(lines) == 0 or fields[0] != width:  # e.g. a quoted newline in the header: the exact reader decides
        return header, None, []
    if (fields[1:] != width).any():  # ragged rows: the exact reader names them, as it does for every engine
        return header, None, []
    # Code columns arrive as categoricals: a few distinct values, each parsed once.
    # (Periods are mostly digits, which pandas would turn into numbers: they come as text.)
    as_category = set(validation.STRIPPED) - {"id", "period"}
    dtypes = {f"c{i}": "category" if h.strip() in as_category else "str" for i, h in enumerate(header)}
    value = next((c for c, h in zip(dtypes, header, strict=True) if h.strip() == "value"), None)

    def read(types: dict[str, str], columns: list[str] | None = None) -> pd.DataFrame:
        return pd.read_csv(
            io.BytesIO(data), dtype=types, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
            skip_blank_lines=True, header=0, names=list(dtypes), usecols=columns,
        )  # fmt: skip

    try:
        try:  # Optimistic: every value a plain number, parsed by the C reader...
            frame = read({**dtypes, value: "float64"} if value else dtypes)
            as_float = value is not None
        except ValueError:  # ...else as text, and each cell judged by the checks.
            frame, as_float = read(dtypes), False
    except (ValueError, pd.errors.ParserError):
        return header, None, []
    if as_float and not (np.isfinite(frame[value]) & (frame[value] >= 0)).all():
        frame = frame.assign(**{value: read({value: "str"}, [value])[value]})  # the exact text, for the report
    if len(frame) != len(lines) - 1:  # the two readers disagree (odd quoting): trust the exact one
        return header, None, []
    # pandas turns all-numeric categories into numbers ("02024" -> 2024): read those columns
    # again as text, so every cell is checked exactly as written.
    numeric = [c for c in frame.columns if dtypes[c] == "category" and not pd.api.types.is_string_dtype(frame[c].cat.categories)]
    if numeric:
        again = pd.read_csv(
            io.BytesIO(data), dtype="str", keep_default_na=False, na_filter=False, encoding="utf-8-sig",
            skip_blank_lines=True, header=0, names=list(dtypes), usecols=numeric,
        )  # fmt: skip
        frame = frame.assign(**{c: again[c] for c in numeric})
    return header, frame.assign(line=lines[1:].astype("int64")), []


def _strip(column: pd.Series) -> pd.Series:
    """The column stripped of surrounding spaces, as a categorical.

    Columns of codes repeat a few values a million times: the checks then work on the
    distinct values and integer codes instead of on every cell.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, uniques = column.cat.codes.to_numpy(), np.asarray(column.cat.categories, dtype=object)
    else:
        codes, uniques = pd.factorize(column)
    stripped = np.array([u.strip() for u in uniques], dtype=object)
    if len(set(stripped)) == len(stripped):
        values = (
            pd.Categorical.from_codes(codes, categories=pd.Index(stripped, dtype="str")) if len(stripped) else pd.Categorical([])
        )
    else:  # " USD" and "USD" become one category
        values = pd.Categorical(stripped[codes])
    return pd.Series(values, index=column.index)


def _url_problem(name: str) -> Problem:
    """A URL (s3a://, hdfs://, abfss://) where no Spark engine reads: only Spark reads URLs; nothing here opens one."""
    return Problem(
        name, None, None, None, "unreadable",
        "a URL is read by the Spark engine only (pandas and DuckDB read local files); add --engine spark, "
        f"e.g. `tradecli validate {shlex.quote(name)} --engine spark`",
    )  # fmt: skip


def big_files(sources: Sequence[str | Path]) -> list[str | Path]:
    """The sources the big-file engine may read: not the bundled data nor standard input, and a URL only when
    the engine is Spark (any other engine leaves it to ``read_table``, which refuses it, saying why)."""
    spark = engines.current().name == "spark"
    return [s for s in sources if s != BUNDLED and str(s) != "-" and (spark or not bigfiles.is_remote(s))]


def read_table(source: str | Path, name: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one CSV file as text cells plus ``line`` and ``number`` (the value parsed, NaN if not), and the structural problems.

    Returns an empty frame when the file is unusable (unreadable, empty, undecodable, ragged).
    Nothing is ever written.
    """
    name = name or _display_name(source)
    if bigfiles.is_remote(source):
        return _empty(), [_url_problem(name)]
    found, blocks, size = screen.Screen(name), [], 0
    try:
        for block in _pieces(source):
            if not found.feed(block):
                break
            size += len(block)
            if size <= MAX_TABLE_BYTES:  # past it, only screened: a problem in the file is still the verdict
                blocks.append(block)
    except TradeDataError as exc:
        return _empty(), [Problem(name, None, None, None, "unreadable", str(exc).split(": ", 1)[1])]
    found.finish()
    if found.problems():
        return _empty(), found.problems()
    if size > MAX_TABLE_BYTES:
        return _empty(), [
            Problem(name, None, None, None, "unreadable",
                    f"more than {MAX_TABLE_BYTES >> 20} MiB, the most the pandas engine reads; {_too_big_hint(MAX_TABLE_BYTES)}")
        ]  # fmt: skip
    data = b"".join(blocks)
    del blocks
    return parse_table(data, name, screened=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=[*validation.COLUMNS, "line", "number"])


def parse_table(data: bytes, name: str, screened: bool = False) -> tuple[pd.DataFrame, list[Problem]]:
    """``read_table`` for bytes already read (``name`` names them in problems; ``screened``: ``screen`` passed them)."""
    empty = _empty()
    if not screened and (problems := screen.screen(screen.chunks(data), name).problems()):
        return empty, problems
    text = data.decode("utf-8-sig")  # a UTF-8 byte-order mark is allowed and dropped

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
    frame = frame.assign(**{c: frame[c].astype("str") for c in validation.STRIPPED})  # plain text for the core
    return (
        frame.assign(
            value=frame["number"],
            basis=pd.Series(basis[codes] if len(codes) else [], index=frame.index, dtype="str"),
            year=year[codes] if len(codes) else np.array([], dtype="int64"),
            status=frame["status"].replace("", "reported"),
            # No scope stated: the default scope, marked inferred (the output flags it).
            scope_from=frame["scope_from"].where(frame["scope"] != "", "inferred").replace("", "stated"),
            scope=frame["scope"].replace("", validation.DEFAULT_SCOPE),
            product=frame["product"].replace("", validation.DEFAULT_PRODUCT),
            file=frame["file"].astype("str") if "file" in frame.columns else name,
            id=lambda f: f["id"].where(f["id"] != "", f["file"] + ":" + f["line"].astype("str")),
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


def display_name(source: str | Path) -> str:
    """How a source is named in messages and reports."""
    return _name(source)


def _name(source: str | Path) -> str:
    return BUNDLED_NAME if source == BUNDLED else _display_name(source)


def check(sources: Sequence[str | Path] | None = None) -> list[Problem]:
    """Every problem in the given files (the bundled data when none), within and across files."""
    files = big_files(sources or [])
    if files and bigfiles.wanted(files):
        small = [s for s in sources if s not in files]
        problems = (_read_all(small, typed=False)[0] if small else []) + bigfiles.check(files, [_name(f) for f in files])
        order = {_name(s): n for n, s in enumerate(sources)}
        return sorted(problems, key=lambda p: (order.get(p.file, 0), p.line or 0))  # as _read_all lists them
    problems, _ = _read_all(sources, typed=False)
    return problems


def _read_all(sources: Sequence[str | Path] | None, typed: bool = True) -> tuple[list[Problem], pd.DataFrame]:
    """Problems of every file and across files; with ``typed``, the figures (FIGURE_COLUMNS) too.

    Without it, only what the cross-file checks need is built (checking a big file is cheaper).
    """
    tables = ((_name(s), read_table(bundled.path("flows.csv") if s == BUNDLED else s, _name(s))) for s in sources or [BUNDLED])
    problems, figures = _check_tables(tables, typed)
    order = {_name(s): n for n, s in enumerate(sources or [BUNDLED])}
    return sorted(problems, key=lambda p: (order.get(p.file, 0), p.line or 0)), figures


def check_bytes(data: bytes, name: str) -> tuple[list[Problem], pd.DataFrame]:
    """Every problem ``tradecli validate`` would find in a file holding ``data``, and its typed figures.

    For checking a table before it is written (``name`` names it in problems).
    """
    problems, figures = _check_tables([(name, parse_table(data, name))], typed=True)
    return sorted(problems, key=lambda p: p.line or 0), figures


def _check_tables(tables, typed: bool) -> tuple[list[Problem], pd.DataFrame]:
    """Cell checks per table, then the checks across all of them; ``tables`` yields (name, (frame, problems))."""
    problems: list[Problem] = []
    figures_of_file = []
    for name, (frame, found) in tables:
        problems += found
        if frame.empty:
            continue
        cell_problems = validation.check_cells(name, frame)
        problems += cell_problems
        bad_lines = {p.line for p in cell_problems if p.severity == ERROR}
        good = frame[~frame["line"].isin(bad_lines)] if bad_lines else frame
        if typed:
            figures_of_file.append(type_figures(good, name))
        else:
            figures_of_file.append(
                good[[*validation.KEY, "line"]]
                .assign(
                    value=good["number"],
                    file=name,
                    scope=good["scope"].astype("str").replace("", validation.DEFAULT_SCOPE),
                    product=good["product"].astype("str").replace("", validation.DEFAULT_PRODUCT),
                )  # fmt: skip
                .dropna(subset=["value"])
            )
    figures = pd.concat(figures_of_file, ignore_index=True) if figures_of_file else pd.DataFrame(columns=FIGURE_COLUMNS)
    if not figures.empty:
        problems += validation.check_figures(figures)
    return problems, figures


def _load_big(sources: list[str | Path], files: list[str | Path], narrow: Narrow | None, reduce: bool = True) -> Flows:
    """``load`` for big files: DuckDB reads only the rows the question needs (``narrow``), and
    those go through the same checks as any file. ``tradecli validate`` checks every row.

    With big files only, DuckDB also reduces those rows to the question's wide table
    (``bigfiles.wide``): a balance is then ``metrics.measures`` of it, and the long figures are
    read only if something asks for them."""
    small_sources = [s for s in sources if s not in files]
    problems, small = _read_all(small_sources) if small_sources else ([], pd.DataFrame(columns=FIGURE_COLUMNS))
    known: dict[str, set[str]] = {}

    def codes(columns: tuple[str, ...]) -> Callable[..., set[str]]:
        def get(candidate: str | None = None) -> set[str]:
            if candidate is not None and columns not in known:  # one code: stop at its first row
                found = bigfiles.contains(files, columns, candidate) or any(candidate in set(small[c]) for c in columns)
                return {candidate} if found else set()
            if columns not in known:
                known[columns] = bigfiles.distinct(files, columns) | set().union(*(set(small[c]) for c in columns))
            return known[columns]

        return get

    reporters, everyone = codes(("reporter",)), codes(("reporter", "partner"))
    reporter, partner_codes, period = narrow(reporters, everyone) if narrow else (None, [], None)
    if not small_sources and reduce:  # a question of balances (not of products) is answered from the wide table
        every = reporters() if reporter is None and (partner_codes or period) else None
        reduced = bigfiles.wide(files, [_name(f) for f in files], reporter, partner_codes, period, every)
        if (message := summary(reduced.problems)) is not None:
            raise TradeDataError(message)
        flows = _LazyFlows(
            None, [p for p in reduced.problems if p.severity != ERROR], False,
            known.get(("reporter",), reduced.reporters), known.get(("reporter", "partner"), set()) | reduced.codes,
            reduced.wide, _question(reporter, partner_codes, period),
        )  # fmt: skip
        flows._read = lambda: _select_big(files, [], (reporter, partner_codes, period))[1]
        return flows
    problems, figures = _select_big(files, problems, (reporter, partner_codes, period), small)
    if (message := summary(problems)) is not None:
        raise TradeDataError(message)
    seen = set(figures["reporter"]) | set(figures["partner"])
    return Flows(
        figures, [p for p in problems if p.severity != ERROR], BUNDLED in sources,
        known.get(("reporter",), set(figures["reporter"])), known.get(("reporter", "partner"), set()) | seen,
    )  # fmt: skip


def _select_big(
    files: list[str | Path], problems: list[Problem], question: tuple, small: pd.DataFrame | None = None
) -> tuple[list[Problem], pd.DataFrame]:
    """The figures a question (reporter, partner codes, period) needs from big files, checked by the
    pandas rules, with ``small`` (figures of small files) before them; the problems added to ``problems``."""
    reporter, partner_codes, period = question
    parts = [small] if small is not None and not small.empty else []
    for source in files:
        name = _name(source)
        found, frame = bigfiles.select(source, name, reporter, partner_codes, period)
        problems = problems + found
        if frame is None or frame.empty:
            continue
        cell_problems = validation.check_cells(name, frame)
        problems += cell_problems
        bad_lines = {p.line for p in cell_problems if p.severity == ERROR}
        parts.append(type_figures(frame[~frame["line"].isin(bad_lines)] if bad_lines else frame, name))
    figures = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FIGURE_COLUMNS)
    if not figures.empty:
        problems += validation.check_figures(figures)
    return problems, figures


#: The most files one error line names, each with its count and first error; the rest are counted.
SUMMARY_FILES = 3


def summary(problems: list[Problem]) -> str | None:
    """One line for the errors among ``problems`` (None when there are none): for each file with errors, its
    own count and first error; the validate command that lists them all, unless every error is an unreadable file."""
    errors = [p for p in problems if p.severity == ERROR]
    if not errors:
        return None
    by_file: dict[str, list[Problem]] = {}
    for p in errors:
        by_file.setdefault(p.file, []).append(p)
    parts = [_file_summary(found) for found in list(by_file.values())[:SUMMARY_FILES]]
    if len(by_file) > SUMMARY_FILES:
        more = len(by_file) - SUMMARY_FILES
        parts.append(f"{more} more file{'s' * (more > 1)} with errors")
    checked = [f for f, found in by_file.items() if any(p.code != "unreadable" for p in found)]
    targets = "".join(f" {'-' if f == '<stdin>' else shlex.quote(f)}" for f in checked if f != BUNDLED_NAME)
    hint = f"; run `tradecli validate{targets}`" if checked else ""
    return "; also ".join(parts) + hint


def _file_summary(errors: list[Problem]) -> str:
    """'FILE: N errors, first at line L, column C: message' for one file's errors."""
    first = errors[0]
    count = f"{len(errors)} error{'s' if len(errors) > 1 else ''}"
    where = f", first at line {first.line}" if first.line is not None else ""
    column = f", column {first.column}" if first.column else ""
    return f"{first.file}: {count}{where}{column}: {first.message}"


def load(sources: Sequence[str | Path] | None = None, narrow: Narrow | None = None, reduce: bool = True) -> Flows:
    """Read and check figures; raise TradeDataError summarising the errors if there are any.

    ``sources`` are file paths, "-" for standard input, or BUNDLED; none means the bundled data.
    Parquet files and big CSV files are read with DuckDB (see ``bigfiles``); ``narrow`` then
    says which rows the question needs, and only those reach pandas.
    """
    sources = list(sources or [BUNDLED])
    files = big_files(sources)
    if files and bigfiles.wanted(files):
        return _load_big(sources, files, narrow, reduce)
    problems, figures = _read_all(sources)
    message = summary(problems)
    if message:
        raise TradeDataError(message)
    return Flows(figures, [p for p in problems if p.severity != ERROR], bundled=BUNDLED in sources)
