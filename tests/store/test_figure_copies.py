"""A figure repeated by the copies of one syndicated story is listed once, with its copies
(issue 14, item 6): the search core, the exports' walk and ``veille figures``, on SQLite and
PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from veille.archive import search as s
from veille.archive.cache import CACHE
from veille.archive.search import FigureQuery, figures, iter_figures
from veille.archive.store import Store
from veille.cli import main
from veille.core.models import Analysis, Article, Figure

STORY = "Les exportations de l'offshoring ont atteint 18 milliards de DH en 2024, selon l'Office des changes."
REVISED = (
    "Les exportations de l'offshoring ont atteint 18,5 milliards de DH en 2024, selon l'Office des changes."
)
OTHER = "Medz investit 300 millions de DH à Oujda Shore en 2025."


def _fig(text: str, span: str, value: float, **kw: object) -> Figure:
    start = text.index(span)
    return Figure(text=span, start=start, end=start + len(span), value=value, unit="MAD", sentence=text,
                  sentence_start=0, sentence_end=len(text), metric="exportations", **kw)  # type: ignore[arg-type]  # fmt: skip


def _add(store: Store, source: str, day: int, text: str, figure: Figure, cluster: int | None = None) -> int:
    art = Article(url=f"https://{source}.test/{day}", source=source, title=text[:40], text=text,
                  published=datetime(2025, 1, day, 9, tzinfo=UTC), relevance=0.9, cluster=cluster)  # fmt: skip
    aid, _ = store.upsert_article(art)
    store.save_analysis(aid, Analysis(figures=(figure,)), "test-1")
    return aid


def load(store: Store) -> dict[str, int]:
    """One story carried by three outlets (18 milliards), a fourth copy whose figure was revised
    (18,5 milliards), and an unrelated article the same week."""
    ids = {
        "first": _add(store, "medias24", 10, STORY, _fig(STORY, "18 milliards de DH", 1.8e10, period="2024"))
    }
    first = ids["first"]
    ids["copy1"] = _add(
        store, "lematin", 11, STORY, _fig(STORY, "18 milliards de DH", 1.8e10, period="2024"), first
    )
    ids["other"] = _add(store, "leseco", 12, OTHER, _fig(OTHER, "300 millions de DH", 3e8, period="2025"))
    ids["copy2"] = _add(
        store, "hespress", 13, STORY, _fig(STORY, "18 milliards de DH", 1.8e10, period="2024"), first
    )
    ids["revised"] = _add(
        store, "le360", 14, REVISED, _fig(REVISED, "18,5 milliards de DH", 1.85e10, period="2024"), first
    )
    return ids  # fmt: skip


def test_copies_of_one_story_are_one_row(any_store: Store) -> None:
    ids = load(any_store)
    result = figures(any_store, FigureQuery(unit="MAD"))
    # newest first: the revised copy, the story (where its newest copy stands), the other article
    assert [r.value for r in result.rows] == [1.85e10, 1.8e10, 3e8]
    assert (result.total, result.total_exact) == (3, True)
    story = result.rows[1]
    assert (story.article_id, story.source) == (ids["first"], "medias24")  # the story's earliest article
    assert [(c.article_id, c.source, c.url) for c in story.copies] == [
        (ids["copy1"], "lematin", "https://lematin.test/11"),
        (ids["copy2"], "hespress", "https://hespress.test/13"),
    ]
    assert story.copies[0].published == datetime(2025, 1, 11, 9, tzinfo=UTC)
    assert result.rows[0].copies == [] and result.rows[2].copies == []  # a different value stays apart
    by_value = figures(any_store, FigureQuery(unit="MAD", order="value", limit=2, offset=1))
    assert [(r.value, len(r.copies)) for r in by_value.rows] == [(1.8e10, 2), (3e8, 0)]


def test_the_option_lists_every_copy(any_store: Store) -> None:
    ids = load(any_store)
    every = figures(any_store, FigureQuery(unit="MAD", copies=True))
    assert every.total == 5 and all(r.copies == [] for r in every.rows)
    assert [r.article_id for r in every.rows] == [
        ids[k] for k in ("revised", "copy2", "other", "copy1", "first")
    ]
    # the exports' walk follows the same rule, both ways
    assert (
        list(iter_figures(any_store, FigureQuery(unit="MAD")))
        == figures(any_store, FigureQuery(unit="MAD")).rows
    )
    assert list(iter_figures(any_store, FigureQuery(unit="MAD", copies=True))) == every.rows
    # filters apply before the copies are collapsed: one outlet's figures are its own
    assert [r.copies for r in figures(any_store, FigureQuery(source="lematin")).rows] == [[]]


def test_copies_beyond_the_capped_walk_are_found(any_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = load(any_store)
    monkeypatch.setattr(s.limits, "TOTAL_CAP", 1)
    CACHE.clear()
    # the walk stops after two figures (the revised copy, the story's newest copy): the story's row
    # still shows its earliest article and every copy
    result = figures(any_store, FigureQuery(unit="MAD", limit=2))
    assert (result.total, result.total_exact) == (1, False)
    assert [r.article_id for r in result.rows] == [ids["revised"], ids["first"]]
    assert [c.article_id for c in result.rows[1].copies] == [ids["copy1"], ids["copy2"]]
    exact = figures(any_store, FigureQuery(unit="MAD", limit=1, exact_total=True))
    assert (exact.total, exact.total_exact) == (3, True)


@pytest.fixture
def cli(any_store: Store, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    ids = load(any_store)
    if any_store.dialect == "postgresql":
        monkeypatch.setenv("VEILLE_DATABASE_URL", any_store.url)
    return ids


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["figures", "--unit", "MAD", *args]) == 0
    return capsys.readouterr().out


def test_cli_lists_a_story_once_with_its_copies(cli: dict[str, int], capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    table = _run(capsys)
    header, _, *lines, total = table.rstrip("\n").splitlines()
    assert header.split()[:9] == ["date", "source", "value", "indicator", "metric", "status", "period",
                                  "copies", "title"]  # fmt: skip
    assert len(lines) == 3 and "+2" in lines[1] and "18 milliards DH" in lines[1].replace("\u00a0", " ")
    assert total == "1-3 of 3 figures (copies of one story counted once; --copies lists each)"
    assert len(_run(capsys, "--copies").rstrip("\n").splitlines()) == 2 + 5 + 1
    copies = "Le Matin (https://lematin.test/11); hespress (https://hespress.test/13)"  # by their labels
    data = json.loads(_run(capsys, "--format", "json"))
    assert data["total"] == 3 and [r["Reprises"] for r in data["rows"]] == ["", copies, ""]
    rows = list(csv.DictReader(io.StringIO(_run(capsys, "--format", "csv"))))
    assert [r["Reprises"] for r in rows] == ["", copies, ""]
    assert len(list(csv.DictReader(io.StringIO(_run(capsys, "--format", "csv", "--copies"))))) == 5
    # exports of every match follow the same rule
    assert len(list(csv.DictReader(io.StringIO(_run(capsys, "--all", "--format", "csv"))))) == 3
    assert len(list(csv.DictReader(io.StringIO(_run(capsys, "--all", "--copies", "--format", "csv"))))) == 5
    book = tmp_path / "chiffres.xlsx"
    _run(capsys, "--all", "--format", "xlsx", "-o", str(book))
    from openpyxl import load_workbook

    sheet = list(load_workbook(book, read_only=True).active.iter_rows(values_only=True))
    at = sheet[0].index("Reprises")
    assert [line[at] for line in sheet[1:]] == [None, copies, None]
