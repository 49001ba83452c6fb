"""The names table: codes, display names and aliases of countries and country groups.

Plain Python (the csv module), so the CLI can resolve and complete partner names without
importing pandas.
"""

from __future__ import annotations

import csv
import json
import re
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


NAMES_HELP = "a CSV of name,code; see docs/official.md#names-tradestat-spells-its-own-way"
_CODE = re.compile(r"[A-Z]{3}", re.ASCII)


def read_user_names(source: str | Path) -> dict[str, str]:
    """Read a user's names file (name,code: a spelling and the ISO alpha-3 or user code it means).

    Returns {name: code}; raises TradeDataError naming the line of the first problem (an empty
    cell, a code that is not three capital letters, one name given two codes).
    """
    from . import reftables

    table: dict[str, tuple[str, str, int]] = {}
    for line, row in reftables.read_rows(source, ["name", "code"], ["name", "code"], "a names table"):
        if not row["name"]:
            raise reftables.problem(source, line, "name", f"empty; {NAMES_HELP}")
        if not _CODE.fullmatch(row["code"]):
            raise reftables.problem(
                source, line, "code", f"'{row['code']}' is not a code of three capital letters (ISO 3166-1 alpha-3, or XAA-XZZ)"
            )
        key = _key(row["name"])
        if key in table and table[key][1] != row["code"]:
            _, code, first = table[key]
            message = f"'{row['name']}' is already {code} (line {first}); give each name one code"
            raise reftables.problem(source, line, "code", message)
        table[key] = (row["name"], row["code"], line)
    return {name: code for name, code, _ in table.values()}


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


def spelling(code: str) -> str:
    """How to type a partner on the command line: a country's name ('new-zealand'), a group's code ('lac')."""
    entry = names().get(code)
    return slug(entry.name) if entry and entry.kind == "country" else code.lower()


def display(code: str) -> str:
    """The display name of a code; an unknown code is shown as itself."""
    entry = names().get(code)
    return entry.name if entry else code


#: Names longer than this are never looked up in the name library (no real name is this long).
_LONGEST_NAME = 80


#: Words a common name may add to the part the library's pattern matched ('republic of korea').
_FILLER = frozenset({"the", "of", "and", "republic"})


@cache
def _library_patterns() -> tuple[tuple[re.Pattern, str, frozenset[str]], ...] | None:
    """The name library's patterns, each with its ISO alpha-3 code and the words of its names; None when not installed.

    countryguess carries country_converter's patterns for common English names, abbreviations and
    former names (UAE, UK, Burma, Ivory Coast, Swaziland, ...). Imported here, only when the bundled
    table misses, so start-up and every bundled name stay free of it.
    """
    try:
        from importlib.resources import files

        import countryguess
    except ImportError:
        return None
    # The library's own table, read here because CountryData leaves its file open (a ResourceWarning).
    entries = json.loads(files(countryguess).joinpath("_countrydata.json").read_text(encoding="utf-8"))
    return tuple(
        (
            re.compile(entry["regex"], flags=re.IGNORECASE),
            entry["iso3"],
            frozenset(_key(f"{entry['name_short']} {entry['name_official']}").split()) | _FILLER,
        )
        for entry in entries
        if entry.get("iso3") and entry.get("regex")
    )


def common_name(text: str) -> str | None:
    """The ISO alpha-3 code of a common country name the bundled table lacks ('uae' -> 'ARE'), or None.

    Only a likely answer counts: exactly one country's pattern matches, and the words that are not
    that country's own names name no other country ('korea and japan' is no answer).
    """
    key = _key(text)
    patterns = _library_patterns() if 2 <= len(key) <= _LONGEST_NAME else None
    if not patterns:
        return None
    found = set()
    for pattern, code, words in patterns:
        if pattern.search(key):
            rest = " ".join(word for word in key.split() if word not in words)
            if not any(other.search(rest) for other, elsewhere, _ in patterns if elsewhere != code):  # not two countries
                found.add(code)
    return found.pop() if len(found) == 1 else None


def _distance(a: str, b: str, most: int) -> int:
    """Edit distance with swapped neighbours counting one (optimal string alignment); ``most + 1`` once past ``most``."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    before, row = None, list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (x != y))
            if before is not None and i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > most:
            return most + 1
        before, row = row, current
    return row[-1]


def suggest(key: str, table: dict[str, str]) -> str | None:
    """The code of the one spelling a typing slip away from ``key``, or None.

    A slip is one edit (a letter wrong, missing, extra, or two swapped) in names of up to six
    letters, two in longer ones; short codes are never offered (a miss on 'uae' is not 'ukraine').
    """
    if len(key) < 4 or len(key) > _LONGEST_NAME:
        return None
    most = 1 if len(key) <= 6 else 2
    found: dict[int, set[str]] = {}
    for spelling, code in table.items():
        if len(spelling) >= 4:
            distance = _distance(key, spelling, most)
            if distance <= most:
                found.setdefault(distance, set()).add(code)
    best = found[min(found)] if found else set()
    return best.pop() if len(best) == 1 else None


def resolve(text: str, known: set[str] | frozenset[str] = frozenset(), what: str = "partner") -> str:
    """Turn a name, code or alias (any case) into a code, or raise UnknownPartnerError.

    ``known`` adds codes that appear in the data but not in the names table. A common name the
    table lacks ('uae', 'burma') is looked up in the name library; a slip of the keyboard gets a
    suggestion only when one spelling is that close.
    """
    key = _key(text)
    table = _lookup() | {_key(code): code for code in known}
    if key in table:
        return table[key]
    code = common_name(text)
    if code is not None and (code in names() or code in known):
        return code
    close = suggest(key, table)
    hint = f"; did you mean '{slug(display(close))}'? See" if close else "; see"
    raise UnknownPartnerError(f"unknown {what} '{text}'{hint} `tradecli partners` for the names it knows")


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
