"""What a bilateral flow is made of: its products, their shares, concentration and dependence. Pandas only.

A figure's ``product`` is TOTAL (everything together) or a commodity code (HS chapter: 2 digits,
heading: 4, subheading: 6, a national tariff line: 8). ``table`` takes perspective figures
(metrics.perspective) and answers ``tradecli products``:

- **one level at a time.** Within a reporter × partner × period × currency × scope × flow, the
  products shown are the codes of one length: those reported at that length, else the *leaves*
  (codes with no longer code under them in the data) summed by their first digits (flag
  ``summed``). A heading is never added to its own chapter. Without a level: the shortest codes
  held.
- **share_pct** = value ÷ the flow's reported TOTAL figure (``flow_total_from`` reported), else
  ÷ the sum of the products shown at that level (``sum of products``).
- **concentration** over every product at that level (not only the --top shown): the shares
  s = value ÷ sum of products; ``top1_share_pct`` = largest s × 100, ``top5_share_pct`` = the
  five largest, ``hhi`` = Σ (100 s)² (Herfindahl–Hirschman index, 0–10,000).
- **own balance**: the product's exports − imports with the partner (empty where one is missing).
- **change** on the period before of the same basis (a gap stays a gap).
- **world_share_pct** = value ÷ the reporter's figure for the same product and flow with the
  World (partner WLD), rolled up the same way: the dependence question.

``figures``, ``flags`` and ``sources`` are those of every figure a row uses: the product's, the
flow's reported total and the World's (the previous period's are its own row's).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import flags as flag_defs
from . import periods as periods_mod
from .errors import NoFiguresError, UsageError
from .metrics import decimals_of, exact, tidy_figures, tidy_flags, tidy_list
from .validation import DEFAULT_PRODUCT

#: The partner code of the World (every partner together).
WORLD = "WLD"
#: The HS levels --level accepts: chapter, heading, subheading, national tariff line.
LEVELS = (2, 4, 6, 8)
#: How many products a table shows per flow when --top is not given.
DEFAULT_TOP = 10
PRODUCT_FLOWS = ("export", "import")

GROUP = ["reporter", "partner", "period", "basis", "currency", "scope", "flow"]
PRODUCT_COLUMNS = [
    "reporter", "partner", "period", "basis", "currency", "flow", "product", "description", "value", "share_pct",
    "flags", "sources",
    # extras, after the contract columns
    "rank", "level", "exports", "imports", "balance",
    "previous_period", "previous_value", "change", "change_pct",
    "world_value", "world_share_pct", "flow_total", "flow_total_from",
    "products_count", "top1_share_pct", "top5_share_pct", "hhi",
    "figures", "derivation", "scope",
]  # fmt: skip


#: A group without its partner: the key a level is carried by from a partner's products to the World's.
SIDE = [c for c in GROUP if c != "partner"]
_ROLLED = [*GROUP, "product", "value", "flags", "figures", "sources", "derivation", "level"]


def _rolled(long: pd.DataFrame, level: int | None, levels: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every group's products at one level (_ROLLED columns), and the level used per SIDE key.

    The level is ``level``; None: each group's shortest codes; ``levels`` (SIDE columns + level)
    gives it per key instead. Codes of that length are taken as given; the leaves of a branch
    not given at that length (codes no longer code starts with) are summed by their first
    ``level`` characters, flagged ``summed``. Done for every group at once, not group by group.
    """
    if long.empty:
        return pd.DataFrame(columns=_ROLLED), pd.DataFrame(columns=[*SIDE, "level"])
    frame = long.assign(length=long["product"].str.len())
    if levels is not None:
        frame = frame.merge(levels, on=SIDE, how="inner")
    elif level is None:
        frame = frame.assign(level=frame.groupby(GROUP, sort=False)["length"].transform("min"))
    else:
        frame = frame.assign(level=level)
    frame = frame.assign(head=[code[:n] for code, n in zip(frame["product"], frame["level"], strict=True)])
    given = frame[frame["length"] == frame["level"]]
    # Under a code given at its level nothing is summed: the code is the figure.
    longer = frame[frame["length"] > frame["level"]].merge(
        given[[*GROUP, "head"]].drop_duplicates(), on=[*GROUP, "head"], how="left", indicator=True
    )
    longer = longer[longer["_merge"] == "left_only"].drop(columns="_merge")
    leaves = longer[_leaves(longer)]
    parts = [given.assign(derivation="")]
    if len(leaves):
        ordered = leaves.assign(places=decimals_of(leaves["value"])).sort_values([*GROUP, "head", "product"], kind="stable")
        grouped = ordered.groupby([*GROUP, "head", "level"], sort=False)
        summed = grouped.agg(value=("value", "sum"), places=("places", "max"), count=("product", "size")).reset_index()
        # The rows are in group order: each group's cells are one slice, joined in plain Python (no per-group pandas call).
        starts = np.flatnonzero(np.diff(grouped.ngroup().to_numpy())) + 1
        joined = {
            c: [";".join(p) for p in np.split(ordered[c].to_numpy(dtype=object), starts)] for c in ("flags", "figures", "sources")
        }
        codes = [", ".join(p) for p in np.split(ordered["product"].to_numpy(dtype=object), starts)]
        parts.append(
            summed.assign(
                product=summed["head"],
                value=exact(summed["value"], summed["places"]),
                flags=tidy_flags(pd.Series(joined["flags"], index=summed.index) + ";" + flag_defs.SUMMED),
                figures=tidy_figures(pd.Series(joined["figures"], index=summed.index)),
                sources=tidy_list(pd.Series(joined["sources"], index=summed.index)),
                derivation=[f"sum of {n} code{'s' * (n > 1)}: {c}" for n, c in zip(summed["count"], codes, strict=True)],
            )
        )
    out = pd.concat([p[_ROLLED] for p in parts], ignore_index=True)
    return out, out[[*SIDE, "level"]].drop_duplicates(SIDE)


def _leaves(rows: pd.DataFrame) -> np.ndarray:
    """Whether each row's code is a leaf of its group: no longer code of the group starts with it (summing
    only leaves never counts a heading twice). In sorted order a code's successor starts with it if any does."""
    if rows.empty:
        return np.zeros(0, dtype=bool)
    ordered = rows.sort_values([*GROUP, "product"], kind="stable")
    same = np.ones(len(ordered), dtype=bool)
    for column in GROUP:
        values = ordered[column].to_numpy()
        same[:-1] &= values[1:] == values[:-1]
    same[-1] = False
    codes = ordered["product"].tolist()
    inner = [s and b.startswith(a) for s, a, b in zip(same, codes, [*codes[1:], ""], strict=True)]
    return ~pd.Series(inner, index=ordered.index).reindex(rows.index).to_numpy()


def table(
    long: pd.DataFrame,
    partners: Sequence[str],
    names: dict[str, str],
    periods: Sequence[str] = (),
    flow: str | None = None,
    level: int | None = None,
    top: int | None = DEFAULT_TOP,
    world: bool = False,
) -> pd.DataFrame:
    """The products of each flow with ``partners`` (PRODUCT_COLUMNS), largest first, ``top`` per flow.

    ``long``: perspective figures of every product and period for the reporter, with these
    partners and the World (WLD); ``names``: product code -> description. ``world``: refuse when
    no product has a World figure (the dependence share needs one).
    """
    if flow is not None and flow not in PRODUCT_FLOWS:
        raise UsageError(f"--flow '{flow}' is not one of {', '.join(PRODUCT_FLOWS)}")
    if level is not None and level not in LEVELS:
        raise UsageError(f"--level {level} is not one of {', '.join(map(str, LEVELS))} (HS digits)")
    if top is not None and top < 1:
        raise UsageError(f"--top {top}: give a number of products of at least 1")
    long = long[long["flow"].isin(PRODUCT_FLOWS)]  # both flows: a product's own balance needs the other one
    totals = long[long["product"] == DEFAULT_PRODUCT]
    items = long[long["product"] != DEFAULT_PRODUCT]
    mine = items[items["partner"].isin(partners)]
    if mine.empty:
        return pd.DataFrame(columns=PRODUCT_COLUMNS)
    rolled, used = _rolled(mine, level)
    if rolled.empty:
        held = ", ".join(map(str, sorted(set(mine["product"].str.len()))))
        raise NoFiguresError(
            f"no products at HS level {level} with {', '.join(partners)}: the data holds codes of {held} digits "
            "(a finer level cannot be made from coarser codes); try --level with one of those, or none"
        )
    rolled = _with_totals(rolled, totals)
    rolled = _with_concentration(rolled)
    rolled = _with_balance(rolled)
    rolled = _with_change(rolled)
    rolled = _with_world(rolled, items[items["partner"] == WORLD], used)
    shown = _shown_periods(rolled, periods) & (rolled["flow"] == flow if flow else True)
    if world and rolled.loc[shown, "world_value"].isna().all():
        what = ", ".join(dict.fromkeys(rolled.loc[shown, "period"]))
        raise NoFiguresError(
            f"no World figures by product for {', '.join(dict.fromkeys(rolled['reporter']))} in {what}: the share of the "
            "reporter's trade with the World needs rows with partner WLD for the same products; import a file that holds them"
        )
    out = (
        rolled[shown]
        .sort_values([*GROUP, "value"], ascending=[*[True] * len(GROUP), False], kind="stable")
        .assign(rank=lambda f: f.groupby(GROUP, sort=False).cumcount() + 1)
    )
    if top is not None:
        out = out[out["rank"] <= top]
    out = out.assign(description=out["product"].map(lambda code: names.get(code, "")))
    order = {p: n for n, p in enumerate(partners)}
    out = out.sort_values(
        ["reporter", "partner", "currency", "scope", "basis", "period", "flow", "rank"],
        key=lambda c: c.map(order) if c.name == "partner" else c,
        kind="stable",
    )
    return out[PRODUCT_COLUMNS].reset_index(drop=True)


def _with_totals(rolled: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """``flow_total``: the flow's reported TOTAL figure, else the sum of the products shown; and ``share_pct`` of it."""
    summed = rolled.groupby(GROUP, sort=False)["value"].transform("sum")
    reported = (
        totals[[*GROUP, "value", "figures", "flags", "sources"]]
        .drop_duplicates(GROUP)
        .rename(
            columns={"value": "reported_total", "figures": "total_figures", "flags": "total_flags", "sources": "total_sources"}
        )
    )
    joined = rolled.merge(reported, on=GROUP, how="left")
    has = joined["reported_total"].notna()
    flow_total = joined["reported_total"].where(has, summed.to_numpy())
    return _with_used(joined, "total_").assign(
        flow_total=flow_total,
        flow_total_from=np.where(has, "reported", "sum of products"),
        share_pct=100 * joined["value"] / flow_total.where(flow_total != 0),
    )


def _with_used(joined: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """The ids, flags and sources of another figure a row's numbers use (``prefix``: total_ for a flow's total,
    world_ for the World's) added to its own."""
    used = {c: joined[f"{prefix}{c}"].fillna("").astype("str") for c in ("figures", "flags", "sources")}
    return joined.drop(columns=[f"{prefix}{c}" for c in used]).assign(
        figures=tidy_figures(joined["figures"].astype("str") + ";" + used["figures"]),
        flags=tidy_flags(joined["flags"].astype("str") + ";" + used["flags"]),
        sources=tidy_list(joined["sources"].astype("str") + ";" + used["sources"]),
    )


def _with_concentration(rolled: pd.DataFrame) -> pd.DataFrame:
    """Per flow: how many products, the top 1 and top 5 shares and the Herfindahl–Hirschman index (shares of their sum)."""
    summed = rolled.groupby(GROUP, sort=False)["value"].transform("sum")
    share = 100 * rolled["value"] / summed.where(summed != 0)
    ranked = rolled.assign(_share=share).sort_values("_share", ascending=False, kind="stable")
    grouped = ranked.groupby(GROUP, sort=False)["_share"]
    stats = pd.DataFrame(
        {
            "products_count": grouped.size(),
            "top1_share_pct": grouped.max(),
            "top5_share_pct": grouped.apply(lambda s: s.head(5).sum()),
            "hhi": grouped.apply(lambda s: (s**2).sum()),
        }
    ).reset_index()
    return rolled.merge(stats, on=GROUP, how="left")


def _with_balance(rolled: pd.DataFrame) -> pd.DataFrame:
    """The product's own exports, imports and balance with the partner (empty where a flow has no figure)."""
    key = [c for c in GROUP if c != "flow"] + ["product"]
    wide = rolled.pivot_table(index=key, columns="flow", values="value", aggfunc="first").reindex(columns=list(PRODUCT_FLOWS))
    wide = wide.rename(columns={"export": "exports", "import": "imports"}).reset_index().rename_axis(columns=None)
    places = np.maximum(decimals_of(wide["exports"]), decimals_of(wide["imports"]))
    wide = wide.assign(balance=exact(wide["exports"] - wide["imports"], places))
    return rolled.merge(wide, on=key, how="left")


def _with_change(rolled: pd.DataFrame) -> pd.DataFrame:
    """Each product's change on the period before of the same basis (joined, so a missing period is a gap)."""
    previous = {p: periods_mod.parse(p).previous().label for p in rolled["period"].unique()}
    key = ["reporter", "partner", "basis", "currency", "scope", "flow", "product"]
    before = rolled[[*key, "period", "value", "level"]].rename(
        columns={"period": "previous_period", "value": "previous_value", "level": "previous_level"}
    )
    joined = rolled.assign(previous_period=rolled["period"].map(previous)).merge(before, on=[*key, "previous_period"], how="left")
    # Only the same product at the same level compares (a chapter summed one year, reported the next, still does).
    same = joined["previous_value"].notna() & (joined["previous_level"] == joined["level"])
    places = np.maximum(decimals_of(joined["value"]), decimals_of(joined["previous_value"]))
    change = pd.Series(exact(joined["value"] - joined["previous_value"], places), index=joined.index).where(same)
    base = joined["previous_value"].abs().where(same)
    return joined.drop(columns="previous_level").assign(
        previous_period=joined["previous_period"].where(same, ""),
        previous_value=joined["previous_value"].where(same),
        change=change,
        change_pct=100 * change / base.where(base != 0),
    )


def _with_world(rolled: pd.DataFrame, world: pd.DataFrame, used: pd.DataFrame) -> pd.DataFrame:
    """The reporter's figure for the same product and flow with the World, at the same level, and the share of it."""
    if world.empty:
        return rolled.assign(world_value=np.nan, world_share_pct=np.nan)
    at_world, _ = _rolled(world, None, levels=used)
    key = ["reporter", "period", "basis", "currency", "scope", "flow", "product"]
    values = (
        at_world[[*key, "value", "figures", "flags", "sources"]]
        .drop_duplicates(key)
        .rename(columns={"value": "world_value", "figures": "world_figures", "flags": "world_flags", "sources": "world_sources"})
    )
    joined = _with_used(rolled.merge(values, on=key, how="left"), "world_")
    return joined.assign(world_share_pct=100 * joined["value"] / joined["world_value"].where(joined["world_value"] != 0))


def _shown_periods(rolled: pd.DataFrame, periods: Sequence[str]) -> pd.Series:
    """Rows of the periods asked; none asked: each basis's latest period."""
    if periods:
        return rolled["period"].isin(list(periods))
    year = rolled["period"].map(lambda p: periods_mod.parse(p).year)
    latest = year.groupby(rolled["basis"]).transform("max")
    return year == latest
