"""Rule ``forwarder_as_end_user``: a freight forwarder named as end user or final consignee.

Flagged when the end user (or consignee) has the same name as the shipment's
freight forwarder, when the end user's name reads as a forwarding business
("... Logistics", "... Cargo"), or when there is no end user and the consignee's
name reads so. A classic diversion red flag (BIS "Know your customer" guidance).
"""

from __future__ import annotations

import re

from exportguard.contracts.decision import Finding
from exportguard.contracts.shipment import PartyRole
from exportguard.engine.facts import Facts, party_label
from exportguard.engine.rules._common import finding
from exportguard.items.disguise import find_words

RULE = "forwarder_as_end_user"


def _norm(name: str) -> str:
    return " ".join(re.findall(r"\w+", name.casefold()))


def forwarder_as_end_user(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.forwarder_as_end_user
    if not cfg.enabled:
        return []
    parties = f.shipment.parties
    forwarders = {_norm(p.name): p.name for p in parties
                  if p.role is PartyRole.FREIGHT_FORWARDER}
    has_end_user = any(p.role is PartyRole.END_USER for p in parties)
    out: list[Finding] = []
    for i, p in enumerate(parties):
        if p.role is PartyRole.END_USER:
            as_what = "end user"
        elif p.role is PartyRole.CONSIGNEE:
            as_what = "consignee" if has_end_user else "final consignee (no end user named)"
        else:
            continue
        if _norm(p.name) in forwarders:
            out.append(finding(
                RULE, cfg.severity, f"party[{i}]",
                f"{party_label(i, p)}: the freight forwarder is named as {as_what}.",
                party=p.name, role=p.role.value, forwarder=forwarders[_norm(p.name)],
            ))
            continue
        if p.role is PartyRole.CONSIGNEE and has_end_user:
            continue  # a forwarding consignee is normal when an end user is named
        words = find_words(p.name, cfg.words)
        if words:
            out.append(finding(
                RULE, cfg.severity, f"party[{i}]",
                f"{party_label(i, p)}: the {as_what} reads as a freight forwarder "
                f"({', '.join(repr(w) for w in words)}).",
                party=p.name, role=p.role.value, words=words,
            ))
    return out
