"""Arabic-script names against Latin spellings (consonant skeletons), and middle names."""

from __future__ import annotations

import pytest

from exportguard.lists.model import Entity, EntityType
from exportguard.names.abjad import abjad_keys, is_arabic_script
from exportguard.names.index import NameIndex
from exportguard.names.normalize import prepare
from exportguard.names.score import compare, feature_abjad


@pytest.mark.parametrize("name", [
    "Abd al-Rahman", "Abdul Rahman", "Abdurrahman", "ABD AL RAHMAN", "عبد الرحمن",
])
def test_abd_forms_share_one_key(name: str) -> None:
    assert prepare(name, "person").abjad == ("bdrmn",)


def test_din_and_allah_join_the_previous_part() -> None:
    assert prepare("Salah al-Din", "person").abjad == prepare("Salahuddin", "person").abjad
    assert prepare("صلاح الدين", "person").abjad == prepare("Salahuddin", "person").abjad
    assert prepare("رحمت الله", "person").abjad == prepare("Rahmatullah", "person").abjad


def test_romanisation_equivalences() -> None:
    assert abjad_keys(("mohammed", "qasim")) == abjad_keys(("muhamad", "kassem"))
    assert abjad_keys(("fadhil",)) == abjad_keys(("fazil",)) == abjad_keys(("fadil",))
    assert abjad_keys(("sadegh",)) == abjad_keys(("sadiq",))
    assert is_arabic_script("علي حسن") and not is_arabic_script("Ali Hassan")


@pytest.mark.parametrize(("arabic", "latin"), [
    ("علي حسن المجيد التكريتي", "ALI HASSAN AL-MAJID AL-TIKRITI"),
    ("عبد اللطيف منصور", "ABDUL LATIF MANSUR"),
    ("محمد حمزة زبيدي", "MUHAMMAD HAMZA ZUBAIDI"),
    ("انور ناصر عبدالله العولقي", "ANWAR NASSER ABDULLA AL-AULAQI"),
    ("سردار سید صادق حسینی", "Sardar Seyed Sadegh HOSSEINI"),
])
def test_arabic_script_meets_latin(arabic: str, latin: str) -> None:
    res = compare(arabic, latin, type="person")
    assert res.match, res
    assert any(f.name == "abjad_skeleton" for f in res.features)
    assert compare(latin, arabic, type="person").score == res.score


def test_skeleton_never_used_between_latin_names() -> None:
    a, b = prepare("Hamid Nasr", "person"), prepare("Hmd Nasir", "person")
    assert a.abjad == b.abjad and feature_abjad(a, b) == 0.0
    assert not compare("Ali Hassan", "Ala Husni", type="person").match


def test_arabic_names_with_different_consonants_do_not_match() -> None:
    assert not compare("علي حسن", "Omar Khalid", type="person").match
    assert not compare("محمد زاهد", "Mohammad Hejazi", type="person").match


def test_index_finds_latin_entity_from_arabic_query() -> None:
    idx = NameIndex.build([
        Entity(id="t:1", list="t", source_id="1", type=EntityType.PERSON,
               name="AL-TIKRITI, Ali Hassan al-Majid"),
        Entity(id="t:2", list="t", source_id="2", type=EntityType.PERSON, name="Ali Hassan"),
        Entity(id="t:3", list="t", source_id="3", type=EntityType.PERSON,
               name="MANSUR, Abdul Latif"),
    ])
    assert idx.search("علي حسن المجيد التكريتي")[0].entity_id == "t:1"
    assert idx.search("عبد اللطيف منصور")[0].entity_id == "t:3"


@pytest.mark.parametrize(("short", "full"), [
    ("Murat Khapsirokov", "Murat Krym-Gerievich KHAPSIROKOV"),  # two middle words
    ("Abdul Takhari", "ABDUL RAQIB TAKHARI"),  # a particle first name
    ("Ivan Ivanov", "IVANOV, Ivan Petrovich"),
])
def test_dropped_middle_names(short: str, full: str) -> None:
    assert compare(short, full, type="person").match


@pytest.mark.parametrize(("short", "full"), [
    ("Ali", "Ali Hassan"),  # one word in common
    ("Raqib Takhari", "Abdul Raqib Ahmad Khan"),  # last name missing
    ("Ivan Sidorov", "Ivan Petrovich Ivanov"),
    ("Jing Li", "Li Song Jin"),  # a fuzzy pair (jing ~ jin) is not enough
])
def test_not_a_dropped_middle_name(short: str, full: str) -> None:
    assert not compare(short, full, type="person").match


@pytest.mark.parametrize(("a", "b"), [
    ("倪高彬", "Gaobin NI"),  # pinyin writes the given name as one word
    ("赵光宗", "ZHAO, Guangzong"),
    ("Yasin Abdul Rahman", "Abdulrahman YASIN"),  # word order differs from the glued form
])
def test_split_words_meet_glued_words(a: str, b: str) -> None:
    res = compare(a, b, type="person")
    assert res.score == 1.0 and any(f.name == "glued_words" for f in res.features), res
    assert compare(b, a, type="person").score == 1.0


def test_glueing_needs_an_exact_word() -> None:
    assert not compare("Gao Bin", "Gaobing Ni", type="person").match
