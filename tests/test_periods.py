import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecli import periods
from tradecli.errors import UsageError


@pytest.mark.parametrize(
    ("label", "basis", "year"),
    [("2024", "calendar", 2024), ("FY2023-24", "fiscal-apr-mar", 2023), ("FY1999-00", "fiscal-apr-mar", 1999)],
)
def test_parse_canonical_labels(label, basis, year):
    period = periods.parse(label)
    assert (period.basis, period.year, period.label) == (basis, year, label)


def test_user_input_may_be_lower_case():
    assert periods.parse("fy2023-24").label == "FY2023-24"
    assert periods.try_parse("fy2023-24") is None  # data files use the canonical label


@pytest.mark.parametrize("label", ["2023-24", "FY2023-25", "FY 2023-24", "24", "FY2023-2024", "", "2024.0"])
def test_non_canonical_labels_are_refused(label):
    with pytest.raises(UsageError, match="period"):
        periods.parse(label)


def test_hint_suggests_both_bases_for_a_bare_range():
    assert "FY2023-24" in periods.hint("2023-24")
    assert "'2023'" in periods.hint("2023-24")


def test_previous_stays_on_its_basis():
    assert periods.parse("FY2024-25").previous().label == "FY2023-24"
    assert periods.parse("2024").previous().label == "2023"
    assert periods.parse("FY2000-01").previous().label == "FY1999-00"


@given(st.sampled_from(periods.BASES), st.integers(min_value=1000, max_value=9998))
def test_labels_round_trip(basis, year):
    period = periods.make(basis, year)
    assert periods.parse(period.label) == period
    assert period.next().previous() == period
