"""Issue 11 on real data: TradeStat pages of India's trade with China (1996-97 to 2018-19) and with the World.

The pages are the Department of Commerce's own (see tests/fixtures/README.md). Every expected value
is recomputed here from the saved HTML with re, html and Decimal, never with tradecli's functions.
"""

from __future__ import annotations

import csv
import html
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradecli.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"
CHINA = sorted((FIXTURES / "tradestat_china").glob("*.asp"))
WORLD = sorted((FIXTURES / "tradestat_world").glob("*.asp"))


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def cells(row: str) -> list[str]:
    """A <tr>'s cell texts, tags stripped, entities decoded, whitespace folded."""
    found = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S | re.I)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in found]


def page(path: Path) -> dict:
    """A page as {flow, world, years: [label], codes: {year: {hs: value}}, total: {year: value}}."""
    text = path.read_text(encoding="ascii")
    flow = re.search(r"(Import|Export)\s*::", text).group(1).lower()
    world = "Commodity-wise" in text
    rows = [cells(r) for r in re.findall(r"<tr.*?</tr>", text, re.S | re.I)]
    header = next(r for r in rows if "HSCode" in r)
    at = {n: f"FY{c[:4]}-{c[7:]}" for n, c in enumerate(header) if re.fullmatch(r"\d{4}-\d{4}", c)}
    codes = {y: {} for y in at.values()}
    total = {}
    for r in rows:
        if len(r) == len(header) and re.fullmatch(r"\d\d", r[1]):
            for n, year in at.items():
                if r[n]:
                    codes[year][r[1]] = Decimal(r[n].replace(",", ""))
        elif len(r) == len(header) and r[2] in ("Total", "India's Total Import", "India's Total Export"):
            total = {year: Decimal(r[n].replace(",", "")) for n, year in at.items()}
    return {"flow": flow, "world": world, "years": list(at.values()), "codes": codes, "total": total}


def figures(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def cagr(first: Decimal, last: Decimal, years: int) -> float:
    return ((float(last) / float(first)) ** (1 / years) - 1) * 100


@pytest.fixture(scope="module")
def pages():
    return {p.name: page(p) for p in CHINA + WORLD}


def totals(pages, world: bool) -> dict[tuple[str, str], Decimal]:
    """(flow, year) -> the page's own Total, the first page giving that year winning."""
    out = {}
    for name in sorted(pages):
        p = pages[name]
        if p["world"] == world:
            for year, value in p["total"].items():
                out.setdefault((p["flow"], year), value)
    return out


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Every page, China's and the World's, in one import: one quoted glob, no --currency (the pages state it)."""
    out = tmp_path_factory.mktemp("real") / "india.csv"
    result = run("import", "tradestat", str(FIXTURES / "tradestat_*" / "*.asp"), "-o", out)
    assert result.exit_code == 0, result.stderr
    return out, result


def test_every_page_of_every_year_imports(imported, pages):
    out, result = imported
    rows = figures(out)
    keys = {(r["partner"], r["flow"], r["period"], r["product"]) for r in rows}
    assert len(keys) == len(rows)  # a year on two pages (FY2013-14) is kept once
    expected = set()
    for p in pages.values():
        partner = "WLD" if p["world"] else "CHN"
        for year in p["years"]:
            expected |= {(partner, p["flow"], year, code) for code in p["codes"][year]}
            expected.add((partner, p["flow"], year, "TOTAL"))
    assert keys == expected
    assert f"{len(expected)} figures imported" in result.stderr
    china_years = {k[2] for k in keys if k[0] == "CHN"}
    assert len(china_years) == 23
    assert (min(china_years), max(china_years)) == ("FY1996-97", "FY2018-19")
    # The repeated year is named once per flow, never silently dropped.
    assert result.stderr.count("FY2013-14 is also on 2012-14IndChina") == 2


def test_total_rows_are_the_pages_own(imported, pages):
    out, _ = imported
    written = {(r["partner"], r["flow"], r["period"]): Decimal(r["value"]) for r in figures(out) if r["product"] == "TOTAL"}
    for world, partner in ((False, "CHN"), (True, "WLD")):
        for (flow, year), value in totals(pages, world).items():
            assert written[(partner, flow, year)] == value
    # The page's Total is the sum of its chapters, up to rounding.
    p = pages["2017-19IndChinaImport.asp"]
    assert abs(sum(p["codes"]["FY2018-19"].values()) - p["total"]["FY2018-19"]) < Decimal("1")


def test_china_growth_over_every_year(imported, pages):
    out, _ = imported
    result = run("growth", "china", "-d", out, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    (row,) = figures_text(result.stdout)
    china = totals(pages, world=False)
    assert (row["from"], row["to"], row["years"]) == ("FY1996-97", "FY2018-19", "22")
    assert row["periods_missing"] == ""
    for flow in ("export", "import"):
        assert Decimal(row[f"{flow}s_from"]) == china[(flow, "FY1996-97")]
        assert Decimal(row[f"{flow}s_to"]) == china[(flow, "FY2018-19")]
        assert float(row[f"{flow}s_cagr_pct"]) == pytest.approx(cagr(china[(flow, "FY1996-97")], china[(flow, "FY2018-19")], 22))
    first = china[("export", "FY1996-97")] + china[("import", "FY1996-97")]
    last = china[("export", "FY2018-19")] + china[("import", "FY2018-19")]
    assert float(row["total_cagr_pct"]) == pytest.approx(cagr(first, last, 22))
    assert 20 < float(row["total_cagr_pct"]) < 21.5  # about a fifth a year: US$1.37 bn to US$87 bn


def test_china_growth_over_a_span_and_year_on_year(imported, pages):
    out, _ = imported
    china = totals(pages, world=False)
    result = run("growth", "china", "--from", "FY2008-09", "--to", "FY2018-19", "-d", out, "-f", "csv")
    (row,) = figures_text(result.stdout)
    assert float(row["imports_cagr_pct"]) == pytest.approx(
        cagr(china[("import", "FY2008-09")], china[("import", "FY2018-19")], 10)
    )
    result = run("compare", "china", "--years", "--from", "FY2017-18", "-d", out, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = {r["period"]: r for r in figures_text(result.stdout)}
    assert Decimal(rows["FY2018-19"]["imports"]) == china[("import", "FY2018-19")]
    assert Decimal(rows["FY2018-19"]["balance"]) == china[("export", "FY2018-19")] - china[("import", "FY2018-19")]


def test_china_share_of_india_trade_from_the_world_pages(imported, pages):
    out, _ = imported
    result = run("balance", "china", "--share", "-d", out, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = {r["period"]: r for r in figures_text(result.stdout)}
    china, world = totals(pages, world=False), totals(pages, world=True)
    with_world = sorted({year for _, year in world})
    assert with_world == ["FY1996-97", "FY1997-98", "FY2008-09", "FY2009-10", "FY2017-18", "FY2018-19"]
    for year in with_world:
        for flow in ("export", "import"):
            share = china[(flow, year)] / world[(flow, year)] * 100
            assert Decimal(rows[year][f"{flow}s_share_pct"]) == pytest.approx(share, abs=Decimal("1e-8"))
        both = (china[("export", year)] + china[("import", year)]) / (world[("export", year)] + world[("import", year)])
        assert Decimal(rows[year]["total_share_pct"]) == pytest.approx(both * 100, abs=Decimal("1e-8"))
    # No World page for FY2012-13: no share, never a guess.
    assert rows["FY2012-13"]["total_share_pct"] == ""
    # The China page states its own %Share of India's imports: 16.4055 in 2017-18.
    assert Decimal(rows["FY2017-18"]["imports_share_pct"]) == pytest.approx(Decimal("16.4055"), abs=Decimal("0.0001"))


def test_one_chapters_share_across_years(imported, pages):
    """HS 85 (electrical machinery) as a share of India's imports from China, from the first year to the last."""
    out, _ = imported
    china = totals(pages, world=False)
    shown = {}
    years = ("FY1996-97", "FY2002-03", "FY2008-09", "FY2013-14", "FY2018-19")  # the first, the last and between
    for year in years:
        result = run("products", "china", "--flow", "import", "-p", year, "--top", "99", "-d", out, "-f", "csv")
        assert result.exit_code == 0, result.stderr
        shown |= {r["period"]: r for r in figures_text(result.stdout) if r["product"] == "85"}
    codes = {}
    for name in sorted(pages):
        p = pages[name]
        if not p["world"] and p["flow"] == "import":
            for year in p["years"]:
                codes.setdefault(year, p["codes"][year])
    assert sorted(shown) == list(years)
    for year, row in shown.items():
        assert Decimal(row["value"]) == codes[year]["85"]
        assert Decimal(row["share_pct"]) == pytest.approx(codes[year]["85"] / china[("import", year)] * 100, abs=Decimal("1e-8"))
        assert row["flow_total_from"] == "reported"
    assert float(shown["FY1996-97"]["share_pct"]) < 10 < 25 < float(shown["FY2018-19"]["share_pct"])


def test_concentration_in_the_latest_year(imported, pages):
    out, _ = imported
    result = run("products", "china", "--flow", "import", "-p", "FY2018-19", "--top", "3", "-d", out, "-f", "csv")
    rows = figures_text(result.stdout)
    chapters = pages["2017-19IndChinaImport.asp"]["codes"]["FY2018-19"]
    values = sorted(chapters.values(), reverse=True)
    whole = sum(values)
    assert [r["product"] for r in rows] == sorted(chapters, key=chapters.get, reverse=True)[:3]
    assert int(rows[0]["products_count"]) == len(chapters)
    assert float(rows[0]["top5_share_pct"]) == pytest.approx(float(sum(values[:5]) / whole * 100))
    assert float(rows[0]["hhi"]) == pytest.approx(float(sum((v / whole * 100) ** 2 for v in values)))


def test_balance_answers_on_the_pages(imported, pages):
    out, _ = imported
    result = run("balance", "china", "-p", "FY2018-19", "-d", out, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    (row,) = figures_text(result.stdout)
    china = totals(pages, world=False)
    assert Decimal(row["balance"]) == china[("export", "FY2018-19")] - china[("import", "FY2018-19")]


def test_a_repeated_year_that_differs_is_refused(tmp_path):
    """Two pages giving one year with different figures: one line, exit 1, nothing written."""
    later = tmp_path / "2014-15IndChinaImport.asp"
    text = (FIXTURES / "tradestat_china" / "2014-15IndChinaImport.asp").read_text(encoding="ascii")
    total = pages_total_cell(text)
    later.write_text(text.replace(total, "99,999.99", 1), encoding="ascii")
    out = tmp_path / "out.csv"
    result = run("import", "tradestat", FIXTURES / "tradestat_china" / "2012-14IndChinaImport.asp", later, "-o", out)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ")
    assert "differ" in line
    assert "2012-14IndChinaImport.asp" in line
    assert not out.exists()


def pages_total_cell(text: str) -> str:
    """The first year's cell of a page's Total row, as written."""
    row = next(r for r in (cells(r) for r in re.findall(r"<tr.*?</tr>", text, re.S | re.I)) if len(r) > 2 and r[2] == "Total")
    return row[3]


def figures_text(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


COMTRADE_2019 = FIXTURES / "comtrade_india_2019_partners.csv"


def test_the_countrywise_file_is_comtrade_not_tradestat(tmp_path):
    """The repository's "country-wise 2019-20" CSV is a UN Comtrade legacy API download: refused by tradestat in one line."""
    result = run("import", "tradestat", COMTRADE_2019, "-o", tmp_path / "out.csv")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ")
    assert "UN Comtrade" in line
    assert "import comtrade" in line
    assert not (tmp_path / "out.csv").exists()


def test_china_share_of_india_trade_in_calendar_2019_from_comtrade(tmp_path):
    out = tmp_path / "ct.csv"
    assert run("import", "comtrade", COMTRADE_2019, "-o", out).exit_code == 0
    source = list(csv.DictReader(io.StringIO(COMTRADE_2019.read_text(encoding="utf-8"))))
    value = {(r["Partner ISO"], r["Trade Flow"].lower()): Decimal(r["Trade Value (US$)"]) / 10**6 for r in source}
    assert {(r["Year"], r["Reporter ISO"], r["Commodity Code"]) for r in source} == {("2019", "IND", "TOTAL")}
    rows = figures(out)
    assert len(rows) == len(source)  # every partner row, the World's and the "nes" areas' too
    result = run("balance", "china", "--share", "-d", out, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    (row,) = figures_text(result.stdout)
    assert (row["period"], row["basis"]) == ("2019", "calendar")  # a calendar year, never mixed with a fiscal one
    for flow in ("export", "import"):
        share = value[("CHN", flow)] / value[("WLD", flow)] * 100
        assert Decimal(row[f"{flow}s_share_pct"]) == pytest.approx(share, abs=Decimal("1e-8"))
    both = (value[("CHN", "export")] + value[("CHN", "import")]) / (value[("WLD", "export")] + value[("WLD", "import")])
    assert Decimal(row["total_share_pct"]) == pytest.approx(both * 100, abs=Decimal("1e-8"))
