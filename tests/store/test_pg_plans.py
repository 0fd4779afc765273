"""PostgreSQL: what the planner is given — each lexeme named once, id lists parsed once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.store.archive import load
from veille.archive.query import parse
from veille.archive.search import SearchQuery, search
from veille.archive.search.conditions import A, _in_ids, pg_stems
from veille.archive.store import Store, open_store


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    s = open_store(pg_url)
    yield s
    s.close()


def test_forms_stemmed_alike_are_named_once(pg_store: Store) -> None:
    with pg_store.engine.connect() as conn:
        # "recrutement" and "recrutements" are both 'recrut' for PostgreSQL; "emploi" and "emplois" differ
        one = pg_stems(conn, parse("recrutements emploi"))
        phrase = pg_stems(conn, parse('"zone franche" -Tunisie'))
        lexemes = [conn.scalar(sa.text("SELECT to_tsquery('veille_fr', :q)::text"), {"q": p.to_tsquery()})
                   for p in (one, phrase)]  # fmt: skip
    assert one.to_tsquery() == "(recrutements) & ((emploi | emplois))"
    assert lexemes[0] == "'recrut' & ( 'emploi' | 'emplois' )"
    assert phrase.to_tsquery() == "(zone <-> franche) & !(tunisie)"
    assert "'zon' <-> 'franch'" in lexemes[1]
    assert parse("recrutements").to_tsquery() == "((recrutements | recrutement))"  # without asking: both


def test_searches_find_the_same_with_forms_named_once(pg_store: Store) -> None:
    load(pg_store)
    for text in ("recrutent", "emplois", '"zone franche"', "exportations", "centres -Tunisie"):
        hits = {h.id for h in search(pg_store, SearchQuery(text, one_per_cluster=False)).hits}
        with pg_store.engine.connect() as conn:
            tsq = parse(text).to_tsquery()  # both forms, as before
            plain = set(conn.scalars(sa.text(
                "SELECT id FROM articles WHERE search_vector @@ to_tsquery('veille_fr', :q)"), {"q": tsq}))  # fmt: skip
        assert hits == plain and hits, text


def test_id_lists_reach_the_planner_as_constants(pg_store: Store) -> None:
    """An id list filtering rows (not read from an index) is not parsed again for each row."""
    load(pg_store)
    stmt = (
        sa.select(sa.func.count())
        .select_from(A)
        .where(_in_ids(pg_store, sa.func.coalesce(A.c.id, A.c.id), [1, 2, 3]))
    )
    with pg_store.engine.connect() as conn:
        assert conn.scalar(stmt) == 3
        compiled = stmt.compile(dialect=conn.dialect)
        plan = "\n".join(conn.exec_driver_sql("EXPLAIN VERBOSE " + str(compiled), compiled.params).scalars())
    assert "'{1,2,3}'::integer[]" in plan and "cstring" not in plan, plan
