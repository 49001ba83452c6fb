"""Checks on a table of reported figures: one Problem per finding, with line and column.

The rules mirror data/datapackage.json (the Table Schema) plus what a schema cannot say:
duplicates, conflicts, totals that disagree with their flows, groups smaller than a member.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import asdict, dataclass
from functools import cache

import numpy as np
import pandas as pd

from . import bundled, partners, periods

ERROR = "error"
WARNING = "warning"

COLUMNS = (
    "id", "reporter", "partner", "flow", "period", "currency", "value", "status", "source", "quote", "note",
    "scope", "scope_from", "scope_source", "scope_quote", "product", "product_name",
)  # fmt: skip
REQUIRED = ("reporter", "partner", "flow", "period", "currency", "value", "source", "quote")
FLOWS = ("export", "import", "total")
STATUSES = ("reported", "approximate", "preliminary", "estimated")
#: What a figure covers: goods (merchandise), services, or both.
SCOPES = ("goods", "services", "goods_services")
#: Where a figure's scope comes from: its own words, a cited second source, or neither (inferred).
SCOPE_FROM = ("stated", "cited", "inferred")
#: A file without a scope column, or a blank scope cell, means this scope, marked inferred.
DEFAULT_SCOPE = "goods"
#: A file without a product column, or a blank product cell, means this product: all goods (or services) together.
DEFAULT_PRODUCT = "TOTAL"
KEY = ("reporter", "partner", "flow", "period", "currency", "scope", "product")
#: Columns whose cells are stripped of surrounding spaces on reading (codes and labels).
STRIPPED = ("id", "reporter", "partner", "flow", "period", "currency", "status", "source", "scope", "scope_from", "product")
# A total and its two flows agree "within rounding" when they differ by at most this share
# of the total: the articles quote figures to three or four significant digits.
TOTAL_TOLERANCE = 0.005


@dataclass(frozen=True)
class Problem:
    """One finding: where it is (file, physical line with header = 1, column), what and how bad."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    code: str
    message: str
    severity: str = ERROR

    def as_dict(self) -> dict[str, object]:
        """The problem as a plain record (the validate command's output row)."""
        return asdict(self)

    def summary(self) -> str:
        """One line naming the place and the finding."""
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


@cache
def currencies() -> frozenset[str]:
    """ISO 4217 currency codes (data/currencies.csv)."""
    with open(bundled.path("currencies.csv"), encoding="utf-8", newline="") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))


def check_columns(file: str, header: list[str]) -> list[Problem]:
    """Missing required columns and columns the schema does not know."""
    problems = [
        Problem(file, 1, name, None, "missing-column", f"required column '{name}' is missing")
        for name in REQUIRED
        if name not in header
    ]
    problems += [
        Problem(file, 1, name, name, "unknown-column", f"column '{name}' is not in the flows schema ({', '.join(COLUMNS)})")
        for name in header
        if name not in COLUMNS
    ]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(file, 1, name, name, "duplicate-column", f"column '{name}' appears twice"))
        seen.add(name)
    return problems


def _cell_problems(
    file: str, frame: pd.DataFrame, column: str, bad: pd.Series, code: str, message: str, severity: str = ERROR
) -> list[Problem]:
    """One Problem per row where ``bad`` is true; ``message`` may use {value}, or be a function of the value."""
    mask = np.asarray(pd.Series(bad, index=frame.index).fillna(False), dtype=bool)
    if not mask.any():
        return []
    rows = frame.loc[mask, ["line", column]]
    return [
        Problem(file, int(line), column, value, code, say(message, value), severity)
        for line, value in rows.itertuples(index=False, name=None)
    ]


def say(message, value) -> str:
    """A rule's message for one value: a template using {value}, or a function of the value."""
    return message(value) if callable(message) else message.format(value=value)


def cell_rules() -> dict[str, tuple]:
    """The rules one cell must pass, by column: (test of a non-blank value, code, message of the value).

    Written once: the pandas reader below and the DuckDB engine (bigfiles) both apply these,
    so a file gets the same finding, message and hint from either engine.
    """

    def code_message(value: str) -> str:
        return f"'{value}' is not a three-letter upper-case code (ISO 3166-1 alpha-3, or a group code such as LAC)"

    return {
        "reporter": (_is_code, "bad-code", code_message),
        "partner": (_is_code, "bad-code", code_message),
        "flow": (FLOWS.__contains__, "unknown-flow", lambda v: f"flow '{v}' is not one of {', '.join(FLOWS)}"),
        "currency": (currencies().__contains__, "unknown-currency", lambda v: f"'{v}' is not an ISO 4217 currency code"),
        "period": (
            lambda p: periods.try_parse(p) is not None, "bad-period",
            lambda v: f"period '{v}' does not parse; {periods.hint(v)}",
        ),
        "status": (
            _is_status, "bad-status", lambda v: f"status '{v}' is not a ';'-separated list of {', '.join(STATUSES)}"
        ),
        "scope": (SCOPES.__contains__, "bad-scope", lambda v: f"scope '{v}' is not one of {', '.join(SCOPES)}"),
        "scope_from": (
            SCOPE_FROM.__contains__, "bad-scope-from", lambda v: f"scope_from '{v}' is not one of {', '.join(SCOPE_FROM)}"
        ),
        "product": (
            is_product, "bad-product",
            lambda v: f"product '{v}' is not {DEFAULT_PRODUCT} or a commodity code (1-12 digits or capital letters, e.g. 2603)",
        ),
    }  # fmt: skip


#: Cells that must not be blank, in schema order ("missing-value").
BLANK_CHECKED = ("reporter", "partner", "flow", "period", "currency", "source", "quote")


def blank_message(column: str) -> str:
    """The missing-value message for a blank required cell."""
    return f"'{column}' is blank"


def number_message(value: str) -> str:
    """The bad-number message: a number written with thousands separators is told how to fix it."""
    if re.fullmatch(r"-?[\d,]+(\.\d*)?", value.strip(), flags=re.ASCII):
        return f"'{value}' is not a number; write it without thousands separators"
    return f"'{value}' is not a number"


def value_rules() -> dict[str, tuple[str, object, str]]:
    """The rules on the value cell and the row, by code: (column reported, message of the value, severity).

    Written once, like ``cell_rules``: the pandas checks below and the DuckDB engine both report these.
    """
    return {
        "bad-number": ("value", number_message, ERROR),
        "not-finite": ("value", "'{value}' is not a finite number", ERROR),
        "negative-value": ("value", "'{value}' is negative; trade flows are never below zero", ERROR),
        "blank-value": ("value", "the value is blank: a missing figure, left out (never read as zero)", WARNING),
        "self-trade": ("partner", "reporter and partner are both '{value}'", ERROR),
    }


def parse_values(raw: pd.Series) -> pd.Series:
    """The value column as floats; blank and unparseable cells become NaN."""
    return pd.to_numeric(raw, errors="coerce").astype("float64")


def _bad_unique(column: pd.Series, good) -> pd.Series:
    """Rows whose (non-blank) cell fails ``good``, testing each distinct value once."""
    distinct = column.cat.categories if isinstance(column.dtype, pd.CategoricalDtype) else column.drop_duplicates()
    bad = {value for value in distinct if value != "" and not good(value)}
    return column.isin(bad)


def _is_code(value: str) -> bool:
    return len(value) == 3 and value.isascii() and value.isalpha() and value.isupper()


def is_product(value: str) -> bool:
    """Whether ``value`` is a product code: TOTAL, or an HS/commodity code of 1 to 12 digits or capital letters."""
    return value == DEFAULT_PRODUCT or (0 < len(value) <= 12 and value.isascii() and value.isalnum() and value.upper() == value)


def _is_status(value: str) -> bool:
    return {part.strip() for part in value.split(";")} <= set(STATUSES)


def check_cells(file: str, frame: pd.DataFrame) -> list[Problem]:
    """Per-cell rules: required cells present, numbers, codes, flows, periods, statuses.

    ``frame`` is what ``flows.read_table`` returns: text cells (codes stripped) and ``number``.
    """
    problems: list[Problem] = []
    rules = value_rules()
    for column in BLANK_CHECKED:
        # A cell of only whitespace is blank too (a quote of three spaces quotes nothing); codes are stripped already.
        text = frame[column] if column in STRIPPED else frame[column].astype("str").str.strip()
        problems += _cell_problems(file, frame, column, text == "", "missing-value", blank_message(column))

    raw = frame["value"]
    value = frame["number"]
    # Only cells that did not parse need a closer look (few, even in a large file).
    odd = raw[value.isna()].astype("str").str.strip()
    blank = raw.index.isin(odd.index[odd == ""])
    unparsed = raw.index.isin(odd.index[odd != ""])
    for code, bad in (("bad-number", unparsed), ("not-finite", value.isin([math.inf, -math.inf])),
                      ("negative-value", value < 0), ("blank-value", blank)):  # fmt: skip
        column, message, severity = rules[code]
        problems += _cell_problems(file, frame, column, bad, code, message, severity)

    same = (frame["reporter"].astype("str") == frame["partner"].astype("str")) & (frame["reporter"] != "")
    problems += _cell_problems(file, frame, "partner", same, "self-trade", rules["self-trade"][1])
    for column, (good, code, message) in cell_rules().items():
        problems += _cell_problems(file, frame, column, _bad_unique(frame[column], good), code, message)
    return sorted(problems, key=order)


def order(problem: Problem) -> tuple[int, int, str]:
    """How findings in one file are listed: by line, then column in schema order, then code."""
    return (problem.line or 0, COLUMNS.index(problem.column) if problem.column in COLUMNS else 0, problem.code)


def check_figures(figures: pd.DataFrame) -> list[Problem]:
    """Rules across rows of typed figures (from one or many files): duplicates, conflicts, totals, groups.

    ``figures`` has the KEY columns, ``value`` (float), ``file`` and ``line`` (no ``product``: all are TOTAL).
    """
    problems: list[Problem] = []
    keyed = figures.dropna(subset=["value"])
    if "product" not in keyed.columns:
        keyed = keyed.assign(product=DEFAULT_PRODUCT)
    dup = keyed[keyed.duplicated(list(KEY), keep=False)]  # in reading order: files as given, then lines
    for _, group in dup.groupby(list(KEY), sort=False):
        first = group.iloc[0]
        for row in group.iloc[1:].itertuples():
            problems.append(repeated_figure(row.file, int(row.line), row.value, first.file, first.line, first.value))

    # pivot, not pivot_table: keys are unique here and must never be silently aggregated.
    # Only keys with a reported total can disagree with their flows.
    # A total is checked only against flows of its scope and product.
    per = ["reporter", "partner", "period", "currency", "scope", "product"]
    with_total = keyed[keyed["flow"] == "total"][per]
    keyed_totals = keyed.merge(with_total, on=per) if len(with_total) else keyed.iloc[:0]
    wide = keyed_totals.drop_duplicates(list(KEY)).pivot(index=per, columns="flow", values="value")  # noqa: PD010
    if {"export", "import", "total"} <= set(wide.columns):
        gap = wide["export"] + wide["import"] - wide["total"]
        off = gap.abs() > TOTAL_TOLERANCE * wide["total"]
        for key in wide.index[off.fillna(False).to_numpy()]:
            row = keyed_totals.set_index([*per, "flow"]).loc[(*key, "total")]
            problems.append(
                total_mismatch(str(row["file"]), int(row["line"]), row["value"],
                               wide.loc[key, "export"] + wide.loc[key, "import"])
            )  # fmt: skip
    problems += _check_groups(keyed)
    return problems


def repeated_figure(file: str, line: int, value: float, first_file: str, first_line: int, first_value: float) -> Problem:
    """A figure given again for the same key: a duplicate (same value) or a conflict (another value)."""
    where = f"{first_file} line {first_line}"
    if value == first_value:
        return Problem(file, line, "value", _fmt(value), "duplicate-figure", f"the same figure as {where}")
    return Problem(file, line, "value", _fmt(value), "conflicting-figure",
                   f"{_fmt(value)} conflicts with {_fmt(first_value)} at {where} "
                   "for the same reporter, partner, flow, period, currency, scope and product")  # fmt: skip


def total_mismatch(file: str, line: int, total: float, flows_sum: float) -> Problem:
    """A reported total that differs from its exports + imports by more than rounding."""
    message = f"total {_fmt(total)} differs from exports + imports {_fmt(flows_sum)} by more than rounding"
    return Problem(file, line, "value", _fmt(total), "total-mismatch", message, WARNING)


def group_below_member(file: str, line: int, value: float, group: str, flow: str, member: str, member_value: float) -> Problem:
    """A group's figure smaller than the same figure for one of its members."""
    message = f"{group} {flow} {_fmt(value)} is smaller than its member {member}'s {_fmt(member_value)}"
    return Problem(file, line, "value", _fmt(value), "group-below-member", message, WARNING)


def _check_groups(keyed: pd.DataFrame) -> list[Problem]:
    """Warn where a group's figure is smaller than the same figure for one of its members."""
    members = [(code, group) for code, entry in partners.names().items() for group in entry.member_of]
    if not members:
        return []
    links = pd.DataFrame(members, columns=["partner", "group"])
    if not keyed["partner"].isin(links["group"]).any():
        return []
    joined = keyed.merge(links, on="partner").merge(
        keyed.rename(columns={"partner": "group"}),
        on=["reporter", "group", "flow", "period", "currency", "scope", "product"],
        suffixes=("_member", ""),
    )
    small = joined[joined["value"] < joined["value_member"]]
    return [
        group_below_member(str(row.file), int(row.line), row.value, row.group, row.flow, row.partner, row.value_member)
        for row in small.itertuples()
    ]


def _fmt(value: float) -> str:
    """A number as a user typed it: no float noise, no trailing .0."""
    return f"{value:.12g}"
