"""Read a trade file (CSV or Parquet) with DuckDB as a stream of fixed-size Arrow chunks.

The file's columns are renamed to the canonical field names of the column
mapping and nothing else is done to them: text stays text, numbers stay
numbers, every value is parsed later in Python (:mod:`exportguard.batch.records`)
so that the local and the Spark engine parse identically. Chunk ``k`` is always
rows ``[k * chunk_rows, (k + 1) * chunk_rows)`` of the file in file order, which
is what makes a resumed job continue exactly where the last one committed.
DuckDB streams: memory holds about one chunk, whatever the file size.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from exportguard.batch.mapping import FIELDS, ColumnMapping, ResolvedMapping, resolve_mapping
from exportguard.service.errors import InputError

CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".txt", ".csv.zst")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_NUMERIC_KINDS = {"float"}


def file_kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    raise InputError(f"{path}: unknown file type (expected .csv, .csv.gz, .tsv or .parquet)")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class TradeSource:
    """A trade file opened with DuckDB, its columns checked against the mapping."""

    def __init__(self, path: Path, mapping: ColumnMapping, *, threads: int = 1,
                 memory_limit: str = "512MB") -> None:
        import duckdb

        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(2, "No such file", str(self.path))
        if self.path.is_dir():
            raise InputError(f"{self.path} is a directory: give one CSV or Parquet file")
        self.kind = file_kind(self.path)
        self.con = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit,
                                          "preserve_insertion_order": True})
        p = _sql_string(str(self.path))
        if self.kind == "csv":
            self.relation = f"read_csv({p}, header=true, all_varchar=true)"
        else:
            self.relation = f"read_parquet({p})"
        try:
            desc = self.con.execute(f"DESCRIBE SELECT * FROM {self.relation}").fetchall()
        except duckdb.Error as exc:
            raise InputError(f"{self.path}: cannot read as {self.kind}: {exc}") from None
        self.columns: list[str] = [row[0] for row in desc]
        self.types: dict[str, str] = {row[0]: str(row[1]) for row in desc}
        self.mapping: ResolvedMapping = resolve_mapping(mapping, self.columns)

    def projection(self) -> str:
        """``SELECT`` list: each mapped column under its field name (numbers kept as DOUBLE)."""
        parts: list[str] = []
        for spec in FIELDS:
            col = self.mapping.columns.get(spec.name)
            if col is None:
                continue
            ctype = self.types.get(col, "VARCHAR").upper()
            numeric = any(t in ctype for t in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL"))
            if spec.kind in _NUMERIC_KINDS and numeric:
                parts.append(f"CAST({_quote(col)} AS DOUBLE) AS {spec.name}")
            elif spec.kind == "hs" and numeric:  # digits, never "930200.0" or "8.5E9"
                parts.append(f"CAST(CAST({_quote(col)} AS BIGINT) AS VARCHAR) AS {spec.name}")
            else:
                parts.append(f"CAST({_quote(col)} AS VARCHAR) AS {spec.name}")
        return ", ".join(parts)

    def count(self) -> int:
        if self.kind == "parquet":
            rows = self.con.execute(
                f"SELECT sum(num_rows) FROM parquet_file_metadata({_sql_string(str(self.path))})"
            ).fetchall()
        else:
            rows = self.con.execute(f"SELECT count(*) FROM {self.relation}").fetchall()
        return int(rows[0][0] or 0) if rows else 0

    def chunks(self, chunk_rows: int, start_chunk: int = 0) -> Iterator[tuple[int, pa.Table]]:
        """``(chunk_index, table)`` from ``start_chunk`` on; every chunk but the last is full."""
        if chunk_rows <= 0:
            raise ValueError("chunk_rows must be positive")
        sql = f"SELECT {self.projection()} FROM {self.relation}"
        rel = self.con.sql(sql)
        size = min(chunk_rows, 100_000)
        # DuckDB 2 names it to_arrow_reader; 1.x fetch_record_batch
        make = getattr(rel, "to_arrow_reader", None) or rel.fetch_record_batch
        reader = make(size)
        skip = start_chunk * chunk_rows
        index = start_chunk
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        for batch in reader:
            if skip:
                if batch.num_rows <= skip:
                    skip -= batch.num_rows
                    continue
                batch = batch.slice(skip)
                skip = 0
            pending.append(batch)
            pending_rows += batch.num_rows
            while pending_rows >= chunk_rows:
                table = pa.Table.from_batches(pending)
                yield index, table.slice(0, chunk_rows).combine_chunks()
                index += 1
                rest = table.slice(chunk_rows)
                pending = rest.to_batches() if rest.num_rows else []
                pending_rows = rest.num_rows
        if pending_rows:
            yield index, pa.Table.from_batches(pending).combine_chunks()

    def close(self) -> None:
        self.con.close()
