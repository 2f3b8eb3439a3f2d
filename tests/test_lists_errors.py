"""Broken, truncated, empty or wrong files give a ListFormatError naming file and position."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from exportguard.lists.errors import ListFormatError
from exportguard.lists.registry import FORMATS, get_format


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_truncated_un_xml(shared_data: Path, tmp_path: Path) -> None:
    src = (shared_data / "lists/un/un_consolidated_2026-02-27.xml").read_bytes()
    p = _write(tmp_path / "un.xml", src[: len(src) // 3])
    with pytest.raises(ListFormatError) as err:
        get_format("un").parse([p])
    assert str(p) in str(err.value) and "line" in str(err.value)
    assert "truncated" in str(err.value)


def test_wrong_xml_root(tmp_path: Path) -> None:
    p = _write(tmp_path / "x.xml", b"<?xml version='1.0'?><foo><bar/></foo>")
    for fmt in ("un", "eu-fsf", "ofac-enhanced"):
        with pytest.raises(ListFormatError, match="root element is <foo>"):
            get_format(fmt).parse([p])


def test_truncated_xlsx(shared_data: Path, tmp_path: Path) -> None:
    src = (shared_data / "lists/uk_ofsi/ofsi_conlist_2025-04-14.xlsx").read_bytes()
    p = _write(tmp_path / "ConList.xlsx", src[: len(src) // 2])
    with pytest.raises(ListFormatError) as err:
        get_format("uk-ofsi").parse([p])
    assert str(p) in str(err.value)


def test_truncated_zip(shared_data: Path, tmp_path: Path) -> None:
    src = (shared_data / "lists/ofac/non_sdn_2025/CONS_ENHANCED_2025-01-14.ZIP").read_bytes()
    p = _write(tmp_path / "CONS.ZIP", src[: len(src) // 2])
    with pytest.raises(ListFormatError, match="ZIP"):
        get_format("ofac-enhanced").parse([p])


def test_truncated_gzip(shared_data: Path, tmp_path: Path) -> None:
    src = (shared_data / "lists/us_csl/csl_consolidated_2022-04.csv.gz").read_bytes()
    p = _write(tmp_path / "csl.csv.gz", src[: len(src) // 2])
    with pytest.raises(ListFormatError, match="gzip"):
        get_format("csl").parse([p])


def test_truncated_sdn_csv(shared_data: Path, tmp_path: Path) -> None:
    src = (shared_data / "lists/ofac/sdn_2024-05-03.csv").read_bytes()
    half = src[: len(src) // 2]
    row_start = half.rindex(b"\r\n") + 2
    line = src[row_start: src.index(b"\r\n", row_start)]
    name_end = line.index(b'",') + 2
    mid_field = _write(tmp_path / "sdn.csv", src[: row_start + name_end - 5])  # inside "NAME
    with pytest.raises(ListFormatError, match="truncated"):
        get_format("ofac").parse([mid_field])
    mid_row = _write(tmp_path / "sdn.csv", src[:row_start] + b'99999,"TEST NAME",-0- ,')
    with pytest.raises(ListFormatError, match="incomplete row") as err:
        get_format("ofac").parse([mid_row])
    assert f"{mid_row}:" in str(err.value)


def test_malformed_row_inside_is_skipped(tmp_path: Path) -> None:
    good = b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    p = _write(tmp_path / "sdn.csv", good + b'37,"BROKEN",-0- \r\n' + good.replace(b"36", b"38"))
    report = get_format("ofac").parse([p])
    assert [e.source_id for e in report.entities] == ["36", "38"]
    assert report.skipped[0].where == "sdn.csv line 2"
    assert "malformed row" in report.skipped[0].reason


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_random_bytes_and_empty(fmt: str, tmp_path: Path) -> None:
    names = {"ofac": "sdn.csv"}
    rnd = _write(tmp_path / names.get(fmt, "file.bin"), os.urandom(3000))
    with pytest.raises(ListFormatError) as err:
        get_format(fmt).parse([rnd])
    assert str(rnd) in str(err.value)
    empty = _write(tmp_path / names.get(fmt, "empty.txt"), b"")
    with pytest.raises(ListFormatError):
        get_format(fmt).parse([empty])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_wrong_format_text(fmt: str, tmp_path: Path) -> None:
    p = _write(tmp_path / ("sdn.csv" if fmt == "ofac" else "data.txt"),
               b"hello,world\nthis is,not a list\n")
    with pytest.raises(ListFormatError):
        get_format(fmt).parse([p])


def test_csl_header_check(tmp_path: Path) -> None:
    p = _write(tmp_path / "c.csv.gz", gzip.compress(b"a,b,c\n1,2,3\n"))
    with pytest.raises(ListFormatError, match="header lacks source, name"):
        get_format("csl").parse([p])


def test_unknown_format() -> None:
    with pytest.raises(ListFormatError, match="unknown list format"):
        get_format("nope")
