"""EU Official Journal annex CSV (eu-oj) and China's lists CSV (cn-lists): parsers, sniffers."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportguard.lists.errors import ListFormatError
from exportguard.lists.formats import cn_lists, eu_oj
from exportguard.lists.model import EntityType, ParseReport
from exportguard.lists.registry import get_format
from exportguard.lists.snapshots import SnapshotStore

EU_FILE = "lists/eu/eu_oj_32014R0833_2026-07-17.csv"
CN_FILE = "lists/cn/cn_sanctions_2026-08.csv"
OFAC_FILE = "lists/ofac/sdn_2024-05-03.csv"
EU_HEADER = ("celex,recordId,programKey,annex,measure,startDate,reason,schema,name,alias,"
             "weakAlias,previousName,country,registrationNumber,imoNumber,flag,address")
CN_HEADER = ("Type,QID,Name,Alias,Chinese name,Country,Topics,Summary,Chinese summary,Body,"
             "List,Date,End date,Source URL,Address")


@pytest.fixture(scope="module")
def eu(shared_data: Path) -> ParseReport:
    return get_format("eu-oj").parse([shared_data / EU_FILE])


@pytest.fixture(scope="module")
def cn(shared_data: Path) -> ParseReport:
    return get_format("cn-lists").parse([shared_data / CN_FILE])


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---- EU Official Journal annexes (Regulation 833/2014)

def test_eu_counts(eu: ParseReport) -> None:
    assert len(eu.entities) == 1746 and not eu.skipped
    annexes = Counter(e.source_list for e in eu.entities)
    assert annexes["EU Regulation 833/2014 Annex IV"] == 921
    assert annexes["EU Regulation 833/2014 Annex XLII"] == 633
    assert annexes["EU Regulation 833/2014 Annex XIV"] == 70
    assert sum(annexes.values()) == 1746
    assert Counter(e.type for e in eu.entities) == {
        EntityType.ORGANIZATION: 1085, EntityType.VESSEL: 633, EntityType.UNKNOWN: 28}
    annex_iv = [e for e in eu.entities if "EU 833/2014 Annex IV" in e.programs]
    assert len(annex_iv) == 921
    assert all("Export control" in e.programs and "EU-RUS" in e.programs for e in annex_iv)
    # the README's per-country figures for Annex IV (countries from the address lines)
    assert sum(1 for e in annex_iv if {"CN", "HK"} & set(e.countries)) == 96
    by_country = Counter(c for e in annex_iv for c in e.countries)
    assert (by_country["TR"], by_country["AE"], by_country["IR"]) == (25, 10, 9)


def test_eu_vessels_have_imo(eu: ParseReport) -> None:
    vessels = [e for e in eu.entities if e.type is EntityType.VESSEL]
    assert len(vessels) == 633
    imos = [i.value for e in vessels for i in e.identifiers if i.type == "imo"]
    assert len(imos) == 633
    assert all(eu_oj.imo_valid(v) for v in imos)
    assert not any(f.startswith("imo_invalid") for e in eu.entities for f in e.flags)
    angara = next(e for e in vessels if e.id == "eu_833:XLII:1")
    assert angara.name == "Angara"
    assert [(i.type, i.value) for i in angara.identifiers] == [("imo", "9179842")]
    assert angara.listed_on == "2024-06-25"
    assert angara.remarks and angara.remarks.startswith("Reason: Article 3s(2), point (a)")


def test_eu_known_entities(eu: ParseReport) -> None:
    by_id = {e.id: e for e in eu.entities}
    assert len(by_id) == 1746  # ids unique
    sirius = by_id["eu_833:IV:1"]
    assert sirius.name == "JSC Sirius" and sirius.countries == ["RU"]
    assert "JSC Concern Sirius" in sirius.aliases
    assert [(i.type, i.value) for i in sirius.identifiers] == [("inn", "7704730655")]
    assert sirius.listed_on == "2014-09-12"
    assert sirius.source_list == "EU Regulation 833/2014 Annex IV"
    assert sirius.source_url and sirius.source_url.endswith("CELEX:32014R0833")
    sure = by_id["eu_833:IV:913"]
    assert sure.name == "Sure Technology (Hong Kong) Co. Ltd."
    assert "易准科技（香港）有限公司" in sure.aliases
    assert sure.countries == ["HK"] and sure.listed_on == "2026-04-24"
    # the 140 rows printed without an entry number get a hash-based id
    unnumbered = [e for e in eu.entities if ":h" in e.id]
    assert len(unnumbered) == 140
    assert all(e.id.startswith("eu_833:") for e in eu.entities)
    crypto = [e for e in eu.entities if e.name == "A7A5"]
    assert len(crypto) == 1 and "asset" in crypto[0].flags and crypto[0].listed_on == "2025-11-25"


def test_eu_ids_stable(shared_data: Path, eu: ParseReport, tmp_path: Path) -> None:
    """Ids do not depend on row order: reversed rows give the same ids."""
    lines = (shared_data / EU_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    rev = _write(tmp_path / "32014R0833.csv", lines[0] + "".join(reversed(lines[1:])))
    again = eu_oj.parse(rev)
    assert {e.id for e in again.entities} == {e.id for e in eu.entities}


def test_eu_publication_date(eu: ParseReport, shared_data: Path, tmp_path: Path) -> None:
    assert eu.publication_date == "2026-07-17"  # from the file name
    undated = _write(tmp_path / "32014R0833.csv",
                     (shared_data / EU_FILE).read_text(encoding="utf-8"))
    # without a date in the name: the newest startDate (the file has "24 May 2026")
    assert eu_oj.parse(undated).publication_date == "2026-05-24"


def test_eu_identifier_labels() -> None:
    ids = eu_oj.identifiers_from("1026604933475 (OGRN), 6660017837 (TIN)", "registration")
    assert [(i.type, i.value) for i in ids] == [("ogrn", "1026604933475"), ("tax", "6660017837")]
    (uscc,) = eu_oj.identifiers_from("91440300MA5GN73B4F (China, Unified Social Credit Code)",
                                     "registration")
    assert (uscc.type, uscc.value, uscc.country) == ("uscc", "91440300MA5GN73B4F", "CN")
    (cr,) = eu_oj.identifiers_from("Cr. No. 3203355", "registration")
    assert (cr.type, cr.value) == ("registration", "3203355")
    (imo,) = eu_oj.identifiers_from("IMO 9179842", "imo")
    assert (imo.type, imo.value) == ("imo", "9179842")


def test_eu_split_and_dates() -> None:
    assert eu_oj.split_cell('"Foo; Bar"; Baz') == ["Foo; Bar", "Baz"]
    assert eu_oj.split_cell("") == []
    assert eu_oj.parse_date("12.9.2014") == ("2014-09-12", None)
    assert eu_oj.parse_date("9 August 2024") == ("2024-08-09", None)
    assert eu_oj.parse_date("26 Feb. 2011") == ("2011-02-26", None)
    assert eu_oj.parse_date("2011-02") == ("2011-02", None)
    assert eu_oj.parse_date("31.2.2014")[1] == "impossible date '31.2.2014'"
    assert eu_oj.act_reference("32014R0833") == ("Regulation", "833/2014")
    assert eu_oj.act_reference("32024R1745") == ("Regulation", "2024/1745")


def test_eu_bad_rows_skipped(tmp_path: Path) -> None:
    p = _write(tmp_path / "32014R0833.csv", EU_HEADER + "\n"
               "32014R0833,1,EU-RUS,IV,Export control,12.9.2014,,LegalEntity,Good Co,,,,,,,,\n"
               "32014R0833,2,EU-RUS,IV,Export control\n"
               "32014R0833,3,EU-RUS,IV,Export control,31.2.2014,,LegalEntity,,,,,,,,,\n"
               "32014R0833,4,EU-RUS,IV,Export control,99 Smarch 2014,,LegalEntity,Odd Ltd,,,,,"
               ",,,\n")
    report = eu_oj.parse(p)
    assert [e.id for e in report.entities] == ["eu_833:IV:1", "eu_833:IV:4"]
    assert [s.reason for s in report.skipped] == ["malformed row (5 fields, expected 17)",
                                                   "no name"]
    assert report.entities[1].flags == ["start_date_unreadable:99 Smarch 2014"]
    assert report.entities[1].listed_on is None


def test_eu_wrong_files(shared_data: Path, tmp_path: Path) -> None:
    ofac = shared_data / OFAC_FILE
    with pytest.raises(ListFormatError, match="not an EU Official Journal annex CSV") as err:
        get_format("eu-oj").parse([ofac])
    assert str(ofac) in str(err.value) and "header lacks" in str(err.value)
    with pytest.raises(ListFormatError, match="header lacks annex, measure, schema, celex"):
        get_format("eu-oj").parse([shared_data / CN_FILE])
    empty = _write(tmp_path / "empty.csv", "")
    with pytest.raises(ListFormatError, match="empty file"):
        get_format("eu-oj").parse([empty])
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"PK\x03\x04\x00\x00" + bytes(range(256)))
    with pytest.raises(ListFormatError, match="binary data"):
        get_format("eu-oj").parse([binary])
    with pytest.raises(ListFormatError, match="takes one CSV file"):
        get_format("eu-oj").parse([ofac, ofac])


# ---- China's lists (MOFCOM / MFA)

def test_cn_counts(cn: ParseReport) -> None:
    # 610 rows: 3 listings have ended (End date passed) and are skipped
    assert len(cn.entities) == 607
    assert [s.reason for s in cn.skipped] == ["listing ended (End date passed)"] * 3
    lists = Counter(e.source_list for e in cn.entities)
    assert lists["List of Export Controls"] == 153
    assert lists["UEL"] == 66
    assert lists["Export Control Watch List"] == 40
    flags = Counter(e.flags[0] for e in cn.entities)
    assert flags == {"cn_export_control_list": 153, "cn_unreliable_entity_list": 66,
                     "cn_watch_list": 40, "cn_countermeasure": 312, "cn_other": 36}
    assert len({e.id for e in cn.entities}) == 607
    assert cn.publication_date == "2026-08-05"


def test_cn_include_ended(shared_data: Path) -> None:
    report = get_format("cn-lists").parse([shared_data / CN_FILE], include_ended=True)
    assert len(report.entities) == 610 and not report.skipped
    ended = [e for e in report.entities if any(f.startswith("cn_listing_ended:") for f in e.flags)]
    assert sorted(e.name for e in ended) == ["AB Mano Bankas", "Skyla", "UAB Urbo Bankas"]


def test_cn_known_entity(cn: ParseReport) -> None:
    lm = [e for e in cn.entities if e.name == "Lockheed Martin Corporation"]
    uel = next(e for e in lm if e.source_list == "UEL")
    assert "洛克希德·马丁公司" in uel.aliases
    assert uel.type is EntityType.ORGANIZATION and uel.countries == ["US"]
    assert uel.listed_on == "2023-02-16"  # "16.02.23"
    assert uel.programs == ["UEL"] and uel.flags == ["cn_unreliable_entity_list"]
    assert uel.remarks and "Body: Ministry of Commerce" in uel.remarks
    assert uel.id.startswith("cn_mofcom:")
    rubio = [e for e in cn.entities if e.name == "Marco Rubio"]
    assert len(rubio) == 2 and all(e.type is EntityType.PERSON for e in rubio)
    assert all(("wikidata", "Q324546") in [(i.type, i.value) for i in e.identifiers]
               for e in rubio)
    assert {e.listed_on for e in rubio} == {"2020-07-13", "2020-08-10"}
    assert all(e.flags == ["cn_countermeasure"] for e in rubio)  # no list name, MFA counter


def test_cn_list_flags_and_dates() -> None:
    assert cn_lists.list_flag("List of Export Controls") == "cn_export_control_list"
    assert cn_lists.list_flag("UEL") == "cn_unreliable_entity_list"
    assert cn_lists.list_flag("Unreliable Entity List") == "cn_unreliable_entity_list"
    assert cn_lists.list_flag("Export Control Watch List") == "cn_watch_list"
    assert cn_lists.list_flag("AFSL") == "cn_countermeasure"
    assert cn_lists.list_flag("List of Targets of Countermeasures") == "cn_countermeasure"
    assert cn_lists.list_flag("", "sanction.counter") == "cn_countermeasure"
    assert cn_lists.list_flag('Diehard "Taiwan Independence" Separatists') == "cn_other"
    assert cn_lists.list_flag("") == "cn_other"
    assert cn_lists.parse_date("13.07.20") == ("2020-07-13", None)
    assert cn_lists.parse_date("05.12.2024") == ("2024-12-05", None)
    assert cn_lists.parse_date("01.01.69") == ("2069-01-01", None)
    assert cn_lists.parse_date("01.01.70") == ("1970-01-01", None)
    assert cn_lists.parse_date("31.02.21")[1] == "impossible date '31.02.21'"
    assert cn_lists.parse_date("next week")[1] == "unreadable date 'next week'"


def test_cn_bad_rows_and_publication_date(tmp_path: Path) -> None:
    p = _write(tmp_path / "cn_sanctions_2026-08.csv", CN_HEADER + "\n"
               "Company,,Acme Corp,Acme;ACME Inc,阿克米公司,US,export.control,,,Ministry of "
               "Commerce,List of Export Controls,99.99.24,,https://x/1,\n"
               "Company,,Short Row\n"
               "Person,,,,,US,,,,,UEL,01.01.24,,,\n"
               "Person,,Jane Doe,,,EU,,,,,Some New List,01.01.24,01.01.2099,https://x/2,\n")
    report = cn_lists.parse(p)
    assert [e.name for e in report.entities] == ["Acme Corp", "Jane Doe"]
    assert [s.reason for s in report.skipped] == ["malformed row (3 fields, expected 15)",
                                                   "no name"]
    acme, jane = report.entities
    assert acme.aliases == ["Acme", "ACME Inc", "阿克米公司"]
    assert acme.flags == ["cn_export_control_list", "date_unreadable:99.99.24"]
    assert acme.listed_on is None
    assert jane.flags == ["cn_other", "cn_listing_ends:2099-01-01"]
    assert jane.programs == ["Some New List"] and jane.raw_countries == ["EU"]
    assert report.publication_date == "2024-01-01"
    # no readable date: the file name's year-month
    p2 = _write(tmp_path / "cn_sanctions_2026-08.csv", CN_HEADER + "\n"
                "Company,,Acme Corp,,,US,,,,,UEL,,,,\n")
    assert cn_lists.parse(p2).publication_date == "2026-08"


def test_cn_wrong_files(shared_data: Path, tmp_path: Path) -> None:
    ofac = shared_data / OFAC_FILE
    with pytest.raises(ListFormatError, match="not a China lists CSV") as err:
        get_format("cn-lists").parse([ofac])
    assert str(ofac) in str(err.value)
    with pytest.raises(ListFormatError, match="header lacks Chinese name, List"):
        get_format("cn-lists").parse([shared_data / EU_FILE])
    with pytest.raises(ListFormatError, match="empty file"):
        get_format("cn-lists").parse([_write(tmp_path / "e.csv", "  \n")])


# ---- sniffers

def test_sniffers(shared_data: Path) -> None:
    heads = {}
    for rel in (EU_FILE, CN_FILE, OFAC_FILE, "lists/bis/bis_denied_persons_dpl.txt",
                "lists/un/un_consolidated_2026-02-27.xml"):
        with (shared_data / rel).open("rb") as fh:
            heads[rel] = fh.read(65536)
    # by content, not by name: a misleading name changes nothing
    assert eu_oj.sniff(heads[EU_FILE], "whatever.txt")
    assert cn_lists.sniff(heads[CN_FILE], "eu_oj_32014R0833.csv")
    assert not eu_oj.sniff(heads[CN_FILE], "eu_oj_32014R0833_2026-07-17.csv")
    assert not cn_lists.sniff(heads[EU_FILE], "cn_sanctions_2026-08.csv")
    for rel in heads:
        if rel not in (EU_FILE, CN_FILE):
            assert not eu_oj.sniff(heads[rel], rel) and not cn_lists.sniff(heads[rel], rel)
    assert eu_oj.sniff(b"\xef\xbb\xbf" + EU_HEADER.encode() + b"\r\n", "x")
    amendment = EU_HEADER.replace("celex,", "amendedCelex,amendmentCelex,", 1)
    assert eu_oj.sniff(amendment.encode() + b"\n", "x")
    assert not eu_oj.sniff(b"", "x") and not cn_lists.sniff(b"", "x")
    assert not eu_oj.sniff(b"\x00\x01\x02", "x") and not cn_lists.sniff(b"\x89PNG\r\n", "x")
    # a head cut inside the header line lacks columns: not claimed
    assert not cn_lists.sniff(heads[CN_FILE][:40], "x")
    assert not eu_oj.sniff(heads[EU_FILE][:40], "x")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_sniff_never_raises(data: bytes) -> None:
    assert eu_oj.sniff(data, "x.csv") in (True, False)
    assert cn_lists.sniff(data, "x.csv") in (True, False)


# ---- arbitrary input: a report or a ListFormatError, never anything else

_SETTINGS = settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])
_CSV_ATOMS = st.sampled_from(['"', ",", ";", "\r\n", "\n", "\t", "12.9.2014", "13.07.20",
                              "99.99.99", "Vessel", "LegalEntity", "Person", "IV", "UEL",
                              "List of Export Controls", "9179842", "(Tax ID/INN)", "é", "\x00",
                              "\x1a", "中国", "a; \"b; c\"", "Cr. No. 1", "(", ")"])


def _check(fmt: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "eu_oj_32014R0833_2026-07-17.csv"
        p.write_bytes(data)
        try:
            report = get_format(fmt).parse([p])
        except ListFormatError as exc:
            assert str(exc)
            return
    assert isinstance(report, ParseReport)
    prefix = f"{get_format(fmt).default_list_id}:"
    ids = [e.id for e in report.entities]
    assert len(ids) == len(set(ids))
    for e in report.entities:
        assert e.name and e.id.startswith(prefix)


@_SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes(data: bytes) -> None:
    _check("eu-oj", data)
    _check("cn-lists", data)


@_SETTINGS
@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    _check("eu-oj", data)
    _check("cn-lists", data)


@_SETTINGS
@given(st.lists(_CSV_ATOMS, max_size=80).map("".join))
def test_csvish_after_header(text: str) -> None:
    _check("eu-oj", (EU_HEADER + "\n" + text).encode("utf-8", "surrogatepass"))
    _check("cn-lists", (CN_HEADER + "\n" + text).encode("utf-8", "surrogatepass"))


# ---- the snapshot store

def test_snapshot_store_load(shared_data: Path, tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "lists", tmp_path / "cache")
    meta = store.load("eu-oj", [shared_data / EU_FILE])
    assert meta.list_id == "eu_833" and meta.entity_count == 1746
    assert meta.publication_date == "2026-07-17"
    assert meta.title == "EU Regulation 833/2014 annexes (Official Journal)"
    assert meta.licence.startswith("CC BY-NC 4.0")
    meta_cn = store.load("cn-lists", [shared_data / CN_FILE])
    assert meta_cn.list_id == "cn_mofcom" and meta_cn.entity_count == 607
    assert meta_cn.skipped_reasons == {"listing ended (End date passed)": 3}
    assert sorted(m.list_id for m in store.active()) == ["cn_mofcom", "eu_833"]
    ents = store.entities(["eu_833"])
    assert len(ents) == 1746
    angara = next(e for e in ents if e.id == "eu_833:XLII:1")
    assert [(i.type, i.value) for i in angara.identifiers] == [("imo", "9179842")]
    sure = next(e for e in store.entities(["eu_833"]) if e.id == "eu_833:IV:913")
    assert "易准科技（香港）有限公司" in sure.aliases
