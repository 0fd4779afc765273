"""Extraction over the archive: pending detection, version changes, batches that survive bad articles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import pipeline.nlp
from pipeline.extract import extract_articles
from pipeline.nlp import EXTRACTOR_VERSION
from veille.archive.store import Store
from veille.cli import main
from veille.core.models import Article

TEXTS = [
    "L'Agence de développement du digital (ADD) annonce 1,5 milliard de DH pour les centres de relation client.",
    "",  # an empty article: no figure, no crash
    "\x00\x01\x02 ÿþ binaire \x7f",  # junk
    "Le secteur a créé 5 000 emplois en 2024, selon l'AMRC.",
    "مرحبا بكم في المغرب",  # Arabic: nothing extracted, no crash
]


def _fill(store: Store) -> list[int]:
    ids = []
    for i, text in enumerate(TEXTS):
        article = Article(url=f"https://x.test/{i}", source="x", title=f"Article {i}", text=text,
                          published=datetime(2026, 11, 2 + i, tzinfo=UTC))  # fmt: skip
        ids.append(store.upsert_article(article)[0])
    return ids


def test_pending_articles_are_extracted_once(store: Store) -> None:
    ids = _fill(store)
    report = extract_articles(store)
    assert (report.processed, report.failed) == (len(TEXTS), 0)
    assert report.figures >= 2
    assert "Agence de développement du digital" in report.organisations
    assert store.pending_extraction(EXTRACTOR_VERSION) == []
    assert extract_articles(store).processed == 0  # nothing pending any more
    assert store.pending_extraction("another-version") == ids  # a new extractor redoes them all


def test_redo_all_replaces_figures(store: Store) -> None:
    from sqlalchemy import func, select

    from veille.archive import schema as t

    _fill(store)
    extract_articles(store)
    with store.engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(t.figures))
    assert extract_articles(store, redo_all=True).processed == len(TEXTS)
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.figures)) == before


def test_one_bad_article_never_stops_a_batch(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _fill(store)
    real_many, real_one = pipeline.nlp.analyze_many, pipeline.nlp.analyze

    def failing_many(texts, **kwargs):  # noqa: ANN001, ANN003, ANN202
        for text, result in zip(texts, real_many(texts, **kwargs), strict=True):
            if text.startswith("Le secteur"):
                raise RuntimeError("worker died")
            yield result

    def failing_one(text, **kwargs):  # noqa: ANN001, ANN003, ANN202
        if text.startswith("Le secteur"):
            raise ValueError("cannot analyse this one")
        return real_one(text, **kwargs)

    monkeypatch.setattr(pipeline.nlp, "analyze_many", failing_many)
    monkeypatch.setattr(pipeline.nlp, "analyze", failing_one)
    report = extract_articles(store)
    assert (report.processed, report.failed) == (len(TEXTS) - 1, 1)
    assert "cannot analyse this one" in report.errors[0]
    assert store.pending_extraction(EXTRACTOR_VERSION) == [ids[3]]  # the bad one stays pending


def test_veille_extract_command(settings, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    from veille.archive.store import open_store

    store = open_store(settings.database_url)
    _fill(store)
    store.close()
    assert main(["extract", "--data-dir", str(settings.data_dir)]) == 0
    out = capsys.readouterr().out
    assert f"{len(TEXTS)} articles extracted, 0 failed" in out
    assert main(["extract", "--all", "--since", "2026-11-05", "--data-dir", str(settings.data_dir)]) == 0
    assert "2 articles extracted" in capsys.readouterr().out
    assert main(["extract", "--since", "pas une date", "--data-dir", str(settings.data_dir)]) != 0
    assert "not a date" in capsys.readouterr().err


def test_a_correction_survives_veille_extract_all(settings, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    """The real extractor runs again over an article an analyst corrected: the correction stays."""
    from veille.archive import corrections as corr
    from veille.archive.accounts import add_account
    from veille.archive.search import FigureQuery, figures
    from veille.archive.store import open_store
    from veille.core.corrections import FigureFields

    store = open_store(settings.database_url)
    ids = _fill(store)
    extract_articles(store, ids=[ids[3]])
    (row,) = figures(store, FigureQuery(article_id=ids[3], unit="jobs")).rows
    who = add_account(store, "nadia@example.ma", role="analyste", password="analyse-2026-longue")
    fields = FigureFields(value=6000, unit="jobs", period="2024", indicator="emplois_crees", status="actual")
    corr.correct(store, ids[3], row.start, row.end, "correct", fields, who, based_on=0)
    store.close()
    assert main(["extract", "--all", "--data-dir", str(settings.data_dir)]) == 0
    store = open_store(settings.database_url)
    (after,) = figures(store, FigureQuery(article_id=ids[3], unit="jobs")).rows
    store.close()
    assert (after.text, after.value, after.review, after.reviewed_by) == (
        row.text,
        6000,
        "corrected",
        "nadia@example.ma",
    )
