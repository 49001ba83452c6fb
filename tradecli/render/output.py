"""Where results go: standard output, or a file of its own written atomically, never an input.

The rules for ``-o PATH`` (docs/output.md):

- a directory, or a path ending in ``/``, is refused (exit 2);
- a file this command reads, or any of tradecli's bundled data files, is refused (exit 2),
  also through a symlink or a hard link;
- a FIFO or a character device (``/dev/null``, ``/dev/stdout``) is written to as a stream;
  any other special file is refused;
- a symlink is written through: its target is replaced, the link stays a link;
- a regular file is written to a short temporary name beside it and renamed over it when
  everything was written; an existing file keeps its permission bits, and SIGINT, SIGTERM or
  SIGHUP meanwhile leave no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
import tempfile
import threading
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from ..errors import TradeDataError, UsageError


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _protected(inputs: Sequence[str | Path]) -> Iterator[tuple[Path, str]]:
    """What -o must never replace: the files read, then every bundled data file."""
    for source in inputs:
        if str(source) != "-":
            yield Path(source), "a file this command reads"
    from .. import bundled

    with contextlib.suppress(OSError):
        for entry in bundled.data_dir().iterdir():
            yield entry, "tradecli's bundled data"


@contextlib.contextmanager
def _cleanup_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into SystemExit while a temporary file exists, so it is removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _check_target(path: Path, target: str, inputs: Sequence[str | Path]) -> os.stat_result | None:
    if target.endswith(("/", os.sep)) or path.is_dir():
        raise UsageError(f"{path}: is a directory; give a file name to --output")
    for protected, what in _protected(inputs):
        if _same_file(path, protected):
            raise UsageError(f"{path}: refusing to overwrite {what}; choose another --output")
    try:
        return path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise TradeDataError(f"{path}: cannot write ({exc.strerror or exc})") from None


#: Text streams open_output opened (UTF-8, no newline translation): bytes written to their buffer read back the same.
_AS_IS: weakref.WeakSet = weakref.WeakSet()


def writes_as_is(stream) -> bool:
    """Whether UTF-8 text may go straight to ``stream.buffer`` as bytes: an ``-o`` file of open_output's, or
    standard output where it writes UTF-8 and a line end is LF (no stream says how it translates line ends)."""
    if stream in _AS_IS:
        return True
    encoding = str(getattr(stream, "encoding", "")).lower().replace("-", "").replace("_", "")
    return stream is sys.stdout and encoding == "utf8" and os.linesep == "\n" and hasattr(stream, "buffer")


@contextlib.contextmanager
def open_output(target: str | Path | None, inputs: Sequence[str | Path] = (), binary: bool = False) -> Iterator[IO]:
    """Yield a text stream for ``target`` ("-" or None: standard output); ``binary``: a bytes stream (xlsx, png).

    See the module's rules. A refused target is a UsageError; a missing directory, no
    permission or a failed write is a TradeDataError.
    """
    if binary and (target is None or (str(target) == "-" and sys.stdout.isatty())):
        # Bytes on a terminal are noise (and can upset it); -o - is for a pipe or a redirect.
        raise UsageError("this format is a binary file: name it with -o FILE (or -o - into a pipe)")
    if target is None or str(target) == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    path = Path(target)
    mode = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": ""}
    existing = _check_target(path, str(target), inputs)
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        if not (stat.S_ISFIFO(existing.st_mode) or stat.S_ISCHR(existing.st_mode)):
            raise UsageError(f"{path}: not a regular file, a FIFO or a device; choose another --output")
        try:
            stream = open(path, **mode)  # noqa: SIM115 - a stream: written as it comes, never replaced
        except OSError as exc:
            raise TradeDataError(f"{path}: cannot write ({exc.strerror or exc})") from None
        if not binary:
            _AS_IS.add(stream)
        try:
            with stream:
                yield stream
        except OSError as exc:
            raise TradeDataError(f"{path}: cannot write ({exc.strerror or exc})") from None
        return
    final = Path(os.path.realpath(path))  # through a symlink: replace its target, keep the link
    parent = final.parent
    if not parent.is_dir():
        raise TradeDataError(f"{path}: the directory {path.parent} does not exist; create it first")
    if existing is not None:
        permissions = stat.S_IMODE(existing.st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        permissions = 0o666 & ~umask
    with _cleanup_on_signals():
        try:
            # A short fixed-length name (21 bytes), so a final name near the 255-byte limit still works.
            handle = tempfile.NamedTemporaryFile(**mode, dir=parent, prefix=".tradecli-", suffix=".tmp", delete=False)
        except PermissionError:
            raise TradeDataError(f"{path}: permission denied writing in {parent}") from None
        except OSError as exc:
            raise TradeDataError(f"{path}: cannot write ({exc.strerror or exc})") from None
        if not binary:
            _AS_IS.add(handle)
        try:
            try:
                with handle:
                    yield handle
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(handle.name, permissions)
                os.replace(handle.name, final)
            except OSError as exc:
                raise TradeDataError(f"{path}: cannot write ({exc.strerror or exc})") from None
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(handle.name)
            raise
