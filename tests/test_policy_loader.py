"""Policy loading: shipped policies, identity (id, version, sha256), errors with line and reason."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from exportguard.contracts.decision import Severity
from exportguard.data import data_path
from exportguard.policy.loader import PolicyError, list_shipped, load_policy, parse_policy

MINIMAL = """\
id: mine
version: 1.0
country_groups:
  conflict: {countries: [RU, UA]}
  hubs: {countries: [AE]}
"""


def test_shipped_policies_load() -> None:
    assert list_shipped() == ["default", "eu-833"]
    default = load_policy("default")
    eu = load_policy("eu-833")
    assert default.policy.id == "default" and eu.policy.id == "eu-833"
    assert set(default.policy.country_groups["conflict"].countries) == {"RU", "UA"}
    assert {"AM", "GE", "KZ", "KG", "TJ", "UZ", "TR", "AE"} <= set(
        default.policy.country_groups["hubs"].countries)
    assert set(eu.policy.country_groups["restricted"].countries) == {"RU", "BY"}
    assert "NO" in eu.policy.country_groups["partners"].countries
    assert eu.policy.rules.reexport_clause.enabled
    assert eu.policy.rules.chpl_routing.severity_conflict is Severity.DENY
    regions = [r.name for r in default.policy.country_groups["conflict"].regions]
    assert regions == ["Crimea", "Sevastopol", "Donetsk", "Luhansk", "Zaporizhzhia", "Kherson"]


def test_policy_identity_is_file_hash() -> None:
    loaded = load_policy("default")
    raw = data_path("policies", "default.yml").read_bytes()
    assert loaded.sha256 == hashlib.sha256(raw).hexdigest()
    assert loaded.ref.id == "default" and loaded.ref.version == "2026.1"
    assert load_policy(None).sha256 == loaded.sha256
    assert load_policy("EU833").policy.id == "eu-833"


def test_policy_from_file(tmp_path: Path) -> None:
    p = tmp_path / "mine.yml"
    p.write_text(MINIMAL)
    loaded = load_policy(str(p))
    assert loaded.policy.id == "mine" and loaded.policy.version == "1.0"
    # unspecified rules take their defaults
    assert loaded.policy.rules.military_to_conflict.severity is Severity.DENY


def _error(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.yml")
    return info.value


def test_bad_severity_names_line_and_reason() -> None:
    err = _error(MINIMAL + "rules:\n  dual_use:\n    severity: forbid\n")
    assert err.line == 8
    assert err.path == "rules.dual_use.severity"
    assert "line 8" in str(err) and "deny" in str(err)


def test_unknown_key_names_line() -> None:
    err = _error(MINIMAL + "rules:\n  chpl_routing:\n    severity_hubs: hold\n")
    assert err.line == 8
    assert "unknown key" in err.reason
    assert err.path == "rules.chpl_routing.severity_hubs"


def test_unknown_group_names_line() -> None:
    err = _error(MINIMAL + "rules:\n  military_to_conflict:\n    groups: [conflict, enemies]\n")
    assert err.line == 8
    assert "unknown country group 'enemies'" in err.reason


def test_bad_country_code_names_line() -> None:
    err = _error(MINIMAL.replace("[AE]", "[AE, XX]"))
    assert err.line == 5
    assert "XX" in err.reason


def test_yaml_norway_problem_explained() -> None:
    err = _error(MINIMAL.replace("[AE]", "[AE, NO]"))
    assert err.line == 5 and '"NO"' in err.reason


def test_yaml_syntax_error_names_line() -> None:
    err = _error("id: x\nversion: 1\nrules: [\n  - a\n  b: c\n")
    assert err.line is not None and err.line >= 3
    assert "YAML syntax error" in err.reason


def test_missing_required_key() -> None:
    err = _error("id: x\n")
    assert err.path == "version" and "missing" in err.reason


def test_not_a_mapping() -> None:
    assert _error("- a\n- b\n").line == 1


def test_unknown_policy_name(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not a shipped policy name"):
        load_policy(str(tmp_path / "nope.yml"))
