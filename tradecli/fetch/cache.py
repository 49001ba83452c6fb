"""Raw API answers on disk, keyed by the request without the key, each with its fetch time."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import MissingExtraError, TradeDataError, UsageError

#: The environment variable naming the cache directory (default: the user cache directory).
CACHE_ENV = "TRADECLI_CACHE_DIR"
_AGE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw]?)", re.ASCII)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_age(text: str) -> float:
    """A --max-age as seconds: 3600, 90m, 12h, 30d, 2w."""
    m = _AGE.fullmatch(text.strip().lower())
    if m is None:
        raise UsageError(f"--max-age '{text}' is not an age; use a number with s, m, h, d or w (e.g. 30d)")
    return float(m.group(1)) * _UNITS[m.group(2)]


def default_dir() -> Path:
    """$TRADECLI_CACHE_DIR, else tradecli's directory in the user cache directory (platformdirs)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        raise MissingExtraError("the default cache directory", "platformdirs", "fetch") from None
    return Path(user_cache_dir("tradecli", appauthor=False))


@dataclass(frozen=True)
class Entry:
    """A cached answer: the request it answers (without the key), when it was fetched, its body and file."""

    request: str
    fetched: datetime
    body: bytes
    path: Path


class Cache:
    """A directory of answers, named by a hash of the request (never of the key).

    Each answer is two files: ``<hash>.json``, the body exactly as the server sent it (a file
    ``tradecli import comtrade`` reads), and ``<hash>.meta``, the request, the fetch time and the
    body's SHA-256. Each is written to a temporary name in the same directory and renamed, the
    body first; an entry whose meta is missing, unreadable or names another body counts as missing.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_dir()

    def path(self, request_id: str) -> Path:
        """Where the answer to ``request_id`` (a URL without the key) lives."""
        digest = hashlib.sha256(request_id.encode("utf-8")).hexdigest()[:32]
        return self.directory / "comtrade" / f"{digest}.json"

    def get(self, request_id: str, max_age: float | None = None) -> Entry | None:
        """The cached answer to ``request_id``, or None when there is none, it is unreadable, or older than ``max_age`` s."""
        body_path = self.path(request_id)
        try:
            meta = json.loads(body_path.with_suffix(".meta").read_text(encoding="utf-8"))
            body = body_path.read_bytes()
            fetched = datetime.fromisoformat(meta["fetched"])
            if meta["request"] != request_id or meta["sha256"] != hashlib.sha256(body).hexdigest():
                return None  # a hash collision, a body replaced since, or a file put there by hand
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if max_age is not None and time.time() - fetched.timestamp() > max_age:
            return None
        return Entry(request_id, fetched, body, body_path)

    def put(self, request_id: str, body: bytes, fetched: datetime | None = None) -> Entry:
        """Store ``body`` as the answer to ``request_id``, atomically; returns the entry."""
        fetched = fetched or datetime.now(UTC).replace(microsecond=0)
        target = self.path(request_id)
        meta = {"request": request_id, "fetched": fetched.isoformat(), "sha256": hashlib.sha256(body).hexdigest()}
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, body)
            _write_atomically(target.with_suffix(".meta"), json.dumps(meta, ensure_ascii=True).encode("ascii") + b"\n")
        except OSError as exc:
            raise TradeDataError(
                f"cannot write the cache in {self.directory} ({exc.strerror or exc}); set ${CACHE_ENV}"
            ) from None
        return Entry(request_id, fetched, body, target)


def _write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``target`` and rename it over ``target``."""
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
