"""A study as an editable Word document (python-docx): the title page, a section per indicator
with its chart (the PNG) and its table, the conflicts and how they were settled, the sources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from veille.core.formatting import format_date
from veille.study.report import Section, Study

POINT_HEADER = (
    "Période",
    "Statut",
    "Valeur retenue",
    "Règle",
    "Écart des valeurs citées",
    "Citations",
    "Avancement",
)
SETTLED_HEADER = ("Indicateur", "Période", "Valeur retenue", "Arbitrage", "Autres valeurs citées")


def _table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = str(value)


def _title_page(doc: Any, study: Study) -> None:
    from docx.enum.text import WD_BREAK

    doc.add_paragraph("Veille et études — offshoring")
    doc.add_heading(f"Étude : {study.labels}", level=0)
    doc.add_paragraph(f"Période {study.period}")
    doc.add_paragraph(
        f"{len(study.sections)} indicateur(s) · {len(study.settled)} point(s) aux valeurs divergentes · "
        f"{len(study.sources)} source(s)"
    )
    doc.add_paragraph(
        f"Établie le {format_date(study.made, 'long')} à partir des chiffres de l'archive de veille."
    )
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _section(doc: Any, number: int, section: Section, picture: Path | None, rates_source: str) -> None:
    from docx.shared import Cm

    doc.add_heading(f"{number}. {section.title}", level=1)
    note = f"{section.definition} Portée : {section.scope}."
    if section.unit == "MAD":
        note += " Montants en dirhams (euros et dollars convertis au cours annuel moyen"
        note += f" : {rates_source})." if rates_source else ")."
    doc.add_paragraph(note)
    if not section.points:
        doc.add_paragraph("Aucun point pour cet indicateur sur la période.")
        return
    if picture is not None:
        doc.add_picture(str(picture), width=Cm(16))
    rows = [(r.period, r.status, r.value + (" (désaccord)" if r.conflict else ""), r.rule, r.spread,
             r.citations, r.progress) for r in section.rows]  # fmt: skip
    _table(doc, POINT_HEADER, rows)


def write_docx(study: Study, path: Path, pictures: Mapping[str, Path]) -> Path:
    """The study's document written to ``path``; ``pictures``: each indicator's PNG."""
    from docx import Document

    doc = Document()
    _title_page(doc, study)
    for number, section in enumerate(study.sections, 1):
        _section(doc, number, section, pictures.get(section.key), study.rates_source)
    doc.add_heading("Conflits et arbitrages", level=1)
    doc.add_paragraph(
        "Quand les articles citent plusieurs valeurs pour un même point, la valeur retenue est celle d'une "
        "source officielle, sinon la plus citée, sinon la plus récente. Un point est en désaccord quand une "
        "citation s'écarte de plus de 5 % de la valeur retenue (10 % pour une valeur approchée)."
    )
    if study.settled:
        rows = [(c.indicator, f"{c.period} ({c.status})", c.chosen, c.how + (" — désaccord" if c.conflict else ""),
                 " ; ".join(c.others)) for c in study.settled]  # fmt: skip
        _table(doc, SETTLED_HEADER, rows)
    else:
        doc.add_paragraph("Aucun point n'a reçu de valeurs divergentes sur la période.")
    doc.add_heading("Sources", level=1)
    for src in study.sources:
        doc.add_paragraph(f"{src.outlet}, « {src.title} », {src.date} — {src.url}", style="List Number")
    doc.save(str(path))
    return path
