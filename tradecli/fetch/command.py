"""`tradecli fetch comtrade`: options -> one fetch_comtrade call -> the flows file -> exit code.

Kept beside the fetcher so the main command module only mounts it; imports nothing heavy
(httpx, pandas) until the command runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Annotated

import typer

# Made before importing the main command module, which mounts it: either module may be imported first.
app = typer.Typer(
    help="Fetch official figures from the network into a flows file (cached; see docs/fetch.md).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

from ..render import Format  # noqa: E402
from ..render.safetext import safe_text  # noqa: E402
from ..shell import OutputOpt, emit, warn  # noqa: E402

#: Seconds between two requests (default 1): lower it only for a mirror or a test server of your own.
INTERVAL_ENV = "TRADECLI_COMTRADE_INTERVAL"


def default_policy():
    """The request policy: defaults, with the interval from $TRADECLI_COMTRADE_INTERVAL."""
    from .client import Policy

    text = os.environ.get(INTERVAL_ENV, "").strip()
    if not text:
        return Policy()
    try:
        interval = float(text)
    except ValueError:
        interval = -1.0
    if not 0 <= interval <= 3600:
        from ..errors import UsageError

        raise UsageError(f"${INTERVAL_ENV} '{text}' is not a number of seconds between 0 and 3600")
    return Policy(interval=interval)


@contextlib.contextmanager
def _progress_bar(quiet: bool):
    """A progress bar on stderr for fetches of more than one call; only on a terminal, never with --quiet."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("UN Comtrade"), BarColumn(), MofNCompleteColumn(), console=Console(stderr=True),
                  transient=True) as bar:  # fmt: skip
        task = bar.add_task("calls", total=None, visible=False)

        def update(done: int, total: int, url: str) -> None:
            bar.update(task, completed=done, total=total, visible=total > 1)

        yield update


@app.command(
    "comtrade",
    epilog="\b\nExamples:\n"
    "  tradecli fetch comtrade --reporter india --partner peru,chile --period 2015..2024 -o india.csv\n"
    "  tradecli fetch comtrade --reporter india --partner china --period 2024 --freq M --months fiscal\n"
    "  tradecli fetch comtrade --reporter china --partner argentina --period 2010 --offline",
)
def comtrade(
    reporter: Annotated[
        str, typer.Option("--reporter", "-r", help="The reporting country: a name, ISO code or alias (india, IND, in).")
    ],
    partner: Annotated[
        list[str],
        typer.Option("--partner", help="Partners, comma-separated or repeated (china,usa; lac = its countries; world = WLD)."),
    ],
    period: Annotated[
        str,
        typer.Option("--period", "-p", help="Years (2015..2024, 2019,2021) or, with --freq M, months (202401..202412)."),
    ],
    flow: Annotated[str, typer.Option("--flow", help="export, import, or both: export,import.")] = "export,import",
    freq: Annotated[str, typer.Option("--freq", help="A (annual) or M (monthly).")] = "A",
    months: Annotated[
        str | None,
        typer.Option(
            "--months",
            help="With --freq M: sum the months into fiscal (April–March) or calendar years; a year with a month "
            "missing is left out.",
        ),
    ] = None,
    kind: Annotated[
        str, typer.Option("--type", help="goods (HS) or services (EBOPS); each figure's scope says which.")
    ] = "goods",
    commodity: Annotated[str, typer.Option("--commodity", help="TOTAL (the country totals) or one HS code, e.g. 27.")] = "TOTAL",
    output: OutputOpt = None,
    api_url: Annotated[
        str | None,
        typer.Option("--api-url", help="The API's base URL [default: $TRADECLI_COMTRADE_URL, else https://comtradeapi.un.org]."),
    ] = None,
    key_file: Annotated[
        str | None,
        typer.Option(
            "--key-file",
            help="A file holding a Comtrade API key (else $COMTRADE_API_KEY; neither: the public preview, 500 records a call).",
        ),
    ] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Fetch again even what the cache holds.")] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Use the cache only; fail when it lacks an answer.")] = False,
    max_age: Annotated[
        str | None, typer.Option("--max-age", help="Treat cached answers older than this as missing: 3600, 90m, 12h, 30d, 2w.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary line.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Each call's URL on stderr (never the key).")] = False,
) -> None:
    """Fetch UN Comtrade figures (cached under $TRADECLI_CACHE_DIR) as a flows file, the one `import comtrade` writes."""
    from ..errors import NoFiguresError
    from .cache import parse_age
    from .comtrade import ComtradeQuery, fetch_comtrade, read_key

    query = ComtradeQuery.parse(reporter, partner, period, flow, freq, kind, commodity)
    age = parse_age(max_age) if max_age is not None else None
    key, key_source = read_key(key_file)
    if verbose:
        sys.stderr.write(f"Key: {'from ' + key_source + ' (data endpoint)' if key else 'none (public preview endpoint)'}\n")
    with _progress_bar(quiet or verbose) as bar:  # verbose lines instead of a bar that they would break

        def progress(done: int, total: int, url: str) -> None:
            if verbose and url:
                sys.stderr.write(f"Call {done + 1}/{total}: {safe_text(url)}\n")
            if bar is not None:
                bar(done, total, url)

        try:
            result = fetch_comtrade(query, key=key, base=api_url, refresh=refresh, offline=offline, max_age=age,
                                    policy=default_policy(), on_progress=progress, months=months)  # fmt: skip
        except NoFiguresError as exc:  # "no data" is an answer, not a failure
            sys.stderr.write(f"{safe_text(str(exc))}\n")
            raise typer.Exit(0) from None
    from ..dataset import Result

    emit(Result(result.figures, "flows"), Format.csv, output)
    warn(result.warnings)
    if not quiet:
        n = len(result.figures)
        calls = result.requests + result.cached
        sys.stderr.write(
            f"UN Comtrade: {n} figure{'s' * (n != 1)} from {calls} call{'s' * (calls != 1)} "
            f"({result.requests} from the network, {result.cached} from the cache), {len(result.warnings)} warning"
            f"{'s' * (len(result.warnings) != 1)}\n"
        )
