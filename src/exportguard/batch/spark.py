"""The Spark batch engine: the same screening as a PySpark job, on ``local[*]`` or any cluster.

::

    spark.read (CSV/Parquet) → select mapped columns → row numbers
        → mapInArrow(screen)  ← broadcast: pickled BatchScreener (policy, lists, name index)
        → write Parquet (Spark's commit protocol)

Every executor's Python worker unpickles the broadcast screening context once
and runs :meth:`exportguard.batch.screen.BatchScreener.screen` on its Arrow
batches: the code that decides is the code the local engine runs, so both
engines give the same decisions for the same file (a test checks it).

Row numbers are the 0-based positions in the input, as in the local engine:
``monotonically_increasing_id`` (partition id in the high bits, position in
the partition in the low bits) plus the number of rows of all earlier
partitions, counted in one cheap pass. The numbered rows are then spread over
many partitions for screening, so a file Spark reads as one partition (a
small Parquet file, a CSV read with ``multiLine`` so that quoted line breaks
parse as in DuckDB) still uses every core.

Output: a Parquet *directory* (Spark's layout). On a local file system it is
written to a temporary directory beside the target and renamed into place, so
readers never see half a result; with a URI (``hdfs://``, ``s3a://``) Spark's
own output committer does that job. pyspark is imported lazily: without it the
engine says how to install it.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from exportguard.batch.mapping import FIELDS, ColumnMapping, resolve_mapping
from exportguard.batch.screen import OUTPUT_SCHEMA, BatchScreener
from exportguard.batch.source import file_kind
from exportguard.service.errors import InputError

ROW_COLUMN = "__eg_row"
METADATA_FILE = "_exportguard_batch.json"  # beside the part files of a local result
_MASK = (1 << 33) - 1

ProgressCallback = Callable[[int, int | None], None]


def require_pyspark() -> Any:
    try:
        import pyspark
    except ImportError:
        raise InputError(
            "the Spark engine needs pyspark (and Java 17+): pip install 'exportguard[spark]'"
        ) from None
    return pyspark


# ---------------------------------------------------------------------------
# executor side

_EXECUTOR_CACHE: dict[str, BatchScreener] = {}


def _executor_screener(bc: Any, key: str) -> BatchScreener:
    """The broadcast screener, unpickled once per Python worker (``key``: the job's token)."""
    screener = _EXECUTOR_CACHE.get(key)
    if screener is None:
        import gc

        screener = pickle.loads(bc.value)
        _EXECUTOR_CACHE.clear()
        _EXECUTOR_CACHE[key] = screener
        gc.collect()
        gc.freeze()
    return screener


def _make_screen_fn(bc: Any, key: str
                    ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def screen_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        screener = _executor_screener(bc, key)
        for batch in batches:
            if batch.num_rows == 0:
                continue
            rows = batch.column(ROW_COLUMN).to_pylist()
            result = screener.screen(batch, rows[0], row_numbers=rows)
            yield from result.table.to_batches()

    return screen_batches


# ---------------------------------------------------------------------------
# driver


def spark_session(master: str | None = None, conf: dict[str, str] | None = None,
                  app_name: str = "exportguard-batch") -> Any:
    """A session on ``master`` (default ``local[*]``), Arrow enabled, this Python on workers."""
    require_pyspark()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name).master(master or "local[*]")
    settings = {
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.execution.arrow.maxRecordsPerBatch": "5000",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",  # our own progress bar shows the ETA
        "spark.sql.shuffle.partitions": "8",
        "spark.driver.memory": "2g",
    }
    if (master or "local").startswith("local"):
        # Local workers run this interpreter (and see this installation of
        # exportguard); PySpark reads the choice from the environment.
        settings["spark.pyspark.python"] = sys.executable
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings.update(conf or {})
    for k, v in settings.items():
        builder = builder.config(k, v)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _read(spark: Any, path: str, kind: str) -> Any:
    if kind == "csv":
        return (spark.read.option("header", True).option("inferSchema", False)
                .option("escape", '"').option("multiLine", True)
                .option("mode", "PERMISSIVE").csv(path))
    return spark.read.parquet(path)


def _is_uri(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def _poll_progress(spark: Any, total: int, progress: ProgressCallback,
                   stop: threading.Event) -> None:
    tracker = spark.sparkContext.statusTracker()
    while not stop.wait(0.5):
        try:
            done = n = 0
            for sid in tracker.getActiveStageIds():
                info = tracker.getStageInfo(sid)
                if info is not None:
                    done += info.numCompletedTasks
                    n += info.numTasks
            if n:
                progress(int(total * done / n), total)
        except Exception:  # progress is best effort
            pass


def run_spark(input_path: Path | str, output: Path | str, mapping: ColumnMapping,
              screener: BatchScreener, *, master: str | None = None,
              conf: dict[str, str] | None = None,
              progress: ProgressCallback | None = None,
              spark: Any = None, partitions: int | None = None) -> dict[str, Any]:
    """Screen ``input_path`` with Spark into the Parquet directory ``output``.

    Rows are numbered in file order first, then spread over ``partitions``
    (default: twice the cluster's parallelism, at least one per 50,000 rows)
    for screening.
    """
    require_pyspark()
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    t0 = time.perf_counter()
    in_str = str(input_path)
    kind = file_kind(Path(in_str.split("://", 1)[-1]))
    own_session = spark is None
    if spark is None:
        spark = spark_session(master, conf)
    try:
        df = _read(spark, in_str, kind)
        resolved = resolve_mapping(mapping, df.columns)
        dtypes = dict(df.dtypes)
        cols = []
        for spec in FIELDS:
            col = resolved.columns.get(spec.name)
            if col is None:
                continue
            numeric = dtypes.get(col, "string") in ("int", "bigint", "double", "float",
                                                    "smallint", "tinyint") or \
                dtypes.get(col, "").startswith("decimal")
            target = "double" if spec.kind == "float" and numeric else "string"
            column = F.col(f"`{col}`")
            if spec.kind == "hs" and numeric:  # digits, never "930200.0" or "8.5423E9"
                column = column.cast("bigint")
            cols.append(column.cast(target).alias(spec.name))
        mid = F.monotonically_increasing_id()
        staged = df.select(*cols).withColumn("__eg_mid", mid)
        staged = staged.persist()
        counts = dict(staged.groupBy(F.spark_partition_id().alias("p")).count()
                      .rdd.map(lambda r: (r[0], r[1])).collect())
        offsets: dict[int, int] = {}
        acc = 0
        for pid in sorted(counts):
            offsets[pid] = acc
            acc += counts[pid]
        total = acc
        off_map = F.create_map(*[x for pid, o in sorted(offsets.items())
                                 for x in (F.lit(pid), F.lit(o).cast("long"))]) \
            if offsets else F.create_map(F.lit(0), F.lit(0).cast("long"))
        numbered = staged.withColumn(
            ROW_COLUMN,
            F.element_at(off_map, F.shiftright(F.col("__eg_mid"), 33).cast("int"))
            + F.col("__eg_mid").bitwiseAND(F.lit(_MASK)),
        ).drop("__eg_mid")
        batch_screener = BatchScreener(screener.context, resolved.defaults,
                                       resolved.date_format)
        # Findings about the lists themselves (a stale list allowed as a warning) are the
        # same for every record and kept once per job, as the local engine keeps them:
        # screen the first record here, on the driver, to learn them.
        job_findings: list[dict[str, Any]] = []
        if total:
            first = [row.asDict() for row in numbered.limit(1).collect()]
            probe = batch_screener.screen(pa.RecordBatch.from_pylist(first),
                                          first[0][ROW_COLUMN],
                                          row_numbers=[first[0][ROW_COLUMN]])
            job_findings = probe.job_findings
        payload = pickle.dumps(batch_screener, protocol=pickle.HIGHEST_PROTOCOL)
        bc = spark.sparkContext.broadcast(payload)
        out_schema = from_arrow_schema(OUTPUT_SCHEMA)
        n_parts = partitions or max(2 * spark.sparkContext.defaultParallelism,
                                    -(-total // 50_000))
        result = numbered.repartition(n_parts).mapInArrow(
            _make_screen_fn(bc, uuid.uuid4().hex), out_schema)
        out_str = str(output)
        stop = threading.Event()
        poller = None
        if progress is not None:
            progress(0, total)
            poller = threading.Thread(target=_poll_progress, args=(spark, total, progress, stop),
                                      daemon=True)
            poller.start()
        try:
            if _is_uri(out_str):
                result.write.mode("overwrite").parquet(out_str)
            else:
                _write_local_atomic(result, Path(out_str))
        finally:
            stop.set()
            if poller is not None:
                poller.join(timeout=2)
        staged.unpersist()
        if progress is not None:
            progress(total, total)
        decisions = {r[0]: r[1] for r in spark.read.parquet(out_str).groupBy("decision")
                     .count().collect()}
        seconds = time.perf_counter() - t0
        if not _is_uri(out_str):
            ctx = screener.context
            meta = {
                "input": in_str, "mapping": resolved.to_dict(), "engine": "spark",
                "policy": ctx.policy_ref.model_dump(), "as_of": ctx.now.isoformat(),
                "lists": [{"id": m.list_id, "version": m.version, "sha256": m.sha256,
                           "date": m.publication_date} for m in ctx.lists],
                "engine_version": ctx.engine_version, "rows": total, "decisions": decisions,
                "job_findings": job_findings,
            }
            # Spark and Parquet readers skip files whose name starts with "_"
            (Path(out_str) / METADATA_FILE).write_text(
                json.dumps(meta, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        return {
            "rows": total, "decisions": decisions, "seconds": round(seconds, 2),
            "records_per_second": round(total / seconds, 1) if seconds > 0 else None,
            "master": spark.sparkContext.master,
            "partitions": n_parts,
            "as_of": screener.context.now.isoformat(),
            "job_findings": [f["message"] for f in job_findings],
        }
    finally:
        if own_session:
            spark.stop()


def _write_local_atomic(df: Any, output: Path) -> None:
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.spark-{uuid.uuid4().hex[:8]}")
    df.write.mode("overwrite").parquet(str(tmp))
    old = None
    if output.exists():
        old = output.with_name(f".{output.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(output, old)
    os.replace(tmp, output)
    if old is not None:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
