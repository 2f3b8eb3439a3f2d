"""CSV formula injection: every CSV exportguard writes neutralises formula prefixes.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is a formula to a spreadsheet; exportguard writes it with a leading apostrophe
(OWASP's advice). Numbers, and strings that are plainly one number
(``-12.5``), are written as they are. Tested through the real commands.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from exportguard.batch.report import Aggregate, write_csvs
from exportguard.csvsafe import safe_cell, safe_row

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "@SUM(A1)", "-2+3", "\tTAB", "\rCR"]

# A list entry per formula prefix (real lists have "@..." and "-..." names).
SDN_ROWS = [
    (101, '=HYPERLINK("http://x")'),
    (102, "@SUM(A1) TRADING"),
    (103, "-MINUS HOLDINGS"),
    (104, "+PLUS SHIPPING"),
]


def _app() -> typer.Typer:
    from exportguard.cli.app import app  # the real `exportguard` command line

    return app


def _run(*args: str) -> str:
    r = CliRunner().invoke(_app(), list(args))
    assert r.exit_code == 0, r.output
    return r.stdout


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _is_formula(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and safe_cell(cell) != cell


def _no_formula_anywhere(rows: list[list[str]]) -> None:
    bad = [c for r in rows for c in r if _is_formula(c)]
    assert not bad, f"cells a spreadsheet would run as formulas: {bad}"


# ---------------------------------------------------------------- the function


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_prefixes_get_an_apostrophe(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-12.5", "+3", "-0", "-.5", "-1e-3", "12", "Acme", "",
                                   "'=already quoted", "a=b", " =x"])
def test_plain_numbers_and_ordinary_text_are_left_alone(value: str) -> None:
    assert safe_cell(value) == value


def test_non_strings_are_left_alone() -> None:
    assert safe_row([-12.5, -3, Decimal("-1.25"), None, True, "-x"]) == [
        -12.5, -3, Decimal("-1.25"), None, True, "'-x"]
    # not numbers: an expression, a phone number, a number with a tab before it
    for value in ("-1-1", "+44 20 7946 0000", "\t12", "-12.5)", "-NaN", "-inf"):
        assert safe_cell(value) == "'" + value


# ---------------------------------------------------------------- match / compare


@pytest.fixture()
def hostile_list(isolated_home: Path, tmp_path: Path) -> Path:
    """A home whose only list has one entry per formula prefix."""
    sdn = tmp_path / "sdn.csv"
    rest = ",-0- ,\"CUBA\"" + ",-0- " * 8
    sdn.write_text("".join(f'{i},"{n.replace(chr(34), chr(34) * 2)}"{rest}\n'
                           for i, n in SDN_ROWS), encoding="utf-8")
    _run("lists", "load", "ofac", str(sdn), "--list-id", "ofac_sdn")
    return isolated_home


def test_match_output_csv_is_neutralised(hostile_list: Path, tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    with names.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name"])
        for n in [*(n for _, n in SDN_ROWS), *HOSTILE]:
            w.writerow([n])
    hits = tmp_path / "hits.csv"
    _run("match", "--input", str(names), "--column", "name", "--output", str(hits))
    rows = _read(hits)
    header, body = rows[0], rows[1:]
    assert header == ["row", "query", "entity_id", "list", "name", "matched_name", "score",
                      "type"]
    assert len(body) >= len(SDN_ROWS)
    _no_formula_anywhere(rows)
    by_query = {r[1]: r for r in body}
    for _, listed in SDN_ROWS:
        r = by_query["'" + listed]  # the query, and the list's own name, neutralised
        assert r[4] == r[5] == "'" + listed
        assert float(r[6]) == pytest.approx(1.0)  # the score stays a number
        assert r[0].isdigit()


def test_match_parquet_output_is_left_as_data(hostile_list: Path, tmp_path: Path) -> None:
    names = tmp_path / "names.parquet"
    pq.write_table(pa.table({"name": [n for _, n in SDN_ROWS]}), names)
    out = tmp_path / "hits.parquet"
    _run("match", "--input", str(names), "--column", "name", "--output", str(out))
    assert sorted(pq.read_table(out).column("query").to_pylist()) == sorted(
        n for _, n in SDN_ROWS)


def test_compare_output_csv_is_neutralised(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    with pairs.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name1", "name2", "=note"])  # a hostile header too
        w.writerow(['=HYPERLINK("http://x")', "x corp", "-12.5"])
        w.writerow(["+1+1", "@SUM(A1)", "@cmd"])
        w.writerow(["-Acme Trading", "Acme Trading", "ok"])
    scored = tmp_path / "scored.csv"
    _run("compare", "--input", str(pairs), "--output", str(scored))
    rows = _read(scored)
    _no_formula_anywhere(rows)
    assert rows[0] == ["name1", "name2", "'=note", "score", "match", "error"]
    assert [r[:3] for r in rows[1:]] == [
        ["'=HYPERLINK(\"http://x\")", "x corp", "-12.5"],  # a plain number stays a number
        ["'+1+1", "'@SUM(A1)", "'@cmd"],
        ["'-Acme Trading", "Acme Trading", "ok"]]
    for r in rows[1:]:
        assert r[3] == "" or float(r[3]) >= 0


# ---------------------------------------------------------------- batch report


def test_report_csvs_write_numbers_as_numbers_and_text_neutralised(tmp_path: Path) -> None:
    agg = Aggregate("t", "T", ["name", "value", "delta", "note"],
                    [("=cmd", Decimal("-12.50"), -3, "-12.5"), ("@x", 1.5, None, "+1+1")])
    (path,) = write_csvs([agg], tmp_path)
    assert _read(path) == [["name", "value", "delta", "note"],
                           ["'=cmd", "-12.50", "-3", "-12.5"],
                           ["'@x", "1.5", "", "'+1+1"]]


def test_batch_report_csvs_are_neutralised(tmp_path: Path) -> None:
    from exportguard.service.batch import synth_trades

    trades = tmp_path / "trades.parquet"
    synth_trades(600, trades, seed=11, planted_share=0.1)
    t = pq.read_table(trades)
    prefixes = ["=", "+", "-", "@"]

    def hostile(col: str, fmt: str) -> pa.Array:
        return pa.array([fmt.format(p=prefixes[i % 4], v=v)
                         for i, v in enumerate(t.column(col).to_pylist())])

    t = t.set_column(t.schema.get_field_index("exporter_name"), "exporter_name",
                     hostile("exporter_name", '{p}HYPERLINK("http://x/{v}")'))
    t = t.set_column(t.schema.get_field_index("consignee_name"), "consignee_name",
                     hostile("consignee_name", "{p}{v}"))
    pq.write_table(t, trades)
    out, report = tmp_path / "result.parquet", tmp_path / "r.html"
    _run("batch", str(trades), "--out", str(out), "--report", str(report), "--workers", "0",
         "--allow-stale-lists")
    folder = tmp_path / "r_data"
    csvs = sorted(folder.glob("*.csv"))
    assert len(csvs) == 8
    for path in csvs:
        _no_formula_anywhere(_read(path))
    for name, col in (("top_exporters", "exporter"), ("top_consignees", "consignee")):
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert rows, name
        for r in rows:
            assert r[col][:1] == "'" and r[col][1:2] in prefixes, r[col]
            float(r["value"] or 0)  # numbers stay numbers
            assert r["records"].isdigit()


def test_synthetic_trades_csv_and_truth_are_neutralised(tmp_path: Path) -> None:
    """A real list name starting with "-" planted as a consignee: apostrophe in CSV (the
    matcher ignores it), unchanged in Parquet."""
    from exportguard.batch import synth
    from exportguard.lists.model import Entity, EntityType

    listed = Entity(id="x:1", list="other", source_id="1", type=EntityType.ORGANIZATION,
                    name="-VPK NPO Mashinostroeniya", countries=["RU"])
    as_csv = synth.generate(300, tmp_path / "t.csv", seed=1, entities=[listed],
                            planted_share=1.0)
    rows = _read(as_csv.path) + _read(as_csv.truth_path)
    _no_formula_anywhere(rows)
    assert any(c.startswith("'-VPK") for r in rows for c in r)
    as_parquet = synth.generate(300, tmp_path / "t.parquet", seed=1, entities=[listed],
                                planted_share=1.0)
    names = pq.read_table(as_parquet.path).column("consignee_name").to_pylist()
    assert any(n.startswith("-VPK") for n in names)
    assert not any(n.startswith("'") for n in names)
