"""Charts of balance results (part of rendering): text bars for a terminal, SVG or PNG via matplotlib.

A chart draws a balance frame (metrics.BALANCE_COLUMNS) as it is: the only arithmetic here is
scaling bars to a width. One chart per currency and period basis, so US$ and NZ$, or fiscal and
calendar years, never share an axis. Surplus and deficit differ in characters and words, not
only in colour, so a chart reads the same with NO_COLOR or through a pipe. matplotlib is the
optional extra ``charts`` and is imported only to write an image.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import IO, Any

from .. import flags as flag_defs
from .. import partners, periods
from ..errors import MissingExtraError, UsageError
from . import SCOPE_WORDS, SHORT_FLAG, again_of, common_decimals, footnotes, number_text, products_words, records, unit
from .safetext import safe_text

EXPORTS, IMPORTS, DEFICIT, SURPLUS = "█", "░", "-", "+"
LEGEND = f"{EXPORTS} exports  {IMPORTS} imports  balance = exports − imports: {DEFICIT} deficit, {SURPLUS} surplus"
IMAGE_SUFFIXES = (".svg", ".png")
TEXT_SUFFIXES = (".txt",)
_BASIS = {periods.CALENDAR: "calendar years", periods.FISCAL: "fiscal years, Apr–Mar"}
# Beside the bars: "  exports  " (11) before, " {value:>8}  deficit" (1 + 8 + 9) after, and one
# column spare; a longer value widens its column and shortens the bars, so a line never wraps.
_LABEL_WIDTH, _MIN_VALUE_WIDTH, _AROUND_BARS = 7, 8, 11 + 1 + 9 + 1


@dataclass
class Group:
    """The rows of one chart: a single currency and period basis."""

    title: str
    currency: str
    basis: str
    rows: list[dict[str, Any]]


def groups(frame) -> list[Group]:
    """Split a balance frame into charts of one currency, basis and scope each, in the frame's order."""
    rows = records(frame)
    keys = list(dict.fromkeys((r["currency"], r["basis"], r.get("scope")) for r in rows))
    out = []
    for code, basis, scope in keys:
        mine = [r for r in rows if (r["currency"], r["basis"], r.get("scope")) == (code, basis, scope)]
        who = ", ".join(dict.fromkeys(partners.display(str(r["reporter"])) for r in mine))
        names = ", ".join(dict.fromkeys(partners.display(str(r["partner"])) for r in mine))
        what = f"{SCOPE_WORDS.get(scope, scope)}, " if scope else ""
        heading = (
            f"{who}'s trade with {names}{products_words(mine)}, {what}{unit(code)[:-2]} million ({_BASIS.get(basis, basis)})"
        )
        out.append(Group(heading, code, basis, mine))
    return out


def output_kind(path: str | None) -> str:
    """What an --output name asks for: 'svg', 'png' or 'text' (none, '-', or .txt); else a UsageError."""
    if path is None or path == "-" or path.lower().endswith(TEXT_SUFFIXES):
        return "text"
    for suffix in IMAGE_SUFFIXES:
        if path.lower().endswith(suffix):
            return suffix[1:]
    raise UsageError(f"{path}: a chart is written as .svg or .png (an image) or .txt (text); choose one of those endings")


def _cells(value: float | None, top: float, width: int) -> int:
    """Bar length in character cells: value ÷ top × width, rounded half up; 0 for nothing or below zero."""
    if value is None or top <= 0 or value <= 0:
        return 0
    return int(value / top * width + 0.5)


def _word(balance: float | None) -> str:
    if balance is None:
        return ""
    return "surplus" if balance > 0 else "deficit" if balance < 0 else "even"


def _flags(row: dict[str, Any]) -> str:
    return " ".join(SHORT_FLAG.get(f, f) for f in flag_defs.split(str(row.get("flags") or "")))


def text_lines(group: Group, width: int):
    """The lines of one text chart as Rich Text: title, legend, then per period two bars and the balance."""
    from rich.text import Text

    top = max((v for r in group.rows for v in (r["exports"], r["imports"]) if v is not None), default=0)
    decimals = common_decimals([v for r in group.rows for v in (r["exports"], r["imports"], r["balance"])])
    value_width = max(
        _MIN_VALUE_WIDTH, *(len(number_text(r[k], decimals)) for r in group.rows for k in ("exports", "imports", "balance"))
    )
    bar_width = max(10, min(width - _AROUND_BARS - value_width, 70))
    yield Text(safe_text(group.title), style="bold")
    yield Text(LEGEND)
    for r in group.rows:
        yield Text("")
        yield Text(safe_text(f"{partners.display(str(r['partner']))} {r['period']}" + (f"  {_flags(r)}" if _flags(r) else "")))
        for label, char, style in (("exports", EXPORTS, "cyan"), ("imports", IMPORTS, "magenta")):
            line = Text(f"  {label:<{_LABEL_WIDTH}}  ")
            bar = char * _cells(r[label], top, bar_width)
            line.append(bar, style=style)
            line.append(" " * (bar_width - len(bar)) + f" {number_text(r[label], decimals):>{value_width}}")
            yield line
        # The balance spans the gap between the two bars: '-' where imports pass exports (deficit).
        low, high = sorted((_cells(r["exports"], top, bar_width), _cells(r["imports"], top, bar_width)))
        low = min(low, bar_width - 1)  # a balance too small to see still gets one mark
        balance = r["balance"]
        mark = "" if not balance else (SURPLUS if balance > 0 else DEFICIT) * max(high - low, 1)
        line = Text(f"  {'balance':<{_LABEL_WIDTH}}  " + " " * low)
        line.append(mark, style="green" if balance and balance > 0 else "red")
        pad = bar_width - low - len(mark)
        word = f"  {_word(balance)}" if _word(balance) else ""
        line.append(" " * max(pad, 0) + f" {number_text(balance, decimals):>{value_width}}" + word)
        yield line


def write_text(frame, out: IO[str]) -> None:
    """Write text charts, one per currency and basis, then the footnotes (flags, derivations, rates, sources)."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False, soft_wrap=False)
    for n, group in enumerate(groups(frame)):
        if n:
            console.print()
        for line in text_lines(group, console.width):
            console.print(line)
    console.print()
    for note in footnotes("chart", records(frame), again=again_of(frame)):
        console.print(Text(safe_text(note), style="dim"))


def _matplotlib():
    try:
        import matplotlib
    except ImportError:
        raise MissingExtraError("a chart image", "matplotlib", "charts") from None
    matplotlib.use("Agg")  # files only, never a window
    return matplotlib


# Stable files: the same chart gives the same bytes (svg ids from a fixed salt, no date), and
# SVG text stays text (searchable, selectable) rather than glyph outlines.
_RC = {"svg.hashsalt": "tradecli", "svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9}


def _image_text(text: str) -> str:
    """Data as image text: controls escaped (an SVG stays well-formed XML), $ literal (never mathtext)."""
    return safe_text(text).replace("$", r"\$")


def write_image(frame, out: IO[bytes], kind: str) -> None:
    """Write the charts as one SVG or PNG image: a panel per currency and basis, with title, unit, period labels and sources."""
    matplotlib = _matplotlib()
    from matplotlib.figure import Figure

    charts = groups(frame)
    notes = [_image_text(note) for note in footnotes("chart", records(frame), again=again_of(frame))]
    wrapped = [line for note in notes for line in textwrap.wrap(note, 110)]
    with matplotlib.rc_context(_RC):
        height = sum(1.2 + 0.9 * len(g.rows) for g in charts) + 0.18 * len(wrapped) + 0.6
        figure = Figure(figsize=(8, max(height, 3)), layout="constrained")
        axes = figure.subplots(len(charts), 1, squeeze=False)[:, 0]
        for ax, group in zip(axes, charts, strict=True):
            _draw(ax, group)
        figure.get_layout_engine().set(h_pad=0.15)
        footer = figure.supxlabel("\n".join(wrapped), x=0.01, ha="left", fontsize=7, color="#444444")
        footer.set_multialignment("left")
        metadata = {"Date": None} if kind == "svg" else {"Software": None}
        figure.savefig(out, format=kind, dpi=120, metadata=metadata)


def _draw(ax, group: Group) -> None:
    """One panel: horizontal bars of exports and imports per period, the balance hatched and labelled."""
    rows = group.rows
    decimals = common_decimals([v for r in rows for v in (r["exports"], r["imports"], r["balance"])])
    labels = [
        _image_text(f"{partners.display(str(r['partner']))} {r['period']}") + (f"\n{_flags(r)}" if _flags(r) else "")
        for r in rows
    ]
    positions = list(range(len(rows)))[::-1]  # first row on top
    height = 0.27
    for offset, name, colour, hatch in ((height, "exports", "#1f77b4", None), (0, "imports", "#ff7f0e", "..")):
        values = [r[name] or 0 for r in rows]
        ax.barh([p + offset for p in positions], values, height=height, color=colour, hatch=hatch, label=name, edgecolor="white")
        for p, r in zip(positions, rows, strict=True):
            ax.annotate(
                number_text(r[name], decimals),
                (max(r[name] or 0, 0), p + offset),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
            )
    for p, r in zip(positions, rows, strict=True):
        balance = r["balance"]
        if balance is None:
            continue
        # Deficit and surplus differ in hatching and words, not only in colour.
        surplus = balance > 0
        ax.barh(
            p - height,
            balance,
            height=height,
            color="#2ca02c" if surplus else "#d62728",
            hatch="++" if surplus else "--",
            edgecolor="white",
            label="balance: surplus" if surplus else "balance: deficit",
        )
        ax.annotate(
            f"{number_text(balance, decimals)} {_word(balance)}",
            (max(balance, 0), p - height),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
        )
    from matplotlib.ticker import StrMethodFormatter

    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(positions, labels)
    ax.set_xlabel(unit(group.currency).replace(" m", " million"))
    ax.set_title("\n".join(textwrap.wrap(group.title, 55)), loc="left", fontweight="bold")
    ax.margins(x=0.18)
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
