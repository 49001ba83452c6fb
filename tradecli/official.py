"""Official statistics in the flows schema: India's TradeStat tables and UN Comtrade data.

Each reader turns one downloaded file into rows of the flows.csv schema (text cells, exact
decimal values) with provenance: ``source`` is the file's name, ``quote`` the line or record
the figure came from, ``note`` how it was read. ``convert`` then checks the rows with the
same checks as ``tradecli validate`` before anything is written. Nothing here writes a file.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import pandas as pd

from . import bundled, flows, periods, validation
from .errors import TradeDataError, UsageError
from .validation import ERROR, WARNING, Problem

FORMATS = ("tradestat", "comtrade")
TRADESTAT_CURRENCIES = ("USD", "INR")
WORLD = "WLD"
#: Comtrade's partner code for the world (all partners together).
COMTRADE_WORLD = "0"
#: The dimensions that make a Comtrade row a country total (cmdCode is TOTAL unless --commodity).
COMTRADE_TOTAL = {"partner2Code": "0", "customsCode": "C00", "motCode": "0"}
COMTRADE_FLOWS = {"X": "export", "M": "import"}
COMTRADE_REQUIRED = (
    "freqCode", "refYear", "reporterCode", "reporterISO", "reporterDesc", "flowCode", "partnerCode", "partnerISO",
    "partnerDesc", "partner2Code", "cmdCode", "customsCode", "motCode", "primaryValue",
)  # fmt: skip
_NUMBER = re.compile(r"[+-]?\d+(,\d+)*(\.\d+)?")


@dataclass
class Imported:
    """Rows in the flows schema (validation.COLUMNS, text cells) and the warnings found making them."""

    figures: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)


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
    with open(bundled.path("tradestat_names.csv"), encoding="utf-8", newline="") as handle:
        table |= {_fold(row["name"]): row["code"] for row in csv.DictReader(handle)}
    return table


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
    n = zlib.crc32(_fold(name).encode("utf-8")) % (26 * 26)
    for step in range(26 * 26):
        code = "X" + chr(65 + (n + step) % 676 // 26) + chr(65 + (n + step) % 26)
        if taken.setdefault(code, _fold(name)) == _fold(name):
            return code
    raise TradeDataError("more than 676 names that no table maps: add them to tradestat_names.csv")


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


def _text_of(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TradeDataError(f"{name}: bytes that are not UTF-8 at byte {exc.start}; save the file as UTF-8") from None


def _csv_rows(text: str, name: str) -> Iterable[tuple[int, list[str]]]:
    """Each CSV record with the physical line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TradeDataError(f"{name}: line {reader.line_num}: not valid CSV ({exc})") from None


def read_tradestat(source: str | Path, currency: str | None, period: str | None, name: str | None = None) -> Imported:
    """Read a TradeStat country-wise table (Rank, Country, Export, Import, Total Trade, Trade Balance).

    ``currency`` (USD: US$ million; INR: ₹ crore, written as ₹ million) and ``period`` are
    required: the file states neither. India is the reporter; India's Total becomes WLD.
    """
    if not period:
        raise UsageError("a TradeStat table does not say its year: give --period, e.g. --period FY2019-20")
    label = periods.parse(period).label
    if not currency:
        raise UsageError("a TradeStat table does not say its unit: give --currency USD (US$ million) or INR (₹ crore)")
    if currency.upper() not in TRADESTAT_CURRENCIES:
        raise UsageError(f"--currency '{currency}': TradeStat tables are in US$ million (USD) or ₹ crore (INR)")
    currency = currency.upper()
    name = name or _file_name(source)
    rows = list(_csv_rows(_text_of(flows.read_bytes(source, MAX_IMPORT_BYTES), name), name))
    at = next((n for n, (_, row) in enumerate(rows) if {"country", "export", "import"} <= {_heading(h) for h in row}), None)
    if at is None:
        raise TradeDataError(
            f"{name}: not a TradeStat country-wise table: no header row with Country, Export and Import "
            "(expected Rank,Country,Export,Import,Total Trade,Trade Balance)"
        )
    columns = {_heading(h): n for n, h in enumerate(rows[at][1])}
    _check_stated_unit(name, rows[at][0], rows[at][1], currency)
    unit = "US$ million" if currency == "USD" else "₹ crore, × 10 = ₹ million"
    records, warnings = [], []
    names, taken = _tradestat_names(), {}
    for line, row in rows[at + 1 :]:
        if not any(cell.strip() for cell in row):
            continue
        cells = {key: row[n].strip() if n < len(row) else "" for key, n in columns.items()}
        country = cells["country"]
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
        note = [f"TradeStat country-wise, {unit}; reporter India; period {label} as given with --period"]
        if key.startswith("india's total") or key.startswith("india’s total"):
            partner = WORLD
            note.append("India's Total row: the partner is the World")
        elif key in names:
            partner = names[key]
        else:
            partner = unmapped_code(country, taken)
            note.append(f"'{country}' is not in the TradeStat names table: code {partner} is a placeholder (ISO user-assigned)")
            warnings.append(
                Problem(name, line, "Country", country, "unknown-name",
                        f"'{country}' is not a known TradeStat name: kept as {partner} (see note); "
                        "add it to tradestat_names.csv", WARNING)
            )  # fmt: skip
        warnings += _tradestat_checks(name, line, amounts, cells)
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
                }
            )
    return Imported(pd.DataFrame(records, columns=list(validation.COLUMNS), dtype="str"), warnings)


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


def _comtrade_records(data: bytes, name: str) -> tuple[list[tuple[str, dict[str, str]]], str, list[Problem]]:
    """(where, record) pairs with every cell as text, from the API's JSON or the portal's CSV; the kind; warnings."""
    text = _text_of(data, name)
    if text.lstrip().startswith(("{", "[")):
        try:
            document = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise TradeDataError(f"{name}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
        except RecursionError:  # Python's JSON reader stops near 1,000 levels, long before memory runs out
            raise TradeDataError(f"{name}: JSON nested too deep to read; a Comtrade API response is 3 levels deep") from None
        if isinstance(document, dict) and document.get("error"):
            raise TradeDataError(f"{name}: the Comtrade API answered with an error: {document['error']}")
        if not isinstance(document, dict) or not isinstance(document.get("data"), list):
            raise TradeDataError(f'{name}: not a Comtrade API response: expected {{"count": ..., "data": [...]}}')
        records = [
            (f"data[{n}]", {k: "" if v is None else _cell(v) for k, v in item.items()})
            for n, item in enumerate(document["data"])
            if isinstance(item, dict)
        ]
        count = document.get("count")
        found = []
        if isinstance(count, int) and not isinstance(count, bool) and count != len(document["data"]):
            # The API says how many records it sent: a different number in "data" may be a cut-off download.
            found.append(
                Problem(name, None, "count", str(count), "count-mismatch",
                        f"count says {count} records but data holds {len(document['data'])}: check the download", WARNING)
            )  # fmt: skip
        return records, "json", found
    rows = _csv_rows(text, name)
    try:
        _, header = next(rows)
    except StopIteration:
        raise TradeDataError(f"{name}: the file is empty; expected Comtrade JSON or CSV") from None
    header = [h.strip() for h in header]
    records = []
    for line, row in rows:
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise TradeDataError(f"{name}: line {line}: {len(row)} fields where the header has {len(header)}")
        records.append((f"line {line}", dict(zip(header, row, strict=True))))
    return records, "csv", []


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal):
        return _text(value)
    return str(value)


def _comtrade_code(iso: str, code: str, desc: str, taken: dict[str, str]) -> tuple[str, str | None]:
    """A Comtrade reporter or partner as a code, and a note when it had to be made up."""
    if code == COMTRADE_WORLD:
        return WORLD, None
    if iso in _iso_codes():
        return iso, None
    made = unmapped_code(desc or iso or code, taken)
    return made, f"'{desc}' (Comtrade code {code}, ISO '{iso}') is not an ISO 3166 country: code {made} is a placeholder"


def read_comtrade(source: str | Path, commodity: str | None = None, name: str | None = None) -> Imported:
    """Read UN Comtrade data (API JSON or portal CSV): annual country totals, US$ to US$ million.

    Rows are kept when cmdCode is TOTAL (or ``commodity``), partner2Code 0, customsCode C00
    and motCode 0; flows X and M only (RX, RM and others are left out with a warning).
    """
    name = name or _file_name(source)
    records, kind, warnings = _comtrade_records(flows.read_bytes(source, MAX_IMPORT_BYTES), name)
    if not records:
        raise TradeDataError(f"{name}: no Comtrade rows in the file")
    missing = [c for c in COMTRADE_REQUIRED if c not in records[0][1]]
    if missing:
        raise TradeDataError(f"{name}: not Comtrade data: missing field{'s' * (len(missing) > 1)} {', '.join(missing)}")
    wanted = commodity or "TOTAL"
    chosen = [(w, r) for w, r in records if r["cmdCode"] == wanted and all(r[k] == v for k, v in COMTRADE_TOTAL.items())]
    if not chosen:
        found = ", ".join(dict.fromkeys(r["cmdCode"] for _, r in records))
        what = f"cmdCode {wanted}" if commodity else "country totals (cmdCode TOTAL"
        raise TradeDataError(
            f"{name}: no {what}{')' if not commodity else ''} with partner2Code 0, customsCode C00 and motCode 0; "
            f"the file has cmdCode {found}: download totals"
            + ("" if commodity else ", or pass --commodity CODE for one commodity")
        )
    what = f"commodity {wanted}" if commodity else "country totals"
    kept = {w for w, _ in chosen}
    others = [w for w, _ in records if w not in kept]
    if others:
        warnings.append(
            Problem(name, None, None, None, "not-total",
                    f"{len(others)} row{'s' * (len(others) > 1)} left out: not {what} "
                    f"(cmdCode {wanted}, partner2Code 0, customsCode C00, motCode 0): {', '.join(others[:5])}"
                    + (", ..." if len(others) > 5 else ""), WARNING)
        )  # fmt: skip
    rows, taken = [], {}
    for where, r in chosen:
        line = int(where.split()[1]) if kind == "csv" else None
        at = "" if line else f"{where}: "  # a CSV line is in the problem's place already
        flow = COMTRADE_FLOWS.get(r["flowCode"])
        if flow is None:
            what = {"RX": "re-exports", "RM": "re-imports"}.get(r["flowCode"], f"flow {r['flowCode']} ({r.get('flowDesc', '')})")
            warnings.append(
                Problem(name, line, "flowCode", r["flowCode"], "other-flow",
                        f"{at}{what} left out: the flows schema has exports and imports only, "
                        "and adding them in would change the figures", WARNING)
            )  # fmt: skip
            continue
        if r["freqCode"] != "A":
            warnings.append(
                Problem(name, line, "freqCode", r["freqCode"], "not-annual",
                        f"{at}period {r.get('period', '')} is not annual (freqCode {r['freqCode']}): left out", WARNING)
            )  # fmt: skip
            continue
        value_text = r["primaryValue"].strip()
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
        reporter, reporter_note = _comtrade_code(r["reporterISO"], r["reporterCode"], r["reporterDesc"], taken)
        partner, partner_note = _comtrade_code(r["partnerISO"], r["partnerCode"], r["partnerDesc"], taken)
        for made, desc in ((reporter_note, r["reporterDesc"]), (partner_note, r["partnerDesc"])):
            if made:
                warnings.append(Problem(name, line, None, desc, "unknown-name", f"{at}{made}", WARNING))
        note = [
            f"UN Comtrade, as reported by {r['reporterDesc']}; primaryValue US$ {_text(dollars)} ÷ 1,000,000; "
            f"calendar year {r['refYear']}; cmdCode {r['cmdCode']}"
        ]
        if commodity:
            note.append(f"commodity {r['cmdCode']} {r.get('cmdDesc', '')} only, not the country total")
        flags = [f"{k} {r[k]}" for k in ("isReported", "isAggregate") if r.get(k)]
        if flags:
            note.append(", ".join(flags))  # as Comtrade states them: its own markers of how the row was made
        note += [n for n in (reporter_note, partner_note) if n]
        rows.append(
            {
                "id": f"comtrade-{reporter}-{partner}-{flow}-{r['refYear']}" + (f"-{commodity}" if commodity else ""),
                "reporter": reporter,
                "partner": partner,
                "flow": flow,
                "period": r["refYear"],
                "currency": "USD",
                "value": _text(dollars.scaleb(-6)),
                "status": "reported",
                "source": name,
                "quote": f"{where}: {r['reporterDesc']} {r.get('flowDesc') or flow} {r['partnerDesc']} {r['refYear']} "
                f"primaryValue {value_text}",
                "note": "; ".join(note),
            }
        )
    return Imported(pd.DataFrame(rows, columns=list(validation.COLUMNS), dtype="str"), warnings)


# --- both --------------------------------------------------------------------------------------


def convert(
    fmt: str,
    sources: Sequence[str | Path],
    *,
    currency: str | None = None,
    period: str | None = None,
    commodity: str | None = None,
) -> Imported:
    """Read official files of format ``fmt`` (tradestat|comtrade) and check the rows as ``tradecli validate`` would.

    Raises TradeDataError when the rows fail a check (the message names the source line).
    Returns the rows (validation.COLUMNS) and every warning, the reader's and the checks'.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    if fmt == "comtrade" and (currency or period):
        raise UsageError("--currency and --period are for TradeStat tables; Comtrade data states both")
    if fmt == "tradestat" and commodity:
        raise UsageError("--commodity is for Comtrade data; a TradeStat country-wise table has country totals only")
    parts = [
        read_tradestat(s, currency, period) if fmt == "tradestat" else read_comtrade(s, commodity)
        for s in sources
    ]  # fmt: skip
    frame = pd.concat([p.figures for p in parts], ignore_index=True) if parts else pd.DataFrame(columns=validation.COLUMNS)
    warnings = [w for p in parts for w in p.warnings]
    if frame.empty:
        raise TradeDataError(f"{', '.join(_file_name(s) for s in sources)}: no figures to import")
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
