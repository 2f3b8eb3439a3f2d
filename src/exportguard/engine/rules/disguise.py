"""Rule ``disguise``: the description does not fit the code (e.g. military goods as civilian)."""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts, item_evidence
from exportguard.engine.rules._common import finding

RULE = "disguise"


def disguise(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.disguise
    if not cfg.enabled:
        return []
    out: list[Finding] = []
    for cls in f.items:
        d = cls.disguise
        if d is None:
            continue
        words = ", ".join(repr(w) for w in d.words)
        description = f.shipment.items[cls.index].description
        if d.kind == "military_wording_on_civilian_code":
            msg = (f"Military wording ({words}) on a civilian code: HS {cls.hs6} "
                   f"({cls.hs_description or 'unknown subheading'}).")
        else:
            what = ("a military code: " + "; ".join(cls.military_reasons)
                    if d.code_class == "military" else f"a CHPL tier {cls.chpl_tier} code")
            msg = f"Civilian wording ({words}) on {what}."
        out.append(finding(
            RULE, cfg.severity, cls.subject, msg,
            **item_evidence(cls), kind=d.kind, words=list(d.words), code_class=d.code_class,
            description=description,
        ))
    return out
