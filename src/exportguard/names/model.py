"""Results of name matching: a match against a listed entity, with its explanation.

Every score is in [0, 1]. ``features`` are the named parts of the score that
fired (token alignment, edit distance, phonetics, type, ...), so an explanation
is the list of features with their contributions.
"""

from __future__ import annotations

import builtins
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Feature:
    name: str  # e.g. "token_alignment", "phonetic", "type_mismatch"
    value: float  # the feature's own value in [0, 1] (or penalty size)
    weight: float  # its weight in the final score
    detail: str = ""  # human sentence, e.g. "3 of 3 tokens aligned"


@dataclass(slots=True)
class CompareResult:
    score: float
    match: bool
    features: list[Feature] = field(default_factory=list)
    query_normalized: str = ""
    candidate_normalized: str = ""
    # pairs of aligned tokens (query token, candidate token, similarity)
    aligned: list[tuple[str, str, float]] = field(default_factory=list)


@dataclass(slots=True)
class Match:
    entity_id: str
    list: str
    name: str  # the entity's primary name
    matched_name: str  # the name (primary or alias) the query met
    matched_kind: str  # primary | alias | weak_alias
    score: float
    type: str  # entity type value
    # ``list`` is a field name here, hence builtins.list
    features: builtins.list[Feature] = field(default_factory=builtins.list)
    aligned: builtins.list[tuple[str, str, float]] = field(default_factory=builtins.list)

    def explanation(self) -> str:
        parts = [f"{f.name}={f.value:.2f}" + (f" ({f.detail})" if f.detail else "")
                 for f in self.features]
        return "; ".join(parts)

    def to_dict(self, explain: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "entity_id": self.entity_id,
            "list": self.list,
            "name": self.name,
            "matched_name": self.matched_name,
            "matched_kind": self.matched_kind,
            "score": round(self.score, 4),
            "type": self.type,
        }
        if explain:
            out["features"] = [asdict(f) for f in self.features]
            out["aligned"] = [list(a) for a in self.aligned]
        return out
