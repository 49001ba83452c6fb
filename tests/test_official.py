"""Official statistics in: TradeStat and UN Comtrade files to the flows schema, and checking one source against another.

Expected values are worked out by hand from the fixture files in tests/fixtures/ (see their README).
"""

import csv
import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_figures
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecli import bundled, gaps, metrics, official, queries, validation
from tradecli.errors import TradeDataError, TradeError, UsageError
from tradecli.read.flows import Flows

FIXTURES = Path(__file__).parent / "fixtures"
TRADESTAT = FIXTURES / "tradestat_fy2019-20_usd.csv"
HEADER = '"Rank","Country","Export","Import","Total Trade","Trade Balance"\n'


def values(imported):
    """(partner, flow, value) triples of imported rows."""
    return list(imported.figures[["partner", "flow", "value"]].itertuples(index=False, name=None))


def codes(problems):
    return [(p.line, p.column, p.code) for p in problems]


# --- TradeStat ---------------------------------------------------------------------------------


def test_tradestat_rows_keep_every_figure_exactly_and_drop_the_footers():
    out = official.read_tradestat(TRADESTAT, "USD", "FY2019-20")
    placeholder = official.unmapped_code("ATLANTIS")
    assert values(out) == [
        ("USA", "export", "53088.61"), ("USA", "import", "35818.47"),
        ("CHN", "export", "16612.71"), ("CHN", "import", "65260.76"),
        ("PER", "export", "773.24"), ("PER", "import", "1602.02"),
        ("COK", "export", "0.52"),  # its import cell is blank: no row, never a zero
        (placeholder, "export", "12.3"), (placeholder, "import", "4.1"),
        ("NZL", "export", "1000"), ("NZL", "import", "900"),
        ("WLD", "export", "313361.04"), ("WLD", "import", "474709.28"),  # India's Total
    ]  # fmt: skip
    assert set(out.figures["reporter"]) == {"IND"}
    assert set(out.figures["period"]) == {"FY2019-20"}
    assert set(out.figures["source"]) == {"tradestat_fy2019-20_usd.csv"}
    assert out.figures["quote"].iloc[3] == "line 3: CHINA P RP, Import 65,260.76"


def test_tradestat_warns_of_a_blank_cell_an_unknown_name_and_a_total_that_disagrees():
    out = official.read_tradestat(TRADESTAT, "USD", "FY2019-20")
    assert codes(out.warnings) == [
        (5, "Import", "blank-value"),
        (6, "Country", "unknown-name"),
        (7, "Total Trade", "check-mismatch"),  # 1,000.00 + 900.00 = 1,900.00, not 1,910.00
    ]
    assert "by 10," in out.warnings[2].message


def test_an_unknown_name_is_kept_with_a_user_assigned_code_and_its_name():
    code = official.unmapped_code("ATLANTIS")
    assert code[0] == "X"
    assert len(code) == 3
    assert code.isalpha()
    assert code.isupper()
    assert official.unmapped_code("atlantis ") == code  # the same name gives the same code in every file
    out = official.read_tradestat(TRADESTAT, "USD", "FY2019-20")
    row = out.figures[out.figures["partner"] == code].iloc[0]
    assert "'ATLANTIS'" in row["note"]


def test_inr_crore_become_inr_million(tmp_path):
    path = tmp_path / "inr.csv"
    path.write_text(HEADER + '"1","U S A","2,37,686.86","1,900.00","2,39,586.86","2,35,786.86"\n')
    out = official.read_tradestat(path, "inr", "FY2019-20")
    # 2,37,686.86 crore (Indian grouping) x 10 = 2,376,868.6 million; 1,900.00 crore = 19,000 million.
    assert values(out) == [("USA", "export", "2376868.6"), ("USA", "import", "19000")]
    assert set(out.figures["currency"]) == {"INR"}
    assert out.warnings == []


@pytest.mark.parametrize(
    ("total", "warned"),
    [("1,900.01", False), ("1,899.99", False), ("1,900.02", True)],  # rounding of three figures: at most 0.015 apart
)
def test_the_files_own_total_is_checked_within_rounding(tmp_path, total, warned):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + f'"1","PERU","1,000.00","900.00","{total}","100.00"\n')
    out = official.read_tradestat(path, "USD", "FY2019-20")
    assert [p.code for p in out.warnings] == (["check-mismatch"] if warned else [])


def test_a_balance_that_disagrees_is_reported(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + '"1","PERU","773.24","1,602.02","2,375.26","828.78"\n')  # sign lost: -828.78
    (problem,) = official.read_tradestat(path, "USD", "FY2019-20").warnings
    assert (problem.line, problem.column, problem.code) == (2, "Trade Balance", "check-mismatch")


@pytest.mark.parametrize(
    ("currency", "period", "words"),
    [
        ("USD", None, "--period"),
        (None, "FY2019-20", "--currency"),
        ("EUR", "FY2019-20", r"in US\$ million"),
        ("USD", "2019-20", "FY2019-20"),
    ],
)
def test_tradestat_needs_its_unit_and_year(currency, period, words, tmp_path):
    table = tmp_path / "table.csv"  # a name that says no year, and a table that states none
    table.write_bytes(TRADESTAT.read_bytes())
    with pytest.raises(UsageError, match=words):
        official.read_tradestat(table, currency, period)


def test_a_file_that_is_not_a_tradestat_table():
    with pytest.raises(TradeDataError, match="not a TradeStat country-wise table"):
        official.read_tradestat(bundled.path("flows.csv"), "USD", "FY2019-20")


def test_a_cell_that_is_not_a_number_names_its_line_and_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + '"1","PERU","n.a.","1.00","",""\n')
    with pytest.raises(TradeDataError, match="line 2, column Export: 'n.a.' is not a number"):
        official.read_tradestat(path, "USD", "FY2019-20")


def test_every_tradestat_name_maps_to_an_iso_country_or_says_why_not():
    with open(bundled.path("countries.csv"), encoding="utf-8", newline="") as handle:
        iso = {row["code"] for row in csv.DictReader(handle)}
    with open(bundled.path("tradestat_names.csv"), encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    # A code that is no current ISO country (a former area, a pseudo-partner) carries its reason.
    assert all(row["code"] in iso or row["note"] for row in table)
    assert {row["code"] for row in table if row["code"] not in iso} == {"ANT", "PCZ", "SCG", "XCI", "XUS", "XPP", "XCH"}
    assert len({row["name"] for row in table}) == len(table)
    assert {"U S A", "CHINA P RP", "U ARAB EMTS", "SAUDI ARAB", "KOREA RP", "NEW ZEALAND", "COOK IS"} <= {
        r["name"] for r in table
    }


# --- UN Comtrade -------------------------------------------------------------------------------


def test_comtrade_json_country_totals_in_us_dollar_millions():
    out = official.read_comtrade(FIXTURES / "comtrade_china_2023.json")
    totals = out.figures[out.figures["product"] == "TOTAL"]
    # 117,676,543,210.12 / 1e6; 18,234,567,890 / 1e6; the World row (partnerCode 0) as WLD.
    assert values(official.Imported(totals)) == [
        ("IND", "export", "117676.54321012"), ("IND", "import", "18234.56789"), ("WLD", "export", "3380024"),
    ]  # fmt: skip
    # Every commodity is kept (issue 11): the cmdCode 27 row is product 27, with its words.
    (fuel,) = out.figures[out.figures["product"] != "TOTAL"].itertuples()
    assert (fuel.partner, fuel.flow, fuel.value, fuel.product, fuel.id) == (
        "IND",
        "export",
        "20000",
        "27",
        "comtrade-CHN-IND-export-2023-27",
    )
    assert fuel.product_name.startswith("Mineral fuels")
    assert set(out.figures["reporter"]) == {"CHN"}  # the perspective follows the data
    assert set(out.figures["period"]) == {"2023"}
    assert out.figures["quote"].iloc[0] == "data[0]: China Export India 2023 primaryValue 117676543210.12"
    assert [p.code for p in out.warnings] == ["not-total", "other-flow"]
    assert "data[4]" in out.warnings[0].message  # the motCode 2100 row: by one mode of transport, not the country's trade
    assert "data[3]" not in out.warnings[0].message
    assert "re-exports" in out.warnings[1].message


def test_comtrade_portal_csv_keeps_line_numbers_and_leaves_re_imports_out():
    out = official.read_comtrade(FIXTURES / "comtrade_india_2023.csv")
    assert values(out) == [("CHN", "import", "101750"), ("CHN", "export", "16650.00000055"), ("CHN", "import", "30000")]
    assert list(out.figures["product"]) == ["TOTAL", "TOTAL", "85"]  # the cmdCode 85 row kept as product 85 (issue 11)
    assert list(out.figures["quote"].str.split(":").str[0]) == ["line 2", "line 3", "line 5"]
    assert codes(out.warnings) == [(4, "flowCode", "other-flow")]


def test_a_commodity_only_when_asked_for():
    out = official.read_comtrade(FIXTURES / "comtrade_china_2023.json", commodity="27")
    assert values(out) == [("IND", "export", "20000")]
    assert "commodity 27" in out.figures["note"].iloc[0]


def test_comtrade_without_country_totals_gives_its_commodities():
    out = official.read_comtrade(FIXTURES / "comtrade_no_total.json")
    assert list(out.figures["product"]) == ["27"]  # a product, never read as the country total


def test_comtrade_with_no_row_of_the_countrys_trade_is_an_error(tmp_path):
    one = json.loads((FIXTURES / "comtrade_no_total.json").read_text())
    one["data"][0]["motCode"] = 2100  # by sea only: not the country's trade
    path = tmp_path / "by_sea.json"
    path.write_text(json.dumps(one))
    with pytest.raises(TradeDataError, match="no country totals .* the file has cmdCode 27.*--commodity"):
        official.read_comtrade(path)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"elapsedTime": "0s", "count": 0, "data": [], "error": "quota exceeded"}', "answered with an error: quota exceeded"),
        ('{"elapsedTime": "0s", "count": 0, "data": null, "error": "invalid reporterCode"}', "error: invalid reporterCode"),
        ('{"count": 0, "data": []}', "no Comtrade rows"),
        ('{"data": [{"refYear": 2023}]}', "v1 API JSON without reporterCode, flowCode, partnerCode, cmdCode, primaryValue"),
        ("[1, 2]", "not a Comtrade API response"),
        ("{oops", "not valid JSON"),
    ],
)
def test_unexpected_comtrade_files(tmp_path, text, words):
    path = tmp_path / "c.json"
    path.write_text(text)
    with pytest.raises(TradeDataError, match=words):
        official.read_comtrade(path)


# --- conversion, checked --------------------------------------------------------------------------


def test_convert_checks_the_rows_as_validate_would(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + '"1","PERU","-5.00","1.00","-4.00","-6.00"\n')  # an export below zero
    with pytest.raises(TradeDataError, match=r"\(line 2: PERU, Export -5.00\): '-5' is negative"):
        official.convert("tradestat", [path], currency="USD", period="FY2019-20")


def test_convert_refuses_options_of_the_other_format():
    with pytest.raises(UsageError, match="unknown format 'xls'"):
        official.convert("xls", [TRADESTAT])
    with pytest.raises(UsageError, match="--commodity and --months are for Comtrade"):
        official.convert("tradestat", [TRADESTAT], currency="USD", period="FY2019-20", commodity="27")
    with pytest.raises(UsageError, match="Comtrade data states both"):
        official.convert("comtrade", [FIXTURES / "comtrade_no_total.json"], period="2023")


def test_two_files_of_the_same_year_conflict_instead_of_adding_up():
    with pytest.raises(UsageError, match="one --period per file"):  # one --period for two files
        official.convert("tradestat", [TRADESTAT, TRADESTAT], currency="USD", period="FY2019-20")
    with pytest.raises(UsageError, match="FY2019-20 is given for two files"):
        official.convert("tradestat", [TRADESTAT, TRADESTAT], currency="USD", period=["FY2019-20", "FY2019-20"])
    with pytest.raises(TradeDataError, match="both tables of FY2019-20"):  # the year read from each file's name
        official.convert("tradestat", [TRADESTAT, TRADESTAT], currency="USD")


# --- two sources side by side ----------------------------------------------------------------------


def test_a_reported_figure_against_the_official_one():
    official_side = make_figures(("IND", "PER", "export", "FY2019-20", "USD", 773.24))
    article = make_figures(
        ("IND", "PER", "export", "FY2019-20", "USD", 770, "approximate"),
        ("IND", "PER", "export", "2024", "USD", 933, "approximate"),
    )
    out = gaps.compare(metrics.perspective(official_side, "IND"), metrics.perspective(article, "IND"))
    assert list(out.columns) == gaps.CHECK_COLUMNS
    fiscal = out[out["period"] == "FY2019-20"].iloc[0]
    assert fiscal["gap"] == pytest.approx(770 - 773.24)  # -3.24
    assert fiscal["gap_pct"] == pytest.approx(-3.24 / 773.24 * 100)  # -0.4190...
    assert fiscal["reason"] == ""
    assert fiscal["other_flags"] == "approximate"
    calendar = out[out["period"] == "2024"].iloc[0]
    assert pd.isna(calendar["official"])
    assert pd.isna(calendar["gap"])
    assert calendar["reason"] == "official has FY2019-20 only: fiscal and calendar years never matched"


def test_different_currencies_are_never_matched():
    left = metrics.perspective(make_figures(("IND", "PER", "export", "2024", "USD", 933)), "IND")
    right = metrics.perspective(make_figures(("IND", "PER", "export", "2024", "INR", 77000)), "IND")
    out = gaps.compare(left, right)
    assert out["gap"].isna().all()
    assert (
        out.loc[out["currency"] == "INR", "reason"].iloc[0]
        == "official has 2024 in USD only: currencies never matched unconverted"
    )


def test_mirror_puts_the_reporters_own_figures_against_the_partners():
    figures = make_figures(
        ("IND", "CHN", "import", "2023", "USD", 101750),
        ("CHN", "IND", "export", "2023", "USD", 117676.54321012),
        ("CHN", "IND", "import", "2023", "USD", 18234.56789),  # India's exports, as China reports them
    )
    out = queries.crosscheck(["CHN"], flows=Flows(figures), reporter="IND", mirror=True)
    imports = out[out["flow"] == "import"].iloc[0]
    assert (imports["official"], imports["other"]) == (101750, 117676.54321012)
    assert imports["gap"] == pytest.approx(15926.54321012)
    assert imports["gap_pct"] == pytest.approx(15926.54321012 / 101750 * 100)  # 15.65...
    assert imports["other_flags"] == "partner-reported"
    exports = out[out["flow"] == "export"].iloc[0]
    assert pd.isna(exports["official"])
    assert exports["reason"] == "no official figure"


def test_check_needs_one_side_to_be_official():
    flows = Flows(make_figures(("IND", "CHN", "import", "2023", "USD", 1)))
    with pytest.raises(UsageError, match="--official FILE .* or --mirror"):
        queries.crosscheck(["CHN"], flows=flows)
    with pytest.raises(UsageError, match="--flow 'exports'"):
        queries.crosscheck(["CHN"], flows=flows, mirror=True, flow="exports")


# --- anything a user might feed it ------------------------------------------------------------------


def _convert(fmt, path, **options):
    """The import's rows, or its error message: anything else (a traceback) fails the test."""
    try:
        return official.convert(fmt, [path], **options), ""
    except TradeError as exc:
        return None, str(exc)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400), fmt=st.sampled_from(official.FORMATS))
def test_any_bytes_give_rows_or_a_one_line_error(data, fmt):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "any.csv"
        path.write_bytes(data)
        out, error = _convert(fmt, path, **({"currency": "USD", "period": "FY2019-20"} if fmt == "tradestat" else {}))
    if out is None:
        assert "\n" not in error
    else:
        assert list(out.figures.columns) == list(validation.COLUMNS)


@settings(max_examples=100, deadline=None)
@given(
    cells=st.lists(
        st.lists(st.text(alphabet="0123456789,.-\" ABCIndia'sTotal%", max_size=12), min_size=6, max_size=6), max_size=6
    )
)
def test_any_tradestat_rows_give_rows_or_a_one_line_error(cells):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
            writer.writerow(["Rank", "Country", "Export", "Import", "Total Trade", "Trade Balance"])
            writer.writerows(cells)
        out, error = _convert("tradestat", path, currency="USD", period="FY2019-20")
    if out is None:
        assert "\n" not in error
    else:
        assert (out.figures["value"].astype(float) >= 0).all()


def test_two_unknown_names_never_share_a_code():
    taken = {}
    first = official.unmapped_code("ATLANTIS", taken)
    # Find a second name that hashes to the same code: it must get another one.
    twin = next(f"NOWHERE {n}" for n in range(100000) if official.unmapped_code(f"NOWHERE {n}") == first)
    second = official.unmapped_code(twin, taken)
    assert second != first
    assert second[0] == "X"
    assert official.unmapped_code("ATLANTIS", taken) == first


def test_a_count_that_disagrees_with_the_data_is_reported(tmp_path):
    document = (FIXTURES / "comtrade_china_2023.json").read_text().replace('"count": 6', '"count": 9')
    path = tmp_path / "cut.json"
    path.write_text(document)
    out = official.read_comtrade(path)
    assert [p.code for p in out.warnings][0] == "count-mismatch"
    assert "count says 9 records but data holds 6" in out.warnings[0].message


def test_a_name_with_a_line_break_still_points_at_its_own_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + '"1","ATLANTIS\nNORTH","1.00","2.00","3.00","-1.00"\n"2","PERU","-5.00","1.00","-4.00","-6.00"\n')
    with pytest.raises(TradeDataError, match=r"\(line 4: PERU, Export -5.00\)"):
        official.convert("tradestat", [path], currency="USD", period="FY2019-20")


def test_headings_with_a_unit_in_brackets_and_title_lines_above(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        '"Export Import Data Bank: country-wise"\n\n'
        '"Rank","Country","Export (US $ Million)","Import (US $ Million)","Total Trade","Trade Balance"\n'
        '"1","PERU","773.24","1,602.02","2,375.26","-828.78"\n'
    )
    out = official.read_tradestat(path, "USD", "FY2019-20")
    assert values(out) == [("PER", "export", "773.24"), ("PER", "import", "1602.02")]
    assert out.figures["quote"].iloc[0] == "line 4: PERU, Export 773.24"
    assert out.warnings == []


def test_a_currency_that_contradicts_the_headings_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('"Rank","Country","Export (US $ Million)","Import (US $ Million)"\n"1","PERU","773.24","1,602.02"\n')
    with pytest.raises(TradeDataError, match="line 1: the headings state USD figures but --currency is INR"):
        official.read_tradestat(path, "INR", "FY2019-20")
