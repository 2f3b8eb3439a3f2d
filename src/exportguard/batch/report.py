"""The flow report of a batch result: aggregates as CSV, and one self-contained HTML page.

DuckDB computes every aggregate straight from the result Parquet (streaming,
memory bounded), so a report of ten million records needs no more memory than
one of ten thousand. The aggregates:

==========================  ===================================================
file                        what
==========================  ===================================================
``decisions.csv``           records and value per decision
``rules.csv``               records per rule that fired
``chpl_tier_month.csv``     CHPL goods: records and value per tier and month
``chpl_routes.csv``         CHPL goods per route origin → via (hub) → destination
``top_exporters.csv``       exporters of CHPL goods, by value
``top_consignees.csv``      consignees of CHPL goods, by value
``listed_consignees.csv``   consignees matching a listed entity, with the entry
``disguise.csv``            disguise findings: HS code, description, words
==========================  ===================================================

Text cells that a spreadsheet would run as formulas (``=``, ``+``, ``-``, ``@``, tab,
carriage return first) are written with a leading apostrophe
(:mod:`exportguard.csvsafe`); numbers are written as numbers.

Values are summed in the file's main currency (the one most records use);
records in other currencies are counted in ``records_other_currency`` and
left out of the value, never added as if they were the same money.

The HTML embeds its charts (matplotlib, PNG, base64) and its styles: it opens
offline, from a file or an e-mail, with no network access.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from exportguard.csvsafe import safe_row
from exportguard.service.errors import InputError

PALETTE = ("#1f4e79", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6", "#7f7f7f",
           "#2c7c5c")
DECISION_COLORS = {"DENY": "#b2182b", "HOLD": "#ef8a62", "LICENSE_REQUIRED": "#67a9cf",
                   "LICENSED": "#2166ac", "CLEAR": "#7fbf7b"}


@dataclass
class Aggregate:
    name: str
    title: str
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def _source(path: Path) -> str:
    p = str(path).replace("'", "''")
    if path.is_dir():
        return f"read_parquet('{p}/**/*.parquet')"
    return f"read_parquet('{p}')"


def _metadata(path: Path) -> dict[str, Any]:
    sidecar = path / "_exportguard_batch.json"
    if path.is_dir() and sidecar.exists():  # a Spark result directory
        try:
            return dict(json.loads(sidecar.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}
    try:
        files = sorted(path.glob("**/*.parquet")) if path.is_dir() else [path]
        md = pq.read_schema(files[0]).metadata or {} if files else {}
        raw = md.get(b"exportguard.batch")
        return json.loads(raw) if raw else {}
    except Exception:
        return {}


def compute_aggregates(result: Path, top: int = 20) -> tuple[list[Aggregate], dict[str, Any]]:
    """All aggregates of a batch result, and facts for the header (rows, currency, ...)."""
    import duckdb

    con = duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})
    src = _source(result)
    try:
        con.execute(f"CREATE VIEW r AS SELECT * FROM {src}")
    except duckdb.Error as exc:
        raise InputError(f"{result}: not a batch result ({exc})") from None
    cols = {row[0] for row in con.execute("DESCRIBE r").fetchall()}
    missing = {"decision", "chpl_tier", "findings", "party_matches", "value"} - cols
    if missing:
        raise InputError(f"{result}: not a batch result (missing {', '.join(sorted(missing))})")

    def q(sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple[Any, ...]]]:
        cur = con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return names, cur.fetchall()

    facts: dict[str, Any] = {}
    facts["rows"] = q("SELECT count(*) FROM r")[1][0][0]
    cur_rows = q("SELECT currency, count(*) n FROM r WHERE currency IS NOT NULL "
                 "GROUP BY currency ORDER BY n DESC, currency LIMIT 1")[1]
    main = cur_rows[0][0] if cur_rows else None
    facts["currency"] = main or "(none declared)"
    # value in the main currency (or undeclared); other currencies only counted
    vmain = ("sum(CASE WHEN currency IS NULL OR currency = $cur THEN value END)")
    other = "count(*) FILTER (WHERE currency IS NOT NULL AND currency <> $cur)"
    con.execute("SET VARIABLE cur = ?", [main or ""])
    vmain = vmain.replace("$cur", "getvariable('cur')")
    other = other.replace("$cur", "getvariable('cur')")
    aggs: list[Aggregate] = []

    def add(name: str, title: str, sql: str) -> None:
        names, rows = q(sql)
        aggs.append(Aggregate(name, title, names, rows))

    add("decisions", "Decisions",
        f"SELECT decision, count(*) AS records, round({vmain}, 2) AS value, "
        f"{other} AS records_other_currency FROM r GROUP BY decision "
        "ORDER BY CASE decision WHEN 'DENY' THEN 0 WHEN 'HOLD' THEN 1 "
        "WHEN 'LICENSE_REQUIRED' THEN 2 WHEN 'LICENSED' THEN 3 ELSE 4 END")
    add("rules", "Rules that fired",
        "SELECT rule, count(*) AS records FROM (SELECT unnest(rules) AS rule FROM r) "
        "GROUP BY rule ORDER BY records DESC, rule")
    add("chpl_tier_month", "CHPL goods by tier and month",
        f"SELECT chpl_tier AS tier, coalesce(strftime(date, '%Y-%m'), 'unknown') AS month, "
        f"count(*) AS records, round({vmain}, 2) AS value, {other} AS records_other_currency, "
        "count(*) FILTER (WHERE decision = 'DENY') AS deny, "
        "count(*) FILTER (WHERE decision = 'HOLD') AS hold "
        "FROM r WHERE chpl_tier IS NOT NULL GROUP BY ALL ORDER BY month, tier")
    add("chpl_routes", "CHPL goods by route (origin → via → destination)",
        f"SELECT origin_country AS origin, coalesce(hub_country, '') AS via, "
        f"destination_country AS destination, count(*) AS records, round({vmain}, 2) AS value, "
        f"{other} AS records_other_currency, "
        "count(*) FILTER (WHERE decision IN ('DENY', 'HOLD')) AS held_or_denied "
        "FROM r WHERE chpl_tier IS NOT NULL GROUP BY ALL "
        "ORDER BY records DESC, origin, via, destination")
    add("top_exporters", f"Top {top} exporters of CHPL goods",
        f"SELECT exporter, exporter_country AS country, count(*) AS records, "
        f"round({vmain}, 2) AS value, {other} AS records_other_currency, "
        "count(*) FILTER (WHERE decision IN ('DENY', 'HOLD')) AS held_or_denied, "
        "string_agg(DISTINCT destination_country, ' ' ORDER BY destination_country) "
        "AS destinations FROM r WHERE chpl_tier IS NOT NULL GROUP BY ALL "
        f"ORDER BY value DESC NULLS LAST, records DESC, exporter LIMIT {int(top)}")
    add("top_consignees", f"Top {top} consignees of CHPL goods",
        f"SELECT importer AS consignee, importer_country AS country, count(*) AS records, "
        f"round({vmain}, 2) AS value, {other} AS records_other_currency, "
        "count(*) FILTER (WHERE decision IN ('DENY', 'HOLD')) AS held_or_denied, "
        "string_agg(DISTINCT origin_country, ' ' ORDER BY origin_country) AS origins "
        "FROM r WHERE chpl_tier IS NOT NULL GROUP BY ALL "
        f"ORDER BY value DESC NULLS LAST, records DESC, consignee LIMIT {int(top)}")
    add("listed_consignees", "Consignees matching listed entities",
        f"SELECT importer AS consignee, importer_country AS country, m.entity_id, m.list, "
        f"m.name AS listed_name, max(m.score) AS best_score, count(*) AS records, "
        f"count(*) FILTER (WHERE decision = 'DENY') AS deny, "
        f"count(*) FILTER (WHERE decision = 'HOLD') AS hold, round({vmain}, 2) AS value "
        "FROM (SELECT *, unnest(party_matches) AS m FROM r) WHERE m.role = 'consignee' "
        "GROUP BY ALL ORDER BY records DESC, best_score DESC, consignee, m.entity_id")
    add("disguise", "Disguise findings (wording that does not fit the code)",
        f"SELECT hs6, description, json_extract_string(f.evidence, '$.words') AS words, "
        f"count(*) AS records, round({vmain}, 2) AS value, "
        "string_agg(DISTINCT destination_country, ' ' ORDER BY destination_country) "
        "AS destinations FROM (SELECT *, unnest(findings) AS f FROM r) "
        "WHERE f.rule = 'disguise' GROUP BY ALL ORDER BY records DESC, hs6, description")
    facts["chpl_records"] = sum(r[2] for r in aggs[2].rows)
    con.close()
    return aggs, facts


def write_csvs(aggs: Sequence[Aggregate], folder: Path) -> list[Path]:
    """One CSV per aggregate; text a spreadsheet would run as a formula gets an apostrophe
    (:mod:`exportguard.csvsafe`), numbers are written as numbers."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for a in aggs:
        path = folder / f"{a.name}.csv"
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(safe_row(a.columns))
            for row in a.rows:
                w.writerow(safe_row("" if v is None else v for v in row))
        tmp.replace(path)
        out.append(path)
    return out


# ---------------------------------------------------------------------------
# charts


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _compact(value: float, _pos: int = 0) -> str:
    """Axis labels that stay short: 950, 25k, 1.2M."""
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= div:
            return f"{value / div:.3g}{unit}"
    return f"{value:.3g}"


def _count_axis(ax: Any) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(_compact))


def _value_axis(ax: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(_compact))


def _charts(aggs: dict[str, Aggregate], currency: str, top: int) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts: list[tuple[str, str]] = []
    dec = aggs["decisions"]
    if dec.rows:
        fig, ax = plt.subplots(figsize=(6, 2.6))
        labels = [r[0] for r in dec.rows]
        counts = [r[1] for r in dec.rows]
        ax.barh(labels, counts, color=[DECISION_COLORS.get(x, "#999") for x in labels])
        ax.set_xscale("log")
        ax.set_xlabel("records (log scale)")
        ax.invert_yaxis()
        for i, c in enumerate(counts):
            ax.text(c, i, f" {c:,}", va="center", fontsize=8)
        ax.set_title("Decisions")
        charts.append(("Decisions", _png(fig)))
    tm = aggs["chpl_tier_month"]
    if tm.rows:
        months = sorted({r[1] for r in tm.rows})
        tiers = sorted({r[0] for r in tm.rows})
        for col, label in ((2, "records"), (3, f"value ({currency})")):
            fig, ax = plt.subplots(figsize=(10, 3.6))
            bottom = [0.0] * len(months)
            for i, tier in enumerate(tiers):
                vals = {r[1]: float(r[col] or 0) for r in tm.rows if r[0] == tier}
                ys = [vals.get(m, 0.0) for m in months]
                ax.bar(months, ys, bottom=bottom, label=f"tier {tier}",
                       color=PALETTE[i % len(PALETTE)])
                bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
            ax.set_ylabel(label)
            ax.set_title(f"CHPL goods by tier and month: {label}")
            ax.legend(fontsize=7, ncol=len(tiers))
            ax.tick_params(axis="x", labelrotation=90, labelsize=7)
            charts.append((f"CHPL {label} by tier and month", _png(fig)))
    routes = aggs["chpl_routes"]
    if routes.rows:
        rows = routes.rows[:15]
        fig, (ax, axv) = plt.subplots(1, 2, figsize=(11, 0.3 * len(rows) + 1.2), sharey=True)
        labels = [f"{r[0]} → {r[1]} → {r[2]}" if r[1] else f"{r[0]} → {r[2]}" for r in rows]
        ax.barh(labels, [r[3] for r in rows], color=PALETTE[0])
        ax.invert_yaxis()
        ax.set_xlabel("records")
        _count_axis(ax)
        axv.barh(labels, [float(r[4] or 0) for r in rows], color=PALETTE[1])
        axv.set_xlabel(f"value ({currency})")
        _value_axis(axv)
        fig.suptitle("CHPL goods: top routes (origin → via → destination)")
        charts.append(("CHPL routes", _png(fig)))
    listed = aggs["listed_consignees"]
    if listed.rows:
        rows = listed.rows[:min(top, 15)]
        fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 1))
        ax.barh([f"{str(r[0])[:30]} ≈ {str(r[4])[:30]} ({r[3]})" for r in rows],
                [r[6] for r in rows],
                color=["#b91c1c" if r[7] else "#d97706" for r in rows])
        ax.invert_yaxis()
        ax.set_xlabel("records (red: some denied)")
        _count_axis(ax)
        ax.set_title("Consignees matching listed entities")
        charts.append(("Consignees matching listed entities", _png(fig)))
    disguise = aggs["disguise"]
    if disguise.rows:
        by_words: dict[str, int] = {}
        for r in disguise.rows:
            key = f"HS {r[0]}: {str(r[2] or '')[:40]}"
            by_words[key] = by_words.get(key, 0) + int(r[3])
        rows2 = sorted(by_words.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
        fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows2) + 1))
        ax.barh([k for k, _ in rows2], [v for _, v in rows2], color="#7c3aed")
        ax.invert_yaxis()
        ax.set_xlabel("records")
        _count_axis(ax)
        ax.set_title("Disguise findings: code and the words that did not fit it")
        charts.append(("Disguise findings", _png(fig)))
    for key, label_col, title in (("top_exporters", 0, "Top exporters of CHPL goods"),
                                  ("top_consignees", 0, "Top consignees of CHPL goods")):
        a = aggs[key]
        if not a.rows:
            continue
        rows = a.rows[:min(top, 15)]
        fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 1))
        ax.barh([f"{str(r[label_col])[:40]} ({r[1]})" for r in rows],
                [float(r[3] or 0) for r in rows], color=PALETTE[1])
        ax.invert_yaxis()
        ax.set_xlabel(f"value ({currency})")
        _value_axis(ax)
        ax.set_title(title)
        charts.append((title, _png(fig)))
    return charts


# ---------------------------------------------------------------------------
# HTML

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#555;font-size:.9em}img{max-width:100%;margin:.5em 0}
.note{color:#666;font-size:.85em}
"""


def _cell(v: Any) -> str:
    if v is None:
        return "<td></td>"
    if isinstance(v, bool):
        return f"<td>{v}</td>"
    if isinstance(v, int):
        return f'<td class="n">{v:,}</td>'
    if isinstance(v, float):
        return f'<td class="n">{v:,.2f}</td>'
    return f"<td>{html.escape(str(v))}</td>"


def _table(a: Aggregate, limit: int) -> str:
    if not a.rows:
        return '<p class="note">none</p>'
    head = "".join(f"<th>{html.escape(c)}</th>" for c in a.columns)
    body = "".join("<tr>" + "".join(_cell(v) for v in r) + "</tr>" for r in a.rows[:limit])
    more = (f'<p class="note">{len(a.rows) - limit:,} more rows in {a.name}.csv</p>'
            if len(a.rows) > limit else "")
    return f"<table><tr>{head}</tr>{body}</table>{more}"


def render_html(aggs: Sequence[Aggregate], facts: dict[str, Any], meta: dict[str, Any],
                charts: Sequence[tuple[str, str]], csv_folder: str, top: int) -> str:
    by = {a.name: a for a in aggs}
    pol = meta.get("policy") or {}
    lists = meta.get("lists") or []
    lists_txt = ", ".join(f"{x.get('id')} {x.get('date') or ''}".strip() for x in lists)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        "<title>exportguard flow report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>exportguard flow report</h1>",
        "<p class='meta'>",
        f"Input: {html.escape(str(meta.get('input', '')))}<br>",
        f"Records: {facts['rows']:,} &middot; CHPL records: {facts['chpl_records']:,} "
        f"&middot; values in {html.escape(str(facts['currency']))} (other currencies counted, "
        "not summed)<br>",
        f"Policy: {html.escape(str(pol.get('id', '')))} {html.escape(str(pol.get('version', '')))}"
        f" &middot; screened as of {html.escape(str(meta.get('as_of', '')))}<br>",
        f"Lists: {html.escape(lists_txt)}<br>",
        f"Report generated {datetime.now(UTC).replace(microsecond=0).isoformat()}; "
        f"aggregates as CSV in <code>{html.escape(csv_folder)}/</code></p>",
    ]
    job_findings = meta.get("job_findings") or []
    if job_findings:
        parts.append("<h2>Notes on the lists used</h2><ul>")
        parts += [f"<li>{html.escape(f.get('message', ''))}</li>" for f in job_findings]
        parts.append("</ul>")
    chart_map = dict(charts)

    def img(title: str) -> str:
        data = chart_map.get(title)
        return (f"<img alt='{html.escape(title)}' src='data:image/png;base64,{data}'>"
                if data else "")

    sections = [
        ("Decisions", "decisions", ["Decisions"]),
        ("Rules that fired", "rules", []),
        ("CHPL goods by tier and month", "chpl_tier_month",
         [t for t, _ in charts if t.startswith("CHPL ") and "tier and month" in t]),
        ("CHPL goods by route", "chpl_routes", ["CHPL routes"]),
        ("Top exporters of CHPL goods", "top_exporters", ["Top exporters of CHPL goods"]),
        ("Top consignees of CHPL goods", "top_consignees", ["Top consignees of CHPL goods"]),
        ("Consignees matching listed entities", "listed_consignees",
         ["Consignees matching listed entities"]),
        ("Disguise findings", "disguise", ["Disguise findings"]),
    ]
    for title, key, imgs in sections:
        parts.append(f"<h2>{html.escape(title)}</h2>")
        parts += [img(t) for t in imgs]
        parts.append(_table(by[key], top if key != "chpl_tier_month" else 10_000))
    parts.append("</body></html>")
    return "\n".join(parts)


def build_report(result: Path, report: Path, top: int = 20) -> list[Path]:
    """Write ``report`` (HTML) and the aggregates as CSV in ``<report stem>_data/``.

    Returns the paths written, the HTML first.
    """
    if not report.name.lower().endswith((".html", ".htm")):
        raise InputError(f"--report {report}: the report is HTML; name it *.html")
    aggs, facts = compute_aggregates(result, top=top)
    meta = _metadata(result)
    folder = report.with_name(report.name.rsplit(".", 1)[0] + "_data")
    csvs = write_csvs(aggs, folder)
    charts = _charts({a.name: a for a in aggs}, facts["currency"], top)
    page = render_html(aggs, facts, meta, charts, folder.name, top)
    report.parent.mkdir(parents=True, exist_ok=True)
    tmp = report.with_name(report.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(report)
    return [report, *csvs]
