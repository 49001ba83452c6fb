"""Every official file a user already holds (issue 13): Comtrade's shapes, M49 codes, estimates, months, names, warnings.

The Comtrade fixtures are real public files (provenance in tests/fixtures/README.md). Every expected
value is recomputed here from the files themselves with plain json/csv/gzip and Decimal, never
taken from tradecli's output.
"""

import copy
import csv
import gzip
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import make_figures, one_line_error
from typer.testing import CliRunner

from tradecli import comtrade, gaps, metrics, official, render
from tradecli.cli import app
from tradecli.errors import TradeDataError, UsageError

FIXTURES = Path(__file__).parent / "fixtures"
V1_JSON = FIXTURES / "comtrade_v1_china_2010.json"
LEGACY_API = FIXTURES / "comtrade_legacy_api_2016.csv"
MILLION = Decimal(10) ** 6
FLOWS = {"X": "export", "M": "import", "2": "export", "1": "import"}
runner = CliRunner()


def figures(imported):
    """{(reporter, partner, flow, period): exact value} of imported rows."""
    frame = imported.figures
    return {
        (r.reporter, r.partner, r.flow, r.period): Decimal(r.value)
        for r in frame[["reporter", "partner", "flow", "period", "value"]].itertuples(index=False)
    }


def v1_expected():
    """The recorded API response's figures, from its own ISO fields and primaryValue."""
    document = json.loads(V1_JSON.read_text(encoding="utf-8"), parse_float=Decimal)
    return {
        (r["reporterISO"], r["partnerISO"], FLOWS[r["flowCode"]], str(r["refYear"])): Decimal(r["primaryValue"]) / MILLION
        for r in document["data"]
    }


def legacy_expected():
    """The legacy API CSV's exports and imports (Trade Flow Code 2 and 1), from its Reporter ISO and Trade Value (US$)."""
    with open(LEGACY_API, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kept = {
        (r["Reporter ISO"], "WLD", FLOWS[r["TradeFlow Code"]], r["Year"]): Decimal(r["Trade Value (US$)"]) / MILLION
        for r in rows
        if r["TradeFlow Code"] in ("1", "2")
    }
    return kept, sum(r["TradeFlow Code"] in ("3", "4") for r in rows)


# --- the shapes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("comtrade_v1_china_2010.json", "Comtrade v1 API JSON"),
        ("comtradr_china_2010.csv", "comtradr tidy output"),
        ("comtrade_bulk_china_2010.txt.gz", "Comtrade bulk v1 file"),
    ],
)
def test_v1_shapes_give_the_recorded_responses_figures(fixture, kind):
    out = official.read_comtrade(FIXTURES / fixture)
    assert figures(out) == v1_expected()
    assert set(out.figures["status"]) == {"reported"}  # isReported true, estimation flag 0
    assert all(kind in note for note in out.figures["note"])
    assert out.warnings == []


def test_the_bulk_file_has_no_names_yet_its_codes_are_mapped():
    header = gzip.decompress((FIXTURES / "comtrade_bulk_china_2010.txt.gz").read_bytes()).decode().split("\n")[0].split("\t")
    assert not {"reporterISO", "partnerISO", "reporterDesc", "partnerDesc"} & set(header)
    out = official.read_comtrade(FIXTURES / "comtrade_bulk_china_2010.txt.gz")
    assert {(r, p) for r, p, _, _ in figures(out)} == {(r, p) for r, p, _, _ in v1_expected()}
    assert out.figures["quote"].str.startswith("line ").all()
    assert out.figures["quote"].str.contains("China").all()  # Comtrade's name for M49 156, from the reference table


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("comtrade_legacy_api_2016.csv", "legacy Comtrade API CSV"),
        ("comtrade_legacy_api_2016_r.csv", "legacy Comtrade API CSV as saved by R"),
        ("comtrade_legacy_bulk_2016.csv", "legacy Comtrade bulk CSV"),
    ],
)
def test_legacy_shapes_give_the_portals_figures(fixture, kind):
    expected, other_flows = legacy_expected()
    out = official.read_comtrade(FIXTURES / fixture, commodity="01")
    assert figures(out) == expected
    assert [w.code for w in out.warnings] == ["other-flow"] * other_flows  # flow codes 3 and 4: re-exports, re-imports
    assert all(kind in note for note in out.figures["note"])


def test_the_legacy_api_json_gives_the_same_figures(tmp_path):
    """The legacy API's JSON (fmt=json) names the same fields its own way: rtCode, ptCode, rgCode, yr, TradeValue."""
    with open(LEGACY_API, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    dataset = [
        {"pfCode": r["Classification"], "yr": int(r["Year"]), "period": int(r["Period"]), "rgCode": int(r["TradeFlow Code"]),
         "rgDesc": r["Trade Flow"], "rtCode": int(r["Reporter Code"]), "rtTitle": r["Reporter"], "rt3ISO": r["Reporter ISO"],
         "ptCode": int(r["Partner Code"]), "ptTitle": r["Partner"], "pt3ISO": r["Partner ISO"], "cmdCode": r["Commodity Code"],
         "cmdDescE": r["Commodity"], "TradeValue": int(r["Trade Value (US$)"]), "estCode": int(r["Flag"])}
        for r in rows
    ]  # fmt: skip
    path = tmp_path / "legacy.json"
    path.write_text(json.dumps({"validation": {"status": {"name": "Ok"}}, "dataset": dataset}))
    out = official.read_comtrade(path, commodity="01")
    assert figures(out) == legacy_expected()[0]
    assert out.figures["note"].str.contains("legacy Comtrade API JSON").all()


def test_legacy_files_are_one_commodity_not_country_totals():
    out = official.read_comtrade(LEGACY_API)
    assert set(out.figures["product"]) == {"01"}  # kept as product 01 (issue 11), never as the country total
    assert not (out.figures["product"] == "TOTAL").any()


def test_a_gzipped_file_is_read_as_it_is(tmp_path):
    packed = tmp_path / "response.json.gz"
    packed.write_bytes(gzip.compress(V1_JSON.read_bytes()))
    assert figures(official.read_comtrade(packed)) == v1_expected()
    assert official.read_comtrade(packed).figures["source"].tolist() == ["response.json.gz"] * 4


def test_a_gzip_bomb_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(comtrade, "MAX_UNZIPPED_BYTES", 1000)
    packed = tmp_path / "big.txt.gz"
    packed.write_bytes(gzip.compress(b"0" * 100_000))
    with pytest.raises(TradeDataError, match="unpacks to more than"):
        official.read_comtrade(packed)


def test_comtradr_output_saved_with_row_names_still_reads(tmp_path):
    lines = (FIXTURES / "comtradr_china_2010.csv").read_text(encoding="utf-8").splitlines()
    saved = tmp_path / "write_csv.csv"  # write.csv(df): a first column of row names headed ""
    saved.write_text("\n".join(['"",' + lines[0], *(f'"{n}",{line}' for n, line in enumerate(lines[1:], 1))]) + "\n")
    assert figures(official.read_comtrade(saved)) == v1_expected()


# --- encodings and files that are not Comtrade data ------------------------------------------------


def test_a_latin1_portal_csv_is_read_and_said_so(tmp_path):
    text = LEGACY_API.read_text(encoding="utf-8").replace("Antigua and Barbuda", "Côte d'Ivoire")
    path = tmp_path / "portal.csv"
    path.write_bytes(text.encode("cp1252"))
    out = official.read_comtrade(path, commodity="01")
    assert figures(out) == legacy_expected()[0]
    assert [w.code for w in out.warnings if w.code == "encoding"] == ["encoding"]
    assert "Latin-1" in next(w.message for w in out.warnings if w.code == "encoding")
    assert out.figures["quote"].str.contains("Côte d'Ivoire").any()


def test_excels_unicode_text_utf16_and_tab_separated_is_read(tmp_path):
    text = gzip.decompress((FIXTURES / "comtrade_bulk_china_2010.txt.gz").read_bytes()).decode("utf-8")
    path = tmp_path / "excel.txt"
    path.write_bytes(text.encode("utf-16"))  # with its byte-order mark, as Excel saves "Unicode Text"
    out = official.read_comtrade(path)
    assert figures(out) == v1_expected()
    assert [w.code for w in out.warnings] == ["encoding"]


def test_bytes_that_are_no_text_are_refused_with_the_encoding_to_use(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(LEGACY_API.read_bytes().replace(b"Australia", b"Austr\x81\x8dlia"))
    with pytest.raises(TradeDataError, match=r"not UTF-8 .* save the file as UTF-8 \(e\.g\. iconv"):
        official.read_comtrade(path, commodity="01")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"<!DOCTYPE html>\n<html><body>Sign in</body></html>", "an HTML page, not a data file"),
        (b"a\tb\tc\n1\t2\t3\n", r"a TSV with 3 columns \(a, b, c\): not Comtrade data"),
        (b"Year,Partner,Amount\n2023,India,5\n", r"a CSV with 3 columns \(Year, Partner, Amount\): not Comtrade data"),
        (b"PK\x03\x04rest-of-a-workbook", "a zip archive or an Excel workbook"),
        ((FIXTURES / "tradestat_fy2019-20_usd.csv").read_bytes(), "a TradeStat country-wise table.*tradecli import tradestat"),
        (b"id,reporter,partner,flow,period,currency,value\n", "already in the flows schema"),
    ],
)
def test_a_file_that_is_not_comtrade_data_is_named_for_what_it_is(tmp_path, content, words):
    path = tmp_path / "download.csv"
    path.write_bytes(content)
    with pytest.raises(TradeDataError, match=words):
        official.read_comtrade(path)


def test_an_html_page_is_named_for_tradestat_too(tmp_path):
    path = tmp_path / "tradestat.csv"
    path.write_text("<html><head><title>Export Import Data Bank</title></head></html>")
    with pytest.raises(TradeDataError, match="an HTML page"):
        official.read_tradestat(path, "USD", "FY2019-20")


# --- M49 codes ---------------------------------------------------------------------------------


def test_m49_codes_map_by_comtrades_reference_table():
    areas = comtrade.areas()
    assert areas["699"].code == "IND"
    assert areas["0"].code == "WLD"
    assert areas["842"].code == "USA"
    assert areas["356"].code == "IND"
    assert "1974" in areas["356"].note
    assert areas["530"].code == "ANT"
    assert "ISO 3166-3" in areas["530"].note
    assert areas["490"].code == ""
    assert "S19" in areas["490"].note
    with open(Path(official.bundled.path("countries.csv")), encoding="utf-8", newline="") as handle:
        iso = {row["code"] for row in csv.DictReader(handle)}
    former = {"ANT", "CSK", "DDR", "SUN", "YUG", "SCG", "PCZ", "VDR", "YMD", "PCI"}
    assert {a.code for a in areas.values() if a.code} <= iso | former | {"WLD"}


def _v1_records(edit):
    """The recorded response with its records changed by ``edit`` (a list of records in, a list out)."""
    document = json.loads(V1_JSON.read_text(encoding="utf-8"))
    document["data"] = edit(copy.deepcopy(document["data"]))
    document["count"] = len(document["data"])
    return json.dumps(document)


def test_a_partner_without_an_iso_code_gets_a_placeholder_warned_about_once(tmp_path):
    def other_asia(records):
        for r in records:
            r.update(partnerCode=490, partnerISO="S19", partnerDesc="Other Asia, nes") if r["partnerCode"] == 32 else None
        return records

    path = tmp_path / "asia.json"
    path.write_text(_v1_records(other_asia))
    out = official.read_comtrade(path)
    made = official.unmapped_code("Other Asia, nes")
    assert {p for _, p, _, _ in figures(out)} == {"DEU", made}
    unknown = [w for w in out.warnings if w.code == "unknown-name"]
    assert len(unknown) == 1  # two rows (import and export), one warning
    assert "490" in unknown[0].message
    assert "placeholder" in unknown[0].message


def test_the_files_iso_field_is_not_trusted_over_the_code(tmp_path):
    def former_germany(records):
        for r in records:
            r.update(partnerCode=280, partnerISO="XXX") if r["partnerCode"] == 276 else None
        return records

    path = tmp_path / "frg.json"
    path.write_text(_v1_records(former_germany))
    out = official.read_comtrade(path)
    rows = out.figures[out.figures["partner"] == "DEU"]
    assert len(rows) == 2
    assert rows["note"].str.contains("former area").all()


# --- estimates ---------------------------------------------------------------------------------


def test_estimates_are_flagged_and_the_flag_propagates(tmp_path):
    def estimated(records):
        records[0]["isReported"] = False  # China's imports from Argentina
        records[2]["legacyEstimationFlag"] = 4  # China's exports to Argentina
        return records

    path = tmp_path / "estimates.json"
    path.write_text(_v1_records(estimated))
    out = official.convert("comtrade", [path])  # "estimated" passes the same checks as validate
    status = dict(zip(out.figures["id"], out.figures["status"], strict=True))
    assert status["comtrade-CHN-ARG-import-2010"] == "estimated"
    assert status["comtrade-CHN-ARG-export-2010"] == "estimated"
    assert status["comtrade-CHN-DEU-import-2010"] == "reported"
    notes = out.figures.set_index("id")["note"]
    assert "isReported false" in notes["comtrade-CHN-ARG-import-2010"]
    assert "estimation code 4" in notes["comtrade-CHN-ARG-export-2010"]
    table = metrics.balances(metrics.perspective(make_figures(("CHN", "ARG", "export", "2010", "USD", 1, "estimated")), "CHN"))
    assert table["flags"].tolist() == ["estimated"]


def test_the_legacy_estimation_code_is_an_estimate(tmp_path):
    text = (FIXTURES / "comtrade_legacy_bulk_2016.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",2"  # Australia's imports: Estimation Code 2
    path = tmp_path / "bulk.csv"
    path.write_text("\n".join(lines) + "\n")
    out = official.read_comtrade(path, commodity="01")
    assert out.figures.set_index("id").loc["comtrade-AUS-WLD-import-2016-01", "status"] == "estimated"
    assert (out.figures["status"] == "estimated").sum() == 1


# --- commodities -------------------------------------------------------------------------------


def test_commodity_figures_name_their_product_in_source_quote_note_and_title():
    out = official.read_comtrade(LEGACY_API, commodity="01")
    # Each row says its own product: Antigua reports in H3, where chapter 01 is "Live animals; animal products".
    assert set(out.figures["source"]) == {
        "comtrade_legacy_api_2016.csv [commodity 01 Live animals]",
        "comtrade_legacy_api_2016.csv [commodity 01 Live animals; animal products]",
    }
    assert out.figures["quote"].str.contains("commodity 01 Live animals").all()
    assert out.figures["note"].str.contains("only, not the country total").all()
    rows = [{"reporter": "IND", "partner": "WLD", "sources": out.figures["source"].iloc[0]}]
    assert "in commodity 01 Live animals" in render.title("balance", rows)
    assert "commodity" not in render.title("balance", [{"reporter": "IND", "partner": "WLD", "sources": "tradestat.csv"}])


def test_r_drops_the_leading_zero_of_a_commodity_code_and_it_is_put_back():
    with open(FIXTURES / "comtrade_legacy_api_2016_r.csv", encoding="utf-8", newline="") as handle:
        assert {r["Commodity.Code"] for r in csv.DictReader(handle)} == {"1"}
    out = official.read_comtrade(FIXTURES / "comtrade_legacy_api_2016_r.csv", commodity="01")
    assert out.figures["source"].str.contains("[commodity 01 Live animals", regex=False).all()


# --- months ------------------------------------------------------------------------------------


def _monthly(months: list[tuple[int, int]], value) -> str:
    """The recorded response's first record (China's imports from Argentina) as monthly records."""
    document = json.loads(V1_JSON.read_text(encoding="utf-8"))
    template = document["data"][0]
    records = []
    for year, month in months:
        r = dict(template, freqCode="M", refYear=year, refMonth=month, period=f"{year}{month:02d}")
        r["primaryValue"] = value(year, month)
        records.append(r)
    return json.dumps({"elapsedTime": "0s", "count": len(records), "data": records, "error": ""})


def _value(year, month):
    return float(Decimal(f"{year}{month:02d}.37") * 1000)  # distinct, with decimals: 202304370.0


JAN_2023_TO_MAR_2024 = [(2023, m) for m in range(1, 13)] + [(2024, m) for m in range(1, 4)]


def test_months_are_summed_into_indian_fiscal_years(tmp_path):
    path = tmp_path / "monthly.json"
    path.write_text(_monthly(JAN_2023_TO_MAR_2024, _value))
    out = official.read_comtrade(path, months="fiscal")
    fiscal = [(2023, m) for m in range(4, 13)] + [(2024, m) for m in range(1, 4)]
    expected = sum(Decimal(repr(_value(y, m))) for y, m in fiscal) / MILLION
    assert figures(out) == {("CHN", "ARG", "import", "FY2023-24"): expected}
    (row,) = out.figures.to_dict("records")
    assert "sum of 12 monthly" in row["note"]
    assert "April–March" in row["note"]
    assert "202304" in row["quote"]
    assert "202403" in row["quote"]
    (gap,) = [w for w in out.warnings if w.code == "incomplete-year"]
    # Jan–Mar 2023 belong to FY2022-23, whose other nine months the file lacks: named, and the year left out.
    assert "FY2022-23" in gap.message
    assert "9 months missing" in gap.message
    assert "Apr 2022" in gap.message
    assert "Dec 2022" in gap.message


def test_months_are_summed_into_calendar_years(tmp_path):
    path = tmp_path / "monthly.json"
    path.write_text(_monthly(JAN_2023_TO_MAR_2024, _value))
    out = official.read_comtrade(path, months="calendar")
    expected = sum(Decimal(repr(_value(2023, m))) for m in range(1, 13)) / MILLION
    assert figures(out) == {("CHN", "ARG", "import", "2023"): expected}
    (gap,) = [w for w in out.warnings if w.code == "incomplete-year"]
    assert "2024" in gap.message
    assert "Apr 2024" in gap.message
    assert "Dec 2024" in gap.message


def test_a_missing_month_is_named_and_the_year_left_out(tmp_path):
    path = tmp_path / "monthly.json"
    path.write_text(_monthly([ym for ym in JAN_2023_TO_MAR_2024 if ym != (2023, 9)], _value))
    out = official.read_comtrade(path, months="fiscal")
    assert out.figures.empty
    messages = " ".join(w.message for w in out.warnings if w.code == "incomplete-year")
    assert "FY2023-24: 1 month missing (Sep 2023)" in messages


def test_monthly_data_without_months_is_left_out_with_the_option_named(tmp_path):
    path = tmp_path / "monthly.json"
    path.write_text(_monthly(JAN_2023_TO_MAR_2024, _value))
    out = official.read_comtrade(path)
    assert out.figures.empty
    (warning,) = out.warnings
    assert warning.code == "not-annual"
    assert "15 monthly records" in warning.message
    assert "--months fiscal" in warning.message


def test_one_month_twice_is_an_error_not_a_sum(tmp_path):
    path = tmp_path / "monthly.json"
    path.write_text(_monthly([*JAN_2023_TO_MAR_2024, (2023, 5)], _value))
    with pytest.raises(TradeDataError, match="both give May 2023"):
        official.read_comtrade(path, months="fiscal")


def test_months_option_is_checked():
    with pytest.raises(UsageError, match="--months 'quarterly'"):
        official.read_comtrade(V1_JSON, months="quarterly")
    with pytest.raises(UsageError, match="--months are for Comtrade"):
        official.convert("tradestat", [FIXTURES / "tradestat_fy2019-20_usd.csv"], currency="USD", period="2019", months="fiscal")


def test_months_from_the_command_line(tmp_path):
    path = tmp_path / "monthly.json"
    path.write_text(_monthly(JAN_2023_TO_MAR_2024, _value))
    result = runner.invoke(app, ["import", "comtrade", str(path), "--months", "fiscal"])
    assert result.exit_code == 0, result.stderr
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["period"] == "FY2023-24"
    assert "incomplete-year" not in result.stderr  # codes are not shown, the words are
    assert "FY2022-23" in result.stderr
    assert "months" in one_line_error(runner.invoke(app, ["import", "comtrade", str(path), "--months", "weekly"]), 2)


# --- TradeStat names and warnings --------------------------------------------------------------

HEADER = '"Rank","Country","Export","Import","Total Trade","Trade Balance"\n'


def test_tradestat_names_with_real_codes_and_documented_pseudo_partners(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text(
        HEADER + '"1","NIUE IS","1.00","2.00","3.00","-1.00"\n"2","ST PIERRE","1.00","2.00","3.00","-1.00"\n'
        '"3","HEARD MACDONALD","1.00","2.00","3.00","-1.00"\n"4","FR S ANT TR","1.00","2.00","3.00","-1.00"\n'
        '"5","NETHERLANDANTIL","1.00","2.00","3.00","-1.00"\n"6","UNSPECIFIED","1.00","2.00","3.00","-1.00"\n'
        '"7","PANAMA C Z","1.00","2.00","3.00","-1.00"\n"8","CANARY IS","1.00","2.00","3.00","-1.00"\n'
        '"9","COTE D&#39; IVOIRE","1.00","2.00","3.00","-1.00"\n'
    )
    out = official.read_tradestat(path, "USD", "FY2019-20")
    assert out.warnings == []
    exports = out.figures[out.figures["flow"] == "export"]
    codes = dict(zip(exports["quote"].str.extract(r"line \d+: (.*), Export")[0], exports["partner"], strict=True))
    assert codes == {
        "NIUE IS": "NIU", "ST PIERRE": "SPM", "HEARD MACDONALD": "HMD", "FR S ANT TR": "ATF",
        "NETHERLANDANTIL": "ANT", "UNSPECIFIED": "XUS", "PANAMA C Z": "PCZ", "CANARY IS": "XCI",
        "COTE D' IVOIRE": "CIV",  # the HTML entity decoded before the look-up
    }  # fmt: skip
    notes = out.figures.set_index("partner")["note"]
    assert "ISO 3166-3 former code" in notes["ANT"].iloc[0]
    assert "pseudo-partner" in notes["XUS"].iloc[0]


def test_a_placeholder_never_takes_a_documented_code():
    reserved = {"XCI", "XUS", "XPP", "XCH"}
    assert not {official.unmapped_code(f"NAME {n}") for n in range(2000)} & reserved


def test_indias_total_trade_is_explained_by_the_export_only_partners(tmp_path):
    path = tmp_path / "total.csv"
    path.write_text(
        HEADER + '"1","PERU","773.24","1,602.02","2,375.26","-828.78"\n"2","COOK IS","0.52","","",""\n'
        '"3","NIUE IS","1.10","","",""\n'
        # TradeStat's Total Trade adds up the Total Trade column, where the two export-only partners are blank.
        '"","India\'s Total","774.86","1,602.02","2,375.26","-827.16"\n'
    )
    out = official.read_tradestat(path, "USD", "FY2019-20")
    (check,) = [w for w in out.warnings if w.code == "check-mismatch"]
    e, i = Decimal("774.86"), Decimal("1602.02")
    assert f"less {Decimal('0.52') + Decimal('1.10')}" in check.message  # 774.86 + 1,602.02 − 2,375.26
    assert "COOK IS, NIUE IS" in check.message
    assert f"tradecli uses Export and Import (total = {e + i})" in check.message


def test_mirror_checks_say_why_a_gap_of_a_few_percent_is_expected():
    rows = [{"reporter": "IND", "partner": "CHN", "official_flags": "", "other_flags": "partner-reported"}]
    notes = " ".join(render.footnotes("check", rows))
    assert "CIF" in notes
    assert "FOB" in notes
    assert "a few percent" in notes
    assert "CIF" not in " ".join(render.footnotes("check", [{"official_flags": "", "other_flags": ""}]))


# --- no float noise ----------------------------------------------------------------------------


def test_sums_print_with_the_decimals_of_their_figures(tmp_path):
    exports, imports = "6901619.73", "6114803.64"
    noisy = float(exports) - float(imports)
    assert f"{round(noisy, 10):.15g}" == "786816.090000001"  # what plain floats printed: noise in the 9th decimal
    data = tmp_path / "figures.csv"
    data.write_text(
        "id,reporter,partner,flow,period,currency,value,status,source,quote,note\n"
        f"a,IND,PER,export,2024,USD,{exports},reported,doc,words,\n"
        f"b,IND,PER,import,2024,USD,{imports},reported,doc,words,\n"
    )
    result = runner.invoke(app, ["balance", "peru", "-d", str(data), "-f", "csv"])
    assert result.exit_code == 0, result.stderr
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["balance"] == str(Decimal(exports) - Decimal(imports))
    assert row["total"] == str(Decimal(exports) + Decimal(imports))


def test_a_gap_is_exact_to_its_figures_decimals():
    official_side = make_figures(("IND", "PER", "export", "2024", "USD", 6114803.64))
    other_side = make_figures(("IND", "PER", "export", "2024", "USD", 6901619.73))
    out = gaps.compare(metrics.perspective(official_side, "IND"), metrics.perspective(other_side, "IND"))
    assert repr(float(out["gap"].iloc[0])) == str(Decimal("6901619.73") - Decimal("6114803.64"))
