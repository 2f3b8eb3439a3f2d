"""Resumable batch jobs: committed chunks, a checkpoint, and an atomic final output.

A job writing ``RESULT.parquet`` works in ``RESULT.parquet.work/`` beside it
(same file system, so renames are atomic)::

    job.json            the checkpoint: job fingerprint, chunk size, how many
                        chunks are committed, counts, the screening time
    part-000000.parquet one file per committed chunk, in input order
    context.pkl         the screening context the workers load

Commit protocol for chunk ``k`` (chunks are committed strictly in order):

1. write ``part-k.parquet.tmp``, fsync it, rename it to ``part-k.parquet``;
2. write ``job.json.tmp`` with ``committed = k + 1``, fsync, rename over
   ``job.json``, fsync the directory.

A job killed anywhere leaves ``job.json`` naming a prefix of chunks whose part
files are complete. The next run with the same fingerprint (input file, its
size and modification time, mapping, policy, list versions, chunk size)
deletes any part beyond that prefix and continues at chunk ``committed`` with
the same screening time, so no record is written twice and none is dropped.
A run with a different fingerprint refuses to mix results (``restart=True``
discards the old work). When all chunks are committed the parts are
concatenated into ``RESULT.parquet.tmp-<pid>``, fsynced and renamed over
``RESULT.parquet``; readers see the old file or the complete new one, never a
partial file. The work directory is removed last.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from exportguard.service.errors import ConflictError

JOB_FILE = "job.json"
STATE_VERSION = 1
COMPRESSION = "zstd"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression=COMPRESSION)
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@dataclass
class JobState:
    fingerprint: dict[str, Any]
    chunk_rows: int
    committed: int = 0  # chunks 0 .. committed-1 are in part files
    rows_done: int = 0
    total_rows: int | None = None
    decisions: dict[str, int] = field(default_factory=dict)
    job_findings: list[dict[str, Any]] = field(default_factory=list)
    as_of: str = ""  # the screening time (ISO 8601 UTC), fixed for the whole job
    started_at: str = ""
    updated_at: str = ""
    runs: int = 1
    version: int = STATE_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> JobState:
        data = json.loads(text)
        return cls(**data)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _diff(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


class WorkDir:
    """The work directory of one output file."""

    def __init__(self, output: Path) -> None:
        self.output = Path(output)
        self.path = self.output.with_name(self.output.name + ".work")
        self.job_file = self.path / JOB_FILE

    def exists(self) -> bool:
        return self.job_file.exists()

    def read_state(self) -> JobState | None:
        try:
            return JobState.from_json(self.job_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            return None

    def open(self, fingerprint: dict[str, Any], chunk_rows: int, *, restart: bool = False,
             resume: bool = True) -> tuple[JobState, bool]:
        """The job state to continue (``resumed=True``) or a fresh one.

        Raises :class:`ConflictError` when unfinished work for a different job is
        there and neither ``restart`` nor ``resume=False`` says to discard it.
        """
        state = self.read_state() if self.path.exists() else None
        if state is not None and not restart and resume:
            differs = _diff(state.fingerprint, fingerprint)
            if state.chunk_rows != chunk_rows:
                differs.append("chunk_rows")
            if state.version != STATE_VERSION:
                differs.append("state version")
            if differs:
                raise ConflictError(
                    f"{self.path} holds an unfinished job for different settings (differs in: "
                    f"{', '.join(differs)}); rerun with --restart to discard it, or with the "
                    "same settings to resume it"
                )
            self._drop_parts_from(state.committed)
            state.runs += 1
            state.updated_at = _now()
            self.save(state)
            return state, True
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        now = _now()
        state = JobState(fingerprint=fingerprint, chunk_rows=chunk_rows, as_of=now,
                         started_at=now, updated_at=now)
        self.save(state)
        return state, False

    def save(self, state: JobState) -> None:
        atomic_write_bytes(self.job_file, state.to_json().encode("utf-8"))

    def part_path(self, index: int) -> Path:
        return self.path / f"part-{index:06d}.parquet"

    def _drop_parts_from(self, first: int) -> None:
        for p in self.path.glob("part-*.parquet*"):
            stem = p.name.split(".")[0]
            try:
                idx = int(stem.removeprefix("part-"))
            except ValueError:
                continue
            if idx >= first or p.name.endswith(".tmp"):
                p.unlink(missing_ok=True)

    def commit(self, state: JobState, index: int, table: pa.Table,
               decisions: dict[str, int], job_findings: list[dict[str, Any]]) -> None:
        """Make chunk ``index`` durable, then advance the checkpoint past it."""
        if index != state.committed:
            raise RuntimeError(f"chunk {index} committed out of order (next is {state.committed})")
        write_parquet_atomic(table, self.part_path(index))
        state.committed = index + 1
        state.rows_done += table.num_rows
        for k, v in decisions.items():
            state.decisions[k] = state.decisions.get(k, 0) + v
        seen = {(f["rule"], f["subject"], f["message"]) for f in state.job_findings}
        for f in job_findings:
            key = (f["rule"], f["subject"], f["message"])
            if key not in seen:
                seen.add(key)
                state.job_findings.append(f)
        state.updated_at = _now()
        self.save(state)

    def parts(self, state: JobState) -> list[Path]:
        return [self.part_path(i) for i in range(state.committed)]

    def finalize(self, state: JobState, schema: pa.Schema, metadata: dict[str, Any]) -> None:
        """Concatenate the committed parts into the output, atomically; remove the work dir."""
        md = dict(schema.metadata or {})
        md[b"exportguard.batch"] = json.dumps(metadata, ensure_ascii=False,
                                              sort_keys=True).encode("utf-8")
        schema = schema.with_metadata(md)
        self.output.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.output.with_name(f".{self.output.name}.tmp-{os.getpid()}")
        try:
            with pq.ParquetWriter(tmp, schema, compression=COMPRESSION) as writer:
                for part in self.parts(state):
                    pf = pq.ParquetFile(part)
                    for i in range(pf.num_row_groups):
                        writer.write_table(pf.read_row_group(i).cast(schema))
            with tmp.open("rb+") as fh:
                os.fsync(fh.fileno())
            old = None
            if self.output.is_dir():  # e.g. an earlier Spark result: set it aside first
                old = self.output.with_name(f".{self.output.name}.old-{os.getpid()}")
                os.replace(self.output, old)
            os.replace(tmp, self.output)
            _fsync_dir(self.output.parent)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        shutil.rmtree(self.path, ignore_errors=True)
