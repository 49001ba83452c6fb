"""Currency conversion with explicit, cited rates (data/fx.csv); never implicit.

A rate row says: 1 ``base`` = ``rate`` ``quote_currency`` for ``period``, with its source and
the words it came from. A rate converts figures of exactly that period (either direction).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import bundled
from .errors import TradeDataError, UsageError
from .flags import CONVERTED, merge
from .validation import currencies

RATE_COLUMNS = ["id", "base", "quote_currency", "period", "rate", "status", "source", "quote", "derivation"]


def load_rates(file: Path | None = None) -> pd.DataFrame:
    """Read an FX table (RATE_COLUMNS); the bundled data/fx.csv by default."""
    file = file or bundled.path("fx.csv")
    rates = pd.read_csv(file, dtype="str", keep_default_na=False).assign(rate=lambda f: pd.to_numeric(f["rate"], errors="coerce"))
    if rates["rate"].isna().any() or (rates["rate"] <= 0).any():
        raise TradeDataError(f"{file}: every rate must be a positive number")
    return rates


def _lookup(rates: pd.DataFrame, target: str) -> pd.DataFrame:
    """Rates into ``target`` keyed by (currency, period): the direct ones and the inverses."""

    def cited(f: pd.DataFrame) -> pd.Series:
        return f["id"] + ": " + f["period"] + ", " + f["source"] + ")"

    # Lambdas, not outside Series: assigning a Series to an empty frame would adopt its rows.
    direct = rates[rates["quote_currency"] == target].rename(columns={"base": "currency"}).assign(how=lambda f: " (" + cited(f))
    inverse = (
        rates[rates["base"] == target]
        .rename(columns={"quote_currency": "currency"})
        .assign(
            how=lambda f: " (1 ÷ " + f["rate"].map(lambda r: f"{r:.6g}").astype("str") + ", " + cited(f),
            rate=lambda f: 1 / f["rate"],
        )
    )
    both = pd.concat([direct, inverse], ignore_index=True).drop_duplicates(["currency", "period"])
    return both.assign(
        fx=lambda f: "1 " + f["currency"] + " = " + f["rate"].map(lambda r: f"{r:.6g}").astype("str") + " " + target + f["how"],
        fx_flags=lambda f: f["status"].map(lambda s: merge([CONVERTED, *(t for t in s.split(";") if t and t != "reported")])),
    ).rename(columns={"id": "rate_id", "source": "rate_source"})[
        ["currency", "period", "rate", "fx", "fx_flags", "rate_id", "rate_source"]
    ]


def to_currency(figures: pd.DataFrame, target: str, rates: pd.DataFrame) -> pd.DataFrame:
    """Express perspective figures in ``target``: figures already in it are kept, others converted.

    Where a figure exists both in ``target`` and in another currency, the one reported in
    ``target`` is used and no conversion is made. Converted rows carry the flag ``converted``
    (plus the rate's own flags) and the rate used in ``fx``. Raises TradeDataError naming
    every missing rate.
    """
    target = target.strip().upper()
    if target not in currencies():
        raise UsageError(f"--currency '{target}' is not an ISO 4217 currency code (USD, NZD, INR, ...)")
    known = set(rates["base"]) | set(rates["quote_currency"]) | set(figures["currency"])
    if target not in known:
        raise TradeDataError(
            f"no figures or exchange rates in {target}; choose one of {', '.join(sorted(known))}, "
            "or add a cited rate to data/fx.csv"
        )
    key = ["reporter", "partner", "flow", "period", "scope"]
    native = figures[figures["currency"] == target]
    others = (
        figures[figures["currency"] != target]
        .merge(native[key].drop_duplicates(), on=key, how="left", indicator=True)
        .query("_merge == 'left_only'")
        .drop(columns="_merge")
        .sort_values([*key, "currency"])
        .drop_duplicates(key)  # two foreign currencies for one figure: convert one, deterministically
    )
    converted = others.merge(_lookup(rates, target), on=["currency", "period"], how="left", suffixes=("", "_rate"))
    missing = converted[converted["rate"].isna()][["currency", "period"]].drop_duplicates()
    if not missing.empty:
        pairs = ", ".join(f"{c}→{target} for {p}" for c, p in missing.itertuples(index=False, name=None))
        raise TradeDataError(
            f"no exchange rate {pairs} in the FX table (data/fx.csv); add a cited rate for that period, "
            "or drop --currency to keep each figure in its own currency"
        )
    converted = converted.assign(
        value=converted["value"] * converted["rate"],
        currency=target,
        figures=converted["figures"] + ";" + converted["rate_id"],
        sources=converted["sources"] + ";" + converted["rate_source"],
        flags=[merge([a, b]) for a, b in zip(converted["flags"], converted["fx_flags"], strict=True)],
    ).drop(columns=["rate", "fx_flags", "rate_id", "rate_source"])
    return pd.concat([native.assign(fx=""), converted], ignore_index=True)
