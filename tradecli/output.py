"""Where results go: standard output, or a file written atomically that is never an input."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from .errors import TradeDataError, UsageError


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


@contextlib.contextmanager
def open_output(target: str | Path | None, inputs: Sequence[str | Path] = (), binary: bool = False) -> Iterator[IO]:
    """Yield a text stream for ``target`` ("-" or None: standard output); ``binary``: a bytes stream (xlsx, png).

    A file is written to a temporary file in the same directory and renamed over the target
    only when everything was written, so a failure never leaves half a file. Writing over a
    file being read is refused (UsageError); a missing directory or no permission is a
    TradeDataError.
    """
    if binary and (target is None or (str(target) == "-" and sys.stdout.isatty())):
        # Bytes on a terminal are noise (and can upset it); -o - is for a pipe or a redirect.
        raise UsageError("this format is a binary file: name it with -o FILE (or -o - into a pipe)")
    if target is None or str(target) == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    path = Path(target)
    for source in inputs:
        if str(source) != "-" and _same_file(path, Path(source)):
            raise UsageError(f"{path}: refusing to overwrite a file this command reads; choose another --output")
    if path.is_dir():
        raise TradeDataError(f"{path}: is a directory; give a file name to --output")
    parent = path.parent
    if not parent.is_dir():
        raise TradeDataError(f"{path}: the directory {parent} does not exist; create it first")
    try:
        mode = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": ""}
        handle = tempfile.NamedTemporaryFile(**mode, dir=parent, prefix=f".{path.name}.", delete=False)
    except PermissionError:
        raise TradeDataError(f"{path}: permission denied writing in {parent}") from None
    except OSError as exc:
        raise TradeDataError(f"{path}: cannot write ({exc.strerror or exc})") from None
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        try:
            os.chmod(handle.name, 0o666 & ~umask)
            os.replace(handle.name, path)
        except OSError as exc:
            raise TradeDataError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise
