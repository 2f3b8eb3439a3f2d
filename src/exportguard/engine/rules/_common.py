"""Helpers the rule functions share: building findings with JSON-safe evidence."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from exportguard.contracts.decision import Finding, Severity
from exportguard.engine.facts import Facts

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


def finding(rule: str, severity: Severity, subject: str, message: str,
            **evidence: Any) -> Finding:
    return Finding(rule=rule, severity=severity, subject=subject, message=message,
                   evidence={k: _safe(v) for k, v in evidence.items() if v is not None})


# The context of the last screening and the values computed for it (see per_context).
_CONTEXT_MEMO: tuple[weakref.ref[Any], dict[str, Any]] | None = None


def per_context(ctx: Any, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per screening context, for rules that depend on nothing else.

    A batch screens millions of records with one context; a rule about the lists
    themselves (their age, their absence) gives the same findings for each, so it is
    computed for the first and reused. Keyed by the context's identity (the last one
    only): a new context recomputes; concurrent contexts only recompute more often.
    """
    global _CONTEXT_MEMO
    memo = _CONTEXT_MEMO
    if memo is None or memo[0]() is not ctx:
        memo = (weakref.ref(ctx), {})
        _CONTEXT_MEMO = memo
    values = memo[1]
    if key not in values:
        values[key] = compute()
    return values[key]
