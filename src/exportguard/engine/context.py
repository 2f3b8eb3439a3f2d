"""What the engine receives besides the shipment: everything it may look at, and nothing else.

The engine does no I/O: the service layer loads the policy, the list snapshot
metadata and the in-memory party index, reads the clock, and passes them here.
The same context and shipment always give the same decision, byte for byte.

Licences: ``licence_lookup`` is the hook for the licence register (a later
issue). It maps a licence number to a :class:`LicenceRecord`. Without a
register (``None``) a cited licence is reported as *unverified* and the
decision stays ``LICENSE_REQUIRED``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from exportguard import __version__
from exportguard.contracts.decision import PolicyRef
from exportguard.lists.model import SnapshotMeta
from exportguard.names.model import Match
from exportguard.policy.schema import Policy

ENGINE_VERSION = __version__


class PartyMatcher(Protocol):
    """The in-memory name index (``names.index.NameIndex``) or a test double."""

    def search(self, query: str, *args: Any, **kwargs: Any) -> list[Match]: ...


@dataclass(frozen=True)
class LicenceRecord:
    """A licence as the register knows it. Empty tuples mean "any"."""

    number: str
    valid_from: date | None = None
    valid_until: date | None = None
    hs_prefixes: tuple[str, ...] = ()
    control_codes: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    holder: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ScreeningContext:
    policy: Policy
    policy_ref: PolicyRef
    now: datetime
    matcher: PartyMatcher | None = None
    lists: Sequence[SnapshotMeta] = ()
    # Why list data cannot be trusted (no data, index failed to load, ...): each
    # reason is a fail-closed finding.
    list_problems: Sequence[str] = ()
    allow_stale_lists: bool = False
    licence_lookup: Mapping[str, LicenceRecord] | None = None
    engine_version: str = ENGINE_VERSION
    extra: Mapping[str, Any] = field(default_factory=dict)


# The context of the last screening and the values computed for it (see per_context).
_CONTEXT_MEMO: tuple[weakref.ref[Any], dict[str, Any]] | None = None


def per_context(ctx: ScreeningContext, key: str, compute: Callable[[], Any]) -> Any:
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
