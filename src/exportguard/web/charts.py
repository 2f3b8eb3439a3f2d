"""Charts as inline SVG, drawn on the server: no script, no network, readable by screen readers.

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` that
say what it shows; the page also offers the figures as a table.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

COLOURS = {"DENY": "#c62828", "HOLD": "#e69100", "LICENSE_REQUIRED": "#1e63c4",
           "LICENSED": "#00897b", "CLEAR": "#2e7d32"}


def _nice_step(value: int, ticks: int = 4) -> int:
    """A round step so that ``ticks`` steps cover ``value`` (1, 2, 5, 10, 20, 25, 50, ...)."""
    raw = max(value, 1) / ticks
    scale = 1
    while True:
        for m in (1, 2, 5):
            if m * scale >= raw:
                return m * scale
        scale *= 10


def label(kind: str) -> str:
    """A decision's label as every page writes it ("Licence required")."""
    from exportguard.web.render import DECISION_LABEL

    return DECISION_LABEL.get(kind, kind.replace("_", " ").capitalize())


def stacked_days(days: list[str], per_day: dict[str, dict[str, int]], order: tuple[str, ...],
                 title: str, chart_id: str) -> Markup:
    """A stacked bar per day (one colour per decision) with a y axis and a legend."""
    width, height, left, bottom, top = 760, 260, 40, 34, 12
    plot_w, plot_h = width - left - 10, height - bottom - top
    step = _nice_step(max((sum(per_day[d].values()) for d in days), default=0))
    peak = step * 4
    n = max(len(days), 1)
    slot = plot_w / n
    bar = max(slot * 0.7, 1.0)
    total = sum(sum(per_day[d].values()) for d in days)
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMidYMid meet">',
           f'<title id="{chart_id}-t">{escape(title)}</title>',
           f'<desc id="{chart_id}-d">{total} screenings from {escape(days[0])} to '
           f'{escape(days[-1])}, stacked by decision.</desc>']
    for k in range(5):
        v = step * k
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'class="grid"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">'
                   f'{int(v)}</text>')
    for i, d in enumerate(days):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        for kind in reversed(order):
            v = per_day[d].get(kind, 0)
            if not v:
                continue
            h = plot_h * v / peak
            y -= h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                       f'fill="{COLOURS.get(kind, "#777")}"><title>{escape(d)}: {v} '
                       f'{escape(kind)}</title></rect>')
        if i % max(1, n // 6) == 0 or i == n - 1:
            out.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" class="axis" '
                       f'text-anchor="middle">{escape(d[5:])}</text>')
    out.append("</svg>")
    legend = "".join(f'<li><span class="swatch" style="background:{COLOURS[k]}"></span>'
                     f'{escape(label(k))}</li>' for k in order)
    return Markup("".join(out) + f'<ul class="legend" aria-hidden="true">{legend}</ul>')


def bars(rows: list[tuple[str, int]], title: str, chart_id: str, colour: str = "#1e63c4",
         empty: str = "Nothing in this period.") -> Markup:
    """Horizontal bars, one per row, labelled with the name and the count."""
    if not rows:
        return Markup(f'<p class="muted">{escape(empty)}</p>')
    rows = rows[:10]
    width, row_h, label_w = 520, 30, 190
    height = row_h * len(rows) + 8
    peak = max(v for _, v in rows) or 1
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-labelledby="{chart_id}-t {chart_id}-d">',
           f'<title id="{chart_id}-t">{escape(title)}</title>',
           f'<desc id="{chart_id}-d">'
           + escape("; ".join(f"{k}: {v}" for k, v in rows)) + "</desc>"]
    for i, (name, v) in enumerate(rows):
        y = 4 + i * row_h
        w = (width - label_w - 50) * v / peak
        label = name if len(name) <= 26 else name[:25] + "…"
        out.append(f'<text x="{label_w - 8}" y="{y + 19}" class="label" text-anchor="end">'
                   f'{escape(label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 5}" width="{max(w, 2):.1f}" height="20" '
                   f'rx="3" fill="{colour}"><title>{escape(name)}: {v}</title></rect>')
        out.append(f'<text x="{label_w + max(w, 2) + 6:.1f}" y="{y + 20}" class="value">'
                   f'{v}</text>')
    out.append("</svg>")
    return Markup("".join(out))
