"""Currency conversion with explicit, cited rates (data/fx.csv); never implicit.

A rate row says: 1 ``base`` = ``rate`` ``quote_currency`` for ``period``, with its source and
the words it came from. A rate converts figures of exactly that period (either direction).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import bundled, reftables
from .errors import TradeDataError, UsageError
from .flags import CONVERTED, merge
from .validation import STATUSES, currencies

RATE_COLUMNS = ["id", "base", "quote_currency", "period", "rate", "status", "source", "quote", "derivation"]


RATE_REQUIRED = ["id", "base", "quote_currency", "period", "rate", "source", "quote"]
#: Where the FX table's columns are documented, for messages.
RATES_HELP = "see docs/data.md#exchange-rates"
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?", re.ASCII)


def read_rates(source: str | Path) -> list[dict[str, str]]:
    """Read and check one FX table (RATE_COLUMNS): every rate cited, positive and for a valid period.

    Raises TradeDataError naming the file, line and column of the first problem. Rows carry ``line``.
    """
    from . import periods

    what = "an exchange-rate table"
    rows = []
    for line, row in reftables.read_rows(source, RATE_COLUMNS, RATE_REQUIRED, what):

        def bad(column: str, message: str, line: int = line) -> TradeDataError:
            return reftables.problem(source, line, column, f"{message}; {RATES_HELP}")

        for column in RATE_REQUIRED:
            if not row[column]:
                raise bad(column, f"empty; every rate needs its {column}")
        for column in ("base", "quote_currency"):
            if row[column] not in currencies():
                raise bad(column, f"'{row[column]}' is not an ISO 4217 currency code (USD, NZD, INR, ...)")
        if row["base"] == row["quote_currency"]:
            raise bad("quote_currency", f"the same currency as base ({row['base']})")
        try:
            row["period"] = periods.parse(row["period"]).label
        except UsageError as exc:
            raise bad("period", str(exc)) from None
        number = float(row["rate"]) if _NUMBER.fullmatch(row["rate"]) else None
        if number is None or not math.isfinite(number) or number <= 0:
            raise bad("rate", f"'{row['rate']}' is not a positive number (digits and a decimal point)")
        if not set(filter(None, (s.strip() for s in row["status"].split(";")))) <= set(STATUSES):
            raise bad("status", f"'{row['status']}' is not a ';'-separated list of {', '.join(STATUSES)}")
        rows.append({**row, "status": row["status"] or "reported", "line": str(line)})
    return rows


def load_rates(file: Path | None = None, more: Sequence[str | Path] = ()) -> pd.DataFrame:
    """Read FX tables (RATE_COLUMNS): the bundled data/fx.csv (or ``file``) and the user's ``more`` (--fx).

    Two rates for the same pair and period (either direction), or two rates with one id, are refused.
    """
    first = file or bundled.path("fx.csv")
    seen: dict[tuple[str, str, str], str] = {}
    ids: dict[str, str] = {}
    rows = []
    for source in [first, *more]:
        for row in read_rates(source):
            name = "the bundled fx.csv" if file is None and source is first else "<stdin>" if str(source) == "-" else str(source)
            where = f"{name} line {row['line']}"
            pair = tuple(sorted((row["base"], row["quote_currency"]))) + (row["period"],)
            if row["id"] in ids:
                raise reftables.problem(source, int(row["line"]), "id", f"id '{row['id']}' is already used ({ids[row['id']]})")
            if pair in seen:
                raise reftables.problem(
                    source,
                    int(row["line"]),
                    "rate",
                    f"a second {row['base']}/{row['quote_currency']} rate for {row['period']} ({seen[pair]}); "
                    "keep one rate per pair and period",
                )
            ids[row["id"]], seen[pair] = where, where
            rows.append(row)
    return pd.DataFrame(rows, columns=RATE_COLUMNS).assign(rate=lambda f: f["rate"].astype("float64"))


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
            f"or give a file of cited rates with --fx FILE ({RATES_HELP})"
        )
    key = ["reporter", "partner", "flow", "period", "scope"]
    native = figures[figures["currency"] == target]
    others = (
        figures[figures["currency"] != target]
        .merge(native[key].drop_duplicates(), on=key, how="left", indicator=True)
        .pipe(lambda f: f[f["_merge"] == "left_only"])
        .drop(columns="_merge")
        .sort_values([*key, "currency"])
        .drop_duplicates(key)  # two foreign currencies for one figure: convert one, deterministically
    )
    converted = others.merge(_lookup(rates, target), on=["currency", "period"], how="left", suffixes=("", "_rate"))
    missing = converted[converted["rate"].isna()][["currency", "period"]].drop_duplicates()
    if not missing.empty:
        pairs = ", ".join(f"{c}→{target} for {p}" for c, p in missing.itertuples(index=False, name=None))
        raise TradeDataError(
            f"no exchange rate {pairs}; give a file of cited rates for that period with --fx FILE ({RATES_HELP}), "
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
