"""Inline SVG charts drawn on the server (no JavaScript library, CSP-friendly: no styles)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

from veille.core.period_labels import period_months


def iso_week_start(label: str) -> date | None:
    """Monday of an ISO week written "2025-W07"; None if the label is not one."""
    try:
        year, week = label.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return None


def fill_weeks(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Weekly counts with the missing weeks between the first and the last set to 0."""
    known: dict[date, int] = {}
    for label, count in counts:
        monday = iso_week_start(label)
        if monday is not None:
            known[monday] = known.get(monday, 0) + int(count)
    if not known:
        return []
    first, last = min(known), max(known)
    if (last - first).days > 7 * 520:  # more than ten years: keep only the last ten
        first = last - timedelta(weeks=520)
    out = []
    day = first
    while day <= last:
        y, w, _ = day.isocalendar()
        out.append((f"{y}-W{w:02d}", known.get(day, 0)))
        day += timedelta(weeks=1)
    return out


def weekly_bars(counts: list[tuple[str, int]], *, title: str, width: int = 720, height: int = 180) -> Markup:
    """A bar chart of mentions per ISO week, each bar titled "2025-W07 : 3 mentions"."""
    weeks = fill_weeks(counts)
    if not weeks:
        return Markup("")
    left, right, top, bottom = 34, 8, 10, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(c for _, c in weeks) or 1
    step = plot_w / len(weeks)
    bar_w = max(1.0, step * 0.8)
    parts = [
        f'<svg class="graphe" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#888" stroke-width="1"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" font-size="11" fill="#444">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="11" fill="#444">0</text>',
    ]
    label_every = max(1, len(weeks) // 8)
    for i, (label, count) in enumerate(weeks):
        x = left + i * step + (step - bar_w) / 2
        h = plot_h * count / peak
        noun = "mention" if count <= 1 else "mentions"
        parts.append(
            f'<rect class="barre" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="#2b6cb0"><title>{escape(label)} : {count} {noun}</title></rect>'
        )
        if i % label_every == 0:
            parts.append(
                f'<text x="{left + i * step + step / 2:.1f}" y="{height - 8}" text-anchor="middle" '
                f'font-size="10" fill="#444">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


# -- indicator series --------------------------------------------------------------------------

# how each status is drawn: colour, line dashes ("" solid, None: no line, markers only), marker
SERIES_STYLE = {
    "actual": ("#1f5f8b", "", "circle"),
    "target": ("#e07a1f", "", "square"),
    "forecast": ("#3a9d5d", "6 4", "circle"),
    "announced": ("#7b61a8", None, "diamond"),
}
CONFLICT_COLOUR = "#c0392b"


@dataclass(frozen=True)
class ChartPoint:
    """One point of a series as the chart draws it: its status, where it stands in time (a
    fractional year), its value, the tooltip and the link to its citations."""

    status: str
    at: float
    value: float
    label: str
    href: str
    conflict: bool = False
    reached: tuple[float, float] | None = None  # a target's: where the actual value it is measured on stands


def period_position(period: str) -> float:
    """Where a period stands on a time axis, in years: the middle of the year, the half, the
    quarter, the months or the span ("2018" -> 2018.5, "2018-Q1" -> 2018.125, "2018-01..06" ->
    2018.25, "2014-2018" -> 2016.5)."""
    year, _, rest = period.partition("-")
    first = int(year)
    if rest[:1] == "Q":
        return first + (int(rest[1:]) - 0.5) / 4
    if rest[:1] == "H":
        return first + (int(rest[1:]) - 0.5) / 2
    months = period_months(period)
    if months is not None:
        return first + (months[0] - 1 + months[1]) / 24
    if rest.isdigit():
        return (first + int(rest) + 1) / 2
    return first + 0.5


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="{colour}"/>'
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}" '
            f'fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values from ``low`` to ``high`` or just above, for the value axis (steps of 1, 2 or 5
    times a power of ten)."""
    span = (high - low) or abs(high) or 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    out = [start]
    while out[-1] < high:
        out.append(start + len(out) * step)
    return out


def series_chart(
    points: list[ChartPoint], *, title: str, value_label: Any, width: int = 760, height: int = 300
) -> Markup:
    """A line per status over time (actual values solid, targets a line of their own, forecasts
    dashed, announcements markers only), each marker a link to the point's citations, a point
    whose citations disagree ringed in red, a target joined by a dotted line to the actual value
    its progress is measured on. ``value_label(v)`` writes the value axis's labels."""
    if not points:
        return Markup("")
    left, right, top, bottom = 118, 16, 34, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    x0, x1 = math.floor(min(p.at for p in points)), math.ceil(max(p.at for p in points))
    x1 = max(x1, x0 + 1)
    ticks = _ticks(min(0.0, *(p.value for p in points)), max(p.value for p in points))
    y0, y1 = ticks[0], ticks[-1] if ticks[-1] > ticks[0] else ticks[0] + 1

    def x(at: float) -> float:
        return left + (at - x0) / (x1 - x0) * plot_w

    def y(value: float) -> float:
        return top + plot_h - (value - y0) / (y1 - y0) * plot_h

    parts = [
        f'<svg class="graphe serie" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="graphe-titre">',
        f'<title id="graphe-titre">{escape(title)}</title>',
    ]
    for v in ticks:
        parts.append(
            f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" stroke="#e3e3e3"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11" fill="#444">'
                     f"{escape(value_label(v))}</text>")  # fmt: skip
    every = max(1, (x1 - x0) // 10)
    for year in range(x0, x1 + 1):
        parts.append(
            f'<line x1="{x(year):.1f}" y1="{top + plot_h}" x2="{x(year):.1f}" y2="{top + plot_h + 4}" stroke="#888"/>'
        )
        if (year - x0) % every == 0 and year < x1:
            parts.append(f'<text x="{x(year + 0.5):.1f}" y="{height - 10}" text-anchor="middle" font-size="11" '
                         f'fill="#444">{year}</text>')  # fmt: skip
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#888"/>'
    )
    parts += _lines_and_markers(points, x, y)
    parts += _legend(sorted({p.status for p in points}, key=list(SERIES_STYLE).index), left)
    parts.append("</svg>")
    return Markup("".join(parts))


def _lines_and_markers(points: list[ChartPoint], x: Any, y: Any) -> list[str]:
    """The lines first (a status's line, a target's dotted line to the actual value it is measured
    on: they let clicks through), then the markers, each a link."""
    lines, markers = [], []
    for status, (colour, dashes, shape) in SERIES_STYLE.items():
        mine = sorted((p for p in points if p.status == status), key=lambda p: p.at)
        if dashes is not None and len(mine) > 1:
            path = " ".join(f"{x(p.at):.1f},{y(p.value):.1f}" for p in mine)
            dash = f' stroke-dasharray="{dashes}"' if dashes else ""
            lines.append(f'<polyline class="ligne ligne-{status}" points="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="2" pointer-events="none"{dash}/>')  # fmt: skip
        for p in mine:
            if p.reached is not None:
                lines.append(f'<line class="avancement" x1="{x(p.reached[0]):.1f}" y1="{y(p.reached[1]):.1f}" '
                             f'x2="{x(p.at):.1f}" y2="{y(p.value):.1f}" stroke="{colour}" stroke-width="1.5" '
                             f'stroke-dasharray="2 3" pointer-events="none"/>')  # fmt: skip
            ring = (
                f'<circle cx="{x(p.at):.1f}" cy="{y(p.value):.1f}" r="8.5" fill="none" stroke="{CONFLICT_COLOUR}" '
                f'stroke-width="2"/>'
                if p.conflict
                else ""
            )
            markers.append(
                f'<a class="point point-{status}" href="{escape(p.href)}"><title>{escape(p.label)}</title>'
                f"{ring}{_marker(shape, x(p.at), y(p.value), colour)}</a>"
            )
    return lines + markers


def _legend(statuses: list[str], left: int) -> list[str]:
    from veille.core.formatting import STATUS_LABELS

    parts, at = [], float(left)
    for status in [*statuses, "conflict"]:
        if status == "conflict":
            parts.append(
                f'<circle cx="{at + 8:.1f}" cy="14" r="6" fill="none" stroke="{CONFLICT_COLOUR}" stroke-width="2"/>'
            )
            label = "citations en désaccord"
        else:
            colour, dashes, shape = SERIES_STYLE[status]
            if dashes is not None:
                dash = f' stroke-dasharray="{dashes}"' if dashes else ""
                parts.append(f'<line x1="{at - 4:.1f}" y1="14" x2="{at + 20:.1f}" y2="14" stroke="{colour}" '
                             f'stroke-width="2"{dash}/>')  # fmt: skip
            parts.append(_marker(shape, at + 8, 14, colour))
            label = STATUS_LABELS[status]
        parts.append(f'<text x="{at + 26:.1f}" y="18" font-size="12" fill="#222">{escape(label)}</text>')
        at += 40 + 7 * len(label)
    return parts
