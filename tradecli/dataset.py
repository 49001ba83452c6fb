"""The question a command asks, decided in one place, and its answer.

``Dataset.open(data, with_bundled, env)`` says which files are read; ``.select(partners,
reporter, periods)`` says what is asked of them; ``.balance()``, ``.years()``,
``.side_by_side()``, ``.products()``, ``.partners()``, ``.sources()``, ``.validate()`` and ``.crosscheck()``
answer it as a ``Result``. Every CLI command is one such call plus rendering, so the CLI and
the library cannot disagree (``tradecli balance -f json`` is ``render.records(result.frame)``).

The rules of the question live here and nowhere else:

- which files: ``data``, else the ``env`` path list ($TRADECLI_DATA), else the bundled data;
  ``with_bundled`` adds the bundled data to the first two;
- which reporter: the one asked for; ``"all"`` for every reporter, each from its own side;
  none given means the data's only reporter, else India;
- which partners: names, codes or aliases resolved against the names table and the data;
- which periods: the labels asked for select the rows *shown*; a year-on-year change is always
  computed from every period first, so ``--years --period FY2024-25`` still has its change.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import NoFiguresError, UsageError

#: The reporter when the data holds several and none is asked for.
DEFAULT_REPORTER = "IND"
#: The reporter value meaning every reporter, each from its own side.
ALL = "all"
#: Reporters per batch when every reporter's balances are streamed from big files (measured on 10M rows:
#: one batch of every reporter needs 10.8 GiB, as the whole wide table and its CSV text sit in pandas at once).
BATCH_REPORTERS = 25


@dataclass
class Result:
    """An answer: the ``frame`` (columns by ``kind``), the warnings met on the way, and the files read.

    ``kind`` is balance | years | products | partners | sources | problems | check | flows; it tells the
    renderer which table, title and footnotes to use. ``figures()`` lists the figures behind the
    frame (queries.SOURCE_COLUMNS), computed on first use.
    """

    frame: Any
    kind: str
    warnings: list = field(default_factory=list)
    files: list = field(default_factory=list)
    behind: Callable[[], Any] | None = field(default=None, repr=False)

    def figures(self):
        """The figures behind the frame, with their quotes and sources (empty when it lists none)."""
        import pandas as pd

        from .queries import SOURCE_COLUMNS

        return self.behind() if self.behind is not None else pd.DataFrame(columns=SOURCE_COLUMNS)

    @property
    def valid(self) -> bool:
        """For a ``validate`` result: whether no problem is an error."""
        return not (self.kind == "problems" and (self.frame["severity"] == "error").any())

    def records(self) -> list[dict[str, Any]]:
        """The frame as a list of plain dicts, ``;``-joined columns as lists: what ``-f json`` prints."""
        from .render import json_records

        return json_records(self.frame)


@dataclass(frozen=True)
class Note:
    """A warning about an answer rather than a file (a Result's ``warnings`` hold both): its ``code`` and one-line message."""

    code: str
    message: str
    severity: str = "warning"

    def summary(self) -> str:
        """The note in one line."""
        return self.message


def _labels(periods: str | Sequence[str] | None) -> tuple[str, ...]:
    """Period texts as canonical labels (2024, FY2023-24), in order, without repeats."""
    from . import periods as periods_mod

    if periods is None:
        return ()
    texts = [periods] if isinstance(periods, str) else list(periods)
    return tuple(dict.fromkeys(periods_mod.parse(text).label for text in texts))


def _reading(method):
    """A Dataset method run with the dataset's engine in force (lazy reads of big files included)."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self._engine():
            return method(self, *args, **kwargs)

    return run


@dataclass(frozen=True)
class Dataset:
    """Files of figures and a question asked of them; immutable (``select`` returns a new one).

    Nothing is read until a question is answered; big files (Parquet, big CSV) are then reduced
    by DuckDB to the rows the question needs before pandas sees them.
    """

    inputs: tuple = ()
    partner_names: tuple[str, ...] = ()
    reporter_name: str | None = None
    periods: tuple[str, ...] = ()
    scope: str | None = None
    start: str | None = None  # --from: the first period of a span (a label), None: open
    end: str | None = None  # --to: the last period of a span (a label), None: open
    again: tuple[str, ...] = ()  # the options that name these files again, for printed hints (``frame.attrs["again"]``)
    flows: Any = field(default=None, compare=False, repr=False)  # already loaded figures (Dataset.of)
    engine: Any = None  # the engine that reads big files (read.engines.Engine); None: $TRADECLI_ENGINE's

    # --- which files -----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        data: Sequence[str | Path] | None = None,
        with_bundled: bool = False,
        env: str | None = None,
        engine: str | None = None,
        spark_remote: str | None = None,
    ) -> Dataset:
        """The files to read: ``data``, else the ``env`` path list ($TRADECLI_DATA), else the bundled data;
        read by ``engine`` (auto, pandas, duckdb or spark; None: $TRADECLI_ENGINE, else auto), Spark at
        ``spark_remote`` (sc://host:15002; None: $SPARK_REMOTE, else a local session)."""
        from .read import engines, flows

        chosen = engines.choose(engine, spark_remote)  # an unknown engine is a usage error whatever the files

        # How to ask again: the files named with --data (not those of $TRADECLI_DATA, which stays set).
        again = tuple(a for f in data or () for a in ("-d", str(f))) + (("--with-bundled",) if data and with_bundled else ())
        # --spark-remote is left out: a Spark Connect address may carry a token, which is never printed.
        again += ("--engine", chosen.name) if engine is not None else ()
        return cls(inputs=tuple(flows.resolve_sources(data, with_bundled, env)), again=again, engine=chosen)

    @classmethod
    def of(cls, loaded) -> Dataset:
        """A dataset of figures already loaded (a ``flows.Flows``, e.g. from ``tradecli.load``)."""
        return cls(inputs=(), flows=loaded)

    @property
    def files(self) -> list:
        """The files read (not the bundled data): what ``-o`` must never overwrite."""
        from .read import flows

        return [s for s in self.inputs if s != flows.BUNDLED]

    # --- what is asked ---------------------------------------------------------------------

    def select(
        self,
        partners: Sequence[str] | None = None,
        reporter: str | None = None,
        periods: str | Sequence[str] | None = None,
        scope: str | None = None,
        start: str | None = None,
        end: str | None = None,
    ) -> Dataset:
        """Ask about these partners (names, codes or aliases; none: all), this reporter ('all': each
        from its own side; none: the data's only reporter, else India), these periods (none: all)
        or the span from ``start`` to ``end`` (period labels of one basis; either open), and this
        scope (goods, services or goods_services; none: every scope, each on its own)."""
        from . import periods as periods_mod
        from .validation import SCOPES

        first, last = periods_mod.span(start, end)
        if (first or last) and periods:
            raise UsageError("give --period, or a span with --from/--to, not both")
        if reporter is not None and not str(reporter).strip():
            raise UsageError("an empty reporter name; give a name, an ISO code, an alias or 'all'")
        if scope is not None and scope.strip().lower() not in SCOPES:
            raise UsageError(f"--scope '{scope}' is not one of {', '.join(SCOPES)}")
        return dataclasses.replace(
            self,
            partner_names=tuple(partners or ()),
            reporter_name=reporter,
            periods=_labels(periods),
            scope=scope.strip().lower() if scope is not None else None,
            start=first.label if first else None,
            end=last.label if last else None,
        )

    @property
    def spanned(self) -> bool:
        """Whether a span (--from/--to) is asked for."""
        return self.start is not None or self.end is not None

    def _shown(self, loaded) -> tuple[str, ...]:
        """The period labels whose rows are shown: those asked for, or those of the data in the span, in order.

        Raises NoFiguresError when the data holds no period in the span.
        """
        from . import periods as periods_mod

        if not self.spanned:
            return self.periods
        first, last = periods_mod.span(self.start, self.end)
        found = sorted(
            (p for p in map(periods_mod.try_parse, dict.fromkeys(loaded.figures["period"])) if p is not None),
            key=lambda p: p.sort_key,
        )
        labels = tuple(p.label for p in found if periods_mod.within(p.label, first, last))
        if not labels:
            held = ", ".join(p.label for p in found) or "none"
            raise NoFiguresError(f"no figures in the span {self._span_words()}; the data holds the periods {held}")
        return labels

    def _span_words(self) -> str:
        return f"from {self.start or 'the first period'} to {self.end or 'the last period'}"

    @property
    def all_reporters(self) -> bool:
        """Whether every reporter is asked for."""
        return isinstance(self.reporter_name, str) and self.reporter_name.strip().lower() == ALL

    def _resolve(self, reporters: Callable[[], set[str]], codes: Callable[..., set[str]]):
        """(reporter code or None for all, partner codes) for this question against the data."""
        from . import queries

        partner_codes = queries.resolve_lazily(list(self.partner_names), codes)
        if self.all_reporters:
            return None, partner_codes
        if self.reporter_name is not None:
            return queries.resolve_lazily([self.reporter_name], codes, "reporter")[0], partner_codes
        found = set(reporters())
        return (found.pop() if len(found) == 1 else DEFAULT_REPORTER), partner_codes

    def _load(self, narrow_periods: bool = True, reporters: list[str] | None = None, extra_partners: tuple[str, ...] = ()):
        """(figures, reporter code or None, partner codes): the data read once for this question.

        ``narrow_periods`` False keeps every period (a change needs the period before the ones shown);
        ``reporters`` narrows to a batch of reporter codes (see ``balance_batches``); ``extra_partners``
        are read besides the partners asked (the World for a share of it), but not returned; with them,
        big files are not reduced to a balance's wide table (products need the figures themselves).
        """
        from .read import flows as flows_mod

        if self.flows is not None:
            loaded = self.flows
            reporter, codes = self._resolve(
                lambda: loaded.reporters, lambda code=None: loaded.codes if code is None else {code} & loaded.codes
            )
            return loaded, reporters or reporter, codes
        chosen: dict[str, Any] = {}
        # Big files are reduced to one period only when a single one is asked and nothing needs the rest.
        period = self.periods[0] if narrow_periods and len(self.periods) == 1 else None

        def narrow(reporters_of, codes_of):
            chosen["reporter"], chosen["partners"] = self._resolve(reporters_of, codes_of)
            wanted = [*chosen["partners"], *(c for c in extra_partners if c not in chosen["partners"])]
            return (reporters or chosen["reporter"]), wanted, period

        with self._engine():
            loaded = flows_mod.load(list(self.inputs), narrow, reduce=not extra_partners)
        if not chosen:  # small files: resolve against what was read
            narrow(lambda: loaded.reporters, lambda code=None: loaded.codes if code is None else {code} & loaded.codes)
        return loaded, reporters or chosen["reporter"], chosen["partners"]

    def _engine(self):
        """The dataset's engine in force while it reads."""
        from .read import engines

        return engines.using(self.engine)

    # --- answers ---------------------------------------------------------------------------

    def _result(self, frame, kind: str, loaded, behind: bool = True) -> Result:
        from . import queries

        frame.attrs["again"] = list(self.again)  # a hint the renderer prints must run as printed
        return Result(
            frame,
            kind,
            list(loaded.warnings),
            self.files,
            self._bound(lambda: queries.figures_behind(frame, loaded)) if behind else None,
        )

    def _bound(self, call):
        """``call`` (an answer read later, such as the figures behind a result) with the dataset's engine in force."""
        from .read import engines

        return engines.bound(self.engine, call)

    def _what(self, reporter, partner_codes) -> str:
        who = reporter if isinstance(reporter, str) else "any reporter" if reporter is None else ", ".join(reporter)
        what = f"{who} with {', '.join(partner_codes)}" if partner_codes else f"reporter {who}"
        scope = f" of scope {self.scope}" if self.scope else ""
        span = f" {self._span_words()}" if self.spanned else ""
        return what + (f" in {', '.join(self.periods)}" if self.periods else "") + span + scope

    @_reading
    def _balances(self, loaded, reporter, partner_codes, currency, rates, periods):
        from . import queries

        return queries.balance(
            partner_codes, periods=periods, currency=currency, reporter=reporter, flows=loaded, rates=rates, scope=self.scope
        )

    def _require(self, table, loaded, reporter, codes):
        """``table``, or NoFiguresError saying what was asked; where the data holds those partners' figures
        by product only, it says so and names the command that answers on them."""
        from . import metrics

        if not table.empty:
            return table
        figures = loaded.figures  # big files: read only now, on the way to an error
        if codes and "product" in figures.columns:
            mine = figures["partner"].isin(codes) | figures["reporter"].isin(codes)
            if (figures.loc[mine, "product"] != "TOTAL").any():
                raise NoFiguresError(
                    f"no figures of product TOTAL for {self._what(reporter, codes)}: the data holds them by product only; "
                    f"see `tradecli products {self.partner_names[0]}`"
                )
        return metrics.require(table, self._what(reporter, codes))

    @_reading
    def balance(self, currency: str | None = None, rates=None, share: bool = False, members: bool = False) -> Result:
        """Exports, imports, total, balance and ratios per partner and period (metrics.BALANCE_COLUMNS).

        ``share``: with the partner's share of the reporter's trade with the World (metrics.SHARE_COLUMNS);
        ``members``: each group asked for also summed from its members' figures (groups.MEMBER_COLUMNS),
        beside the figures reported for the group, with the gap between them.
        """
        from . import groups, metrics

        named = self._codes_asked()
        extra = [metrics.WORLD] if share and self.partner_names else []
        if members:
            extra += [m for code in named for m in groups.members_of(code)]
        asked = dataclasses.replace(self, partner_names=(*self.partner_names, *extra)) if extra else self
        loaded, reporter, codes = asked._load()
        shown = self._shown(loaded)
        own = [c for c in codes if c not in extra or c in named]  # the partners asked for, in order
        table = self._balances(loaded, reporter, codes if share else own, currency, rates, shown)
        if members:
            table = groups.with_members(
                table, own, lambda wanted: self._balances(loaded, reporter, wanted, currency, rates, shown)
            )
        table = self._require(table, loaded, reporter, own)
        if share:
            table = metrics.shares(table, self._what(reporter, own))
            if self.partner_names:
                table = table[table["partner"].isin(own)].reset_index(drop=True)
        return self._result(metrics.in_order(table, own), "balance", loaded)

    def _codes_asked(self) -> set[str]:
        """The codes of the partners named, as the names table resolves them (unknown names left out)."""
        from . import partners
        from .errors import UnknownPartnerError

        out = set()
        for name in self.partner_names:
            try:
                out.add(partners.resolve(name))
            except UnknownPartnerError:
                continue
        return out

    @_reading
    def growth(self, currency: str | None = None, rates=None) -> Result:
        """Compound annual growth between two periods of one basis per partner and currency (metrics.GROWTH_COLUMNS).

        The span's ends are --from and --to; an open end is the partner's first or last period in the data.
        """
        from . import metrics, periods

        loaded, reporter, codes = self._load(narrow_periods=False)
        table = self._balances(loaded, reporter, codes, currency, rates, ())
        first, last = periods.span(self.start, self.end)
        table = metrics.growth(metrics.require(table, self._what(reporter, codes)), first, last)
        return self._result(self._require(table, loaded, reporter, codes), "growth", loaded)

    def balance_batches(self, currency: str | None = None, rates=None) -> Iterator[Result] | None:
        """Every reporter's balances from big files, a batch of reporters at a time (memory stays bounded:
        a reporter's figures and the figures about it never span two batches); None where the plain
        ``balance`` applies (small files, or not every reporter)."""
        from .read import bigfiles, flows

        with self._engine():
            files = flows.big_files(self.files)
            if not self.all_reporters or self.spanned or self.flows is not None or not files or not bigfiles.wanted(files):
                return None
            bundled = flows.load([flows.BUNDLED]).reporters if flows.BUNDLED in self.inputs else set()
            everyone = sorted(bigfiles.distinct(files, ("reporter",)) | bundled)

        def batches() -> Iterator[Result]:
            try:
                yield from each_batch()
            finally:
                bigfiles.release()  # the files read and checked once for every batch

        def each_batch() -> Iterator[Result]:
            # A warning is told once (a figure read for two batches), with the next batch that has rows.
            written, warned, pending, last = 0, set(), [], None
            for start in range(0, len(everyone), BATCH_REPORTERS):
                batch = everyone[start : start + BATCH_REPORTERS]
                loaded, reporter, codes = self._load(reporters=batch)
                table = self._balances(loaded, reporter, codes, currency, rates, self.periods)
                new = [w for w in loaded.warnings if w not in warned]
                warned.update(new)
                pending += new
                if table.empty:  # this batch has nothing for the partners or periods asked
                    continue
                written += len(table)
                last = self._result(table, "balance", loaded, behind=False)
                yield dataclasses.replace(last, warnings=pending)
                pending = []
            if pending and last is not None:  # met after the last rows: told with no more rows
                yield dataclasses.replace(last, frame=last.frame.iloc[0:0], warnings=pending)
            if not written:
                raise NoFiguresError("no figures for any reporter; `tradecli partners --reporter all` lists what the data holds")

        return batches()

    @_reading
    def years(self, currency: str | None = None, rates=None) -> Result:
        """Each period's change on the one before it of the same basis (metrics.YEARS_COLUMNS).

        The change is computed over every period first; the periods asked for then select the rows shown.
        """
        from . import metrics

        loaded, reporter, codes = self._load(narrow_periods=False)
        table = metrics.year_on_year(self._balances(loaded, reporter, codes, currency, rates, ()))
        shown = self._shown(loaded)
        if shown:
            table = table[table["period"].isin(shown)].reset_index(drop=True)
        return self._result(self._require(table, loaded, reporter, codes), "years", loaded)

    @_reading
    def side_by_side(self, currency: str | None = None, rates=None) -> Result:
        """The partners side by side for the periods and currency they share (metrics.BALANCE_COLUMNS)."""
        from . import metrics

        loaded, reporter, codes = self._load()
        table = self._balances(loaded, reporter, codes, currency, rates, self._shown(loaded))
        table = self._require(table, loaded, reporter, codes)
        result = self._result(metrics.side_by_side(table, codes), "balance", loaded)
        result.warnings += self._left_out(metrics.left_out(table, codes), currency)
        return result

    def _left_out(self, lost: dict, currency: str | None) -> list[Note]:
        """One note per partner whose figures side_by_side left out: which (period, currency, scope), why, and the
        ``balance`` command, as asked, that shows them (nothing is dropped without a word)."""
        import shlex

        from . import partners

        options = {
            "--period": self.periods[0] if len(self.periods) == 1 else None,
            "--from": self.start,
            "--to": self.end,
            "--currency": currency.strip().upper() if currency else None,
            "--scope": self.scope,
            "--reporter": self.reporter_name,
        }
        asked = [part for option, value in options.items() if value for part in (option, value)]
        notes = []
        for code, (slots, lacking) in lost.items():
            hint = shlex.join(["tradecli", "balance", partners.spelling(code), *asked, *self.again])
            others = ", ".join(partners.display(q) for q in lacking)
            notes.append(
                Note(
                    "left-out",
                    f"{partners.display(code)} {', '.join(' '.join(s) for s in slots)}: left out, as {others} "
                    f"{'has' if len(lacking) == 1 else 'have'} no figures of that period, currency and scope to set beside them; "
                    f"see them with `{hint}`",
                )
            )
        return notes

    @_reading
    def products(
        self,
        flow: str | None = None,
        level: int | None = None,
        top: int | None = None,
        world: bool = False,
    ) -> Result:
        """What each flow with the partner is made of: one row per product, largest first (products.PRODUCT_COLUMNS).

        ``flow`` export|import (none: both); ``level`` 2|4|6|8 rolls HS codes up, one level at a time;
        ``top`` products per flow (none: products.DEFAULT_TOP); ``world``: refuse without the World
        figures the dependence share (``world_share_pct``) needs.
        """
        from . import metrics, products

        if len(self.partner_names) != 1:
            raise UsageError("products answers for one partner: give one name, e.g. tradecli products peru")
        loaded, reporter, codes = self._load(narrow_periods=False, extra_partners=(products.WORLD,))
        if reporter is None:
            raise UsageError("products answers for one reporter: give --reporter NAME, not 'all'")
        figures = loaded.figures
        names = (
            figures.loc[figures["product_name"] != "", ["product", "product_name"]]
            .drop_duplicates("product")
            .set_index("product")["product_name"]
            .to_dict()
            if "product_name" in figures.columns
            else {}
        )
        long = metrics.select(metrics.perspective(figures, reporter), [*codes, products.WORLD], (), self.scope)
        table = products.table(long, codes, names, self.periods, flow, level, products.DEFAULT_TOP if top is None else top, world)
        return self._result(metrics.require(table, self._what(reporter, codes) + " by product"), "products", loaded)

    @_reading
    def partners(self) -> Result:
        """Every partner of the reporter with its periods, currencies and flows (queries.PARTNER_COLUMNS)."""
        from . import queries

        loaded, reporter, _ = self._load()
        table = queries.partner_list(reporter, loaded)
        behind = self._bound(lambda: queries.figures_of(reporter, flows=loaded))
        return Result(table, "partners", list(loaded.warnings), self.files, behind)

    @_reading
    def sources(self) -> Result:
        """The figures behind the reporter's numbers with these partners: quote and file each (queries.SOURCE_COLUMNS)."""
        from . import metrics, queries

        loaded, reporter, codes = self._load()
        table = queries.figures_of(reporter, codes, loaded, self._shown(loaded), self.scope)
        return self._result(metrics.require(table, self._what(reporter, codes)), "sources", loaded, behind=False)

    def validate(self) -> Result:
        """Every problem in the files as rows of queries.PROBLEM_COLUMNS (empty when all is well); see ``Result.valid``."""
        from . import queries

        if self.flows is not None:
            raise UsageError("validate reads files: open the dataset with Dataset.open(...)")
        with self._engine():
            return Result(queries.check(list(self.inputs)), "problems", [], self.files)

    @_reading
    def crosscheck(self, official=None, mirror: bool = False, flow: str | None = None) -> Result:
        """Two sources side by side for the same partner, period and flow (gaps.CHECK_COLUMNS).

        ``official``: a Dataset (or loaded flows) of official figures, the side gaps are measured
        against; ``mirror``: the reporter's own figures are the official side, the partners' the other.
        """
        from . import queries

        checked = official.loaded() if isinstance(official, Dataset) else official
        loaded, reporter, _ = self._load()
        if reporter is None:
            raise UsageError("check compares one reporter's figures: give --reporter NAME, not 'all'")
        codes = queries.resolve(list(self.partner_names), loaded, *([checked] if checked is not None else []))
        table = queries.crosscheck(
            codes, checked, loaded, reporter=reporter, periods=self._shown(loaded), flow=flow, mirror=mirror, scope=self.scope
        )
        warnings = [*loaded.warnings, *(checked.warnings if checked is not None else [])]
        return Result(table, "check", warnings, [*self.files, *(official.files if isinstance(official, Dataset) else [])])

    def loaded(self):
        """The figures read and checked (a ``flows.Flows``), for every reporter and partner."""
        from .read import flows

        if self.flows is not None:
            return self.flows
        with self._engine():
            return flows.load(list(self.inputs))


# --- the one-call API: each is Dataset.open/of(...).select(...).<answer>().frame ---------------


def _dataset(flows=None) -> Dataset:
    return Dataset.of(flows) if flows is not None else Dataset.open()


def balance(partners=None, period=None, currency=None, reporter=None, flows=None, rates=None):
    """``tradecli balance``: metrics.BALANCE_COLUMNS. ``flows`` from ``load`` (default: the bundled data)."""
    return _dataset(flows).select(partners, reporter, period).balance(currency, rates).frame


def compare_years(partners, period=None, currency=None, reporter=None, flows=None, rates=None):
    """``tradecli compare --years``: metrics.YEARS_COLUMNS."""
    return _dataset(flows).select(partners, reporter, period).years(currency, rates).frame


def compare_partners(partners, period=None, currency=None, reporter=None, flows=None, rates=None):
    """``tradecli compare``: metrics.BALANCE_COLUMNS for the periods and currency the partners share."""
    return _dataset(flows).select(partners, reporter, period).side_by_side(currency, rates).frame


def partner_list(reporter=None, flows=None):
    """``tradecli partners``: queries.PARTNER_COLUMNS."""
    return _dataset(flows).select(reporter=reporter).partners().frame


def source_list(partners=None, reporter=None, flows=None, period=None):
    """``tradecli sources``: queries.SOURCE_COLUMNS."""
    return _dataset(flows).select(partners, reporter, period).sources().frame


def crosscheck(partners, official_flows=None, flows=None, reporter=None, period=None, flow=None, mirror=False):
    """``tradecli check``: gaps.CHECK_COLUMNS (``official_flows`` from ``load``, or ``mirror``)."""
    return _dataset(flows).select(partners, reporter, period).crosscheck(official_flows, mirror=mirror, flow=flow).frame
