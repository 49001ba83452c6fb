"""Products (issue 11): the product column, TradeStat's pages by product, and `tradecli products`.

Expected values are recomputed here from the real TradeStat pages in tests/fixtures/ (see their
README) with re and plain arithmetic, never with tradecli's functions.
"""

import csv
import html
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradecli import products as products_mod
from tradecli.cli import app
from tradecli.dataset import Dataset
from tradecli.errors import NoFiguresError, UsageError

FIXTURES = Path(__file__).parent / "fixtures"
CHINA_IMPORT = FIXTURES / "tradestat_china_import_fy2008-10.html"
CHINA_EXPORT = FIXTURES / "tradestat_china_export_fy2008-10.html"
WORLD_IMPORT = FIXTURES / "tradestat_world_import_fy2008-10.html"

runner = CliRunner()


def run(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "120", "NO_COLOR": "1", **(env or {})})


def page_rows(path: Path) -> dict[str, tuple[float | None, float | None]]:
    """HS code -> (first year, second year) of a saved TradeStat page, read with re alone (None: a blank cell)."""
    text = path.read_text(encoding="latin-1")
    out = {}
    for chunk in text.split("<tr")[1:]:
        cells = [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", chunk, re.S)
        ]
        if len(cells) >= 5 and re.fullmatch(r"\d\d", cells[1]):
            # the world page: year, %share, year, %share, %growth; a partner's: year, year, %growth
            first, second = (cells[3], cells[5]) if path == WORLD_IMPORT else (cells[3], cells[4])
            out[cells[1]] = tuple(float(c.replace(",", "")) if c else None for c in (first, second))
    return out


def page_total(path: Path) -> tuple[float, float]:
    """A page's own Total row (a partner's "Total", the World's "India's Total Import"): (first year, second year)."""
    text = path.read_text(encoding="latin-1")
    for chunk in text.split("<tr")[1:]:
        cells = [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", chunk, re.S)
        ]
        if len(cells) >= 5 and cells[2] in ("Total", "India's Total Import"):
            first, second = (cells[3], cells[5]) if path == WORLD_IMPORT else (cells[3], cells[4])
            return float(first.replace(",", "")), float(second.replace(",", ""))
    raise AssertionError(f"no Total row in {path}")


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """The three real pages imported into one flows file, through the CLI."""
    path = tmp_path_factory.mktemp("products") / "china.csv"
    result = run("import", "tradestat", CHINA_IMPORT, CHINA_EXPORT, WORLD_IMPORT, "-o", path)
    assert result.exit_code == 0, result.output
    return path


def test_the_pages_import_every_hs_chapter_with_its_words(imported):
    rows = list(csv.DictReader(io.StringIO(imported.read_text(encoding="utf-8"))))
    chapters = page_rows(CHINA_IMPORT)
    mine = {r["product"]: r for r in rows if r["partner"] == "CHN" and r["flow"] == "import" and r["period"] == "FY2009-10"}
    assert set(mine) == {k for k, v in chapters.items() if v[1] is not None} | {"TOTAL"}
    assert float(mine["85"]["value"]) == chapters["85"][1] == 9667.06
    assert mine["85"]["product_name"].startswith("ELECTRICAL MACHINERY")
    assert {r["currency"] for r in rows} == {"USD"}
    assert {r["partner"] for r in rows} == {"CHN", "WLD"}
    assert {r["period"] for r in rows} == {"FY2008-09", "FY2009-10"}
    world = page_rows(WORLD_IMPORT)
    assert {r["product"] for r in rows if r["partner"] == "WLD" and r["period"] == "FY2008-09"} == {
        k for k, v in world.items() if v[0] is not None
    } | {"TOTAL"}
    # Each page's own Total row is written as product TOTAL: the flow's reported total.
    totals = {(r["partner"], r["flow"], r["period"]): float(r["value"]) for r in rows if r["product"] == "TOTAL"}
    for path, partner, flow in (
        (CHINA_IMPORT, "CHN", "import"),
        (CHINA_EXPORT, "CHN", "export"),
        (WORLD_IMPORT, "WLD", "import"),
    ):
        assert (totals[(partner, flow, "FY2008-09")], totals[(partner, flow, "FY2009-10")]) == page_total(path)
    assert len(totals) == 6


def test_products_shares_concentration_change_and_world_share(imported):
    out = Dataset.open([imported]).select(["china"], periods="FY2009-10").products(flow="import", top=100, world=True).frame
    chapters = page_rows(CHINA_IMPORT)
    now = {k: v[1] for k, v in chapters.items() if v[1] is not None}
    total = sum(now.values())
    shares = sorted((100 * v / total for v in now.values()), reverse=True)
    reported = page_total(CHINA_IMPORT)[1]
    assert reported == pytest.approx(total, abs=0.5)  # the page's Total is its chapters' sum, up to rounding
    assert len(out) == len(now) == 96
    first = out.iloc[0]
    assert (first["product"], first["value"]) == ("85", 9667.06)
    assert first["share_pct"] == pytest.approx(100 * 9667.06 / reported)
    assert first["flow_total"] == reported
    assert first["flow_total_from"] == "reported"
    assert first["top1_share_pct"] == pytest.approx(shares[0])
    assert first["top5_share_pct"] == pytest.approx(sum(shares[:5]))
    assert first["hhi"] == pytest.approx(sum(s * s for s in shares))
    assert first["previous_value"] == chapters["85"][0]
    assert first["change"] == pytest.approx(9667.06 - 9996.37)
    assert first["change_pct"] == pytest.approx(100 * (9667.06 - 9996.37) / 9996.37)
    world = page_rows(WORLD_IMPORT)
    assert first["world_value"] == world["85"][1]
    # Every figure the row uses: the product's with China and the World's.
    assert first["figures"] == (
        "tradestat-FY2009-10-CHN-import-85;tradestat-FY2009-10-CHN-import-TOTAL;tradestat-FY2009-10-WLD-import-85"
    )
    assert first["world_share_pct"] == pytest.approx(100 * 9667.06 / world["85"][1])
    exports = page_rows(CHINA_EXPORT)
    assert first["balance"] == pytest.approx(exports["85"][1] - 9667.06)
    assert list(out["value"]) == sorted(out["value"], reverse=True)
    assert list(out["rank"]) == list(range(1, 97))


def test_a_balance_of_a_file_with_products_uses_its_totals_only(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "reporter,partner,flow,period,currency,value,source,quote,product,product_name\n"
        "IND,PER,import,2023,USD,100,s,q,TOTAL,\n"
        "IND,PER,import,2023,USD,60,s,q,26,Ores\n"
        "IND,PER,export,2023,USD,80,s,q,,\n",
        encoding="utf-8",
    )
    for engine in ("pandas", "duckdb"):
        if engine == "duckdb":
            pytest.importorskip("duckdb")
        result = run("balance", "peru", "-d", path, "-f", "json", env={"TRADECLI_ENGINE": engine})
        assert result.exit_code == 0, result.output
        (row,) = json.loads(result.stdout)
        assert (row["exports"], row["imports"], row["balance"]) == (80, 100, -20), engine


def test_the_same_key_in_two_products_is_no_duplicate_but_in_one_is(tmp_path):
    path = tmp_path / "dup.csv"
    head = "reporter,partner,flow,period,currency,value,source,quote,product\n"
    path.write_text(head + "IND,PER,import,2023,USD,60,s,q,26\nIND,PER,import,2023,USD,30,s,q,74\n", encoding="utf-8")
    assert run("validate", path).exit_code == 0
    path.write_text(head + "IND,PER,import,2023,USD,60,s,q,26\nIND,PER,import,2023,USD,30,s,q,26\n", encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 1
    assert "conflicting-figure" in result.stdout
    path.write_text(head + "IND,PER,import,2023,USD,60,s,q,2 6\n", encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 1
    assert "bad-product" in result.stdout


def _long(*rows) -> pd.DataFrame:
    """Perspective figures from (partner, flow, period, product, value) tuples: IND's goods in USD."""
    return pd.DataFrame(
        [
            {"reporter": "IND", "partner": p, "flow": f, "period": per, "basis": "calendar", "year": int(per),
             "currency": "USD", "value": v, "flags": "", "figures": f"{p}-{f}-{per}-{code}", "sources": "s.csv",
             "scope": "goods", "product": code}
            for p, f, per, code, v in rows
        ]
    )  # fmt: skip


def test_level_sums_leaves_only_never_a_heading_with_its_chapter():
    long = _long(
        ("PER", "import", "2023", "26", 100.0),  # a chapter ...
        ("PER", "import", "2023", "2603", 70.0),  # ... its heading ...
        ("PER", "import", "2023", "260300", 70.0),  # ... and its one subheading: the same money three times
        ("PER", "import", "2023", "2608", 25.5),
        ("PER", "import", "2023", "7108", 12.25),
        ("PER", "import", "2023", "710812", 12.25),
    )
    at2 = products_mod.table(long, ["PER"], {}, level=2, top=None)
    assert dict(zip(at2["product"], at2["value"], strict=True)) == {"26": 100.0, "71": 12.25}  # 26 as given; 71 from 710812
    assert at2.set_index("product").loc["71", "flags"] == "summed"
    assert at2.set_index("product").loc["26", "flags"] == ""
    at4 = products_mod.table(long, ["PER"], {}, level=4, top=None)
    assert dict(zip(at4["product"], at4["value"], strict=True)) == {"2603": 70.0, "2608": 25.5, "7108": 12.25}
    at6 = products_mod.table(long, ["PER"], {}, level=6, top=None)
    assert dict(zip(at6["product"], at6["value"], strict=True)) == {"260300": 70.0, "710812": 12.25}
    default = products_mod.table(long, ["PER"], {}, top=None)
    pd.testing.assert_frame_equal(default, at2)  # the shortest codes held: chapters


def test_shares_use_the_reported_total_and_concentration_the_products_sum():
    long = _long(
        ("PER", "import", "2023", "TOTAL", 200.0),
        ("PER", "import", "2023", "26", 120.0),
        ("PER", "import", "2023", "71", 40.0),
        ("PER", "import", "2023", "74", 20.0),
    )
    out = products_mod.table(long, ["PER"], {"26": "Ores"}, top=2)
    assert list(out["product"]) == ["26", "71"]  # top 2 of 3
    assert list(out["share_pct"]) == [60.0, 20.0]  # of the reported 200
    assert out["flow_total_from"].eq("reported").all()
    assert out["products_count"].eq(3).all()
    assert out.iloc[0]["top1_share_pct"] == pytest.approx(100 * 120 / 180)  # of the 180 the products sum to
    assert out.iloc[0]["top5_share_pct"] == pytest.approx(100.0)
    assert out.iloc[0]["hhi"] == pytest.approx((100 * 120 / 180) ** 2 + (100 * 40 / 180) ** 2 + (100 * 20 / 180) ** 2)
    assert out.iloc[0]["description"] == "Ores"
    assert out.iloc[0]["figures"] == "PER-import-2023-26;PER-import-2023-TOTAL"  # the product's and the total it is a share of


def test_world_share_is_refused_without_world_rows():
    long = _long(("PER", "import", "2023", "26", 1.0))
    with pytest.raises(NoFiguresError, match="no World figures by product"):
        products_mod.table(long, ["PER"], {}, world=True)
    with pytest.raises(UsageError, match="--level 3"):
        products_mod.table(long, ["PER"], {}, level=3)
    with pytest.raises(UsageError, match="--flow 'total'"):
        products_mod.table(long, ["PER"], {}, flow="total")


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_every_format_shows_the_products(imported, fmt):
    result = run("products", "china", "-d", imported, "--flow", "import", "--top", "3", "-f", fmt)
    assert result.exit_code == 0, result.output
    assert "9667.06" in result.stdout.replace(",", "")
    if fmt == "csv":
        table = pd.read_csv(io.StringIO(result.stdout), dtype={"product": "str"})
        assert list(table.columns[:12]) == [
            "reporter", "partner", "period", "basis", "currency", "flow", "product", "description", "value", "share_pct",
            "flags", "sources",
        ]  # fmt: skip
        assert list(table["product"]) == ["85", "84", "29"]
    if fmt == "json":
        records = json.loads(result.stdout)
        lib = Dataset.open([imported]).select(["china"]).products(flow="import", top=3).records()
        assert records == json.loads(json.dumps(lib))
    if fmt in ("table", "markdown"):
        assert "HHI" in result.stdout
        assert "top 5" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--level", "3"], 2, "--level 3 is not one of 2, 4, 6, 8"),
        (["--flow", "total"], 2, "--flow 'total' is not one of export, import"),
        (["--top", "0"], 2, "--top 0"),
        (["--period", "FY2019-20"], 1, "no figures for IND with CHN in FY2019-20 by product"),
        (["--level", "6"], 1, "no products at HS level 6 with CHN: the data holds codes of 2 digits"),
    ],
)
def test_errors_are_one_line_with_their_exit_code(imported, args, code, words):
    result = run("products", "china", "-d", imported, *args)
    assert result.exit_code == code
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_world_share_is_refused_in_one_line_without_world_rows(tmp_path):
    path = tmp_path / "china.csv"
    assert run("import", "tradestat", CHINA_IMPORT, "-o", path).exit_code == 0
    result = run("products", "china", "-d", path, "--world")
    assert result.exit_code == 1
    assert "no World figures by product for IND in FY2009-10" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_both_engines_give_the_same_products(imported):
    pytest.importorskip("duckdb")
    ask = ("products", "china", "-d", imported, "--world", "-f", "csv")
    pandas_out, duckdb_out = (run(*ask, env={"TRADECLI_ENGINE": e}) for e in ("pandas", "duckdb"))
    assert pandas_out.exit_code == duckdb_out.exit_code == 0, duckdb_out.output
    assert pandas_out.stdout == duckdb_out.stdout


# --- a real Comtrade file of one commodity (HS 8542) -------------------------------------------

SEMICONDUCTORS = FIXTURES / "comtrade_china_usa_8542.csv"


def test_comtrade_keeps_the_commodity_of_a_real_file_and_its_country_rows_only(tmp_path):
    from decimal import Decimal

    rows = list(csv.DictReader(io.StringIO(SEMICONDUCTORS.read_text(encoding="utf-8"))))
    # The country's trade: partner2Code 0, customs C00, transport 0 (the others split it by second partner).
    kept = {r["refYear"]: Decimal(r["primaryValue"]) / 1_000_000 for r in rows if r["partner2Code"].strip() == "0"}
    out = tmp_path / "semi.csv"
    result = run("import", "comtrade", SEMICONDUCTORS, "-o", out)
    assert result.exit_code == 0, result.output
    assert f"{len(rows) - len(kept)} rows left out" in result.stderr
    imported = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {r["product"] for r in imported} == {"8542"}
    assert {r["period"]: Decimal(r["value"]) for r in imported} == kept
    assert {(r["reporter"], r["partner"], r["flow"]) for r in imported} == {("CHN", "USA", "import")}
    assert imported[0]["id"] == "comtrade-CHN-USA-import-2010-8542"

    answer = run("products", "usa", "--reporter", "china", "-d", out, "-f", "json")
    assert answer.exit_code == 0, answer.output
    (row,) = json.loads(answer.stdout)
    now, before = kept["2024"], kept["2023"]
    assert (row["period"], row["product"], row["value"]) == ("2024", "8542", float(now))
    assert row["previous_value"] == float(before)
    assert row["change_pct"] == pytest.approx(float(100 * (now - before) / before))
    assert (row["share_pct"], row["hhi"], row["flow_total_from"]) == (100, 10000, "sum of products")
    balance = run("balance", "usa", "--reporter", "china", "-d", out)
    assert balance.exit_code == 1  # no TOTAL figure: a commodity is never read as the country's trade
    assert "no figures of product TOTAL for CHN with USA" in balance.stderr


@pytest.fixture(scope="module")
def chapters_only(imported, tmp_path_factory) -> Path:
    """The imported pages without their Total rows: figures by product only (as an HS download without totals)."""
    path = tmp_path_factory.mktemp("chapters") / "chapters.csv"
    rows = list(csv.DictReader(io.StringIO(imported.read_text(encoding="utf-8"))))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["product"] != "TOTAL")
    return path


def test_a_balance_of_the_pages_uses_their_total_rows(imported):
    result = run("balance", "china", "-p", "FY2009-10", "-d", imported, "-f", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["exports"], row["imports"]) == (page_total(CHINA_EXPORT)[1], page_total(CHINA_IMPORT)[1])
    assert row["balance"] == pytest.approx(page_total(CHINA_EXPORT)[1] - page_total(CHINA_IMPORT)[1])


def test_a_balance_of_products_only_says_where_the_answer_is(chapters_only):
    for engine in ("pandas", "duckdb"):
        if engine == "duckdb":
            pytest.importorskip("duckdb")
        result = run("balance", "china", "-d", chapters_only, env={"TRADECLI_ENGINE": engine})
        assert result.exit_code == 1
        assert "holds them by product only; see `tradecli products china`" in result.stderr


def test_partners_lists_a_partner_with_figures_by_product_only(chapters_only):
    result = run("partners", "-d", chapters_only, "-f", "json")
    assert result.exit_code == 0, result.output
    listed = {r["code"]: r for r in json.loads(result.stdout)}
    chapters = set(page_rows(CHINA_IMPORT)) | set(page_rows(CHINA_EXPORT))
    assert listed["CHN"]["status"] == "by product only"
    assert listed["CHN"]["products"] == len(chapters)
    assert listed["CHN"]["flows"] == ["export", "import"]
    assert listed["WLD"]["products"] == len(page_rows(WORLD_IMPORT))
