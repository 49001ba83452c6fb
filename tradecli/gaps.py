"""Two sources for the same figure side by side: an official value against another, with the gap.

Both sides are figures seen from one reporter's side (metrics.perspective). A figure is
matched only to the one with the same partner, flow, period and currency; a fiscal year is
never matched to a calendar year, nor one currency to another, and an unmatched figure says
why it has no counterpart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .metrics import decimals_of, exact

CHECK_COLUMNS = [
    "reporter", "partner", "flow", "period", "basis", "currency",
    "official", "other", "gap", "gap_pct", "official_source", "other_source", "reason",
    # extras, after the contract columns
    "official_flags", "other_flags", "official_figures", "other_figures", "scope",
]  # fmt: skip
_KEY = ["reporter", "partner", "flow", "period", "basis", "currency", "scope"]
_SIDE = ["value", "sources", "flags", "figures"]


def _why_missing(row: pd.Series, side: pd.DataFrame, name: str) -> str:
    """Why ``row`` has no figure on ``side`` (called ``name``): what that side holds instead."""
    same = side[(side["partner"] == row["partner"]) & (side["flow"] == row["flow"])]
    if same.empty:
        return f"no {name} figure"
    in_period = same[same["period"] == row["period"]]
    in_scope = in_period[in_period["currency"] == row["currency"]]
    if len(in_scope):  # same figure otherwise: only the scope differs
        scopes = ", ".join(sorted(set(in_scope["scope"])))
        return f"{name} has {row['period']} as {scopes} only: figures of different scopes are never compared"
    if len(in_period):
        currencies = ", ".join(sorted(set(in_period["currency"])))
        return f"{name} has {row['period']} in {currencies} only: currencies never matched unconverted"
    labels = ", ".join(dict.fromkeys(same.sort_values(["basis", "year"])["period"]))
    if (same["basis"] != row["basis"]).all():
        return f"{name} has {labels} only: fiscal and calendar years never matched"
    return f"no {name} figure for {row['period']} (it has {labels})"


def compare(official: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Each figure of ``official`` and ``other`` (perspective frames) matched on reporter, partner, flow, period and currency.

    Columns CHECK_COLUMNS: ``gap`` = other − official, ``gap_pct`` = gap ÷ official × 100
    (empty when the official value is 0); ``reason`` says why a figure has no counterpart.
    """
    left = official[[*_KEY, "year", *_SIDE]]
    right = other[[*_KEY, "year", *_SIDE]]
    joined = left.merge(right, on=[*_KEY, "year"], how="outer", suffixes=("_official", "_other"), indicator=True)
    reasons = [
        ""
        if where == "both"
        else _why_missing(row, right, "other")
        if where == "left_only"
        else _why_missing(row, left, "official")
        for where, (_, row) in zip(joined["_merge"], joined.iterrows(), strict=True)
    ]
    out = joined.assign(
        official=joined["value_official"],
        other=joined["value_other"],
        # Exact to the two figures' decimals: 18234.56789 − 16650.00000055 has 8, never float noise.
        gap=lambda f: exact(f["other"] - f["official"], np.maximum(decimals_of(f["other"]), decimals_of(f["official"]))),
        gap_pct=lambda f: 100 * f["gap"] / f["official"].where(f["official"] != 0),
        official_source=joined["sources_official"].fillna(""),
        other_source=joined["sources_other"].fillna(""),
        reason=reasons,
        official_flags=joined["flags_official"].fillna(""),
        other_flags=joined["flags_other"].fillna(""),
        official_figures=joined["figures_official"].fillna(""),
        other_figures=joined["figures_other"].fillna(""),
    )
    order = {"export": 0, "import": 1, "total": 2}
    return (
        out.assign(_flow=out["flow"].map(order))
        .sort_values(["reporter", "partner", "currency", "basis", "year", "_flow"])
        .reset_index(drop=True)[CHECK_COLUMNS]
    )
