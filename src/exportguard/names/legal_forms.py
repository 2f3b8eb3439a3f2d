"""Legal forms of organisations (OOO, LLC, GmbH, АО, 有限公司 ...), from rigour's org-type table.

OpenSanctions' ``rigour`` keeps the table of legal forms (aliases in many
scripts, each with a generic form such as ``llc`` or ``jsc``) and matches it
with an Aho-Corasick automaton; it has no accessor for the table itself. So:

- :func:`legal_form_hints` runs rigour's extractor over the name as written
  (case folded and tokenised by rigour, so ``ООО``, ``Общество с ограниченной
  ответственностью``, ``S.A.R.L.`` match in their own script and spelling), over
  the ends of unspaced CJK words (``北京某某科技有限公司`` ends in ``有限公司``) and
  over our ASCII tokens, also against rigour's aliases with their accents folded
  away (``ANONIM SIRKETI`` is ``Anonim Şirketi``). Each matched phrase is
  normalised with our :func:`~exportguard.names.text.normalize` to the tokens it
  becomes in a prepared name and mapped to its generic form.
- :func:`split_legal_forms` takes leading and trailing token windows that are
  one of our own forms (:data:`_EXTRA`, which win), the transliteration of a
  Cyrillic form that ASCII lists write transliterated (:data:`_TRANSLITERATED`:
  ``EOOD``, ``FKP``; rigour's generic) or a hint; a window with a typo in a
  legal-form word ("Limitde") is fixed and looked up in rigour (cached).

So "OOO X", "X LLC" and "Limited Liability Company X" all become name tokens
``x`` plus legal form ``llc``. A form that has no generic in rigour (``AB``,
``Oy``) keeps rigour's compare form.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from rapidfuzz.distance import OSA
from rigour._core import _normalize as rigour_normalize
from rigour._core import extract_org_types

from exportguard.names.text import is_syllabic, normalize

Hints = Mapping[tuple[str, ...], str]


def _words(text: str) -> list[str]:
    return text.split()


MAX_PHRASE = 8
# Aliases that are also ordinary name tokens (or too short to be safe on their own).
_AMBIGUOUS = frozenset(_words(
    "in se ll lt ek eg ev ku ro od pr ed et gp gu dp nc sd up kd nuo sa i e jp cooperation "
    "charity partnership foundation union"
))
# Our own forms: common in list data, or mapped on purpose where rigour differs (ТОО, ГУП,
# Bhd). They win over rigour's.
_EXTRA: dict[tuple[str, ...], str] = {tuple(k.split()): v for k, v in {
    "llc": "llc", "l l c": "llc", "ooo": "llc", "ltd": "llc", "co ltd": "llc",
    "company limited": "llc", "inc": "llc", "corp": "corp", "corporation": "corp",
    "co": "co", "company": "co", "plc": "jsc", "jsc": "jsc", "ojsc": "jsc", "cjsc": "jsc",
    "pjsc": "jsc", "pao": "jsc", "oao": "jsc", "zao": "jsc", "ao": "jsc",
    "joint stock company": "jsc", "open joint stock company": "jsc",
    "closed joint stock company": "jsc", "public joint stock company": "jsc",
    "gmbh": "llc", "fze": "llc", "fzco": "llc", "fzc": "llc", "sarl": "llc", "srl": "llc",
    "bv": "llc", "nv": "jsc", "ag": "jsc", "spa": "jsc", "sdn bhd": "llc", "bhd": "jsc",
    "pte ltd": "llc", "pvt ltd": "llc", "private limited": "llc", "pte": "llc", "pvt": "llc",
    "tov": "llc", "too": "llc", "osoo": "llc", "fgup": "sue", "gup": "sue", "mup": "sue",
    # forms cut short in list data and in documents ("... LIMITED LIABILITY", the
    # last word lost to a field length)
    "limited liability": "llc", "joint stock": "jsc", "open joint stock": "jsc",
    "closed joint stock": "jsc", "public joint stock": "jsc",
}.items()}

# Forms rigour holds in Cyrillic only, which ASCII lists write transliterated: those of
# Russia, Ukraine, Belarus, Kazakhstan and Bulgaria, spelled out or abbreviated in three
# letters or more (two-letter ones are too often words of a name). Our transliteration of
# each is a form too, with rigour's generic form.
_TRANSLITERATED = (
    "НАО", "ОДО", "АКБ", "ФКП", "ФКУ", "ФГУ", "АНО", "НКО",
    "Непубличное акционерное общество", "Общество с дополнительной ответственностью",
    "Федеральное государственное унитарное предприятие",
    "Муниципальное унитарное предприятие", "Федеральное казенное предприятие",
    "Федеральное казенное учреждение", "Федеральное государственное учреждение",
    "Акционерный коммерческий банк", "Коммерческий банк", "Частная военная компания",
    "ЗАТ", "ВАТ", "Товариство з обмеженою відповідальністю", "Акціонерне товариство",
    "Публічне акціонерне товариство", "Приватне акціонерне товариство",
    "Відкрите акціонерне товариство", "Закрите акціонерне товариство",
    "ТАА", "Адкрытае акцыянернае таварыства", "Закрытае акцыянернае таварыства",
    "Товарищество с ограниченной ответственностью",
    "ЕООД", "ЕАД",
)

# rigour builds one automaton per way of normalising its aliases (and the text searched):
# as written, case folded and tokenised (dots gone: "S.A.R.L." is "sarl"), for the name
# as written; and also folded to ASCII letters (accents and punctuation gone:
# "Anonim Şirketi" is "anonim sirketi"), for our ASCII tokens, which list data writes
# without the accents.
# The values of rigour.text.normalize's Normalize and Cleanup (fixed by its Rust core):
# that module is not imported, it brings all of rigour.text (30 MB, 60 ms) along.
_CASEFOLD, _NFKD, _NAME = 4, 32, 64
_NOOP, _STRONG = 0, 1
_WRITTEN = (_CASEFOLD | _NAME, _NOOP)
_FOLDED = (_CASEFOLD | _NFKD | _NAME, _STRONG)
_SEP = " | "  # between probes: no alias holds it, and it is a word boundary
_CJK_PROBE = 12  # longest CJK legal form looked for at either end of a word, in characters


def _usable(key: tuple[str, ...]) -> bool:
    if not key or len(key) > MAX_PHRASE:
        return False
    return not (len(key) == 1 and (key[0] in _AMBIGUOUS or len(key[0]) < 2))


def _generic(target: str) -> str:
    return "".join(normalize(target).split())


def _extract(probe: str, way: tuple[int, int]) -> list[tuple[str, str]]:
    """rigour's forms in ``probe``: ``[(matched, generic or else compare form)]``, generic first.

    rigour's generic table holds the forms that have a generic, its compare table those
    that have a compare or display form: neither holds them all.
    """
    flags, cleanup = way
    return [*extract_org_types(probe, flags, cleanup, True),
            *extract_org_types(probe, flags, cleanup, False)]


def _unspaced(ch: str) -> bool:
    """Scripts written without spaces between words: Han, Hangul, kana."""
    return is_syllabic(ch) or 0x3040 <= ord(ch) <= 0x30FF


def _cjk_ends(words: list[str]) -> list[str]:
    """Leading and trailing pieces of unspaced words: rigour only matches whole words."""
    out: list[str] = []
    for word in dict.fromkeys((words[0], words[-1])):
        if len(word) > 1 and any(_unspaced(ch) for ch in word):
            for k in range(1, min(len(word), _CJK_PROBE + 1)):
                out += (word[:k], word[-k:])
    return out


def _add(hints: dict[tuple[str, ...], str], found: list[tuple[str, str]], folded: bool) -> None:
    for matched, target in found:
        key = tuple(normalize(matched).split())
        if key in hints or not _usable(key):
            continue
        if folded and max(map(len, key)) < 3:
            # folding is for words that lose their accents ("Şirketi"); letters that lose
            # their dots ("K.D.", "OÜ") are then too often initials or words of a name
            continue
        hints[key] = _generic(target)


@lru_cache(maxsize=1)
def _base_table() -> dict[tuple[str, ...], str]:
    """Forms looked up in every name: the transliterations, then ours (which win)."""
    table: dict[tuple[str, ...], str] = {}
    for alias in _TRANSLITERATED:
        written = rigour_normalize(alias, *_WRITTEN) or ""
        generic = next((_generic(t) for m, t in _extract(written, _WRITTEN) if m == written),
                       None)
        key = tuple(normalize(alias).split())
        if generic is not None and _usable(key):  # an alias rigour dropped is left out
            table[key] = generic
    return {**table, **_EXTRA}


def legal_form_hints(raw: str, text: str | None = None) -> dict[tuple[str, ...], str]:
    """The legal forms rigour finds in a name: normalised alias tokens -> generic form.

    ``text`` is ``normalize(raw)`` when the caller has it. Forms anywhere in the
    name are returned; :func:`split_legal_forms` takes only leading and trailing ones.
    """
    if text is None:
        text = normalize(raw)
    written = text
    if not raw.isascii():
        as_written = rigour_normalize(raw, *_WRITTEN) or ""
        words = as_written.split()
        if words:
            written = _SEP.join([as_written, text, *_cjk_ends(words)])
    hints: dict[tuple[str, ...], str] = {}
    # generic forms first (see _extract); most names have none, so no list is built
    for found in (extract_org_types(written, *_WRITTEN, True),
                  extract_org_types(written, *_WRITTEN, False)):
        if found:
            _add(hints, found, folded=False)
    for found in (extract_org_types(text, *_FOLDED, True),
                  extract_org_types(text, *_FOLDED, False)):
        if found:
            _add(hints, found, folded=True)
    return hints


@lru_cache(maxsize=50_000)
def _rigour_form(key: tuple[str, ...]) -> str | None:
    """rigour's generic form of a phrase of ASCII tokens, when the whole phrase is one."""
    if not _usable(key):
        return None
    phrase = " ".join(key)
    found = [*_extract(phrase, _WRITTEN), *_extract(phrase, _FOLDED)]
    return next((_generic(t) for m, t in found if m == phrase), None)


# Words of long legal forms, so that a typo inside one ("Compnay", "Limitde") is still
# recognised; only tokens of 5+ letters, one edit away (transpositions count as one).
_FORM_WORDS = _words(
    "company limited liability joint stock corporation incorporated public private "
    "obshchestvo ogranichennoi ogranichennoy otvetstvennostyu otvetstvennostiu "
    "aktsionernoe aktsionernoye otkrytoe zakrytoe publichnoe"
)


@lru_cache(maxsize=50_000)
def _fix_form_word(token: str) -> str:
    if len(token) < 5 or token in _FORM_WORDS:
        return token
    for word in _FORM_WORDS:
        if abs(len(word) - len(token)) <= 1 and OSA.distance(token, word, score_cutoff=1) <= 1:
            return word
    return token


# Single words forgiven a typo, only as the last word after a name ("Eriner Limitde"):
# long enough that one edit does not turn a real name into them.
_SINGLE_FORM_WORDS = frozenset(_words("company limited corporation incorporated"))
_TYPO_PHRASE = 4  # longest phrase looked at for a typo


@lru_cache(maxsize=1)
def _base_window() -> int:
    """Longest window looked at in a name without hints."""
    return max(_TYPO_PHRASE, *map(len, _base_table()))


@lru_cache(maxsize=1)
def _base_ends() -> tuple[frozenset[str], frozenset[str]]:
    """First and last words of the forms looked up in every name."""
    return frozenset(k[0] for k in _base_table()), frozenset(k[-1] for k in _base_table())


def _lookup(
    base: Hints, hints: Hints, key: tuple[str, ...], fixed: tuple[str, ...],
    trailing: bool = False,
) -> str | None:
    """The generic form of window ``key`` (``fixed``: its words with typos fixed), if any."""
    generic = base.get(key)
    if generic is None and hints:
        generic = hints.get(key)
    if generic is not None or fixed == key:
        return generic
    if 2 <= len(key) <= _TYPO_PHRASE:  # single words: too easily a name
        # rigour's automaton cannot have seen the typo: look the fixed phrase up
        return base.get(fixed) or hints.get(fixed) or _rigour_form(fixed)
    if trailing and len(key) == 1 and len(key[0]) >= 6 and fixed[0] in _SINGLE_FORM_WORDS:
        return base.get(fixed) or hints.get(fixed) or _rigour_form(fixed)
    return None


def split_legal_forms(
    tokens: tuple[str, ...], hints: Hints | None = None
) -> tuple[tuple[str, ...], list[tuple[str, tuple[str, ...]]]]:
    """Split tokens into name tokens and ``[(generic, alias tokens), ...]``.

    ``hints`` are :func:`legal_form_hints` of the name as written (without them,
    those of the tokens themselves: a name in another script then loses its
    forms). rigour's automaton has seen the whole name, so a window that is not
    a hint is no form of rigour's (a window hidden by an overlapping match aside).
    Only leading and trailing legal forms are taken (longest first): a
    legal-form word inside a name ("Bank JP Trading") stays a name token. One
    typo inside a common legal-form word is forgiven ("Compnay" -> "company"),
    and in a lone last word after the name ("Eriner Limitde").
    """
    if hints is None:
        hints = legal_form_hints(" ".join(tokens))
    base = _base_table()  # ours win over rigour's hints
    fixed = tuple(map(_fix_form_word, tokens))
    if tokens and fixed == tokens:  # no typo to forgive: a form must end or start the name
        firsts, lasts = _base_ends()
        if (tokens[-1] not in lasts and tokens[0] not in firsts
                and not any(k[-1] == tokens[-1] or k[0] == tokens[0] for k in hints)):
            return tokens, []
    longest = max(_base_window(), *map(len, hints)) if hints else _base_window()
    found: list[tuple[str, tuple[str, ...]]] = []
    lo, hi = 0, len(tokens)
    progress = True
    while progress and lo < hi:
        progress = False
        for size in range(min(longest, hi - lo), 0, -1):
            # a lone trailing word may carry a typo only while name words remain before it
            generic = _lookup(base, hints, tokens[hi - size : hi], fixed[hi - size : hi],
                              trailing=hi - size > lo)
            if generic is not None:
                found.append((generic, tokens[hi - size : hi]))
                hi -= size
                progress = True
                break
    progress = True
    while progress and lo < hi:
        progress = False
        for size in range(min(longest, hi - lo), 0, -1):
            generic = _lookup(base, hints, tokens[lo : lo + size], fixed[lo : lo + size])
            if generic is not None:
                found.append((generic, tokens[lo : lo + size]))
                lo += size
                progress = True
                break
    return tokens[lo:hi], found
