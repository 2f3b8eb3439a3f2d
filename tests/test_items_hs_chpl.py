"""HS 2022 lookup (first six digits) and CHPL tiers."""

from __future__ import annotations

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
