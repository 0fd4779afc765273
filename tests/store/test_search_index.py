"""What search reads besides articles: full-text keys and the figure/organisation links."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from tests.store.archive import ADD, MEDZ, _fig, _org, load
from tests.store.test_backends import HEAD
from veille.archive import schema as t
from veille.archive.database import MIGRATIONS
from veille.archive.fulltext import index_text, key
from veille.archive.search import FigureQuery, SearchQuery, figures, organisation, search
from veille.archive.store import Store
from veille.core.models import Analysis, Article


def test_plural_is_stripped_before_stemming() -> None:
    # Snowball alone: "teleconseillers" -> "teleconseiller" but "teleconseiller" -> "teleconseil"
    assert key("téléconseillers") == key("téléconseiller") == key("Teleconseiller")
    assert key("conseillers") == key("conseiller")
    assert key("emplois") == key("emploi") and key("journaux") == key("journal")
    assert index_text("Des téléconseillers") == index_text("un téléconseiller")


def _article(store: Store, slug: str, text: str) -> int:
    art = Article(
        url=f"https://medias24.test/{slug}", source="medias24", title=text[:40], lead=None, text=text,
        published=datetime(2025, 3, 1, 9, tzinfo=UTC),
    )  # fmt: skip
    return store.upsert_article(art)[0]


def test_er_nouns_singular_and_plural_match(any_store: Store) -> None:
    one = _article(any_store, "un", "Le centre recrute un téléconseiller bilingue à Rabat.")
    many = _article(any_store, "plusieurs", "Le centre recrute 300 téléconseillers bilingues à Fès.")
    for text in ("téléconseiller", "téléconseillers", "TELECONSEILLERS", '"téléconseillers bilingues"'):
        hits = {h.id for h in search(any_store, SearchQuery(text)).hits}
        assert hits == {one, many}, text
    assert {h.id for h in search(any_store, SearchQuery("téléconseillers", order="date")).hits} == {one, many}


def _links(store: Store) -> set[tuple[int, str]]:
    fo, o = t.figure_orgs, t.organisations
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(fo.c.figure_id, o.c.name).join(o, o.c.id == fo.c.org_id))
        return {(r[0], r[1]) for r in rows}


def _expected(store: Store) -> set[tuple[int, str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(t.figures.c.id, t.figures.c.organisations)).all()
        names = set(conn.scalars(sa.select(t.organisations.c.name)))
    return {(fid, n) for fid, orgs in rows for n in orgs or [] if n in names}


def test_figure_orgs_follow_save_analysis(any_store: Store) -> None:
    ids = load(any_store)
    assert _links(any_store) == _expected(any_store) and _links(any_store)
    # re-analysing an article replaces its figures and their links
    text = "L'ADD et Medz Sourcing annoncent 2 000 emplois."
    aid = _article(any_store, "both", text)
    fig = _fig(text, "2 000 emplois", 2000, "jobs", organisations=(ADD, MEDZ, "Inconnue SA"))
    orgs = (_org(text, ADD, "ADD"), _org(text, MEDZ, "Medz Sourcing"))
    any_store.save_analysis(aid, Analysis(figures=(fig,), organisations=orgs), "test")
    assert {r.value for r in figures(any_store, FigureQuery(org="ADD")).rows} >= {2000}
    assert 2000 in {r.value for r in figures(any_store, FigureQuery(org="medz")).rows}
    any_store.save_analysis(aid, Analysis(figures=(fig,), organisations=orgs[1:]), "test")
    assert _links(any_store) == _expected(any_store)
    any_store.save_analysis(aid, Analysis(), "test")
    assert _links(any_store) == _expected(any_store)
    assert 2000 not in {r.value for r in figures(any_store, FigureQuery(org="ADD")).rows}
    detail = organisation(any_store, "add")
    assert detail is not None and [f.value for f in detail.figures] == [1.8e10, 12500, 130000]  # newest first
    assert ids


def test_migration_backfills_figure_orgs(any_store: Store) -> None:
    from alembic import command
    from alembic.config import Config

    load(any_store)
    before = _links(any_store)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with any_store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    assert _links(any_store) == set()
    any_store.migrate()
    assert _links(any_store) == before == _expected(any_store)
    assert figures(any_store, FigureQuery(unit="MAD", org="medz", order="value", copies=True)).total == 3


def _figure_dates(store: Store) -> list[tuple[int, object, object]]:
    """(figure id, its copied date, its article's date) for every figure."""
    f, a = t.figures, t.articles
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(f.c.id, f.c.published, a.c.published).join(a, a.c.id == f.c.article_id))
        return [tuple(r) for r in rows]


def test_figures_carry_their_article_date(any_store: Store) -> None:
    load(any_store)
    dates = _figure_dates(any_store)
    assert dates and all(copied == original for _, copied, original in dates)
    # the oldest article with figures is re-archived with a new date: its figures follow, and the
    # newest-first listing puts them first
    with any_store.engine.connect() as conn:
        aid = conn.scalar(
            sa.select(t.figures.c.article_id).join(t.articles, t.articles.c.id == t.figures.c.article_id)
            .order_by(t.articles.c.published).limit(1)
        )  # fmt: skip
        row = conn.execute(sa.select(t.articles).where(t.articles.c.id == aid)).one()
    later = datetime(2026, 6, 1, 8, tzinfo=UTC)
    art = Article(
        url=row.url, source=row.source, title=row.title, lead=row.lead, text=row.text, published=later
    )
    assert any_store.upsert_article(art) == (aid, False)
    assert all(copied == original for _, copied, original in _figure_dates(any_store))
    listing = figures(any_store, FigureQuery()).rows
    assert listing[0].article_id == aid and listing[0].published == later
    assert [r.published for r in listing] == sorted((r.published for r in listing), reverse=True)
    assert figures(any_store, FigureQuery(since=later.date())).rows[0].article_id == aid


def test_migration_backfills_figure_dates(any_store: Store) -> None:
    from alembic import command
    from alembic.config import Config

    load(any_store)
    before = figures(any_store, FigureQuery(unit="jobs")).rows
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with any_store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    with any_store.engine.connect() as conn:
        assert "published" not in {c["name"] for c in sa.inspect(conn).get_columns("figures")}
    any_store.migrate()
    dates = _figure_dates(any_store)
    assert dates and all(copied == original for _, copied, original in dates)
    assert figures(any_store, FigureQuery(unit="jobs")).rows == before


def test_organisation_figures_alike_however_the_filter_is_read(any_store: Store, monkeypatch) -> None:
    """PostgreSQL reads a narrow organisation filter as a list of ids and a broad one as a hashed
    set tested on each figure walked: both give the same rows (here the broad form is forced)."""
    from veille.archive.search import figure_rows

    load(any_store)
    queries = [
        FigureQuery(unit="MAD", org="medz"),
        FigureQuery(unit="jobs", org="ADD"),
        FigureQuery(unit="jobs", org="ADD", order="value"),
        FigureQuery(unit="MAD", org="Medz Sourcing", min_value=1e8, limit=1),
        FigureQuery(org="ADD"),
    ]
    narrow = [figures(any_store, q) for q in queries]
    assert all(r.rows for r in narrow)
    monkeypatch.setattr(figure_rows, "SET_IDS_MAX", 0)
    assert [figures(any_store, q) for q in queries] == narrow


def test_organisation_views_are_cached_until_the_next_write(any_store: Store) -> None:
    from veille.archive.search import org_stats

    load(any_store)
    before, stats = organisation(any_store, "ADD"), org_stats(any_store)
    assert before is not None and organisation(any_store, "ADD") == before
    text = "L'ADD ouvre un centre à Oujda et annonce 450 emplois."
    aid = _article(any_store, "oujda-add", text)
    fig = _fig(text, "450 emplois", 450, "jobs", organisations=(ADD,))
    any_store.save_analysis(aid, Analysis(figures=(fig,), organisations=(_org(text, ADD, "ADD"),)), "test")
    after = organisation(any_store, "ADD")
    assert after is not None and after.article_count == before.article_count + 1
    assert after.figure_count == before.figure_count + 1 and aid in {a.id for a in after.articles}
    add = next(s for s in org_stats(any_store) if s.name == ADD)
    assert add.articles == next(s for s in stats if s.name == ADD).articles + 1


def test_an_archive_of_revision_0006_upgrades(any_store: Store) -> None:
    """Migration 0007 on an archive written before it: figures keep their rows, read as realised
    with no indicator until re-extracted, and the new filters work at once."""
    from alembic import command
    from alembic.config import Config

    load(any_store)
    before = [(r.id, r.value, r.metric) for r in figures(any_store, FigureQuery()).rows]
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with any_store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    with any_store.engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("figures")}
    assert not columns & {"indicator", "status", "per"}
    assert any_store.schema_revision() == "0006"
    any_store.migrate()
    assert any_store.schema_revision() == HEAD
    rows = figures(any_store, FigureQuery()).rows
    assert [(r.id, r.value, r.metric) for r in rows] == before
    assert {(r.indicator, r.status, r.per) for r in rows} == {(None, "actual", None)}
    assert figures(any_store, FigureQuery(status=("actual",))).total == len(before)
    assert figures(any_store, FigureQuery(indicator="effectif")).total == 0
