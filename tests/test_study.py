"""A study, written up (issue "Études", item 7): on the series tests' archive
(:mod:`tests.store.series_archive`), ``veille study`` writes the HTML, the PDF (printed by headless
Chromium), the DOCX and a PNG per chart, each holding the headings and the chosen values in French
format; an unknown indicator or a period the wrong way round is one line and exit 2, a period
with no point is one line and exit 1."""

from __future__ import annotations

import html as htmllib
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.store.series_archive import load
from veille.archive.store import Store, open_store
from veille.cli import main
from veille.core.config import Settings
from veille.study.files import study_zip, write_study
from veille.study.report import StudyError, build_study

PNG = b"\x89PNG\r\n\x1a\n"
SECTIONS = ["1. Exportations — Maroc", "2. Exportations — Maroc, par trimestre",
            "3. Exportations — Maroc, sur plusieurs années", "4. Effectif — Maroc", "5. Emplois créés — Maroc"]  # fmt: skip
HEADINGS = ("Étude : Exportations, Effectif, Emplois créés", "Période 2014–2026", *SECTIONS,
            "Conflits et arbitrages", "Sources")  # fmt: skip
# chosen values as the rule keeps them, in French: the official 18 milliards of 2018 (against 19,5),
# the 2019 value, the 2020 most recent, the official 125 000 jobs, the 2018 target 72 % reached
VALUES = ("18 milliards DH", "19,5 milliards DH", "20 milliards DH", "16 milliards DH", "125 000 emplois",
          "72 % atteint", "22 000 emplois", "source officielle", "la plus citée", "la plus récente",
          "4,5 milliards DH", "75 milliards DH", "objectif à l'horizon 2030", "60 000 emplois", "LesEco.ma")  # fmt: skip
needs_chromium = pytest.mark.skipif(  # in CI (CI=true) a missing Chromium is a failure, not a skip
    not os.environ.get("CI") and shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists(),
    reason="no Chromium to print",
)


def plain(text: str) -> str:
    """Non-breaking spaces as plain ones, whitespace runs as one space."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _study(
    store: Store, settings: Settings, keys: tuple[str, ...] = ("exportations", "effectif", "emplois_crees")
):
    from veille.core.sources import source_labels

    return build_study(store, settings.series_rule, keys, 2014, 2026, rates_source=settings.rates.source,
                       outlets=source_labels(settings.sources))  # fmt: skip


def test_the_study_says_what_the_series_say(any_store: Store, settings: Settings) -> None:
    load(any_store)
    study = _study(any_store, settings)
    exports = study.sections[0]
    assert [(r.period, r.status, plain(r.value), r.rule) for r in exports.rows] == [
        ("2018", "réalisé", "18 milliards DH", "source officielle"), ("2019", "réalisé", "20 milliards DH", "la plus citée"),
        ("2020", "réalisé", "16 milliards DH", "la plus récente"), ("2018", "objectif", "25 milliards DH", "seule valeur citée"),
    ]  # fmt: skip
    assert [(s.indicator, s.period, s.conflict) for s in study.settled] == [
        ("Exportations", "2018", True), ("Exportations", "2019", False), ("Exportations", "2020", True),
        ("Effectif", "2024", False), ("Emplois créés", "2021", True), ("Emplois créés", "2022", False),
        ("Emplois créés", "2023", True),
    ]  # fmt: skip
    assert len(study.settled[0].disagreeing) == 3
    assert (
        plain(study.settled[0].disagreeing[0]) == "LesEco.ma, 1 avr. 2019 : 19,5 milliards DH"
    )  # its display name
    # the quarters and the span in sections of their own (a year is never made of its quarters)
    assert [(s.key, s.title) for s in study.sections] == [
        ("exportations", "Exportations — Maroc"), ("exportations-quarter", "Exportations — Maroc, par trimestre"),
        ("exportations-span", "Exportations — Maroc, sur plusieurs années"), ("effectif", "Effectif — Maroc"),
        ("emplois_crees", "Emplois créés — Maroc"),
    ]  # fmt: skip
    assert [(r.period, plain(r.value)) for r in study.sections[1].rows] == [
        ("T1 2018", "4,5 milliards DH"), ("T2 2018", "4,6 milliards DH"),
    ]  # fmt: skip
    assert [(r.period, plain(r.value)) for r in study.sections[2].rows] == [("2014-2018", "75 milliards DH")]
    # the 2030 target, due after --to 2026, is shown with its horizon
    target = [r for r in study.sections[4].rows if r.period == "2030"]
    assert [(r.status, plain(r.value)) for r in target] == [("objectif à l'horizon 2030", "60 000 emplois")]
    assert study.indicators == ["exportations", "effectif", "emplois_crees"]
    # every article cited once, oldest first (the copies of one story are three articles)
    assert (study.sources[0].url, study.sources[0].outlet, study.sources[0].date) == (
        "https://le360.test/d",
        "Le360",
        "1 août 2018",
    )
    assert len({s.url for s in study.sources}) == len(study.sources) == 32
    assert "https://medias24.test/t2" in {s.url for s in study.sources}
    assert study.made.tzinfo is not None  # the archive's clock, not the machine's local time


@needs_chromium
def test_the_command_writes_html_pdf_docx_and_pngs(
    store: Store, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import docx
    import pypdf

    load(store)
    out = tmp_path / "etude"
    assert main(["study", "exportations", "effectif", "emplois_crees", "--from", "2014", "--to", "2026",
                 "--out", str(out)]) == 0  # fmt: skip
    assert "3 indicateur(s)" in capsys.readouterr().out
    page = plain(htmllib.unescape((out / "etude.html").read_text(encoding="utf-8")))
    pdf = plain(" ".join(p.extract_text() for p in pypdf.PdfReader(out / "etude.pdf").pages))
    document = docx.Document(str(out / "etude.docx"))
    words = plain(" ".join([p.text for p in document.paragraphs]
                           + [c.text for t in document.tables for r in t.rows for c in r.cells]))  # fmt: skip
    for text in (page, pdf, words):
        for expected in (*HEADINGS, *VALUES, "https://medias24.test/a1"):
            assert expected in text, expected
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [*SECTIONS, "Conflits et arbitrages", "Sources"]
    first_table = [[c.text for c in r.cells] for r in document.tables[0].rows]
    assert [plain(c) for c in first_table[1][:4]] == [
        "2018",
        "réalisé",
        "18 milliards DH (désaccord)",
        "source officielle",
    ]
    raw = (out / "etude.html").read_text(encoding="utf-8")
    assert raw.count('<svg class="graphe serie"') == 5 and 'href="#exportations-1"' in raw  # the web's chart
    for key in ("exportations", "exportations-quarter", "exportations-span", "effectif", "emplois_crees"):
        assert (out / f"graphique-{key}.png").read_bytes()[:8] == PNG
    assert len(document.inline_shapes) == 5  # the charts in the document
    assert len(pypdf.PdfReader(out / "etude.pdf").pages) >= 5  # a title page, a page per section, ...


@needs_chromium
def test_the_study_as_a_zip_on_postgresql(pg_url: str, settings: Settings) -> None:
    store = open_store(pg_url)
    try:
        load(store)
        study = _study(store, settings, ("effectif",))
    finally:
        store.close()
    with zipfile.ZipFile(__import__("io").BytesIO(study_zip(study))) as z:
        names = sorted(z.namelist())
        assert names == [
            "etude/etude.docx",
            "etude/etude.html",
            "etude/etude.pdf",
            "etude/graphique-effectif.png",
        ]
        assert "125\u00a0000\u00a0emplois" in z.read("etude/etude.html").decode()


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (["inconnu", "--from", "2014", "--to", "2026"], 2, "indicateur inconnu : inconnu"),
        (
            ["exportations", "--from", "2026", "--to", "2014"],
            2,
            "période vide : --from 2026 est après --to 2014",
        ),
        (
            ["exportations", "--from", "2000", "--to", "2010"],
            1,
            "aucun point entre 2000 et 2010 pour exportations",
        ),
        (
            ["exportations", "--from", "2014", "--to", "2026", "--scope", "zone"],
            2,
            "--scope 'zone': give KIND:NAME",
        ),
    ],
)
def test_bad_input_is_one_line(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, line: str
) -> None:
    load(store)
    out = tmp_path / "etude"
    assert main(["study", *args, "--out", str(out)]) == code
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and line in err, err
    assert not out.exists()  # nothing written


def test_a_missing_parent_folder_is_one_line(store: Store, settings: Settings, tmp_path: Path) -> None:
    load(store)
    study = _study(store, settings, ("effectif",))
    with pytest.raises(Exception, match="n'existe pas") as caught:
        write_study(study, tmp_path / "absent" / "etude")
    assert not isinstance(caught.value, StudyError) and "\n" not in str(caught.value)
