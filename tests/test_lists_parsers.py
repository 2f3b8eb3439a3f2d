"""Parsers on the real official files in ../shared/data/lists: counts and known entries."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from exportguard.lists.formats import (
    bis_dpl,
    csl,
    eu_fsf,
    ftm,
    ofac_csv,
    ofac_enhanced,
    uk_ofsi,
    un_xml,
)
from exportguard.lists.model import Entity, EntityType, ParseReport


def by_id(report: ParseReport) -> dict[str, Entity]:
    return {e.source_id: e for e in report.entities}


def assert_unique_ids(report: ParseReport) -> None:
    ids = [e.id for e in report.entities]
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------------- UN

@pytest.fixture(scope="module")
def un(shared_data: Path) -> ParseReport:
    return un_xml.parse(shared_data / "lists/un/un_consolidated_2026-02-27.xml")


def test_un_counts(un: ParseReport) -> None:
    types = Counter(e.type for e in un.entities)
    assert types[EntityType.PERSON] == 730
    assert types[EntityType.ORGANIZATION] == 273
    assert un.publication_date == "2026-02-27"
    assert not un.skipped
    assert_unique_ids(un)


def test_un_known_entries(un: ParseReport) -> None:
    ents = by_id(un)
    badege = ents["6907993"]
    assert badege.id == "un_sc:6907993"
    assert badege.name == "ERIC BADEGE"
    assert badege.type is EntityType.PERSON
    assert "CD" in badege.countries
    assert badege.birth_dates == ["1971"]
    assert badege.programs[:2] == ["DRC", "CDi.001"]
    assert badege.listed_on == "2012-12-31"
    saddam = ents["6908048"]
    assert "صدام حسين التكريتي" in saddam.aliases
    houthis = next(e for e in un.entities if e.name == "THE HOUTHIS")
    assert "ANSARALLAH" in houthis.aliases and houthis.countries == ["YE"]
    # QUALITY Low → weak alias, Good / a.k.a. → alias
    assert sum(len(e.weak_aliases) for e in un.entities) > 500
    passports = [i for e in un.entities for i in e.identifiers if i.type == "Passport"]
    assert passports and any(i.country == "CD" for i in passports)


# --------------------------------------------------------------------------- OFAC CSV

@pytest.fixture(scope="module")
def sdn(shared_data: Path) -> ParseReport:
    d = shared_data / "lists/ofac"
    return ofac_csv.parse(d / "sdn_2024-05-03.csv", d / "add_2026.csv", d / "alt_2026.csv")


def test_sdn_counts_and_orphans(sdn: ParseReport) -> None:
    assert len(sdn.entities) == 14965
    assert sdn.publication_date == "2024-05-03"
    types = Counter(e.type for e in sdn.entities)
    assert types[EntityType.PERSON] == 6854
    assert types[EntityType.VESSEL] >= 851
    assert types[EntityType.AIRCRAFT] == 376
    orphan_ids = {o.where.rsplit("ent_num ", 1)[1].rstrip(")") for o in sdn.orphans}
    assert 4800 <= len(orphan_ids) <= 5000
    assert {o.reason for o in sdn.orphans} == {
        "address for an ent_num with no primary row", "alias for an ent_num with no primary row"}
    # never invent an entry for an orphan
    assert not orphan_ids & {e.source_id for e in sdn.entities}
    assert_unique_ids(sdn)


def test_sdn_known_entries(sdn: ParseReport) -> None:
    ents = by_id(sdn)
    bnc = ents["306"]
    assert bnc.type is EntityType.ORGANIZATION
    assert "NATIONAL BANK OF CUBA" in bnc.aliases and "BNC" in bnc.aliases
    assert "Zweierstrasse 35, Zurich CH-8022, Switzerland" in bnc.addresses
    assert "CH" in bnc.countries
    zawahiri = ents["2676"]
    assert zawahiri.name == "AL ZAWAHIRI, Dr. Ayman"  # as published
    assert zawahiri.type is EntityType.PERSON
    assert zawahiri.birth_dates == ["1951-06-19"]
    assert any(i.type == "Passport" and i.value == "1084010" and i.country == "EG"
               for i in zawahiri.identifiers)
    assert "EG" in zawahiri.countries
    ebano = ents["4243"]
    assert ebano.type is EntityType.VESSEL and "PA" in ebano.countries
    assert ents["15431"].type is EntityType.AIRCRAFT
    assert ents["36"].programs == ["CUBA"]
    multi = next(e for e in sdn.entities if len(e.programs) > 2)
    assert all("[" not in p and "]" not in p for p in multi.programs)


def test_sdn_2021_trio_with_comments(shared_data: Path) -> None:
    d = shared_data / "lists/ofac/sdn_2021-07"
    report = ofac_csv.parse_files([d / "alt.csv", d / "sdn.csv", d / "sdn_comments.csv",
                                   d / "add.csv"])
    assert len(report.entities) == 8976
    assert not report.orphans
    li = by_id(report)["28264"]
    assert li.remarks and li.remarks.endswith("Linked To: LAZARUS GROUP.")
    assert any(i.value == "210302198701102136" and i.country == "CN" for i in li.identifiers)
    assert "blackjack1987" in li.aliases


def test_ofac_non_sdn_csv(shared_data: Path) -> None:
    d = shared_data / "lists/ofac/non_sdn_2025"
    report = ofac_csv.parse_files([d / "cons_prim.csv", d / "cons_add.csv", d / "cons_alt.csv",
                                   d / "cons_comments.csv"], list_id="ofac_cons")
    assert len(report.entities) == 442
    haniya = by_id(report)["9639"]
    assert haniya.type is EntityType.PERSON and haniya.birth_dates == ["1962"]
    assert "HANIYYA, Ismaeel" in haniya.aliases
    assert haniya.source_list and "non-SDN" in haniya.source_list


def test_ofac_enhanced(shared_data: Path) -> None:
    report = ofac_enhanced.parse(shared_data / "lists/ofac/non_sdn_2025/"
                                 "CONS_ENHANCED_2025-01-14.ZIP")
    assert len(report.entities) == 443
    assert report.publication_date == "2025-01-10"
    types = Counter(e.type for e in report.entities)
    assert types[EntityType.PERSON] == 80 and types[EntityType.ORGANIZATION] == 363
    ents = by_id(report)
    assert ents["9639"].name == "HANIYA, Ismail Abdul Salah"
    assert ents["9639"].birth_dates == ["1962"]
    vtb = ents["17013"]
    assert "БАНК ВТБ ПАО" in vtb.aliases
    assert vtb.weak_aliases
    assert {"RU", "CN", "IN"} <= set(vtb.countries)
    assert any(i.type == "Tax ID No." and i.value == "7702070139" and i.country == "RU"
               for i in vtb.identifiers)
    assert "RUSSIA-EO14024" in vtb.programs
    assert_unique_ids(report)


# --------------------------------------------------------------------------- CSL

@pytest.fixture(scope="module")
def csl_path(shared_data: Path) -> Path:
    return shared_data / "lists/us_csl/csl_consolidated_2022-04.csv.gz"


def test_csl_all_rows(csl_path: Path) -> None:
    report = csl.parse(csl_path)
    assert len(report.entities) == 14160
    codes = Counter(e.programs[0] for e in report.entities)
    assert codes["EL"] == 2001 and codes["SDN"] == 10026 and codes["DPL"] == 462
    assert_unique_ids(report)


def test_csl_excluding_publisher_lists(csl_path: Path) -> None:
    from exportguard.lists.catalogue import csl_exclusions

    report = csl.parse(csl_path, exclude_sources=csl_exclusions({"ofac_sdn", "ofac_cons",
                                                                 "bis_dpl"}))
    codes = Counter(e.programs[0] for e in report.entities)
    assert set(codes) == {"EL", "DTC", "UVL", "ISN", "MEU"}
    assert codes["EL"] == 2001 and codes["MEU"] == 71
    plant = next(e for e in report.entities if e.name == "140 Repair Plant JSC")
    assert plant.type is EntityType.ORGANIZATION
    assert plant.countries == ["BY"]
    assert "JSC 140 Repair Plant" in plant.aliases  # leading "and " removed
    assert plant.source_list == "Entity List (EL) - Bureau of Industry and Security"
    assert plant.remarks and "Policy of denial" in plant.remarks


def test_csl_short_codes() -> None:
    assert csl.short_source("Entity List (EL) - Bureau of Industry and Security") == "EL"
    assert csl.short_source("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury "
                            "Department") == "NS-MBS"
    assert csl.short_source("Military End User (MEU) List - Bureau of Industry and "
                            "Security") == "MEU"


# --------------------------------------------------------------------------- DPL

def test_bis_dpl(shared_data: Path) -> None:
    report = bis_dpl.parse(shared_data / "lists/bis/bis_denied_persons_dpl.txt")
    # 581 rows; rows with the same name and FR citation are one order with several addresses
    assert any("581 rows" in w for w in report.warnings)
    assert 480 <= len(report.entities) <= 490
    flagged = {e.name: e.flags for e in report.entities if e.flags}
    assert flagged["KNOKKE-HEIST SUPPORT CORPORATION MANAGEMENT"] == [
        "last_update_impossible:2922-09-01"]
    assert flagged["MANSOUR ZADEH"] == ["last_update_impossible:3017-08-22"]
    assert sum("impossible date" in w for w in report.warnings) >= 2
    knokke = next(e for e in report.entities if e.name.startswith("KNOKKE"))
    assert knokke.type is EntityType.ORGANIZATION and len(knokke.addresses) == 2
    assert next(e for e in report.entities if e.name == "MANSOUR ZADEH").type is EntityType.PERSON
    assert_unique_ids(report)


def test_dpl_dates() -> None:
    assert bis_dpl.normalize_date("06/19/2003") == ("2003-06-19", None)
    assert bis_dpl.normalize_date("2922-09-01")[1]
    assert bis_dpl.normalize_date("02/30/2020")[1]
    assert bis_dpl.normalize_date("") == (None, None)


# --------------------------------------------------------------------------- OFSI

def test_uk_ofsi(shared_data: Path) -> None:
    report = uk_ofsi.parse(shared_data / "lists/uk_ofsi/ofsi_conlist_2025-04-14.xlsx")
    assert len(report.entities) == 4688
    assert report.publication_date == "2025-04-14"
    types = Counter(e.type for e in report.entities)
    assert types[EntityType.VESSEL] > 0 and types[EntityType.PERSON] > 3000
    ab = by_id(report)["14241"]
    assert ab.name == "Khizri Magomedovich ABAKAROV"
    assert "Хизри Магомедович Абакаров" in ab.aliases
    assert ab.birth_dates == ["1960-06-28"] and ab.countries == ["RU"]
    assert ab.programs == ["Russia"]
    haq = by_id(report)["15672"]
    assert {"Mian MITHOO", "Mian MITHU"} <= set(haq.aliases) | {haq.name}
    assert sum(len(e.weak_aliases) for e in report.entities) > 400  # "Low quality" AKAs
    assert_unique_ids(report)


# --------------------------------------------------------------------------- EU FSF, FtM

def test_eu_fsf_fixture(fixtures_dir: Path) -> None:
    report = eu_fsf.parse(fixtures_dir / "eu_fsf_sample.xml")
    assert report.publication_date == "2025-03-14"
    assert len(report.entities) == 6
    assert [s.reason for s in report.skipped] == ["no name"]
    ents = by_id(report)
    z = ents["13"]
    assert z.name == "Ayman Al-Zawahiri" and z.type is EntityType.PERSON
    assert z.weak_aliases == ["Abu Mohammed"] and "Айман аз-Завахири" in z.aliases
    assert z.birth_dates == ["1951-06-19"] and z.countries == ["EG"]
    assert any(i.value == "1084010" and i.country == "EG" for i in z.identifiers)
    assert z.programs == ["TAQA"]
    k = ents["150000"]
    assert k.type is EntityType.ORGANIZATION and k.weak_aliases == ["Kalashnikov"]
    assert ents["170000"].name == "Aliaksandr Mikhnevich"  # built from first/last name
    assert ents["120000"].birth_dates == ["1968"]


def test_ftm_fixture(fixtures_dir: Path) -> None:
    report = ftm.parse(fixtures_dir / "ftm_sample.jsonl")
    types = Counter(e.type for e in report.entities)
    assert types == {EntityType.PERSON: 1, EntityType.ORGANIZATION: 4, EntityType.VESSEL: 1,
                     EntityType.AIRCRAFT: 1}
    reasons = Counter(s.reason for s in report.skipped)
    assert reasons == {"schema Address is not a party": 1, "schema Sanction is not a party": 1,
                       "no name": 1}
    p = by_id(report)["NK-aaa111"]
    assert p.weak_aliases == ["Vanya"] and p.countries == ["RU"]
    assert any(i.type == "Passport" for i in p.identifiers)
    c = by_id(report)["NK-bbb222"]
    assert "Tekhnoprom Trading" in c.aliases  # previousName kept as alias
    assert report.publication_date == "2024-06-01"
