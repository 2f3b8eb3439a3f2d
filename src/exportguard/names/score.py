"""Pairwise name scoring: ``compare(a, b)`` and the scorer the index uses.

The score is built from small named features, each reported in the
explanation:

- ``token_similarity``: per token pair, the best of edit similarity (Levenshtein with
  transpositions, OSA),
  phonetic equality (Metaphone, or the consonant skeleton when one side is a
  vowelless transliteration; worth :data:`PHONETIC_SIM`), a 0.9 factor when the
  first letters differ and initials (``J`` ~ ``John``, worth
  :data:`INITIAL_SIM`); tokens with digits must be equal; below
  :data:`TOKEN_FLOOR` a pair does not align.
- ``token_alignment``: the best one-to-one assignment of query tokens to
  candidate tokens (greedy on similarity, so word order is free); its value is
  the weighted mean similarity of the aligned pairs. Token weights: ordinary
  1.0, common organisation words 0.5, initials 0.5, particles (al, bin, de, ...)
  0.25.
- ``coverage``: the share of weight that aligned. Unaligned tokens count in
  full (as weight 1.0 each when fewer than two distinctive tokens aligned
  strongly), except that once two distinctive tokens aligned strongly the first
  unaligned token (a dropped middle name) counts :data:`EXTRA_TOKEN_FIRST`
  (:data:`EXTRA_TOKEN_FIRST_FUZZY` if an aligned pair is not exact) and later
  ones :data:`EXTRA_TOKEN_MORE`. So "Ali" does not match "Ali Hassan"
  (0.67) while "Ivan Ivanov" matches "Ivan Petrovich Ivanov" (0.93).
- ``concatenation``: the names with spaces removed, compared whole, catches
  glued or split words ("SchummPLC", "Al Qaida" / "Alqaida") and symbols
  inside words; counts from :data:`CONCAT_MIN` (0.8 when both have 10+
  letters) and is used when it beats the alignment.
- ``number_mismatch``: both names carry numbers and they differ
  (:data:`NUMBER_MISMATCH`); unaligned numbers also always count in full.
- ``legal_form``: a small penalty when legal forms differ (one side only:
  :data:`LEGAL_ONE_SIDED`; both, different: :data:`LEGAL_DIFFERENT`).

``score = max(token_alignment * coverage, concatenation) - legal_form -
number_mismatch``, clipped to [0, 1].

:data:`DEFAULT_THRESHOLD` (0.80) is the one value meaning "worth a human look":
it lets through one typo in a two-word name, a dropped middle name, swapped
words, transliteration variants and legal-form changes, and rejects names that
share only one word with the candidate.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

from rapidfuzz.distance import OSA, Levenshtein

from exportguard.names.model import CompareResult, Feature
from exportguard.names.normalize import WEIGHT_NORMAL, PreparedName, prepare, token_weight
from exportguard.names.phonetic import phonetic_keys

DEFAULT_THRESHOLD = 0.80

TOKEN_FLOOR = 0.7
PHONETIC_SIM = 0.85
INITIAL_SIM = 0.8
EXTRA_TOKEN_FIRST = 0.3
EXTRA_TOKEN_FIRST_FUZZY = 0.7
EXTRA_TOKEN_MORE = 0.85
FIRST_LETTER_FACTOR = 0.9
LEGAL_ONE_SIDED = 0.02
LEGAL_DIFFERENT = 0.05
NUMBER_MISMATCH = 0.2
CONCAT_MIN = 0.85  # glued-word comparison only counts from this similarity up...
CONCAT_MIN_LONG = 0.8  # ...or this one when both names have 10+ letters
ABJAD_FACTOR = 0.92  # consonant-skeleton agreement across scripts is never an exact match
ABJAD_NEAR = 0.8  # skeletons of 4+ consonants one edit apart

ENTITY_KINDS = ("person", "organization", "vessel", "aircraft")
# names of these kinds have no middle names: a word missing in the middle is a different
# company or ship ("Dubai Electronics Trading" is not "Dubai Trading")
NON_PERSON_KINDS = frozenset(ENTITY_KINDS[1:])


def kind_of(type_: object) -> str:
    """``"person"``, ``"organization"``, ... or ``"any"`` from a str or EntityType."""
    value = str(getattr(type_, "value", type_) or "any").lower()
    return value if value in ENTITY_KINDS else "any"


_VOWELS = frozenset("aeiou")


def _vowelless(token: str) -> bool:
    return len(token) >= 3 and _VOWELS.isdisjoint(token)


@lru_cache(maxsize=300_000)
def token_similarity(a: str, b: str) -> float:
    """Similarity of two normalised tokens in [0, 1]; 0 below :data:`TOKEN_FLOOR`."""
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return INITIAL_SIM if a[0] == b[0] else 0.0
    if not (a.isalpha() and b.isalpha()):
        return 0.0
    sim = OSA.normalized_similarity(a, b)  # Levenshtein plus adjacent transpositions
    if a[0] != b[0]:
        sim *= FIRST_LETTER_FACTOR  # "yang" is not "kang": typos rarely hit the first letter
    if sim < PHONETIC_SIM:
        ka, kb = phonetic_keys(a), phonetic_keys(b)
        meta_eq = bool(ka[0]) and ka[0] == kb[0]
        skel_eq = bool(ka[1]) and ka[1] == kb[1]
        # consonant skeletons only speak for vowelless (abjad) transliterations such as
        # "mhmd" ~ "mohammed"; Latin pairs like "jing" ~ "zhihong" share them by chance
        if (meta_eq and (len(ka[0]) >= 3 or skel_eq)) or (
            skel_eq and (_vowelless(a) or _vowelless(b))
        ):
            sim = PHONETIC_SIM
    return sim if sim >= TOKEN_FLOOR else 0.0


TokenSims = list[dict[str, float]]


def feature_token_alignment(
    q: PreparedName, c: PreparedName, sims: TokenSims | None = None
) -> list[tuple[int, int, float]]:
    """Greedy best one-to-one alignment ``[(query idx, candidate idx, sim), ...]``.

    ``sims`` (from the index) gives, per query token, the similarity of every
    vocabulary token it can align with; other pairs count 0 except initials.
    """
    pairs = []
    for i, qt in enumerate(q.tokens):
        known = sims[i] if sims is not None else None
        for j, ct in enumerate(c.tokens):
            if known is None or len(qt) == 1 or len(ct) == 1:
                s = token_similarity(qt, ct)
            else:
                s = known.get(ct, 0.0)
            if s > 0.0:
                pairs.append((s * (q.weights[i] + c.weights[j]), s, i, j))
    return _greedy(pairs)


def _greedy(pairs: list[tuple[float, float, int, int]]) -> list[tuple[int, int, float]]:
    """One-to-one assignment from ``(priority, sim, i, j)`` candidates, best first."""
    pairs.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    out = []
    for _, s, i, j in pairs:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        out.append((i, j, s))
    return out


def _may_be_person(p: PreparedName) -> bool:
    """Neither typed nor shaped (legal form) as an organisation, vessel or aircraft."""
    return p.kind not in NON_PERSON_KINDS and not p.legal


def _only_middle_missing(extra_short: list[int], used_long: set[int], n_long: int) -> bool:
    """The shorter name aligned entirely, and the longer one's first and last words."""
    return not extra_short and n_long >= 3 and 0 in used_long and (n_long - 1) in used_long


def feature_coverage(
    q: PreparedName, c: PreparedName, aligned: list[tuple[int, int, float]]
) -> tuple[float, float, float]:
    """``(matched weight, effective unmatched weight, mean sim)`` of an alignment."""
    matched_w = 0.0
    sim_w = 0.0
    strong = 0
    weakest = 1.0
    for i, j, s in aligned:
        w = q.weights[i] + c.weights[j]
        matched_w += w
        sim_w += s * w
        if s >= 0.8 and q.weights[i] >= WEIGHT_NORMAL and c.weights[j] >= WEIGHT_NORMAL:
            strong += 1
            weakest = min(weakest, s)
    used_q = {i for i, _, _ in aligned}
    used_c = {j for _, j, _ in aligned}
    extra_q = [i for i in range(len(q.tokens)) if i not in used_q]
    extra_c = [j for j in range(len(c.tokens)) if j not in used_c]
    # numbers that do not align are never a "dropped middle name"
    numbers = sum(1.0 for i in extra_q if not q.tokens[i].isalpha()) + sum(
        1.0 for j in extra_c if not c.tokens[j].isalpha())
    extra = sorted(
        [q.weights[i] for i in extra_q if q.tokens[i].isalpha()]
        + [c.weights[j] for j in extra_c if c.tokens[j].isalpha()],
        reverse=True,
    )
    first = EXTRA_TOKEN_FIRST if weakest >= 0.95 else EXTRA_TOKEN_FIRST_FUZZY
    least = min((x[2] for x in aligned), default=0.0)
    if extra and strong >= 1 and least >= 0.8 and len(aligned) >= 2 and not numbers and (
        _may_be_person(q) and _may_be_person(c)) and (
        _only_middle_missing(extra_q, used_c, len(c.tokens))
        or _only_middle_missing(extra_c, used_q, len(q.tokens))
    ):
        # every word of one name is in the other, whose first and last words are among
        # them (each pair at least 0.8): the other words are middle names (patronymics,
        # second given names), which lists give and screened documents drop; each costs
        # a little, however many
        unmatched = (EXTRA_TOKEN_FIRST if least >= 0.95 else EXTRA_TOKEN_FIRST_FUZZY) * sum(
            extra)
    elif strong >= 2 and extra:
        # a dropped middle name is cheap only when the words that are there agree exactly
        unmatched = numbers + first * extra[0] + EXTRA_TOKEN_MORE * sum(extra[1:])
    elif strong >= 2:
        unmatched = numbers
    else:
        # one distinctive word in common is not a name match: every extra word counts fully
        unmatched = numbers + float(len(extra))
    mean = sim_w / matched_w if matched_w else 0.0
    return matched_w, unmatched, mean


def feature_concatenation(q: PreparedName, c: PreparedName) -> float:
    a, b = q.joined, c.joined
    short = min(len(a), len(b))
    if short < 6:
        return 0.0
    floor = CONCAT_MIN_LONG if short >= 10 else CONCAT_MIN
    sim = Levenshtein.normalized_similarity(a, b, score_cutoff=floor)
    return sim if sim >= floor else 0.0


def _abjad_name(keys: tuple[str, ...], kind: str) -> PreparedName:
    # a one-consonant key ("l" for Ali) is weak evidence: weighted like an initial
    return PreparedName("", "", keys, (), (), tuple(0.5 if len(k) < 2 else 1.0 for k in keys),
                        (), "", kind=kind)


def _abjad_sim(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if min(len(a), len(b)) >= 4 and OSA.distance(a, b, score_cutoff=1) <= 1:
        return ABJAD_NEAR
    return 0.0


def feature_abjad(q: PreparedName, c: PreparedName) -> float:
    """Consonant skeletons aligned, only when exactly one name is in Arabic script.

    Arabic is written without short vowels, so an Arabic-script name and its
    Latin spelling share their consonants only (see ``abjad.py``); the value is
    the alignment of the per-part keys times coverage, times
    :data:`ABJAD_FACTOR`, with the same dropped-middle-name rule as tokens.
    """
    if q.arabic == c.arabic or not q.abjad or not c.abjad:
        return 0.0
    qa, ca = _abjad_name(q.abjad, q.kind), _abjad_name(c.abjad, c.kind)
    pairs = []
    for i, a in enumerate(qa.tokens):
        for j, b in enumerate(ca.tokens):
            s = _abjad_sim(a, b)
            if s > 0.0:
                pairs.append((s * (qa.weights[i] + ca.weights[j]), s, i, j))
    if not pairs:
        return 0.0
    aligned = _greedy(pairs)
    matched_w, unmatched, mean = feature_coverage(qa, ca, aligned)
    return ABJAD_FACTOR * mean * matched_w / (matched_w + unmatched) if matched_w else 0.0


def feature_number_mismatch(q: PreparedName, c: PreparedName) -> float:
    """Both names carry numbers and they differ: "SEA STAR 1" is not "SEA STAR 2"."""
    qn = {t for t in q.tokens if not t.isalpha()}
    cn = {t for t in c.tokens if not t.isalpha()}
    return NUMBER_MISMATCH if qn and cn and qn != cn else 0.0


def feature_legal_form(q: PreparedName, c: PreparedName) -> float:
    if not q.legal and not c.legal:
        return 0.0
    if not q.legal or not c.legal:
        return LEGAL_ONE_SIDED
    return 0.0 if set(q.legal) & set(c.legal) else LEGAL_DIFFERENT


def _glue(a: PreparedName, other: PreparedName) -> PreparedName | None:
    """``a`` with adjacent words glued where ``other`` writes them as one word.

    Pinyin writes a Chinese given name as one word (倪高彬 is ``ni gao bin``,
    the list ``Gaobin NI``), and names are glued or split in any script
    (``Abdul Rahman`` / ``Abdulrahman``). Only exact concatenations whose parts
    do not occur on their own in ``other`` are glued; ``None`` when there is none.
    """
    toks = a.tokens
    if len(toks) < 2:
        return None
    other_set = set(other.tokens)
    if other_set.isdisjoint([x + y for x, y in pairwise(toks)]):
        return None
    out: list[str] = []
    i = 0
    changed = False
    while i < len(toks):
        if (i + 1 < len(toks) and toks[i].isalpha() and toks[i + 1].isalpha()
                and toks[i] + toks[i + 1] in other_set
                and toks[i] not in other_set and toks[i + 1] not in other_set):
            out.append(toks[i] + toks[i + 1])
            i += 2
            changed = True
        else:
            out.append(toks[i])
            i += 1
    if not changed:
        return None
    tokens = tuple(out)
    return PreparedName(a.original, a.text, tokens, a.legal, a.legal_raw,
                        tuple(token_weight(t) for t in tokens),
                        tuple(phonetic_keys(t) for t in tokens), a.joined, a.abjad, a.arabic,
                        a.kind)


def glued_variants(
    q: PreparedName, c: PreparedName, sims: TokenSims | None
) -> list[tuple[PreparedName, PreparedName, TokenSims | None]]:
    """The pair as given, plus the pair with split words glued (see :func:`_glue`)."""
    out: list[tuple[PreparedName, PreparedName, TokenSims | None]] = [(q, c, sims)]
    gq = _glue(q, c)
    gc = _glue(c, q)
    if gq is not None or gc is not None:
        out.append((gq or q, gc or c, None))
    return out


def score_prepared(q: PreparedName, c: PreparedName, sims: TokenSims | None = None) -> float:
    """The score alone (the index's hot path)."""
    score = _score_one(q, c, sims)
    if score < 1.0 and len(q.tokens) + len(c.tokens) > 2:
        for v in glued_variants(q, c, sims)[1:]:
            score = max(score, _score_one(*v))
    return score


def _score_one(q: PreparedName, c: PreparedName, sims: TokenSims | None) -> float:
    aligned = feature_token_alignment(q, c, sims)
    matched_w, unmatched, mean = feature_coverage(q, c, aligned)
    align = mean * matched_w / (matched_w + unmatched) if matched_w else 0.0
    concat = feature_concatenation(q, c) if align < 0.99 else 0.0
    abjad = feature_abjad(q, c) if q.arabic != c.arabic else 0.0
    penalty = feature_legal_form(q, c) + feature_number_mismatch(q, c)
    return max(0.0, min(1.0, max(align, concat, abjad) - penalty))


def explain_prepared(
    q: PreparedName, c: PreparedName, threshold: float = DEFAULT_THRESHOLD,
    sims: TokenSims | None = None,
) -> CompareResult:
    """The score with its features and aligned token pairs."""
    variants = glued_variants(q, c, sims)
    glued = False
    if len(variants) > 1 and _score_one(*variants[1]) > _score_one(*variants[0]):
        q, c, sims = variants[1]
        glued = True
    aligned = feature_token_alignment(q, c, sims)
    matched_w, unmatched, mean = feature_coverage(q, c, aligned)
    coverage = matched_w / (matched_w + unmatched) if matched_w else 0.0
    align = mean * coverage
    concat = feature_concatenation(q, c) if align < 0.99 else 0.0
    abjad = feature_abjad(q, c) if q.arabic != c.arabic else 0.0
    legal = feature_legal_form(q, c)
    numbers = feature_number_mismatch(q, c)
    score = max(0.0, min(1.0, max(align, concat, abjad) - legal - numbers))
    n_phon = sum(
        1 for i, j, s in aligned
        if s == PHONETIC_SIM and Levenshtein.normalized_similarity(q.tokens[i], c.tokens[j]) < s
    )
    n_init = sum(1 for i, j, _ in aligned if len(q.tokens[i]) == 1 or len(c.tokens[j]) == 1)
    n_exact = sum(1 for _, _, s in aligned if s == 1.0)
    features = [
        Feature("token_alignment", round(mean, 4), 1.0,
                f"{len(aligned)} of {len(q.tokens)} query / {len(c.tokens)} candidate tokens "
                f"aligned, {n_exact} exact"),
        Feature("coverage", round(coverage, 4), 1.0,
                "share of token weight aligned (dropped middle names count less)"),
    ]
    if n_phon:
        features.append(Feature("phonetic", PHONETIC_SIM, 0.0,
                                f"{n_phon} token pair(s) equal by sound or consonants"))
    if n_init:
        features.append(Feature("initials", INITIAL_SIM, 0.0, f"{n_init} initial(s) matched"))
    if glued:
        features.append(Feature("glued_words", 1.0, 0.0,
                                "words written apart in one name and as one word in the other "
                                "were joined"))
    if concat > align:
        features.append(Feature("concatenation", round(concat, 4), 1.0,
                                "names compared with spaces removed"))
    if abjad > max(align, concat):
        features.append(Feature("abjad_skeleton", round(abjad, 4), 1.0,
                                f"consonant skeletons across scripts: {list(q.abjad)} vs "
                                f"{list(c.abjad)}"))
    if numbers:
        features.append(Feature("number_mismatch", numbers, -1.0,
                                "the names carry different numbers"))
    if legal:
        features.append(Feature("legal_form", legal, -1.0,
                                f"legal forms {list(q.legal) or '-'} vs {list(c.legal) or '-'}"))
    return CompareResult(
        score=round(score, 4),
        match=score >= threshold,
        features=features,
        query_normalized=" ".join(q.tokens + q.legal),
        candidate_normalized=" ".join(c.tokens + c.legal),
        aligned=[(q.tokens[i], c.tokens[j], round(s, 4)) for i, j, s in aligned],
    )


def prepare_checked(name: str, kind: str = "any") -> PreparedName:
    """Prepare a name from the public API: empty or letterless names are a ``ValueError``."""
    if not isinstance(name, str):
        raise ValueError(f"name must be text, not {type(name).__name__}")
    if not name.strip():
        raise ValueError("name is empty")
    p = prepare(name, kind)
    if p.empty:
        raise ValueError(f"name has no letters or digits: {name[:50]!r}")
    return p


def compare(a: str, b: str, type: str = "any", threshold: float | None = None) -> CompareResult:
    """Compare two names; ``type`` is person/organization/vessel/aircraft/any."""
    kind = kind_of(type)
    return explain_prepared(
        prepare_checked(a, kind), prepare_checked(b, kind),
        DEFAULT_THRESHOLD if threshold is None else threshold,
    )
