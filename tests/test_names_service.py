"""Service functions: match_name, compare_names, match_file, compare_file (CSV and Parquet)."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from exportguard.lists.model import Entity, EntityType
from exportguard.names.index import NameIndex
from exportguard.service.errors import InputError
from exportguard.service.names import compare_file, compare_names, match_file, match_name


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build([
        Entity(id="t:1", list="t", source_id="1", type=EntityType.PERSON, name="IVANOV, Ivan",
               aliases=["Иванов Иван"]),
        Entity(id="t:2", list="t", source_id="2", type=EntityType.ORGANIZATION,
               name="Romashka LLC"),
    ])


def test_match_name(index: NameIndex) -> None:
    out = match_name("Ivan Ivanov", index=index)
    assert out["query"] == "Ivan Ivanov"
    assert out["matches"][0]["entity_id"] == "t:1"
    assert set(out["matches"][0]) >= {"entity_id", "list", "name", "matched_name", "score",
                                      "type"}
    assert "features" in match_name("Ivan Ivanov", explain=True, index=index)["matches"][0]
    for bad in ["", "   "]:
        with pytest.raises(ValueError):
            match_name(bad, index=index)
    with pytest.raises(InputError):
        match_name("Ivan", type="robot", index=index)


def test_compare_names() -> None:
    assert compare_names("ООО Ромашка", "Romashka LLC") == {"score": 1.0, "match": True}
    out = compare_names("Ali", "Ali Hassan", explain=True)
    assert out["match"] is False and out["features"]
    with pytest.raises(InputError):
        compare_names("", "x")


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


@pytest.mark.parametrize(("src", "dst"), [("csv", "csv"), ("csv", "parquet"),
                                          ("parquet", "csv"), ("parquet", "parquet")])
def test_match_file(tmp_path: Path, index: NameIndex, src: str, dst: str) -> None:
    names = ["Nobody Here", "Ivanov Ivan", "", "OOO Romashka", "Ivanov Ivan"]
    inp = tmp_path / f"in.{src}"
    if src == "csv":
        _write_csv(inp, [{"id": str(i), "party": n} for i, n in enumerate(names)])
    else:
        pq.write_table(pa.table({"party": names}), inp)
    out = tmp_path / f"out.{dst}"
    seen = []
    summary = match_file(inp, "party", out, progress_callback=lambda d, t: seen.append(d),
                         index=index)
    assert summary["rows"] == 5 and summary["matched_rows"] == 3
    assert seen[-1] == 5
    table = pq.read_table(out) if dst == "parquet" else pa.csv.read_csv(out)
    rows = table.to_pylist()
    assert [r["row"] for r in rows] == [1, 3, 4]
    assert rows[0]["entity_id"] == "t:1" and rows[1]["entity_id"] == "t:2"
    assert table.column_names == ["row", "query", "entity_id", "list", "name", "matched_name",
                                  "score", "type"]


def test_match_file_errors(tmp_path: Path, index: NameIndex) -> None:
    with pytest.raises(InputError, match="not found"):
        match_file(tmp_path / "nope.csv", "name", tmp_path / "o.csv", index=index)
    inp = tmp_path / "in.csv"
    _write_csv(inp, [{"id": "1", "party": "x"}])
    with pytest.raises(InputError, match="columns: id, party"):
        match_file(inp, "name", tmp_path / "o.csv", index=index)
    fake = tmp_path / "fake.parquet"
    fake.write_text("not parquet at all", encoding="utf-8")
    with pytest.raises(InputError, match="Parquet"):
        match_file(fake, "name", tmp_path / "o.csv", index=index)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x00garbage\x00\xff")
    with pytest.raises(InputError):
        match_file(binary, "name", tmp_path / "o.csv", index=index)
    with pytest.raises(InputError):
        match_file(inp, "party", tmp_path / "o.xlsx", index=index)


def test_compare_file(tmp_path: Path) -> None:
    inp = tmp_path / "pairs.csv"
    _write_csv(inp, [
        {"name1": "Иванов Иван", "name2": "Ivanov Ivan", "type": "person"},
        {"name1": "Ali", "name2": "Ali Hassan", "type": ""},
        {"name1": "", "name2": "x", "type": ""},
    ])
    out = tmp_path / "scored.csv"
    summary = compare_file(inp, out)
    assert summary == {"rows": 3, "matches": 1, "output": str(out)}
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["match"] == "true" and float(rows[0]["score"]) == 1.0
    assert rows[1]["match"] == "false"
    assert rows[2]["error"]
    bad = tmp_path / "bad.csv"
    _write_csv(bad, [{"a": "1", "b": "2"}])
    with pytest.raises(InputError, match="name1,name2"):
        compare_file(bad, out)
    with pytest.raises(InputError, match="not found"):
        compare_file(tmp_path / "missing.csv", out)
