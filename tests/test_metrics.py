"""Core arithmetic on small hand-made tables; every expected value is worked out by hand."""

import math
from decimal import Decimal

import pandas as pd
import pytest
from conftest import make_figures
from hypothesis import given
from hypothesis import strategies as st

from tradecli import currency, metrics
from tradecli.errors import MixedBasisError, TradeDataError, UsageError


def balance_of(figures, reporter="IND"):
    return metrics.balances(metrics.perspective(figures, reporter))


def test_balance_ratio_and_share_from_two_flows():
    out = balance_of(make_figures(("IND", "PER", "export", "2024", "USD", 933), ("IND", "PER", "import", "2024", "USD", 4690)))
    row = out.iloc[0]
    assert list(out.columns[:13]) == [
        "reporter", "partner", "period", "basis", "currency", "exports", "imports", "total", "balance",
        "export_import_ratio", "balance_pct_of_total", "flags", "sources",
    ]  # fmt: skip
    assert (row.exports, row.imports, row.total, row.balance) == (933, 4690, 5623, -3757)
    assert row.export_import_ratio == pytest.approx(0.198933902)  # 933 / 4690
    assert row.balance_pct_of_total == pytest.approx(-66.8148675)  # -3757 / 5623 * 100
    assert row.derivation == "total = exports + imports"
    assert row["flags"] == ""


def test_partner_reported_figures_are_mirrored_and_the_missing_flow_derived():
    # New Zealand reports two-way trade NZ$3,140m and its exports to India NZ$718m.
    figures = make_figures(
        ("NZL", "IND", "total", "2024", "NZD", 3140), ("NZL", "IND", "export", "2024", "NZD", 718, "approximate")
    )
    row = balance_of(figures).iloc[0]
    assert (row.reporter, row.partner) == ("IND", "NZL")
    assert row.imports == 718  # NZ's exports to India are India's imports from NZ
    assert row.exports == 2422  # 3140 - 718
    assert row.balance == 1704  # 2422 - 718
    assert row["flags"] == "approximate;partner-reported;derived"
    assert row.figures == "f3;f2"  # listed exports, imports, total: the export row (f3), then the total (f2)
    assert row.derivation == "exports = total − imports"


def test_from_the_partners_side_the_same_figures_are_its_own():
    figures = make_figures(("NZL", "IND", "total", "2024", "NZD", 3140), ("NZL", "IND", "export", "2024", "NZD", 718))
    row = balance_of(figures, reporter="NZL").iloc[0]
    assert (row.exports, row.imports, row.balance) == (718, 2422, -1704)
    assert "partner-reported" not in row["flags"]


def test_own_figures_win_over_mirrored_ones():
    figures = make_figures(
        ("IND", "NZL", "import", "2024", "USD", 500),
        ("NZL", "IND", "export", "2024", "USD", 430),
        ("IND", "NZL", "export", "2024", "USD", 1),
    )
    row = balance_of(figures).iloc[0]
    assert row.imports == 500
    assert row["flags"] == ""


def test_a_total_that_agrees_is_checked_and_one_that_does_not_is_flagged():
    agree = make_figures(
        ("IND", "LAC", "total", "FY2023-24", "USD", 35730),
        ("IND", "LAC", "export", "FY2023-24", "USD", 14500),
        ("IND", "LAC", "import", "FY2023-24", "USD", 21230),
    )
    row = balance_of(agree).iloc[0]
    assert row.total_check_gap == 0
    assert row.total == 35730
    assert row["flags"] == ""
    disagree = agree.assign(value=[36730.0, 14500.0, 21230.0])
    row = balance_of(disagree).iloc[0]
    assert row.total_check_gap == -1000  # 14500 + 21230 - 36730
    assert row.total == 36730  # the reported total is shown, not replaced
    assert "inconsistent-total" in row["flags"]


def test_zero_imports_give_no_ratio_rather_than_infinity():
    row = balance_of(make_figures(("IND", "PER", "export", "2024", "USD", 10), ("IND", "PER", "import", "2024", "USD", 0))).iloc[
        0
    ]
    assert math.isnan(row.export_import_ratio)
    assert row.balance == 10


def test_a_single_flow_leaves_the_rest_missing():
    row = balance_of(make_figures(("IND", "PER", "export", "2024", "USD", 10))).iloc[0]
    assert row.exports == 10
    assert math.isnan(row.imports)
    assert math.isnan(row.balance)


CHILE = make_figures(
    ("IND", "CHL", "export", "FY2023-24", "USD", 1180, "approximate"),
    ("IND", "CHL", "import", "FY2023-24", "USD", 1510, "approximate"),
    ("IND", "CHL", "export", "FY2024-25", "USD", 1150, "approximate;preliminary"),
    ("IND", "CHL", "import", "FY2024-25", "USD", 2600, "preliminary"),
)


def test_year_on_year_between_consecutive_fiscal_years():
    out = metrics.year_on_year(balance_of(CHILE))
    first, second = out.iloc[0], out.iloc[1]
    assert (first.period, second.period) == ("FY2023-24", "FY2024-25")
    assert math.isnan(first.imports_change)
    assert second.imports_change == 1090  # 2600 - 1510
    assert second.imports_change_pct == pytest.approx(72.18543)  # 1090 / 1510 * 100
    assert second.exports_change == -30
    assert second.exports_change_pct == pytest.approx(-2.542373)  # -30 / 1180 * 100
    assert second.balance == -1450
    assert second.balance_change == -1120  # -1450 - (-330)
    # A widening deficit is a negative change: -1120 / |-330| * 100.
    assert second.balance_change_pct == pytest.approx(-339.393939)
    assert second.previous_period == "FY2023-24"
    assert second["flags"] == "approximate;preliminary"


def test_a_missing_year_is_a_gap_not_a_jump():
    figures = make_figures(("IND", "PER", "export", "2020", "USD", 100), ("IND", "PER", "export", "2022", "USD", 150))
    out = metrics.year_on_year(balance_of(figures))
    assert out["exports_change"].isna().all()
    assert list(out["previous_period"]) == ["", ""]


def test_fiscal_and_calendar_years_never_follow_each_other():
    figures = make_figures(("IND", "PER", "export", "2023", "USD", 100), ("IND", "PER", "export", "FY2024-25", "USD", 150))
    assert metrics.year_on_year(balance_of(figures))["exports_change"].isna().all()


def test_side_by_side_refuses_partners_without_a_shared_basis():
    figures = make_figures(("IND", "PER", "export", "2024", "USD", 1), ("IND", "CHL", "export", "FY2024-25", "USD", 1))
    with pytest.raises(MixedBasisError, match="fiscal year"):
        metrics.side_by_side(balance_of(figures), ["PER", "CHL"])


def test_side_by_side_refuses_different_currencies_and_names_the_option():
    figures = make_figures(("IND", "PER", "export", "2024", "USD", 1), ("NZL", "IND", "export", "2024", "NZD", 1))
    with pytest.raises(MixedBasisError, match="--currency"):
        metrics.side_by_side(balance_of(figures), ["PER", "NZL"])


def test_side_by_side_keeps_only_shared_periods():
    figures = make_figures(
        ("IND", "PER", "export", "2024", "USD", 1),
        ("IND", "PER", "export", "2023", "USD", 2),
        ("IND", "CHL", "export", "2024", "USD", 3),
    )
    out = metrics.side_by_side(balance_of(figures), ["PER", "CHL"])
    assert list(zip(out["partner"], out["period"], strict=True)) == [("PER", "2024"), ("CHL", "2024")]  # in the order asked
    out = metrics.side_by_side(balance_of(figures), ["CHL", "PER"])
    assert list(out["partner"]) == ["CHL", "PER"]


RATES = pd.DataFrame(
    [
        {
            "id": "r1",
            "base": "NZD",
            "quote_currency": "USD",
            "period": "2024",
            "rate": 0.6,
            "status": "approximate",
            "source": "doc.txt",
            "quote": "q",
            "derivation": "",
        }
    ]
)


def test_conversion_uses_the_cited_rate_and_says_so():
    long = metrics.perspective(
        make_figures(("NZL", "IND", "total", "2024", "NZD", 3000), ("NZL", "IND", "export", "2024", "NZD", 1000)), "IND"
    )
    row = metrics.balances(currency.to_currency(long, "USD", RATES)).iloc[0]
    assert row.currency == "USD"
    assert (row.total, row.imports, row.exports) == pytest.approx((1800, 600, 1200))  # x 0.6
    assert "converted" in row["flags"]
    assert "approximate" in row["flags"]  # the rate itself is approximate
    assert "1 NZD = 0.6 USD" in row.fx


def test_inverse_rates_convert_the_other_way():
    long = metrics.perspective(make_figures(("IND", "PER", "export", "2024", "USD", 60)), "IND")
    assert currency.to_currency(long, "NZD", RATES)["value"].iloc[0] == pytest.approx(100)  # 60 / 0.6


def test_a_figure_reported_in_the_target_currency_is_not_converted():
    long = metrics.perspective(
        make_figures(("NZL", "IND", "total", "2024", "NZD", 3000), ("NZL", "IND", "total", "2024", "USD", 1900)), "IND"
    )
    out = currency.to_currency(long, "USD", RATES)
    assert list(out["value"]) == [1900]
    assert list(out["fx"]) == [""]


def test_a_missing_rate_is_an_error_naming_the_period():
    long = metrics.perspective(make_figures(("IND", "PER", "export", "2023", "USD", 60)), "IND")
    with pytest.raises(TradeDataError, match="USD→NZD for 2023"):
        currency.to_currency(long, "NZD", RATES)


def test_a_currency_without_figures_or_rates_is_a_data_error_and_a_non_iso_code_a_usage_error():
    long = metrics.perspective(make_figures(("IND", "PER", "export", "2024", "USD", 60)), "IND")
    with pytest.raises(TradeDataError, match="EUR"):
        currency.to_currency(long, "EUR", RATES)
    with pytest.raises(UsageError, match="QQQ"):
        currency.to_currency(long, "qqq", RATES)


def test_results_too_large_are_an_error_not_infinity():
    figures = make_figures(("IND", "PER", "export", "2024", "USD", 1e308), ("IND", "PER", "import", "2024", "USD", 1e308))
    with pytest.raises(TradeDataError, match="too large"):
        balance_of(figures)


flow_value = st.floats(min_value=0, max_value=1e9, allow_nan=False)


@given(flow_value, flow_value)
def test_balance_is_exports_minus_imports_and_total_their_sum(exports, imports):
    row = balance_of(
        make_figures(("IND", "PER", "export", "2024", "USD", exports), ("IND", "PER", "import", "2024", "USD", imports))
    ).iloc[0]
    # Results are exact to their inputs' decimals (no float noise), so they may differ from plain float
    # arithmetic by what that arithmetic adds: an input's last-place units (here 17-digit floats).
    slack = 2 * math.ulp(max(exports, imports))
    assert row.balance == pytest.approx(exports - imports, rel=0, abs=slack)
    assert row.total == pytest.approx(exports + imports, rel=0, abs=slack)


# Figures as read from a file: up to 10^9 with at most 6 decimals (the flows schema's values are decimal text).
decimal_value = st.builds(lambda n, places: Decimal(n).scaleb(-places), st.integers(0, 10**15), st.integers(0, 6)).filter(
    lambda d: d <= 10**9
)


@given(decimal_value, decimal_value)
def test_sums_and_differences_of_decimal_figures_are_exact(exports, imports):
    """No float noise: 56951.05 never comes out as 56951.0499999999 (issue 13, part 7)."""
    row = balance_of(
        make_figures(
            ("IND", "PER", "export", "2024", "USD", float(exports)), ("IND", "PER", "import", "2024", "USD", float(imports))
        )
    ).iloc[0]
    assert Decimal(repr(float(row.balance))) == exports - imports
    assert Decimal(repr(float(row.total))) == exports + imports


@given(flow_value, flow_value)
def test_a_derived_flow_restores_the_total(total, other):
    row = balance_of(
        make_figures(("IND", "PER", "total", "2024", "USD", total), ("IND", "PER", "import", "2024", "USD", other))
    ).iloc[0]
    assert row.exports + row.imports == pytest.approx(total, abs=1e-9 * max(total, other))
    assert "derived" in row["flags"]


def test_year_on_year_of_converted_figures_names_both_rates():
    rates = pd.concat([RATES, RATES.assign(id="r0", period="2023", rate=0.5)], ignore_index=True)
    long = metrics.perspective(
        make_figures(("NZL", "IND", "export", "2023", "NZD", 1000), ("NZL", "IND", "export", "2024", "NZD", 1000)), "IND"
    )
    out = metrics.year_on_year(metrics.balances(currency.to_currency(long, "USD", rates)))
    assert list(out["imports"]) == pytest.approx([500, 600])  # 1000 × 0.5, then × 0.6
    assert out.loc[1, "imports_change_pct"] == pytest.approx(20)  # 100 / 500 × 100
    assert "r0" in out.loc[1, "fx"]
    assert "r1" in out.loc[1, "fx"]
