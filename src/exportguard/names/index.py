"""In-memory name index over listed entities: candidate generation, then scoring.

Every name of every entity is prepared once at build time (normalised tokens,
legal forms, weights, phonetic keys). A query never meets every name:

1. each query token is looked up in the token vocabulary by exact form, by
   single-deletion neighbours (SymSpell style: finds tokens about two edits
   away), by Metaphone and consonant-skeleton keys, and as glued/split words;
   each vocabulary hit is scored with :func:`token_similarity`;
2. the hits' posting lists (CSR arrays) accumulate, per name, the best
   similarity of each query token, weighted; names are ranked by a Dice
   estimate and the best :data:`MAX_CANDIDATES` are kept;
3. only those are scored by :func:`score_prepared`; the best name per entity
   is returned, best first, at or above the threshold.

``save``/``load`` pickle the prepared arrays; see ``default_index`` for the
cached index over the loaded lists.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from exportguard.lists.model import Entity
from exportguard.names.model import Match
from exportguard.names.normalize import WEIGHT_PARTICLE, PreparedName, prepare
from exportguard.names.phonetic import phonetic_keys
from exportguard.names.score import (
    DEFAULT_THRESHOLD,
    FIRST_LETTER_FACTOR,
    PHONETIC_SIM,
    TOKEN_FLOOR,
    _vowelless,
    explain_prepared,
    kind_of,
    prepare_checked,
    score_prepared,
)

FORMAT_VERSION = 2
MAX_CANDIDATES = 40
MIN_QUERY_COVERAGE = 0.45  # a name must meet this share of the query's token weight...
COVERAGE_SLACK = 0.2  # ...and at least (threshold - this) of it
WEAK_ALIAS_PENALTY = 0.05
HINT_SIM = 0.9
_KIND_CODES = {"person": 1, "organization": 2, "vessel": 3, "aircraft": 4}
_KIND_NAMES = ("any", "person", "organization", "vessel", "aircraft")
_KINDS = ("primary", "alias", "weak_alias")
_TOKEN_CACHE_MAX = 100_000


def _deletes(token: str) -> set[str]:
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


@dataclass(slots=True)
class _Stored:
    """One prepared name as stored: plain tuples, cheap to pickle."""

    entity: int
    kind: int  # index into _KINDS
    original: str
    tokens: tuple[str, ...]
    legal: tuple[str, ...]
    legal_raw: tuple[str, ...]
    weights: tuple[float, ...]
    keys: tuple[tuple[str, str], ...]
    joined: str
    abjad: tuple[str, ...]
    arabic: bool

    def prepared(self, entity_kind: str = "any") -> PreparedName:
        return PreparedName(self.original, "", self.tokens, self.legal, self.legal_raw,
                            self.weights, self.keys, self.joined, self.abjad, self.arabic,
                            entity_kind)


class NameIndex:
    """Prepared names of a set of entities, searchable by name."""

    def __init__(self) -> None:
        self.entities: list[tuple[str, str, str, str]] = []  # id, list, primary name, type
        self.names: list[_Stored] = []
        self.vocab: dict[str, int] = {}
        self.tokens: list[str] = []
        self.post_offsets = np.zeros(1, dtype=np.int64)
        self.post_names = np.zeros(0, dtype=np.int32)
        self.by_delete: dict[str, Any] = {}  # deletion variant -> tid or tuple of tids
        self.by_meta: dict[str, tuple[int, ...]] = {}
        self.by_skel: dict[str, tuple[int, ...]] = {}
        # consonant keys (abjad.py) -> name ids, for Arabic-script queries
        self.abjad_vocab: dict[str, int] = {}
        self.abjad_offsets = np.zeros(1, dtype=np.int64)
        self.abjad_names = np.zeros(0, dtype=np.int32)
        self.name_entity = np.zeros(0, dtype=np.int32)
        self.name_weight = np.zeros(0, dtype=np.float32)
        self.entity_kind = np.zeros(0, dtype=np.int8)
        self.build_seconds = 0.0
        self.meta: dict[str, Any] = {}
        self._post_cache: dict[str, tuple[dict[str, float], np.ndarray, np.ndarray]] = {}
        self._local = threading.local()

    # ------------------------------------------------------------------ build
    @classmethod
    def build(cls, entities: Iterable[Entity], meta: dict[str, Any] | None = None) -> NameIndex:
        t0 = time.perf_counter()
        self = cls()
        self.meta = dict(meta or {})
        postings: list[list[int]] = []
        seen: set[tuple[int, str]] = set()
        for ent in entities:
            e = len(self.entities)
            etype = str(getattr(ent.type, "value", ent.type))
            self.entities.append((ent.id, ent.list, ent.name, etype))
            kind = kind_of(etype)
            for name_kind, raw in ent.all_names():
                if not raw or not raw.strip():
                    continue
                p = prepare(raw, kind)
                if p.empty:
                    continue
                key = (e, " ".join(p.tokens) + "|" + " ".join(p.legal))
                if key in seen:  # same prepared name twice on one entity
                    continue
                seen.add(key)
                n = len(self.names)
                toks = []
                for tok in p.tokens:
                    tid = self.vocab.get(tok)
                    if tid is None:
                        tid = len(self.tokens)
                        self.vocab[tok] = tid
                        self.tokens.append(tok)
                        postings.append([])
                    tok = self.tokens[tid]  # one shared str per token: smaller pickle
                    toks.append(tok)
                    if not postings[tid] or postings[tid][-1] != n:
                        postings[tid].append(n)
                self.names.append(_Stored(e, _KINDS.index(name_kind), raw, tuple(toks), p.legal,
                                          p.legal_raw, p.weights, p.keys, p.joined, p.abjad,
                                          p.arabic))
        self._finish(postings)
        self.build_seconds = time.perf_counter() - t0
        return self

    def _finish(self, postings: list[list[int]]) -> None:
        sizes = np.fromiter((len(p) for p in postings), dtype=np.int64, count=len(postings))
        self.post_offsets = np.zeros(len(postings) + 1, dtype=np.int64)
        np.cumsum(sizes, out=self.post_offsets[1:])
        self.post_names = np.fromiter(
            (n for p in postings for n in p), dtype=np.int32, count=int(sizes.sum())
        )
        self.name_entity = np.fromiter((s.entity for s in self.names), dtype=np.int32,
                                       count=len(self.names))
        self.name_weight = np.fromiter((sum(s.weights) for s in self.names), dtype=np.float32,
                                       count=len(self.names))
        self.entity_kind = np.fromiter((_KIND_CODES.get(e[3], 0) for e in self.entities),
                                       dtype=np.int8, count=len(self.entities))
        by_delete: dict[str, list[int]] = {}
        by_meta: dict[str, list[int]] = {}
        by_skel: dict[str, list[int]] = {}
        for tid, tok in enumerate(self.tokens):
            if len(tok) >= 4 and tok.isalpha():
                for d in _deletes(tok):
                    by_delete.setdefault(d, []).append(tid)
            meta, skel = phonetic_keys(tok)
            if meta:
                by_meta.setdefault(meta, []).append(tid)
            if skel:
                by_skel.setdefault(skel, []).append(tid)
        self.by_delete = {k: (v[0] if len(v) == 1 else tuple(v)) for k, v in by_delete.items()}
        abjad_post: dict[str, list[int]] = {}
        for n, stored in enumerate(self.names):
            if stored.arabic:
                continue  # Arabic-script names meet Arabic queries through their tokens
            for k in set(stored.abjad):
                abjad_post.setdefault(k, []).append(n)
        self.abjad_vocab = {k: i for i, k in enumerate(abjad_post)}
        sizes = np.fromiter((len(v) for v in abjad_post.values()), dtype=np.int64,
                            count=len(abjad_post))
        self.abjad_offsets = np.zeros(len(abjad_post) + 1, dtype=np.int64)
        np.cumsum(sizes, out=self.abjad_offsets[1:])
        self.abjad_names = np.fromiter((n for v in abjad_post.values() for n in v),
                                       dtype=np.int32, count=int(sizes.sum()))
        self.by_meta = {k: tuple(v) for k, v in by_meta.items()}
        self.by_skel = {k: tuple(v) for k, v in by_skel.items()}

    # ------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {k: getattr(self, k) for k in _STATE}
        state["format"] = FORMAT_VERSION
        state["names"] = [
            (s.entity, s.kind, s.original, s.tokens, s.legal, s.legal_raw, s.weights, s.keys,
             s.joined, s.abjad, s.arabic) for s in self.names
        ]
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)  # atomic: readers see the old or the new file, never half

    @classmethod
    def load(cls, path: str | Path) -> NameIndex:
        with Path(path).open("rb") as fh:
            state = pickle.load(fh)
        if state.get("format") != FORMAT_VERSION:
            raise ValueError(f"name index cache {path} has an old format")
        self = cls()
        for k in _STATE:
            setattr(self, k, state[k])
        self.names = [_Stored(*t) for t in state["names"]]
        return self

    # ----------------------------------------------------------------- search
    def __len__(self) -> int:
        return len(self.entities)

    @property
    def name_count(self) -> int:
        return len(self.names)

    def _token_matches(self, qt: str) -> tuple[list[tuple[int, float]], list[int]]:
        """Vocabulary tokens similar to a query token ``[(tid, sim), ...]``, and hint tids.

        Hints are the halves of a glued query word ("schummplc" -> "schumm",
        "plc"): they select candidates but do not count as aligned tokens (the
        concatenation feature scores those).
        """
        found: set[int] = set()
        by_meta: tuple[int, ...] = ()
        by_skel: tuple[int, ...] = ()
        meta = ""
        tid = self.vocab.get(qt)
        if tid is not None:
            found.add(tid)
        if len(qt) >= 3 and qt.isalpha():
            variants = _deletes(qt) | {qt} if len(qt) >= 4 else {qt}
            for v in variants:
                hit = self.by_delete.get(v)
                if hit is not None:
                    found.update(hit if isinstance(hit, tuple) else (hit,))
                t = self.vocab.get(v)
                if t is not None:
                    found.add(t)
            meta, skel = phonetic_keys(qt)
            if meta:
                by_meta = self.by_meta.get(meta, ())
                found.update(by_meta)
            if skel:
                by_skel = self.by_skel.get(skel, ())
                found.update(by_skel)
        out = []
        if found:
            # token_similarity for every vocabulary hit in one call: the hits are
            # alphabetic (or the query itself), so it is the edit similarity, times
            # FIRST_LETTER_FACTOR, raised to PHONETIC_SIM where the keys agree as
            # token_similarity requires (the key lookups say which agree)
            tids = list(found)
            row = cdist([qt], [self.tokens[t] for t in tids],
                        scorer=OSA.normalized_similarity, dtype=np.float32)[0]
            meta_ok = set(by_meta) if by_meta and len(meta) >= 3 else set()
            meta_skel = set(by_meta) & set(by_skel) if by_meta and by_skel else set()
            skel_set = set(by_skel)
            q_vowelless = _vowelless(qt)
            first = qt[0]
            for t, sim in zip(tids, row.tolist(), strict=True):
                if sim >= 1.0:
                    out.append((t, 1.0))
                    continue
                tok = self.tokens[t]
                if tok[0] != first:
                    sim *= FIRST_LETTER_FACTOR
                if sim < PHONETIC_SIM and (
                    t in meta_ok or t in meta_skel
                    or (t in skel_set and (q_vowelless or _vowelless(tok)))
                ):
                    sim = PHONETIC_SIM
                if sim >= TOKEN_FLOOR:
                    out.append((t, sim))
        hints: list[int] = []
        if len(qt) >= 6:
            for cut in range(3, len(qt) - 2):
                a, b = self.vocab.get(qt[:cut]), self.vocab.get(qt[cut:])
                if a is not None and b is not None:
                    hints += [a, b]
        return out, hints

    def _buffers(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-thread scratch arrays, all zeros between queries."""
        bufs = getattr(self._local, "bufs", None)
        if bufs is None or bufs[0].size != len(self.names):
            bufs = (np.zeros(len(self.names), dtype=np.float32),
                    np.zeros(len(self.names), dtype=np.float32))
            self._local.bufs = bufs
        return bufs

    def _token_postings(self, qt: str) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
        """Per query token, cached: ``{vocab token: sim}``, and the names it reaches.

        The names come as unique ids with the best similarity (hints count
        :data:`HINT_SIM`) of any of the token's vocabulary matches, so a query
        adds each token's contribution in one vector operation.
        """
        cached = self._post_cache.get(qt)
        if cached is not None:
            return cached
        matches, hints = self._token_matches(qt)
        known = {self.tokens[tid]: sim for tid, sim in matches}
        allm = sorted([*matches, *((t, HINT_SIM) for t in hints)], key=lambda m: m[1])
        offs, post = self.post_offsets, self.post_names
        if not allm:
            ids = np.zeros(0, dtype=np.int32)
            vals = np.zeros(0, dtype=np.float32)
        elif len(allm) == 1:
            ids = post[offs[allm[0][0]] : offs[allm[0][0] + 1]]
            vals = np.full(ids.size, allm[0][1], dtype=np.float32)
        else:
            _, buf = self._buffers()
            parts = []
            for tid, sim in allm:
                part = post[offs[tid] : offs[tid + 1]]
                buf[part] = sim  # ascending order: the best similarity wins
                parts.append(part)
            ids = np.unique(np.concatenate(parts))
            vals = buf[ids]
            buf[ids] = 0.0
        if len(self._post_cache) > _TOKEN_CACHE_MAX:
            self._post_cache.clear()
        self._post_cache[qt] = (known, ids, vals)
        return known, ids, vals

    def _candidates(
        self, q: PreparedName, kind: str, threshold: float
    ) -> tuple[np.ndarray, list[dict[str, float]]]:
        """Candidate name ids and, per query token, ``{vocab token: similarity}``."""
        acc, buf = self._buffers()
        offs, post = self.post_offsets, self.post_names
        found = [self._token_postings(t) for t in q.tokens]
        # split query words ("al qaida" -> "alqaida") select the glued word for both halves
        glued_hints: dict[int, list[int]] = {}
        for i in range(len(q.tokens) - 1):
            glued = self.vocab.get(q.tokens[i] + q.tokens[i + 1])
            if glued is not None:
                glued_hints.setdefault(i, []).append(glued)
                glued_hints.setdefault(i + 1, []).append(glued)
        sims = [f[0] for f in found]
        touched_all = []
        total_w = sum(q.weights)
        # particles (al, bin, de ...) have huge posting lists and little weight: they
        # do not select candidates, and the coverage bar assumes they would align
        skip = [w <= WEIGHT_PARTICLE and total_w > w for w in q.weights]
        skipped_w = sum(w for w, sk in zip(q.weights, skip, strict=True) if sk)
        for i, (_, ids, vals) in enumerate(found):
            if skip[i]:
                continue
            extra = glued_hints.get(i)
            if extra:
                buf[ids] = vals
                parts = [ids]
                for tid in extra:
                    part = post[offs[tid] : offs[tid + 1]]
                    buf[part] = np.maximum(buf[part], HINT_SIM)
                    parts.append(part)
                ids = np.unique(np.concatenate(parts))
                vals = buf[ids]
                buf[ids] = 0.0
            if not ids.size:
                continue
            acc[ids] += vals * q.weights[i]
            touched_all.append(ids)
        if not touched_all:
            return np.zeros(0, dtype=np.int32), sims
        # the score cannot reach the threshold when too little of the query aligns
        need = max(MIN_QUERY_COVERAGE, threshold - COVERAGE_SLACK) * total_w - skipped_w
        need = max(need, 1e-6)
        if len(touched_all) == 1:
            ids = touched_all[0]
            cand = ids[acc[ids] >= need]
        else:
            cand = np.flatnonzero(acc >= need)
        got = acc[cand]
        for ids in touched_all:
            acc[ids] = 0.0
        return self._best_of(cand, got, kind, total_w), sims

    def _abjad_candidates(self, q: PreparedName, kind: str) -> np.ndarray:
        """Names sharing enough consonant keys with an Arabic-script query (abjad.py)."""
        acc, _ = self._buffers()
        weights = [0.5 if len(k) < 2 else 1.0 for k in q.abjad]
        total = sum(weights)
        touched = []
        for k, w in zip(q.abjad, weights, strict=True):
            kid = self.abjad_vocab.get(k)
            if kid is None:
                continue
            ids = self.abjad_names[self.abjad_offsets[kid] : self.abjad_offsets[kid + 1]]
            acc[ids] += w
            touched.append(ids)
        if not touched:
            return np.zeros(0, dtype=np.int32)
        need = max(1.0, MIN_QUERY_COVERAGE * total)
        cand = np.flatnonzero(acc >= need)
        got = acc[cand]
        for ids in touched:
            acc[ids] = 0.0
        return self._best_of(cand, got, kind, total)

    def _best_of(self, cand: np.ndarray, got: np.ndarray, kind: str,
                 total: float) -> np.ndarray:
        """Candidates of the asked type (or untyped), at most :data:`MAX_CANDIDATES`: those
        whose shared weight ``got`` covers most of both names (Dice)."""
        if kind != "any" and cand.size:
            code = _KIND_CODES[kind]
            ek = self.entity_kind[self.name_entity[cand]]
            ok = (ek == code) | (ek == 0)
            cand, got = cand[ok], got[ok]
        if cand.size > MAX_CANDIDATES:
            dice = 2 * got / (total + self.name_weight[cand])
            cand = cand[np.argpartition(-dice, MAX_CANDIDATES)[:MAX_CANDIDATES]]
        return cand

    def search(
        self,
        query: str,
        type: str | object = "any",
        threshold: float | None = None,
        limit: int = 10,
        explain: bool = True,
    ) -> list[Match]:
        """Best match per entity, best first, only at or above ``threshold``."""
        kind = kind_of(type)
        q = prepare_checked(query, kind)
        return self._search_prepared(q, kind, threshold, limit, explain)

    def _kind_name(self, entity: int) -> str:
        return _KIND_NAMES[int(self.entity_kind[entity])]

    def _search_prepared(
        self, q: PreparedName, kind: str, threshold: float | None, limit: int, explain: bool
    ) -> list[Match]:
        thr = DEFAULT_THRESHOLD if threshold is None else threshold
        best: dict[int, tuple[float, int]] = {}
        cand, sims = self._candidates(q, kind, thr)
        if q.arabic and q.abjad:
            cand = np.union1d(cand, self._abjad_candidates(q, kind))
        for n in cand.tolist():
            stored = self.names[n]
            s = score_prepared(q, stored.prepared(self._kind_name(stored.entity)), sims)
            if stored.kind == 2:
                s = max(0.0, s - WEAK_ALIAS_PENALTY)
            if s < thr:
                continue
            e = stored.entity
            prev = best.get(e)
            better_kind = prev is not None and stored.kind < self.names[prev[1]].kind
            if prev is None or s > prev[0] or (s == prev[0] and better_kind):
                best[e] = (s, n)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], self.entities[kv[0]][0]))
        out = []
        for e, (s, n) in ranked[: max(0, limit)]:
            ent_id, lst, name, etype = self.entities[e]
            stored = self.names[n]
            m = Match(ent_id, lst, name, stored.original, _KINDS[stored.kind], round(s, 4), etype)
            if explain:
                res = explain_prepared(q, stored.prepared(self._kind_name(e)), thr, sims)
                m.features = res.features
                if stored.kind == 2:
                    from exportguard.names.model import Feature

                    m.features.append(Feature("weak_alias", WEAK_ALIAS_PENALTY, -1.0,
                                              "matched a weak (low-quality) alias"))
                m.aligned = res.aligned
            out.append(m)
        return out

    def search_many(
        self,
        queries: Sequence[str],
        type: str | object = "any",
        threshold: float | None = None,
        limit: int = 10,
        explain: bool = False,
    ) -> list[list[Match]]:
        """Search each query; an empty or letterless query gets ``[]`` instead of an error."""
        kind = kind_of(type)
        out: list[list[Match]] = []
        for query in queries:
            try:
                q = prepare_checked(query, kind)
            except ValueError:
                out.append([])
                continue
            out.append(self._search_prepared(q, kind, threshold, limit, explain))
        return out


_STATE = (
    "entities", "vocab", "tokens", "post_offsets", "post_names", "by_delete", "by_meta",
    "by_skel", "abjad_vocab", "abjad_offsets", "abjad_names", "name_entity", "name_weight",
    "entity_kind", "build_seconds", "meta",
)
