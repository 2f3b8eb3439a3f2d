"""Batch screening as a service: ``run_batch`` (trade file → decisions, report), ``synth_trades``.

The faces (CLI today, HTTP API and web UI later) call these two functions.
The screening context comes from :func:`exportguard.service.screening.build_context`,
the function ``exportguard screen`` uses, so a batch applies the very same
policy, lists, name index and engine as a single screening.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from exportguard.batch.mapping import ColumnMapping, load_mapping, mapping_from_flags
from exportguard.engine.context import ScreeningContext
from exportguard.service.errors import InputError

ENGINES = ("local", "spark")
BATCH_FORMAT = 1

ProgressCallback = Callable[[int, int | None], None]


def build_mapping(mapping_file: Path | None = None, columns: Sequence[str] = (),
                  defaults: Sequence[str] = (), date_format: str | None = None
                  ) -> ColumnMapping:
    """The column mapping from a YAML file and/or flags (flags win)."""
    base = load_mapping(mapping_file) if mapping_file is not None else ColumnMapping()
    return base.merged(mapping_from_flags(columns, defaults, date_format))


def _input_fingerprint(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def job_fingerprint(input_path: Path, mapping: dict[str, Any], ctx: ScreeningContext
                    ) -> dict[str, Any]:
    """What must not change between a killed run and its resumption."""
    return {
        "input": _input_fingerprint(input_path),
        "mapping": mapping,
        "policy": {"id": ctx.policy_ref.id, "version": ctx.policy_ref.version,
                   "sha256": ctx.policy_ref.sha256},
        "lists": [{"id": m.list_id, "version": m.version, "sha256": m.sha256}
                  for m in sorted(ctx.lists, key=lambda m: m.list_id)],
        "list_problems": list(ctx.list_problems),
        "allow_stale_lists": ctx.allow_stale_lists,
        "engine_version": ctx.engine_version,
        "batch_format": BATCH_FORMAT,
    }


def _check_output(output: Path, input_path: Path) -> None:
    if not output.name.lower().endswith((".parquet", ".pq")):
        raise InputError(f"--out {output}: the result is Parquet; name it *.parquet")
    if output.resolve() == input_path.resolve():
        raise InputError("--out must not be the input file")


def _is_uri(text: str) -> bool:
    return "://" in text and not text.startswith("file://")


def run_batch(
    input_path: Path | str,
    output: Path | str,
    *,
    policy: str | Path | None = None,
    engine: str = "local",
    report: Path | None = None,
    mapping: ColumnMapping | None = None,
    allow_stale_lists: bool | None = None,
    chunk_rows: int | None = None,
    workers: int | None = None,
    restart: bool = False,
    spark_master: str | None = None,
    spark_conf: dict[str, str] | None = None,
    progress: ProgressCallback | None = None,
    stop_after_chunks: int | None = None,
) -> dict[str, Any]:
    """Screen every record of ``input_path`` (CSV/Parquet) into ``output`` (Parquet).

    Returns a summary (rows, decisions, seconds, records per second, output,
    report files). Raises :class:`InputError` for problems the user can fix
    (unknown engine, columns that do not fit, a bad policy).
    """
    from exportguard.batch.screen import BatchScreener
    from exportguard.service.screening import build_context

    if engine not in ENGINES:
        raise InputError(f"--engine must be one of {', '.join(ENGINES)} (got {engine!r})")
    uris = _is_uri(str(input_path)) or _is_uri(str(output))
    if uris and engine != "spark":
        raise InputError("URIs (hdfs://, s3a://, ...) need --engine spark")
    if report is not None:  # checked before hours of work, not after
        if not str(report).lower().endswith((".html", ".htm")):
            raise InputError(f"--report {report}: the report is HTML; name it *.html")
        if _is_uri(str(output)):
            raise InputError("--report reads the result from the local file system; with a "
                             "URI --out, run batch-report on a local copy")
    mapping = mapping or ColumnMapping()
    summary: dict[str, Any]
    if engine == "spark":
        from exportguard.batch.spark import require_pyspark, run_spark

        require_pyspark()
        if not _is_uri(str(input_path)) and not Path(input_path).exists():
            raise FileNotFoundError(2, "No such file", str(input_path))
        if not str(output).lower().rstrip("/").endswith((".parquet", ".pq")):
            raise InputError(f"--out {output}: the result is Parquet; name it *.parquet")
        ctx = build_context(policy, allow_stale_lists)
        screener = BatchScreener(ctx, mapping.defaults, mapping.date_format)
        spark_res = run_spark(str(input_path), str(output), mapping, screener,
                              master=spark_master, conf=spark_conf, progress=progress)
        summary = {"engine": "spark", **spark_res}
    else:
        input_path = Path(input_path)
        output = Path(output)
        if not input_path.exists():
            raise FileNotFoundError(2, "No such file", str(input_path))
        _check_output(output, input_path)
        ctx = build_context(policy, allow_stale_lists)
        from exportguard.batch.local import DEFAULT_CHUNK_ROWS, LocalOptions, run_local
        from exportguard.batch.resume import JobState
        from exportguard.batch.source import TradeSource

        source = TradeSource(input_path, mapping)
        try:
            resolved = source.mapping
            fingerprint = job_fingerprint(input_path, resolved.to_dict(), ctx)

            def on_state(state: JobState) -> BatchScreener:
                as_of = datetime.fromisoformat(state.as_of)
                return BatchScreener(dataclasses.replace(ctx, now=as_of), resolved.defaults,
                                     resolved.date_format)

            options = LocalOptions(chunk_rows=chunk_rows or DEFAULT_CHUNK_ROWS,
                                   workers=workers, restart=restart,
                                   stop_after_chunks=stop_after_chunks)
            meta = {"input": str(input_path), "mapping": resolved.to_dict(),
                    "policy": ctx.policy_ref.model_dump(),
                    "lists": [{"id": m.list_id, "version": m.version, "sha256": m.sha256,
                               "date": m.publication_date} for m in ctx.lists],
                    "engine": "local", "engine_version": ctx.engine_version}
            res = run_local(source, output, BatchScreener(ctx), fingerprint, options,
                            progress=progress, metadata=meta, on_state=on_state)
        finally:
            source.close()
        summary = {
            "engine": "local", "rows": res.rows, "chunks": res.chunks,
            "resumed": res.resumed, "resumed_from_row": res.resumed_from_row,
            "workers": res.workers, "decisions": res.decisions, "as_of": res.as_of,
            "seconds": round(res.seconds, 2),
            "records_per_second": round((res.rows - res.resumed_from_row)
                                        / res.seconds, 1) if res.seconds > 0 else None,
            "job_findings": [f["message"] for f in res.job_findings],
        }
    summary["output"] = str(output)
    summary["policy"] = f"{ctx.policy_ref.id} {ctx.policy_ref.version}"
    if report is not None:
        from exportguard.batch.report import build_report

        files = build_report(Path(output), Path(report))
        summary["report"] = str(report)
        summary["report_files"] = [str(p) for p in files]
    return summary


def write_report(result: Path, report: Path, top: int = 20) -> list[Path]:
    """The flow report (HTML + CSVs) of an existing batch result."""
    from exportguard.batch.report import build_report

    if not Path(result).exists():
        raise FileNotFoundError(2, "No such file", str(result))
    return build_report(Path(result), Path(report), top=top)


# ---------------------------------------------------------------------------
# synthetic data


def synth_trades(n: int, output: Path, *, seed: int = 0, truth: Path | None = None,
                 planted_share: float | None = None, check_names: bool = True,
                 progress: ProgressCallback | None = None) -> dict[str, Any]:
    """Write ``n`` synthetic trade records with planted cases, and the truth file.

    Listed consignees come from the active list snapshots. With
    ``check_names`` (default) the name index vets the data: made-up clean
    names that happen to resemble a listed one are replaced, and spelling
    variants of listed names are kept only if the index still connects them to
    their entity (at 0.95 or more for UN-listed entities, which the default
    policy denies at that score).
    """
    from exportguard.batch import synth
    from exportguard.lists.snapshots import default_store

    if n < 0:
        raise InputError("N must be 0 or more")
    if not str(output).lower().endswith((".csv", ".parquet")):
        raise InputError(f"{output}: the file name must end in .csv or .parquet")
    share = synth.DEFAULT_PLANTED_SHARE if planted_share is None else planted_share
    if not 0.0 <= share <= 1.0:
        raise InputError("--planted-share must be between 0 and 1")
    store = default_store()
    entities = store.entities()
    clean_ok = None
    variant_ok = None
    if check_names and entities:
        from exportguard.names.default_index import get_default_index

        index = get_default_index(store)
        clean_ok, variant_ok = _name_checks(index)
    summary = synth.generate(n, Path(output), seed=seed, truth_path=truth, entities=entities,
                             planted_share=share, clean_name_ok=clean_ok,
                             listed_variant_ok=variant_ok, progress=progress)
    return summary.to_dict()


def _name_checks(index: Any) -> tuple[Callable[[str, str], bool],
                                      Callable[[str, str, str | None], bool]]:
    def clean_ok(name: str, country: str) -> bool:
        return not index.search(name, limit=1, explain=False)

    def variant_ok(variant: str, entity_id: str, country: str | None) -> bool:
        for m in index.search(variant, limit=5, explain=False):
            if m.entity_id == entity_id:
                return m.list != "un_sc" or m.score >= 0.95
        return False

    return clean_ok, variant_ok
