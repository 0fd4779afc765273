"""Reading files into text and tables (spiders/files.py, pdf.py, sheets.py, grids.py), and
refusing the hostile ones: encrypted, broken, too big, too long, a zip bomb, a reader that hangs,
eats memory or dies."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from spiders.files import Limits, UnreadableFile, file_type
from spiders.grids import grid_tables, header_rows
from spiders.reader import read_file, read_isolated
from spiders.sheets import read_csv
from tests.spiders import documents_fixtures as fx


def _read(body: bytes, name: str, limits: Limits = Limits()):  # type: ignore[no-untyped-def]
    return read_file(body, f"https://office.example.ma/docs/{name}", None, limits)


def test_a_pdf_page_by_page_with_its_table_and_caption() -> None:
    content = _read(fx.indicators_pdf(), "indicateurs.pdf")
    assert content.file_type == "pdf" and content.page_count == 2 and len(content.pages) == 2
    assert (
        "premiers résultats des échanges extérieurs du Maroc à fin septembre. Les données" in content.pages[0]
    )
    assert "\n" not in content.pages[0].split("\n\n")[-1]  # a paragraph's lines joined into one
    (table,) = content.tables
    assert table.page == 2 and table.index == 0 and table.header_rows == 1
    assert table.caption.startswith("Tableau 3 : Exportations de services (en millions de DH)")
    assert table.caption.endswith("Source : Office des changes.")
    assert table.rows[0] == ("Rubriques", "Janv.-Sept. 2024", "Janv.-Sept. 2025", "Variation en %")
    assert "86 345,2" not in content.pages[1]  # the table's cells are not running text
    assert content.published is not None and (content.published.day, content.date_from) == (28, "first_page")
    assert content.title_from == "metadata" and "septembre 2025" in (content.title or "")


def test_a_two_level_header_is_read_with_its_merged_cells() -> None:
    (table,) = _read(fx.report_pdf(), "rapport.pdf").tables
    assert table.header_rows == 2
    assert table.rows[0] == ("Segment", "2022", None, "2023", None)
    assert table.rows[1][1:] == ("Effectifs", "CA export (MDH)", "Effectifs", "CA export (MDH)")


def test_a_workbook_its_sheets_french_numbers_and_no_formula_evaluated() -> None:
    content = _read(fx.barometer_xlsx(), "barometre.xlsx")
    assert content.file_type == "xlsx" and content.page_count == 3
    synthese, regions = content.tables
    assert (
        synthese.sheet == "Synthèse"
        and synthese.row_refs == (3, 4, 5, 6, 7)
        and synthese.col_refs == (1, 2, 3)
    )
    assert synthese.rows[0] == ("Indicateur", 2024.0, 2025.0) and synthese.header_rows == 1
    assert synthese.rows[1] == ("Effectif total", "125 500", "131 200")
    assert synthese.rows[4] == ("Contrôle (formule)", None, None)  # "=B4*2" read as its cached value: none
    assert "Baromètre annuel" in synthese.caption and "Source : fédération" in synthese.caption
    assert regions.sheet == "Régions" and regions.rows[1] == ("Casablanca-Settat", 61200.0, 63900.0)
    assert "Méthodologie" in content.pages[2]  # a sheet's free text


def test_an_old_xls_workbook_and_a_french_csv_file() -> None:
    (xls,) = _read(fx.zones_xls(), "zones.xls").tables
    assert xls.sheet == "Zones" and xls.rows[1] == ("Casanearshore", 180.0, 192.0) and xls.row_refs[0] == 3
    csv_content = _read(fx.jobs_csv(), "emplois.csv")
    (table,) = csv_content.tables
    assert table.sheet is None and table.rows[2] == ("Technopolis Rabat", "1\u00a0020", "1\u00a0310")
    assert table.caption == "Emplois créés par zone (en nombre d'emplois)"
    # comma separated, UTF-8 with a byte-order mark
    english = read_csv("Zone,2024\nCasanearshore,2150\nFès Shore,640\n".encode("utf-8-sig"), Limits())
    assert english.tables[0].rows == (("Zone", "2024"), ("Casanearshore", "2150"), ("Fès Shore", "640"))


def test_header_rows_and_blocks_of_a_sheet() -> None:
    assert header_rows([("a", "2024", "2025"), ("x", "1 234,5", "2")]) == 1
    assert header_rows([("", "2024", None), ("", "Effectifs", "CA"), ("x", "1", "2")]) == 2
    assert header_rows([("x", "1", "2"), ("y", "3", "4")]) == 0
    grid = [(1, ["Titre du tableau"]), (2, []), (3, ["", "2024"]), (4, ["Offshoring", 3.0]), (5, ["BPO", 2.0]),
            (6, []), (7, ["Source : office"]), (8, []), (9, ["Une note libre"])]  # fmt: skip
    (table,), free = grid_tables(grid, sheet="S")
    assert table.caption == "Titre du tableau Source : office" and table.row_refs == (3, 4, 5)
    assert table.rows[0] == (None, "2024") and table.header_rows == 1
    assert free == ["Une note libre"]


def test_file_types_by_their_bytes() -> None:
    assert file_type(fx.indicators_pdf(), "https://x/telecharger?id=3") == "pdf"
    assert file_type(fx.barometer_xlsx(), "https://x/f.bin") == "xlsx"
    assert file_type(fx.zones_xls(), "https://x/f") == "xls"
    assert file_type(b"a;b\n1;2\n", "https://x/f", "text/csv; charset=utf-8") == "csv"
    with pytest.raises(UnreadableFile, match="an HTML page"):
        file_type(b"<!doctype html><html></html>", "https://x/doc.pdf", "text/html")
    with pytest.raises(UnreadableFile, match="not a PDF, XLSX, XLS or CSV"):
        file_type(b"\x89PNG\r\n\x1a\n....", "https://x/image.png", "image/png")


@pytest.mark.parametrize(
    ("body", "name", "reason"),
    [
        (fx.encrypted_pdf(), "protege.pdf", "encrypted PDF refused"),
        (fx.broken_pdf(), "corrompu.pdf", "broken PDF"),
        (fx.barometer_xlsx()[:900], "tronque.xlsx", "broken xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le"), "chiffre.xlsx",
         "encrypted spreadsheet refused"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "vieux.xls", "broken xls"),
    ],
    ids=["encrypted-pdf", "broken-pdf", "cut-xlsx", "encrypted-xlsx", "broken-xls"],
)  # fmt: skip
def test_encrypted_and_broken_files_are_refused_in_one_line(body: bytes, name: str, reason: str) -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_isolated(body, f"https://office.example.ma/docs/{name}", None, Limits(timeout=60))
    assert reason in str(caught.value) and "\n" not in str(caught.value)


def test_a_zip_bomb_is_refused_unopened() -> None:
    bomb = fx.zip_bomb_xlsx(300_000_000)
    assert len(bomb) < 1_000_000
    with pytest.raises(UnreadableFile, match="zip bomb"):
        _read(bomb, "bombe.xlsx")
    with pytest.raises(UnreadableFile, match="once unpacked, over the"):
        _read(bomb, "bombe.xlsx", Limits(max_zip_ratio=10_000.0))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(UnreadableFile, match="not a workbook"):
        _read(buf.getvalue(), "note.xlsx")


def test_size_page_and_cell_caps() -> None:
    with pytest.raises(UnreadableFile, match="over the 1,000 limit"):
        _read(fx.indicators_pdf(), "gros.pdf", Limits(max_file_size=1000))
    content = _read(fx.long_pdf(5), "long.pdf", Limits(max_pages=2))
    assert content.page_count == 5 and len(content.pages) == 2
    assert content.notes == ["pages 3-5 not read (max_pages 2)"]
    sheet = _read(fx.barometer_xlsx(), "barometre.xlsx", Limits(max_cells=12))
    assert any("max_cells" in n for n in sheet.notes) and len(sheet.tables) <= 1


def test_a_reader_that_hangs_eats_memory_or_dies_is_stopped() -> None:
    began = time.monotonic()
    with pytest.raises(UnreadableFile, match="reading took over 2 s: stopped"):
        read_isolated(b"", "https://x/lent.pdf", None, Limits(timeout=2), reader=fx.sleeping_reader)
    assert time.monotonic() - began < 20
    with pytest.raises(UnreadableFile, match="more than 400,000,000 bytes of memory"):
        read_isolated(b"", "https://x/gourmand.pdf", None, Limits(timeout=60, memory=400_000_000),
                      reader=fx.greedy_reader)  # fmt: skip
    with pytest.raises(UnreadableFile, match="the reading process died"):
        read_isolated(b"", "https://x/mort.pdf", None, Limits(timeout=60), reader=fx.dying_reader)
    # and a good file comes back whole from its process
    content = read_isolated(fx.report_pdf(), "https://x/rapport.pdf", None, Limits(timeout=60))
    assert content.tables[0].rows[4][0] == "Total offshoring"


def test_a_borderless_table_is_read_as_a_table_and_running_text_never_is() -> None:
    """Columns aligned by spaces under a header row, without any ruling line: a table with its
    caption, its cells out of the running text and read into figures as a ruled table's; a page
    of running text (numbers, a schedule, an aligned list without a header) gives none."""
    from pipeline.tables import readers, table_figures

    content = _read(fx.borderless_pdf(), "note.pdf")
    (table,) = content.tables
    assert table.page == 1 and table.header_rows == 1 and table.index == 0
    assert table.rows == (
        ("Segment", "2023", "2024", "Var. %"),
        ("Centres d'appels", "9 800,0", "10 450,5", "6,6"),
        ("Services IT", "6 100,2", "6 900,0", "13,1"),
        ("Total offshoring", "17 300,4", "18 700,1", "8,1"),
    )
    assert (
        table.caption
        == "Tableau 2 : Chiffre d'affaires à l'export par segment (en millions de DH) Source : ministère."
    )
    first, second = content.pages
    assert "9 800,0" not in first and "Centres d'appels 9" not in first  # the cells are not running text
    assert "emploient 139 800 personnes, dont 76 500 dans les centres d'appels" in first
    assert "premières villes :" in second and "61 200" in second  # the list without a header stays text
    figures = table_figures(table, readers(), title="Note de conjoncture")
    got = [(f.cell, f.value, f.unit, f.indicator, f.period, f.scope) for f in figures]
    assert got[:2] == [
        ("B2", 9_800e6, "MAD", "exportations", "2023", "relation client"),
        ("C2", 10_450.5e6, "MAD", "exportations", "2024", "relation client"),
    ]
    assert ("C4", 18_700.1e6, "MAD", "exportations", "2024", "Maroc") in got and len(got) == 9


def test_running_text_and_lists_are_no_borderless_table() -> None:
    """The guards, on grids as the column finder cuts them: no header row, a sentence in a cell,
    no column of values (years are no values), too few rows."""
    from spiders.columns import is_table

    table = (
        ("Segment", "2023", "2024"),
        ("Centres d'appels", "9 800", "10 450"),
        ("Services IT", "6 100", "6 900"),
    )
    assert is_table(table)
    assert not is_table(table[1:])  # no header row: values from the first row
    assert not is_table(table[:2])  # a header and one row
    sentence = ("En 2025, douze opérateurs prévoient trois mille cinq cents recrutements", "3 500", "2 900")
    assert not is_table((*table, sentence))
    calendar = (("Étape", "Mois", "Année"), ("Lancement", "janvier", "2025"), ("Bilan", "mars", "2025"))
    assert not is_table(calendar)  # years and words: no value
    mostly_words = (
        ("Rubrique", "2024"),
        ("Voyages", "en hausse"),
        ("Transport", "stable"),
        ("Offshoring", "12"),
    )
    assert not is_table(mostly_words)  # one row of values in three
