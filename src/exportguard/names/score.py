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

from rapidfuzz.distance import OSA, Levenshtein

from exportguard.names.model import CompareResult, Feature
from exportguard.names.normalize import WEIGHT_NORMAL, PreparedName, prepare
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

ENTITY_KINDS = ("person", "organization", "vessel", "aircraft")


def kind_of(type_: object) -> str:
    """``"person"``, ``"organization"``, ... or ``"any"`` from a str or EntityType."""
    value = str(getattr(type_, "value", type_) or "any").lower()
    return value if value in ENTITY_KINDS else "any"


def _vowelless(token: str) -> bool:
    return len(token) >= 3 and not any(v in token for v in "aeiou")


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
        abjad = _vowelless(a) or _vowelless(b)
        if (meta_eq and (len(ka[0]) >= 3 or skel_eq)) or (skel_eq and abjad):
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
    if not pairs:
        return []
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
    if strong >= 2 and extra:
        # a dropped middle name is cheap only when the words that are there agree exactly
        first = EXTRA_TOKEN_FIRST if weakest >= 0.95 else EXTRA_TOKEN_FIRST_FUZZY
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


def score_prepared(q: PreparedName, c: PreparedName, sims: TokenSims | None = None) -> float:
    """The score alone (the index's hot path)."""
    aligned = feature_token_alignment(q, c, sims)
    matched_w, unmatched, mean = feature_coverage(q, c, aligned)
    align = mean * matched_w / (matched_w + unmatched) if matched_w else 0.0
    concat = feature_concatenation(q, c) if align < 0.99 else 0.0
    penalty = feature_legal_form(q, c) + feature_number_mismatch(q, c)
    return max(0.0, min(1.0, max(align, concat) - penalty))


def explain_prepared(
    q: PreparedName, c: PreparedName, threshold: float = DEFAULT_THRESHOLD,
    sims: TokenSims | None = None,
) -> CompareResult:
    """The score with its features and aligned token pairs."""
    aligned = feature_token_alignment(q, c, sims)
    matched_w, unmatched, mean = feature_coverage(q, c, aligned)
    coverage = matched_w / (matched_w + unmatched) if matched_w else 0.0
    align = mean * coverage
    concat = feature_concatenation(q, c) if align < 0.99 else 0.0
    legal = feature_legal_form(q, c)
    numbers = feature_number_mismatch(q, c)
    score = max(0.0, min(1.0, max(align, concat) - legal - numbers))
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
    if concat > align:
        features.append(Feature("concatenation", round(concat, 4), 1.0,
                                "names compared with spaces removed"))
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
