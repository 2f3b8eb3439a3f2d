"""The synthetic trade generator: deterministic, realistic columns, every planted kind, truth."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from exportguard.batch.mapping import ColumnMapping, resolve_mapping
from exportguard.batch.synth import COLUMNS, PLANTED_KINDS, generate, read_truth, spelling_variant
from exportguard.lists.model import Entity, EntityType


def _entities() -> list[Entity]:
    return [
        Entity(id="un_sc:1", list="un_sc", source_id="1", type=EntityType.ORGANIZATION,
               name="KOREA MINING DEVELOPMENT TRADING CORPORATION", countries=["KP"]),
        Entity(id="ofac_sdn:2", list="ofac_sdn", source_id="2", type=EntityType.ORGANIZATION,
               name="ALMAZ ANTEY AIR DEFENSE CONCERN", countries=["RU"]),
        Entity(id="ofac_sdn:3", list="ofac_sdn", source_id="3", type=EntityType.PERSON,
               name="John Doe"),
    ]


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    generate(2000, a, seed=3, entities=_entities())
    generate(2000, b, seed=3, entities=_entities())
    generate(2000, c, seed=4, entities=_entities())
    assert a.read_bytes() == b.read_bytes()
    assert a.with_name("a.truth.csv").read_bytes() == b.with_name("b.truth.csv").read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_columns_fit_the_default_mapping_and_all_kinds_are_planted(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    summary = generate(3000, path, seed=1, entities=_entities(), planted_share=0.2)
    t = pq.read_table(path)
    assert t.column_names == list(COLUMNS) and t.num_rows == 3000
    resolve_mapping(ColumnMapping(), t.column_names)  # no error
    truth = read_truth(summary.truth_path)
    assert len(truth) == summary.planted
    assert {r["kind"] for r in truth.values()} == {k.name for k in PLANTED_KINDS}
    ids = set(t.column("declaration_id").to_pylist())
    assert set(truth) <= ids
    # party names repeat heavily, as in real extracts
    assert len(set(t.column("consignee_name").to_pylist())) < 3000 / 5


def test_spelling_variants_stay_close() -> None:
    import random

    rng = random.Random(0)
    name = "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    for _ in range(50):
        v, how = spelling_variant(name, rng)
        assert v and abs(len(v) - len(name)) <= 20, (v, how)


def test_without_lists_no_listed_cases(tmp_path: Path) -> None:
    s = generate(500, tmp_path / "x.csv", seed=2, entities=[], planted_share=0.3)
    assert "un_listed_consignee" not in s.planted_by_kind and s.planted > 0
