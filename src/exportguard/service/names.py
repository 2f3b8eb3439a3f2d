"""Name screening services the faces call: one name, two names, or a file of names.

- :func:`match_name` screens one name against the default index.
- :func:`compare_names` scores two names.
- :func:`match_file` screens a CSV/Parquet column in streamed chunks and writes
  one row per match (CSV or Parquet, by the output extension).
- :func:`compare_file` scores ``name1,name2[,type]`` rows of a CSV.

Every problem a user can fix is an :class:`InputError` (a ``ValueError``) with
a message that says what is wrong.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from exportguard.csvsafe import safe_row
from exportguard.names.index import NameIndex
from exportguard.names.model import Match
from exportguard.names.score import DEFAULT_THRESHOLD, ENTITY_KINDS, compare
from exportguard.service.errors import InputError, ListsUnavailableError

TYPES = (*ENTITY_KINDS, "any")
CHUNK_ROWS = 20_000
OUTPUT_SCHEMA = pa.schema([
    ("row", pa.int64()),
    ("query", pa.string()),
    ("entity_id", pa.string()),
    ("list", pa.string()),
    ("name", pa.string()),
    ("matched_name", pa.string()),
    ("score", pa.float64()),
    ("type", pa.string()),
])

ProgressCallback = Callable[[int, int | None], None]


def _check_type(type: str) -> str:
    value = (type or "any").strip().lower()
    if value not in TYPES:
        raise InputError(f"unknown type {type!r}: use one of {', '.join(TYPES)}")
    return value


def _check_threshold(threshold: float | None) -> float:
    if threshold is None:
        return DEFAULT_THRESHOLD
    if not 0.0 <= float(threshold) <= 1.0:
        raise InputError(f"threshold must be between 0 and 1, not {threshold}")
    return float(threshold)


def _check_name(name: Any, what: str = "name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{what} is empty")
    return name


def _index(index: NameIndex | None) -> NameIndex:
    """The given index, else the one over the loaded lists; :class:`ListsUnavailableError`
    when lists are missing or broken (a name check never answers "no match" then)."""
    if index is not None:
        return index
    from exportguard.service.screening import load_list_state

    state = load_list_state()
    if state.problems or state.matcher is None:
        raise ListsUnavailableError("; ".join(state.problems) or "no name index available")
    return state.matcher  # type: ignore[return-value]


def match_name(
    name: str,
    type: str = "any",
    limit: int = 10,
    threshold: float | None = None,
    explain: bool = False,
    index: NameIndex | None = None,
) -> dict[str, Any]:
    """``{"query", "matches": [...]}``, best first, only matches at or above the threshold."""
    name = _check_name(name)
    kind = _check_type(type)
    thr = _check_threshold(threshold)
    if limit < 1:
        raise InputError(f"limit must be at least 1, not {limit}")
    try:
        matches = _index(index).search(name, type=kind, threshold=thr, limit=limit,
                                       explain=explain)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    return {"query": name, "matches": [m.to_dict(explain=explain) for m in matches]}


def compare_names(a: str, b: str, type: str = "any", explain: bool = False,
                  threshold: float | None = None) -> dict[str, Any]:
    """``{"score", "match"}`` (plus features and normalised forms when ``explain``)."""
    _check_name(a, "name1")
    _check_name(b, "name2")
    kind = _check_type(type)
    thr = _check_threshold(threshold)
    try:
        res = compare(a, b, type=kind, threshold=thr)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    out: dict[str, Any] = {"score": res.score, "match": res.match}
    if explain:
        out["features"] = [
            {"name": f.name, "value": f.value, "weight": f.weight, "detail": f.detail}
            for f in res.features
        ]
        out["normalized"] = [res.query_normalized, res.candidate_normalized]
        out["aligned"] = [list(a) for a in res.aligned]
    return out


# ---------------------------------------------------------------- bulk files
def _kind_of_path(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".csv", ".txt", ".tsv") or path.name.lower().endswith(".csv.gz"):
        return "csv"
    raise InputError(f"{path}: unsupported file type {suffix!r} (use .csv or .parquet)")


def _csv_options(path: Path) -> pacsv.ParseOptions:
    return pacsv.ParseOptions(delimiter="\t" if path.suffix.lower() == ".tsv" else ",",
                              newlines_in_values=True)


def _iter_column(path: Path, column: str) -> tuple[Iterator[pa.Array], int | None]:
    """Batches of the column as strings, and the row count when cheap to know."""
    if not path.is_file():
        raise InputError(f"input file not found: {path}")
    fmt = _kind_of_path(path)
    if fmt == "parquet":
        try:
            pf = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"{path} is not a readable Parquet file: {exc}") from exc
        names = pf.schema_arrow.names
        if column not in names:
            raise InputError(f"column {column!r} not in {path.name}; columns: {', '.join(names)}")
        total = pf.metadata.num_rows

        def parquet_batches() -> Iterator[pa.Array]:
            for batch in pf.iter_batches(batch_size=CHUNK_ROWS, columns=[column]):
                yield batch.column(0).cast(pa.string())

        return parquet_batches(), total
    read_opts = pacsv.ReadOptions(block_size=4 << 20)
    try:
        probe = pacsv.open_csv(path, read_options=read_opts, parse_options=_csv_options(path))
        names = probe.schema.names
        probe.close()
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not a readable CSV file: {exc}") from exc
    if column not in names:
        raise InputError(f"column {column!r} not in {path.name}; columns: {', '.join(names)}")
    convert = pacsv.ConvertOptions(include_columns=[column], column_types={column: pa.string()},
                                   strings_can_be_null=True)

    def csv_batches() -> Iterator[pa.Array]:
        try:
            reader = pacsv.open_csv(path, read_options=read_opts,
                                    parse_options=_csv_options(path), convert_options=convert)
            for batch in reader:
                yield batch.column(0)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise InputError(f"{path} is not a readable CSV file: {exc}") from exc

    return csv_batches(), None


class _Writer:
    """Match rows to Parquet (as they are) or CSV (text cells neutralised: :mod:`csvsafe`)."""

    def __init__(self, path: Path) -> None:
        self.fmt = _kind_of_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.writer: Any
        if self.fmt == "parquet":
            self.writer = pq.ParquetWriter(path, OUTPUT_SCHEMA)
        else:
            self.writer = pacsv.CSVWriter(path, OUTPUT_SCHEMA)

    def write(self, rows: dict[str, list[Any]]) -> None:
        if self.fmt == "csv":
            rows = {k: safe_row(v) for k, v in rows.items()}
        self.writer.write_table(pa.table(rows, schema=OUTPUT_SCHEMA))

    def close(self) -> None:
        self.writer.close()


def match_file(
    input_path: str | Path,
    column: str,
    output_path: str | Path,
    type: str = "any",
    threshold: float | None = None,
    limit: int = 10,
    progress_callback: ProgressCallback | None = None,
    index: NameIndex | None = None,
) -> dict[str, Any]:
    """Screen one column of a CSV/Parquet file; write one row per match at or above threshold.

    Output columns: ``row`` (0-based input row), ``query``, ``entity_id``,
    ``list``, ``name``, ``matched_name``, ``score``, ``type``; best first within
    a row; rows without a match (or with an empty name) are left out.
    """
    inp, outp = Path(input_path), Path(output_path)
    kind = _check_type(type)
    thr = _check_threshold(threshold)
    _kind_of_path(outp)
    batches, total = _iter_column(inp, column)
    idx = _index(index)
    t0 = time.perf_counter()
    rows_done = matched_rows = n_matches = 0
    writer = _Writer(outp)
    try:
        for arr in batches:
            values = arr.to_pylist()
            cache: dict[str, list[Match]] = {}
            out: dict[str, list[Any]] = {f.name: [] for f in OUTPUT_SCHEMA}
            for offset, value in enumerate(values):
                if value is None or not value.strip():
                    continue
                found = cache.get(value)
                if found is None:
                    found = idx.search_many([value], type=kind, threshold=thr, limit=limit)[0]
                    cache[value] = found
                if found:
                    matched_rows += 1
                for m in found:
                    n_matches += 1
                    out["row"].append(rows_done + offset)
                    out["query"].append(value)
                    out["entity_id"].append(m.entity_id)
                    out["list"].append(m.list)
                    out["name"].append(m.name)
                    out["matched_name"].append(m.matched_name)
                    out["score"].append(m.score)
                    out["type"].append(m.type)
            writer.write(out)
            rows_done += len(values)
            if progress_callback is not None:
                progress_callback(rows_done, total)
    finally:
        writer.close()
    return {
        "rows": rows_done,
        "matched_rows": matched_rows,
        "matches": n_matches,
        "seconds": round(time.perf_counter() - t0, 3),
        "output": str(outp),
    }


def compare_file(input_path: str | Path, output_path: str | Path,
                 threshold: float | None = None,
                 progress_callback: ProgressCallback | None = None) -> dict[str, Any]:
    """Score ``name1,name2[,type]`` CSV rows; write them back with ``score,match`` added.

    A row with an empty or letterless name gets an empty score, ``match`` false
    and the reason in ``error``. Cells a spreadsheet would run as formulas get
    an apostrophe (:mod:`exportguard.csvsafe`).
    """
    inp, outp = Path(input_path), Path(output_path)
    thr = _check_threshold(threshold)
    if not inp.is_file():
        raise InputError(f"input file not found: {inp}")
    try:
        with inp.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
            fields = list(rows[0].keys()) if rows else []
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{inp} is not a readable CSV file: {exc}") from exc
    if rows and not {"name1", "name2"} <= set(fields):
        raise InputError(f"{inp.name} needs columns name1,name2[,type]; columns: "
                         f"{', '.join(f for f in fields if f)}")
    out_fields = [f for f in fields if f is not None] + ["score", "match", "error"]
    matched = 0
    outp.parent.mkdir(parents=True, exist_ok=True)
    with outp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(safe_row(out_fields))
        for i, row in enumerate(rows):
            rec = {k: v for k, v in row.items() if k is not None}
            try:
                kind = _check_type(row.get("type") or "any")
                res = compare(row.get("name1") or "", row.get("name2") or "", type=kind,
                              threshold=thr)
                rec.update(score=res.score, match=str(res.match).lower(), error="")
                matched += res.match
            except ValueError as exc:
                rec.update(score="", match="false", error=f"row {i}: {exc}")
            writer.writerow(safe_row(rec.get(f, "") for f in out_fields))
            if progress_callback is not None and (i + 1) % 1000 == 0:
                progress_callback(i + 1, len(rows))
    if progress_callback is not None:
        progress_callback(len(rows), len(rows))
    return {"rows": len(rows), "matches": matched, "output": str(outp)}
