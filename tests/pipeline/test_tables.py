"""Table cells to figures (pipeline/tables.py): period, unit, indicator, scope and status from
the row's and the column's labels and the caption; nothing from a row Veille does not watch."""

from __future__ import annotations

import pytest

from pipeline.tables import column_labels, column_letters, period_of, readers, table_figures
from veille.core.models import Table


def _t(rows: list[tuple], caption: str = "", header_rows: int = 1, **kw: object) -> Table:
    return Table(rows=tuple(tuple(r) for r in rows), caption=caption, header_rows=header_rows, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "period"),
    [("Janv.-Sept. 2025", "2025-01..09"), ("janvier-septembre 2025", "2025-01..09"),
     ("9 mois 2025", "2025-01..09"), ("Neuf premiers mois 2025", "2025-01..09"),
     ("Fin septembre 2025", "2025-01..09"), ("À fin sept. 2025", "2025-01..09"),
     ("Cumul à fin juin 2025", "2025-H1"), ("Fin déc. 2024", "2024"), ("Sept. 2025", "2025-09"),
     ("Avril-mai 2025", "2025-04..05"), ("T1 2025", "2025-Q1"), ("S1 2025", "2025-H1"),
     ("1er semestre 2024", "2024-H1"), ("2023-2024", "2023-2024"), ("2024/2025", "2024-2025"),
     ("Var. 2025/2024", "2025"), ("Effectif 2024", "2024"), ("2024", "2024"),
     ("janvier-mars 2025", "2025-Q1"), ("Rubriques", None), ("Variation en %", None)],
)  # fmt: skip
def test_periods_of_column_labels(label: str, period: str | None) -> None:
    assert period_of(label) == period


def test_column_labels_carry_a_merged_header_cell_over_its_columns() -> None:
    table = _t([("Segment", "2022", None, "2023", None), (None, "Effectifs", "CA", "Effectifs", None), ("x", "1", "2", "3", "4")], header_rows=2)  # fmt: skip
    assert column_labels(table) == ["Segment", "2022 Effectifs", "2022 CA", "2023 Effectifs", "2023"]
    assert [column_letters(n) for n in (1, 26, 27, 52)] == ["A", "Z", "AA", "AZ"]


def test_a_services_table_gives_the_offshoring_row_only() -> None:
    table = _t(
        [("Rubriques", "Janv.-Sept. 2024", "Janv.-Sept. 2025", "Variation en %"),
         ("Voyages", "86 345,2", "91 882,6", "6,4"), ("Offshoring", "16 890,2", "18 234,5", "8,0"),
         ("Total", "128 346,1", "136 122,0", "6,1")],
        caption="Tableau 3 : Exportations de services (en millions de DH)", page=2, index=0,
    )  # fmt: skip
    figures = table_figures(table, readers())
    assert [(f.cell, f.value, f.unit, f.indicator, f.period) for f in figures] == [
        ("B3", 16_890.2e6, "MAD", "exportations", "2024-01..09"),
        ("C3", 18_234.5e6, "MAD", "exportations", "2025-01..09"),
        ("D3", 8.0, "percent", "croissance", "2025-01..09"),  # the variation: of the latest period
    ]
    f = figures[1]
    assert (f.scope_kind, f.scope, f.status, f.table_index, f.text) == (
        "country",
        "Maroc",
        "actual",
        0,
        "18 234,5",
    )
    assert (
        f.sentence.startswith("Offshoring — Janv.-Sept. 2025 : 18 234,5")
        and "page 2, cellule C3" in f.sentence
    )
    assert f.metric == "Exportations de services" and (f.start, f.end) == (0, 0)


def test_years_down_the_rows_measures_across_and_the_sheets_cell_references() -> None:
    table = _t(
        [("Année", "Effectif", "CA export (en millions d'euros)"), (2023.0, 12000.0, 410.5), (2024.0, 13500.0, 455.0)],
        caption="Les chiffres clés de l'offshoring au Maroc", sheet="Clés", row_refs=(5, 6, 7), col_refs=(2, 3, 4),
    )  # fmt: skip
    figures = table_figures(table, readers())
    assert [(f.cell, f.period, f.unit, f.value, f.indicator) for f in figures] == [
        ("C6", "2023", "jobs", 12000.0, "effectif"), ("D6", "2023", "EUR", 410.5e6, "exportations"),
        ("C7", "2024", "jobs", 13500.0, "effectif"), ("D7", "2024", "EUR", 455.0e6, "exportations"),
    ]  # fmt: skip
    assert "feuille « Clés »" in figures[0].sentence
    # the same table about something else: not the sector's, no figure
    other = _t(list(table.rows), caption="Les chiffres clés du tourisme", sheet="Clés")
    assert table_figures(other, readers(), title="Bulletin du tourisme") == []
    # the document's title may say what the table is about
    assert len(table_figures(other, readers(), title="Baromètre de l'offshoring")) == 4


def test_sections_forecasts_and_places() -> None:
    table = _t(
        [("", "2024", "2026 (prévisions)"), ("Tourisme", "500 000", "520 000"), ("Offshoring", None, None),
         ("Emplois", "120 000", "150 000"), ("Fès Shore", "3 000", "4 500")],
        caption="Effectifs (en nombre d'emplois)",
    )  # fmt: skip
    figures = table_figures(table, readers())
    got = [(f.cell, f.period, f.status, f.scope_kind, f.scope, f.value) for f in figures]
    assert got == [
        ("B4", "2024", "actual", "country", "Maroc", 120_000.0), ("C4", "2026", "forecast", "country", "Maroc", 150_000.0),
        ("B5", "2024", "actual", "zone", "Fès Shore", 3000.0), ("C5", "2026", "forecast", "zone", "Fès Shore", 4500.0),
    ]  # fmt: skip
    assert figures[0].sentence.startswith(
        "Offshoring — Emplois — 2024"
    )  # its section named; Tourisme left out


def test_cells_that_are_no_figures() -> None:
    table = _t(
        [("Rubrique", "2024", "Commentaire"), ("Offshoring", "n.d.", "en hausse"), ("Offshoring (bis)", "-", "12")],
        caption="Recettes (en MDH)",
    )  # fmt: skip
    assert table_figures(table, readers()) == []  # no value, or no period in its column
    assert table_figures(_t([("Offshoring", "12")]), readers()) == []  # one row: no header, no period


def test_a_workbook_s_year_to_date_columns_are_months_never_the_year() -> None:
    """ "9 mois 2024", "Fin septembre 2025" and "Janv.-Sept. 2025" are January to September of
    their year and "Septembre 2025" the month alone: none is read as the year, which the first
    column alone gives."""
    from spiders.files import Limits
    from spiders.reader import read_file
    from tests.spiders.documents_fixtures import cumulative_xlsx

    content = read_file(cumulative_xlsx(), "https://office.example.ma/docs/services.xlsx", None, Limits())
    (table,) = content.tables
    figures = table_figures(table, readers(), title="Bulletin mensuel")
    assert [(f.cell, f.period, f.value, f.indicator) for f in figures] == [
        ("B4", "2024", 22_950.4e6, "exportations"), ("C4", "2024-01..09", 16_890.2e6, "exportations"),
        ("D4", "2025-01..09", 18_234.5e6, "exportations"), ("E4", "2025-01..09", 18_234.5e6, "exportations"),
        ("F4", "2025-09", 2_104.7e6, "exportations"),
    ]  # fmt: skip
    from veille.core.formatting import period_label

    assert [period_label(f.period) for f in figures] == [
        "2024", "janv.–sept. 2024", "janv.–sept. 2025", "janv.–sept. 2025", "sept. 2025",
    ]  # fmt: skip
