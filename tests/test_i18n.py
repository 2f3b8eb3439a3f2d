"""Texts in English and Chinese: the PO reader, language choice, rendering."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from exportguard.i18n import T, lang_from_accept_language, lang_from_locale, render
from exportguard.i18n.catalog import parse_po


def test_po_reader_reads_continued_and_escaped_strings_and_skips_fuzzy() -> None:
    po = '''
msgid ""
msgstr "Language: zh\\n"

msgid "Party {name} "
"matches."
msgstr "当事方 {name} "
"匹配。"

#, fuzzy
msgid "Old"
msgstr "旧"

msgid "Quote \\"x\\""
msgstr "引号 \\"x\\""
'''
    cat = parse_po(po)
    assert cat == {"Party {name} matches.": "当事方 {name} 匹配。", 'Quote "x"': '引号 "x"'}


@given(st.text(min_size=1, max_size=40))
def test_po_reader_round_trips_any_text(s: str) -> None:
    esc = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    esc = esc.replace("\r", "\\r")
    po = f'msgid "{esc}"\nmsgstr "{esc}!"\n'
    assert parse_po(po) == {s: s + "!"}


def test_language_from_header_and_locale() -> None:
    assert lang_from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert lang_from_accept_language("de-DE, en;q=0.5, zh;q=0.7") == "zh"
    assert lang_from_accept_language("fr") == "en"
    assert lang_from_accept_language(None) == "en"
    assert lang_from_locale({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert lang_from_locale({"LC_ALL": "C", "LANG": "en_US.UTF-8"}) == "en"
    assert lang_from_locale({}) == "en"


def test_untranslated_template_falls_back_to_english_with_values() -> None:
    text = T("No such template {x} in the catalogue.", x=[T("a"), "b"])
    assert render(text, "zh") == "No such template a；b in the catalogue."
    assert render(text, "en") == "No such template a; b in the catalogue."
