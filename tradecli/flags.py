"""The flags a number carries, and how they combine. Plain Python.

Flags propagate: a result computed from flagged inputs carries every input's flags.
"""

from __future__ import annotations

from collections.abc import Iterable

APPROXIMATE = "approximate"  # the source qualifies the figure: "ca.", "around", "about", "approx"
PRELIMINARY = "preliminary"  # the source calls the figure preliminary
ESTIMATED = "estimated"  # the source marks the figure as an estimate, not as reported (Comtrade: isReported false)
PARTNER_REPORTED = "partner-reported"  # reported by the partner and mirrored to this reporter's side
DERIVED = "derived"  # a flow computed as a two-way total minus the other flow
CONVERTED = "converted"  # converted to another currency with a rate from the FX table
INCONSISTENT = "inconsistent-total"  # a reported total disagrees with its flows beyond rounding
SCOPE_INFERRED = "scope-inferred"  # neither the source nor a cited one says goods or services
FROM_MEMBERS = "from-members"  # a group's figure summed from its members' figures (data/groups.csv)
SUMMED = "summed"  # a product's value summed from its finer codes (products --level)

ORDER = (
    APPROXIMATE,
    PRELIMINARY,
    ESTIMATED,
    PARTNER_REPORTED,
    DERIVED,
    CONVERTED,
    INCONSISTENT,
    SCOPE_INFERRED,
    FROM_MEMBERS,
    SUMMED,
)

MEANING = {
    APPROXIMATE: "the source gives the figure as approximate (ca., around, about)",
    PRELIMINARY: "the source gives the figure as preliminary",
    ESTIMATED: "the source marks the figure as estimated, not as reported",
    PARTNER_REPORTED: "reported by the partner country and mirrored (its exports are our imports)",
    DERIVED: "a flow computed as total minus the other flow",
    CONVERTED: "converted to another currency at the rate shown",
    INCONSISTENT: "the reported total differs from exports + imports beyond rounding",
    SCOPE_INFERRED: "no source says whether the figure is goods, services or both; its scope is inferred",
    FROM_MEMBERS: "a group's figure summed from its members' figures (membership: data/groups.csv), not reported as such",
    SUMMED: "a product's value summed from the finer codes under it (only leaves: no code counted twice)",
}


def split(flags: str) -> list[str]:
    """The flags in a ';'-separated string."""
    return [f for f in flags.split(";") if f]


def merge(parts: Iterable[str]) -> str:
    """Union of ';'-separated flag strings, in the canonical order, ';'-separated."""
    found = {flag for part in parts for flag in split(part)}
    ordered = [f for f in ORDER if f in found] + sorted(found - set(ORDER))
    return ";".join(ordered)
