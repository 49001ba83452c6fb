"""The names table: codes, display names and aliases of countries and country groups.

Plain Python (the csv module), so the CLI can resolve and complete partner names without
importing pandas.
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import bundled
from .errors import UnknownPartnerError


@dataclass(frozen=True)
class Name:
    """One row of the names table."""

    code: str
    name: str
    kind: str  # "country" (ISO 3166-1 alpha-3) or "group" (a documented tradecli code)
    aliases: tuple[str, ...]
    member_of: tuple[str, ...]
    mentioned_in: tuple[str, ...]


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(";") if part.strip())


def read_names(file: Path) -> dict[str, Name]:
    """Read a names table (code,name,kind,aliases,member_of,mentioned_in) keyed by code."""
    with open(file, encoding="utf-8", newline="") as handle:
        return {
            row["code"]: Name(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                aliases=_split(row.get("aliases")),
                member_of=_split(row.get("member_of")),
                mentioned_in=_split(row.get("mentioned_in")),
            )
            for row in csv.DictReader(handle)
        }


def read_countries(file: Path) -> dict[str, Name]:
    """Read the ISO 3166-1 table (code,name,alpha2,other_names) keyed by alpha-3 code."""
    with open(file, encoding="utf-8", newline="") as handle:
        return {
            row["code"]: Name(
                code=row["code"],
                name=row["name"],
                kind="country",
                aliases=tuple(a for a in (row["alpha2"], *_split(row["other_names"])) if a and a != row["name"]),
                member_of=(),
                mentioned_in=(),
            )
            for row in csv.DictReader(handle)
        }


@cache
def names() -> dict[str, Name]:
    """Every known country (ISO 3166-1) and group, keyed by code; data/names.csv adds groups,
    aliases, memberships and the seed files that mention each."""
    table = read_countries(bundled.path("countries.csv"))
    for code, entry in read_names(bundled.path("names.csv")).items():
        base = table.get(code)
        if base is not None:  # keep the ISO names and alpha-2 code as aliases too
            entry = Name(code, entry.name, entry.kind, (*entry.aliases, *base.aliases), entry.member_of, entry.mentioned_in)
        table[code] = entry
    return table


def mentioned() -> list[str]:
    """Codes the source articles name (data/names.csv), in the table's order."""
    return [code for code, entry in names().items() if entry.mentioned_in]


def _key(text: str) -> str:
    """A spelling folded for matching: case, '&', hyphens, underscores and spaces don't matter."""
    return " ".join(text.casefold().replace("&", " and ").replace("-", " ").replace("_", " ").split())


def slug(name: str) -> str:
    """The shell-friendly spelling of a name: 'New Zealand' -> 'new-zealand'."""
    return _key(name).replace(" ", "-")


@cache
def _lookup() -> dict[str, str]:
    """Every accepted spelling (folded) mapped to its code."""
    return {_key(s): e.code for e in names().values() for s in (e.code, e.name, *e.aliases)}


def display(code: str) -> str:
    """The display name of a code; an unknown code is shown as itself."""
    entry = names().get(code)
    return entry.name if entry else code


def resolve(text: str, known: set[str] | frozenset[str] = frozenset(), what: str = "partner") -> str:
    """Turn a name, code or alias (any case) into a code, or raise UnknownPartnerError.

    ``known`` adds codes that appear in the data but not in the names table.
    """
    key = _key(text)
    table = _lookup() | {_key(code): code for code in known}
    if key in table:
        return table[key]
    close = difflib.get_close_matches(key, table, n=1, cutoff=0.6)
    suggestion = f"; did you mean '{slug(display(table[close[0]]))}'?" if close else ""
    raise UnknownPartnerError(f"unknown {what} '{text}'{suggestion or ';'} see `tradecli partners` for the names it knows")


def completions(incomplete: str) -> list[tuple[str, str]]:
    """Partner spellings starting with ``incomplete``, with their display names (for the shell)."""
    start = incomplete.casefold()
    out = []
    for entry in names().values():
        for spelling in (slug(entry.name), entry.code.casefold(), *entry.aliases):
            if spelling.startswith(start) and " " not in spelling:
                out.append((spelling, entry.name))
                break
    return out
