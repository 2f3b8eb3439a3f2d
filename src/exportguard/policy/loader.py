"""Load a policy from YAML: shipped names (``default``, ``eu-833``) or a file path.

A policy with an error is rejected with the line and the reason: YAML syntax
errors carry their mark; validation errors are mapped from the pydantic
location (``rules.chpl_routing.severity_hub``) back to the YAML node's line via
``yaml.compose``. The policy is identified by its id, version and the sha256 of
the file bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from exportguard.contracts.decision import PolicyRef
from exportguard.data import data_path
from exportguard.policy.schema import Policy

SHIPPED_POLICIES: dict[str, str] = {"default": "default.yml", "eu-833": "eu-833.yml"}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ALIASES = {"eu833": "eu-833", "eu_833": "eu-833", "eu": "eu-833"}


class PolicyError(ValueError):
    """A policy that cannot be used: ``source``, ``line`` (1-based, if known) and ``reason``."""

    def __init__(self, source: str, reason: str, line: int | None = None,
                 path: str | None = None) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        self.path = path
        where = f"{source}, line {line}" if line is not None else source
        field = f"{path}: " if path else ""
        super().__init__(f"policy {where}: {field}{reason}")


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    sha256: str
    source: str

    @property
    def ref(self) -> PolicyRef:
        return PolicyRef(id=self.policy.id, version=self.policy.version, sha256=self.sha256)


def _loc_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _node_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of its deepest existing parent)."""
    if root is None:
        return None
    node: yaml.Node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = None
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                    found = value_node
                    # a missing/invalid value reads best at its key's line
                    if not isinstance(value_node, yaml.MappingNode | yaml.SequenceNode):
                        found = value_node
                    break
            if found is None:
                break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                node = node.value[part]
            else:
                break
        else:
            break
    return node.start_mark.line + 1


def parse_policy(text: bytes | str, source: str = "<policy>") -> LoadedPolicy:
    """Parse and validate policy YAML; raise :class:`PolicyError` naming line and reason."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    sha = hashlib.sha256(raw).hexdigest()
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(source, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        root = yaml.compose(decoded, Loader=_LOADER)
        data = yaml.load(decoded, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise PolicyError(source, f"YAML syntax error: {reason}", line) from None
    except yaml.YAMLError as exc:
        raise PolicyError(source, f"YAML error: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyError(source, "a policy must be a YAML mapping (id, version, rules, ...)", 1)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(err.get("loc", ()))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "unknown key"
        elif err.get("type") == "missing":
            msg = "required key is missing"
        more = len(exc.errors()) - 1
        if more:
            msg += f" (and {more} more error{'s' if more > 1 else ''})"
        raise PolicyError(source, msg, _node_line(root, loc), _loc_text(loc)) from None
    ref_errors = policy.reference_errors()
    if ref_errors:
        loc, msg = ref_errors[0]
        raise PolicyError(source, msg, _node_line(root, loc), _loc_text(loc))
    return LoadedPolicy(policy=policy, sha256=sha, source=source)


def shipped_policy_path(name: str) -> Path | None:
    key = _ALIASES.get(name.lower(), name.lower())
    filename = SHIPPED_POLICIES.get(key)
    return data_path("policies", filename) if filename else None


def load_policy(name_or_path: str | Path | None = None) -> LoadedPolicy:
    """A shipped policy by name (``default``, ``eu-833``), else a YAML file path."""
    target = "default" if name_or_path is None else str(name_or_path)
    shipped = shipped_policy_path(target)
    if shipped is not None:
        path = shipped
        source = Path(shipped).name
    else:
        path = Path(target).expanduser()
        source = str(path)
        if not path.is_file():
            names = ", ".join(SHIPPED_POLICIES)
            raise PolicyError(
                target, f"no such policy file, and not a shipped policy name ({names})"
            )
    return parse_policy(path.read_bytes(), source)


def list_shipped() -> list[str]:
    return list(SHIPPED_POLICIES)
