"""The tradecli command line: parse options, call the library, render, map errors to exit codes.

Nothing here computes or rounds a number. pandas is imported only inside commands that read
data, so --help, --version and shell completion stay fast.
"""

import contextlib
import os
import sys
import threading
from enum import StrEnum
from typing import Annotated

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from . import __version__
from .errors import ExitStatus, TradeError, UsageError
from .render import Format
from .render.safetext import safe_text
from .shell import OutputOpt, emit, warn

#: Environment variables this run took files from (name -> value), named in every error.
_FROM_ENV: dict[str, str] = {}


def _from_env(name: str, given) -> str | None:
    """The value of environment variable ``name`` when it applies (``given`` on the command line wins), noted for errors."""
    value = os.environ.get(name) or None
    if value is not None and not given:
        _FROM_ENV[name] = value
        if not any(value.split(os.pathsep)):  # ':' alone would silently mean "none of mine"
            raise UsageError(f"${name} is set but names no file; unset it or give file paths separated by '{os.pathsep}'")
        return value
    return None


def _data_sources(data: list[str] | None, with_bundled: bool) -> list:
    """The files a command reads: --data, else $TRADECLI_DATA, else the bundled data (flows.resolve_sources)."""
    from .read import flows

    return flows.resolve_sources(data, with_bundled, _from_env("TRADECLI_DATA", data))


def _rates(fx: list[str] | None, currency: str | None, data: list[str] | None):
    """The exchange rates for --currency: the bundled ones plus --fx files, else $TRADECLI_FX's; None without --currency."""
    if currency is None:
        if fx:
            raise UsageError("--fx gives exchange rates for --currency; add --currency CUR (e.g. --currency USD)")
        return None
    from . import currency as fx_table

    files = list(fx or []) or [part for part in (_from_env("TRADECLI_FX", fx) or "").split(os.pathsep) if part]
    if files.count("-") + (data or []).count("-") > 1:
        raise UsageError("standard input ('-') can be read only once")
    return fx_table.load_rates(more=files), files


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
        _FROM_ENV.clear()  # one run's worth (tests call main many times in one process)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
            sys.stdout.flush()  # a full disk or a closed pipe shows here, inside the one error path
        except TradeError as exc:
            message = str(exc)
            _error(message + "".join(f" (files from ${n}={v})" for n, v in _FROM_ENV.items() if f"${n}" not in message))
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


def _option_name(param) -> str:
    """How an option or argument is named in a message: its long form ('--period'), or its metavar."""
    if isinstance(param, TyperOption):
        return max(param.opts, key=len)
    return param.human_readable_name


def check_values(params: list, values: dict) -> None:
    """Refuse what would otherwise silently do nothing: an empty value (an unset shell variable,
    `--period "$YEAR"`) and a single-valued option given twice (Click would keep the last).

    ``params`` lists the options and arguments in the order typed, once per use; ``values`` maps
    each one's name to what was parsed (a list for a repeatable one).
    """
    for param in dict.fromkeys(params):
        if isinstance(param, TyperOption) and (param.is_flag or param.count):
            continue
        uses = params.count(param)
        if isinstance(param, TyperOption) and not param.multiple and uses > 1:
            raise UsageError(f"{_option_name(param)} was given {uses} times; it takes one value: give it once")
        given = values.get(param.name)
        if any(isinstance(v, str) and not v.strip() for v in (given if isinstance(given, list | tuple) else [given])):
            if isinstance(param, TyperArgument):
                raise UsageError(f"an empty {_option_name(param)} argument (an unset shell variable?); give a value")
            raise UsageError(
                f"{_option_name(param)} was given an empty value (an unset shell variable?); give a value or leave the option out"
            )


class _Command(TyperCommand):
    """A command whose option values are checked (check_values) before Click takes them."""

    def parse_args(self, ctx, args):  # noqa: D102
        if not ctx.resilient_parsing:  # not while completing a word in the shell
            values, _, order = self.make_parser(ctx).parse_args(args=list(args))
            check_values(order, values)
        return super().parse_args(ctx, args)


def _examples(*lines: str) -> str:
    """A command's Examples section for --help (kept as written: Click rewraps no paragraph after \\b)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


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
FromOpt = Annotated[
    str | None,
    typer.Option("--from", help="The first period of a span (2015 or FY2015-16); with --to, or alone for every later period."),
]
ToOpt = Annotated[
    str | None,
    typer.Option(
        "--to", help="The last period of a span, of the same basis as --from (a fiscal year never runs to a calendar year)."
    ),
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option(
        "--currency", "-c", help="Express every figure in this ISO 4217 currency, with a cited rate (bundled, or from --fx)."
    ),
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
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Read big files with: auto (pandas for small CSV, DuckDB for Parquet and big CSV), pandas, duckdb "
        "(tradecli[big]) or spark (tradecli[spark]; see docs/engines.md). Default: $TRADECLI_ENGINE, else auto.",
        show_default=False,
    ),
]
SparkRemoteOpt = Annotated[
    str | None,
    typer.Option(
        "--spark-remote",
        help="With --engine spark: a Spark Connect server, sc://host:15002. Default: $SPARK_REMOTE, else a local session.",
        show_default=False,
    ),
]
FxOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--fx",
        help="A file of cited exchange rates in the fx.csv schema, used with --currency besides the bundled ones "
        "(repeatable). Default: the files in $TRADECLI_FX.",
        show_default=False,
    ),
]


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


def _open(data: list[str] | None, with_bundled: bool, engine: str | None = None, spark_remote: str | None = None):
    """The dataset a command reads: --data, else $TRADECLI_DATA, else the bundled data, by --engine."""
    from .dataset import Dataset

    return Dataset.open(data, with_bundled, _from_env("TRADECLI_DATA", data), engine, spark_remote)


def _answer(ask, more_files=()):
    """Run a library call with a spinner for slow reads; print its warnings on stderr.

    ``more_files`` (e.g. --fx files) join the files the result was read from, which -o never overwrites.
    """
    with _progress("Reading…"):
        result = ask()
    result.files = [*result.files, *more_files]
    warn(result.warnings)
    return result


@app.command(
    cls=_Command,
    short_help="Exports, imports and balance per partner.",
    epilog=_examples(
        "tradecli balance peru",
        "tradecli balance chile --period FY2024-25 -f csv",
        "tradecli balance nz --currency USD",
        "tradecli balance --data my.csv -o balance.xlsx",
    ),
)
def balance(
    partner: PartnersArg = None,
    period: PeriodOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    share: Annotated[
        bool,
        typer.Option("--share", help="Add each partner's share of the reporter's trade with the World (needs a World total)."),
    ] = False,
    members: Annotated[
        bool,
        typer.Option(
            "--members", help="Sum a group (lac, asean, eu, gcc, saarc) from its members' figures, beside its reported ones."
        ),
    ] = False,
    currency: CurrencyOpt = None,
    scope: ScopeOpt = None,
    reporter: ReporterOpt = None,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    engine: EngineOpt = None,
    spark_remote: SparkRemoteOpt = None,
    output: OutputOpt = None,
    fx: FxOpt = None,
) -> None:
    """Show exports, imports, total, balance and export/import ratio per partner and period."""
    from . import render

    rates, fx_files = _rates(fx, currency, data) or (None, [])
    question = _open(data, with_bundled, engine, spark_remote).select(partner, reporter, period, scope, start, end)
    batches = None if share or members else question.balance_batches(currency, rates)
    chosen = render.resolve(render.for_path(fmt, output), sys.stdout if output in (None, "-") else None)
    if batches is not None and chosen is Format.csv:
        from .render.output import open_output

        with open_output(output, [*question.files, *fx_files]) as stream:  # every reporter of big files, streamed
            for n, result in enumerate(batches):
                warn(result.warnings)
                render.write_csv(result.frame, stream, header=n == 0)
        return
    emit(_answer(lambda: question.balance(currency, rates, share=share, members=members), fx_files), fmt, output)


@app.command(
    cls=_Command,
    short_help="Compound annual growth over a span.",
    epilog=_examples(
        "tradecli growth chile",
        "tradecli growth chile --from FY2019-20 --to FY2020-21 -f csv",
    ),
)
def growth(
    partner: PartnersArg = None,
    start: FromOpt = None,
    end: ToOpt = None,
    currency: CurrencyOpt = None,
    scope: ScopeOpt = None,
    reporter: ReporterOpt = None,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    output: OutputOpt = None,
    fx: FxOpt = None,
    engine: EngineOpt = None,
    spark_remote: SparkRemoteOpt = None,
) -> None:
    """Show the compound annual growth rate of exports, imports and total between two periods of one basis.

    Without --from/--to: from each partner's first period to its last, per basis.
    """
    rates, fx_files = _rates(fx, currency, data) or (None, [])
    question = _open(data, with_bundled, engine, spark_remote).select(partner, reporter, None, scope, start, end)
    emit(_answer(lambda: question.growth(currency, rates), fx_files), fmt, output)


@app.command(
    cls=_Command,
    short_help="Partners side by side, or change per year.",
    epilog=_examples(
        "tradecli compare chile --years",
        "tradecli compare nz peru --currency USD",
        "tradecli compare chile -y -f json | jq '.[1].imports_change_pct'",
    ),
)
def compare(
    partner: PartnersRequired,
    years: Annotated[bool, typer.Option("--years", "-y", help="Change between consecutive periods of the same basis.")] = False,
    period: PeriodOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    currency: CurrencyOpt = None,
    scope: ScopeOpt = None,
    reporter: ReporterOpt = None,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    engine: EngineOpt = None,
    spark_remote: SparkRemoteOpt = None,
    output: OutputOpt = None,
    fx: FxOpt = None,
) -> None:
    """Compare partners side by side, or with --years each partner's change on the previous period."""
    rates, fx_files = _rates(fx, currency, data) or (None, [])
    question = _open(data, with_bundled, engine, spark_remote).select(partner, reporter, period, scope, start, end)
    ask = (lambda: question.years(currency, rates)) if years else (lambda: question.side_by_side(currency, rates))
    emit(_answer(ask, fx_files), fmt, output)


@app.command(
    cls=_Command,
    short_help="Bars of exports and imports, balance marked.",
    epilog=_examples(
        "tradecli chart chile --years",
        "tradecli chart chile -y -o chile.svg    (needs tradecli[charts])",
    ),
)
def chart(
    partner: PartnersRequired,
    years: Annotated[bool, typer.Option("--years", "-y", help="Every period of each partner, as compare --years does.")] = False,
    period: PeriodOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
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
    fx: FxOpt = None,
    engine: EngineOpt = None,
    spark_remote: SparkRemoteOpt = None,
) -> None:
    """Draw exports and imports per period as bars with the balance marked; several partners only where they share periods."""
    from . import render
    from .render.output import open_output

    kind = render.chart_kind(output)
    rates, fx_files = _rates(fx, currency, data) or (None, [])
    question = _open(data, with_bundled, engine, spark_remote).select(partner, reporter, period, scope, start, end)
    ask = (lambda: question.balance(currency, rates)) if years else (lambda: question.side_by_side(currency, rates))
    result = _answer(ask, fx_files)
    with open_output(output, result.files, binary=kind != "text") as stream:
        render.write_chart(result.frame, stream, kind)


@app.command(
    cls=_Command,
    short_help="What a flow is made of: top products, shares.",
    epilog=_examples(
        "tradecli products chn -d india_china.csv --level 2",
        "tradecli products chn -d india_china.csv --flow import --top 5 -f csv",
        "tradecli products chn -d india_china.csv -d india_world.csv --world",
    ),
)
def products(
    partner: Annotated[
        str, typer.Argument(help="One partner: a name, ISO code or alias (peru, CHN).", autocompletion=_complete_partner)
    ],
    period: PeriodOpt = None,
    flow: Annotated[
        str | None, typer.Option("--flow", help="Only this flow: import or export [default: both, each on its own].")
    ] = None,
    level: Annotated[
        int | None,
        typer.Option(
            "--level",
            help="HS digits: 2 (chapters), 4 (headings), 6 (subheadings) or 8; finer codes are summed up, "
            "leaves only [default: the shortest codes the data holds].",
            show_default=False,
        ),
    ] = None,
    top: Annotated[int | None, typer.Option("--top", "-n", help="Products per flow, largest first [default: 10].")] = None,
    world: Annotated[
        bool,
        typer.Option(
            "--world", help="Require each product's share of the reporter's trade in it with the World (partner WLD rows)."
        ),
    ] = False,
    scope: ScopeOpt = None,
    reporter: ReporterOpt = None,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    output: OutputOpt = None,
    engine: EngineOpt = None,
    spark_remote: SparkRemoteOpt = None,
) -> None:
    """Show the products of each flow with one partner: value, share, own balance, change, concentration."""
    question = _open(data, with_bundled, engine, spark_remote).select([partner], reporter, period, scope)
    emit(_answer(lambda: question.products(flow, level, top, world)), fmt, output)


@app.command(
    "partners",
    cls=_Command,
    short_help="Every partner, with its periods and flows.",
    epilog=_examples(
        "tradecli partners",
        "tradecli partners --data my.csv -f csv",
    ),
)
def partners_command(
    reporter: ReporterOpt = None,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    engine: EngineOpt = None,
    spark_remote: SparkRemoteOpt = None,
    output: OutputOpt = None,
) -> None:
    """List every partner with its periods, currencies and flows, and those named without figures."""
    question = _open(data, with_bundled, engine, spark_remote).select(reporter=reporter)
    emit(_answer(question.partners), fmt, output)


@app.command(
    cls=_Command,
    short_help="The exact words behind each number.",
    epilog=_examples(
        "tradecli sources peru",
        "tradecli sources -f csv -o sources.csv",
    ),
)
def sources(
    partner: PartnersArg = None,
    period: PeriodOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    scope: ScopeOpt = None,
    reporter: ReporterOpt = None,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    engine: EngineOpt = None,
    spark_remote: SparkRemoteOpt = None,
    output: OutputOpt = None,
) -> None:
    """Show each figure behind the numbers with its exact quote and source document."""
    question = _open(data, with_bundled, engine, spark_remote).select(partner, reporter, period, scope, start, end)
    emit(_answer(question.sources), fmt, output)


FilesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Files to check (- is stdin); default: --data, $TRADECLI_DATA, else the bundled data.", show_default=False
    ),
]


@app.command(
    cls=_Command,
    short_help="Check figure files: line, column, problem.",
    epilog=_examples(
        "tradecli validate my.csv",
        "tradecli validate --strict my.csv other.csv",
    ),
)
def validate(
    file: FilesArg = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")] = False,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    engine: EngineOpt = None,
    spark_remote: SparkRemoteOpt = None,
    output: OutputOpt = None,
) -> None:
    """Check figure files: one row per problem with its line, column, value, code and severity."""
    from .read import flows

    dataset = _open([*(file or []), *(data or [])], with_bundled, engine, spark_remote)
    result = dataset.validate()
    emit(result, fmt, output)
    errors = int((result.frame["severity"] == "error").sum())
    warnings = len(result.frame) - errors
    names = ", ".join(flows.display_name(s) for s in dataset.inputs) + "".join(f" (from ${name})" for name in _FROM_ENV)
    sys.stderr.write(f"{names}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}\n")
    if errors or (strict and warnings):
        raise typer.Exit(ExitStatus.DATA)


class Official(StrEnum):
    """The official formats ``tradecli import`` reads."""

    tradestat = "tradestat"
    comtrade = "comtrade"


@app.command(
    "import",
    cls=_Command,
    short_help="Official tables to checked figures.",
    epilog=_examples(
        "tradecli import tradestat table.csv -c USD -p FY2019-20 -o fy2019.csv",
        "tradecli import tradestat 2019.csv 2020.csv -c USD -p FY2019-20 -p FY2020-21 -o both.csv",
        "tradecli import tradestat 'tradestat_fy*_usd.csv' -c USD -o years.csv",
        "tradecli import comtrade comtrade.json -o china.csv",
    ),
)
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
        list[str] | None,
        typer.Option(
            "--period",
            "-p",
            help="TradeStat only: the year of each table, one --period per file in order (e.g. FY2019-20, April–March). "
            "Default: the year the table states, else the one in its file name (tradestat_fy2019-20_usd.csv).",
            show_default=False,
        ),
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
    names: Annotated[
        str | None,
        typer.Option(
            "--names",
            help="TradeStat only: a CSV of name,code mapping spellings the bundled table lacks. Default: $TRADECLI_NAMES.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Convert official statistics (TradeStat, UN Comtrade) to checked figures in the flows.csv schema (CSV)."""
    from . import official, partners, queries
    from .dataset import Result
    from .read import flows

    file = official.expand(file)  # a quoted glob of year files: the files it names (never written over by -o)
    names_file = names or (_from_env("TRADECLI_NAMES", names) if fmt is Official.tradestat else None)
    if names_file is not None and names_file in file:
        raise UsageError("--names and the files to import are the same file")
    table = partners.read_user_names(names_file) if names_file else None
    result = queries.import_official(
        fmt.value, file, currency=currency, period=period, commodity=commodity, months=months, spellings=table
    )
    emit(Result(result.figures, "flows", files=[*file, *([names_file] if names_file else [])]), Format.csv, output)
    warn(result.warnings)  # after writing: a refused --output is then the only line
    count, warnings = len(result.figures), len(result.warnings)
    shown = [flows.display_name(f) for f in file]
    # Many files (a glob of years): the first and the last, and how many, so the line stays one line.
    names = ", ".join(shown) if len(shown) <= 3 else f"{len(shown)} files, {shown[0]} … {shown[-1]}"
    sys.stderr.write(f"{names}: {count} figure{'s' * (count != 1)} imported, {warnings} warning{'s' * (warnings != 1)}\n")


@app.command(
    "check",
    cls=_Command,
    short_help="Two sources for one figure: the gap between.",
    epilog=_examples(
        "tradecli check china --mirror -d india.csv -d china.csv",
        "tradecli check peru --official fy2019.csv",
    ),
)
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
    start: FromOpt = None,
    end: ToOpt = None,
    flow: Annotated[str | None, typer.Option("--flow", help="Only this flow: export, import or total.")] = None,
    scope: ScopeOpt = None,
    reporter: ReporterOpt = None,
    fmt: FormatOpt = Format.auto,
    data: DataOpt = None,
    with_bundled: WithBundledOpt = False,
    output: OutputOpt = None,
    engine: EngineOpt = None,
    spark_remote: SparkRemoteOpt = None,
) -> None:
    """Put two sources for the same partner, period and flow side by side, with the gap and gap % of the official value."""
    from .dataset import Dataset

    question = _open(data, with_bundled, engine, spark_remote).select(partner, reporter, period, scope, start, end)
    checked = Dataset.open(official) if official else None
    emit(_answer(lambda: question.crosscheck(checked, mirror=mirror, flow=flow)), fmt, output)


from .fetch.command import app as _fetch_app  # noqa: E402 - after the shared options it uses

app.add_typer(_fetch_app, name="fetch", short_help="Official figures from UN Comtrade, cached.")
