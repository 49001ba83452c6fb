import pytest

from tradecli import partners
from tradecli.errors import UnknownPartnerError


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("peru", "PER"),
        ("PERU", "PER"),
        ("per", "PER"),
        ("nz", "NZL"),
        ("New Zealand", "NZL"),
        ("new-zealand", "NZL"),
        ("lac", "LAC"),
        ("latin america", "LAC"),
        ("Latin America & Caribbean", "LAC"),
        ("  chile ", "CHL"),
    ],
)
def test_resolve_accepts_names_codes_and_aliases(text, code):
    assert partners.resolve(text) == code


def test_unknown_partner_suggests_the_closest_name():
    with pytest.raises(UnknownPartnerError, match="did you mean 'peru'"):
        partners.resolve("peur")


def test_unknown_partner_without_a_close_match_points_to_partners():
    with pytest.raises(UnknownPartnerError, match="tradecli partners") as info:
        partners.resolve("zzzzzz")
    assert "did you mean" not in str(info.value)


def test_every_iso_country_resolves_by_name_and_code():
    assert partners.resolve("brazil") == "BRA"
    assert partners.resolve("south korea") == partners.resolve("Korea, Republic of") == "KOR"
    assert partners.resolve("br") == "BRA"


def test_codes_only_in_the_data_resolve():
    assert partners.resolve("xkx", known={"XKX"}) == "XKX"


def test_completions_offer_shell_safe_spellings():
    offered = dict(partners.completions("new"))
    assert offered["new-zealand"] == "New Zealand"
    assert all(spelling.startswith("new") for spelling in offered)
    assert "peru" in dict(partners.completions("PE"))
    assert all(" " not in spelling for spelling, _ in partners.completions(""))


def test_display_falls_back_to_the_code():
    assert partners.display("CHL") == "Chile"
    assert partners.display("XYZ") == "XYZ"


# The names people type for India's large partners (issue 12), each with its ISO 3166-1 alpha-3
# code as the ISO 3166 Maintenance Agency lists it; the bundled table knows none of these spellings.
COMMON_NAMES = [
    ("uae", "ARE"),
    ("UAE", "ARE"),
    ("uk", "GBR"),
    ("britain", "GBR"),
    ("great britain", "GBR"),
    ("russia", "RUS"),
    ("turkey", "TUR"),
    ("türkiye", "TUR"),
    ("holland", "NLD"),
    ("burma", "MMR"),
    ("korea", "KOR"),
    ("south korea", "KOR"),
    ("north korea", "PRK"),
    ("prc", "CHN"),
    ("ivory coast", "CIV"),
    ("czech republic", "CZE"),
    ("swaziland", "SWZ"),
    ("usa", "USA"),
    ("macedonia", "MKD"),
    ("east timor", "TLS"),
]


@pytest.mark.parametrize(("text", "code"), COMMON_NAMES)
def test_common_names_resolve(text, code):
    assert partners.resolve(text) == code


@pytest.mark.parametrize("text", ["america", "kiwi", "zealand", "korea and japan", "xyz"])
def test_no_unlikely_suggestion(text):
    with pytest.raises(UnknownPartnerError) as info:
        partners.resolve(text)
    assert "did you mean" not in str(info.value)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("peur", "peru"), ("inida", "india"), ("germny", "germany"), ("untied states", "united-states"),
     ("phillipines", "philippines")],
)  # fmt: skip
def test_a_typing_slip_gets_the_right_suggestion(typed, meant):
    with pytest.raises(UnknownPartnerError, match=f"did you mean '{meant}'"):
        partners.resolve(typed)


def test_without_the_name_library_bundled_names_still_resolve(monkeypatch):
    monkeypatch.setattr(partners, "_library_patterns", lambda: None)
    assert partners.resolve("peru") == "PER"
    with pytest.raises(UnknownPartnerError):
        partners.resolve("uae")
