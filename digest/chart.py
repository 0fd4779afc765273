"""The digest's one chart: articles per day, stacked by theme (matplotlib, Agg, PNG).

The PNG is embedded in the email by Content-ID; :attr:`Chart.alt` says the same thing in
words for readers who do not load images (and for screen readers).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

from babel.dates import format_date  # noqa: E402

from digest.compose import Digest  # noqa: E402

PALETTE = ("#1f5f8b", "#e07a1f", "#3a9d5d", "#b8405e", "#7b61a8", "#8c8c8c", "#c9a227")
WIDTH_PX, HEIGHT_PX, DPI = 600, 260, 100


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt: str
    width: int = WIDTH_PX
    height: int = HEIGHT_PX


def chart_alt(digest: Digest) -> str:
    """ "Articles par jour : lun. 23 : 3, mar. 24 : 5, … Total 18 : Offshoring 10, Emploi 8."""
    days = ", ".join(
        f"{format_date(day, 'EEE d', locale='fr_FR')} : {sum(n for _, n in counts)}"
        for day, counts in digest.daily
    )
    by_theme: dict[str, int] = {}
    for _, counts in digest.daily:
        for label, n in counts:
            by_theme[label] = by_theme.get(label, 0) + n
    total = sum(by_theme.values())
    themes = ", ".join(
        f"{label} {n}" for label, n in sorted(by_theme.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return f"Articles par jour : {days}. Total {total}" + (f" : {themes}." if themes else ".")


def render_chart(digest: Digest) -> Chart | None:
    """A stacked bar chart of the period's articles per day, or None when there are none."""
    if not any(n for _, counts in digest.daily for _, n in counts):
        return None
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = sorted({label for _, counts in digest.daily for label, _ in counts})
    days = [day for day, _ in digest.daily]
    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    ax = fig.subplots()
    bottoms = [0] * len(days)
    positions = list(range(len(days)))
    for i, label in enumerate(labels):
        values = [dict(counts).get(label, 0) for _, counts in digest.daily]
        ax.bar(positions, values, bottom=bottoms, color=PALETTE[i % len(PALETTE)], label=label, width=0.7)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    tick = "EEE d" if len(days) <= 10 else "d/M"
    ax.set_xticks(positions, [format_date(d, tick, locale="fr_FR") for d in days], fontsize=8)
    ax.set_ylabel("articles", fontsize=8)
    locator = ax.yaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # a linear axis' AutoLocator: the one that takes integer=
        locator.set_params(integer=True)
    ax.tick_params(axis="y", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=7, frameon=False, loc="upper left", ncols=min(len(labels), 3))
    ax.set_ylim(0, max(bottoms) * 1.35 + 0.5)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return Chart(png=buf.getvalue(), alt=chart_alt(digest))
