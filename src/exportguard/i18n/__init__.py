"""Texts in the languages exportguard speaks: English (the source) and Chinese.

A text that a user reads is written once, in English, as a template with named
placeholders: ``T("Military item bound for {places}.", places=...)``. The
Chinese catalogue (``zh/*.po``, gettext PO format, msgid = the English template)
gives the translation. A placeholder's value may itself be a :class:`Text`
(rendered in the same language) or a list of them (joined).

Decisions carry every finding's message in both languages
(``Finding.messages``), so a stored screening can be shown in either language
later; ``message`` is the one the caller asked for (English by default).
Keys, rule names and decision words (``DENY`` …) are never translated.
"""

from __future__ import annotations

from exportguard.i18n.catalog import (
    DEFAULT_LANG,
    LANGS,
    T,
    Text,
    gettext,
    lang_from_accept_language,
    lang_from_locale,
    normalize_lang,
    render,
)

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "T",
    "Text",
    "gettext",
    "lang_from_accept_language",
    "lang_from_locale",
    "normalize_lang",
    "render",
]
