"""A study as one HTML page (Jinja2, a template of its own with print CSS: A4, a title page, a
section per indicator, its chart drawn as the web's inline SVG and its table, the conflicts and
how they were settled, the sources). The PDF is this page printed (:mod:`veille.study.printing`)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from veille.core.formatting import format_date, format_value, period_label, status_label
from veille.core.series import Point
from veille.study.report import Section, Study, shown
from veille.web.charts import ChartPoint, period_position, series_chart

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _chart_point(p: Point, href: str) -> ChartPoint:
    label = f"{period_label(p.period)} · {status_label(p.status)} : {shown(p.value, p, p.range_max)}"
    progress = p.progress
    return ChartPoint(
        p.status, period_position(p.period), p.value, label, href, p.conflict,
        reached=(period_position(progress.period), progress.value) if progress else None,
    )  # fmt: skip


def chart_svg(section: Section) -> Markup:
    """The section's chart as the web draws it, each marker a link to its row of the table."""
    points = [_chart_point(p, f"#{section.key}-{i}") for i, p in enumerate(section.points, 1)]
    unit = section.unit or "count"
    return series_chart(points, title=section.title, value_label=lambda v: format_value(v, unit))


def render_html(study: Study, pictures: dict[str, str] | None = None) -> str:
    """The study's page; ``pictures`` (indicator key -> file name) links each chart's PNG."""
    return (
        _env()
        .get_template("study.html")
        .render(
            study=study,
            charts={s.key: chart_svg(s) for s in study.sections},
            pictures=pictures or {},
            made=format_date(study.made, "long"),
        )
    )
