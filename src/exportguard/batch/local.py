"""The local batch engine: DuckDB reads, worker processes screen, chunks commit in order.

::

    DuckDB (main process) ── chunk k ──▶ worker process 1 ─┐
       streaming, 1 chunk            ▶ worker process 2 ─┤  (both cores)
                                                          ▼
    main process ◀── results, in chunk order ── commit part k, checkpoint

The main process reads the input as a stream of fixed-size chunks
(:class:`~exportguard.batch.source.TradeSource`), hands them to a pool of
worker processes (spawned, each loading the pickled screening context once:
policy, list metadata, name index) and commits results strictly in chunk order
(:class:`~exportguard.batch.resume.WorkDir`). At most ``2 × workers`` chunks are
in flight, so memory is bounded by the chunk size, not the file size. With
``workers=0`` everything runs in the calling process (tests, debugging).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from exportguard.batch.resume import JobState, WorkDir
from exportguard.batch.screen import OUTPUT_SCHEMA, BatchScreener, ChunkResult
from exportguard.batch.source import TradeSource

DEFAULT_CHUNK_ROWS = 25_000
CONTEXT_FILE = "context.pkl"

ProgressCallback = Callable[[int, int | None], None]


class SimulatedCrash(RuntimeError):
    """Raised by the ``stop_after_chunks`` test hook, as if the job were killed."""


@dataclass
class LocalOptions:
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    workers: int | None = None  # None: one per CPU core; 0: in this process
    restart: bool = False
    # test hook: raise SimulatedCrash after this many chunks were committed in this run
    stop_after_chunks: int | None = None


@dataclass
class LocalResult:
    output: Path
    rows: int
    chunks: int
    resumed: bool
    resumed_from_row: int
    decisions: dict[str, int]
    job_findings: list[dict[str, Any]]
    seconds: float
    workers: int
    as_of: str
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# worker side

_WORKER: BatchScreener | None = None


def _init_worker(context_path: str) -> None:
    import gc

    global _WORKER
    with open(context_path, "rb") as fh:
        _WORKER = pickle.load(fh)
    gc.collect()
    gc.freeze()  # the index and policy are long-lived: keep them out of the collector's way


def _screen_in_worker(index: int, first_row: int, table: pa.Table) -> tuple[int, ChunkResult]:
    assert _WORKER is not None, "worker not initialised"
    return index, _WORKER.screen(table, first_row)


# ---------------------------------------------------------------------------
# driver


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_local(source: TradeSource, output: Path, screener: BatchScreener,
              fingerprint: dict[str, Any], options: LocalOptions | None = None,
              progress: ProgressCallback | None = None,
              metadata: dict[str, Any] | None = None,
              on_state: Callable[[JobState], BatchScreener] | None = None) -> LocalResult:
    """Screen ``source`` into ``output`` (Parquet), resuming unfinished work for the same job.

    ``on_state`` receives the job state once it is known (fresh or resumed)
    and returns the screener to use: the service fixes the screening time to
    the job's ``as_of`` there, so a resumed job decides as the first run did.
    """
    options = options or LocalOptions()
    t0 = time.perf_counter()
    work = WorkDir(output)
    state, resumed = work.open(fingerprint, options.chunk_rows, restart=options.restart)
    if on_state is not None:
        screener = on_state(state)
    if state.total_rows is None:
        state.total_rows = source.count()
        work.save(state)
    total = state.total_rows
    start_chunk = state.committed
    resumed_from_row = state.rows_done
    resumed = resumed and resumed_from_row > 0
    if progress:
        progress(state.rows_done, total)
    workers = default_workers() if options.workers is None else max(0, options.workers)
    committed_this_run = 0

    def commit(index: int, result: ChunkResult) -> None:
        nonlocal committed_this_run
        work.commit(state, index, result.table, dict(result.decisions), result.job_findings)
        committed_this_run += 1
        if progress:
            progress(state.rows_done, total)
        if options.stop_after_chunks is not None and committed_this_run >= \
                options.stop_after_chunks:
            raise SimulatedCrash(f"stopped after {committed_this_run} chunk(s) (test hook)")

    chunks = source.chunks(options.chunk_rows, start_chunk)
    if workers == 0:
        for index, table in chunks:
            commit(index, screener.screen(table, index * options.chunk_rows))
    else:
        ctx_path = work.path / CONTEXT_FILE
        tmp = ctx_path.with_name(ctx_path.name + ".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(screener, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, ctx_path)
        mp = multiprocessing.get_context("spawn")
        window = 2 * workers
        pending: deque[Future[tuple[int, ChunkResult]]] = deque()
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp,
                                   initializer=_init_worker, initargs=(str(ctx_path),))
        try:
            for index, table in chunks:
                pending.append(pool.submit(_screen_in_worker, index,
                                           index * options.chunk_rows, table))
                del table
                while len(pending) >= window:
                    commit(*pending.popleft().result())
            while pending:
                commit(*pending.popleft().result())
        except BaseException:
            # a crash or Ctrl-C: drop queued chunks; committed ones stay for the resume
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    meta = dict(metadata or {})
    meta.update({
        "rows": state.rows_done, "decisions": state.decisions, "as_of": state.as_of,
        "job_findings": state.job_findings, "fingerprint": state.fingerprint,
        "runs": state.runs,
    })
    work.finalize(state, OUTPUT_SCHEMA, meta)
    return LocalResult(
        output=output, rows=state.rows_done, chunks=state.committed, resumed=resumed,
        resumed_from_row=resumed_from_row, decisions=dict(Counter(state.decisions)),
        job_findings=state.job_findings, seconds=time.perf_counter() - t0, workers=workers,
        as_of=state.as_of,
    )
