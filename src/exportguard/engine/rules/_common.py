"""Helpers the rule functions share: building findings with JSON-safe evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from exportguard.contracts.decision import Finding, Severity
from exportguard.engine.facts import Facts
from exportguard.i18n import LANGS, Text, render

Rule = Callable[[Facts], list[Finding]]


def _safe(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {str(k): _safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_safe(v) for v in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def finding(rule: str, severity: Severity, subject: str, message: str | Text,
            **evidence: Any) -> Finding:
    """A finding whose message is kept in every language (write it with ``T(...)``)."""
    messages = {lang: render(message, lang) for lang in LANGS}
    return Finding(rule=rule, severity=severity, subject=subject, message=messages["en"],
                   messages=messages,
                   evidence={k: _safe(v) for k, v in evidence.items() if v is not None})

