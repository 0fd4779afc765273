"""A study's files, written to a folder: ``etude.html``, ``etude.pdf``, ``etude.docx`` and one
PNG per indicator (``graphique-<indicateur>.png``); or the same packed in a zip for the web."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from veille.core.errors import VeilleError
from veille.study.document import write_docx
from veille.study.page import render_html
from veille.study.pictures import draw_png
from veille.study.printing import print_pdf
from veille.study.report import Study

HTML, PDF, DOCX = "etude.html", "etude.pdf", "etude.docx"


@dataclass(frozen=True)
class Written:
    html: Path
    pdf: Path
    docx: Path
    pictures: tuple[Path, ...]

    def all(self) -> list[Path]:
        return [self.html, self.pdf, self.docx, *self.pictures]


def picture_name(key: str) -> str:
    return f"graphique-{key}.png"


def write_study(study: Study, folder: Path) -> Written:
    """Every file of the study written into ``folder`` (made if missing; its parent must exist)."""
    if not folder.parent.resolve().is_dir():
        raise VeilleError(
            f"impossible d'écrire l'étude dans {folder} : le dossier {folder.parent} n'existe pas"
        )
    try:
        folder.mkdir(exist_ok=True)
        pictures = {s.key: draw_png(s, folder / picture_name(s.key)) for s in study.sections if s.points}
        html = folder / HTML
        html.write_text(render_html(study, {k: p.name for k, p in pictures.items()}), encoding="utf-8")
        docx = write_docx(study, folder / DOCX, pictures)
    except OSError as exc:
        raise VeilleError(f"impossible d'écrire l'étude dans {folder} : {exc.strerror}") from None
    pdf = print_pdf(html, folder / PDF)
    return Written(html, pdf, docx, tuple(pictures.values()))


def study_zip(study: Study) -> bytes:
    """The study's files in one zip (a folder ``etude/``)."""
    with tempfile.TemporaryDirectory(prefix="veille-etude-") as tmp:
        written = write_study(study, Path(tmp) / "etude")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for path in written.all():
                z.write(path, f"etude/{path.name}")
    return buffer.getvalue()
