"""What every command of the shell shares: the -o option, warnings on stderr, and writing a result.

cli.py and the fetch command (fetch/command.py) both use these, so neither imports the other.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .errors import UsageError
from .render import Format
from .render.safetext import safe_text

OutputOpt = Annotated[
    str | None, typer.Option("--output", "-o", help="Write to this file (atomically; never over a file being read). - is stdout.")
]


def warn(problems) -> None:
    """Print each warning on stderr, one line each."""
    for problem in problems:
        sys.stderr.write(f"Warning: {safe_text(problem.summary())}\n")


def emit(result, fmt: Format, output: str | None) -> None:
    """Render a library ``Result`` to stdout or, atomically, to the --output file (never over a file it read)."""
    from . import render
    from .render.output import open_output

    fmt = render.for_path(fmt, output)
    if fmt.binary and output == "-" and sys.stdout.isatty():
        raise UsageError(f"-f {fmt.value} is a binary file: send -o - into a pipe, or name a file with -o FILE")
    figures = result.figures() if fmt.lists_figures and result.behind is not None else None
    with open_output(output, result.files, binary=fmt.binary) as stream:
        render.render(result.frame, result.kind, fmt, stream, figures=figures)
