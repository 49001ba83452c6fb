"""Which engine reads big files: auto, pandas, duckdb or spark, chosen once per question.

``choose`` checks a name (from ``--engine``, else $TRADECLI_ENGINE, else auto); ``using`` puts an
engine in force while a Dataset reads, and ``current`` is what the readers ask. Nothing here
imports an engine: DuckDB and Spark load only when a file is read with them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from ..errors import UsageError

#: Engine names: auto (pandas for small CSV, DuckDB for Parquet and big CSV), or one engine for every file.
NAMES = ("auto", "pandas", "duckdb", "spark")


@dataclass(frozen=True)
class Engine:
    """An engine name and, for Spark, the Spark Connect address (None: $SPARK_REMOTE, else a local session)."""

    name: str = "auto"
    remote: str | None = None


def choose(name: str | None = None, remote: str | None = None) -> Engine:
    """The engine named (``--engine``), else $TRADECLI_ENGINE's, else auto; an unknown name is a UsageError."""
    given = name if name is not None else os.environ.get("TRADECLI_ENGINE") or "auto"
    where = "--engine" if name is not None else "TRADECLI_ENGINE"
    engine = given.strip().lower()
    if engine not in NAMES:
        raise UsageError(f"{where} '{given}' is not one of {', '.join(NAMES)}")
    if remote is not None and engine != "spark":
        raise UsageError("--spark-remote connects the Spark engine; add --engine spark")
    if remote is not None and not remote.startswith("sc://"):
        raise UsageError(f"--spark-remote '{remote}' is not a Spark Connect address such as sc://host:15002")
    return Engine(engine, remote)


_current: ContextVar[Engine | None] = ContextVar("tradecli_engine", default=None)


def current() -> Engine:
    """The engine in force: the one a Dataset put in force, else $TRADECLI_ENGINE's."""
    return _current.get() or choose()


@contextlib.contextmanager
def using(engine: Engine | None) -> Iterator[None]:
    """Put ``engine`` in force (None: leave things as they are)."""
    token = _current.set(engine) if engine is not None else None
    try:
        yield
    finally:
        if token is not None:
            _current.reset(token)


def bound(engine: Engine | None, call: Callable) -> Callable:
    """``call`` run with ``engine`` in force, for answers read later (the figures behind a result)."""

    def run(*args, **kwargs):
        with using(engine):
            return call(*args, **kwargs)

    return run
