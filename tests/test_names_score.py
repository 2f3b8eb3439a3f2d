"""Scorer: properties and the matching behaviour the product promises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exportguard.names.score import DEFAULT_THRESHOLD, compare

NAME = st.text(alphabet=st.sampled_from(list("abcdefghijklmnop XYZ-éИв王")), min_size=1,
               max_size=30).filter(lambda s: any(c.isalpha() for c in s))


def test_identical_is_one() -> None:
    assert compare("Bank Melli Iran", "Bank Melli Iran").score == 1.0
    assert compare("Ivan Ivanov", "IVANOV, Ivan").score == 1.0


@settings(max_examples=200, deadline=None)
@given(NAME, NAME)
def test_bounded_and_symmetric(a: str, b: str) -> None:
    try:
        ab = compare(a, b).score
        ba = compare(b, a).score
    except ValueError:
        return
    assert 0.0 <= ab <= 1.0
    assert abs(ab - ba) < 0.05


@pytest.mark.parametrize(("a", "b"), [
    ("Иванов Иван", "Ivanov Ivan"),
    ("ООО Ромашка", "Romashka LLC"),
    ("王杰", "Wang Jie"),
    ("فيصل صديقي", "Faisal Siddiqui"),
    ("ВАСИЛЬЕВ, Александр Павлович", "Alexander Pavlovich Vasiliev"),
    ("Ivan Ivanov", "Ivan Petrovich Ivanov"),  # dropped middle name
    ("Osama bin Laden", "Laden, Osama bin"),  # word order
    ("John Smith", "John Smyth"),  # typo
    ("SchummPLC", "Schumm PLC"),  # glued words
    ("Al Qaida", "Alqaida"),
    ("Usama bin Ladin", "Osama bin Laden"),
    ("ERINER LIMITDE", "Eriner Limited"),  # a typo in a trailing legal form
    # a legal form cut short ("... LIMITED LIABILITY", its last word lost)
    ("LADOGA SHIPPING COMPANY LIMITED LIABILITY", "Ladoga Shipping Company LLC"),
])
def test_matches(a: str, b: str) -> None:
    res = compare(a, b)
    assert res.match, (a, b, res)


@pytest.mark.parametrize(("a", "b"), [
    ("Ali", "Ali Hassan"),  # one shared word is not a match
    ("Ali", "Abu Ali"),
    ("Kim Jong Un", "Kim Song Hun"),
    ("Vessel 1", "Vessel 2"),  # numbers must agree
    ("John Smith", "Jane Doe"),
    # a company has no middle names: an extra word in the middle is another company
    ("Dubai Electronics Trading FZE", "Dubai Trading Company"),
])
def test_non_matches(a: str, b: str) -> None:
    assert not compare(a, b).match, compare(a, b)


def test_legal_form_is_small_penalty() -> None:
    with_form = compare("Romashka", "Romashka LLC")
    assert with_form.match and 0.95 <= with_form.score < 1.0
    assert any(f.name == "legal_form" for f in with_form.features)


def test_explanation() -> None:
    res = compare("Ivanov Ivan", "Ivan Petrovich Ivanov", type="person")
    names = [f.name for f in res.features]
    assert names[:2] == ["token_alignment", "coverage"]
    assert ("ivanov", "ivanov", 1.0) in res.aligned
    assert res.score >= DEFAULT_THRESHOLD


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x01", "!!!"])
def test_empty_is_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        compare(bad, "Ivan")


def test_long_and_mixed_input() -> None:
    res = compare("A" * 10_000, "Ivan Иванов 王 ✓")
    assert 0.0 <= res.score <= 1.0
