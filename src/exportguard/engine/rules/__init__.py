"""One small function per policy rule, each in a module named after it.

A rule takes the shared :class:`~exportguard.engine.facts.Facts` and returns
its findings; its configuration lives under ``rules.<name>`` in the policy.
:data:`RULES` is the order the engine runs them in (the order does not change
the decision: findings are combined by precedence and sorted).
``licence_coverage`` runs last, over the other rules' findings.
"""

from __future__ import annotations

from exportguard.engine.rules._common import Rule
from exportguard.engine.rules.chpl_routing import chpl_routing
from exportguard.engine.rules.destination_flags import destination_flags
from exportguard.engine.rules.disguise import disguise
from exportguard.engine.rules.dual_use import dual_use
from exportguard.engine.rules.dual_use_to_conflict import dual_use_to_conflict
from exportguard.engine.rules.forwarder_as_end_user import forwarder_as_end_user
from exportguard.engine.rules.licence_coverage import licence_coverage
from exportguard.engine.rules.list_availability import list_availability
from exportguard.engine.rules.list_freshness import list_freshness
from exportguard.engine.rules.military_export import military_export
from exportguard.engine.rules.military_to_conflict import military_to_conflict
from exportguard.engine.rules.missing_end_use import missing_end_use
from exportguard.engine.rules.reexport_clause import reexport_clause
from exportguard.engine.rules.sanctions_match import sanctions_match
from exportguard.engine.rules.spec_thresholds import spec_thresholds
from exportguard.engine.rules.un_embargo import un_embargo
from exportguard.engine.rules.unknown_hs import unknown_hs
from exportguard.engine.rules.unrecognised_control_code import unrecognised_control_code

RULES: tuple[tuple[str, Rule], ...] = (
    ("list_availability", list_availability),
    ("list_freshness", list_freshness),
    ("sanctions_match", sanctions_match),
    ("military_to_conflict", military_to_conflict),
    ("military_export", military_export),
    ("dual_use", dual_use),
    ("dual_use_to_conflict", dual_use_to_conflict),
    ("chpl_routing", chpl_routing),
    ("un_embargo", un_embargo),
    ("spec_thresholds", spec_thresholds),
    ("disguise", disguise),
    ("forwarder_as_end_user", forwarder_as_end_user),
    ("missing_end_use", missing_end_use),
    ("unknown_hs", unknown_hs),
    ("unrecognised_control_code", unrecognised_control_code),
    ("reexport_clause", reexport_clause),
    ("destination_flags", destination_flags),
)

__all__ = ["RULES", "Rule", "licence_coverage"]
