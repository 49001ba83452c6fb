"""The tradecli command line: parse options, call the library, render, map errors to exit codes.

Nothing here computes or rounds a number. pandas is imported only inside commands that read
data, so --help, --version and shell completion stay fast.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from enum import StrEnum
from typing import Annotated

import typer
from typer.core import TyperGroup

from . import __version__
from .errors import ExitStatus, TradeError, UsageError
from .render import Format
from .safetext import safe_text


def _error(message: str) -> None:
    """Print one line on stderr."""
    sys.stderr.write(f"Error: {safe_text(message)}\n")  # a file's bytes never reach the terminal raw


class _ClosedStream:
    """Standard output when the shell closed it (`>&-`): every write fails, as a write to a closed descriptor does."""

    def write(self, data):
        raise OSError(9, "standard output is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    buffer = property(lambda self: self)
    encoding = "utf-8"


def _prepare_streams() -> None:
    """Messages never fail on an encoding (stderr, and a terminal's stdout, show what they cannot encode as ?)."""
    if sys.stdout is None:
        sys.stdout = _ClosedStream()
    for stream in (sys.stderr, sys.stdout):
        if stream is not None and hasattr(stream, "reconfigure") and (stream is sys.stderr or stream.isatty()):
            with contextlib.suppress(Exception):
                stream.reconfigure(errors="replace")


def _stdout_gone() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush cannot fail a second time."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _reader_left() -> None:
    """`tradecli ... | head`: the reader left; exit quietly (0) like other filters."""
    _stdout_gone()
    sys.stderr.close()
    sys.exit(ExitStatus.OK)


class _Group(TyperGroup):
    """The app's group: one error path, one line per error, named exit codes."""

    def invoke(self, ctx):  # noqa: D102
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # here, before the bundled Click turns it into a silent exit 1
            _reader_left()

    def main(self, *args, standalone_mode: bool = True, **kwargs):  # noqa: D102
        _prepare_streams()
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
            sys.stdout.flush()  # a full disk or a closed pipe shows here, inside the one error path
        except TradeError as exc:
            _error(str(exc))
            sys.exit(exc.exit_status)
        except typer.TyperException as exc:  # usage errors from the bundled Click parser
            if type(exc).__name__ == "NoArgsIsHelpError":  # a bare `tradecli` asks for help
                sys.stdout.write(exc.format_message() + "\n")
                sys.exit(ExitStatus.OK)
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            ctx = getattr(exc, "ctx", None)
            where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            _error(f"{message}{where}")
            sys.exit(getattr(exc, "exit_code", ExitStatus.USAGE))
        except typer.Abort:
            sys.exit(130)
        except BrokenPipeError:
            _reader_left()
        except UnicodeEncodeError as exc:
            _stdout_gone()
            encoding = getattr(sys.stdout, "encoding", "?")
            _error(f"standard output ({encoding}) cannot hold {exc.object[exc.start : exc.end]!a}; set PYTHONIOENCODING=utf-8")
            sys.exit(ExitStatus.DATA)
        except OSError as exc:  # standard output full, closed or failing
            _stdout_gone()
            _error(f"cannot write to standard output ({exc.strerror or exc})")
            sys.exit(ExitStatus.DATA)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else ExitStatus.OK)


app = typer.Typer(
    cls=_Group,
    help="India's trade balances from reported figures, every number with its source.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _complete_partner(incomplete: str) -> list[tuple[str, str]]:
    from . import partners

    return partners.completions(incomplete)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"tradecli {__version__}\n")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """India's trade balances from reported figures, every number with its source."""


PartnersArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Partner names, ISO codes or aliases (peru, CHL, nz, lac); none means all.",
        autocompletion=_complete_partner,
        show_default=False,
    ),
]
PartnersRequired = Annotated[
    list[str],
    typer.Argument(
        help="Partner names, ISO codes or aliases (peru, CHL, nz, lac).", autocompletion=_complete_partner, show_default=False
    ),
]
FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="auto: a table on a terminal, else CSV (for an -o file: by its ending, .json .md .xlsx). "
        "markdown (md): a pipe table and the figures behind it; xlsx (needs -o): a workbook with a sources sheet.",
        case_sensitive=False,
    ),
]
PeriodOpt = Annotated[
    str | None, typer.Option("--period", "-p", help="Only this period: 2024 (calendar) or FY2023-24 (April–March).")
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option("--currency", "-c", help="Express every figure in this ISO 4217 currency, with a cited rate from the FX table."),
]
ReporterOpt = Annotated[
    str | None,
    typer.Option(
        "--reporter",
        "-r",
        help="See the trade from this country's side; 'all' for every reporter [default: the data's only reporter, else India].",
    ),
]
DataOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--data",
        "-d",
        help="A CSV of figures in the flows.csv schema, read instead of the bundled data (repeatable; - reads stdin). "
        "Default: the files in $TRADECLI_DATA, else the bundled data.",
        show_default=False,
    ),
]
WithBundledOpt = Annotated[
    bool, typer.Option("--with-bundled", help="Read the bundled figures as well as --data / $TRADECLI_DATA.")
]
ScopeOpt = Annotated[
    str | None,
    typer.Option(
        "--scope",
        help="Only figures of this scope: goods, services or goods_services [default: every scope, each on its own; "
        "figures of different scopes are never combined].",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    str | None, typer.Option("--output", "-o", help="Write to this file (atomically; never over a file being read). - is stdout.")
]


def _warn(problems) -> None:
    """Print each warning on stderr, one line each."""
    for problem in problems:
        sys.stderr.write(f"Warning: {safe_text(problem.summary())}\n")


@contextlib.contextmanager
def _progress(message: str):
    """A spinner on stderr for work that takes more than a second; only on a terminal, gone when done."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    status = Console(stderr=True).status(message)
    timer = threading.Timer(1.0, status.start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        status.stop()


def _open(data: list[str] | None, with_bundled: bool):
    """The dataset a command reads: --data, else $TRADECLI_DATA, else the bundled data."""
    from .dataset import Dataset

    return Dataset.open(data, with_bundled, os.environ.get("TRADECLI_DATA"))


def _answer(ask):
    """Run a library call with a spinner for slow reads; print its warnings on stderr."""
    with _progress("Reading…"):
        result = ask()
    _warn(result.warnings)
    return result


def _emit(result, fmt: Format, output: str | None) -> None:
    """Render a library ``Result`` to stdout or, atomically, to the --output file (never over a file it read)."""
    from . import render
    from .output import open_output

    fmt = render.for_path(fmt, output)
    if fmt.binary and output == "-" and sys.stdout.isatty():
        raise UsageError(f"-f {fmt.value} is a binary file: send -o - into a pipe, or name a file with -o FILE")
    figures = result.figures() if fmt.lists_figures and result.behind is not None else None
    with open_output(output, result.files, binary=fmt.binary) as stream:
        render.render(result.frame, result.kind, fmt, stream, figures=figures)


@app.command()
def balance(
    partner: PartnersArg = None,
    period: PeriodOpt = None,
    currency: CurrencyOpt = None,
    scope: ScopeOpt = None,
    reporter: ReporterOpt = None,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    output: OutputOpt = None,
) -> None:
    """Show exports, imports, total, balance and export/import ratio per partner and period."""
    from . import render

    question = _open(data, with_bundled).select(partner, reporter, period, scope)
    batches = question.balance_batches(currency)
    chosen = render.resolve(render.for_path(fmt, output), sys.stdout if output in (None, "-") else None)
    if batches is not None and chosen is Format.csv:
        from .output import open_output

        with open_output(output, question.files) as stream:  # every reporter of big files, streamed
            for n, result in enumerate(batches):
                _warn(result.warnings)
                render.write_csv(result.frame, stream, header=n == 0)
        return
    _emit(_answer(lambda: question.balance(currency)), fmt, output)


@app.command()
def compare(
    partner: PartnersRequired,
    years: Annotated[bool, typer.Option("--years", "-y", help="Change between consecutive periods of the same basis.")] = False,
    period: PeriodOpt = None,
    currency: CurrencyOpt = None,
    scope: ScopeOpt = None,
    reporter: ReporterOpt = None,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    output: OutputOpt = None,
) -> None:
    """Compare partners side by side, or with --years each partner's change on the previous period."""
    question = _open(data, with_bundled).select(partner, reporter, period, scope)
    _emit(_answer(lambda: question.years(currency) if years else question.side_by_side(currency)), fmt, output)


@app.command()
def chart(
    partner: PartnersRequired,
    years: Annotated[bool, typer.Option("--years", "-y", help="Every period of each partner, as compare --years does.")] = False,
    period: PeriodOpt = None,
    currency: CurrencyOpt = None,
    scope: ScopeOpt = None,
    reporter: ReporterOpt = None,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="Write an image (.svg or .png; needs tradecli[charts]) or the text chart (.txt), atomically."
        ),
    ] = None,
) -> None:
    """Draw exports and imports per period as bars with the balance marked; several partners only where they share periods."""
    from . import render
    from .output import open_output

    kind = render.chart_kind(output)
    question = _open(data, with_bundled).select(partner, reporter, period, scope)
    result = _answer(lambda: question.balance(currency) if years else question.side_by_side(currency))
    with open_output(output, result.files, binary=kind != "text") as stream:
        render.write_chart(result.frame, stream, kind)


@app.command("partners")
def partners_command(
    reporter: ReporterOpt = None,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    output: OutputOpt = None,
) -> None:
    """List every partner with its periods, currencies and flows, and those named without figures."""
    question = _open(data, with_bundled).select(reporter=reporter)
    _emit(_answer(question.partners), fmt, output)


@app.command()
def sources(
    partner: PartnersArg = None,
    period: PeriodOpt = None,
    scope: ScopeOpt = None,
    reporter: ReporterOpt = None,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    output: OutputOpt = None,
) -> None:
    """Show each figure behind the numbers with its exact quote and source document."""
    question = _open(data, with_bundled).select(partner, reporter, period, scope)
    _emit(_answer(question.sources), fmt, output)


FilesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Files to check (- is stdin); default: --data, $TRADECLI_DATA, else the bundled data.", show_default=False
    ),
]


@app.command()
def validate(
    file: FilesArg = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")] = False,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    output: OutputOpt = None,
) -> None:
    """Check figure files: one row per problem with its line, column, value, code and severity."""
    from . import flows

    dataset = _open([*(file or []), *(data or [])], with_bundled)
    result = dataset.validate()
    _emit(result, fmt, output)
    errors = int((result.frame["severity"] == "error").sum())
    warnings = len(result.frame) - errors
    names = ", ".join(flows.display_name(s) for s in dataset.inputs)
    sys.stderr.write(f"{names}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}\n")
    if errors or (strict and warnings):
        raise typer.Exit(ExitStatus.DATA)


class Official(StrEnum):
    """The official formats ``tradecli import`` reads."""

    tradestat = "tradestat"
    comtrade = "comtrade"


@app.command("import")
def import_command(
    fmt: Annotated[
        Official,
        typer.Argument(
            metavar="FORMAT",
            help="tradestat (India's TradeStat country-wise table, CSV) or comtrade "
            "(UN Comtrade: API JSON/CSV, bulk .txt.gz, comtradr output, legacy CSV).",
            case_sensitive=False,
            show_default=False,
        ),
    ],
    file: Annotated[
        list[str], typer.Argument(metavar="FILE...", help="The downloaded files (- reads stdin).", show_default=False)
    ],
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency",
            "-c",
            help="TradeStat only, required: USD (US$ million) or INR (₹ crore).",
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option("--period", "-p", help="TradeStat only, required: the year of the table, e.g. FY2019-20 (April–March)."),
    ] = None,
    commodity: Annotated[
        str | None,
        typer.Option("--commodity", help="Comtrade only: import this cmdCode (e.g. 27) instead of the country totals (TOTAL)."),
    ] = None,
    months: Annotated[
        str | None,
        typer.Option(
            "--months",
            help="Comtrade only: sum monthly data into fiscal (April–March) or calendar years; "
            "a year with a month missing is left out.",
        ),
    ] = None,
    output: OutputOpt = None,
) -> None:
    """Convert official statistics (TradeStat, UN Comtrade) to checked figures in the flows.csv schema (CSV)."""
    from . import flows, queries
    from .dataset import Result

    result = queries.import_official(fmt.value, file, currency=currency, period=period, commodity=commodity, months=months)
    _emit(Result(result.figures, "flows", files=list(file)), Format.csv, output)
    _warn(result.warnings)  # after writing: a refused --output is then the only line
    count, warnings = len(result.figures), len(result.warnings)
    names = ", ".join(flows.display_name(f) for f in file)
    sys.stderr.write(f"{names}: {count} figure{'s' * (count != 1)} imported, {warnings} warning{'s' * (warnings != 1)}\n")


@app.command("check")
def check_command(
    partner: PartnersRequired,
    official: Annotated[
        list[str] | None,
        typer.Option(
            "--official",
            help="A file of official figures (e.g. from `tradecli import`), the side gaps are measured against (repeatable).",
            show_default=False,
        ),
    ] = None,
    mirror: Annotated[
        bool, typer.Option("--mirror", help="Check the reporter's own figures (official) against the partner's, mirrored.")
    ] = False,
    period: PeriodOpt = None,
    flow: Annotated[str | None, typer.Option("--flow", help="Only this flow: export, import or total.")] = None,
    scope: ScopeOpt = None,
    reporter: ReporterOpt = None,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    output: OutputOpt = None,
) -> None:
    """Put two sources for the same partner, period and flow side by side, with the gap and gap % of the official value."""
    from .dataset import Dataset

    question = _open(data, with_bundled).select(partner, reporter, period, scope)
    checked = Dataset.open(official) if official else None
    _emit(_answer(lambda: question.crosscheck(checked, mirror=mirror, flow=flow)), fmt, output)


from .fetch.command import app as _fetch_app  # noqa: E402 - after the shared options it uses

app.add_typer(_fetch_app, name="fetch")
