"""The tradecli command line: parse options, call the library, render, map errors to exit codes.

Nothing here computes or rounds a number. pandas is imported only inside commands that read
data, so --help, --version and shell completion stay fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

from . import __version__
from .errors import ExitStatus, TradeError
from .render import Format


def _error(message: str) -> None:
    """Print one line on stderr."""
    sys.stderr.write(f"Error: {message}\n")


class _Group(TyperGroup):
    """The app's group: one error path, one line per error, named exit codes."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):  # noqa: D102
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
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
            # `tradecli ... | head`: the reader left; exit quietly like other filters.
            sys.stderr.close()
            sys.exit(ExitStatus.OK)
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
    Format, typer.Option("--format", "-f", help="auto: a table on a terminal, CSV when piped.", case_sensitive=False)
]
PeriodOpt = Annotated[
    str | None, typer.Option("--period", "-p", help="Only this period: 2024 (calendar) or FY2023-24 (April–March).")
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option("--currency", "-c", help="Express every figure in this ISO 4217 currency, with a cited rate from the FX table."),
]
ReporterOpt = Annotated[str, typer.Option("--reporter", "-r", help="See the trade from this country's side.")]


def _reporter(name: str, flows) -> str:
    from . import queries

    return queries.resolve([name], flows)[0]


def _load():
    from . import queries

    flows = queries.load()
    for warning in flows.warnings:
        sys.stderr.write(f"Warning: {warning.summary()}\n")
    return flows


@app.command()
def balance(
    partner: PartnersArg = None,
    period: PeriodOpt = None,
    currency: CurrencyOpt = None,
    reporter: ReporterOpt = "india",
    fmt: FormatOpt = Format.auto,
) -> None:
    """Show exports, imports, total, balance and export/import ratio per partner and period."""
    from . import queries, render

    flows = _load()
    codes = queries.resolve(partner or [], flows)
    table = queries.balance(codes, period=period, currency=currency, reporter=_reporter(reporter, flows), flows=flows)
    render.render(table, "balance", fmt)


@app.command()
def compare(
    partner: PartnersRequired,
    years: Annotated[bool, typer.Option("--years", "-y", help="Change between consecutive periods of the same basis.")] = False,
    period: PeriodOpt = None,
    currency: CurrencyOpt = None,
    reporter: ReporterOpt = "india",
    fmt: FormatOpt = Format.auto,
) -> None:
    """Compare partners side by side, or with --years each partner's change on the previous period."""
    from . import queries, render

    flows = _load()
    codes = queries.resolve(partner, flows)
    options = {"period": period, "currency": currency, "reporter": _reporter(reporter, flows), "flows": flows}
    if years:
        render.render(queries.compare_years(codes, **options), "years", fmt)
    else:
        render.render(queries.compare_partners(codes, **options), "balance", fmt)


@app.command("partners")
def partners_command(reporter: ReporterOpt = "india", fmt: FormatOpt = Format.auto) -> None:
    """List every partner with its periods, currencies and flows, and those named without figures."""
    from . import queries, render

    flows = _load()
    render.render(queries.partner_list(_reporter(reporter, flows), flows), "partners", fmt)


@app.command()
def sources(partner: PartnersArg = None, reporter: ReporterOpt = "india", fmt: FormatOpt = Format.auto) -> None:
    """Show each figure behind the numbers with its exact quote and source document."""
    from . import queries, render

    flows = _load()
    codes = queries.resolve(partner or [], flows)
    render.render(queries.source_list(codes, _reporter(reporter, flows), flows), "sources", fmt)
