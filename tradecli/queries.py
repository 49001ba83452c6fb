"""The questions tradecli answers, as library calls: each returns a pandas DataFrame.

Every CLI command is one of these calls plus rendering; see docs/library.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from . import currency as fx
from . import gaps, metrics, official, partners
from .errors import UnknownPartnerError, UsageError
from .read import flows as flows_mod
from .validation import DEFAULT_PRODUCT, FLOWS

DEFAULT_REPORTER = "IND"
PARTNER_COLUMNS = [
    "code", "name", "kind", "status", "periods", "bases", "currencies", "flows", "figures", "mentioned_in", "scopes",
    "products",
]  # fmt: skip
PROBLEM_COLUMNS = ["file", "line", "column", "value", "code", "message", "severity"]
SOURCE_COLUMNS = [
    "id",
    "reporter",
    "partner",
    "flow",
    "period",
    "basis",
    "currency",
    "value",
    "status",
    "source",
    "quote",
    "note",
    "file",
    "line",
    "scope",
    "scope_from",
    "scope_source",
    "scope_quote",
    "product",
    "product_name",
]


def _figures(flows: flows_mod.Flows | None) -> pd.DataFrame:
    """The figures every question but ``products`` answers from: product TOTAL only (one rule, both engines)."""
    return totals_only((flows or flows_mod.load()).figures)


def totals_only(figures: pd.DataFrame) -> pd.DataFrame:
    """The figures of product TOTAL (all goods or services together); a frame without products is all TOTAL."""
    if "product" not in figures.columns:
        return figures
    product = figures["product"]
    return figures[product.isna() | product.isin([DEFAULT_PRODUCT, ""])]


def known_codes(flows: flows_mod.Flows | None = None) -> set[str]:
    """Every reporter and partner code in the data."""
    return (flows or flows_mod.load()).codes


def resolve(
    names: Sequence[str], flows: flows_mod.Flows | None = None, *more: flows_mod.Flows, known: set[str] | None = None
) -> list[str]:
    """Partner names, codes or aliases (any case) as codes, in order, without repeats.

    ``known`` adds codes the data uses (default: those of ``flows``); ``more`` adds codes of other data.
    """
    known = known if known is not None else known_codes(flows).union(*(known_codes(m) for m in more))
    return list(dict.fromkeys(partners.resolve(n, known) for n in names))


def resolve_lazily(names: Sequence[str], codes: Callable[..., set[str]], what: str = "partner") -> list[str]:
    """Like ``resolve``, asking the data only about names the names table does not know.

    ``codes(code)`` says whether the data has one code; ``codes()`` lists them all (for a suggestion).
    """
    out = []
    for name in names:
        try:
            if not name.strip():
                raise UsageError(f"an empty {what} name; give a name, an ISO code or an alias")
            out.append(partners.resolve(name, what=what))
        except UnknownPartnerError:
            guess = name.strip().upper()
            if len(guess) == 3 and guess.isalpha() and codes(guess):
                out.append(guess)
            else:
                out.append(partners.resolve(name, codes(), what=what))
    return list(dict.fromkeys(out))


def balance(
    partner_codes: Sequence[str] | None = None,
    periods: Sequence[str] = (),
    currency: str | None = None,
    reporter: str | Sequence[str] | None = DEFAULT_REPORTER,
    flows: flows_mod.Flows | None = None,
    rates: pd.DataFrame | None = None,
    scope: str | None = None,
) -> pd.DataFrame:
    """Balances from ``reporter``'s side (metrics.BALANCE_COLUMNS), optionally converted to ``currency``;
    empty when there are none. ``periods`` are canonical labels (periods.parse); none keeps all.

    ``reporter`` None: every reporter in the data, each from its own side. The question's
    defaults (which reporter, which files) are decided by dataset.Dataset.
    """
    one = periods[0] if len(periods) == 1 else None
    if (
        currency is None
        and scope is None
        and len(periods) <= 1
        and flows is not None
        and flows.answers(reporter, partner_codes, one)
    ):
        # Big files: the wide table was reduced in DuckDB; the measures are the same code.
        return metrics.in_order(metrics.measures(flows.wide), list(partner_codes or []))
    long = metrics.select(metrics.perspective(_figures(flows), reporter), list(partner_codes or []), list(periods), scope)
    if currency is not None:
        long = fx.to_currency(long, currency, rates if rates is not None else fx.load_rates())
    return metrics.in_order(metrics.balances(long), list(partner_codes or []))


def crosscheck(
    partner_codes: Sequence[str],
    official_flows: flows_mod.Flows | None = None,
    flows: flows_mod.Flows | None = None,
    reporter: str = DEFAULT_REPORTER,
    periods: Sequence[str] = (),
    flow: str | None = None,
    mirror: bool = False,
    scope: str | None = None,
) -> pd.DataFrame:
    """Two sources side by side for the same partner, period and flow (gaps.CHECK_COLUMNS).

    With ``official_flows``: those figures are the official side, ``flows`` the other. With
    ``mirror``: ``reporter``'s own figures in ``flows`` are the official side, the partners'
    (mirrored to ``reporter``'s side, flagged partner-reported) the other.
    """
    if flow is not None and flow not in FLOWS:
        raise UsageError(f"--flow '{flow}' is not one of {', '.join(FLOWS)}")
    if mirror == (official_flows is not None):
        raise UsageError("give one of --official FILE (the official figures) or --mirror (the partners' own figures)")
    figures = _figures(flows)
    if mirror:
        mine = metrics.perspective(figures[figures["reporter"] == reporter], reporter)
        theirs = metrics.perspective(figures[figures["partner"] == reporter], reporter)
    else:
        mine = metrics.perspective(totals_only(official_flows.figures), reporter)
        theirs = metrics.perspective(figures, reporter)
    mine, theirs = (metrics.select(side, list(partner_codes), list(periods), scope) for side in (mine, theirs))
    if flow:
        mine, theirs = mine[mine["flow"] == flow], theirs[theirs["flow"] == flow]
    what = f"{reporter} with {', '.join(partner_codes)}" + (f" in {', '.join(periods)}" if periods else "")
    return metrics.require(gaps.compare(mine, theirs), what)


def import_official(fmt: str, files: Sequence[str | Path], **options) -> official.Imported:
    """Official files (tradestat|comtrade) as checked rows of the flows schema; see official.convert."""
    return official.convert(fmt, files, **options)


def partner_list(reporter: str | None = DEFAULT_REPORTER, flows: flows_mod.Flows | None = None) -> pd.DataFrame:
    """Every partner of ``reporter`` (None: of any reporter) with its periods, currencies and flows, and the named ones
    without figures."""
    every = metrics.perspective((flows or flows_mod.load()).figures, reporter)
    long = totals_only(every)
    by_product = every[every["product"] != DEFAULT_PRODUCT]
    rows = []
    named = partners.mentioned() if flows is None or flows.bundled else []
    codes = list(dict.fromkeys([*sorted(set(every["partner"])), *named]))
    for code in codes:
        if code == reporter:
            continue
        products = by_product[by_product["partner"] == code]
        mine = long[long["partner"] == code]
        # A partner with figures by product only is listed from those (``tradecli products`` answers on them).
        status = "figures" if len(mine) else "by product only" if len(products) else "no figures"
        mine = (mine if len(mine) else products).sort_values(["basis", "year"])
        entry = partners.names().get(code)
        rows.append(
            {
                "code": code,
                "name": partners.display(code),
                "kind": entry.kind if entry else "country",
                "status": status,
                "periods": ";".join(dict.fromkeys(mine["period"])),
                "bases": ";".join(dict.fromkeys(mine["basis"])),
                "currencies": ";".join(sorted(set(mine["currency"]))),
                "flows": ";".join(f for f in ("export", "import", "total") if f in set(mine["flow"])),
                "figures": len(mine),
                "mentioned_in": ";".join(entry.mentioned_in) if entry else "",
                "scopes": ";".join(sorted(set(mine["scope"]))),
                "products": products["product"].nunique(),
            }
        )
    return pd.DataFrame(rows, columns=PARTNER_COLUMNS)


def figures_of(
    reporter: str | None = DEFAULT_REPORTER,
    partner_codes: Sequence[str] | None = None,
    flows: flows_mod.Flows | None = None,
    periods: Sequence[str] = (),
    scope: str | None = None,
) -> pd.DataFrame:
    """The figures behind a reporter's numbers with these partners (SOURCE_COLUMNS); no rows is an empty frame.

    ``reporter`` None: figures of any reporter; ``periods`` (labels) none: all.
    """
    figures = _figures(flows)
    if reporter is None:
        keep = figures["partner"].isin(partner_codes) | figures["reporter"].isin(partner_codes) if partner_codes else None
        chosen = figures[keep] if keep is not None else figures
    else:
        own = figures["reporter"] == reporter
        mirror = figures["partner"] == reporter
        if partner_codes:
            own &= figures["partner"].isin(partner_codes)
            mirror &= figures["reporter"].isin(partner_codes)
        chosen = figures[own | mirror]
    if periods:
        chosen = chosen[chosen["period"].isin(list(periods))]
    if scope:
        chosen = chosen[chosen["scope"] == scope]
    return chosen[SOURCE_COLUMNS].reset_index(drop=True)


def figures_behind(table: pd.DataFrame, flows: flows_mod.Flows | None = None) -> pd.DataFrame:
    """The figures whose ids a result lists in its ``figures`` column (SOURCE_COLUMNS), in first-seen order."""
    ids = list(dict.fromkeys(part for cell in table["figures"] for part in str(cell).split(";") if part))
    figures = (flows or flows_mod.load()).figures  # every product: a products answer lists commodity figures
    found = figures[figures["id"].isin(ids)]
    order = found["id"].map({figure_id: n for n, figure_id in enumerate(ids)})
    return found.assign(_order=order).sort_values("_order", kind="stable")[SOURCE_COLUMNS].reset_index(drop=True)


def load(data: Sequence[str | Path] | None = None, with_bundled: bool = False, env: str | None = None) -> flows_mod.Flows:
    """Read and check figures: ``data`` files, else the ``env`` path list (TRADECLI_DATA), else the bundled data.

    ``with_bundled`` adds the bundled figures to your own. See flows.resolve_sources.
    """
    return flows_mod.load(flows_mod.resolve_sources(data, with_bundled, env))


def check(data: Sequence[str | Path] | None = None, with_bundled: bool = False, env: str | None = None) -> pd.DataFrame:
    """Every problem in the files (resolved as ``load`` does), as rows of PROBLEM_COLUMNS; empty when all is well."""
    problems = flows_mod.check(flows_mod.resolve_sources(data, with_bundled, env))
    return pd.DataFrame([p.as_dict() for p in problems], columns=PROBLEM_COLUMNS).astype({"line": "Int64"})
