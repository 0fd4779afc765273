"""What search reads besides articles: full-text keys and the figure/organisation links."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from tests.store.archive import ADD, MEDZ, _fig, _org, load
from veille import schema as t
from veille.fulltext import index_text, key
from veille.models import Analysis, Article
from veille.search import FigureQuery, SearchQuery, figures, organisation, search
from veille.store import MIGRATIONS, Store


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
    assert detail is not None and [f.value for f in detail.figures] == [130000, 12500, 1.8e10]
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
    assert figures(any_store, FigureQuery(unit="MAD", org="medz", order="value")).total == 3
