"""Military List and dual-use control codes."""

from __future__ import annotations

import pytest

from exportguard.items.control_codes import ControlKind, parse_control_code


@pytest.mark.parametrize(("code", "entry", "category"), [
    ("ML1", "ML1", "1"), ("ML10.a", "ML10", "10"), ("ml 4.b.2", "ML4", "4"),
    ("ML22", "ML22", "22"), ("ML01", "ML1", "1"),
])
def test_military(code: str, entry: str, category: str) -> None:
    c = parse_control_code(code)
    assert c.kind is ControlKind.MILITARY
    assert (c.entry, c.category) == (entry, category)
    assert c.controlled


@pytest.mark.parametrize("code", ["ML0", "ML23", "ML", "MLX"])
def test_military_out_of_range_is_unrecognised(code: str) -> None:
    assert parse_control_code(code).kind is ControlKind.UNRECOGNISED


@pytest.mark.parametrize(("code", "cat", "group", "norm"), [
    ("3A001.a.1", "3", "A", "3A001.a.1"), ("5a002", "5", "A", "5A002"),
    ("9E003.a.2", "9", "E", "9E003.a.2"), ("0C001", "0", "C", "0C001"),
    ("6A003.B.4", "6", "A", "6A003.b.4"),
])
def test_dual_use(code: str, cat: str, group: str, norm: str) -> None:
    c = parse_control_code(code)
    assert c.kind is ControlKind.DUAL_USE
    assert (c.category, c.group, c.normalized) == (cat, group, norm)
    assert c.category_name and c.group_name


@pytest.mark.parametrize("code", ["3F001", "3A01", "AA001", "XX-42", "3A0011"])
def test_not_dual_use(code: str) -> None:
    assert parse_control_code(code).kind is ControlKind.UNRECOGNISED


@pytest.mark.parametrize("code", ["EAR99", "ear99", "NLR"])
def test_not_listed(code: str) -> None:
    c = parse_control_code(code)
    assert c.kind is ControlKind.NOT_LISTED and not c.controlled
