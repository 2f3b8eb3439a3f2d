"""The message catalogue: English templates, Chinese translations read from ``zh/*.po``.

One PO file per area (``zh/rules.po``, ``zh/web.po`` …), merged in name order.

The PO file is read with a small reader of the gettext PO format (``msgid`` /
``msgstr`` with C-style escapes and continued lines); no compile step, so the
catalogue a translator edits is the one the program reads. A template with no
translation falls back to English (``tests/test_i18n.py`` requires that every
template used by the shipped rules and pages has one).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

LANGS: tuple[str, ...] = ("en", "zh")
DEFAULT_LANG = "en"


@dataclass(frozen=True, slots=True)
class Text:
    """A template with named placeholders, rendered in a language on demand."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str = DEFAULT_LANG) -> str:
        return render(self, lang)

    def __str__(self) -> str:
        return self.render(DEFAULT_LANG)


def T(template: str, **params: Any) -> Text:
    """Mark ``template`` for translation; ``params`` fill its ``{placeholders}``."""
    return Text(template, params)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a",
            "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE_RE = re.compile(r'\\(.)', re.DOTALL)


def _unquote(s: str) -> str:
    """The text of one quoted PO string (C escapes resolved)."""
    s = s.strip()
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        raise ValueError(f"not a quoted PO string: {s[:40]!r}")
    return _ESCAPE_RE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), s[1:-1])


def parse_po(text: str) -> dict[str, str]:
    """``{msgid: msgstr}`` of a PO file's translated entries (fuzzy entries skipped)."""
    out: dict[str, str] = {}
    msgid: list[str] = []
    msgstr: list[str] = []
    target: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal fuzzy
        mid, mstr = "".join(msgid), "".join(msgstr)
        if mid and mstr and not fuzzy:
            out[mid] = mstr
        msgid.clear()
        msgstr.clear()
        fuzzy = False

    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if msgstr:
                flush()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith("msgid "):
            if msgstr:
                flush()
            msgid.append(_unquote(line[6:]))
            target = msgid
        elif line.startswith("msgstr "):
            msgstr.append(_unquote(line[7:]))
            target = msgstr
        elif line.startswith('"') and target is not None:
            target.append(_unquote(line))
    flush()
    return out


@cache
def catalogue(lang: str) -> dict[str, str]:
    if lang == DEFAULT_LANG:
        return {}
    folder = resources.files("exportguard.i18n").joinpath(lang)
    merged: dict[str, str] = {}
    if not folder.is_dir():
        return merged
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".po"):
            merged.update(parse_po(entry.read_text("utf-8")))
    return merged


def normalize_lang(lang: str | None) -> str:
    """``"zh"`` for zh, zh-CN, zh_Hans…; ``"en"`` for anything else we do not speak."""
    if not lang:
        return DEFAULT_LANG
    base = lang.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGS else DEFAULT_LANG


def lang_from_locale(env: dict[str, str] | None = None) -> str:
    """The language of the user's locale (LC_ALL, LC_MESSAGES, LANG), English if unknown."""
    env = dict(os.environ) if env is None else env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value and value not in ("C", "POSIX"):
            return normalize_lang(value.split(".")[0])
    return DEFAULT_LANG


def lang_from_accept_language(header: str | None) -> str:
    """The first language of an ``Accept-Language`` header we speak, by q-value."""
    if not header:
        return DEFAULT_LANG
    ranked: list[tuple[float, int, str]] = []
    for pos, part in enumerate(header.split(",")):
        bits = part.strip().split(";")
        tag = bits[0].strip()
        q = 1.0
        for b in bits[1:]:
            b = b.strip()
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if tag and q > 0:
            ranked.append((-q, pos, tag))
    for _, _, tag in sorted(ranked):
        if tag == "*":
            return DEFAULT_LANG
        base = tag.replace("_", "-").split("-")[0].lower()
        if base in LANGS:
            return base
    return DEFAULT_LANG


def gettext(template: str, lang: str = DEFAULT_LANG) -> str:
    """The translation of an English template (the template itself if there is none)."""
    return catalogue(normalize_lang(lang)).get(template, template)


def _value(v: Any, lang: str) -> Any:
    if isinstance(v, Text):
        return render(v, lang)
    if isinstance(v, list | tuple):
        sep = "；" if lang == "zh" else "; "
        return sep.join(str(_value(x, lang)) for x in v)
    return v


def render(text: Text | str, lang: str = DEFAULT_LANG) -> str:
    """``text`` in ``lang``: the translated template with its placeholders filled."""
    if isinstance(text, str):
        return gettext(text, lang) if lang != DEFAULT_LANG else text
    template = gettext(text.template, lang)
    values = {k: _value(v, lang) for k, v in text.params.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        # A broken translation must not lose the message: fall back to English.
        return text.template.format(**{k: _value(v, DEFAULT_LANG)
                                       for k, v in text.params.items()})
