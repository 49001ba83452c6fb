"""Balances, ratios and year-on-year change from reported figures. Pandas only.

Figures stay long (one row per reporter × partner × flow × period × currency) until
``balances`` pivots them, derives what can be derived, and computes the measures at full
precision. Rounding belongs to rendering.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pandas as pd

from . import periods
from .errors import MixedBasisError, NoFiguresError, TradeDataError
from .flags import DERIVED, INCONSISTENT, PARTNER_REPORTED, SCOPE_INFERRED, merge
from .validation import DEFAULT_PRODUCT, TOTAL_TOLERANCE

IDENTITY = ["reporter", "partner", "period", "basis", "currency"]
#: Figures combine only within one of these: a scope (goods, services, both) is part of what a figure is.
GROUP = [*IDENTITY, "scope"]
MEASURES = ["exports", "imports", "total", "balance"]
#: The wide table between the reduction and the measures: one row per key, the three flows as given.
WIDE_KEYS = ["reporter", "partner", "period", "basis", "year", "currency", "scope"]
FLOW_COLUMNS = ("export", "import", "total")
WIDE_COLUMNS = [*WIDE_KEYS, *FLOW_COLUMNS, "flags", "figures", "sources", "fx"]
BALANCE_COLUMNS = [
    *IDENTITY, "exports", "imports", "total", "balance", "export_import_ratio", "balance_pct_of_total",
    "flags", "sources",
    # extras, after the contract columns
    "figures", "derivation", "total_check_gap", "fx", "scope",
]  # fmt: skip
YEARS_COLUMNS = [
    *IDENTITY,
    *[c for m in MEASURES for c in (m, f"{m}_change", f"{m}_change_pct")],
    "flags", "sources",
    "previous_period", "figures", "fx", "scope",
]  # fmt: skip

_MIRROR_FLOW = {"export": "import", "import": "export", "total": "total"}
_PERSPECTIVE_COLUMNS = [
    "reporter",
    "partner",
    "flow",
    "period",
    "basis",
    "year",
    "currency",
    "value",
    "flags",
    "figures",
    "sources",
    "scope",
    "product",
]


def _by_value(values: pd.Series, func) -> pd.Series:
    """``func`` applied once per distinct value (flags and statuses repeat a lot)."""
    return values.map({v: func(v) for v in values.unique()})


def figure_flags(status: str, mirrored: bool = False) -> str:
    """The flags of one figure: its status words other than ``reported``, plus ``partner-reported`` if mirrored."""
    return merge([*(t for t in status.split(";") if t.strip() != "reported"), PARTNER_REPORTED if mirrored else ""])


def perspective(figures: pd.DataFrame, reporter: str | Sequence[str] | None) -> pd.DataFrame:
    """Figures seen from ``reporter``'s side: its own, plus partners' mirrored where it has none.

    A partner's exports to the reporter become the reporter's imports (and the reverse); such
    rows carry the flag ``partner-reported``. ``reporter`` None means every reporter in the
    data, each from its own side; a list means those reporters. Columns: reporter, partner, flow, period, basis, year,
    currency, value, flags, figures (ids), sources (files).
    """
    if "product" not in figures.columns:  # figures made without the product column are all TOTAL
        figures = figures.assign(product=DEFAULT_PRODUCT)
    # A figure whose scope is inferred carries the flag scope-inferred, as a status word would.
    marked = figures["status"] + (figures["scope_from"] == "inferred").map({True: ";" + SCOPE_INFERRED, False: ""})
    base = figures.assign(
        marked=marked,
        flags=_by_value(marked, figure_flags),
        figures=figures["id"],
        sources=figures["source"],
    )
    if reporter is None or not isinstance(reporter, str):  # every reporter, or a list of them
        chosen = set(base["reporter"]) if reporter is None else set(reporter)
        own, about = base[base["reporter"].isin(chosen)], base[base["partner"].isin(chosen)]
    else:
        own, about = base[base["reporter"] == reporter], base[base["partner"] == reporter]
    mirrored = about.assign(
        partner=about["reporter"],
        reporter=about["partner"],
        flow=about["flow"].map(_MIRROR_FLOW),
        flags=_by_value(about["marked"], lambda s: figure_flags(s, mirrored=True)),
    )
    key = ["reporter", "partner", "flow", "period", "currency", "scope", "product"]
    mirrored = (
        mirrored.merge(own[key].drop_duplicates(), on=key, how="left", indicator=True)
        .pipe(lambda f: f[f["_merge"] == "left_only"])
        .drop(columns="_merge")
    )
    return pd.concat([own, mirrored], ignore_index=True)[_PERSPECTIVE_COLUMNS]


def _join(values: pd.Series) -> str:
    """Distinct non-empty ';'-separated parts, in first-seen order."""
    seen: dict[str, None] = {}
    for value in values:
        for part in str(value).split(";"):
            if part:
                seen.setdefault(part, None)
    return ";".join(seen)


_DERIVATIONS = ((1, "exports = total − imports"), (2, "imports = total − exports"), (4, "total = exports + imports"))


#: The most decimals a figure is taken to have (the output contract's DECIMALS).
MAX_DECIMALS = 10


def decimals_of(values) -> np.ndarray:
    """How many decimals (0–10) each figure has: those of its shortest exact form (repr); 0 for missing.

    A figure read from "56951.05" is the float whose shortest form is 56951.05, so it has 2; a
    converted figure with a long fraction has 10 (MAX_DECIMALS: that many or more).
    """
    v = np.asarray(values, dtype="float64")
    return _decimals_vector(v.ravel()).reshape(v.shape)


def _decimals_vector(v: np.ndarray) -> np.ndarray:
    """``_decimals`` of every value, in numpy: the fewest decimals d whose d-decimal text reads back as the value.

    N = round(v × 10**d) is exact, and N / 10**d (both exact doubles) is the correctly rounded double of
    that d-decimal text, as float("N.dd") is; so the test holds exactly where v × 10**d is well inside 2**52.
    Values beyond that at every d tried (huge ones) go through ``_decimals`` one by one.
    """
    found = np.full(v.shape, -1, dtype="int64")
    unsure = np.zeros(v.shape, dtype=bool)
    finite = np.isfinite(v)
    found[~finite] = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for d in range(MAX_DECIMALS):
            scale = 10.0**d
            scaled = v * scale
            safe = finite & (np.abs(scaled) < 2.0**50)
            open_ = found < 0
            unsure |= open_ & finite & ~safe
            hit = open_ & safe & (np.round(np.where(safe, scaled, 0.0)) / scale == v)
            found[hit] = d
    rest = found < 0
    found[rest & ~unsure] = MAX_DECIMALS
    slow = np.flatnonzero(rest & unsure)
    if slow.size:
        found[slow] = [_decimals(x) for x in v[slow].tolist()]
    return found


def _decimals(x: float) -> int:
    if not math.isfinite(x):
        return 0
    exponent = Decimal(repr(x)).normalize().as_tuple().exponent
    return min(max(-int(exponent), 0), MAX_DECIMALS)


def exact(values, decimals) -> np.ndarray:
    """Sums and differences of figures rounded to their inputs' decimals: exact to the source's precision.

    A sum of figures with at most d decimals has at most d, so rounding there removes only float
    noise (56951.0499999999 is 56951.05); values too large to scale exactly are left as they are.
    """
    v = np.asarray(values, dtype="float64")
    scale = 10.0 ** np.asarray(decimals)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = v * scale
    # MAX_DECIMALS means "that many or more" (a converted figure, a ratio): left at full precision.
    safe = np.isfinite(scaled) & (np.abs(scaled) < 2.0**52) & (np.asarray(decimals) < MAX_DECIMALS)
    return np.where(safe, np.round(np.where(safe, scaled, 0.0)) / scale, v)


def _concat(cells: pd.DataFrame) -> pd.Series:
    """Row-wise ';'-join of text columns, vectorised (missing cells are empty)."""
    columns = [cells[c].astype("object").where(cells[c].notna(), "").astype("str") for c in cells.columns]
    out = columns[0]
    for column in columns[1:]:
        out = out + ";" + column
    return out


def tidy_figures(joined: pd.Series) -> pd.Series:
    """Figure ids joined with ';' and empty parts dropped (``a;;b;`` -> ``a;b``)."""
    return joined.str.replace(r";+", ";", regex=True).str.strip(";")


def tidy_flags(joined: pd.Series) -> pd.Series:
    """';'-joined flags as one canonical flag set (flags.merge), each distinct value computed once."""
    return _by_value(joined, lambda v: merge([v]))


def flags_of_statuses(joined: pd.Series) -> pd.Series:
    """';'-joined statuses (and ``partner-reported`` marks) as one canonical flag set, like the figures' flags merged."""
    return _by_value(joined, figure_flags)


def tidy_list(joined: pd.Series) -> pd.Series:
    """';'-joined parts, distinct and non-empty, in first-seen order; each distinct value computed once."""
    return _by_value(joined, lambda v: _join([v]))


def reduce(long: pd.DataFrame) -> pd.DataFrame:
    """Long perspective figures to the wide table (WIDE_COLUMNS): one row per reporter × partner × period × currency.

    ``export``, ``import`` and ``total`` are the figures as given (NaN where a flow has none);
    ``flags`` is the canonical set of the figures' flags; ``figures`` their ids and ``sources``,
    ``fx`` their distinct sources and rates, listed export, import, total. Nothing is summed: a
    key has at most one figure per flow (a duplicate fails loudly), so the order of the rows
    cannot change a number. ``bigfiles.wide`` builds the same table in DuckDB for big files.
    """
    if long.empty:
        return pd.DataFrame(columns=WIDE_COLUMNS)
    if "fx" not in long.columns:
        long = long.assign(fx="")
    # pivot, not pivot_table: one figure per key, and a duplicate must fail loudly, not be summed.
    both = long.pivot(index=WIDE_KEYS, columns="flow", values=["value", "flags", "figures", "sources", "fx"])  # noqa: PD010
    values = both["value"].reindex(columns=list(FLOW_COLUMNS)).astype("float64")
    joined = {name: _concat(both[name].reindex(columns=list(FLOW_COLUMNS))) for name in ("flags", "figures", "sources", "fx")}
    return (
        values.assign(
            flags=tidy_flags(joined["flags"]),
            figures=tidy_figures(joined["figures"]),
            sources=tidy_list(joined["sources"]),
            fx=tidy_list(joined["fx"]),
        )
        .reset_index()
        .rename_axis(columns=None)[WIDE_COLUMNS]
    )


def measures(wide: pd.DataFrame) -> pd.DataFrame:
    """The balance measures of a wide table (WIDE_COLUMNS, from ``reduce`` or ``bigfiles.wide``): BALANCE_COLUMNS.

    A missing flow is derived from a two-way total (flag ``derived``); a missing total is
    exports + imports. Where a total and both flows are reported, ``total_check_gap`` is
    exports + imports − total, and a gap beyond rounding adds the flag ``inconsistent-total``.
    Ratios divide by a zero as NaN, never inf. Every engine's wide table goes through this one
    function, so the arithmetic is written once.
    """
    if wide.empty:
        return pd.DataFrame(columns=BALANCE_COLUMNS)
    e, i, t = (wide[c].astype("float64") for c in FLOW_COLUMNS)
    derived_e = e.isna() & i.notna() & t.notna()
    derived_i = i.isna() & e.notna() & t.notna()
    # Each row's results are exact to the most decimals among its figures (no 56951.0499999999).
    places = np.maximum.reduce([decimals_of(e), decimals_of(i), decimals_of(t)])

    def fixed(values: pd.Series) -> pd.Series:
        return pd.Series(exact(values, places), index=values.index)

    exports = fixed(e.fillna(t - i))
    imports = fixed(i.fillna(t - e))
    total = fixed(t.fillna(e + i))
    gap = fixed(e + i - t).where(e.notna() & i.notna() & t.notna())
    inconsistent = (gap.abs() > TOTAL_TOLERANCE * t) | (exports < 0) | (imports < 0)
    how = derived_e.astype(int) + 2 * derived_i.astype(int) + 4 * (t.isna() & total.notna()).astype(int)
    derivation = how.map({n: "; ".join(text for bit, text in _DERIVATIONS if n & bit) for n in range(8)})
    extra = ((derived_e | derived_i).astype(int) + 2 * inconsistent.astype(int)).map(
        {n: merge([DERIVED if n & 1 else "", INCONSISTENT if n & 2 else ""]) for n in range(4)}
    )
    out = (
        wide[[*WIDE_KEYS]]
        .assign(
            exports=exports,
            imports=imports,
            total=total,
            balance=lambda f: fixed(f["exports"] - f["imports"]),
            export_import_ratio=lambda f: f["exports"] / f["imports"].where(f["imports"] != 0),
            balance_pct_of_total=lambda f: 100 * f["balance"] / f["total"].where(f["total"] != 0),
            derivation=derivation,
            total_check_gap=gap,
            flags=tidy_flags(wide["flags"].astype("str") + ";" + extra),
            figures=wide["figures"],
            sources=wide["sources"],
            fx=wide["fx"],
        )
        .sort_values(["reporter", "partner", "currency", "basis", "year", "scope"])
        .reset_index(drop=True)
    )
    if np.isinf(out[["exports", "imports", "total", "balance"]].to_numpy(dtype="float64")).any():
        raise TradeDataError("a result is too large to compute (it overflows to infinity); check the values of the figures")
    # A ratio of a tiny denominator can overflow too: like a zero one, it has no meaningful value.
    ratios = ["export_import_ratio", "balance_pct_of_total"]
    out = out.assign(**{c: out[c].where(~np.isinf(out[c].astype("float64"))) for c in ratios})
    return out[BALANCE_COLUMNS]


def balances(long: pd.DataFrame) -> pd.DataFrame:
    """One row per reporter × partner × period × currency with the balance measures (BALANCE_COLUMNS):
    ``measures(reduce(long))``."""
    return measures(reduce(long))


def year_on_year(table: pd.DataFrame) -> pd.DataFrame:
    """Change between each period and the one before it of the same basis (YEARS_COLUMNS).

    Each row is joined to the immediately preceding period of the same reporter, partner,
    basis and currency, so a missing period leaves the changes empty (a gap, not a jump).
    ``<m>_change_pct`` = change / |previous| × 100: a widening deficit is a negative change.
    Flags, sources and exchange rates (``fx``) are those of both periods.
    """
    if table.empty:
        return pd.DataFrame(columns=YEARS_COLUMNS)
    parsed = table["period"].map(periods.parse)
    current = table.assign(previous_period=[p.previous().label for p in parsed])
    carried = ["flags", "sources", "figures", "fx"]
    before = table[["reporter", "partner", "basis", "currency", "scope", "period", *MEASURES, *carried]].rename(
        columns={"period": "previous_period", **{c: f"{c}_before" for c in [*MEASURES, *carried]}}
    )
    joined = current.merge(before, on=["reporter", "partner", "basis", "currency", "scope", "previous_period"], how="left")
    has_before = joined["flags_before"].notna()
    changes = {}
    for m in MEASURES:
        places = np.maximum(decimals_of(joined[m]), decimals_of(joined[f"{m}_before"]))
        change = pd.Series(exact(joined[m] - joined[f"{m}_before"], places), index=joined.index)
        base = joined[f"{m}_before"].abs()
        changes[m] = joined[m]
        changes[f"{m}_change"] = change
        changes[f"{m}_change_pct"] = 100 * change / base.where(base != 0)
    out = joined.assign(
        **changes,
        flags=[merge([a, b if h else ""]) for a, b, h in zip(joined["flags"], joined["flags_before"], has_before, strict=True)],
        sources=[
            _join([a, b if h else ""]) for a, b, h in zip(joined["sources"], joined["sources_before"], has_before, strict=True)
        ],
        figures=[
            _join([b if h else "", a]) for a, b, h in zip(joined["figures"], joined["figures_before"], has_before, strict=True)
        ],
        fx=[_join([b if h else "", a]) for a, b, h in zip(joined["fx"], joined["fx_before"], has_before, strict=True)],
        previous_period=joined["previous_period"].where(has_before, ""),
    )
    return out[YEARS_COLUMNS].reset_index(drop=True)


def _slots(table: pd.DataFrame, partners: list[str]) -> dict[str, set[tuple[str, str, str]]]:
    """Each partner's (period, currency, scope) slots: what side_by_side matches, never one scope beside another."""
    slot = ("period", "currency", "scope")
    return {p: set(zip(*(table.loc[table["partner"] == p, c] for c in slot), strict=True)) for p in partners}


def left_out(table: pd.DataFrame, partners: list[str]) -> dict[str, tuple[list[tuple[str, str, str]], list[str]]]:
    """What side_by_side leaves out of ``table``: per partner, its (period, currency, scope) slots that not every
    partner has, sorted, and the partners that lack one of them (in the order asked); partners losing nothing are absent."""
    slots = _slots(table, partners)
    shared = set.intersection(*slots.values()) if slots else set()
    out = {}
    for p in partners:
        lost = sorted(slots[p] - shared)
        if lost:
            out[p] = (lost, [q for q in partners if q != p and any(s not in slots[q] for s in lost)])
    return out


def _why_unshared(slots: dict[str, set[tuple[str, str, str]]]) -> str:
    """Why partners' (period, currency, scope) slots have none in common, in one sentence: the first cause that
    no other option would mend (a partner without figures), then currency, kind of year, scope, period."""
    empty = [p for p, s in slots.items() if not s]
    currencies = {cur for s in slots.values() for _, cur, _ in s}
    bases = {periods.parse(per).basis for s in slots.values() for per, _, _ in s}
    scopes = {scope for s in slots.values() for _, _, scope in s}
    if empty:
        verb = "has" if len(empty) == 1 else "have"
        return f" {', '.join(empty)} {verb} no figures of the period, currency and scope asked for."
    if len(currencies) > 1:
        return " Figures in different currencies are never compared unconverted: try --currency USD."
    if len(bases) > 1:
        return " A fiscal year (FY, April–March) is never compared with a calendar year."
    if len(scopes) > 1:
        return " Goods, services, and goods and services are never set side by side."
    return " They have no period in common."


def side_by_side(table: pd.DataFrame, partners: list[str]) -> pd.DataFrame:
    """The partners' balances for the periods and currencies they all share (BALANCE_COLUMNS).

    Raises MixedBasisError when they share none: a fiscal year is never matched to a calendar
    year, nor one currency to another.
    """
    slots = _slots(table, partners)
    shared = set.intersection(*slots.values()) if slots else set()
    if not shared:
        described = "; ".join(
            f"{p}: {', '.join(f'{per} {cur} {scope}' for per, cur, scope in sorted(s)) or 'no figures'}" for p, s in slots.items()
        )
        raise MixedBasisError(f"these partners share no period and currency ({described}).{_why_unshared(slots)}")
    keep = pd.Series(
        [(p, c, s) in shared for p, c, s in zip(table["period"], table["currency"], table["scope"], strict=True)],
        index=table.index,
    )
    order = {p: n for n, p in enumerate(partners)}
    return (
        table[keep & table["partner"].isin(partners)]
        .sort_values(
            ["currency", "scope", "basis", "period", "partner"],
            key=lambda c: c.map(order) if c.name == "partner" else c,
            kind="stable",
        )
        .reset_index(drop=True)
    )


def in_order(table: pd.DataFrame, partners: list[str]) -> pd.DataFrame:
    """The rows of ``partners`` in the order asked (each partner's rows keep their order); others after."""
    if len(partners) < 2:
        return table
    order = {p: n for n, p in enumerate(partners)}
    return table.sort_values("partner", key=lambda c: c.map(order).fillna(len(order)), kind="stable").reset_index(drop=True)


def select(
    long: pd.DataFrame,
    partners: Sequence[str] | None = None,
    periods: Sequence[str] | None = None,
    scope: str | None = None,
) -> pd.DataFrame:
    """Keep the figures of the given partners (codes), period labels and scope; none keeps all."""
    keep = pd.Series(True, index=long.index)
    if partners:
        keep &= long["partner"].isin(list(partners))
    if periods:
        keep &= long["period"].isin(list(periods))
    if scope:
        keep &= long["scope"] == scope
    return long[keep]


def require(table: pd.DataFrame, what: str) -> pd.DataFrame:
    """Raise TradeDataError when a result has no rows; say what was asked for."""
    if table.empty:
        raise NoFiguresError(f"no figures for {what}; see `tradecli partners` for what the data holds")
    return table


# --- shares of the world total -----------------------------------------------------------------

#: The partner code of the reporter's trade with the whole world (TradeStat's "India's Total", Comtrade's World).
WORLD = "WLD"
SHARE_COLUMNS = ["exports_share_pct", "imports_share_pct", "total_share_pct"]
#: The World's figures a share is taken of, beside it (so a share can be checked by hand).
WORLD_COLUMNS = ["world_exports", "world_imports", "world_total", "world_figures"]


def shares(table: pd.DataFrame, what: str = "these figures") -> pd.DataFrame:
    """The balances with each partner's share of the reporter's trade with the World (BALANCE_COLUMNS,
    SHARE_COLUMNS, WORLD_COLUMNS).

    A partner's row is matched to the World row of the same reporter, period, basis, currency and
    scope, nothing else: a fiscal year's share is never taken of a calendar year's total, nor a
    partner-reported figure's share of another currency's. A row without such a World row has
    empty shares (a gap). Raises NoFiguresError when no row has one.
    """
    keys = ["reporter", "period", "basis", "currency", "scope"]
    world = table[table["partner"] == WORLD][[*keys, "exports", "imports", "total", "flags", "figures", "sources", "fx"]]
    if world.empty:
        raise NoFiguresError(
            f"no world total for {what}: a share needs the reporter's trade with the World in the same period, "
            "currency and scope (TradeStat's India's Total row, Comtrade's partner World); import a file that has it"
        )
    world = world.rename(
        columns={
            "exports": "world_exports", "imports": "world_imports", "total": "world_total", "flags": "_wflags",
            "figures": "world_figures", "sources": "_wsources", "fx": "_wfx",
        }
    )  # fmt: skip
    joined = table.merge(world, on=keys, how="left")
    has = joined["world_figures"].notna()
    out = joined.assign(
        exports_share_pct=100 * joined["exports"] / joined["world_exports"].where(joined["world_exports"] != 0),
        imports_share_pct=100 * joined["imports"] / joined["world_imports"].where(joined["world_imports"] != 0),
        total_share_pct=100 * joined["total"] / joined["world_total"].where(joined["world_total"] != 0),
        flags=[merge([a, b if h else ""]) for a, b, h in zip(joined["flags"], joined["_wflags"], has, strict=True)],
        sources=[_join([a, b if h else ""]) for a, b, h in zip(joined["sources"], joined["_wsources"], has, strict=True)],
        fx=[_join([a, b if h else ""]) for a, b, h in zip(joined["fx"], joined["_wfx"], has, strict=True)],
        world_figures=joined["world_figures"].where(has, ""),
    )
    extra = [c for c in table.columns if c not in BALANCE_COLUMNS]
    # New columns only ever at the end (docs/output.md): the balance's own first, then the shares and the World's.
    return out[[*BALANCE_COLUMNS, *extra, *SHARE_COLUMNS, *WORLD_COLUMNS]].reset_index(drop=True)


# --- growth over a span ------------------------------------------------------------------------

GROWTH_COLUMNS = [
    "reporter", "partner", "from", "to", "basis", "currency", "years",
    "exports_cagr_pct", "imports_cagr_pct", "total_cagr_pct",
    "exports_from", "exports_to", "imports_from", "imports_to", "total_from", "total_to", "balance_from", "balance_to",
    "flags", "sources",
    "periods_found", "periods_missing", "figures", "derivation", "fx", "scope",
]  # fmt: skip


def cagr(first: pd.Series, last: pd.Series, years: pd.Series) -> pd.Series:
    """Compound annual growth rate in %: ((last ÷ first)^(1/years) − 1) × 100; NaN unless both are positive and years > 0."""
    ok = (first > 0) & (last > 0) & (years > 0)
    ratio = (last / first.where(ok)).astype("float64")
    return 100 * (ratio ** (1 / years.where(ok).astype("float64")) - 1)


def growth(table: pd.DataFrame, start: periods.Period | None = None, end: periods.Period | None = None) -> pd.DataFrame:
    """Compound annual growth from ``start`` to ``end`` per reporter, partner, basis, currency and scope (GROWTH_COLUMNS).

    ``table`` holds balances of every period (BALANCE_COLUMNS). Only periods of the ends' basis
    count; an open end is the group's first or last period. The ends' figures are shown as they
    are; a period in between without figures is listed in ``periods_missing`` (never interpolated:
    the rate uses the two ends only), and a missing end leaves the rates empty.
    """
    basis = next((p.basis for p in (start, end) if p is not None), None)
    rows = []
    for key, part in table.groupby(["reporter", "partner", "basis", "currency", "scope"], sort=False):
        reporter, partner, group_basis, currency, scope = key
        if basis is not None and group_basis != basis:
            continue
        by_year = {periods.parse(str(r["period"])).year: r for r in part.to_dict("records")}
        years_held = sorted(by_year)
        first = start.year if start is not None else years_held[0]
        last = end.year if end is not None else years_held[-1]
        inside = [y for y in years_held if first <= y <= last]
        if not inside:
            continue
        a, b = by_year.get(first), by_year.get(last)
        label = periods.make(group_basis, first).label
        label_to = periods.make(group_basis, last).label
        row = {
            "reporter": reporter, "partner": partner, "from": label, "to": label_to, "basis": group_basis,
            "currency": currency, "years": last - first, "scope": scope,
            "periods_found": ";".join(periods.make(group_basis, y).label for y in inside),
            "periods_missing": ";".join(periods.make(group_basis, y).label for y in range(first, last + 1) if y not in by_year),
            "flags": merge([str(r["flags"]) for r in (a, b) if r is not None]),
            "sources": _join([str(r["sources"]) for r in (a, b) if r is not None]),
            "figures": _join([str(r["figures"]) for r in (a, b) if r is not None]),
            "fx": _join([str(r["fx"] or "") for r in (a, b) if r is not None]),
        }  # fmt: skip
        for m in MEASURES:
            row[f"{m}_from"] = a[m] if a is not None else np.nan
            row[f"{m}_to"] = b[m] if b is not None else np.nan
        ends = list(dict.fromkeys(x for x in (first, last) if x in by_year))
        inner = [
            f"{by_year[y]['period']}: {part}"
            for y in ends
            for part in str(by_year[y]["derivation"] or "").split("; ")
            if part and not part.startswith("total =")
        ]
        how = (
            f"no rate: one period ({label}) in the span"
            if last == first
            else f"derived: CAGR = ((value {label_to} ÷ value {label})^(1/{last - first}) − 1) × 100 from the two ends' "
            "figures; periods in between are not used"
        )
        row["derivation"] = how + "".join(f"; {x}" for x in inner)
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=GROWTH_COLUMNS)
    out = pd.DataFrame(rows)
    years = out["years"].astype("int64")
    for m in ("exports", "imports", "total"):
        out[f"{m}_from"] = out[f"{m}_from"].astype("float64")
        out[f"{m}_to"] = out[f"{m}_to"].astype("float64")
        out[f"{m}_cagr_pct"] = cagr(out[f"{m}_from"], out[f"{m}_to"], years)
    out["balance_from"] = out["balance_from"].astype("float64")
    out["balance_to"] = out["balance_to"].astype("float64")
    return out.assign(years=years)[GROWTH_COLUMNS]
