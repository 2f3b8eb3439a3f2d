"""List entries as a service: the details of one entry, and why a name met it.

- :func:`get_entity` returns one entry of the active list snapshots (names,
  aliases, countries, programs, remarks, source) with the snapshot it comes
  from; entries are indexed once per list version.
- :func:`explain_match` scores a screened name against a listed name (the
  scorer's features and aligned tokens) and splits both names into parts
  marked matched or not, so a face can highlight them.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from exportguard.lists.model import Entity
from exportguard.service.errors import InputError, NotFoundError

_lock = threading.Lock()
_by_version: dict[tuple[str, str], dict[str, Entity]] = {}


def _table(list_id: str) -> tuple[dict[str, Entity], dict[str, Any]]:
    from exportguard.lists.snapshots import default_store

    store = default_store()
    meta = next((m for m in store.active() if m.list_id == list_id), None)
    if meta is None:
        raise NotFoundError(f"no active list {list_id!r}")
    key = (list_id, meta.sha256)
    with _lock:
        table = _by_version.get(key)
    if table is None:
        table = {e.id: e for e in store.entities([list_id])}
        with _lock:
            for old in [k for k in _by_version if k[0] == list_id]:
                del _by_version[old]
            _by_version[key] = table
    info = {"id": meta.list_id, "title": meta.title, "version": meta.version,
            "publication_date": meta.publication_date, "loaded_at": meta.loaded_at,
            "sha256": meta.sha256, "source": meta.source}
    return table, info


def get_entity(entity_id: str) -> dict[str, Any]:
    """One list entry by id (``"{list}:{source id}"``) and the snapshot it is in.

    :class:`NotFoundError` if the list is not active or the entry is not in it
    (for example delisted since a screening cited it).
    """
    if not entity_id or ":" not in entity_id or len(entity_id) > 300:
        raise InputError(f"invalid entity id {entity_id!r}: expected 'list:source_id'")
    list_id = entity_id.split(":", 1)[0]
    table, info = _table(list_id)
    entity = table.get(entity_id)
    if entity is None:
        raise NotFoundError(f"{entity_id!r} is not in the active {list_id} list "
                            f"(version {info['version']}): it may have been delisted")
    data = entity.to_dict()
    data["type"] = str(entity.type.value)
    return {"entity": data, "snapshot": info}


_WORD = re.compile(r"\S+")


def _parts(name: str, matched: dict[str, float]) -> list[dict[str, Any]]:
    """``name`` split into words and the spaces between, each word with its best similarity."""
    from exportguard.names.normalize import normalize

    out: list[dict[str, Any]] = []
    pos = 0
    for m in _WORD.finditer(name):
        if m.start() > pos:
            out.append({"text": name[pos:m.start()], "score": None})
        tokens = normalize(m.group()).split() if matched else []
        score = max((matched.get(t, 0.0) for t in tokens), default=0.0)
        out.append({"text": m.group(), "score": round(score, 3) if tokens else None})
        pos = m.end()
    if pos < len(name):
        out.append({"text": name[pos:], "score": None})
    return out


def explain_match(query: str, listed: str, type: str = "any") -> dict[str, Any]:
    """Why ``query`` met ``listed``: score, features, aligned tokens and highlighted parts.

    Each part is ``{"text", "score"}``: ``score`` is the similarity of the
    aligned token (1.0 exact) or 0 when the word did not align; None for
    spaces and punctuation, and for every word when the scorer aligned no
    tokens (a match on the joined name, for example): nothing is highlighted.
    """
    from exportguard.service.names import compare_names

    res = compare_names(query, listed, type=type, explain=True)
    q_tokens: dict[str, float] = {}
    c_tokens: dict[str, float] = {}
    for qt, ct, sim in res.get("aligned", []):
        q_tokens[qt] = max(q_tokens.get(qt, 0.0), float(sim))
        c_tokens[ct] = max(c_tokens.get(ct, 0.0), float(sim))
    return {**res, "query_parts": _parts(query, q_tokens),
            "listed_parts": _parts(listed, c_tokens)}
