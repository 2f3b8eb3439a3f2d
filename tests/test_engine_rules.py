"""The engine, rule by rule, with a fake name matcher and fixed list metadata (no I/O)."""

from __future__ import annotations

from datetime import date

from exportguard.contracts.decision import DecisionKind, Severity
from exportguard.engine.context import LicenceRecord
from screening_support import (
    FakeMatcher,
    context,
    match,
    meta,
    rules_of,
    screen,
    shipment,
)

RU_PARTIES = [
    {"role": "consignee", "name": "Ural Engineering LLC", "country": "RU"},
    {"role": "end_user", "name": "Ural Engineering LLC", "country": "RU"},
]
KZ_PARTIES = [
    {"role": "consignee", "name": "Almaty Industrial Supply LLP", "country": "KZ"},
    {"role": "end_user", "name": "Almaty Industrial Supply LLP", "country": "KZ"},
]
RIFLES = {"description": "Assault rifles", "hs_code": "930190", "control_code": "ML1.a"}
CHIPS = {"description": "Microcontrollers", "hs_code": "8542.31"}


def route(dest: str, final: str | None = None, transit: list[str] | None = None) -> dict:
    r: dict = {"origin": "DE", "transit": transit or [], "destination": dest}
    if final:
        r["final_destination"] = final
    return r


def test_clear_uncontrolled() -> None:
    d = screen(shipment())
    assert d.decision is DecisionKind.CLEAR
    assert d.findings == []


def test_clear_uncontrolled_to_hub_and_conflict_with_info() -> None:
    d = screen(shipment(parties=KZ_PARTIES, route=route("KZ")))
    assert d.decision is DecisionKind.CLEAR
    assert rules_of(d) == {"destination_flags"}
    assert d.findings[0].severity is Severity.INFO


def test_military_to_conflict_either_side() -> None:
    for country in ("RU", "UA"):
        parties = [{"role": "end_user", "name": "Some Party", "country": country}]
        d = screen(shipment(item=RIFLES, parties=parties, route=route(country)))
        assert d.decision is DecisionKind.DENY
        assert "military_to_conflict" in rules_of(d, "deny")
        assert "military_export" not in rules_of(d)


def test_military_to_conflict_via_final_destination_or_party() -> None:
    d = screen(shipment(item=RIFLES, route=route("TR", final="RU")))
    assert d.decision is DecisionKind.DENY
    parties = [*shipment()["parties"], {"role": "intermediate_consignee", "name": "X",
                                         "country": "UA"}]
    assert screen(shipment(item=RIFLES, parties=parties)).decision is DecisionKind.DENY


def test_military_occupied_region_in_address_and_code() -> None:
    policy = "eu-833"  # UA itself is not restricted there: only the regions are
    by_address = [{"role": "end_user", "name": "Marine Services", "country": "UA",
                   "address": "ul. Lenina 5, Simferopol, Republic of Crimea"}]
    d = screen(shipment(item=RIFLES, parties=by_address, route=route("UA")), policy=policy)
    assert d.decision is DecisionKind.DENY
    f = next(x for x in d.findings if x.rule == "military_to_conflict")
    assert "Crimea" in f.message and f.evidence["places"][0]["code"] == "UA-43"
    by_code = [{"role": "end_user", "name": "Marine Services", "country": "UA-40"}]
    d = screen(shipment(item=RIFLES, parties=by_code, route=route("UA")), policy=policy)
    assert d.decision is DecisionKind.DENY
    plain_ua = [{"role": "end_user", "name": "Marine Services", "country": "UA",
                 "address": "Khreshchatyk 1, Kyiv"}]
    d = screen(shipment(item=RIFLES, parties=plain_ua, route=route("UA"),
                        declarations=["no_re_export_russia"]), policy=policy)
    assert d.decision is DecisionKind.LICENSE_REQUIRED


def test_military_elsewhere_needs_licence() -> None:
    d = screen(shipment(item=RIFLES, route=route("FR")))
    assert d.decision is DecisionKind.LICENSE_REQUIRED
    assert rules_of(d) == {"military_export"}


def test_dual_use_licence_and_to_conflict() -> None:
    item = {"description": "Encryption modules", "hs_code": "847330", "control_code": "5A002.a"}
    d = screen(shipment(item=item))
    assert d.decision is DecisionKind.LICENSE_REQUIRED
    f = d.findings[0]
    assert f.rule == "dual_use" and f.evidence["category"] == "5" and f.evidence["group"] == "A"
    d = screen(shipment(item=item, parties=RU_PARTIES, route=route("RU")))
    assert d.decision is DecisionKind.HOLD
    assert "dual_use_to_conflict" in rules_of(d, "hold")
    d = screen(shipment(item=item, parties=RU_PARTIES, route=route("RU")), policy="eu-833")
    assert d.decision is DecisionKind.DENY


def test_chpl_routing() -> None:
    # to a party of the conflict
    d = screen(shipment(item=CHIPS, parties=RU_PARTIES, route=route("RU")))
    assert d.decision is DecisionKind.HOLD and "chpl_routing" in rules_of(d, "hold")
    # to a hub without final destination
    d = screen(shipment(item=CHIPS, parties=KZ_PARTIES, route=route("KZ")))
    assert d.decision is DecisionKind.HOLD
    assert "no final destination" in next(f for f in d.findings if f.rule == "chpl_routing").message
    # final destination in a hub
    d = screen(shipment(item=CHIPS, parties=KZ_PARTIES, route=route("KZ", final="KG")))
    assert d.decision is DecisionKind.HOLD
    # final destination in the conflict
    d = screen(shipment(item=CHIPS, parties=KZ_PARTIES, route=route("KZ", final="RU")))
    assert d.decision is DecisionKind.HOLD
    # hub with a declared final destination outside hubs and conflict
    d = screen(shipment(item=CHIPS, parties=KZ_PARTIES, route=route("KZ", final="DE")))
    assert d.decision is DecisionKind.CLEAR
    # transit through a hub counts
    d = screen(shipment(item=CHIPS, route=route("FR", transit=["TR"])))
    assert d.decision is DecisionKind.HOLD
    # clean route
    assert screen(shipment(item=CHIPS)).decision is DecisionKind.CLEAR


def test_sanctions_match_levels() -> None:
    name = "Lyon Textiles SARL"
    strong = FakeMatcher({name: [match("un_sc", "LYON TEXTILES", 0.97, "un_sc:QDe.1")]})
    weak = FakeMatcher({name: [match("un_sc", "LYON TEXTILES", 0.85)]})
    other = FakeMatcher({name: [match("ofac_sdn", "LYON TEXTILES", 1.0)]})
    d = screen(shipment(), context(matcher=strong))
    assert d.decision is DecisionKind.DENY
    f = d.findings[0]
    assert f.rule == "sanctions_match" and f.evidence["matches"][0]["entity_id"] == "un_sc:QDe.1"
    assert "0.97" in f.message
    assert d.party_matches and d.party_matches[0].list == "un_sc"
    assert screen(shipment(), context(matcher=weak)).decision is DecisionKind.HOLD
    assert screen(shipment(), context(matcher=other)).decision is DecisionKind.HOLD


def test_sanctions_match_passes_type_and_threshold() -> None:
    m = FakeMatcher()
    parties = [{"role": "end_user", "name": "Ivan Petrov", "country": "FR", "type": "person"}]
    screen(shipment(parties=parties), context(matcher=m))
    assert m.calls == [("Ivan Petrov", {"limit": 5, "type": "person"})]


def test_forwarder_as_end_user() -> None:
    same = [
        {"role": "freight_forwarder", "name": "Hanse Spedition GmbH", "country": "DE"},
        {"role": "end_user", "name": "HANSE SPEDITION GMBH", "country": "DE"},
    ]
    assert "forwarder_as_end_user" in rules_of(screen(shipment(parties=same)), "hold")
    by_words = [{"role": "end_user", "name": "Volga Cargo Logistics", "country": "FR"}]
    d = screen(shipment(parties=by_words))
    assert d.decision is DecisionKind.HOLD
    f = d.findings[0]
    assert f.evidence["words"] == ["cargo", "logistics"]
    # a forwarding consignee is normal when an end user is named
    fine = [{"role": "consignee", "name": "Global Freight Ltd", "country": "FR"},
            {"role": "end_user", "name": "Lyon Textiles SARL", "country": "FR"}]
    assert screen(shipment(parties=fine)).decision is DecisionKind.CLEAR
    final_consignee = [{"role": "consignee", "name": "Global Freight Ltd", "country": "FR"}]
    assert screen(shipment(parties=final_consignee)).decision is DecisionKind.HOLD


def test_disguise_finding_names_words() -> None:
    d = screen(shipment(item={"description": "Agricultural spare parts", "hs_code": "930690"}))
    assert d.decision is DecisionKind.HOLD
    f = next(x for x in d.findings if x.rule == "disguise")
    assert f.evidence["words"] == ["agricultural", "spare part"]
    assert "'agricultural'" in f.message
    d = screen(shipment(item={"description": "Kamikaze drone toy kit", "hs_code": "950300"}))
    f = next(x for x in d.findings if x.rule == "disguise")
    assert f.evidence["words"] == ["kamikaze"]
    assert d.decision is DecisionKind.HOLD


def test_spec_thresholds() -> None:
    engine = {"description": "UAV engine", "hs_code": "840790", "specs": {"engine_power_kw": 20}}
    d = screen(shipment(item=engine))
    assert d.decision is DecisionKind.LICENSE_REQUIRED
    assert rules_of(d) == {"spec_thresholds"}
    d = screen(shipment(item=engine, parties=KZ_PARTIES, route=route("KZ")))
    assert d.decision is DecisionKind.HOLD
    assert "spec_thresholds" in rules_of(d, "hold")
    small = {**engine, "specs": {"engine_power_kw": 15}}
    assert screen(shipment(item=small)).decision is DecisionKind.CLEAR


def test_missing_end_use() -> None:
    item = {"description": "FPGA", "hs_code": "854239", "control_code": "3A001.a.7"}
    d = screen(shipment(item=item, end_use=None))
    assert d.decision is DecisionKind.HOLD
    assert "missing_end_use" in rules_of(d, "hold")
    assert "missing_end_use" not in rules_of(screen(shipment(item=item)))
    # uncontrolled goods need no end use
    assert screen(shipment(end_use=None)).decision is DecisionKind.CLEAR


def test_unknown_hs_and_control_code() -> None:
    d = screen(shipment(item={"hs_code": "999998"}))
    assert d.decision is DecisionKind.HOLD and rules_of(d) == {"unknown_hs"}
    d = screen(shipment(item={"control_code": "XX-42"}))
    assert d.decision is DecisionKind.HOLD and rules_of(d) == {"unrecognised_control_code"}
    assert screen(shipment(item={"control_code": "EAR99"})).decision is DecisionKind.CLEAR


def test_fail_closed_without_lists_or_index() -> None:
    d = screen(shipment(), context(lists=[]))
    assert d.decision is DecisionKind.HOLD and rules_of(d) == {"list_availability"}
    d = screen(shipment(), context(problems=("name index could not be loaded: boom",)))
    assert d.decision is DecisionKind.HOLD
    assert "boom" in d.findings[0].message
    from exportguard.engine.context import ScreeningContext

    ctx = context()
    no_matcher = ScreeningContext(**{**ctx.__dict__, "matcher": None})
    assert screen(shipment(), no_matcher).decision is DecisionKind.HOLD


def test_stale_lists_hold_unless_allowed() -> None:
    old = [meta("un_sc", "2025-01-01"), meta("us_csl", "2022-04")]
    d = screen(shipment(), context(lists=old))
    assert d.decision is DecisionKind.HOLD
    msgs = {f.subject: f for f in d.findings}
    assert msgs["lists.un_sc"].evidence["age_days"] == 433
    assert "433 days old" in msgs["lists.un_sc"].message
    assert msgs["lists.us_csl"].evidence["date"] == "2022-04-01"
    d = screen(shipment(), context(lists=old, allow_stale=True))
    assert d.decision is DecisionKind.CLEAR
    assert {f.severity for f in d.findings} == {Severity.WARNING}
    # fresh enough
    assert screen(shipment(), context(lists=[meta("un_sc", "2026-02-27")])).findings == []


def test_licences_unverified_and_licensed() -> None:
    item = {"description": "Signal analysers", "hs_code": "903040", "control_code": "3A002.c.1"}
    cited = shipment(item=item, licenses=["DE-2026-1"])
    d = screen(cited)
    assert d.decision is DecisionKind.LICENSE_REQUIRED
    lic = next(f for f in d.findings if f.rule == "licence_coverage")
    assert lic.evidence["status"] == "unverified" and lic.severity is Severity.INFO
    register = {"DE-2026-1": LicenceRecord("DE-2026-1", valid_until=date(2026, 12, 31),
                                           control_codes=("3A002",))}
    d = screen(cited, context(licences=register))
    assert d.decision is DecisionKind.LICENSED
    assert any(f.severity is Severity.LICENSED for f in d.findings)
    expired = {"DE-2026-1": LicenceRecord("DE-2026-1", valid_until=date(2025, 12, 31))}
    assert screen(cited, context(licences=expired)).decision is DecisionKind.LICENSE_REQUIRED
    other = {"DE-2026-1": LicenceRecord("DE-2026-1", control_codes=("5A002",))}
    assert screen(cited, context(licences=other)).decision is DecisionKind.LICENSE_REQUIRED
    assert screen(cited, context(licences={})).decision is DecisionKind.HOLD  # unknown number
    # a licence does not lift a hold
    to_ru = shipment(item=item, licenses=["DE-2026-1"], parties=RU_PARTIES, route=route("RU"))
    assert screen(to_ru, context(licences=register)).decision is DecisionKind.HOLD


def test_precedence() -> None:
    assert DecisionKind.strongest([]) is DecisionKind.CLEAR
    order = [DecisionKind.CLEAR, DecisionKind.LICENSED, DecisionKind.LICENSE_REQUIRED,
             DecisionKind.HOLD, DecisionKind.DENY]
    assert sorted(order, key=lambda k: k.precedence) == order
    for i, k in enumerate(order):
        assert DecisionKind.strongest(order[: i + 1]) is k
    # a DENY finding beats HOLD and LICENSE_REQUIRED in one shipment
    items = [RIFLES, {"description": "Widgets", "hs_code": "999998"},
             {"description": "x", "hs_code": "854239", "control_code": "3A001"}]
    data = shipment(parties=RU_PARTIES, route=route("RU"))
    data["items"] = [{**i, "quantity": 1, "value": 1} for i in items]
    d = screen(data)
    assert d.decision is DecisionKind.DENY
    sev = [f.severity.rank for f in d.findings]
    assert sev == sorted(sev, reverse=True)


def test_every_non_clear_decision_has_a_finding() -> None:
    for data in (shipment(item=RIFLES), shipment(item={"hs_code": "999998"})):
        d = screen(data)
        assert d.decision is not DecisionKind.CLEAR and d.findings


def test_eu_policy_reexport_clause() -> None:
    nav = {"description": "Navigation receivers", "hs_code": "852691"}
    br = [{"role": "end_user", "name": "Sao Paulo Agro Ltda", "country": "BR"}]
    d = screen(shipment(item=nav, parties=br, route=route("BR")), policy="eu-833")
    assert d.decision is DecisionKind.HOLD and "reexport_clause" in rules_of(d, "hold")
    d = screen(shipment(item=nav, parties=br, route=route("BR"),
                        declarations=["no_re_export_russia"]), policy="eu-833")
    assert d.decision is DecisionKind.CLEAR
    # partner country: no clause needed
    no = [{"role": "end_user", "name": "Oslo AS", "country": "NO"}]
    assert screen(shipment(item=nav, parties=no, route=route("NO")),
                  policy="eu-833").decision is DecisionKind.CLEAR
    # same shipment, default policy: CLEAR (no clause rule)
    assert screen(shipment(item=nav, parties=br, route=route("BR"))).decision is (
        DecisionKind.CLEAR)
    # CHPL to Russia: HOLD in the default policy, DENY in the EU one
    ru = shipment(item=CHIPS, parties=RU_PARTIES, route=route("RU"))
    assert screen(ru).decision is DecisionKind.HOLD
    assert screen(ru, policy="eu-833").decision is DecisionKind.DENY


def test_party_that_cannot_be_screened_holds() -> None:
    class Failing:
        def search(self, query: str, **kwargs: object) -> list:
            raise ValueError(f"name has no letters or digits: {query!r}")

    d = screen(shipment(), context(matcher=Failing()))
    assert d.decision is DecisionKind.HOLD
    assert rules_of(d) == {"sanctions_match"}
    assert "could not be screened" in d.findings[0].message


def _to(country: str, item: dict | None = None, **party: str) -> dict:
    parties = [{"role": "consignee", "name": "Some Importer", "country": country, **party},
               {"role": "end_user", "name": "Some Importer", "country": country, **party}]
    return shipment(item=item, parties=parties, route=route(country[:2]))


def test_un_arms_embargo_denies_arms_and_holds_controlled_goods() -> None:
    for country in ("KP", "IR", "LY", "SS"):
        d = screen(_to(country, RIFLES))
        assert d.decision is DecisionKind.DENY, country
        assert "un_embargo" in rules_of(d, "deny")
    chips = screen(_to("LY", {**CHIPS, "control_code": "3A001"}))
    assert chips.decision is DecisionKind.HOLD and "un_embargo" in rules_of(chips, "hold")
    # an arms embargo alone does not touch uncontrolled goods
    shirts = screen(_to("IR"))
    assert shirts.decision is DecisionKind.CLEAR and "un_embargo" not in rules_of(shirts)


def test_un_embargo_on_a_region_by_code_or_address() -> None:
    by_code = screen(_to("SD-DN", RIFLES))
    assert "un_embargo" in rules_of(by_code, "deny")
    by_address = screen(_to("SD", RIFLES, address="El Fasher, North Darfur"))
    assert "un_embargo" in rules_of(by_address, "deny")
    khartoum = screen(_to("SD", RIFLES, address="Khartoum"))
    assert "un_embargo" not in rules_of(khartoum)


def test_un_trade_sanctions_hold_anything_for_the_dprk() -> None:
    d = screen(_to("KP"))
    assert d.decision is DecisionKind.HOLD
    assert [f.subject for f in d.findings if f.rule == "un_embargo"] == ["route"]
