"""Period labels: calendar years (``2024``) and Indian fiscal years April–March (``FY2023-24``).

Grammar (whole label, no spaces):

* ``YYYY`` — calendar year, January–December (basis ``calendar``);
* ``FYYYYY-YY`` — Indian fiscal year from 1 April of the first year to 31 March of the
  next; the two-digit end year must follow the start year (basis ``fiscal-apr-mar``).

Plain Python: imported by the CLI for completion and parsing, so no pandas here.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .errors import UsageError

CALENDAR = "calendar"
FISCAL = "fiscal-apr-mar"
BASES = (CALENDAR, FISCAL)

_CAL = re.compile(r"(\d{4})", re.ASCII)  # ASCII digits only: "٢٠٢٤" is not a second "2024"
_FY = re.compile(r"FY(\d{4})-(\d{2})", re.ASCII)
# Forms people write that are close but ambiguous or non-canonical, with the canonical hint.
_NEAR_FY = re.compile(r"(?:FY\s*)?(\d{4})\s*[-‐‑–/]\s*(\d{2}|\d{4})", re.IGNORECASE | re.ASCII)


class Period(NamedTuple):
    """A parsed period label: its basis, its first calendar year, and the canonical label."""

    basis: str
    year: int
    label: str

    @property
    def sort_key(self) -> tuple[str, int]:
        """Order periods within a basis by start year."""
        return (self.basis, self.year)

    def previous(self) -> Period:
        """The period of the same basis immediately before this one."""
        return make(self.basis, self.year - 1)

    def next(self) -> Period:
        """The period of the same basis immediately after this one."""
        return make(self.basis, self.year + 1)


def make(basis: str, year: int) -> Period:
    """Build the period of ``basis`` that starts in ``year``."""
    if basis == CALENDAR:
        return Period(CALENDAR, year, f"{year:04d}")
    return Period(FISCAL, year, f"FY{year:04d}-{(year + 1) % 100:02d}")


def try_parse(label: str) -> Period | None:
    """Parse a canonical period label, or return None if it is not one."""
    if (m := _CAL.fullmatch(label)) is not None:
        return make(CALENDAR, int(m.group(1)))
    if (m := _FY.fullmatch(label)) is not None:
        start, end = int(m.group(1)), int(m.group(2))
        if (start + 1) % 100 == end:
            return make(FISCAL, start)
    return None


def hint(label: str) -> str:
    """A short suggestion for a label that does not parse."""
    m = _NEAR_FY.fullmatch(label.strip())
    if m is not None:
        start = int(m.group(1))
        return f"did you mean 'FY{start}-{(start + 1) % 100:02d}' (fiscal April–March) or '{start}' (calendar)?"
    return "use YYYY for a calendar year or FYYYYY-YY for an Indian fiscal year (April–March)"


def parse(label: str) -> Period:
    """Parse a period label typed by a user (any case); raise UsageError with a hint if it is not one."""
    period = try_parse(label.strip().upper())
    if period is None:
        raise UsageError(f"period '{label}' is not a period label; {hint(label)}")
    return period


def span(first: str | None, last: str | None) -> tuple[Period | None, Period | None]:
    """The ends of a span typed as ``--from FIRST --to LAST`` (either may be None: open at that end).

    Raises UsageError when the ends are of different bases (a fiscal year never runs to a calendar
    year) or the span runs backwards.
    """
    start = parse(first) if first is not None else None
    end = parse(last) if last is not None else None
    if start is not None and end is not None:
        if start.basis != end.basis:
            raise UsageError(
                f"--from {start.label} and --to {end.label} are of different bases (a fiscal year April–March and a "
                "calendar year): give both as FYYYYY-YY or both as YYYY"
            )
        if end.year < start.year:
            raise UsageError(f"--from {start.label} comes after --to {end.label}: give the earlier period with --from")
    return start, end


def within(label: str, start: Period | None, end: Period | None) -> bool:
    """Whether period ``label`` lies in the span from ``start`` to ``end`` (same basis; an open end admits any year)."""
    period = try_parse(label)
    ends = [p for p in (start, end) if p is not None]
    if period is None or not ends or any(period.basis != p.basis for p in ends):
        return period is not None and not ends
    return (start is None or period.year >= start.year) and (end is None or period.year <= end.year)
