"""Country groups (LAC, ASEAN, EU, GCC, SAARC) summed from their members' figures. Pandas only.

Membership comes from data/groups.csv, one row per group and member with the dates of joining
and leaving, the source that lists it and the date the list was checked (``as_of``). A member
counts for a period when it was a member on the period's first day.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import pandas as pd

from . import bundled, periods
from .flags import FROM_MEMBERS, merge

#: The columns a balance gains with ``--members`` (after metrics.BALANCE_COLUMNS).
MEMBER_COLUMNS = ["figure", "members", "members_missing", "gap_exports", "gap_imports", "gap_total", "membership", "coverage"]
REPORTED = "reported"
SUMMED = "sum of members"


@dataclass(frozen=True)
class Member:
    """One member of a group: its code, the dates it joined and left (None: open), and where that is written."""

    code: str
    since: datetime.date | None
    until: datetime.date | None
    source: str
    as_of: str


def _date(text: str) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text.strip() else None


@cache
def table() -> dict[str, tuple[Member, ...]]:
    """data/groups.csv: group code -> its members, in the order listed."""
    out: dict[str, list[Member]] = {}
    with open(bundled.path("groups.csv"), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            member = Member(row["member"], _date(row["member_since"]), _date(row["member_until"]), row["source"], row["as_of"])
            out.setdefault(row["group"], []).append(member)
    return {group: tuple(members) for group, members in out.items()}


def members_of(code: str) -> list[str]:
    """Every code that was ever a member of group ``code`` (none when it is not a group of data/groups.csv)."""
    return [m.code for m in table().get(code, ())]


def first_day(label: str) -> datetime.date:
    """The first day of a period: 1 January of a calendar year, 1 April of an Indian fiscal year."""
    period = periods.parse(label)
    return datetime.date(period.year, 1 if period.basis == periods.CALENDAR else 4, 1)


def members_on(code: str, day: datetime.date) -> list[str]:
    """The members of group ``code`` on ``day``."""
    return [m.code for m in table().get(code, ()) if (m.since is None or m.since <= day) and (m.until is None or day <= m.until)]


def _citation(code: str) -> str:
    sources = dict.fromkeys(f"{m.source} (checked {m.as_of})" for m in table().get(code, ()))
    return f"data/groups.csv: {'; '.join(sources)}"


def summed(code: str, members: pd.DataFrame) -> pd.DataFrame:
    """Group ``code``'s figures as the sum of its members' balances (metrics.BALANCE_COLUMNS rows of the members).

    One row per reporter, period, basis, currency and scope: exports and imports are the sums of
    the members' (members without figures in that period are listed in ``members_missing``, not
    counted as zero), total = exports + imports, balance = exports − imports; flags are the
    members' plus ``from-members``.
    """
    keys = ["reporter", "period", "basis", "currency", "scope"]
    rows = []
    for key, part in members.groupby(keys, sort=False):
        current = set(members_on(code, first_day(key[1])))
        part = part[part["partner"].isin(current)]
        if part.empty:
            continue
        listed = [m for m in members_of(code) if m in current]
        found = [m for m in listed if m in set(part["partner"])]
        exports, imports = part["exports"].sum(min_count=1), part["imports"].sum(min_count=1)
        rows.append(
            dict(zip(keys, key, strict=True))
            | {
                "partner": code,
                "exports": exports,
                "imports": imports,
                "total": exports + imports,
                "balance": exports - imports,
                "flags": merge([*part["flags"].astype("str"), FROM_MEMBERS]),
                "sources": ";".join(dict.fromkeys(s for v in part["sources"] for s in str(v).split(";") if s)),
                "figures": ";".join(dict.fromkeys(s for v in part["figures"] for s in str(v).split(";") if s)),
                "fx": ";".join(dict.fromkeys(s for v in part["fx"] for s in str(v).split(";") if s)),
                "derivation": f"derived: the sum of {len(found)} members' figures ({', '.join(found)}); "
                f"members on {first_day(key[1]).isoformat()} per {_citation(code)}",
                "figure": SUMMED,
                "members": ";".join(found),
                "members_missing": ";".join(m for m in listed if m not in found),
                "membership": _citation(code),
                "coverage": f"{len(found)} of {len(listed)}",
            }
        )
    return pd.DataFrame(rows)


def with_members(table: pd.DataFrame, codes: Sequence[str], balances: Callable[[list[str]], pd.DataFrame]) -> pd.DataFrame:
    """The balances with, for each group among ``codes``, its sum of members beside the figures reported for it.

    ``balances(codes)`` gives the balances of those partners (metrics.BALANCE_COLUMNS). A summed
    row carries ``gap_<flow>`` = sum of members − reported, where a reported row of the same
    reporter, period, basis, currency and scope exists (never across bases or currencies).
    """
    from .metrics import BALANCE_COLUMNS

    keys = ["reporter", "partner", "period", "basis", "currency", "scope"]
    parts = [table.assign(figure=REPORTED)]
    for code in codes:
        members = members_of(code)
        if not members:
            continue
        sums = summed(code, balances(members))
        if sums.empty:
            continue
        reported = table[table["partner"] == code][[*keys, "exports", "imports", "total"]].rename(
            columns={"exports": "_re", "imports": "_ri", "total": "_rt"}
        )
        sums = sums.merge(reported, on=keys, how="left")
        sums = sums.assign(
            gap_exports=sums["exports"] - sums["_re"],
            gap_imports=sums["imports"] - sums["_ri"],
            gap_total=sums["total"] - sums["_rt"],
        ).drop(columns=["_re", "_ri", "_rt"])
        sums = sums.assign(
            export_import_ratio=sums["exports"] / sums["imports"].where(sums["imports"] != 0),
            balance_pct_of_total=100 * sums["balance"] / sums["total"].where(sums["total"] != 0),
            total_check_gap=float("nan"),
        )
        parts.append(sums)
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=[*BALANCE_COLUMNS, *MEMBER_COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    for column in MEMBER_COLUMNS:
        if column not in out.columns:
            out[column] = ""
    out = out.assign(**{c: out[c].astype("float64") for c in ("gap_exports", "gap_imports", "gap_total")})
    text = ["members", "members_missing", "membership", "coverage"]
    out = out.assign(**{c: out[c].fillna("").astype("str") for c in text})
    order = {REPORTED: 0, SUMMED: 1}
    out = out.assign(_year=[periods.parse(p).year for p in out["period"]]).sort_values(
        ["reporter", "partner", "currency", "basis", "_year", "scope", "figure"],
        key=lambda c: c.map(order) if c.name == "figure" else c,
        kind="stable",
    )
    return out[[*BALANCE_COLUMNS, *MEMBER_COLUMNS]].reset_index(drop=True)
