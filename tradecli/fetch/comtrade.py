"""UN Comtrade: a question as API requests, the answers cached and read as ``tradecli import comtrade`` reads a file.

The requests (``plan``): reporter and partners as Comtrade's area codes for the years asked
(data/comtrade_codes.csv, from Comtrade's Reporters.json and partnerAreas.json), periods expanded
and cut into calls of at most 12 periods and URLs under 4,096 characters, each call small enough
for the endpoint's record limit. Without a key, the public preview endpoint (at most 500 records
a call); with one, the data endpoint. An answer that fills the limit is split and asked again.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from urllib.parse import urlencode, urlsplit

from .. import bundled, partners
from ..errors import NoFiguresError, TradeDataError, UsageError
from .cache import Cache, Entry
from .client import Client, FetchError, Policy

DEFAULT_URL = "https://comtradeapi.un.org"
URL_ENV = "TRADECLI_COMTRADE_URL"
KEY_ENV = "COMTRADE_API_KEY"
#: Records one call may return: the preview endpoint's fixed limit, and the data endpoint's maxRecords maximum.
PREVIEW_LIMIT = 500
DATA_LIMIT = 250_000
MAX_PERIODS = 12  # the API takes at most 12 periods a call
MAX_URL = 4096  # characters in a URL, the query included
FLOWS = {"export": "X", "import": "M"}
TYPES = {"goods": ("C", "HS"), "services": ("S", "EB")}
FREQS = ("A", "M")
#: The filters that make a Comtrade row a country total (official.COMTRADE_TOTAL): no second partner,
#: all customs procedures, all modes of transport.
TOTAL_FILTERS = (("partner2Code", "0"), ("customsCode", "C00"), ("motCode", "0"))
_YEAR = re.compile(r"\d{4}", re.ASCII)
_MONTH = re.compile(r"(\d{4})(\d{2})", re.ASCII)


# --- the question ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ComtradeQuery:
    """What to fetch: ISO3 (or tradecli) codes, period labels as the API writes them, flow and commodity codes."""

    reporter: str
    partners: tuple[str, ...]
    periods: tuple[str, ...]  # 2015 (annual) or 202401 (monthly)
    flows: tuple[str, ...] = ("X", "M")
    freq: str = "A"
    type: str = "goods"
    commodities: tuple[str, ...] = ("TOTAL",)

    @classmethod
    def parse(
        cls,
        reporter: str,
        partner: Sequence[str],
        period: str,
        flow: str = "export,import",
        freq: str = "A",
        type: str = "goods",  # noqa: A002 - the option's name
        commodity: str = "TOTAL",
    ) -> ComtradeQuery:
        """The query from the command line's words; UsageError naming the word that is wrong."""
        reporter_code = partners.resolve(reporter, what="reporter")
        partner_codes = tuple(dict.fromkeys(partners.resolve(p.strip()) for p in _words(partner)))
        if not partner_codes:
            raise UsageError("--partner: name at least one partner (e.g. --partner CHN,USA)")
        freq = freq.strip().upper()
        if freq not in FREQS:
            raise UsageError(f"--freq '{freq}': use A (annual) or M (monthly)")
        if type.strip().lower() not in TYPES:
            raise UsageError(f"--type '{type}': use goods or services")
        flows = []
        for word in _words([flow]):
            if word.lower() not in FLOWS:
                raise UsageError(f"--flow '{word}': use export, import or both (export,import)")
            flows.append(FLOWS[word.lower()])
        commodities = tuple(dict.fromkeys(c.upper() if c.lower() == "total" else c for c in _words([commodity])))
        if not commodities or not all(re.fullmatch(r"[A-Za-z0-9]{1,12}", c, re.ASCII) for c in commodities):
            raise UsageError(f"--commodity '{commodity}': use TOTAL or a commodity code (e.g. 27)")
        if len(commodities) > 1:
            # A flows file has no product column: two commodities would give two figures with one key.
            raise UsageError(f"--commodity '{commodity}': one commodity at a time (a flows file has no product column)")
        return cls(
            reporter_code,
            partner_codes,
            expand_periods(period, freq),
            tuple(dict.fromkeys(flows)),
            freq,
            type.strip().lower(),
            commodities,
        )


def _words(values: Sequence[str]) -> list[str]:
    return [w.strip() for v in values for w in v.split(",") if w.strip()]


def expand_periods(text: str, freq: str) -> tuple[str, ...]:
    """Period labels as the API takes them: 2015..2024 -> 2015, ..., 2024; monthly 202401..202412, or a year's 12 months."""
    out: list[str] = []
    for word in _words([text]):
        first, sep, last = word.partition("..")
        if not sep:
            last = first
        if freq == "A":
            if not (_YEAR.fullmatch(first) and _YEAR.fullmatch(last)):
                raise UsageError(f"--period '{word}': annual periods are years, e.g. 2015..2024 or 2019,2021")
            years = range(int(first), int(last) + 1)
            out += [str(y) for y in years]
        else:
            start, end = _month(first, word, end=False), _month(last, word, end=True)
            months = range(start[0] * 12 + start[1] - 1, end[0] * 12 + end[1])
            out += [f"{m // 12:04d}{m % 12 + 1:02d}" for m in months]
        if not out or (sep and int(last) < int(first)):
            raise UsageError(f"--period '{word}': the range ends before it starts")
    if len(out) > 1200:
        raise UsageError(f"--period '{text}': {len(out)} periods; ask for at most 1,200 at a time")
    return tuple(dict.fromkeys(out))


def _month(text: str, word: str, end: bool) -> tuple[int, int]:
    if _YEAR.fullmatch(text):
        return int(text), 12 if end else 1  # a year in a monthly query: all its months
    m = _MONTH.fullmatch(text)
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise UsageError(f"--period '{word}': monthly periods are YYYYMM, e.g. 202401..202412, or years")
    return int(m.group(1)), int(m.group(2))


# --- codes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """One row of Comtrade's reference tables (data/comtrade_codes.csv)."""

    role: str
    code: int
    iso3: str
    name: str
    first: int
    last: int | None
    group: bool


@cache
def areas() -> tuple[Area, ...]:
    """Comtrade's reporter and partner areas, from the bundled copy of its reference tables."""
    with open(bundled.path("comtrade_codes.csv"), encoding="utf-8", newline="") as handle:
        return tuple(
            Area(r["role"], int(r["code"]), r["iso3"], r["name"], int(r["entry_year"] or 0),
                 int(r["exit_year"]) if r["exit_year"] else None, r["is_group"] == "true")
            for r in csv.DictReader(handle)
        )  # fmt: skip


def area_code(iso3: str, role: str, year: int) -> int:
    """Comtrade's code for ``iso3`` as a reporter or partner in ``year``.

    One ISO3 code can have several Comtrade codes: successive ones (USA 841 until 1980, 842
    since; Germany 280 until 1990, 276 since) are chosen by year; where two are in effect at
    once (partner USA 840 and 842, France 250 and 251), the one Comtrade also uses as a
    reporter code is chosen, as its data are filed under it.
    """
    if iso3 == "WLD" and role == "partner":
        return 0
    rows = [a for a in areas() if a.role == role and a.iso3 == iso3 and not a.group]
    if not rows:
        raise UsageError(f"{partners.display(iso3)} ({iso3}) is not a Comtrade {role} area; see data/comtrade_codes.csv")
    current = [a for a in rows if a.first <= year and (a.last is None or year <= a.last)]
    if not current:
        raise UsageError(f"{partners.display(iso3)} ({iso3}) has no Comtrade {role} code for {year}")
    reporters = {a.code for a in areas() if a.role == "reporter"}
    return min(current, key=lambda a: (a.code not in reporters, -a.first, a.code)).code


def _members(code: str) -> list[str]:
    """The countries of a tradecli group (lac -> its members), or the code itself."""
    entry = partners.names().get(code)
    if entry is None or entry.kind != "group" or code == "WLD":
        return [code]
    members = [c for c, e in partners.names().items() if code in e.member_of and e.kind == "country"]
    if not members:
        raise UsageError(f"{entry.name} ({code}) is a group whose countries tradecli does not list; name the countries")
    return members


# --- requests --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One API call: its path and parameters (never the key), and what it asks for."""

    path: str
    params: tuple[tuple[str, str], ...]
    limit: int
    expected: int  # records the call returns at most if each (partner, period, flow, commodity) is one row

    def url(self, base: str) -> str:
        """The full URL, as sent (the key goes in a header, never here)."""
        return f"{base.rstrip('/')}{self.path}?{urlencode(self.params, safe=',')}"

    def param(self, name: str) -> list[str]:
        """A parameter's values (comma-separated in the URL)."""
        return dict(self.params)[name].split(",")

    def with_param(self, name: str, values: Sequence[str]) -> Request:
        """The same call with ``name`` set to ``values``, its expected size scaled to match."""
        before = len(self.param(name))
        params = tuple((k, ",".join(values) if k == name else v) for k, v in self.params)
        return replace(self, params=params, expected=max(1, self.expected * len(values) // before))

    def halves(self) -> list[Request] | None:
        """The call split in two along its widest dimension; None when each dimension has one value."""
        widest = max(("period", "partnerCode", "cmdCode", "flowCode"), key=lambda n: len(self.param(n)))
        values = self.param(widest)
        if len(values) < 2:
            return None
        mid = len(values) // 2
        return [self.with_param(widest, values[:mid]), self.with_param(widest, values[mid:])]


def plan(query: ComtradeQuery, keyed: bool, base: str = DEFAULT_URL) -> list[Request]:
    """The calls that answer ``query``: ≤ 12 periods, expected records ≤ the limit, URLs < 4,096 characters."""
    type_code, classification = TYPES[query.type]
    path = f"/{'data/v1/get' if keyed else 'public/v1/preview'}/{type_code}/{query.freq}/{classification}"
    limit = DATA_LIMIT if keyed else PREVIEW_LIMIT
    partner_isos = [m for p in query.partners for m in _members(p)]
    # Periods grouped by the codes in effect then, so no call mixes two codes of one country.
    groups: dict[tuple[int, tuple[int, ...]], list[str]] = {}
    for period in query.periods:
        year = int(period[:4])
        codes = tuple(dict.fromkeys(area_code(p, "partner", year) for p in partner_isos))
        groups.setdefault((area_code(query.reporter, "reporter", year), codes), []).append(period)
    requests = []
    for (reporter, partner_codes), periods in groups.items():
        per_call = max(1, limit // max(1, len(query.flows) * len(query.commodities) * min(len(periods), MAX_PERIODS)))
        for p in range(0, len(periods), MAX_PERIODS):
            for q in range(0, len(partner_codes), per_call):
                chunk, part = periods[p : p + MAX_PERIODS], partner_codes[q : q + per_call]
                params = (
                    ("reporterCode", str(reporter)),
                    ("partnerCode", ",".join(map(str, part))),
                    ("period", ",".join(chunk)),
                    ("flowCode", ",".join(query.flows)),
                    ("cmdCode", ",".join(query.commodities)),
                    *TOTAL_FILTERS,
                    ("includeDesc", "true"),
                    ("maxRecords", str(limit)),
                )
                expected = len(chunk) * len(part) * len(query.flows) * len(query.commodities)
                requests += _short_enough(Request(path, params, limit, expected), base)
    return requests


def _short_enough(request: Request, base: str) -> list[Request]:
    """The call, or its halves until each URL is under MAX_URL characters."""
    if len(request.url(base)) < MAX_URL:
        return [request]
    halves = request.halves()
    if halves is None:
        raise UsageError(f"a single call's URL would be {len(request.url(base))} characters; ask for fewer commodities")
    return [r for h in halves for r in _short_enough(h, base)]


# --- fetching --------------------------------------------------------------------------------


@dataclass
class Fetched:
    """What a fetch produced: the figures and warnings (official.Imported), and how it went."""

    figures: object  # pandas.DataFrame in the flows schema (validation.COLUMNS)
    warnings: list = field(default_factory=list)
    requests: int = 0  # calls answered from the network (retries not counted)
    cached: int = 0  # calls answered from the cache


def fetch_comtrade(
    query: ComtradeQuery,
    *,
    key: str | None = None,
    base: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    refresh: bool = False,
    offline: bool = False,
    max_age: float | None = None,
    policy: Policy | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    months: str | None = None,
) -> Fetched:
    """Fetch ``query`` from UN Comtrade (or the cache) and read it as ``tradecli import comtrade`` would.

    ``months`` (fiscal|calendar) sums monthly answers (``--freq M``) into Indian fiscal or calendar years,
    as ``import comtrade --months`` does.

    Raises FetchError (a failed call), NoFiguresError (every answer empty: ``str`` says what was
    asked) or the reader's TradeDataError. ``on_progress(done, total, request)`` follows the calls.
    """
    from .. import official

    if refresh and offline:
        raise UsageError("--refresh and --offline contradict each other: choose one")
    base = (base or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")
    _check_base(base)
    store = Cache(cache_dir)
    pending = list(plan(query, keyed=bool(key), base=base))
    answers: list[tuple[Request, Entry]] = []
    result = Fetched(figures=None)
    client: Client | None = None
    try:
        while pending:
            request = pending.pop(0)
            url = request.url(base)
            if on_progress:
                on_progress(len(answers), len(answers) + len(pending) + 1, url)
            entry = None if refresh else store.get(url, max_age)
            if entry is None and offline:
                raise FetchError(f"{url}: not in the cache{' within --max-age' if max_age is not None else ''} (--offline)")
            if entry is None:
                client = client or Client(key, policy or Policy())
                answer = client.get(f"{base}{request.path}", request.params, url)
                document = _check_answer(answer.body, answer.content_type, url, client, request.limit)
                result.requests += 1
            else:
                document = _check_answer(entry.body, "application/json", f"{url} (cached {entry.fetched:%Y-%m-%d})", None)
                result.cached += 1
            if max(document["count"], len(document["data"])) >= request.limit:
                halves = request.halves()
                if halves is not None:  # the answer may be cut at the limit: ask again in halves (and keep it nowhere)
                    pending[:0] = halves
                    continue
                if document.get("error"):
                    raise FetchError(f"{url}: {_said(document, client)}; the call is at the endpoint's limit and cannot be split")
                result.warnings.append(_limit_warning(url, document["count"]))
            if entry is None:
                entry = store.put(url, answer.body)  # only a good, complete answer is kept
            answers.append((request, entry))
    finally:
        if client is not None:
            client.close()
    if on_progress:
        on_progress(len(answers), len(answers), "")
    with_data = [(r, e) for r, e in answers if _has_records(e.body)]
    if not with_data:
        raise NoFiguresError(_nothing(query, len(answers)))
    names = [f"{r.url(base)} (fetched {e.fetched.isoformat().replace('+00:00', 'Z')})" for r, e in with_data]
    commodity = None if query.commodities == ("TOTAL",) else query.commodities[0]
    try:
        imported = official.convert("comtrade", [e.path for _, e in with_data], commodity=commodity, names=names, months=months)
    except TradeDataError as exc:
        if query.freq == "M" and months is None and str(exc).endswith("no figures to import"):
            raise TradeDataError(
                f"{len(with_data)} monthly answer{'s' * (len(with_data) > 1)} fetched and cached, but no figures to import: "
                "monthly figures are summed into years with --months fiscal (April–March) or --months calendar"
            ) from None
        raise
    result.figures, result.warnings = imported.figures, result.warnings + imported.warnings
    return result


def _check_base(base: str) -> None:
    """Refuse a base URL that is not plain http(s)://host[/path]: whatever it holds is written into every source."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in base):
        raise UsageError(f"--api-url '{base}' is not an http(s) URL")
    if parts.query or parts.fragment or parts.username or parts.password:
        # A key in the URL would end up in the sources, the cache and the messages: it goes in a header only.
        raise UsageError("--api-url: give the base URL without a query, fragment or user name (a key goes in $COMTRADE_API_KEY)")


def _check_answer(body: bytes, content_type: str, what: str, client: Client | None, limit: int | None = None) -> dict:
    """The answer as JSON with a list of records; FetchError (so it is never cached) for anything else.

    An ``error`` fails the call, unless the records fill the endpoint's ``limit`` (how the
    preview says it stopped there): the caller then splits the call.
    """
    text = body.lstrip()[:200].lower()
    if "html" in content_type.lower() or text.startswith((b"<!doctype", b"<html")):
        raise FetchError(f"{what}: the server answered with an HTML page, not Comtrade data; check --api-url")
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FetchError(f"{what}: the answer is not valid JSON ({str(exc)[:80] or 'nested too deep'})") from None
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        if isinstance(document, dict) and document.get("error"):
            raise FetchError(f"{what}: Comtrade answered with an error: {_said(document, client)}")
        raise FetchError(f'{what}: not a Comtrade answer (expected {{"count": ..., "data": [...]}})')
    if document.get("error") and (limit is None or len(document["data"]) < limit):
        raise FetchError(f"{what}: Comtrade answered with an error: {_said(document, client)}")
    count = document.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        document["count"] = len(document["data"])
    if client is not None and client.key and client.key.encode() in body:
        raise FetchError(f"{what}: the answer contains the API key; it is not kept")
    return document


def _said(document: dict, client: Client | None) -> str:
    """The answer's ``error`` text in one short line, the key (should it be echoed) hidden."""
    said = " ".join(str(document.get("error")).split())[:200]
    return client.redact(said) if client else said


def _has_records(body: bytes) -> bool:
    return bool(json.loads(body.decode("utf-8-sig"))["data"])


def _limit_warning(url: str, count: int):
    from ..validation import WARNING, Problem

    return Problem(url, None, "count", str(count), "record-limit",
                   f"the answer holds {count} records, the endpoint's limit, and cannot be split further: "
                   "it may be cut short; use an API key (COMTRADE_API_KEY) or ask for less", WARNING)  # fmt: skip


def _nothing(query: ComtradeQuery, calls: int) -> str:
    """One line: what was asked, and that nothing came back."""
    flows = {v: k for k, v in FLOWS.items()}
    periods = query.periods[0] if len(query.periods) == 1 else f"{query.periods[0]}..{query.periods[-1]}"
    return (
        f"UN Comtrade has no {query.type} {'/'.join(flows[f] for f in query.flows)} records for reporter {query.reporter}, "
        f"partner{'s' * (len(query.partners) > 1)} {','.join(query.partners)}, period {periods}, "
        f"commodity {','.join(query.commodities)} ({calls} call{'s' * (calls != 1)}, every answer empty)"
    )


def read_key(key_file: str | None) -> tuple[str | None, str | None]:
    """The API key from --key-file or $COMTRADE_API_KEY (None: the preview endpoint), and where it came from."""
    from .client import check_key

    if key_file:
        try:
            with open(key_file, encoding="utf-8") as handle:
                text = handle.read(4096)
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise FetchError(f"cannot read the key file {key_file} ({reason})") from None
        return check_key(text, f"--key-file {key_file}"), key_file
    if os.environ.get(KEY_ENV, "").strip():
        return check_key(os.environ[KEY_ENV], f"${KEY_ENV}"), f"${KEY_ENV}"
    return None, None
