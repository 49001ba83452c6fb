"""Apache Spark: the DuckDB engine's own SQL texts (``bigfiles``), run on a Spark session.

Written once: ``bigfiles`` builds every query (the reduction to the wide table and the rule
checks) in DuckDB's dialect and runs it through a connection's ``execute(sql, params)``.
``Connection`` here has that interface: it renders each text to Spark SQL with sqlglot (once
per text and set of tables, then kept), and runs it with its values as named arguments
(``spark.sql(q, args=...)``); file content never becomes SQL. The few engine-specific lines
are here: how a file is read (``read_csv``/``read_parquet`` of a bound path become a view of
Spark's own reader, with record numbers), how ``CREATE TEMP TABLE`` is kept (a cached view),
and how an answer comes back (a small pandas frame or Python rows).

Where DuckDB and Spark SQL mean different things by the same words, the rendering says so
(``_spark_semantics``): an ordered ``list(x ORDER BY k)`` (Spark's COLLECT_LIST has no order
and drops NULLs), ``len(list)`` (LENGTH is string length in Spark), ``isinf``, several
``unnest`` in one select (DuckDB zips them), ``any_value`` ignoring NULLs, and TRY_CAST to
DOUBLE (Java also reads '1d' and '1f' as numbers).

A local session (``local[*]``) by default; with SPARK_REMOTE (or ``--spark-remote``) a Spark
Connect server. pyspark and sqlglot are the ``spark`` extra, imported only here.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import tempfile
import threading
import warnings
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import TradeDataError, TradeError

#: The Spark master of a local session (TRADECLI_SPARK_MASTER overrides: local[2], ...).
LOCAL_MASTER = "local[*]"
#: Memory of a local session's driver JVM (it runs the whole job in local mode), as DuckDB's MEMORY_LIMIT.
DRIVER_MEMORY = "2g"


class SparkMissing(TradeError):
    """Spark cannot start here: the extra or Java is missing (one line saying what to install)."""


def check_installed(remote: str | None = None) -> None:
    """Raise SparkMissing unless pyspark and sqlglot import and (for a local session) Java is found."""
    from importlib.util import find_spec

    missing = [name for name in ("pyspark", "sqlglot") if find_spec(name) is None]
    if missing:
        raise SparkMissing(
            f"the Spark engine needs {' and '.join(missing)}, which is not installed; "
            "install it with: pip install 'tradecli[spark]'"
        )
    if (remote or _remote()) and find_spec("grpc") is None:
        raise SparkMissing("Spark Connect needs grpcio, which is not installed; install it with: pip install 'pyspark[connect]'")
    java_home = os.environ.get("JAVA_HOME")
    if not (remote or _remote()) and not shutil.which("java") and not (java_home and Path(java_home, "bin", "java").exists()):
        raise SparkMissing(
            "a local Spark session needs Java 17 or later, which was not found; install it (e.g. apt-get install "
            "openjdk-17-jre-headless) or set JAVA_HOME, or connect to a server with --spark-remote sc://host:15002"
        )


def _remote() -> str | None:
    return os.environ.get("SPARK_REMOTE") or None


# --- the session: one per process, started on first use ---------------------------------------

_session = None
_session_lock = threading.Lock()
_local_dir: str | None = None


def session(remote: str | None = None):
    """The process's Spark session: Spark Connect to ``remote`` (or $SPARK_REMOTE), else a local one.

    A local session binds to 127.0.0.1 with its UI off, keeps its scratch files (shuffles, spills,
    cached tables) in a private directory under the system temp dir (removed at exit), and writes
    its own log to a file there: nothing of Spark's reaches stderr.
    """
    global _session, _local_dir
    with _session_lock:
        if _session is not None:
            return _session
        remote = remote or _remote()
        check_installed(remote)
        import logging

        from pyspark.sql import SparkSession

        # pyspark logs every failed query's context on its own stderr handler; tradecli says it in one line.
        for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
            logging.getLogger(name).disabled = True
        builder = SparkSession.builder.appName("tradecli")
        if remote:
            with _quiet_stderr(None), _spark_errors():
                _session = builder.remote(remote).getOrCreate()
            return _session
        try:
            _local_dir = tempfile.mkdtemp(prefix="tradecli-spark-")
        except OSError as exc:
            raise TradeDataError(
                f"cannot make a temporary directory in {tempfile.gettempdir()} ({exc.strerror or exc}); "
                "set TMPDIR to a writable directory"
            ) from None
        import atexit

        atexit.register(_stop)
        builder = (
            builder.master(os.environ.get("TRADECLI_SPARK_MASTER", LOCAL_MASTER))
            .config("spark.local.dir", _local_dir)
            .config("spark.driver.memory", DRIVER_MEMORY)
            .config("spark.driver.host", "127.0.0.1")  # local mode: nothing listens beyond this machine
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            # One machine: a few shuffle partitions (Spark's 200 cost seconds per query on small answers).
            .config("spark.sql.shuffle.partitions", str(max(2, os.cpu_count() or 2)))
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.ansi.enabled", "true")  # an error, never a silent NULL, where a query is wrong
            .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={_local_dir}")
        )
        log = os.path.join(_local_dir, "spark.log")
        with _quiet_stderr(log), _environment(SPARK_LOCAL_IP="127.0.0.1"), _spark_errors():
            _session = builder.getOrCreate()
        _session.sparkContext.setLogLevel("ERROR")
        return _session


def _stop() -> None:
    """Stop the local session and remove its scratch directory."""
    global _session
    if _session is not None:
        with contextlib.suppress(Exception):
            _session.stop()
        _session = None
    if _local_dir:
        shutil.rmtree(_local_dir, ignore_errors=True)


@contextlib.contextmanager
def _quiet_stderr(log: str | None) -> Iterator[None]:
    """While the JVM starts, file descriptor 2 points at ``log`` (or /dev/null): the JVM inherits it,
    so Spark's start-up banner, log4j lines and warnings never reach the user's stderr."""
    saved = os.dup(2)
    target = os.open(log or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.dup2(target, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    """``values`` in os.environ while the JVM starts (it copies the environment), then as before."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# --- errors ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _spark_errors() -> Iterator[None]:
    """Spark's failures as one-line TradeDataErrors: a full disk or temp dir says where and what to set."""
    try:
        with _pandas_boundary():
            yield
    except TradeError:
        raise
    except Exception as exc:  # pyspark, py4j and Spark Connect each raise their own classes
        text = str(exc)
        if "No space left on device" in text or "Disk quota exceeded" in text:
            raise TradeDataError(
                f"Spark ran out of temporary space in {_local_dir or 'its local directory'}; free space there, "
                "or set TMPDIR to a bigger disk"
            ) from None
        if "OutOfMemory" in text or "Java heap space" in text:
            raise TradeDataError(
                f"Spark ran out of memory ({DRIVER_MEMORY} for a local session); use a cluster (--spark-remote) or DuckDB"
            ) from None
        first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
        raise TradeDataError(f"Spark: {first[:300]}") from None


@contextlib.contextmanager
def _pandas_boundary() -> Iterator[None]:
    # pyspark 4.3 warns "PySpark does not yet fully support pandas >= 3.0.0" (a FutureWarning) wherever it
    # checks the pandas version (createDataFrame, toPandas, ...) under pandas 3. tradecli uses no
    # pandas-on-Spark path: answers come back as Python rows and become a pandas frame here, and the tests
    # compare them column by column with the pandas and DuckDB engines. So this one warning is silenced at
    # this boundary (every call into Spark goes through it) and nowhere else.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
        yield


# --- rendering DuckDB's SQL as Spark's ---------------------------------------------------------

#: Rendered texts: (DuckDB text, tables and their columns) -> (Spark text, parameter names).
_rendered: dict[tuple, tuple[str, tuple[str, ...]]] = {}
_ROW = "__tradecli_row"  # the record number column of a file's view (1 = the first record after the header)
_FILE_FUNCTIONS = ("read_csv", "read_csv_auto", "read_parquet")


def render(sql: str, tables: dict[str, dict[str, str]], views: dict[str, str]) -> tuple[str, tuple[str, ...], str | None]:
    """``sql`` (DuckDB) as Spark SQL: (text, the parameters it names, the temp table it creates or None).

    ``tables`` are the known tables and files (view name -> column -> type); ``views`` maps the names
    the text uses (``rows_0``, ``facts``, ``$path_<key>``) to this connection's view names.
    """
    key = (sql, tuple(sorted((name, tuple(cols.items())) for name, cols in tables.items())), tuple(sorted(views.items())))
    if key not in _rendered:
        _rendered[key] = _render(sql, tables, views)
    text, names, created = _rendered[key]
    return text, names, created


def _render(sql: str, tables: dict[str, dict[str, str]], views: dict[str, str]):
    import sqlglot
    from sqlglot import exp
    from sqlglot.optimizer.qualify import qualify

    tree = sqlglot.parse_one(sql, read="duckdb")
    created = None
    if isinstance(tree, exp.Create):
        if not tree.args.get("temporary") and not tree.args.get("properties"):
            raise ValueError("only temporary tables are created")
        created = tree.this.this.name if isinstance(tree.this, exp.Schema) else tree.this.name
        tree = tree.expression
    for table in list(tree.find_all(exp.Table)):
        alias = table.alias or table.name
        if isinstance(table.this, exp.Identifier) and table.name in views:
            named = exp.TableAlias(this=exp.to_identifier(alias))
            table.replace(exp.Table(this=exp.to_identifier(views[table.name]), alias=named))
        elif not isinstance(table.this, exp.Identifier):
            path = next(iter(table.this.find_all(exp.Placeholder, exp.Parameter)), None)
            name = _parameter(path) if path is not None else ""
            if name not in views or table.this.sql("duckdb").split("(")[0].lower() not in _FILE_FUNCTIONS:
                raise ValueError(f"cannot read {table.this.sql('duckdb')[:60]} on Spark")
            table.replace(exp.Table(this=exp.to_identifier(views[name]), alias=table.args.get("alias")))
    for window in list(tree.find_all(exp.Window)):  # DuckDB's row_number() OVER () over a file: its record number
        if isinstance(window.this, exp.RowNumber) and not window.args.get("partition_by") and not window.args.get("order"):
            window.replace(exp.column(_ROW))
    schema = {name: {c: t for c, t in cols.items() if c != _ROW} for name, cols in tables.items()}
    tree = qualify(tree, schema=schema, dialect="duckdb", validate_qualify_columns=False, quote_identifiers=True)
    tree = _spark_semantics(tree)
    names = tuple(dict.fromkeys(_parameter(p) for p in tree.find_all(exp.Placeholder, exp.Parameter)))
    return tree.sql("spark"), names, created


def _order_by_aggregates(select):
    """A grouped select ordered by aggregates it does not select (``ORDER BY min(line)``), which Spark cannot
    resolve next to HAVING: the aggregates selected as hidden columns, ordered and dropped by an outer select."""
    from sqlglot import exp

    orders = select.args["order"].expressions
    if not any(o.find(exp.AggFunc) for o in orders):
        return None
    names = [s.alias_or_name for s in select.expressions]
    inner = select.copy()
    inner.set("expressions", [*inner.expressions, *(exp.alias_(o.this, f"__order_{n}") for n, o in enumerate(orders))])
    inner.set("order", None)
    inner.set("limit", None)
    outer = exp.select(*(exp.column(name, quoted=True) for name in names)).from_(inner.subquery("__ordered"))
    keys = [o.copy() for o in orders]
    for n, key in enumerate(keys):
        key.set("this", exp.column(f"__order_{n}"))
    outer.set("order", exp.Order(expressions=keys))
    outer.set("limit", select.args.get("limit"))
    return outer


def _parameter(node) -> str:
    """The name of a ``$name`` parameter (sqlglot reads DuckDB's as a placeholder)."""
    return node.this if isinstance(node.this, str) else node.name


def _spark_semantics(tree):
    """Where the same words mean different things in DuckDB and Spark, Spark's words for DuckDB's meaning."""
    from sqlglot import exp

    def fix(node):
        if isinstance(node, exp.ArrayAgg) and not isinstance(node.this, exp.Distinct):
            # list(x ORDER BY k): sort (k..., x) structs, keep x; NULL x stays (COLLECT_LIST drops NULL values, not structs)
            value, order = (node.this.this, node.this.expressions) if isinstance(node.this, exp.Order) else (node.this, [])
            if any(o.args.get("desc") for o in order):
                raise ValueError("descending list order has no Spark rendering here")
            fields = [exp.alias_(o.this, f"k{n}") for n, o in enumerate(order)] + [exp.alias_(value, "v")]
            items = exp.Anonymous(this="COLLECT_LIST", expressions=[exp.Struct(expressions=fields)])
            if order:
                items = exp.Anonymous(this="ARRAY_SORT", expressions=[items])
            field = exp.Dot(this=exp.column("s"), expression=exp.to_identifier("v"))
            lam = exp.Lambda(this=field, expressions=[exp.to_identifier("s")])
            return exp.Anonymous(this="TRANSFORM", expressions=[items, lam])
        if isinstance(node, exp.ArrayAgg):  # list(DISTINCT x): a set
            return exp.Anonymous(this="COLLECT_SET", expressions=[node.this.expressions[0]])
        if isinstance(node, exp.IsInf):
            infinity = exp.Cast(this=exp.Literal.string("Infinity"), to=exp.DataType.build("DOUBLE"))
            return exp.EQ(this=exp.Abs(this=node.this), expression=infinity)
        if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue):
            return exp.Anonymous(this="ANY_VALUE", expressions=[node.this.this, exp.true()])
        if isinstance(node, exp.TryCast | exp.Cast) and node.to.this in (exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT):
            # Java's parser reads '1d' and '1f' as numbers; DuckDB does not
            suffix = exp.RegexpLike(this=node.this.copy(), expression=exp.Literal.string(r"[0-9.][dDfF]\s*$"))
            return exp.If(this=suffix, true=exp.Null(), false=node.copy()) if isinstance(node, exp.TryCast) else node
        if isinstance(node, exp.Select) and node.args.get("group") and node.args.get("order"):
            ordered = _order_by_aggregates(node)
            if ordered is not None:
                return ordered
        if isinstance(node, exp.Select):
            unnests = [s for s in node.expressions if isinstance(s.unalias(), exp.Unnest | exp.Explode)]
            if len(unnests) > 1:  # DuckDB zips unnests of one select; Spark allows one generator: INLINE(ARRAYS_ZIP(...))
                arrays = [u.expressions[0] if isinstance(u, exp.Unnest) else u.this for u in (s.unalias() for s in unnests)]
                zipped = exp.Aliases(
                    this=exp.Anonymous(this="INLINE", expressions=[exp.Anonymous(this="ARRAYS_ZIP", expressions=arrays)]),
                    expressions=[exp.to_identifier(s.alias_or_name) for s in unnests],
                )
                node.set("expressions", [s for s in node.expressions if s not in unnests] + [zipped])
        return node

    def size(node):  # after ``fix``: list(x) is already TRANSFORM(...) here
        if isinstance(node, exp.Length) and isinstance(node.this, exp.ArrayAgg | exp.Array | exp.Anonymous):
            return exp.ArraySize(this=node.this)  # len(list) counts items; Spark's LENGTH counts characters
        return node

    return _bottom_up(_bottom_up(tree, fix), size)


def _bottom_up(tree, change):
    """``tree`` with ``change`` applied to every node, children before their parent (sqlglot's transform goes
    top-down and does not revisit what it replaced, so list() inside a rewritten select would keep Spark's meaning)."""
    for node in reversed(list(tree.walk())):
        new = change(node)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


# --- the connection -----------------------------------------------------------------------------

_ids = itertools.count()


class Result:
    """An answer of Spark in the shape bigfiles reads from DuckDB: ``df()``, ``fetchall()``, ``fetchone()``, ``description``."""

    def __init__(self, frame):
        self._frame = frame

    @property
    def description(self) -> list[tuple]:
        return [(f.name, f.dataType.simpleString(), None, None, None, None, None) for f in self._frame.schema.fields]

    def fetchall(self) -> list[tuple]:
        with _spark_errors():
            return [tuple(row) for row in self._frame.collect()]

    def fetchone(self) -> tuple | None:
        rows = self.fetchall()
        return rows[0] if rows else None

    def df(self):
        """The answer as a pandas frame, through Arrow (pyarrow's own conversion: pyspark's toPandas is one
        of the paths that does not support pandas 3)."""
        with _spark_errors():
            table = self._frame.toArrow()
        return table.to_pandas()


class Connection:
    """A Spark connection with bigfiles' ``execute(sql, params)``: DuckDB texts rendered for Spark, values as named arguments.

    ``sources`` are the only files it reads; each is a view of Spark's reader over the file, named
    after the ``$path_<key>`` parameter bigfiles binds for it, with a record number per row."""

    def __init__(self, sources: Sequence[str | Path] = (), remote: str | None = None):
        from . import bigfiles

        self._spark = session(remote)
        self._id = next(_ids)
        self._sources = {f"path_{bigfiles._key(s)}": s for s in sources}
        self._views: dict[str, str] = {}  # name in the SQL text -> this connection's view name
        self._tables: dict[str, dict[str, str]] = {}  # view name -> column -> type
        self._cached: list = []
        weakref.finalize(self, _drop, self._spark, self._views, self._cached)

    def execute(self, sql: str, params: dict | None = None) -> Result:
        """Run one DuckDB SQL text on Spark with the parameters it names."""
        from . import bigfiles

        with _spark_errors():
            for key, source in self._sources.items():
                if f"${key}" in sql and key not in self._views:
                    self._open(key, source)
            text, names, created = render(sql, self._tables, self._views)
            given = {"whitespace": bigfiles.WHITESPACE, **(params or {})}
            args = {name: given[name] for name in names}
            frame = self._spark.sql(text, args=args) if args else self._spark.sql(text)
            if created is None:
                return Result(frame)
            view = f"tradecli_{self._id}_{created}"
            frame = frame.cache()  # read once, as DuckDB's temp table: the checks and the reduction share it
            self._cached.append(frame)
            frame.createOrReplaceTempView(view)
            self._views[created] = view
            self._tables[view] = {f.name: f.dataType.simpleString() for f in frame.schema.fields}
            return Result(frame.limit(0))

    def frame(self, sql: str, params: dict | None = None):
        """``execute(sql, params)``'s answer as a pandas frame (bigfiles' connections all have it)."""
        return self.execute(sql, params).df()

    def _open(self, key: str, source: str | Path) -> None:
        """A view of ``source`` (CSV text or typed Parquet) with its record numbers."""
        from pyspark.sql import functions as F

        from . import bigfiles

        path = str(source)
        if bigfiles.is_parquet(source):
            # Parquet numbers its rows itself (per file, as DuckDB's file_row_number): no counting pass.
            frame = self._spark.read.parquet(path)
            index = F.col("_metadata.row_index")
            frame = frame.select("*", index.alias("file_row_number"), (index + 1).alias(_ROW))
        else:
            local = not bigfiles.is_remote(source)
            header = list(bigfiles._columns_of(source)) if local else None
            # A record may span lines only where the screen saw a quoted line break (or a remote file, unscreened).
            multiline = not local or bigfiles.spans_lines(source)
            reader = (
                self._spark.read.format("csv")
                .option("header", "true")
                .option("quote", '"')
                .option("escape", '"')
                .option("mode", "FAILFAST")
                .option("multiLine", str(multiline).lower())
                .option("encoding", "UTF-8")
                .option("ignoreLeadingWhiteSpace", "false")
                .option("ignoreTrailingWhiteSpace", "false")
                .option("maxCharsPerColumn", str(2 * bigfiles.screen.MAX_RECORD_BYTES))
                .option("inferSchema", "false")
            )
            if header is not None:
                from pyspark.sql.types import StringType, StructField, StructType

                reader = reader.schema(StructType([StructField(h, StringType()) for h in header])).option("enforceSchema", "true")
            frame = reader.load(path)
            if header is None:
                frame = frame.toDF(*[c.strip().lstrip("\ufeff") for c in frame.columns])
            frame = _numbered(self._spark, frame, one_task=multiline or _one_split(self._spark, source))
        view = f"tradecli_{self._id}_src_{key}"
        frame.createOrReplaceTempView(view)
        self._views[key] = view
        self._tables[view] = {f.name: f.dataType.simpleString() for f in frame.schema.fields}


def _one_split(spark, source: str | Path) -> bool:
    """Whether Spark reads a local file in one task (no bigger than spark.sql.files.maxPartitionBytes)."""
    from .bigfiles import is_remote

    if is_remote(source):
        return False
    limit = spark.conf.get("spark.sql.files.maxPartitionBytes", "128MB")
    units = {"b": 1, "k": 2**10, "m": 2**20, "g": 2**30}
    number = re.fullmatch(r"(\d+)\s*([bkmg]?)b?", limit.strip().lower())
    most = int(number.group(1)) * units[number.group(2) or "b"] if number else 0
    return Path(source).stat().st_size <= most


def _numbered(spark, frame, one_task: bool = False):
    """``frame`` with its record number in file order (1 = first record). A file read in one task is numbered
    as it is read; otherwise rows are counted per file block, so no single task numbers the whole file: each
    block's rows are consecutive, blocks are ordered by file and offset."""
    from pyspark.sql import functions as F

    if one_task:
        return frame.select("*", (F.monotonically_increasing_id() + 1).alias(_ROW))

    frame = frame.select(
        "*",
        F.monotonically_increasing_id().alias("__id"),
        F.col("_metadata.file_path").alias("__path"),
        F.col("_metadata.file_block_start").alias("__block"),
    )
    blocks = frame.groupBy("__path", "__block").agg(F.min("__id").alias("__first"), F.count(F.lit(1)).alias("__n")).collect()
    starts, total = [], 0
    for row in sorted(blocks, key=lambda r: (r["__path"], r["__block"])):
        starts.append((row["__path"], row["__block"], row["__first"], total))
        total += row["__n"]
    offsets = spark.createDataFrame(starts or [("", 0, 0, 0)], "__path string, __block long, __first long, __before long")
    numbered = frame.join(F.broadcast(offsets), ["__path", "__block"])
    row = (F.col("__before") + F.col("__id") - F.col("__first") + 1).alias(_ROW)
    return numbered.select(*[F.col(f"`{c}`") for c in frame.columns if not c.startswith("__")], row)


def _drop(spark, views: dict[str, str], cached: list) -> None:
    """Drop a connection's views and free what it cached."""
    with contextlib.suppress(Exception):
        for frame in cached:
            frame.unpersist()
        for view in views.values():
            spark.catalog.dropTempView(view)
