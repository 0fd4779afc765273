"""PostgreSQL bulk load (veille/archive/bulk.py): the same archive as the write path's."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from veille.archive import points
from veille.archive.bulk import load_articles
from veille.archive.search import FigureQuery, SearchQuery, figures, search
from veille.archive.store import Store, open_store
from veille.core.errors import StoreError
from veille.core.models import Analysis, Article, Figure, Mention, Organisation, Person

WORDS = (
    "emploi emplois offshoring Maroc centre d'appels téléconseillers recrutement numérique zone franche "
    "Tanger Fès Casablanca exportations croissance formation ingénieurs données cybersécurité Tunisie "
    "investissement plateforme stratégie été élève hôtel façade"
).split()
ORGS = [
    ("Agence de développement du digital", "ADD", "agency"), ("APEBI", None, "federation"),
    ("Fès Shore", None, "zone"), ("Ministère de l'Industrie", "MIC", "ministry"), ("Intelcia", None, "company"),
]  # fmt: skip
N = 800


def _items(seed: int = 3) -> Iterator[tuple[Article, Analysis | None]]:
    """N articles as the pipeline hands them over: clusters joined through an earlier article,
    organisations (one a former name), persons with and without mentions, some not extracted."""
    rng = random.Random(seed)
    casablanca = timezone(timedelta(hours=1))
    made: list[Article] = []
    for i in range(N):
        text = " ".join(rng.choices(WORDS, k=rng.randint(20, 60))) + "."
        orgs = rng.sample(ORGS, rng.randint(0, 3))
        for name, _, _ in orgs:
            text += f" {name} annonce {rng.randint(1, 90) * 100} emplois."
        article = Article(
            url=f"https://site{i % 7}.test/a/{i}", source=f"site{i % 7}", title=" ".join(rng.choices(WORDS, k=6)),
            text=text, canonical_url="" if i % 3 else f"https://site{i % 7}.test/c/{i}",
            published=datetime(2024, 1, 1, tzinfo=UTC if i % 2 else casablanca) + timedelta(hours=i),
            lead=None if i % 4 == 0 else " ".join(rng.choices(WORDS, k=12)), language="fr",
            relevance=round(rng.random(), 3), matched_terms=rng.sample(WORDS, 2), themes=["emploi", "été"][: i % 3],
            minhash=bytes(rng.randrange(256) for _ in range(16)) if i % 5 == 0 else None, truncated=i % 11 == 0,
            fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        )  # fmt: skip
        if i % 10 == 9:
            article.cluster_member = made[rng.randrange(len(made))]
        made.append(article)
        yield article, None if i % 13 == 0 else _analysis(rng, text, orgs, i)


def _analysis(rng: random.Random, text: str, orgs: list[tuple[str, str | None, str]], i: int) -> Analysis:
    found = []
    for name, acronym, kind in orgs:
        start = text.index(name)
        former = name == "Ministère de l'Industrie" and i % 2 == 0
        found.append(
            Organisation(
                name=name, acronym=acronym, kind=kind, aliases=(f"l'{name}",) if i % 4 == 1 else (),
                mentions=(Mention(start, start + len(name), name),),
                successor="Ministère de l'Industrie et du Commerce" if former else None, years="2010-2019" if former else None,
            )
        )  # fmt: skip
    figs = tuple(
        Figure(
            text=str(v), start=i % 40, end=i % 40 + 4, value=float(v), unit=rng.choice(("jobs", "MAD", "percent")),
            sentence="Une phrase.", sentence_start=0, sentence_end=11, period=str(2020 + v % 5),
            metric="emplois", organisations=tuple(o[0] for o in orgs[:2]) + (("Inconnue SA",) if v % 3 == 0 else ()),
            indicator="effectif" if v % 2 else None, status="forecast" if v % 7 == 0 else "actual",
            scope_kind="zone" if v % 5 == 0 else None, scope="Fès Shore" if v % 5 == 0 else None,
        )
        for v in (rng.randint(1, 9000) for _ in range(rng.randint(0, 4)))
    )  # fmt: skip
    persons = tuple(
        Person(name=f"Personne {rng.randint(1, 40)}", role="directeur" if i % 2 else None,
               mentions=(Mention(0, 3, "Per"),) if i % 3 else ())
        for _ in range(i % 3)
    )  # fmt: skip
    return Analysis(figures=figs, organisations=tuple(found), persons=persons)


def _write_path(store: Store) -> None:
    """Article by article, as a crawl then the extraction write them (in batches of 50)."""
    items = list(_items())
    for k in range(0, N, 50):
        chunk = items[k : k + 50]
        store.upsert_articles([a for a, _ in chunk])
        for article, analysis in chunk:
            if analysis is not None:
                assert article.id is not None
                store.save_analysis(article.id, analysis, "v1")


VOLATILE = {"created_at", "updated_at", "extracted_at"}  # the time of writing
TABLES = ("articles", "figures", "figure_orgs", "org_mentions", "person_mentions", "organisations", "org_aliases", "persons")  # fmt: skip


def _snapshot(store: Store) -> dict[str, Any]:
    """Every row of the tables written (as text, vectors included), the indexes, the sequences,
    the series' count of writes."""
    out: dict[str, Any] = {}
    with store.engine.connect() as conn:
        for table in TABLES:
            columns = [
                c for c in conn.scalars(sa.text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = :t ORDER BY 1"), {"t": table})
                if c not in VOLATILE
            ]  # fmt: skip
            listed = ", ".join(f'"{c}"::text' for c in columns)
            order = "id" if "id" in columns else "1, 2"
            out[table] = [
                tuple(r) for r in conn.execute(sa.text(f"SELECT {listed} FROM {table} ORDER BY {order}"))
            ]
            out[f"{table} sequence"] = conn.scalar(sa.text(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))")) if "id" in columns else None  # fmt: skip
        out["indexes"] = sorted(conn.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")).all())  # fmt: skip
        out["changes"] = conn.scalar(sa.text("SELECT changes FROM series_state"))
    return out


def _results(store: Store) -> list[Any]:
    queries = [SearchQuery("emploi"), SearchQuery('"zone franche"'), SearchQuery("hôtel façade", order="date"),
               SearchQuery("", org="ADD"), SearchQuery("recrutement", unit="jobs", min_value=2000)]  # fmt: skip
    hits = [[(h.id, h.title) for h in search(store, q, with_facets=False).hits] for q in queries]
    listed = figures(store, FigureQuery(unit="MAD", org="Fès Shore", order="value"))
    return [*hits, [(f.article_id, f.value) for f in listed.rows], listed.total]


def _started(url: str) -> Store:
    store = open_store(url, create=True)
    with store.engine.begin() as conn:
        points.start(conn)  # the series' state row: each save counts as one write
    return store


def test_bulk_load_writes_what_the_write_path_writes(pg_url: str, other_pg_url: str) -> None:
    plain, bulk = _started(pg_url), _started(other_pg_url)
    try:
        _write_path(plain)
        items = list(_items())
        report = load_articles(bulk, items, version="v1", batch_size=150)
        assert report.rows["articles"] == N and report.rows["figures"] > N
        # each article told its id, and the cluster it joined, as the write path tells them
        again = list(_items())
        _write_path_ids = {a.url: (a.id, a.cluster) for a, _ in items}
        assert len({i for i, _ in _write_path_ids.values()}) == N
        assert sum(1 for a, _ in items if a.cluster is not None) == sum(
            1 for a, _ in again if a.cluster_member
        )
        want, got = _snapshot(plain), _snapshot(bulk)
        for key in want:
            assert got[key] == want[key], key
        assert want["changes"] == sum(1 for _, a in items if a is not None)
        assert _results(bulk) == _results(plain) and _results(plain)[0]
    finally:
        plain.close()
        bulk.close()


def test_a_known_url_stops_the_load_and_the_indexes_are_built_again(pg_url: str) -> None:
    store = open_store(pg_url, create=True)
    try:
        with store.engine.connect() as conn:
            indexes = sorted(
                conn.scalars(sa.text("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'"))
            )
        items = list(_items())[:350]
        items.append((Article(url=items[0][0].url, source="site0", title="again"), None))
        with pytest.raises(StoreError, match="bulk load stopped"):
            load_articles(store, items, version="v1", batch_size=150)
        with store.engine.connect() as conn:
            assert (
                sorted(conn.scalars(sa.text("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")))
                == indexes
            )
            assert (
                conn.scalar(sa.text("SELECT count(*) FROM articles")) == 300
            )  # whole batches, the last one not
        with pytest.raises(StoreError, match="full articles"):
            load_articles(
                store, [(Article(url="https://x.test/p", source="x", partial=True), None)], version=None
            )
    finally:
        store.close()


def test_sqlite_archives_are_not_bulk_loaded(store: Store) -> None:
    with pytest.raises(StoreError, match="needs PostgreSQL"):
        load_articles(store, [], version=None)
