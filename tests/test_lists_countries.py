"""Country resolution: ISO codes, UN names, and the variants the lists use."""

from __future__ import annotations

import pytest

from exportguard.countries import country_name, is_alpha2, resolve_country


@pytest.mark.parametrize(("text", "code"), [
    ("Russian Federation", "RU"), ("Russia", "RU"), ("RUS", "RU"), ("ru", "RU"),
    ("Iran (Islamic Republic of)", "IR"), ("Iran", "IR"),
    ("Korea, North", "KP"), ("North Korea", "KP"), ("Democratic People's Republic of Korea", "KP"),
    ("Korea, South", "KR"), ("Burma", "MM"), ("Myanmar", "MM"), ("Syria", "SY"),
    ("Syrian Arab Republic", "SY"), ("Türkiye", "TR"), ("Turkey", "TR"),
    ("Crimea region of Ukraine", "UA"), ("Region: Crimea", "UA"), ("Ukraine", "UA"),
    ("Region: Gaza", "PS"), ("Man, Isle of", "IM"), ("North Macedonia, The Republic of", "MK"),
    ("Democratic Republic of the Congo", "CD"), ("United Republic of Tanzania", "TZ"),
    ("CUBA", "CU"), ("Côte d'Ivoire", "CI"), ("Cote d'Ivoire", "CI"), ("Viet Nam", "VN"),
    ("Российская Федерация", "RU"), ("俄罗斯联邦", "RU"), ("Fédération de Russie", "RU"),
    ("NA", "NA"), ("Namibia", "NA"), ("Tehran, Iran", "IR"), ("United Kingdom", "GB"),
])
def test_resolve(text: str, code: str) -> None:
    assert resolve_country(text) == code


@pytest.mark.parametrize("text", ["", "   ", "undetermined", "Region: Kafia Kingi", "XX", "zz top"])
def test_unresolved(text: str) -> None:
    assert resolve_country(text) is None


def test_names_and_codes() -> None:
    assert country_name("RU") == "Russia"
    assert country_name("kp") == "North Korea"
    assert is_alpha2("UA") and is_alpha2("ua")
    assert not is_alpha2("QQ")
    assert resolve_country(None) is None
