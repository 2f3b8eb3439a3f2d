"""Disguise detection: the words that cause a mismatch are returned."""

from __future__ import annotations

from exportguard.items.disguise import CIVILIAN_WORDS, MILITARY_WORDS, detect_disguise, find_words


def test_civilian_words_on_military_code() -> None:
    r = detect_disguise("Agricultural spare parts", military_code=True, chpl_code=False)
    assert r is not None
    assert r.kind == "civilian_wording_on_controlled_code"
    assert r.words == ("agricultural", "spare part")
    assert r.code_class == "military"


def test_civilian_words_on_chpl_code() -> None:
    r = detect_disguise("Consumer electronics: toys", military_code=False, chpl_code=True)
    assert r is not None and r.code_class == "chpl" and r.words == ("consumer", "toy")


def test_military_words_on_civilian_code() -> None:
    r = detect_disguise("FPV kamikaze drone with warhead mount", military_code=False,
                        chpl_code=False)
    assert r is not None
    assert r.kind == "military_wording_on_civilian_code"
    assert r.words == ("kamikaze", "warhead")


def test_no_mismatch() -> None:
    assert detect_disguise("Cotton T-shirts", military_code=False, chpl_code=False) is None
    assert detect_disguise("Assault rifles", military_code=True, chpl_code=False) is None
    assert detect_disguise("Microcontrollers", military_code=False, chpl_code=True) is None


def test_negation_and_word_boundaries() -> None:
    assert find_words("non-military use only", MILITARY_WORDS) == []
    assert find_words("not for military use", MILITARY_WORDS) == []
    assert find_words("Armortec coatings", MILITARY_WORDS) == []  # no partial words
    assert find_words("Toys and SPARE-PARTS", CIVILIAN_WORDS) == ["spare part", "toy"]
    assert find_words("military-grade casing", MILITARY_WORDS) == ["military grade"]


def test_the_codes_own_wording_is_not_a_disguise() -> None:
    from exportguard.items.disguise import detect_disguise

    official = "Optical devices, appliances and instruments; n.e.c. in heading no. 9013"
    assert detect_disguise("Optical devices, appliances and instruments", military_code=False,
                           chpl_code=True, code_wording=official) is None
    # a word the code does not use still is
    found = detect_disguise("household optical appliances", military_code=False,
                            chpl_code=True, code_wording=official)
    assert found is not None and found.words == ("household",)
