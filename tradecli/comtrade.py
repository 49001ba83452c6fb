"""UN Comtrade's file shapes: which one a file is, its records under the v1 API's field names, and M49 codes.

A user holds Comtrade data in many shapes: the v1 API's JSON or CSV, the bulk v1 files
(tab-separated ``.txt``, usually gzipped, codes only), comtradr's tidy output (snake_case),
the legacy API's CSV (``Trade Value (US$)``; ``Trade.Value..US..`` once R has read it) and JSON
(``rtCode``, ``TradeValue``), and the legacy bulk CSV (``Value``, ``Estimation Code``). Each is
read here into records keyed by the v1 names (``reporterCode``, ``primaryValue``, ...), every
cell as text. Reporters and partners are mapped from their M49 codes by ``data/comtrade_areas.csv``
(Comtrade's own reference table), never from a file's descriptions, which some shapes lack.
Plain Python: no pandas.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import cache, lru_cache
from typing import NamedTuple

from . import bundled
from .errors import TradeDataError

#: Decompressed bytes refused past this (a gzip bomb is a few KB): as much as flows reads from a stream.
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024

#: The v1 field each shape's column stands for, by the column's folded name (lower case, letters and digits only).
_ALIASES = {
    "typeCode": ("typecode",),  # C = commodities (goods), S = services: the figures' scope
    "freqCode": ("freqcode",),
    "refYear": ("refyear", "year", "yr"),
    "refMonth": ("refmonth",),
    "period": ("period",),
    "reporterCode": ("reportercode", "rtcode"),
    "reporterISO": ("reporteriso", "rt3iso"),
    "reporterDesc": ("reporterdesc", "reporter", "rttitle"),
    "flowCode": ("flowcode", "tradeflowcode", "rgcode"),
    "flowDesc": ("flowdesc", "tradeflow", "rgdesc"),
    "partnerCode": ("partnercode", "ptcode"),
    "partnerISO": ("partneriso", "pt3iso"),
    "partnerDesc": ("partnerdesc", "partner", "pttitle"),
    "partner2Code": ("partner2code", "2ndpartnercode", "x2ndpartnercode", "ptcode2"),
    "cmdCode": ("cmdcode", "commoditycode"),
    "cmdDesc": ("cmddesc", "commodity", "cmddesce"),
    "classificationCode": ("classificationcode", "classification", "pfcode"),
    "customsCode": ("customscode", "customsproccode", "cstcode"),
    "motCode": ("motcode", "modeoftransportcode"),
    "primaryValue": ("primaryvalue", "tradevalueus", "tradevalue", "value"),
    "isReported": ("isreported",),
    "isAggregate": ("isaggregate",),
    "legacyEstimationFlag": ("legacyestimationflag", "estimationcode", "estcode", "flag"),
}
_FIELD = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}
#: Without these a file is not Comtrade data tradecli can read (a year may come from refYear or period).
REQUIRED = ("reporterCode", "flowCode", "partnerCode", "cmdCode", "primaryValue")
#: Legacy numeric flow codes (Trade Flow Code) as the v1 letters.
LEGACY_FLOWS = {"1": "M", "2": "X", "3": "RX", "4": "RM"}


class Shape(NamedTuple):
    """What a file is: its kind in words, its records (where, v1-keyed cells; read once), and its own column names."""

    kind: str
    records: Iterable[tuple[str, dict[str, str]]]
    columns: list[str]


class Area(NamedTuple):
    """One M49 code of Comtrade's reference table: tradecli's code ('' for a placeholder), name and note."""

    code: str
    name: str
    note: str


def fold(name: str) -> str:
    """A column name folded so that every shape's spelling of it agrees ("Trade Value (US$)" -> "tradevalueus")."""
    return re.sub(r"[^a-z0-9]", "", name.casefold())


@cache
def areas() -> dict[str, Area]:
    """M49 code -> Area, from data/comtrade_areas.csv (Comtrade's Reporters and partner areas reference tables)."""
    with open(bundled.path("comtrade_areas.csv"), encoding="utf-8", newline="") as handle:
        return {row["m49"]: Area(row["code"], row["name"], row["note"]) for row in csv.DictReader(handle)}


@lru_cache(maxsize=4096)  # codes repeat on every row of a file
def m49(code: str) -> str:
    """A Comtrade code as the table keys it ("036" and "36.0" -> "36")."""
    text = code.strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        return str(int(Decimal(text)))
    return text


# --- bytes to text -----------------------------------------------------------------------------


def unzip(data: bytes, name: str) -> bytes:
    """The bytes of a gzipped file (any ``.gz``: told by its magic number, not its name), bounded; others as they are."""
    if data[:2] == b"\x1f\x8b":
        out, reader = bytearray(), zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = reader.decompress(data, MAX_UNZIPPED_BYTES + 1)
            out += chunk
            while reader.unconsumed_tail and len(out) <= MAX_UNZIPPED_BYTES:
                out += reader.decompress(reader.unconsumed_tail, MAX_UNZIPPED_BYTES + 1 - len(out))
        except zlib.error as exc:
            raise TradeDataError(f"{name}: a gzip file that does not unpack ({exc}); download it again") from None
        if len(out) > MAX_UNZIPPED_BYTES:
            raise TradeDataError(f"{name}: unpacks to more than {MAX_UNZIPPED_BYTES >> 20} MiB; split it or unpack it yourself")
        return bytes(out)
    return data


def _what_binary(data: bytes) -> str | None:
    """A name for a binary file someone may pass by mistake, or None."""
    if data.startswith(b"PK\x03\x04"):
        return "a zip archive or an Excel workbook: unzip it, or save the sheet as CSV (UTF-8)"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel workbook (.xls): save the sheet as CSV (UTF-8)"
    if data.startswith(b"%PDF"):
        return "a PDF document: tradecli reads the data files (CSV, JSON), not reports"
    return None


#: Characters a Latin-1 (Windows-1252) CSV of country names holds beyond ASCII.
_LATIN_PUNCTUATION = set("’‘“”–—°ºª·´¨ \u00a0")


def decode(data: bytes, name: str) -> tuple[str, str | None]:
    """A file's text (gzip unpacked; UTF-8, UTF-16 or Latin-1 detected) and a note when it was not UTF-8.

    A file that is not UTF-8 is read as Windows-1252 (Latin-1) only when every byte beyond ASCII
    is then a letter or common punctuation, as in Comtrade's old portal CSVs ("Côte d'Ivoire");
    otherwise it is refused with the encoding to use.
    """
    data = unzip(data, name)
    binary = _what_binary(data)
    if binary:
        raise TradeDataError(f"{name}: {binary}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "read as UTF-16 (it has a UTF-16 byte-order mark)"
        except UnicodeDecodeError:
            raise TradeDataError(f"{name}: marked UTF-16 but not valid UTF-16; save the file as UTF-8") from None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        where, byte = exc.start, data[exc.start]
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and all(c.isalpha() or c in _LATIN_PUNCTUATION for c in text if ord(c) > 127):
        return text, (
            f"not UTF-8: read as Latin-1 (Windows-1252), as Comtrade's portal saved it (first such byte 0x{byte:02x} at {where})"
        )
    raise TradeDataError(
        f"{name}: bytes that are not UTF-8 at byte {where} (0x{byte:02x}) and not Latin-1 text either; "
        "save the file as UTF-8 (e.g. iconv -f WINDOWS-1252 -t UTF-8 if it came from Comtrade's portal or Excel)"
    )


def what_text(text: str) -> str | None:
    """A name for text that is plainly not a data table (an HTML or XML page), or None."""
    head = text.lstrip()[:512].casefold()
    if head.startswith(("<!doctype html", "<html")) or "<html" in head[:200]:
        return "an HTML page, not a data file (a saved web page or a login or error page?): download the CSV or JSON itself"
    if head.startswith("<?xml") or head.startswith("<"):
        return "an XML or HTML document, not a CSV or JSON data file"
    return None


# --- text to records ---------------------------------------------------------------------------


def _delimiter(first_line: str) -> str:
    """Tab for the bulk files (tab-separated), else comma (a semicolon-separated file is named, not guessed)."""
    if first_line.count("\t") > first_line.count(","):
        return "\t"
    if first_line.count(";") > max(first_line.count(","), 2):
        return ";"
    return ","


def csv_records(text: str, name: str, delimiter: str):
    """Each CSV record with the physical line it starts on; a malformed one is a one-line TradeDataError."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TradeDataError(f"{name}: line {reader.line_num}: not valid CSV ({exc})") from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def _blank_na(cell: str) -> str:
    """A CSV cell stripped; R's missing-value marker NA (write.csv of a data frame read by read.csv) as blank."""
    text = cell.strip()
    return "" if text == "NA" else text


def _keyed(columns: list[str]) -> dict[int, str]:
    """Column position -> v1 field, for the columns tradecli knows (the first of two spellings wins)."""
    keyed: dict[int, str] = {}
    for n, column in enumerate(columns):
        field = _FIELD.get(fold(column))
        if field and field not in keyed.values():
            keyed[n] = field
    return keyed


def _kind(columns: list[str], delimiter: str, source: str) -> str:
    """The shape in words, from the file's own column names."""
    folded = {fold(c) for c in columns}
    if source == "legacy-json":
        return "legacy Comtrade API JSON"
    if source == "json":
        return "Comtrade v1 API JSON"
    if "primaryvalue" in folded:
        if any("_" in c for c in columns):
            return "comtradr tidy output"
        if delimiter == "\t":
            return "Comtrade bulk v1 file"
        return "Comtrade v1 CSV"
    if "tradevalueus" in folded:
        if any("." in c and " " not in c for c in columns if fold(c) == "tradevalueus"):
            return "legacy Comtrade API CSV as saved by R"
        return "legacy Comtrade API CSV"
    if "value" in folded and "estimationcode" in folded:
        return "legacy Comtrade bulk CSV"
    return "unknown"


def csv_kind(text: str) -> str | None:
    """The Comtrade CSV shape a text's first line names (e.g. "legacy Comtrade API CSV"), or None."""
    first = re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"), maxsplit=1)[0]  # a lone \r ends a line too
    delimiter = _delimiter(first)
    try:
        kind = _kind(next(csv.reader([first], delimiter=delimiter), []), delimiter, "csv")
    except csv.Error:  # not a CSV line at all (a NUL, say): no Comtrade shape; the caller's reader says what is wrong
        return None
    return None if kind == "unknown" else kind


def _describe(columns: list[str], delimiter: str) -> str:
    kind = {"\t": "a TSV", ";": "a semicolon-separated file"}.get(delimiter, "a CSV")
    shown = ", ".join(c.strip() or "(blank)" for c in columns[:8]) + (", ..." if len(columns) > 8 else "")
    return f"{kind} with {len(columns)} column{'s' * (len(columns) != 1)} ({shown})"


_KNOWN = (
    "tradecli reads Comtrade's v1 API JSON/CSV, bulk v1 .txt(.gz), comtradr output, "
    "and the legacy API/bulk CSV and JSON (see docs/official.md)"
)


def _not_comtrade(name: str, columns: list[str], delimiter: str) -> TradeDataError:
    """The error for a table that is no Comtrade shape: what it is, in words, never a list of missing fields."""
    folded = {fold(c) for c in columns}
    if "country" in folded and any(f.startswith(("export", "import")) for f in folded):
        return TradeDataError(f"{name}: a TradeStat country-wise table, not Comtrade data: use `tradecli import tradestat`")
    if {"id", "reporter", "partner", "flow", "period", "value"} <= folded:
        return TradeDataError(f"{name}: already in the flows schema: use it directly with -d, no import needed")
    return TradeDataError(f"{name}: {_describe(columns, delimiter)}: not Comtrade data; {_KNOWN}")


def _missing(name: str, kind: str, keyed: dict[int, str]) -> None:
    present = set(keyed.values())
    missing = [f for f in REQUIRED if f not in present]
    if not ({"refYear", "period"} & present):
        missing.append("refYear or period")
    if missing:
        raise TradeDataError(f"{name}: {kind} without {', '.join(missing)}: cut down or not Comtrade data")


def read(text: str, name: str) -> tuple[Shape, dict]:
    """The file's shape and records under v1 names; and the JSON document's top level ({} for CSV)."""
    what = what_text(text)
    if what:
        raise TradeDataError(f"{name}: {what}")
    if text.lstrip().startswith(("{", "[")):
        return _read_json(text, name)
    delimiter = _delimiter(text.split("\n", 1)[0])
    rows = iter(csv_records(text, name, delimiter))
    try:
        _, header = next(rows)
    except StopIteration:
        raise TradeDataError(f"{name}: the file is empty; expected Comtrade JSON or CSV") from None
    header = [h.strip() for h in header]
    keyed = _keyed(header)
    kind = _kind(header, delimiter, "csv")
    if kind == "unknown" or "primaryValue" not in keyed.values():
        raise _not_comtrade(name, header, delimiter)
    _missing(name, kind, keyed)

    def records() -> Iterator[tuple[str, dict[str, str]]]:
        # One record at a time: a bulk file of a million rows is never held as a million dicts.
        for line, row in rows:
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise TradeDataError(f"{name}: line {line}: {len(row)} fields where the header has {len(header)}")
            yield f"line {line}", {field: _blank_na(row[n]) for n, field in keyed.items()}

    return Shape(kind, records(), header), {}


def _read_json(text: str, name: str) -> tuple[Shape, dict]:
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise TradeDataError(f"{name}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:  # Python's JSON reader stops near 1,000 levels, long before memory runs out
        raise TradeDataError(f"{name}: JSON nested too deep to read; a Comtrade API response is 3 levels deep") from None
    if isinstance(document, dict) and document.get("error"):
        raise TradeDataError(f"{name}: the Comtrade API answered with an error: {document['error']}")
    if isinstance(document, dict) and isinstance(document.get("dataset"), list):
        items, key, source = document["dataset"], "dataset", "legacy-json"
    elif isinstance(document, dict) and isinstance(document.get("data"), list):
        items, key, source = document["data"], "data", "json"
    else:
        raise TradeDataError(f'{name}: JSON that is not a Comtrade API response: expected {{"count": ..., "data": [...]}}')
    columns = list(dict.fromkeys(k for item in items if isinstance(item, dict) for k in item))
    keyed = {fold(c): f for c, f in ((c, _FIELD.get(fold(c))) for c in columns) if f}
    kind = _kind(columns, ",", source)
    if items:
        _missing(name, kind, dict(enumerate(dict.fromkeys(keyed.values()))))
    records = [
        (f"{key}[{n}]", {_FIELD[fold(k)]: _cell(v) for k, v in item.items() if fold(k) in _FIELD})
        for n, item in enumerate(items)
        if isinstance(item, dict)
    ]
    return Shape(kind, records, columns), document
