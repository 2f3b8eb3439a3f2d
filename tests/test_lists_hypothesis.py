"""Arbitrary input to the parsers: a valid report or a ListFormatError, never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportguard.lists.errors import ListFormatError
from exportguard.lists.model import ParseReport
from exportguard.lists.registry import get_format

_SETTINGS = settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])

_FILE_NAMES = {"ofac": "sdn.csv", "csl": "consolidated.csv", "bis-dpl": "dpl.txt",
               "un": "consolidated.xml", "eu-fsf": "eu.xml", "ofac-enhanced": "cons.xml",
               "ftm": "entities.jsonl", "uk-ofsi": "ConList.csv"}

# Text that looks a bit like each format, so the parsers get past their first checks.
_CSV_ATOMS = st.sampled_from(['"', ",", "-0- ", "\r\n", "\n", "\t", "123", "ABC, Def",
                              '"individual"', "a.k.a. 'X'", "DOB 01 Jan 1970", "\x1a", "é", ";"])
_XML_ATOMS = st.sampled_from(["<CONSOLIDATED_LIST>", "</CONSOLIDATED_LIST>", "<INDIVIDUALS>",
                              "<INDIVIDUAL>", "</INDIVIDUAL>", "<DATAID>1</DATAID>",
                              "<FIRST_NAME>A</FIRST_NAME>", "<export xmlns='http://eu.europa.ec"
                              "/fpi/fsd/export'>", "<sanctionEntity logicalId='1'>",
                              "<nameAlias wholeName='X' strong='false'/>", "</sanctionEntity>",
                              "</export>", "<sanctionsData>", "<entity id='1'>", "</entity>",
                              "&amp;", "&bogus;", "<", ">", "text", "\x00"])


def _check(fmt: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / _FILE_NAMES[fmt]
        p.write_bytes(data)
        try:
            report = get_format(fmt).parse([p])
        except ListFormatError as exc:
            assert str(exc)
            return
    assert isinstance(report, ParseReport)
    for e in report.entities:
        assert e.name and e.id.startswith(f"{get_format(fmt).default_list_id}:")


@_SETTINGS
@given(st.text(max_size=400))
def test_any_text_ofac(text: str) -> None:
    _check("ofac", text.encode("utf-8", "surrogatepass"))


@_SETTINGS
@given(st.lists(_CSV_ATOMS, max_size=80).map("".join))
def test_csvish_ofac(text: str) -> None:
    _check("ofac", ("36,\"A\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
                    + text).encode())


@_SETTINGS
@given(st.lists(_CSV_ATOMS, max_size=80).map("".join))
def test_csvish_csl_dpl_ofsi(text: str) -> None:
    _check("csl", ("_id,source,name,type,alt_names,addresses,ids\n" + text).encode())
    _check("bis-dpl", ('"Name"\t"Effective_Date"\t"FR_Citation"\n' + text).encode())
    _check("uk-ofsi", ("Name 6,Name 1,Group ID,Alias Type,DOB\n" + text).encode())


@_SETTINGS
@given(st.text(max_size=400))
def test_any_text_other_formats(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    for fmt in ("csl", "bis-dpl", "ftm", "uk-ofsi"):
        _check(fmt, data)


@_SETTINGS
@given(st.lists(_XML_ATOMS, max_size=40).map("".join))
def test_xmlish(text: str) -> None:
    for fmt in ("un", "eu-fsf", "ofac-enhanced"):
        _check(fmt, text.encode("utf-8", "surrogatepass"))


@_SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes(data: bytes) -> None:
    for fmt in ("un", "ofac", "csl", "bis-dpl", "eu-fsf", "ofac-enhanced", "ftm", "uk-ofsi"):
        _check(fmt, data)
