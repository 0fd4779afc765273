"""Inline SVG charts drawn on the server (no JavaScript library, CSP-friendly: no styles)."""

from __future__ import annotations

from datetime import date, timedelta

from markupsafe import Markup, escape


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
