"""Big inputs: read, check and reduce flows files (CSV or Parquet) with DuckDB.

Only the rows a question needs (a reporter's own and mirrored figures, some partners, a
period) come back as a pandas frame, which then goes through the same typing and arithmetic
as small files. The checks reuse the rules of ``validation``: DuckDB lists the distinct
codes, periods and statuses, and the same Python predicates judge them; numbers, duplicates,
totals and groups are checked in SQL with the same codes and tolerance. A test runs the
malformed-input corpus through both engines and requires the same findings.

DuckDB is an optional dependency (``pip install 'tradecli[big]'``).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import stat
import tempfile
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from .. import flags, partners, validation
from ..errors import MissingExtraError, TradeDataError
from ..validation import ERROR, Problem
from . import engines, screen

#: How many findings of one kind (one code, or one column's bad codes) DuckDB lists per file; pandas lists
#: every one, so a file with more gets a shorter list (the same verdict, first lines and messages).
LISTED = 1000

#: CSV files at least this big are read with DuckDB when it is installed (TRADECLI_ENGINE overrides).
#: Below it pandas is faster (measured: validating a 64 MiB file takes DuckDB 1.5x pandas' time).
THRESHOLD_BYTES = 128 * 2**20
#: DuckDB's bounds: the memory it may use before it spills to disk, and the most it may spill,
#: in a private directory (mode 0700) under the system temp dir, removed when done (never ./.tmp).
MEMORY_LIMIT = "2GiB"
TEMP_LIMIT = "16GiB"


def is_parquet(source: str | Path) -> bool:
    """Whether a source is a Parquet file (by name)."""
    return str(source).lower().endswith((".parquet", ".pq"))


def available() -> bool:
    """Whether DuckDB can be imported."""
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def wanted(sources: Sequence[str | Path]) -> bool:
    """Whether to use the SQL engine (DuckDB, or Spark when asked): always for Parquet and for Spark,
    for CSV from THRESHOLD_BYTES, or as the engine in force says (``engines.current``)."""
    engine = engines.current().name
    if engine == "spark":
        from . import spark

        spark.check_installed(engines.current().remote)
        return True
    parquet = any(is_parquet(s) for s in sources)
    if parquet or engine == "duckdb":
        if not available():
            raise MissingExtraError("reading Parquet" if parquet else "the DuckDB engine", "DuckDB", "big")
        return True
    if engine == "pandas" or not available():
        return False
    return sum(_size(s) for s in sources) >= THRESHOLD_BYTES


def connect(sources: Sequence[str | Path] = ()):
    """A connection to the engine in force that reads ``sources``: DuckDB's, or Spark's (``spark.Connection``,
    the same ``execute(sql, params)`` running these same SQL texts rendered for Spark)."""
    engine = engines.current()
    if engine.name == "spark":
        from .spark import Connection

        return Connection(sources, engine.remote)
    return _Connection(sources)


def spans_lines(source: str | Path) -> bool:
    """Whether a record of ``source`` may not start on the line after the one before (a quoted line break or
    blank lines, from its screen); True when the file was not screened here."""
    found = [s for key, s in _screens.items() if key[0] == str(Path(source))]
    return not found or bool(found[0].breaks)


def is_remote(source: str | Path) -> bool:
    """Whether ``source`` is a URL such as s3a://bucket/x.parquet (only the Spark engine reads these)."""
    return "://" in str(source)


def _size(source: str | Path) -> int:
    try:
        return Path(source).stat().st_size
    except OSError:
        return 0


class _Connection:
    """A DuckDB connection that can read ``sources`` and nothing else, and binds every value.

    File system access outside the given files is off, extensions are never installed or
    loaded on demand, and the configuration is locked, so even SQL that slipped through
    could not write a file, attach a database or fetch an extension. File paths, the header
    and every value reach DuckDB as bound parameters (``$name``): the SQL text holds only
    tradecli's own words and quoted identifiers.
    """

    def __init__(self, sources: Sequence[str | Path] = ()):
        import duckdb

        self._con = con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")  # tradecli shows its own, on stderr only
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        # Bounded: memory, then spilling into a private temp directory of capped size.
        try:
            temp = tempfile.mkdtemp(prefix="tradecli-duckdb-")
        except OSError as exc:
            con.close()
            raise TradeDataError(
                f"cannot make a temporary directory in {tempfile.gettempdir()} ({exc.strerror or exc}); "
                "set TMPDIR to a writable directory"
            ) from None
        weakref.finalize(self, _remove, con, temp)
        con.execute("SET temp_directory = $dir", {"dir": temp})
        con.execute("SET max_temp_directory_size = $size", {"size": TEMP_LIMIT})
        con.execute("SET memory_limit = $size", {"size": MEMORY_LIMIT})
        allowed = sorted({str(s) for s in sources} | {str(Path(s).absolute()) for s in sources})
        if allowed:
            con.execute("SET allowed_paths = $paths", {"paths": allowed})
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        self._sources = {_key(s): s for s in sources}
        self._columns: dict[str, dict[str, str]] = {}

    def execute(self, sql: str, params: dict | None = None):
        """Run ``sql`` with the parameters it names (DuckDB refuses unused ones); a file's header
        is read the first time a query names it, so a file that cannot be read fails there."""
        return self._con.execute(sql, self._params(sql, params))

    def frame(self, sql: str, params: dict | None = None):
        """``execute(sql, params)``'s answer as a pandas frame, through Arrow when pyarrow is installed
        (measured: a third of the time of DuckDB's own conversion for a table of text columns)."""
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            return self.execute(sql, params).df()
        params = self._params(sql, params)
        if (complete := getattr(self._con, "complete", None)) is not None:  # DuckDB 2: the last execute() finished first
            complete()
        answer = self._con.sql(sql, params=params)
        return (getattr(answer, "to_arrow_table", None) or answer.arrow)().to_pandas()  # DuckDB 2 | 1.x

    def _params(self, sql: str, params: dict | None) -> dict:
        given = {"whitespace": WHITESPACE, **(params or {})}
        for key, source in self._sources.items():
            given[f"path_{key}"] = str(source)
            if f"$columns_{key}" in sql and key not in self._columns:
                self._columns[key] = _columns_of(source)
            if key in self._columns:
                given[f"columns_{key}"] = self._columns[key]
        return {k: v for k, v in given.items() if re.search(rf"\${k}\b", sql)}


def _remove(con, temp: str) -> None:
    """Close a connection and remove its temp directory (what it spilled)."""
    con.close()
    shutil.rmtree(temp, ignore_errors=True)


def _key(source: str | Path) -> str:
    """A parameter-name-safe key for one file (its path hashed)."""
    return hashlib.blake2s(str(source).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


def quote_ident(name: str) -> str:
    """``name`` as a DuckDB identifier: double quotes around, inner double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def _scan(source: str | Path, lines: bool = True) -> str:
    """SQL for the file's rows as text (CSV) or typed (Parquet), with a ``line`` column.

    ``line`` is the physical line for CSV without quoted line breaks or blank lines, and for
    Parquet the row number + 1, as if the table were written as CSV with a header. Without
    ``lines`` a query can stop at its first match (numbering rows needs them all).
    """
    path = f"$path_{_key(source)}"
    if is_parquet(source):
        return (
            "SELECT (file_row_number + 2)::BIGINT AS line, * EXCLUDE (file_row_number) "
            f"FROM read_parquet({path}, file_row_number = true)"
        )
    read = (
        f"read_csv({path}, header = true, all_varchar = true, strict_mode = true, null_padding = false, "
        f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', max_line_size = {2 * screen.MAX_RECORD_BYTES}, "
        f"columns = $columns_{_key(source)})"
    )
    return f"SELECT (row_number() OVER () + 1)::BIGINT AS line, * FROM {read}" if lines else f"SELECT * FROM {read}"


def _csv_header(source: str | Path) -> list[str]:
    """The CSV header's names, stripped, as the pandas reader reads them (the screen has bounded its length)."""
    with open(source, encoding="utf-8-sig", newline="") as handle:
        _, row, problem = next(screen.exact_records(handle, str(source)), (1, [], None))
    if problem is not None:
        raise ValueError(problem.message)
    return [h.strip() for h in row or []]


def _columns_of(source: str | Path) -> dict[str, str]:
    """The header as DuckDB's ``columns`` argument (every column text), bound as a parameter."""
    header = _csv_header(source)
    if len(set(header)) < len(header):
        raise ValueError(f"the header repeats a column name: {sorted({h for h in header if header.count(h) > 1})}")
    return dict.fromkeys(header, "VARCHAR")


_screens: dict[tuple, screen.Screen] = {}


def screened(source: str | Path, name: str) -> screen.Screen:
    """The file screened as the pandas reader screens it (once per file version; Parquet is not CSV text):
    its first problem, if any (one that cannot be opened is "unreadable"), and how records map to physical lines."""
    try:
        if is_remote(source):  # a URL only Spark reads (s3a://, hdfs://, abfss://): screened by nothing on this machine
            return screen.Screen(name, text=True)
        path = screen.regular(source)
        info = path.stat()
        if is_parquet(source):
            return screen.Screen(name, text=True)
        if stat.S_ISFIFO(info.st_mode):
            raise OSError(f"{path}: a FIFO is read by the pandas engine only; save it to a file for DuckDB")
        key = (str(path), name, info.st_size, info.st_mtime_ns, info.st_ino)
        if key not in _screens:
            if len(_screens) >= 16:
                _screens.clear()  # a few file sets at a time: the renumbering can be large
            _screens[key] = screen.screen_file(path, name)
        return _screens[key]
    except OSError as exc:
        message = screen.unreadable(source, exc).split(": ", 1)[1]
        return screen.Screen(name, problem=Problem(name, None, None, None, "unreadable", message))


def _header(con, scan: str, source: str | Path) -> list[str]:
    """The file's column names as written (DuckDB would rename a column called "line", which the scan adds);
    a CSV header that repeats a name is returned unread by DuckDB, for check_columns to name the repeat."""
    typed = is_parquet(source) or is_remote(source)  # the engine reads a remote header itself
    header = [] if typed else _csv_header(source)
    if len(set(header)) < len(header):
        return header
    names = [d[0] for d in con.execute(f"SELECT * FROM ({scan}) LIMIT 0").description][1:]
    return names if typed else header


#: What Python's str.strip() strips (DuckDB's trim() alone strips only spaces), bound as $whitespace.
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


def _text(column: str) -> str:
    """A cell as text stripped as the pandas reader strips it (a blank CSV cell reads as NULL: '').

    trim() with the whole list of whitespace characters is slow (measured: 20 s of CPU for 7 columns
    of 10M cells, against 2 s for the rest of the query), so only a cell that begins or ends with
    one of them goes through it; both forms give the same text."""
    cell = f"CAST({quote_ident(column)} AS VARCHAR)"
    edges = f"contains($whitespace, left({cell}, 1)) OR contains($whitespace, right({cell}, 1))"
    return f"coalesce(CASE WHEN {edges} THEN trim({cell}, $whitespace) ELSE {cell} END, '')"


def _cells(header: set[str] | list[str]) -> str:
    """Every schema column as text, stripped where the pandas reader strips (validation.STRIPPED), missing ones empty."""
    return ", ".join(
        (_text(c) if c in validation.STRIPPED else f"coalesce(CAST({quote_ident(c)} AS VARCHAR), '')") + f" AS {quote_ident(c)}"
        if c in header else f"'' AS {quote_ident(c)}"
        for c in validation.COLUMNS
    )  # fmt: skip


def _rows(scan: str, header: set[str], exact_value: bool = False) -> str:
    """The scan with every schema column as text (``_cells``) and ``number``: the value's text read as a
    number, or (``exact_value``: a typed column whose text reads back as the same double) the value itself."""
    number = 'CAST("value" AS DOUBLE)' if exact_value else f"TRY_CAST({_text('value')} AS DOUBLE)"
    return f"SELECT line, {_cells(header)}, {number} AS number FROM ({scan})"


#: Column types whose text (the shortest that reads back) is the same double as the value cast: a typed value
#: column of these skips the text round trip (measured: 1.5 s of 10M rows). FLOAT and DECIMAL are not among them.
_EXACT_TYPES = frozenset({"DOUBLE", "BIGINT", "INTEGER", "INT", "SMALLINT", "TINYINT"})


def _exact_value(con, scan: str, source: str | Path) -> bool:
    """Whether ``source``'s value column is typed (Parquet) with one of _EXACT_TYPES (as the engine names it)."""
    if not (is_parquet(source) or is_remote(source)):
        return False  # CSV: text
    types = {d[0]: str(d[1]).upper() for d in con.execute(f"SELECT * FROM ({scan}) LIMIT 0").description}
    return types.get("value") in _EXACT_TYPES


def _totals_only(rows: str) -> str:
    """``rows`` of product TOTAL only (a blank product is TOTAL): what a balance is computed from, as queries.totals_only."""
    return f"SELECT * FROM ({rows}) WHERE product = '' OR product = {_literal(validation.DEFAULT_PRODUCT)}"


def _literal(word: str) -> str:
    """One of tradecli's own words (never file content) as an SQL string literal."""
    return "'" + word.replace("'", "''") + "'"


def _materialized(con, rows: str, n: int, params: dict | None = None) -> str:
    """``rows`` copied once into a table of ``con``, as SQL reading that table."""
    table = quote_ident(f"rows_{n}")
    con.execute(f"CREATE TEMP TABLE {table} AS {rows}", params or {})
    return f"SELECT * FROM {table}"


def inspect(
    sources: Sequence[str | Path], names: Sequence[str], con: _Connection | None = None
) -> tuple[list[Problem], list[tuple[str, str]], set[str], set[str]]:
    """Read each file once for the per-cell rules; return the problems, the usable (rows SQL, name)
    pairs, the reporter codes and every code seen. A CSV file is read once into a table of ``con``
    (the rows SQL then reads that table, so later checks on ``con`` do not read it again)."""
    import duckdb

    con = con or connect(sources)
    problems: list[Problem] = []
    usable = []
    reporters: set[str] = set()
    everyone: set[str] = set()
    for n, (source, name) in enumerate(zip(sources, names, strict=True)):
        lines = screened(source, name)
        if lines.problems():  # unreadable, empty, not UTF-8, binary, misquoted, ragged: as pandas says it
            problems += lines.problems()
            continue
        try:
            scan = _scan(source)
            header = _header(con, scan, source)
        except (duckdb.Error, OSError, UnicodeDecodeError, StopIteration, ValueError) as exc:
            problems += _structure(source, name) or [Problem(name, None, None, None, "unreadable", _first_line(exc))]
            continue
        found = validation.check_columns(name, header)
        problems += found
        if any(p.severity == ERROR for p in found):
            continue
        rows = _rows(scan, set(header), _exact_value(con, scan, source))
        try:
            if not is_parquet(source):  # read a CSV once; reading Parquet again is cheap
                rows = _materialized(con, rows, n)
            cell_problems, distinct = _check_cells(con, rows, name, lines)
        except duckdb.Error as exc:
            problems += _structure(source, name) or [Problem(name, None, None, None, "bad-csv", _first_line(exc))]
            continue
        problems += cell_problems
        reporters |= set(distinct["reporter"] or [])
        everyone |= set(distinct["reporter"] or []) | set(distinct["partner"] or [])
        usable.append((rows, name))
    return problems, usable, reporters, everyone


def _structure(source: str | Path, name: str) -> list[Problem]:
    """When DuckDB cannot parse a CSV file: the ragged rows and broken quoting the pandas engine names
    (the same reader, ``screen.exact_records``, streamed). Empty when that reader finds nothing."""
    if is_parquet(source):
        return []
    try:
        return screen.structure(source, name)
    except (OSError, UnicodeDecodeError):
        return []


def _check_cells(con, rows: str, name: str, lines: screen.Screen) -> tuple[list[Problem], dict[str, list[str]]]:
    """Cell rules over the whole file in one pass, then the first lines of what failed (``lines`` renumbers them)."""
    # DuckDB reads '1_000' as a number and 'nan' as NaN; pandas does not: both are bad numbers.
    stripped = _text("value")  # the fast form of trim(value, $whitespace)
    bad_number = f"({stripped} <> '' AND (number IS NULL OR isnan(number) OR contains(value, '_')))"
    # (code, column, condition); messages and severities come from validation's catalogue.
    # A cell of only whitespace is blank (the columns the reader strips are stripped in ``rows`` already).
    blank = {c: f"{quote_ident(c)} = ''" if c in validation.STRIPPED else f"{_text(c)} = ''" for c in validation.BLANK_CHECKED}
    checks = [("missing-value", c, blank[c]) for c in validation.BLANK_CHECKED] + [
        ("bad-number", "value", bad_number),
        ("not-finite", "value", "isinf(number)"),
        ("negative-value", "value", "number < 0"),
        ("blank-value", "value", f"{stripped} = ''"),
        ("self-trade", "partner", "reporter = partner AND reporter <> ''"),
    ]
    # Only this module's own fragments are joined here; names are quoted, cell values are bound parameters.
    columns = "count(*), " + ", ".join(f"count(*) FILTER (WHERE {cond})" for _, _, cond in checks)
    listed = tuple(validation.cell_rules())  # every column a cell rule reads
    distinct = ", ".join(f"list(DISTINCT {quote_ident(c)}) AS {quote_ident(c)}" for c in listed)
    row = con.execute(f"SELECT {columns}, {distinct} FROM ({rows})").fetchone()
    counts, found = row[1 : 1 + len(checks)], dict(zip(listed, row[1 + len(checks) :], strict=True))
    if not row[0]:
        return [Problem(name, 1, None, None, "no-rows", "the file has a header but no figures")], found

    problems: list[Problem] = []
    rules = validation.value_rules()
    for (code, column, cond), count in zip(checks, counts, strict=True):
        if count:
            message, severity = (validation.blank_message(column), ERROR) if code == "missing-value" else rules[code][1:]
            problems += _locate(con, rows, name, cond, column, code, message, severity, lines=lines)
    for column, (good, code, message) in validation.cell_rules().items():  # the same rules, codes and messages as pandas
        bad = [value for value in found[column] or [] if value and not good(value)]
        if bad:
            cond = f"list_contains($bad, {quote_ident(column)})"
            problems += _locate(con, rows, name, cond, column, code, message, ERROR, {"bad": bad}, lines=lines)
    return sorted(problems, key=validation.order), found


def _locate(
    con,
    rows: str,
    name: str,
    cond: str,
    column: str,
    code: str,
    message,
    severity: str,
    params: dict | None = None,
    limit: int = LISTED,
    lines: screen.Screen | None = None,
) -> list[Problem]:
    """The first lines where ``cond`` holds (cell values bound as ``params``), as Problems on physical lines."""
    sql = f"SELECT line, {quote_ident(column)} FROM ({rows}) WHERE {cond} ORDER BY line LIMIT {int(limit)}"
    found = con.execute(sql, params or {}).fetchall()
    return [
        Problem(name, _physical(lines, line), column, value, code, validation.say(message, value), severity)
        for line, value in found
    ]


def _physical(lines: screen.Screen | None, line: int) -> int:
    """DuckDB's record-based line (header = 1) as the physical line where the record starts."""
    return int(line) if lines is None else lines.line(int(line) - 1)


def _union(usable: list[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """The usable files' rows one after the other, with ``file_order`` and ``file`` (bound); a blank
    ``scope`` is the default scope and ``scope_inferred`` says it is inferred, as the pandas reader types them."""
    scope = (
        "* REPLACE (coalesce(nullif(scope, ''), $default_scope) AS scope, "
        "coalesce(nullif(product, ''), $default_product) AS product), "
        "(scope = '' OR scope_from = 'inferred') AS scope_inferred"
    )
    parts = (f"SELECT {n} AS file_order, $file_{n} AS file, {scope} FROM ({rows})" for n, (rows, _) in enumerate(usable))
    sql = " UNION ALL ".join(parts)
    return sql, {
        **{f"file_{n}": name for n, (_, name) in enumerate(usable)},
        "default_scope": validation.DEFAULT_SCOPE,
        "default_product": validation.DEFAULT_PRODUCT,
        "scope_inferred_flag": flags.SCOPE_INFERRED,
    }


def _readable(sources: Sequence[str | Path], query):
    """Run ``query`` over the files; a file DuckDB cannot read is a one-line TradeDataError."""
    import duckdb

    from .flows import summary  # the pandas engine's words for the same problem

    names = ", ".join(str(s) for s in sources)
    problems = [p for source in sources for p in screened(source, str(source)).problems()]
    if problems:  # every file's, each named with its own count
        raise TradeDataError(summary(problems))
    try:
        return query()
    except (duckdb.Error, OSError, UnicodeDecodeError, StopIteration, ValueError) as exc:
        raise TradeDataError(
            f"{names}: cannot be read as a flows table ({_first_line(exc)}); run `tradecli validate {names}`"
        ) from None


def distinct(sources: Sequence[str | Path], columns: Sequence[str]) -> set[str]:
    """Every distinct value of ``columns`` across the files (a column scan; cheap on Parquet)."""

    def query() -> set[str]:
        con = connect(sources)
        parts = [f"SELECT DISTINCT {_text(c)} AS v FROM ({_scan(s, lines=False)})" for s in sources for c in columns]
        return {v for (v,) in con.execute(" UNION ".join(parts)).fetchall()}

    return _readable(sources, query)


def _conditions(reporter: str | None, partner_codes: Sequence[str], period: str | None) -> tuple[list[str], dict]:
    """SQL conditions on the raw columns for the rows a question needs, with their bound values;
    cells are compared trimmed, after a cheap raw test that DuckDB can push into the scan."""

    def equals(column: str, name: str) -> str:
        return f"(contains(CAST({quote_ident(column)} AS VARCHAR), ${name}) AND {_text(column)} = ${name})"

    conditions, params = [], {}
    if reporter and not isinstance(reporter, str):  # a list of reporters
        params["reporters"] = list(reporter)
        conditions.append(f"(list_contains($reporters, {_text('reporter')}) OR list_contains($reporters, {_text('partner')}))")
    elif reporter:
        params["reporter"] = reporter
        conditions.append(f"({equals('reporter', 'reporter')} OR {equals('partner', 'reporter')})")
    if partner_codes:
        params["partners"] = list(partner_codes)
        conditions.append(f"(list_contains($partners, {_text('partner')}) OR list_contains($partners, {_text('reporter')}))")
    if period:
        params["period"] = period
        conditions.append(equals("period", "period"))
    return conditions, params


def contains(sources: Sequence[str | Path], columns: Sequence[str], code: str) -> bool:
    """Whether any row has ``code`` in one of ``columns`` (stops at the first)."""
    con = connect(sources)
    test = " OR ".join(f"{_text(c)} = $code" for c in columns)
    return _readable(
        sources,
        lambda: any(
            con.execute(f"SELECT 1 FROM ({_scan(s, lines=False)}) WHERE {test} LIMIT 1", {"code": code}).fetchall()
            for s in sources
        ),
    )


def select(source: str | Path, name: str, reporter: str | None, partner_codes: Sequence[str], period: str | None):
    """The rows a question needs from one file, as text cells with ``line``, like ``flows.read_table``.

    The filter runs in DuckDB (pushed down into Parquet); header problems come back instead
    of rows when the columns are wrong. ``reporter`` None means every reporter; a reporter's
    rows include the partners' figures about it (to mirror).
    """
    import duckdb

    con = connect([source])
    lines = screened(source, name)
    if lines.problems():
        return lines.problems(), None
    try:
        scan = _scan(source)
        header = _header(con, scan, source)
    except (duckdb.Error, OSError, UnicodeDecodeError, StopIteration, ValueError) as exc:
        return _structure(source, name) or [Problem(name, None, None, None, "unreadable", _first_line(exc))], None
    problems = validation.check_columns(name, header)
    if any(p.severity == ERROR for p in problems):
        return problems, None
    conditions, params = _conditions(reporter, partner_codes, period)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    try:
        frame = con.frame(f"SELECT line, {_cells(header)} FROM ({scan}) {where} ORDER BY line", params)
    except duckdb.Error as exc:
        return [*problems, *(_structure(source, name) or [Problem(name, None, None, None, "bad-csv", _first_line(exc))])], None
    frame = frame.assign(
        **{c: frame[c].astype("str") for c in validation.COLUMNS}, line=lines.lines_of(frame["line"].to_numpy("int64") - 1)
    )
    return problems, frame.assign(number=validation.parse_values(frame["value"]))


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def check(sources: Sequence[str | Path], names: Sequence[str]) -> list[Problem]:
    """Every problem in the files, found with DuckDB: the same codes as ``flows.check``."""
    con = connect(sources)  # one connection: each CSV file is read once, into a table the checks share
    problems, usable, _, _ = inspect(sources, names, con)
    if not usable or any(p.severity == ERROR for p in problems):
        return problems
    screens = {name: screened(source, name) for source, name in zip(sources, names, strict=True)}
    union, files = _union(usable)
    con.execute(f"CREATE TEMP TABLE facts AS {_facts_sql(union, fields=('n', 'v'))}", files)
    return problems + _figure_checks(con, union, files, screens)


class Reduced(NamedTuple):
    """What ``wide`` returns: the problems found, the wide table, and the codes of the rows read."""

    problems: list[Problem]
    wide: object  # a pandas DataFrame of metrics.WIDE_COLUMNS; None when there are errors
    reporters: set[str]
    codes: set[str]


#: The flows of the wide table, each with the flow a partner's figure about the reporter has in its file.
_MIRRORED = {"export": "import", "import": "export", "total": "total"}
#: Per flow, what the facts keep of its figure: count, value, figure id as given, line and file (its id when
#: none is given, made as text only for the rows answered: ``_figure_id``), status, source.
_FIELDS = ("n", "v", "id", "ln", "fo", "st", "si", "src")


def _col(field: str, flow: str, alias: str = "") -> str:
    """A quoted facts column such as ``o."v_export"``."""
    return f"{alias}{quote_ident(f'{field}_{flow}')}"


def _facts_sql(union: str, fields: Sequence[str] = _FIELDS) -> str:
    """The figures grouped to one row per reporter × partner × period × currency with, per flow,
    the count of figures and the figure's value, id, status and source. Nothing is summed: a flow's
    figure is picked, and a count above one is a duplicate (an error, found before any use)."""
    figure = (
        "SELECT reporter, partner, flow, period, currency, scope, product, number AS v, source AS src, "
        "id, line AS ln, file_order AS fo, "
        "CASE WHEN status = '' THEN 'reported' ELSE status END AS st, scope_inferred AS si "
        f"FROM ({union}) WHERE number IS NOT NULL AND NOT isnan(number)"
    )
    picked = []
    for flow in _MIRRORED:
        where = f"FILTER (WHERE flow = '{flow}')"
        picked.append(f"count(*) {where} AS {_col('n', flow)}")
        picked += [f"any_value({field}) {where} AS {_col(field, flow)}" for field in _FIELDS[1:] if field in fields]
    return f"SELECT reporter, partner, period, currency, scope, product, {', '.join(picked)} FROM ({figure}) GROUP BY ALL"


def _status(flow: str, alias: str) -> str:
    """A flow's status words, with ``$scope_inferred_flag`` where its scope is inferred (kept apart in the facts:
    a short status is stored inline, the joined words would not be)."""
    return f"{_col('st', flow, alias)} || CASE WHEN {_col('si', flow, alias)} THEN ';' || $scope_inferred_flag ELSE '' END"


def _figure_id(flow: str, files: int) -> str:
    """A flow's figure id as text: the id given, else ``file:line`` (the file's name bound as ``$file_<n>``)."""
    name = "CASE " + " ".join(f"WHEN {_col('fo', flow)} = {n} THEN $file_{n}" for n in range(files)) + " END"
    given, line = _col("id", flow), _col("ln", flow)
    return f"CASE WHEN {given} = '' THEN {name} || ':' || CAST({line} AS VARCHAR) ELSE {given} END"


def _tidy_ids(joined: str) -> str:
    """``metrics.tidy_figures`` in SQL: empty parts dropped (``a;;b;`` -> ``a;b``); the regular expression runs
    only on the rare ids that need it (given ids holding ';'), not on every row."""
    needs = f"(contains({joined}, ';;') OR starts_with({joined}, ';') OR ends_with({joined}, ';'))"
    return f"CASE WHEN {needs} THEN trim(regexp_replace({joined}, ';+', ';', 'g'), ';') ELSE {joined} END"


def _perspective_sql(own: str, about: str, files: int) -> str:
    """The wide table from the chosen reporters' side (``metrics.perspective`` + ``metrics.reduce``):
    flow by flow, the reporter's own figure (facts rows where ``own``), else the partner's figure
    about it (facts rows where ``about``, reporter and partner swapped, exports read as imports)
    flagged ``$mirrored``. Figure ids are listed export, import, total; flags and sources joined raw."""
    picked = {}
    for flow, theirs in _MIRRORED.items():
        mine, mirrored = f"{_col('n', flow, 'o.')} > 0", f"{_col('n', theirs, 'a.')} > 0"
        for field in ("v", "id", "ln", "fo", "src"):
            picked[f"{field}_{flow}"] = (
                f"CASE WHEN {mine} THEN {_col(field, flow, 'o.')} WHEN {mirrored} THEN {_col(field, theirs, 'a.')} END"
            )
        picked[f"fl_{flow}"] = (
            f"CASE WHEN {mine} THEN {_status(flow, 'o.')} WHEN {mirrored} THEN {_status(theirs, 'a.')} || ';' || $mirrored END"
        )
    keys = ", ".join(f"coalesce(o.{k}, a.{k}) AS {k}" for k in ("reporter", "partner", "period", "currency", "scope"))
    joined = (
        f"SELECT {keys}, {', '.join(f'{sql} AS {quote_ident(name)}' for name, sql in picked.items())} "
        f"FROM (SELECT * FROM facts WHERE {own}) o "
        f"FULL JOIN (SELECT * REPLACE (partner AS reporter, reporter AS partner) FROM facts WHERE {about}) a "
        "ON o.reporter = a.reporter AND o.partner = a.partner AND o.period = a.period AND o.currency = a.currency "
        "AND o.scope = a.scope"  # a mirror is used only for a figure of its own scope
    )
    ids = ", ".join(_figure_id(flow, files) for flow in _MIRRORED)
    return (
        "SELECT reporter, partner, period, currency, scope, "
        + ", ".join(f"{quote_ident('v_' + flow)} AS {quote_ident(flow)}" for flow in _MIRRORED)
        + f", concat_ws(';', {', '.join(quote_ident('fl_' + f) for f in _MIRRORED)}) AS flags"
        + f", {_tidy_ids('concat_ws(' + _literal(';') + ', ' + ids + ')')} AS figures"
        + f", concat_ws(';', {', '.join(quote_ident('src_' + f) for f in _MIRRORED)}) AS sources "
        + f"FROM ({joined})"
    )


def _suspects_sql(links: bool) -> str:
    """Rows of facts the cross-row rules may fault: duplicates, totals off their flows, groups below a member.

    Only these rows reach ``validation.check_figures``, which words the findings exactly as for a small file."""
    keys = (
        "SELECT reporter, partner, period, currency, scope, product FROM facts "
        'WHERE "n_export" > 1 OR "n_import" > 1 OR "n_total" > 1 OR ("n_total" > 0 AND "n_export" > 0 AND "n_import" > 0 '
        'AND abs("v_export" + "v_import" - "v_total") > $tolerance * "v_total")'
    )
    if links:
        below = " OR ".join(f"{_col('v', flow, 'g.')} < {_col('v', flow, 'm.')}" for flow in _MIRRORED)
        keys += (
            " UNION SELECT f.reporter, f.partner, f.period, f.currency, f.scope, f.product FROM facts f JOIN ("
            "SELECT DISTINCT g.reporter, g.period, g.currency, g.scope, g.product, g.partner AS grp FROM facts g "
            "JOIN (SELECT unnest($members) AS member, unnest($groups) AS grp) links ON g.partner = links.grp "
            "JOIN facts m ON m.partner = links.member AND m.reporter = g.reporter AND m.period = g.period "
            f"AND m.currency = g.currency AND m.scope = g.scope AND m.product = g.product WHERE {below}) v "
            "ON f.reporter = v.reporter AND f.period = v.period AND f.currency = v.currency AND f.scope = v.scope "
            "AND f.product = v.product "
            "AND (f.partner = v.grp OR list_contains($members, f.partner))"
        )
    return keys


#: The most rows of suspect keys (duplicates, totals off, groups below a member) brought to pandas to be worded.
SUSPECT_ROWS = 10 * LISTED


def _figure_checks(con, union: str, files: dict, screens: dict[str, screen.Screen]) -> list[Problem]:
    """The rules across rows (duplicates, conflicts, totals, groups) over the ``facts`` table of ``union``:
    DuckDB finds the keys that may break one, and only their rows (the first SUSPECT_ROWS, in reading
    order) reach ``validation.check_figures``, which words the findings exactly as for a small file."""
    import pandas as pd

    links = [(code, group) for code, entry in partners.names().items() for group in entry.member_of]
    link_params = {"members": [c for c, _ in links], "groups": [g for _, g in links]} if links else {}
    params = {"tolerance": validation.TOTAL_TOLERANCE, **link_params}
    con.execute(f"CREATE TEMP TABLE suspects AS {_suspects_sql(bool(links))}", params)
    if not con.execute("SELECT count(*) FROM suspects").fetchone()[0]:
        return []  # nothing to word: the rows are not read again
    rows = con.frame(
        f"SELECT u.reporter, u.partner, u.flow, u.period, u.currency, u.scope, u.product, u.number AS value, u.file, u.line "
        f"FROM ({union}) u SEMI JOIN suspects s "
        "ON u.reporter = s.reporter AND u.partner = s.partner AND u.period = s.period AND u.scope = s.scope "
        "AND u.currency = s.currency AND u.product = s.product WHERE u.number IS NOT NULL AND NOT isnan(u.number) "
        f"ORDER BY u.file_order, u.line LIMIT {SUSPECT_ROWS}",
        files,
    )
    if rows.empty:
        return []
    physical = [_physical(screens.get(f), at) for f, at in zip(rows["file"], rows["line"], strict=True)]
    return validation.check_figures(rows.assign(line=pd.Series(physical, index=rows.index, dtype="int64")))


def wide(sources: Sequence[str | Path], *args, **kwargs) -> Reduced:
    """The wide table (metrics.WIDE_COLUMNS) of a question, reduced in DuckDB (``_wide``'s arguments); a
    failure of DuckDB on the way (memory, temp space) is a one-line TradeDataError."""
    return _readable(sources, lambda: _wide(sources, *args, **kwargs))


def _wide(
    sources: Sequence[str | Path],
    names: Sequence[str],
    reporter: str | Sequence[str] | None,
    partner_codes: Sequence[str] = (),
    period: str | None = None,
    every_reporter: set[str] | None = None,
) -> Reduced:
    """The wide table (metrics.WIDE_COLUMNS) of a question, reduced in DuckDB: the same table
    ``metrics.reduce(metrics.perspective(...))`` gives, for ``metrics.measures`` to finish.

    The rows the question needs (``reporter``'s own and the partners' figures about it, the
    partners and period) are read once and checked (the cell rules, then duplicates, totals and
    groups worded by ``validation.check_figures``); any error returns the problems and no table.
    ``reporter`` None is every reporter (``every_reporter``: the data's reporters when the rows
    are narrowed by partner or period); a list is those reporters: a batch of every reporter's
    balances (``Dataset.balance_batches``), so the files are read and checked once, for the first
    batch, and each batch after it is only its own side of the facts already made (``_Prepared``).
    """
    batch = reporter is not None and not isinstance(reporter, str)
    key = (_files_key(sources), tuple(names), tuple(partner_codes), period, engines.current())
    prepared = _prepared.get(key) if batch else None
    if prepared is None:
        _prepared.clear()  # one file set at a time: its facts table may be large
        prepared = _prepare(sources, names, None if batch else reporter, partner_codes, period)
        if batch:
            _prepared[key] = prepared
    elif prepared.wide_ok:
        prepared = prepared._replace(problems=[])  # its warnings went with the first batch
    if not prepared.wide_ok:
        return Reduced(prepared.problems, None, set(), set())
    return prepared.reduce(reporter, partner_codes, period, every_reporter)


class _Prepared(NamedTuple):
    """The files read and checked once, with their ``facts`` table on ``con``: what every batch reduces."""

    con: object
    files: dict  # the files' names, bound as $file_<n>, and $scope_inferred_flag (see ``_union``)
    problems: list[Problem]
    wide_ok: bool  # no errors: the facts may be reduced
    reporters: set[str]
    codes: set[str]

    @property
    def file_count(self) -> int:
        return sum(key.startswith("file_") for key in self.files)

    def reduce(self, reporter, partner_codes: Sequence[str], period: str | None, every_reporter: set[str] | None) -> Reduced:
        """The wide table from ``reporter``'s side (None: every reporter; a list: those reporters)."""
        import pandas as pd

        from .. import metrics, periods

        columns = [*metrics.WIDE_COLUMNS]
        if self.con is None:  # no file had a usable row
            return Reduced(self.problems, pd.DataFrame(columns=columns), set(), set())
        if reporter is None:
            own, about = "true", "list_contains($reporters, partner)"
            side = {"reporters": sorted(every_reporter or self.reporters)}
        elif isinstance(reporter, str):
            own, about, side = "reporter = $reporter", "partner = $reporter", {"reporter": reporter}
        else:
            own, about = "list_contains($reporters, reporter)", "list_contains($reporters, partner)"
            side = {"reporters": list(reporter)}
        keep, chosen = [], {}
        if partner_codes:
            keep.append("list_contains($partners, partner)")
            chosen["partners"] = list(partner_codes)
        if period:
            keep.append("period = $period")
            chosen["period"] = period
        where = f" WHERE {' AND '.join(keep)}" if keep else ""
        frame = self.con.frame(
            f"SELECT * FROM ({_perspective_sql(own, about, self.file_count)}){where}",
            {**side, **chosen, **self.files, "mirrored": flags.PARTNER_REPORTED},
        )
        labels = frame["period"].astype("str")
        parsed = {label: periods.try_parse(label) for label in labels.unique()}
        frame = frame.assign(
            **{c: frame[c].astype("str") for c in ("reporter", "partner", "period", "currency", "scope", "figures")},
            **{c: frame[c].astype("float64") for c in metrics.FLOW_COLUMNS},
            basis=labels.map({label: p.basis for label, p in parsed.items()}).astype("str"),
            year=labels.map({label: p.year for label, p in parsed.items()}).astype("int64"),
            flags=metrics.flags_of_statuses(frame["flags"].astype("str")),
            sources=metrics.tidy_list(frame["sources"].astype("str")),
            fx="",
        )
        return Reduced(self.problems, frame[columns], self.reporters, self.codes)


#: The last batch question's prepared files (see ``_wide``), by the files' identity and the question.
_prepared: dict[tuple, _Prepared] = {}


def release() -> None:
    """Let go of the prepared files of the last batch question (its connection, its facts and their temp files)."""
    _prepared.clear()


def _files_key(sources: Sequence[str | Path]) -> tuple:
    """The files as they are now (path, size, modification time): a changed file is read again."""
    out = []
    for source in sources:
        try:
            info = Path(source).stat()
            out.append((str(source), info.st_size, info.st_mtime_ns, info.st_ino))
        except OSError:
            out.append((str(source), None, None, None))
    return tuple(out)


def _prepare(
    sources: Sequence[str | Path], names: Sequence[str], reporter, partner_codes: Sequence[str], period: str | None
) -> _Prepared:
    """Read the rows a question needs once, check them, and build their ``facts`` table (``_wide``)."""
    import duckdb

    con = connect(sources)
    problems: list[Problem] = []
    usable: list[tuple[str, str]] = []
    conditions, params = _conditions(reporter, partner_codes, period)
    screens: dict[str, screen.Screen] = {}
    for n, (source, name) in enumerate(zip(sources, names, strict=True)):
        lines = screens[name] = screened(source, name)
        if lines.problems():  # the same bounded screen and verdict as the pandas reader
            problems += lines.problems()
            continue
        try:
            scan = _scan(source)
            header = _header(con, scan, source)
        except (duckdb.Error, OSError, UnicodeDecodeError, StopIteration, ValueError) as exc:
            problems.append(Problem(name, None, None, None, "unreadable", _first_line(exc)))
            continue
        found = validation.check_columns(name, header)
        problems += found
        if any(p.severity == ERROR for p in found):
            continue
        try:  # read once: the checks and the reduction use the copy
            if conditions:  # filter the raw cells (pushed into a Parquet scan), trim only the rows kept
                exact = _exact_value(con, scan, source)
                kept = _totals_only(_rows(f"SELECT * FROM ({scan}) WHERE {' AND '.join(conditions)}", set(header), exact))
                rows = _materialized(con, kept, n, params)
            else:
                rows = _totals_only(_rows(scan, set(header), _exact_value(con, scan, source)))
                if not is_parquet(source):
                    rows = _materialized(con, rows, n)
            cell_problems, _ = _check_cells(con, rows, name, lines)
        except duckdb.Error as exc:
            problems.append(Problem(name, None, None, None, "bad-csv", _first_line(exc)))
            continue
        problems += [p for p in cell_problems if p.code != "no-rows"]  # a question may need no row of a file
        usable.append((rows, name))
    if any(p.severity == ERROR for p in problems):
        return _Prepared(None, {}, problems, False, set(), set())
    if not usable:
        return _Prepared(None, {}, problems, True, set(), set())
    union, files = _union(usable)
    con.execute(f"CREATE TEMP TABLE facts AS {_facts_sql(union)}", files)

    problems += _figure_checks(con, union, files, screens)
    if any(p.severity == ERROR for p in problems):
        return _Prepared(None, {}, problems, False, set(), set())
    seen = con.execute("SELECT list(DISTINCT reporter), list(DISTINCT partner) FROM facts").fetchone()
    reporters, codes = set(seen[0] or []), set(seen[0] or []) | set(seen[1] or [])
    if isinstance(con, _Connection):  # only the facts are reduced from now on: DuckDB's copies of CSV rows go (memory, spill)
        for n in range(len(sources)):
            con.execute(f"DROP TABLE IF EXISTS {quote_ident(f'rows_{n}')}")
    named = {k: v for k, v in files.items() if k.startswith("file_") or k == "scope_inferred_flag"}
    return _Prepared(con, named, problems, True, reporters, codes)
