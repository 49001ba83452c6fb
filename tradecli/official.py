"""Official statistics in the flows schema: India's TradeStat tables and UN Comtrade data.

Each reader turns one downloaded file into rows of the flows.csv schema (text cells, exact
decimal values) with provenance: ``source`` is the file's name, ``quote`` the line or record
the figure came from, ``note`` how it was read. ``convert`` then checks the rows with the
same checks as ``tradecli validate`` before anything is written. Nothing here writes a file.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from . import bundled, comtrade, periods, validation
from .errors import TradeDataError, UsageError
from .read import flows
from .validation import DEFAULT_PRODUCT, ERROR, WARNING, Problem

FORMATS = ("tradestat", "comtrade")
TRADESTAT_CURRENCIES = ("USD", "INR")
WORLD = "WLD"
#: The dimensions that make a Comtrade row a country total (cmdCode is TOTAL unless --commodity).
COMTRADE_TOTAL = {"partner2Code": "0", "customsCode": "C00", "motCode": "0"}
COMTRADE_FLOWS = {"X": "export", "M": "import"}
_NUMBER = re.compile(r"[+-]?\d+(,\d+)*(\.\d+)?")


@dataclass
class Imported:
    """Rows in the flows schema (validation.COLUMNS, text cells) and the warnings found making them."""

    figures: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    #: Whether the figures are a TradeStat page by product (years of one partner and flow), not a year's table.
    page: bool = False


#: The biggest official file read (whole, into memory); a bigger one is refused in one line naming the limit.
MAX_IMPORT_BYTES = 256 * 2**20


def _file_name(source: str | Path) -> str:
    """The ``source`` cell of an imported row: the input file's name (its directory is not part of it)."""
    return "<stdin>" if str(source) == "-" else Path(str(source)).name


# --- names to codes ------------------------------------------------------------------------


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())


@cache
def _tradestat_names() -> dict[str, str]:
    """TradeStat's spellings (folded) to ISO alpha-3, then ISO names and other names from countries.csv."""
    table: dict[str, str] = {}
    with open(bundled.path("countries.csv"), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for spelling in (row["name"], *row["other_names"].split(";")):
                if spelling.strip():
                    table.setdefault(_fold(spelling), row["code"])
    table |= {key: code for key, (code, _) in _tradestat_table().items()}
    return table


@cache
def _tradestat_table() -> dict[str, tuple[str, str]]:
    """data/tradestat_names.csv: folded name -> (code, note); the note explains a code that is not a plain country's."""
    with open(bundled.path("tradestat_names.csv"), encoding="utf-8", newline="") as handle:
        return {_fold(row["name"]): (row["code"], row.get("note") or "") for row in csv.DictReader(handle)}


@cache
def _reserved_codes() -> dict[str, str]:
    """User-assigned codes (X..) the names table gives on purpose: a placeholder never takes one of them."""
    return {code: f"reserved:{code}" for code, _ in _tradestat_table().values() if code.startswith("X")}


@cache
def _iso_codes() -> frozenset[str]:
    with open(bundled.path("countries.csv"), encoding="utf-8", newline="") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))


def unmapped_code(name: str, taken: dict[str, str] | None = None) -> str:
    """The code kept for a name no table maps: X + two letters, a fixed function of the name.

    ISO 3166-1 leaves XAA–XZZ to users, so such a code never means a real country, and the
    same name gets the same code in every file (its original spelling goes into ``note``).
    ``taken`` (code -> name, updated) holds the codes given to other names in the same import:
    when two names hash alike, the later one takes the next free code.
    """
    taken = {} if taken is None else taken
    for code, holder in _reserved_codes().items():
        taken.setdefault(code, holder)
    n = zlib.crc32(_fold(name).encode("utf-8")) % (26 * 26)
    for step in range(26 * 26):
        code = "X" + chr(65 + (n + step) % 676 // 26) + chr(65 + (n + step) % 26)
        if taken.setdefault(code, _fold(name)) == _fold(name):
            return code
    raise TradeDataError("more than 676 names that no table maps: map them with --names FILE (a CSV of name,code)")


# --- numbers -----------------------------------------------------------------------------------


def _decimal(cell: str) -> Decimal | None:
    """A TradeStat cell as an exact number ("2,376.86" -> 2376.86); None when blank."""
    text = cell.strip()
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        raise ValueError(text)
    return Decimal(text.replace(",", ""))


def _text(number: Decimal) -> str:
    """An exact decimal as plain text without exponent or trailing zeros."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _half_unit(number: Decimal) -> Decimal:
    """Half a unit in the last place shown: how far rounding may have moved the figure."""
    return Decimal(5).scaleb(number.as_tuple().exponent - 1)


# --- TradeStat ---------------------------------------------------------------------------------

# A fiscal year as TradeStat writes it ("2019-2020", "2019-20", "FY2019-20"), not inside a longer number.
_FISCAL_TEXT = re.compile(
    r"(?<![0-9])(?:FY\s*)?((?:19|20)[0-9]{2})\s*[-–_]\s*((?:19|20)?[0-9]{2})(?![0-9])", re.IGNORECASE | re.ASCII
)


def _fiscal_years(text: str) -> list[periods.Period]:
    """The Indian fiscal years written in ``text`` (a start year and the next one), in order, without repeats."""
    found = []
    for m in _FISCAL_TEXT.finditer(text):
        start, end = int(m.group(1)), m.group(2)
        if int(end) % 100 == (start + 1) % 100 and (len(end) == 2 or int(end) == start + 1):
            found.append(periods.make(periods.FISCAL, start))
    return list(dict.fromkeys(found))


def tradestat_period(name: str, cells: list[str], given: str | None) -> tuple[str, str]:
    """(period label, how it was known) of a TradeStat table: --period, else the year the table states
    above or in its header row, else the year in the file's name; a --period the table contradicts is refused.

    TradeStat's yearly tables are Indian fiscal years (April–March); a bare calendar year ("2019") is
    never read as one.
    """
    stated = _fiscal_years(" ".join(cells))
    if len(stated) > 1:
        stated = []  # a table of two years ("2019-2020", "2020-2021" columns) states no single year
    if given:
        label = periods.parse(given).label
        if stated and stated[0].label != label:
            raise TradeDataError(f"{name}: the table states the year {stated[0].label} but --period is {label}; check the file")
        return label, "as given with --period"
    if stated:
        return stated[0].label, "as the table states it"
    from_name = _fiscal_years(Path(name).name)
    if len(from_name) == 1:
        return from_name[0].label, f"read from the file name {Path(name).name!r}"
    raise UsageError(
        f"{name}: neither the table nor its name says its year: give --period, e.g. --period FY2019-20 "
        "(one --period per file, in order)"
    )


_TRADESTAT_COLUMNS = {"rank": "Rank", "country": "Country", "export": "Export", "import": "Import",
                      "total trade": "Total Trade", "trade balance": "Trade Balance"}  # fmt: skip


def _heading(cell: str) -> str:
    """A TradeStat column heading folded, without a unit in brackets ("Export (US$ Million)" -> "export")."""
    # By string search, not a backtracking regex: linear in the cell's length (a 100 KB cell of
    # brackets took 93 s with r"\s*[(\[].*[)\]]\s*$").
    text = cell.rstrip()
    if text.endswith((")", "]")):
        first = min((i for i in (text.find("("), text.find("[")) if i >= 0), default=-1)
        if 0 <= first < len(text) - 1 and "\n" not in text[first:]:
            text = text[:first]
    return _fold(text.rstrip())


_UNITS = {"USD": re.compile(r"us\s*\$|usd|dollar"), "INR": re.compile(r"crore|₹|\brs\b|inr|rupee")}


def _check_stated_unit(name: str, line: int, header: list[str], currency: str) -> None:
    """Refuse a --currency that contradicts a unit the headings state ("Export (US $ Million)" with INR)."""
    stated = " ".join(h.casefold() for h in header)
    for code, pattern in _UNITS.items():
        if code != currency and pattern.search(stated):
            raise TradeDataError(
                f"{name}: line {line}: the headings state {code} figures but --currency is {currency}; check the unit"
            )


def _csv_rows(text: str, name: str) -> Iterable[tuple[int, list[str]]]:
    """Each CSV record with the physical line it starts on (the one reader comtrade.py uses too)."""
    return comtrade.csv_records(text, name, ",")


def read_tradestat(
    source: str | Path, currency: str | None, period: str | None, name: str | None = None, names: dict[str, str] | None = None
) -> Imported:
    """Read a TradeStat country-wise table (Rank, Country, Export, Import, Total Trade, Trade Balance).

    ``currency`` (USD: US$ million; INR: ₹ crore, written as ₹ million) and ``period`` are
    required: the file states neither. India is the reporter; India's Total becomes WLD.
    ``names`` (spelling -> code, partners.read_user_names) adds to and overrides the bundled spellings.
    """
    name = name or _file_name(source)
    text, encoding_note = comtrade.decode(flows.read_bytes(source, MAX_IMPORT_BYTES), name)
    if is_commodity_page(text):
        return read_tradestat_products(text, name, currency, period, names, encoding_note)
    if kind := comtrade.csv_kind(text):
        raise TradeDataError(
            f"{name}: a UN Comtrade file ({kind}), not a TradeStat table: import it with `tradecli import comtrade`"
        )
    if not currency:
        raise UsageError("a TradeStat table does not say its unit: give --currency USD (US$ million) or INR (₹ crore)")
    if currency.upper() not in TRADESTAT_CURRENCIES:
        raise UsageError(f"--currency '{currency}': TradeStat tables are in US$ million (USD) or ₹ crore (INR)")
    currency = currency.upper()
    what = comtrade.what_text(text)
    if what:
        raise TradeDataError(f"{name}: {what}")
    rows = list(_csv_rows(text, name))
    at = next((n for n, (_, row) in enumerate(rows) if {"country", "export", "import"} <= {_heading(h) for h in row}), None)
    if at is None:
        raise TradeDataError(
            f"{name}: not a TradeStat country-wise table: no header row with Country, Export and Import "
            "(expected Rank,Country,Export,Import,Total Trade,Trade Balance)"
        )
    label, how = tradestat_period(name, [cell for _, row in rows[: at + 1] for cell in row], period)
    columns = {_heading(h): n for n, h in enumerate(rows[at][1])}
    _check_stated_unit(name, rows[at][0], rows[at][1], currency)
    unit = "US$ million" if currency == "USD" else "₹ crore, × 10 = ₹ million"
    records, warnings = [], []
    if encoding_note:
        warnings.append(Problem(name, None, None, None, "encoding", encoding_note, WARNING))
    mine = {_fold(k): v for k, v in (names or {}).items()}  # --names FILE: the user's spellings
    names, notes, taken = _tradestat_names() | mine, _tradestat_table(), {}
    blank_totals: list[tuple[str, Decimal]] = []  # (country, export) of partners whose Total Trade is blank
    world_total: tuple[int, dict, dict] | None = None
    for line, row in rows[at + 1 :]:
        if not any(cell.strip() for cell in row):
            continue
        cells = {key: row[n].strip() if n < len(row) else "" for key, n in columns.items()}
        # Scraped tables carry HTML entities ("ST KITT &amp; N A"): decoded before the name is looked up.
        country = html.unescape(cells["country"])
        key = _fold(country)
        if key.startswith(("total of top", "% share of top")):
            continue  # footer rows: sums and shares of the ranked partners, not partners
        amounts = {}
        for column in ("export", "import", "total trade", "trade balance"):
            try:
                amounts[column] = _decimal(cells.get(column, ""))
            except ValueError:
                raise TradeDataError(
                    f"{name}: line {line}, column {_TRADESTAT_COLUMNS[column]}: "
                    f"'{cells[column]}' is not a number (digits, thousands separators and a decimal point)"
                ) from None
        note = [f"TradeStat country-wise, {unit}; reporter India; period {label} {how}"]
        world = key.startswith(("india's total", "india’s total"))
        if world:
            partner = WORLD
            note.append("India's Total row: the partner is the World")
        elif key in names:
            partner = names[key]
            if key in mine:
                note.append(f"'{country}' mapped to {partner} by the names file given with --names")
            elif notes.get(key, ("", ""))[1]:
                note.append(f"'{country}' is {partner}: {notes[key][1]}")
        else:
            partner = unmapped_code(country, taken)
            note.append(f"'{country}' is not in the TradeStat names table: code {partner} is a placeholder (ISO user-assigned)")
            warnings.append(
                Problem(name, line, "Country", country, "unknown-name",
                        f"'{country}' is not a known TradeStat name: kept as {partner} (see note); "
                        "map it with --names FILE (a CSV of name,code; see docs/official.md)", WARNING)
            )  # fmt: skip
        if world:
            world_total = (line, amounts, cells)  # checked after the partners: its Total Trade omits some of them
        else:
            warnings += _tradestat_checks(name, line, amounts, cells)
            if amounts["total trade"] is None and amounts["export"] is not None:
                blank_totals.append((country, amounts["export"]))
        for flow, column in (("export", "Export"), ("import", "Import")):
            amount = amounts[flow]
            if amount is None:
                warnings.append(
                    Problem(name, line, column, "", "blank-value",
                            f"{country} {column} is blank: a missing figure, not zero; no row written", WARNING)
                )  # fmt: skip
                continue
            value = amount * 10 if currency == "INR" else amount
            records.append(
                {
                    "id": f"tradestat-{label}-{partner}-{flow}",
                    "reporter": "IND",
                    "partner": partner,
                    "flow": flow,
                    "period": label,
                    "currency": currency,
                    "value": _text(value),
                    "status": "reported",
                    "source": name,
                    "quote": f"line {line}: {country}, {column} {cells[flow]}",
                    "note": "; ".join(note),
                    # TradeStat is India's merchandise trade statistics: goods, by what the file is.
                    "scope": "goods",
                    "scope_from": "stated",
                }
            )
    if world_total:
        warnings += _world_checks(name, *world_total, blank_totals)
    return Imported(pd.DataFrame(records, columns=list(validation.COLUMNS), dtype="str"), warnings)


# --- TradeStat commodity pages (products) ---------------------------------------------------------

#: The page titles of TradeStat's tables by product: one partner's ("Country-wise all commodities")
#: or India's trade with the World ("Commodity-wise"), each "Import :: ..." or "Export :: ...".
_PAGE_TITLE = re.compile(r"\b(import|export)\s*::\s*(country-wise all commodities|commodity-wise)\b", re.IGNORECASE)
_YEAR_HEADING = re.compile(r"(\d{4})\s*-\s*(\d{4})")
_PAGE_UNITS = {"USD": re.compile(r"us\s*\$\s*million", re.IGNORECASE), "INR": re.compile(r"(₹|rs\.?)\s*crore", re.IGNORECASE)}


def is_commodity_page(text: str) -> bool:
    """Whether ``text`` is a TradeStat page of trade by product (an HTML table with HSCode and Commodity)."""
    head = text[:20_000]
    return _PAGE_TITLE.search(head) is not None and "hscode" in head.casefold()


class _Rows(HTMLParser):
    """A page's table rows as lists of cell texts (whitespace folded, entities decoded), with the line each starts on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[int, list[str]]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "tr":
            self.rows.append((self.getpos()[0], []))
        elif tag in ("td", "th"):
            self._close()
            self._cell = []

    def handle_endtag(self, tag) -> None:
        if tag in ("td", "th", "tr", "table"):
            self._close()

    def handle_data(self, data) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def _close(self) -> None:
        if self._cell is not None and self.rows:
            self.rows[-1][1].append(" ".join("".join(self._cell).split()))
        self._cell = None


def read_tradestat_products(
    text: str, name: str, currency: str | None, period: str | None, names: dict[str, str] | None, encoding_note: str | None
) -> Imported:
    """Read a TradeStat page of trade by product: one partner's ("Import :: Country-wise all commodities",
    "Country: CHINA P RP") or India's with the World ("Import :: Commodity-wise"), HS codes by fiscal year.

    The page states its flow, partner, unit and years; ``currency`` and ``period``, if given, must
    agree with it (``period`` keeps that year only). Each HS code's figure becomes a row with
    ``product`` and ``product_name``. The page's own Total row (a partner's page: "Total"; the World's:
    "India's Total Import/Export") is written as product TOTAL, the flow's reported total, and
    checked against the sum of its codes; a partner page's "India's Total" row (the World's figure,
    which the World's page gives) is not written.
    """
    parser = _Rows()
    parser.feed(text)
    parser.close()
    words = " ".join(" ".join(parser.text).split())
    title = _PAGE_TITLE.search(words)
    flow = title.group(1).lower()
    world = title.group(2).lower() == "commodity-wise"
    stated = [code for code, pattern in _PAGE_UNITS.items() if pattern.search(words)]
    if len(stated) != 1:
        raise TradeDataError(
            f"{name}: the page does not say its unit as 'Values in US$ Million' or '₹ Crore'; save the page again"
        )
    unit_code = stated[0]
    if currency and currency.upper() != unit_code:
        raise TradeDataError(f"{name}: the page states {unit_code} figures but --currency is {currency.upper()}; check the unit")
    warnings = [Problem(name, None, None, None, "encoding", encoding_note, WARNING)] if encoding_note else []
    if world:
        partner, country, mapped = WORLD, "World", "India's trade with the World (TradeStat Commodity-wise)"
    else:
        found = re.search(r"Country\s*:\s*(.+?)(?:\s+\*|\s+S\.No\.|$)", words)
        if not found:
            raise TradeDataError(f"{name}: a Country-wise all commodities page without its 'Country:' line")
        country = html.unescape(found.group(1)).strip()
        table_names = _tradestat_names() | {_fold(k): v for k, v in (names or {}).items()}
        if _fold(country) not in table_names:
            raise TradeDataError(
                f"{name}: '{country}' is not a known TradeStat name; map it with --names FILE (a CSV of name,code)"
            )
        partner = table_names[_fold(country)]
        mapped = f"Country: {country} ({partner})"
    at = next((n for n, (_, row) in enumerate(parser.rows) if {"hscode", "commodity"} <= {_fold(c) for c in row}), None)
    if at is None:
        raise TradeDataError(f"{name}: no header row with HSCode and Commodity in the page's table")
    header = parser.rows[at][1]
    hs_at, desc_at = (next(n for n, c in enumerate(header) if _fold(c) == k) for k in ("hscode", "commodity"))
    years = {n: periods.make(periods.FISCAL, int(m.group(1))) for n, c in enumerate(header) if (m := _YEAR_HEADING.fullmatch(c))}
    if not years:
        raise TradeDataError(f"{name}: no year column (such as 2008-2009) in the page's table")
    if period:
        wanted = periods.parse(period).label
        years = {n: p for n, p in years.items() if p.label == wanted}
        if not years:
            raise UsageError(f"--period {period}: the page has no column for {wanted}")
    unit = "US$ million" if unit_code == "USD" else "₹ crore, × 10 = ₹ million"
    records, sums, totals = [], {}, {}
    for line, row in parser.rows[at + 1 :]:
        label = " ".join(row[: max(hs_at, desc_at) + 1]).casefold()
        code = row[hs_at] if len(row) > hs_at else ""
        if not (code.isascii() and code.isdigit() and validation.is_product(code)):
            own = "india's total" in label if world else "total" in label and "india" not in label
            if len(row) > max(years) and own and "share" not in label:
                totals = {n: (line, row[n]) for n in years}  # the partner's (or India's) total of the codes
            continue
        description = html.unescape(row[desc_at]) if len(row) > desc_at else ""
        for n, year in years.items():
            cell = row[n] if len(row) > n else ""
            try:
                amount = _decimal(cell)
            except ValueError:
                raise TradeDataError(f"{name}: line {line}, HS {code}, {header[n]}: '{cell}' is not a number") from None
            if amount is None:
                continue  # a blank cell: no figure for that year
            value = amount * 10 if unit_code == "INR" else amount
            sums[n] = sums.get(n, Decimal(0)) + amount
            records.append(
                {
                    "id": f"tradestat-{year.label}-{partner}-{flow}-{code}",
                    "reporter": "IND",
                    "partner": partner,
                    "flow": flow,
                    "period": year.label,
                    "currency": unit_code,
                    "value": _text(value),
                    "status": "reported",
                    "source": name,
                    "quote": f"line {line}: {code} {description}, {header[n]} {cell}",
                    "note": f"TradeStat {flow.capitalize()} by commodity, {unit}; reporter India; {mapped}; "
                    f"HS {len(code)}-digit code; year {header[n]} is {year.label} (April–March)",
                    "scope": "goods",
                    "scope_from": "stated",
                    "product": code,
                    "product_name": description,
                }
            )
    coded = len(records)
    total_label = "India's Total" if world else "Total"
    for n, (line, cell) in totals.items():
        try:
            stated_total = _decimal(cell)
        except ValueError:
            raise TradeDataError(f"{name}: line {line}, Total, {header[n]}: '{cell}' is not a number") from None
        if stated_total is None:
            continue
        year = years[n]
        records.append(
            {
                "id": f"tradestat-{year.label}-{partner}-{flow}-{DEFAULT_PRODUCT}",
                "reporter": "IND",
                "partner": partner,
                "flow": flow,
                "period": year.label,
                "currency": unit_code,
                "value": _text(stated_total * 10 if unit_code == "INR" else stated_total),
                "status": "reported",
                "source": name,
                "quote": f"line {line}: {total_label}, {header[n]} {cell}",
                "note": f"TradeStat {flow.capitalize()} by commodity, {unit}; reporter India; {mapped}; "
                f"the page's Total row: all commodities; year {header[n]} is {year.label} (April–March)",
                "scope": "goods",
                "scope_from": "stated",
                "product": DEFAULT_PRODUCT,
                "product_name": "",
            }
        )
        if n not in sums:
            continue
        if abs(stated_total - sums[n]) > _half_unit(stated_total) * (1 + coded):
            warnings.append(
                Problem(name, None, header[n], cell, "check-mismatch",
                        f"the page's Total {cell} for {header[n]} differs from the sum of its HS codes {_text(sums[n])} "
                        "by more than rounding", WARNING)
            )  # fmt: skip
    if not coded:
        raise TradeDataError(f"{name}: no HS code rows with figures in the page's table")
    return Imported(pd.DataFrame(records, columns=list(validation.COLUMNS), dtype="str"), warnings, page=True)


def _world_checks(
    name: str, line: int, amounts: dict[str, Decimal | None], cells: dict[str, str], blank_totals: list[tuple[str, Decimal]]
) -> list[Problem]:
    """India's Total row checked, its Total Trade explained: TradeStat leaves Total Trade blank for export-only partners."""
    found = _tradestat_checks(name, line, amounts, cells)
    e, i, stated = amounts["export"], amounts["import"], amounts["total trade"]
    if not blank_totals or e is None or i is None or stated is None:
        return found
    left_out = sum((x for _, x in blank_totals), Decimal(0))
    slack = _half_unit(stated) + _half_unit(e) + _half_unit(i) + sum((_half_unit(x) for _, x in blank_totals), Decimal(0))
    if abs(stated + left_out - (e + i)) > slack:
        return found
    who = ", ".join(c for c, _ in blank_totals[:5]) + (", ..." if len(blank_totals) > 5 else "")
    explained = Problem(
        name, line, "Total Trade", cells["total trade"], "check-mismatch",
        f"India's Total: the file's Total Trade {cells['total trade']} is Export + Import = {_text(e + i)} less "
        f"{_text(left_out)}, the exports of the {len(blank_totals)} partner{'s' * (len(blank_totals) > 1)} whose Total Trade "
        f"TradeStat leaves blank ({who}); tradecli uses Export and Import (total = {_text(e + i)})", WARNING,
    )  # fmt: skip
    return [explained if p.column == "Total Trade" else p for p in found]


def _tradestat_checks(name: str, line: int, amounts: dict[str, Decimal | None], cells: dict[str, str]) -> list[Problem]:
    """Warnings where the file's own Total Trade or Trade Balance disagrees with Export and Import beyond rounding."""
    e, i = amounts["export"], amounts["import"]
    if e is None or i is None:
        return []
    out = []
    for column, stated, computed, how in (
        ("Total Trade", amounts["total trade"], e + i, f"Export + Import = {cells['export']} + {cells['import']}"),
        ("Trade Balance", amounts["trade balance"], e - i, f"Export − Import = {cells['export']} − {cells['import']}"),
    ):
        if stated is None:
            continue
        # Each of the three figures was rounded on its own: they may differ by the half-units.
        if abs(stated - computed) > _half_unit(stated) + _half_unit(e) + _half_unit(i):
            out.append(
                Problem(name, line, column, cells[column.casefold()], "check-mismatch",
                        f"the file's {column} {cells[column.casefold()]} differs from {how} = {_text(computed)} "
                        f"by {_text(stated - computed)}, more than rounding", WARNING)
            )  # fmt: skip
    return out


# --- UN Comtrade -------------------------------------------------------------------------------

#: --months: how monthly figures are summed into years.
MONTHS = ("fiscal", "calendar")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _comtrade_area(code: str, iso: str, desc: str, taken: dict[str, str]) -> tuple[str, str | None]:
    """A Comtrade reporter or partner as tradecli's code (by its M49 code), and a note when it is not a plain country."""
    key = comtrade.m49(code)
    area = comtrade.areas().get(key)
    if area is not None and area.code:
        return area.code, (f"Comtrade area {key} {area.name}: {area.note}" if area.note and area.code != WORLD else None)
    if area is None and iso in _iso_codes():
        # A code the reference table does not hold (newer than it): the file's ISO code, said so.
        return iso, f"Comtrade area {key} is not in tradecli's M49 table: code {iso} as the file gives it"
    label = area.name if area else (desc or iso or key)
    made = unmapped_code(label, taken)
    why = area.note if area else "an M49 code not in tradecli's table and no ISO 3166 code in the file"
    return made, f"'{label}' (Comtrade code {key}): {why}; code {made} is a placeholder"


def _is_false(cell: str) -> bool:
    return cell.strip().casefold() in ("false", "0")


def _estimated(r: dict[str, str]) -> str | None:
    """Why Comtrade marks a record as estimated (isReported false, an estimation code other than 0), or None."""
    why = []
    if _is_false(r.get("isReported", "")):
        why.append("isReported false (estimated by UN Comtrade, not as the country reported it)")
    flag = r.get("legacyEstimationFlag", "").strip()
    if flag not in ("", "0", "0.0", "false"):
        why.append(f"estimation code {flag} (Comtrade estimated part of the record)")
    return "; ".join(why) or None


def _comtrade_period(r: dict[str, str]) -> tuple[str, int, int | None]:
    """(frequency, year, month or None) of a record: from freqCode, refYear, refMonth and period."""
    period = r.get("period", "").strip()
    year_text = r.get("refYear", "").strip() or period[:4]
    freq = r.get("freqCode", "").strip().upper()
    if not freq:
        freq = "M" if len(period) == 6 and period.isascii() and period.isdigit() else "A"
    if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
        raise ValueError(f"year '{year_text}'")
    month = None
    if freq == "M":
        month_text = period[4:6] if len(period) == 6 else r.get("refMonth", "").strip()
        if not (month_text.isascii() and month_text.isdigit() and 1 <= int(month_text) <= 12):
            raise ValueError(f"month of period '{period}'")
        month = int(month_text)
    return freq, int(year_text), month


def _flow_code(r: dict[str, str]) -> str:
    code = r.get("flowCode", "").strip()
    return comtrade.LEGACY_FLOWS.get(code, code.upper())


@lru_cache(maxsize=4096)
def _hs(code: str) -> str:
    """A commodity code compared as Comtrade writes it: HS codes have 2, 4 or 6 digits, so R's "1" (read as a number) is "01"."""
    text = code.strip().upper()
    return "0" + text if text.isascii() and text.isdigit() and len(text) % 2 else text


def _is_total(r: dict[str, str], wanted: str) -> bool:
    """A country total (or the commodity asked for): COMTRADE_TOTAL's partner2, customs procedure and transport mode.

    A shape without those columns (the legacy files) has only such rows: a blank counts as the total.
    """
    if wanted == "TOTAL" and r.get("typeCode") == "S":  # services (EBOPS 2010): code 200 is total services
        wanted = "200"
    return _hs(r.get("cmdCode", "")) == _hs(wanted) and all(
        comtrade.m49(r.get(k, "")).upper() in (v, "") for k, v in COMTRADE_TOTAL.items()
    )


def _count_check(document: dict, name: str) -> list[Problem]:
    """A warning when the API's ``count`` differs from the records in ``data`` (a cut-off download?)."""
    count, items = document.get("count"), document.get("data")
    if isinstance(count, int) and not isinstance(count, bool) and isinstance(items, list) and count != len(items):
        return [
            Problem(name, None, "count", str(count), "count-mismatch",
                    f"count says {count} records but data holds {len(items)}: check the download", WARNING)
        ]  # fmt: skip
    return []


def _product_of(r: dict[str, str]) -> str:
    """A record's product: TOTAL for the country total (services: EBOPS 200), else its commodity code."""
    code = _hs(r.get("cmdCode", ""))
    return validation.DEFAULT_PRODUCT if code == "TOTAL" or (r.get("typeCode") == "S" and code == "200") else code


def _is_any_product(r: dict[str, str]) -> bool:
    """Every commodity of the country's trade: the total partner2, customs procedure and transport mode (any cmdCode)."""
    return bool(r.get("cmdCode", "").strip()) and all(
        comtrade.m49(r.get(k, "")).upper() in (v, "") for k, v in COMTRADE_TOTAL.items()
    )


def _totals(records: Iterable[tuple[str, dict[str, str]]], commodity: str | None, name: str, kind: str):
    """The records to import, and a warning naming the others; an error when none are.

    Without ``commodity``: every commodity (cmdCode TOTAL and each HS code) of the country's trade
    (partner2Code 0, customsCode C00, motCode 0); with it, that commodity only.
    One pass over the records: those left out are counted, not kept (the first five are named).
    """
    wanted = commodity or "TOTAL"
    chosen, named, left_out, codes, seen = [], [], 0, {}, False
    for where, r in records:
        seen = True
        if _is_total(r, wanted) if commodity else _is_any_product(r):
            chosen.append((where, r))
            continue
        left_out += 1
        if len(named) < 5:
            named.append(where)
        if len(codes) < 20:
            codes.setdefault(r.get("cmdCode", ""), None)
    if not seen:
        raise TradeDataError(f"{name}: no Comtrade rows in the file ({kind})")
    if not chosen:
        what = f"cmdCode {wanted}" if commodity else "country totals (cmdCode TOTAL"
        raise TradeDataError(
            f"{name}: no {what}{')' if not commodity else ''} with partner2Code 0, customsCode C00 and motCode 0; "
            f"the file has cmdCode {', '.join(codes)}: download totals"
            + ("" if commodity else ", or pass --commodity CODE for one commodity")
        )
    if not left_out:
        return chosen, []
    what = f"commodity {wanted}" if commodity else "the country's trade"
    dims = f"cmdCode {wanted}, " if commodity else ""
    return chosen, [
        Problem(name, None, None, None, "not-total",
                f"{left_out} row{'s' * (left_out > 1)} left out: not {what} "
                f"({dims}partner2Code 0, customsCode C00, motCode 0): {', '.join(named)}"
                + (", ..." if left_out > 5 else ""), WARNING)
    ]  # fmt: skip


def read_comtrade(
    source: str | Path, commodity: str | None = None, name: str | None = None, months: str | None = None
) -> Imported:
    """Read UN Comtrade data in any of its shapes (see comtrade.py): country totals, US$ to US$ million.

    Rows are kept when cmdCode is TOTAL (or ``commodity``), partner2Code 0, customsCode C00
    and motCode 0; flows X and M only (RX, RM and others are left out with a warning). Monthly
    records are left out unless ``months`` is "fiscal" (summed into April–March years) or
    "calendar"; a year with a month missing is then left out with the months named.
    """
    if months is not None and months not in MONTHS:
        raise UsageError(f"--months '{months}': use fiscal (April–March years) or calendar")
    name = name or _file_name(source)
    text, encoding_note = comtrade.decode(flows.read_bytes(source, MAX_IMPORT_BYTES), name)
    shape, document = comtrade.read(text, name)
    warnings = []
    if encoding_note:
        warnings.append(Problem(name, None, None, None, "encoding", encoding_note, WARNING))
    warnings += _count_check(document, name)
    chosen, left_out = _totals(shape.records, commodity, name, shape.kind)
    warnings += left_out
    figures, monthly, taken, own = [], [], {}, []
    area = lru_cache(maxsize=None)(lambda code, iso, desc: _comtrade_area(code, iso, desc, taken))  # one import's areas
    for where, r in chosen:
        line = int(where.split()[1]) if where.startswith("line ") else None
        at = "" if line else f"{where}: "  # a CSV line is in the problem's place already
        flow = COMTRADE_FLOWS.get(_flow_code(r))
        if flow is None:
            code = _flow_code(r)
            label = {"RX": "re-exports", "RM": "re-imports"}.get(code, f"flow {code} ({r.get('flowDesc', '')})")
            warnings.append(
                Problem(name, line, "flowCode", r.get("flowCode", ""), "other-flow",
                        f"{at}{label} left out: the flows schema has exports and imports only, "
                        "and adding them in would change the figures", WARNING)
            )  # fmt: skip
            continue
        try:
            freq, year, month = _comtrade_period(r)
        except ValueError as exc:
            raise TradeDataError(f"{name}: {where}: {exc} is not a Comtrade period") from None
        if freq not in ("A", "M"):
            warnings.append(
                Problem(name, line, "freqCode", freq, "not-annual",
                        f"{at}frequency {freq} is neither annual nor monthly: left out", WARNING)
            )  # fmt: skip
            continue
        value_text = r.get("primaryValue", "").strip()
        if not value_text:
            warnings.append(
                Problem(name, line, "primaryValue", "", "blank-value",
                        f"{at}primaryValue is blank: a missing figure, not zero; no row written", WARNING)
            )  # fmt: skip
            continue
        try:
            dollars = Decimal(value_text)
        except InvalidOperation:
            raise TradeDataError(f"{name}: {where}: primaryValue '{value_text}' is not a number") from None
        if not dollars.is_finite():
            raise TradeDataError(f"{name}: {where}: primaryValue '{value_text}' is not a number")
        reporter, reporter_note = area(*(r.get(f"reporter{k}", "") for k in ("Code", "ISO", "Desc")))
        partner, partner_note = area(*(r.get(f"partner{k}", "") for k in ("Code", "ISO", "Desc")))
        if reporter == partner:  # e.g. re-imports reported with the reporter as its own partner
            own.append(where)
            continue
        for made, code in ((reporter_note, reporter), (partner_note, partner)):
            if made and code.startswith("X") and code not in _iso_codes():
                warnings.append(Problem(name, line, None, code, "unknown-name", f"{at}{made}", WARNING))
        figure = _Figure(where, r, flow, year, month, dollars, value_text, reporter, partner,
                         [n for n in (reporter_note, partner_note) if n], _estimated(r))  # fmt: skip
        if freq == "M":
            monthly.append(figure)
        else:
            figures.append(figure)
    if own:
        warnings.append(
            Problem(name, None, "partnerCode", None, "self-partner",
                    f"{len(own)} row{'s' * (len(own) > 1)} left out: the reporter is its own partner (e.g. goods "
                    f"re-imported from itself), not trade between two countries; first: {own[0]}", WARNING)
        )  # fmt: skip
    rows = [_annual_row(f, name, shape.kind, commodity) for f in figures]
    if monthly and months is None:
        warnings.append(
            Problem(name, None, "freqCode", "M", "not-annual",
                    f"{len(monthly)} monthly record{'s' * (len(monthly) > 1)} left out ({', '.join(f.where for f in monthly[:3])}"
                    + (", ..." if len(monthly) > 3 else "") + "): give --months fiscal (April–March years) "
                    "or --months calendar to sum them into years", WARNING)
        )  # fmt: skip
    elif monthly:
        summed, gaps = _sum_months(monthly, months, name, shape.kind, commodity)
        rows += summed
        warnings += gaps
    return Imported(pd.DataFrame(rows, columns=list(validation.COLUMNS), dtype="str"), _once(warnings))


@dataclass
class _Figure:
    """One Comtrade record kept: where it is, its cells, and what tradecli made of it."""

    where: str
    r: dict[str, str]
    flow: str
    year: int
    month: int | None
    dollars: Decimal
    value_text: str
    reporter: str
    partner: str
    notes: list[str]
    estimated: str | None


def _product(r: dict[str, str]) -> str:
    """The commodity in words: "commodity 4401 Fuel wood, ..." (cut to 60 characters)."""
    desc = " ".join(r.get("cmdDesc", "").split())
    desc = desc if len(desc) <= 60 else desc[:59] + "…"
    return f"commodity {_hs(r.get('cmdCode', ''))}" + (f" {desc}" if desc else "")


def _desc(r: dict[str, str], side: str, code: str) -> str:
    """A reporter's or partner's name: the file's own words, else Comtrade's name for its M49 code (bulk files have none)."""
    area = comtrade.areas().get(comtrade.m49(r.get(f"{side}Code", "")))
    return r.get(f"{side}Desc") or (area.name if area else code)


def _source(name: str, r: dict[str, str], commodity: str | None) -> str:
    """The source cell: the file, and the product when the figure is one commodity, not the country total."""
    return f"{name} [{_product(r)}]" if commodity else name


def _annual_row(f: _Figure, name: str, kind: str, commodity: str | None) -> dict[str, str]:
    r = f.r
    desc, partner_desc = _desc(r, "reporter", f.reporter), _desc(r, "partner", f.partner)
    note = [
        f"UN Comtrade ({kind}), as reported by {desc}; primaryValue US$ {_text(f.dollars)} ÷ 1,000,000; "
        f"calendar year {f.year}; cmdCode {r.get('cmdCode', '')}"
    ]
    if commodity:
        note.append(f"{_product(r)} only, not the country total")
    flags = [f"{k} {r[k]}" for k in ("isReported", "isAggregate") if r.get(k)]
    if flags:
        note.append(", ".join(flags))  # as Comtrade states them: its own markers of how the row was made
    if f.estimated:
        note.append(f"estimated: {f.estimated}")
    note += f.notes
    flow_words = r.get("flowDesc") or f.flow
    level = [f"{k} {r[k]}" for k in ("aggrLevel", "isLeaf") if r.get(k)]
    if level:
        note.append(", ".join(level))  # Comtrade's place of the code in the HS tree
    return {
        "id": f"comtrade-{f.reporter}-{f.partner}-{f.flow}-{f.year}" + _id_product(r, commodity),
        "reporter": f.reporter,
        "partner": f.partner,
        "flow": f.flow,
        "period": str(f.year),
        "currency": "USD",
        "value": _text(f.dollars.scaleb(-6)),
        "status": "estimated" if f.estimated else "reported",
        "source": _source(name, r, commodity),
        "quote": f"{f.where}: {desc} {flow_words} {partner_desc} {f.year}"
        + (f" {_product(r)}" if commodity else "")
        + f" primaryValue {f.value_text}",
        "note": "; ".join(note),
        **_scope(r),
        **_products(r, commodity),
    }


def _products(r: dict[str, str], commodity: str | None) -> dict[str, str]:
    """The product cells: with --commodity none (the one commodity is the figures, its source says which, as before);
    else the record's product code (TOTAL for the country total) and its description."""
    if commodity:
        return {}
    product = _product_of(r)
    words = " ".join(r.get("cmdDesc", "").split()) if product != validation.DEFAULT_PRODUCT else ""
    return {"product": product, "product_name": words}


def _id_product(r: dict[str, str], commodity: str | None) -> str:
    """The end of a figure's id naming its commodity ("" for the country total)."""
    if commodity:
        return f"-{commodity}"
    product = _product_of(r)
    return "" if product == validation.DEFAULT_PRODUCT else f"-{product}"


def _scope(r: dict[str, str]) -> dict[str, str]:
    """A Comtrade figure's scope, from its typeCode: C = commodities (goods, HS), S = services (EBOPS)."""
    return {"scope": "services" if r.get("typeCode") == "S" else "goods", "scope_from": "stated"}


def _year_of(year: int, month: int, months: str) -> periods.Period:
    """The year a month belongs to: calendar, or the Indian fiscal year April–March."""
    if months == "calendar":
        return periods.make(periods.CALENDAR, year)
    return periods.make(periods.FISCAL, year if month >= 4 else year - 1)


def _month_label(year: int, month: int) -> str:
    return f"{_MONTH_NAMES[month - 1]} {year}"


def _sum_months(monthly: list[_Figure], months: str, name: str, kind: str, commodity: str | None):
    """Monthly figures summed into years (exact decimals); a year with a month missing left out, its months named."""
    groups: dict[tuple, dict[tuple[int, int], _Figure]] = {}
    for f in monthly:
        period = _year_of(f.year, f.month, months)
        key = (f.reporter, f.partner, f.flow, f.r.get("cmdCode", ""), period)
        group = groups.setdefault(key, {})
        if (f.year, f.month) in group:
            raise TradeDataError(
                f"{name}: {group[(f.year, f.month)].where} and {f.where} both give {_month_label(f.year, f.month)} "
                f"for {f.reporter} {f.flow} {f.partner}: one month twice (two downloads in one file?)"
            )
        group[(f.year, f.month)] = f
    rows, warnings = [], []
    for (reporter, partner, flow, _cmd, period), group in groups.items():
        first = 4 if period.basis == periods.FISCAL else 1
        wanted = [(period.year + (m < first), m) for m in [*range(first, 13), *range(1, first)]]
        missing = [ym for ym in wanted if ym not in group]
        if missing:
            warnings.append(
                Problem(name, None, "period", period.label, "incomplete-year",
                        f"{reporter} {flow} {partner} {period.label}: {len(missing)} month{'s' * (len(missing) > 1)} missing "
                        f"({', '.join(_month_label(y, m) for y, m in missing)}): the year is left out, not summed "
                        f"from {12 - len(missing)} months", WARNING)
            )  # fmt: skip
            continue
        parts = [group[ym] for ym in wanted]
        total = sum((p.dollars for p in parts), Decimal(0))
        r = parts[0].r
        desc, partner_desc = _desc(r, "reporter", reporter), _desc(r, "partner", partner)
        estimated = [f"{_month_label(p.year, p.month)}: {p.estimated}" for p in parts if p.estimated]
        basis = "Indian fiscal year April–March" if period.basis == periods.FISCAL else "calendar year"
        note = [
            f"UN Comtrade ({kind}), as reported by {desc}; derived: the sum of 12 monthly primaryValues, "
            f"US$ {_text(total)} ÷ 1,000,000; {basis} {period.label}; cmdCode {r.get('cmdCode', '')}"
        ]
        if commodity:
            note.append(f"{_product(r)} only, not the country total")
        if estimated:
            note.append("estimated: " + "; ".join(estimated))
        note += list(dict.fromkeys(n for p in parts for n in p.notes))
        values = "; ".join(f"{p.year}{p.month:02d} {p.value_text}" for p in parts)
        rows.append(
            {
                "id": f"comtrade-{reporter}-{partner}-{flow}-{period.label}" + _id_product(r, commodity),
                "reporter": reporter,
                "partner": partner,
                "flow": flow,
                "period": period.label,
                "currency": "USD",
                "value": _text(total.scaleb(-6)),
                "status": "estimated" if estimated else "reported",
                "source": _source(name, r, commodity),
                "quote": f"{parts[0].where} … {parts[-1].where}: {desc} {r.get('flowDesc') or flow} "
                f"{partner_desc}" + (f" {_product(r)}" if commodity else "") + f" primaryValue by month {values}",
                "note": "; ".join(note),
                **_scope(r),
                **_products(r, commodity),
            }
        )
    return rows, warnings


def _once(warnings: list[Problem]) -> list[Problem]:
    """Warnings without repeats: the same unknown name is said once per import, not once per row or file."""
    seen, out = set(), []
    for w in warnings:
        key = (w.code, w.value) if w.code == "unknown-name" else id(w)
        if key not in seen:
            seen.add(key)
            out.append(w)
    return out


# --- both --------------------------------------------------------------------------------------


def _named_once(warnings: list[Problem]) -> list[Problem]:
    """``_once`` over several files: an unknown name is said once, naming how many other files have it too."""
    files: dict[str | None, list[str]] = {}
    for w in warnings:
        if w.code == "unknown-name":
            files.setdefault(w.value, [])
            if w.file not in files[w.value]:
                files[w.value].append(w.file)
    out = []
    for w in _once(warnings):
        more = files.get(w.value, [])[1:] if w.code == "unknown-name" else []
        if more:
            named = ", ".join(more[:3]) + (", ..." if len(more) > 3 else "")
            also = f"; also in {len(more)} other file{'s' * (len(more) > 1)} ({named})"
            w = dataclasses.replace(w, message=w.message + also)
        out.append(w)
    return out


#: The most files one import reads (a glob of 23 years, several reporters: far below this).
MAX_FILES = 1000


def expand(sources: Sequence[str | Path]) -> list[str | Path]:
    """The sources with each glob (``*``, ``?``, ``[``) that names no file replaced by the files it matches, sorted.

    A glob matching nothing is refused, never read as "no files".
    """
    import glob

    out: list[str | Path] = []
    for source in sources:
        text = str(source)
        if text != "-" and any(c in text for c in "*?[") and not Path(text).exists():
            matched = sorted(glob.glob(text))
            if not matched:
                raise UsageError(f"no file matches {text!r}")
            out += matched
        else:
            out.append(source)
    if len(out) > MAX_FILES:
        raise UsageError(f"{len(out)} files: at most {MAX_FILES} in one import")
    return out


def _pages_overlap(parts: list[Imported], files: list[str]) -> tuple[list[Imported], list[Problem]]:
    """Pages by product that repeat a year an earlier page gives (TradeStat shows each year beside the one before).

    A repeated figure equal to the earlier one is kept once, with one warning per page and year; one
    that differs is refused (TradeDataError), naming both pages. Country-wise tables are left as they are.
    Returns the parts without the repeats and the warnings.
    """
    key = list(validation.KEY)
    first: dict[tuple, tuple[str, str]] = {}  # key -> (file, value)
    out, warnings = [], []
    for part, file in zip(parts, files, strict=True):
        if not part.page:
            out.append(part)
            continue
        figures = part.figures
        keys = list(figures[key].itertuples(index=False, name=None))
        repeated = [k in first for k in keys]
        for k, value, again in zip(keys, figures["value"], repeated, strict=True):
            if again and Decimal(first[k][1]) != Decimal(value):
                raise TradeDataError(
                    f"{file} and {first[k][0]} both give {k[2]} {k[1]} {k[3]} product {k[6]} but differ: {value} against "
                    f"{first[k][1]}; import the pages separately"
                )
        for k, value in zip(keys, figures["value"], strict=True):
            first.setdefault(k, (file, value))
        if any(repeated):
            kept = figures[[not r for r in repeated]]
            for label, earlier in dict.fromkeys((k[3], first[k][0]) for k, r in zip(keys, repeated, strict=True) if r):
                warnings.append(
                    Problem(file, None, "period", label, "duplicate-figure",
                            f"{label} is also on {earlier}, with the same figures: kept once, from {earlier}", WARNING)
                )  # fmt: skip
            part = dataclasses.replace(part, figures=kept.reset_index(drop=True))
        out.append(part)
    return out, warnings


def convert(
    fmt: str,
    sources: Sequence[str | Path],
    *,
    currency: str | None = None,
    period: str | Sequence[str] | None = None,
    commodity: str | None = None,
    months: str | None = None,
    names: Sequence[str] | None = None,
    spellings: dict[str, str] | None = None,
) -> Imported:
    """Read official files of format ``fmt`` (tradestat|comtrade) and check the rows as ``tradecli validate`` would.

    ``names`` (Comtrade only) replaces each file's name as its figures' ``source`` (fetch: the request and its date).
    ``spellings`` (TradeStat only) maps spellings to codes besides the bundled table (partners.read_user_names).
    ``period`` (TradeStat only): one label per file, in order; none reads each file's year from the
    table or its name (tradestat_period). A source with * ? or [ that names no file is a glob of files.

    Raises TradeDataError when the rows fail a check (the message names the source line).
    Returns the rows (validation.COLUMNS) and every warning, the reader's and the checks'.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    if fmt == "comtrade" and (currency or period):
        raise UsageError("--currency and --period are for TradeStat tables; Comtrade data states both")
    if fmt == "tradestat" and (commodity or months):
        raise UsageError(
            "--commodity and --months are for Comtrade data; a TradeStat country-wise table has yearly country totals only"
        )
    if fmt == "comtrade" and spellings:
        raise UsageError("--names is for TradeStat tables; Comtrade data gives M49 codes")
    sources = expand(sources)
    given = [period] if isinstance(period, str) else list(period or [])
    if given and len(given) != len(sources):
        raise UsageError(
            f"{len(sources)} file{'s' * (len(sources) != 1)} and {len(given)} --period: give one --period per file, "
            "in order, or none to read each file's year from the table or its name"
        )
    if fmt == "tradestat":
        # --currency is checked per file: a page by product states its unit, a country-wise table does not.
        labels = [periods.parse(p).label for p in given]
        if len(set(labels)) < len(labels):
            twice = next(p for p in labels if labels.count(p) > 1)
            raise UsageError(f"--period {twice} is given for two files: each file is one year's table")
    parts = [
        read_tradestat(s, currency, p, names=spellings)
        if fmt == "tradestat"
        else read_comtrade(s, commodity, n, months=months)
        for s, n, p in zip(sources, names or [None] * len(sources), given or [None] * len(sources), strict=True)
    ]  # fmt: skip
    overlaps: list[Problem] = []
    if fmt == "tradestat":
        seen: dict[str, str] = {}
        for s, part in zip(sources, parts, strict=True):
            for label in dict.fromkeys(part.figures["period"]) if not part.page else ():
                if label in seen:
                    raise TradeDataError(
                        f"{seen[label]} and {_file_name(s)} are both tables of {label}: give one --period per file, in order"
                    )
                seen[label] = _file_name(s)
        parts, overlaps = _pages_overlap(parts, [_file_name(s) for s in sources])
    frame = pd.concat([p.figures for p in parts], ignore_index=True) if parts else pd.DataFrame(columns=validation.COLUMNS)
    warnings = _named_once([w for p in parts for w in p.warnings]) + overlaps
    if frame.empty:
        raise TradeDataError(f"{', '.join(names or [_file_name(s) for s in sources])}: no figures to import")
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    text = buffer.getvalue()
    problems, _ = flows.check_bytes(text.encode("utf-8"), "import")
    # The checks name physical lines of that text; a cell with a line break spans two.
    row_of = {line: n - 1 for n, (line, _) in enumerate(_csv_rows(text, "import")) if n}
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        first = errors[0]
        row = frame.iloc[row_of.get(first.line, 0)]
        count = f"{len(errors)} imported figure{'s' * (len(errors) > 1)}"
        raise TradeDataError(f"{row['source']}: {count} fail the checks, first ({row['quote']}): {first.message}")
    return Imported(frame, warnings + [_located(p, frame, row_of) for p in problems])


def _located(problem: Problem, frame: pd.DataFrame, row_of: dict[int, int]) -> Problem:
    """A check's warning on the imported rows, placed at the source row it came from."""
    if problem.line not in row_of:
        return problem
    row = frame.iloc[row_of[problem.line]]
    return Problem(row["source"], None, None, problem.value, problem.code, f"{row['quote']}: {problem.message}", problem.severity)
