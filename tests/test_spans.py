"""Issue 11: shares of the World total, growth over spans (--from/--to, growth), many files in one import,
groups summed from their members.

Expected values are recomputed here from the files themselves with csv, json and Decimal, never with
tradecli's own functions.
"""

from __future__ import annotations

import csv
import io
import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import one_line_error
from typer.testing import CliRunner

from tradecli import official
from tradecli.cli import app
from tradecli.dataset import Dataset
from tradecli.errors import NoFiguresError, TradeDataError, UsageError

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"
DATA = Path(__file__).parent.parent / "data"
YEARS = {"FY2019-20": FIXTURES / "tradestat_fy2019-20_usd.csv", "FY2020-21": FIXTURES / "tradestat_fy2020-21_usd.csv"}


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def records(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows, read with the csv module."""
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def table_rows(path: Path) -> dict[str, dict[str, Decimal]]:
    """A TradeStat table as country -> {Export, Import}, read with the csv module (blank cells left out)."""
    out = {}
    for row in records(path):
        out[row["Country"]] = {k: Decimal(row[k].replace(",", "")) for k in ("Export", "Import") if row[k].strip()}
    return out


@pytest.fixture
def years(tmp_path):
    """Both TradeStat years imported in one command, each file's year read from its name."""
    result = run("import", "tradestat", *YEARS.values(), "-c", "USD", "-o", tmp_path / "years.csv")
    assert result.exit_code == 0, result.stderr
    return tmp_path / "years.csv"


# --- many files at once --------------------------------------------------------------------------


def test_two_year_files_in_one_import_each_with_its_year(years):
    figures = records(years)
    for label, path in YEARS.items():
        table = table_rows(path)
        mine = [f for f in figures if f["period"] == label]
        peru = {f["flow"]: Decimal(f["value"]) for f in mine if f["partner"] == "PER"}
        assert peru == {"export": table["PERU"]["Export"], "import": table["PERU"]["Import"]}
        assert all(f["source"] == path.name for f in mine)
        assert all(f"period {label} read from the file name" in f["note"] for f in mine)
    assert len({f["id"] for f in figures}) == len(figures)


def test_one_period_per_file_in_order(tmp_path):
    out = tmp_path / "out.csv"
    result = run("import", "tradestat", *YEARS.values(), "-c", "USD", "-p", "FY2019-20", "-p", "FY2020-21", "-o", out)
    assert result.exit_code == 0, result.stderr
    periods = {(f["source"], f["period"]) for f in records(out)}
    assert periods == {(p.name, label) for label, p in YEARS.items()}


@pytest.mark.parametrize(
    ("periods", "words"),
    [
        (["FY2019-20"], "2 files and 1 --period"),
        (["FY2019-20", "FY2019-20"], "FY2019-20 is given for two files"),
        (["FY2019-20", "FY2020-21", "FY2021-22"], "2 files and 3 --period"),
    ],
)
def test_periods_that_do_not_match_the_files_are_refused(periods, words):
    args = [a for p in periods for a in ("-p", p)]
    assert words in one_line_error(run("import", "tradestat", *YEARS.values(), "-c", "USD", *args), 2)


def test_a_table_whose_year_nothing_states_needs_period(tmp_path):
    table = tmp_path / "table.csv"
    table.write_bytes(YEARS["FY2019-20"].read_bytes())
    assert "give --period" in one_line_error(run("import", "tradestat", table, "-c", "USD"), 2)


def test_the_year_a_table_states_wins_over_its_name_and_contradicts_a_wrong_period(tmp_path):
    table = tmp_path / "table.csv"
    table.write_text("Country-wise Total Trade, Year: 2017-2018, Values in US$ Million\n" + YEARS["FY2019-20"].read_text())
    out = tmp_path / "out.csv"
    assert run("import", "tradestat", table, "-c", "USD", "-o", out).exit_code == 0
    assert {f["period"] for f in records(out)} == {"FY2017-18"}
    assert "states the year FY2017-18 but --period is FY2019-20" in one_line_error(
        run("import", "tradestat", table, "-c", "USD", "-p", "FY2019-20"), 1
    )


def test_twenty_three_years_in_one_command_from_a_glob(tmp_path):
    text = YEARS["FY2019-20"].read_text(encoding="utf-8")
    for start in range(2000, 2023):
        (tmp_path / f"tradestat_fy{start}-{(start + 1) % 100:02d}_usd.csv").write_text(text, encoding="utf-8")
    out = tmp_path / "all.csv"
    result = run("import", "tradestat", str(tmp_path / "tradestat_fy*_usd.csv"), "-c", "USD", "-o", out)
    assert result.exit_code == 0, result.stderr
    figures = records(out)
    footer = ("Total of Top", "% Share of Top")  # sums and shares of the ranked partners, not partners
    per_file = sum(len(v) for k, v in table_rows(YEARS["FY2019-20"]).items() if not k.startswith(footer))
    assert len(figures) == 23 * per_file
    assert sorted({f["period"] for f in figures}) == [f"FY{y}-{(y + 1) % 100:02d}" for y in range(2000, 2023)]
    # ATLANTIS is in all 23 tables: one warning, naming the other files
    unknown = [line for line in result.stderr.splitlines() if "ATLANTIS" in line]
    assert len(unknown) == 1
    assert "also in 22 other files" in unknown[0]


def test_a_glob_that_matches_nothing_is_refused(tmp_path):
    assert "no file matches" in one_line_error(run("import", "tradestat", str(tmp_path / "none*.csv"), "-c", "USD"), 2)


def test_html_entities_are_decoded_and_serbia_and_montenegro_is_mapped(tmp_path):
    table = tmp_path / "tradestat_fy2005-06_usd.csv"
    table.write_text(
        '"Rank","Country","Export","Import","Total Trade","Trade Balance"\n'
        '"1","UNION OF SERBIA &amp; MONTENEGRO","10.50","2.25","12.75","8.25"\n',
        encoding="utf-8",
    )
    out = official.convert("tradestat", [table], currency="USD")
    assert set(out.figures["partner"]) == {"SCG"}
    assert not [w for w in out.warnings if w.code == "unknown-name"]


def comtrade_with_self_rows(tmp_path) -> Path:
    """The real v1 response (China 2010 with Argentina and Germany) plus two records whose partner is China itself."""
    document = json.loads((FIXTURES / "comtrade_v1_china_2010.json").read_text(encoding="utf-8"))
    first = document["data"][0]
    for flow in ("RM", "M"):
        own = dict(first, partnerCode=first["reporterCode"], partnerISO=first["reporterISO"], partnerDesc=first["reporterDesc"])
        own.update(flowCode=flow)
        document["data"].append(own)
    document["count"] = len(document["data"])
    path = tmp_path / "china_self.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_comtrade_rows_with_the_reporter_as_its_own_partner_are_left_out_with_one_warning(tmp_path):
    path = comtrade_with_self_rows(tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    bilateral = [
        r for r in document["data"] if r["partnerCode"] != r["reporterCode"] and r["flowCode"] in ("X", "M")
    ]  # what a bilateral balance can use
    out = tmp_path / "out.csv"
    result = run("import", "comtrade", path, "-o", out)
    assert result.exit_code == 0, result.stderr
    figures = records(out)
    assert sorted(Decimal(f["value"]) * 1_000_000 for f in figures) == sorted(Decimal(str(r["primaryValue"])) for r in bilateral)
    own = [line for line in result.stderr.splitlines() if "its own partner" in line]
    assert len(own) == 1
    assert "1 row left out" in own[0]  # the RM one is left out as a re-import first


# --- shares --------------------------------------------------------------------------------------


def test_share_of_the_world_total_recomputed_from_the_tables(years):
    frame = Dataset.open([years]).select(["peru", "usa"]).balance(share=True).frame
    assert "WLD" not in set(frame["partner"])
    for label, path in YEARS.items():
        table = table_rows(path)
        world = table["India's Total"]
        for name, code in (("PERU", "PER"), ("U S A", "USA")):
            row = frame[(frame["partner"] == code) & (frame["period"] == label)].iloc[0]
            mine = table[name]
            assert row["exports_share_pct"] == pytest.approx(float(100 * mine["Export"] / world["Export"]))
            assert row["imports_share_pct"] == pytest.approx(float(100 * mine["Import"] / world["Import"]))
            total = (mine["Export"] + mine["Import"]) / (world["Export"] + world["Import"])
            assert row["total_share_pct"] == pytest.approx(float(100 * total))
            assert row["world_total"] == pytest.approx(float(world["Export"] + world["Import"]))


def test_share_without_a_world_total_is_refused_in_one_line():
    line = one_line_error(run("balance", "peru", "--share"), 1)
    assert "no world total" in line


def test_a_share_is_never_taken_of_another_basis(tmp_path):
    flows = tmp_path / "f.csv"
    header = "id,reporter,partner,flow,period,currency,value,status,source,quote,note,scope,scope_from\n"
    rows = [
        ("a", "PER", "export", "2020", 10),
        ("b", "PER", "import", "2020", 20),
        ("c", "WLD", "export", "FY2020-21", 1000),
        ("d", "WLD", "import", "FY2020-21", 2000),
        ("e", "CHL", "export", "FY2020-21", 5),
        ("f", "CHL", "import", "FY2020-21", 15),
    ]
    flows.write_text(
        header + "".join(f"{i},IND,{p},{fl},{per},USD,{v},reported,t,q,,goods,stated\n" for i, p, fl, per, v in rows),
        encoding="utf-8",
    )
    frame = Dataset.open([flows]).select(["peru", "chile"]).balance(share=True).frame
    peru = frame[frame["partner"] == "PER"].iloc[0]
    assert math.isnan(peru["total_share_pct"])  # calendar 2020 has no World row of its own: a gap
    chile = frame[frame["partner"] == "CHL"].iloc[0]
    assert chile["total_share_pct"] == pytest.approx(100 * 20 / 3000)


def test_share_columns_in_csv_and_json(years):
    result = run("balance", "peru", "--share", "-d", years, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    header = next(csv.reader(io.StringIO(result.stdout)))
    plain = next(csv.reader(io.StringIO(run("balance", "peru", "-d", years, "-f", "csv").stdout)))
    assert header[: len(plain)] == plain  # the new columns come after every column of a plain balance
    assert header[len(plain) :] == [
        "exports_share_pct",
        "imports_share_pct",
        "total_share_pct",
        "world_exports",
        "world_imports",
        "world_total",
        "world_figures",
    ]
    records = json.loads(run("balance", "peru", "--share", "-d", years, "-f", "json").stdout)
    assert records == Dataset.open([years]).select(["peru"]).balance(share=True).records()
    assert records[0]["world_figures"] == ["tradestat-FY2019-20-WLD-export", "tradestat-FY2019-20-WLD-import"]


# --- spans and growth ----------------------------------------------------------------------------


def cagr(first: Decimal, last: Decimal, years: int) -> float:
    return 100 * ((float(last) / float(first)) ** (1 / years) - 1)


@pytest.fixture
def four_years(tmp_path, years):
    """FY2019-20, FY2020-21 and FY2022-23 (a hand-made third table: FY2021-22 is a gap)."""
    third = tmp_path / "tradestat_fy2022-23_usd.csv"
    third.write_text(
        '"Rank","Country","Export","Import","Total Trade","Trade Balance"\n'
        '"1","PERU","1,010.00","3,200.50","4,210.50","-2,190.50"\n'
        '"","India\'s Total","450,958.00","714,042.00","1,165,000.00","-263,084.00"\n',
        encoding="utf-8",
    )
    out = tmp_path / "third.csv"
    assert run("import", "tradestat", third, "-c", "USD", "-o", out).exit_code == 0
    return [years, out]


def test_growth_between_the_ends_of_a_span_with_a_gap(four_years):
    frame = Dataset.open(four_years).select(["peru"]).growth().frame
    (row,) = frame.to_dict("records")
    first = table_rows(YEARS["FY2019-20"])["PERU"]
    assert (row["from"], row["to"], row["years"]) == ("FY2019-20", "FY2022-23", 3)
    assert row["exports_cagr_pct"] == pytest.approx(cagr(first["Export"], Decimal("1010.00"), 3))
    assert row["imports_cagr_pct"] == pytest.approx(cagr(first["Import"], Decimal("3200.50"), 3))
    total = cagr(first["Export"] + first["Import"], Decimal("4210.50"), 3)
    assert row["total_cagr_pct"] == pytest.approx(total)
    assert row["periods_missing"] == "FY2021-22"  # shown as a gap, never filled in
    assert (row["exports_from"], row["exports_to"]) == (float(first["Export"]), 1010.0)


def test_growth_with_from_and_to(four_years):
    frame = Dataset.open(four_years).select(["peru"], start="FY2019-20", end="FY2020-21").growth().frame
    (row,) = frame.to_dict("records")
    a, b = table_rows(YEARS["FY2019-20"])["PERU"], table_rows(YEARS["FY2020-21"])["PERU"]
    assert row["years"] == 1
    assert row["exports_cagr_pct"] == pytest.approx(cagr(a["Export"], b["Export"], 1))


def test_growth_to_a_missing_end_is_a_gap_not_a_rate(four_years):
    frame = Dataset.open(four_years).select(["peru"], start="FY2019-20", end="FY2021-22").growth().frame
    (row,) = frame.to_dict("records")
    assert math.isnan(row["exports_to"])
    assert math.isnan(row["exports_cagr_pct"])
    assert row["periods_missing"] == "FY2021-22"


def test_growth_refuses_a_fiscal_to_calendar_span():
    with pytest.raises(UsageError, match="different bases"):
        Dataset.open().select(["chile"], start="FY2019-20", end="2024")
    line = one_line_error(run("growth", "chile", "--from", "FY2019-20", "--to", "2024"), 2)
    assert "different bases" in line


def test_growth_json_is_the_library_result_and_csv_has_the_contract_columns(four_years):
    data = [a for f in four_years for a in ("-d", f)]
    records = json.loads(run("growth", "peru", *data, "-f", "json").stdout)
    assert records == Dataset.open(four_years).select(["peru"]).growth().records()
    header = next(csv.reader(io.StringIO(run("growth", "peru", *data, "-f", "csv").stdout)))
    for column in ("from", "to", "years", "exports_cagr_pct", "imports_cagr_pct", "total_cagr_pct", "exports_from", "exports_to"):
        assert column in header
    table = run("growth", "peru", *data, "-f", "md").stdout
    assert "| FY2019-20 |" in table
    assert "CAGR" in table


def test_span_on_balance_and_compare_years(four_years):
    data = [a for f in four_years for a in ("-d", f)]
    shown = json.loads(run("balance", "peru", *data, "--from", "FY2020-21", "-f", "json").stdout)
    assert [r["period"] for r in shown] == ["FY2020-21", "FY2022-23"]
    years_out = json.loads(
        run("compare", "peru", "--years", *data, "--from", "FY2020-21", "--to", "FY2020-21", "-f", "json").stdout
    )
    (row,) = years_out
    a, b = table_rows(YEARS["FY2019-20"])["PERU"], table_rows(YEARS["FY2020-21"])["PERU"]
    assert row["previous_period"] == "FY2019-20"  # the change is on the year before the span
    assert Decimal(str(row["exports_change"])) == b["Export"] - a["Export"]


def test_a_span_with_no_figures_and_period_with_a_span_are_refused(years):
    assert "no figures in the span" in one_line_error(run("balance", "peru", "-d", years, "--from", "2019"), 1)
    line = one_line_error(run("balance", "peru", "-d", years, "--period", "FY2019-20", "--from", "FY2019-20"), 2)
    assert "not both" in line
    assert "comes after" in one_line_error(run("balance", "peru", "--from", "FY2021-22", "--to", "FY2019-20"), 2)


# --- groups from members -------------------------------------------------------------------------


def members_of(group: str) -> list[tuple[str, str, str]]:
    """(member, since, until) of a group in data/groups.csv, read with csv."""
    return [(r["member"], r["member_since"], r["member_until"]) for r in records(DATA / "groups.csv") if r["group"] == group]


def test_the_membership_table_cites_and_dates_every_row():
    rows = records(DATA / "groups.csv")
    assert {r["group"] for r in rows} == {"LAC", "ASN", "EUU", "GCC", "SAA"}
    assert all(r["source"].strip() and r["as_of"].strip() for r in rows)
    assert len([m for m, _, until in members_of("EUU") if not until]) == 27
    assert (len(members_of("ASN")), len(members_of("GCC")), len(members_of("SAA"))) == (11, 6, 8)


def test_lac_from_its_members_beside_the_reported_figure():
    """The bundled figures: LAC's reported FY2023-24 total (US$35.73 billion) against the sum of the members' rows."""
    lac = {m for m, _, _ in members_of("LAC")}
    sums: dict[str, Decimal] = {"export": Decimal(0), "import": Decimal(0)}
    found = set()
    reported = {}
    for r in records(DATA / "flows.csv"):
        if r["reporter"] == "IND" and r["period"] == "FY2023-24" and r["currency"] == "USD":
            if r["partner"] in lac and r["flow"] in sums:
                sums[r["flow"]] += Decimal(r["value"])
                found.add(r["partner"])
            if r["partner"] == "LAC":
                reported[r["flow"]] = Decimal(r["value"])
    frame = Dataset.open().select(["lac"], periods="FY2023-24").balance(members=True).frame
    summed = frame[frame["figure"] == "sum of members"].iloc[0]
    assert Decimal(str(summed["exports"])) == sums["export"]
    assert Decimal(str(summed["imports"])) == sums["import"]
    assert Decimal(str(round(summed["gap_total"], 6))) == sums["export"] + sums["import"] - reported["total"]
    assert set(summed["members"].split(";")) == found
    assert summed["coverage"] == f"{len(found)} of {len(lac)}"
    assert "from-members" in summed["flags"]
    assert summed["derivation"].startswith("derived: the sum of")
    assert "unstats.un.org" in summed["membership"]
    assert frame[frame["figure"] == "reported"].iloc[0]["total"] == float(reported["total"])


def test_a_member_counts_from_the_day_it_joined(tmp_path):
    flows = tmp_path / "f.csv"
    header = "id,reporter,partner,flow,period,currency,value,status,source,quote,note,scope,scope_from\n"
    body = "".join(
        f"{code}-{year},IND,{code},export,{year},USD,{value},reported,t,q,,goods,stated\n"
        for year in ("2019", "2021")
        for code, value in (("GBR", 100), ("FRA", 10))
    )
    flows.write_text(header + body, encoding="utf-8")
    frame = Dataset.open([flows]).select(["eu"]).balance(members=True).frame
    by_year = {r["period"]: r for r in frame.to_dict("records")}
    assert by_year["2019"]["exports"] == 110  # the United Kingdom left the EU on 31 January 2020
    assert by_year["2021"]["exports"] == 10
    assert "GBR" not in by_year["2021"]["members"]


def test_members_table_and_errors():
    result = run("balance", "lac", "--members", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    header = next(csv.reader(io.StringIO(result.stdout)))
    assert header[-8:] == [
        "figure",
        "members",
        "members_missing",
        "gap_exports",
        "gap_imports",
        "gap_total",
        "membership",
        "coverage",
    ]
    with pytest.raises(NoFiguresError):
        Dataset.open().select(["lac"], periods="FY2001-02").balance(members=True)


def test_no_world_total_is_a_data_error_from_the_library():
    with pytest.raises(TradeDataError, match="no world total"):
        Dataset.open().select(["peru"]).balance(share=True)


def test_growth_workbook_has_units_in_its_headers(four_years, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    data = [a for f in four_years for a in ("-d", f)]
    out = tmp_path / "growth.xlsx"
    assert run("growth", "peru", *data, "-o", out).exit_code == 0
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    header, first = rows[0], rows[1]
    assert header[header.index("exports_cagr_pct (%)")] == "exports_cagr_pct (%)"
    assert first[header.index("exports_from (US$ m)")] == float(table_rows(YEARS["FY2019-20"])["PERU"]["Export"])


def test_comtrade_files_of_several_years_and_reporters_in_one_import(tmp_path):
    """China's 2010 (the real recorded response) and India's 2023 (hand-written) in one import: the figures of both."""
    files = [FIXTURES / "comtrade_v1_china_2010.json", FIXTURES / "comtrade_india_2023.csv"]
    out = tmp_path / "both.csv"
    result = run("import", "comtrade", *files, "-o", out)
    assert result.exit_code == 0, result.stderr
    expected = []
    for n, path in enumerate(files):
        single = tmp_path / f"{n}.csv"
        assert run("import", "comtrade", path, "-o", single).exit_code == 0
        expected += records(single)
    both = records(out)
    assert sorted(r["id"] for r in both) == sorted(r["id"] for r in expected)
    assert {(r["reporter"], r["period"]) for r in both} == {("CHN", "2010"), ("IND", "2023")}
