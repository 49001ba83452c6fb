"""The bundled data: every figure traces to its article's exact words, and the schema holds."""

import csv
import json
from pathlib import Path

import pytest

import tradecli
from tradecli import bundled, queries
from tradecli.read.flows import load

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def rows(name):
    with open(bundled.path(name), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", rows("flows.csv"), ids=lambda r: r["id"])
def test_every_quote_is_in_its_source_word_for_word(row):
    text = (SEEDS / row["source"]).read_text(encoding="utf-8")
    assert row["quote"] in text


@pytest.mark.parametrize("row", rows("fx.csv"), ids=lambda r: r["id"])
def test_every_rate_is_quoted_from_its_source(row):
    assert row["quote"] in (SEEDS / row["source"]).read_text(encoding="utf-8")


def test_the_nz_rate_is_the_one_the_article_implies():
    (rate,) = rows("fx.csv")
    assert float(rate["rate"]) == pytest.approx(1900 / 3140, abs=5e-7)


def test_the_bundled_data_validates_against_its_table_schema():
    frictionless = pytest.importorskip("frictionless")
    # fieldsMatch superset: a file may leave out the optional columns of its schema (flows' product, product_name) ...
    report = frictionless.Package(str(bundled.path("datapackage.json"))).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    # ... and only those: every other field of every schema is in its file's header.
    descriptor = json.loads(bundled.path("datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        fields = [f["name"] for f in resource["schema"]["fields"]]
        with open(bundled.path(resource["path"]), encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        optional = ["product", "product_name"] if resource["name"] == "flows" else []
        assert header == [f for f in fields if f not in optional or f in header], resource["name"]


def test_the_bundled_data_loads_without_errors_or_warnings():
    flows = load()
    assert flows.warnings == []
    assert len(flows.figures) == len(rows("flows.csv"))


def test_figures_the_articles_state():
    peru = queries.balance(["PER"]).iloc[0]
    assert (peru.exports, peru.imports, peru.balance) == (933, 4690, -3757)
    chile = tradecli.compare_years(["CHL"]).set_index("period")
    assert round(chile.loc["FY2024-25", "imports_change_pct"], 1) == 72.2
    lac = queries.balance(["LAC"]).iloc[0]
    assert (lac.exports, lac.imports, lac.total, lac.total_check_gap) == (14500, 21230, 35730, 0)
    nz = queries.balance(["NZL"]).set_index(["currency", "scope"])
    # NZ$3,140m is goods and services, NZ$718m goods: India's exports are never derived as 3,140 - 718 (issue 15).
    assert nz.loc[("NZD", "goods_services"), "total"] == 3140
    assert nz.loc[("NZD", "goods"), "imports"] == 718
    assert nz[["exports", "balance"]].isna().all().all()


def test_figureless_partners_of_the_second_article_are_listed():
    listed = queries.partner_list().set_index("code")
    for code in ("ECU", "BOL", "CUB", "PRY"):
        assert listed.loc[code, "status"] == "no figures"
        assert listed.loc[code, "mentioned_in"] == "002_d99383783fbdc1ca.txt"


def test_seeds_are_the_shared_articles_unchanged_and_described():
    readme = (SEEDS / "README.md").read_text(encoding="utf-8")
    for seed in SEEDS.glob("*.txt"):
        assert seed.name in readme
    assert {r["source"] for r in rows("flows.csv")} <= {p.name for p in SEEDS.glob("*.txt")}
