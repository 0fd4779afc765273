"""A study's charts as PNG images for slides, drawn with matplotlib (Agg: no display): one line
per status as the web's chart draws them (actual values solid, targets orange, forecasts dashed,
announcements markers only), points whose citations disagree ringed in red, values in French."""

from __future__ import annotations

from pathlib import Path

from veille.core.formatting import STATUS_LABELS, format_value
from veille.study.report import Section
from veille.web.charts import CONFLICT_COLOUR, SERIES_STYLE, period_position

MARKERS = {"circle": "o", "square": "s", "diamond": "D"}
DPI = 150


def draw_png(section: Section, path: Path) -> Path:
    """The section's chart written to ``path`` (a PNG, 1 600 × 800 pixels)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(1600 / DPI, 800 / DPI), dpi=DPI)
    ax = fig.subplots()
    for status, (colour, dashes, shape) in SERIES_STYLE.items():
        mine = sorted(
            (p for p in section.points if p.status == status), key=lambda p: period_position(p.period)
        )
        if not mine:
            continue
        xs, ys = [period_position(p.period) for p in mine], [p.value for p in mine]
        style = "none" if dashes is None else ("--" if dashes else "-")
        ax.plot(xs, ys, linestyle=style, marker=MARKERS[shape], color=colour, linewidth=2,
                label=STATUS_LABELS[status].capitalize())  # fmt: skip
        ringed = [(x, y) for p, x, y in zip(mine, xs, ys, strict=True) if p.conflict]
        if ringed:
            ax.scatter([x for x, _ in ringed], [y for _, y in ringed], s=260, facecolors="none", edgecolors=CONFLICT_COLOUR,
                       linewidths=2, zorder=3)  # fmt: skip
    if any(p.conflict for p in section.points):
        ax.scatter(
            [], [], s=120, facecolors="none", edgecolors=CONFLICT_COLOUR, label="Citations en désaccord"
        )
    unit = section.unit or "count"
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_value(v, unit, nbsp=False)))
    if section.points:  # a year's point stands in its middle: its label too
        first = min(int(period_position(p.period)) for p in section.points)
        last = max(int(period_position(p.period)) for p in section.points)
        years = list(range(first, last + 1, max(1, (last - first) // 12 + 1)))
        ax.set_xticks([y + 0.5 for y in years], [str(y) for y in years])
    ax.set_ylim(bottom=min(0.0, *(p.value for p in section.points)) if section.points else 0.0)
    ax.grid(axis="y", color="#e3e3e3")
    ax.set_title(section.title)
    if section.points:
        ax.legend(loc="best", frameon=False)
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path
