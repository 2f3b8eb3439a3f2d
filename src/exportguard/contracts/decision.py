"""The decision contract: what a screening returns, stable for the CLI, the API and the audit log.

``decision`` is one of DENY > HOLD > LICENSE_REQUIRED > LICENSED > CLEAR (that
precedence combines the findings). Every finding names its rule, the subject
(which party, item or route), the evidence and a plain sentence. ``policy`` and
``lists`` identify exactly what the decision was taken against, so it can be
replayed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DecisionKind(StrEnum):
    DENY = "DENY"
    HOLD = "HOLD"
    LICENSE_REQUIRED = "LICENSE_REQUIRED"
    LICENSED = "LICENSED"
    CLEAR = "CLEAR"

    @property
    def precedence(self) -> int:
        """Higher wins: DENY 4 > HOLD 3 > LICENSE_REQUIRED 2 > LICENSED 1 > CLEAR 0."""
        return _DECISION_RANK[self]

    @classmethod
    def strongest(cls, kinds: list[DecisionKind]) -> DecisionKind:
        return max(kinds, key=lambda k: k.precedence, default=cls.CLEAR)


_DECISION_RANK = {
    DecisionKind.CLEAR: 0,
    DecisionKind.LICENSED: 1,
    DecisionKind.LICENSE_REQUIRED: 2,
    DecisionKind.HOLD: 3,
    DecisionKind.DENY: 4,
}


class Severity(StrEnum):
    """What a finding asks for. ``info`` and ``warning`` never change the decision."""

    DENY = "deny"
    HOLD = "hold"
    LICENSE_REQUIRED = "license_required"
    LICENSED = "licensed"
    WARNING = "warning"
    INFO = "info"

    @property
    def decision(self) -> DecisionKind:
        return _SEVERITY_DECISION[self]

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_DECISION = {
    Severity.DENY: DecisionKind.DENY,
    Severity.HOLD: DecisionKind.HOLD,
    Severity.LICENSE_REQUIRED: DecisionKind.LICENSE_REQUIRED,
    Severity.LICENSED: DecisionKind.LICENSED,
    Severity.WARNING: DecisionKind.CLEAR,
    Severity.INFO: DecisionKind.CLEAR,
}
_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.WARNING: 1,
    Severity.LICENSED: 2,
    Severity.LICENSE_REQUIRED: 3,
    Severity.HOLD: 4,
    Severity.DENY: 5,
}


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


def subject_index(subject: str, kind: str = "item") -> int | None:
    """``3`` for the subject ``"item[3]"`` (``kind="item"``) or ``"party[3]"``; else None."""
    prefix = f"{kind}["
    if subject.startswith(prefix) and subject.endswith("]"):
        inner = subject[len(prefix):-1]
        return int(inner) if inner.isdigit() else None
    return None


class Finding(_Out):
    rule: str = Field(description="the rule that fired, e.g. military_to_conflict")
    severity: Severity
    subject: str = Field(description="what it is about: 'item[0]', 'party[2]', 'route', 'lists'")
    evidence: dict[str, Any] = Field(default_factory=dict)
    message: str = Field(description="the plain sentence, in the language asked for "
                                     "(English by default)")
    messages: dict[str, str] = Field(
        default_factory=dict,
        description="the same sentence in every language exportguard speaks: {'en', 'zh'}")

    def in_language(self, lang: str) -> Finding:
        """This finding with ``message`` in ``lang`` (unchanged if that text is missing)."""
        text = self.messages.get(lang)
        return self if text is None or text == self.message else \
            self.model_copy(update={"message": text})

    def sort_key(self) -> tuple[int, str, str, str]:
        return (-self.severity.rank, self.rule, self.subject, self.message)


class PartyMatchOut(_Out):
    """A shipment party that met a listed entity at or above the matcher's threshold."""

    party: str = Field(description="'party[i]'")
    party_name: str
    role: str
    entity_id: str
    list: str
    name: str
    matched_name: str
    matched_kind: str
    score: float
    type: str
    explanation: str = ""


class PolicyRef(_Out):
    id: str
    version: str
    sha256: str


class ListRef(_Out):
    id: str
    date: str | None
    sha256: str
    version: str | None = None


class Decision(_Out):
    shipment_id: str | None = None
    decision: DecisionKind
    findings: list[Finding]
    party_matches: list[PartyMatchOut]
    policy: PolicyRef
    lists: list[ListRef]
    screened_at: str
    engine_version: str

    def in_language(self, lang: str) -> Decision:
        """This decision with every finding's ``message`` in ``lang`` ("en" or "zh")."""
        return self.model_copy(update={"findings": [f.in_language(lang) for f in self.findings]})

    def to_json(self) -> str:
        """Canonical JSON: same decision, same bytes."""
        return self.model_dump_json()

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
