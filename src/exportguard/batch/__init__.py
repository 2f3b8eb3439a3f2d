"""Bulk screening of trade records (CSV/Parquet) with the same engine as ``screen``.

``mapping`` (columns → fields), ``records`` (row → shipment), ``screen`` (a chunk
through the engine), ``source`` (DuckDB reader), ``local`` and ``spark`` (the two
engines), ``resume`` (checkpoints, atomic output), ``report`` (flow report),
``synth`` (synthetic records with planted cases). Faces call
:mod:`exportguard.service.batch`.
"""
