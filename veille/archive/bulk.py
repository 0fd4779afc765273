"""PostgreSQL: writing many new articles and their extraction at once, with ``COPY``.

:func:`load_articles` writes what :meth:`Store.upsert_articles` then :meth:`Store.save_analysis`
would write for each article in turn: the same rows and ids, clusters, organisations and their
aliases, persons, figures linked to their organisations, and the same full-text vectors
(PostgreSQL computes the generated ``search_vector`` columns as the rows arrive). Batches are
copied by two connections at once, one transaction per batch, while the caller's thread makes
the next rows. Into an empty archive the secondary indexes of the tables it fills are dropped
first and built again at the end, two at a time (one sorted build each instead of millions of
insertions); then the newest articles' index (:mod:`.recent_index`), the sequences and
``VACUUM ANALYZE``.

What it takes, checked or stated: an archive nobody else writes meanwhile; full articles (not
partial: no feed-only story to complete) of kind "article", whose URLs are not archived (a
known one stops the load with the database's error, its batch written or not as a whole); no
analysts' merges or corrections to lay over the extraction.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from veille.archive import recent_index
from veille.archive import schema as t
from veille.archive.store import Store, alias_forms
from veille.archive.writes import _article_values
from veille.core.clock import utcnow
from veille.core.errors import StoreError
from veille.core.folding import fold
from veille.core.models import Analysis, Article, Figure

Item = tuple[Article, Analysis | None]
Batch = dict[str, list[tuple[Any, ...]]]  # table -> rows, in COPY's column order

TABLES = ("articles", "figures", "figure_orgs", "org_mentions", "person_mentions")  # copied, in this order
_ARTICLE_COLUMNS = (
    "url", "canonical_url", "source", "title", "lead", "text", "author", "published", "fetched_at",
    "language", "partial", "publisher", "truncated", "relevance", "matched_terms", "themes",
    "content_hash", "minhash", "cluster_id", "word_count", "updated_at", "kind",
)  # fmt: skip
_FIGURE_FIELDS = (
    "text", "start", "end", "value", "unit", "sentence", "sentence_start", "sentence_end", "approx",
    "qualifier", "range_max", "period", "metric", "organisations", "indicator", "status", "per",
    "scope_kind", "scope", "attributed_to", "table_index", "cell",
)  # fmt: skip
COLUMNS = {
    "articles": ("id", *_ARTICLE_COLUMNS, "created_at", "extractor_version", "extracted_at", "extractions"),
    "figures": ("id", "article_id", "published", *_FIGURE_FIELDS),
    "figure_orgs": ("figure_id", "org_id"),
    "org_mentions": ("id", "article_id", "org_id", "start", "end", "text"),
    "person_mentions": ("id", "article_id", "person_id", "role", "organisation", "start", "end", "text"),
}
_JSON = {"matched_terms", "themes", "organisations"}  # as SQLAlchemy's JSON type writes them
_SEQUENCED = (
    "articles",
    "figures",
    "org_mentions",
    "person_mentions",
    "organisations",
    "org_aliases",
    "persons",
)


@dataclass
class BulkReport:
    """How many rows were written and how long each step took (seconds)."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def load_articles(
    store: Store, items: Iterable[Item], *, version: str | None, batch_size: int = 2000, writers: int = 2
) -> BulkReport:
    """Write each (article, its analysis or None) as the write path would, in order; sets each
    article's ``id`` (and ``cluster`` as :meth:`Store.upsert_articles` does). ``version``: the
    extractor version recorded for articles with an analysis."""
    if store.dialect != "postgresql":
        raise StoreError("a bulk load needs PostgreSQL (SQLite archives are written article by article)")
    report = BulkReport()
    with store.engine.connect() as conn:
        _refuse_overlays(conn)
        empty = (
            conn.scalar(
                sa.select(sa.func.count()).select_from(sa.select(t.articles.c.id).limit(1).subquery())
            )
            == 0
        )
        names = _Names.read(conn)
    dropped = _drop_indexes(store.engine) if empty else []
    try:
        t0 = time.perf_counter()
        analyses = _copy_all(store, _batches(items, names, version, batch_size, store), writers, report)
        report.seconds["copy"] = time.perf_counter() - t0
    finally:
        t0 = time.perf_counter()
        _build_indexes(store.engine, dropped)
        report.seconds["index build"] = time.perf_counter() - t0
    _finish(store, analyses, report)
    return report


def _refuse_overlays(conn: Any) -> None:
    for table in (t.org_edits, t.corrections):
        if conn.scalar(sa.select(sa.func.count()).select_from(sa.select(table).limit(1).subquery())):
            raise StoreError(f"a bulk load writes the extraction as given: the archive has {table.name}")


@dataclass
class _Names:
    """Organisations, their alias keys and persons by name, and the next id of each table."""

    orgs: dict[str, int]
    aliases: set[tuple[int, str]]
    persons: dict[str, int]
    next_id: dict[str, int]
    new: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # rows to insert before a batch
    succeeded: set[int] = field(default_factory=set)  # organisations given a successor here

    @classmethod
    def read(cls, conn: Any) -> _Names:
        ids = {
            name: int(conn.scalar(sa.text(f"SELECT coalesce(max(id), 0) + 1 FROM {name}")))
            for name in _SEQUENCED
        }
        orgs = dict(tuple(r) for r in conn.execute(sa.select(t.organisations.c.name, t.organisations.c.id)))
        aliases = set(
            tuple(r) for r in conn.execute(sa.select(t.org_aliases.c.org_id, t.org_aliases.c.alias_key))
        )
        persons = dict(tuple(r) for r in conn.execute(sa.select(t.persons.c.name, t.persons.c.id)))
        return cls(orgs, aliases, persons, ids)

    def take(self, table: str) -> int:
        self.next_id[table] += 1
        return self.next_id[table] - 1

    def org(self, name: str, kind: str | None, acronym: str | None, aliases: Iterable[str],
            successor: str | None = None, years: str | None = None) -> int:  # fmt: skip
        """As ``Store._org_id``: the organisation (its successor first), made when new, and its
        missing aliases."""
        successor_id = self.org(successor, kind, None, ()) if successor else None
        org_id = self.orgs.get(name)
        if org_id is None:
            org_id = self.orgs[name] = self.take("organisations")
            if successor_id is not None:
                self.succeeded.add(org_id)
            row = {"id": org_id, "name": name, "kind": kind, "acronym": acronym}
            self.new.setdefault("organisations", []).append(
                {**row, "successor_id": successor_id, "years": years}
            )
        elif successor_id is not None and org_id not in self.succeeded:
            self.succeeded.add(org_id)
            self.new.setdefault("successors", []).append({"id": org_id, "s": successor_id, "y": years})
        for alias in alias_forms(name, aliases, acronym):
            key = fold(alias)
            if (org_id, key) not in self.aliases:
                self.aliases.add((org_id, key))
                row = {"id": self.take("org_aliases"), "org_id": org_id, "alias": alias, "alias_key": key}
                self.new.setdefault("org_aliases", []).append(row)
        return org_id

    def person(self, name: str) -> int:
        found = self.persons.get(name)
        if found is None:
            found = self.persons[name] = self.take("persons")
            self.new.setdefault("persons", []).append({"id": found, "name": name})
        return found

    def write_new(self, engine: sa.Engine) -> None:
        """The organisations, aliases and persons met since the last call, committed (a batch's
        rows refer to them)."""
        if not self.new:
            return
        with engine.begin() as conn:
            for table in ("organisations", "org_aliases", "persons"):
                if self.new.get(table):
                    conn.execute(sa.insert(t.metadata.tables[table]), self.new[table])
            o = t.organisations
            for row in self.new.get("successors", ()):  # a former name met again, its successor new
                conn.execute(
                    sa.update(o)
                    .where(o.c.id == row["id"], o.c.successor_id.is_(None))
                    .values(successor_id=row["s"], years=row["y"])
                )
        self.new = {}


def _batches(
    items: Iterable[Item], names: _Names, version: str | None, size: int, store: Store
) -> Iterator[tuple[Batch, int]]:
    """The rows of each ``size`` articles, with how many analyses they hold; the organisations and
    persons they name are committed before the batch is handed over."""
    now = utcnow()
    batch: Batch = {name: [] for name in TABLES}
    count = analyses = 0
    for article, analysis in items:
        if article.partial or article.kind != "article":
            raise StoreError(f"{article.url}: a bulk load takes full articles, not partial ones or documents")
        article_id = names.take("articles")
        _article_rows(batch, article, article_id, analysis, version, now)
        if analysis is not None:
            _analysis_rows(batch, names, article_id, analysis, article.published)
            analyses += 1
        count += 1
        if count == size:
            names.write_new(store.engine)
            yield batch, analyses
            batch, count, analyses = {name: [] for name in TABLES}, 0, 0
    if count:
        names.write_new(store.engine)
        yield batch, analyses


def _article_rows(batch: Batch, article: Article, article_id: int, analysis: Analysis | None,
                  version: str | None, now: datetime) -> None:  # fmt: skip
    """The article's row, as ``upsert_articles`` then ``save_analysis`` leave it."""
    cluster = article.cluster
    if cluster is None and article.cluster_member is not None:
        member = article.cluster_member
        cluster = member.cluster if member.cluster is not None else member.id
    values = _article_values(article, article.canonical_url or article.url, cluster, now)
    if values["cluster_id"] is None:
        values["cluster_id"] = article_id
    row = [json.dumps(values[c]) if c in _JSON else values[c] for c in _ARTICLE_COLUMNS]
    extracted = (version, now, 1) if analysis is not None else (None, None, 0)
    batch["articles"].append((article_id, *row, now, *extracted))
    if article.cluster is None and article.cluster_member is not None:
        article.cluster = cluster if cluster != article_id else None
    article.cluster_member = None
    article.id = article_id


def _analysis_rows(batch: Batch, names: _Names, article_id: int, analysis: Analysis, published: Any) -> None:
    """The figures, their organisations and the mentions, as ``save_analysis`` writes them."""
    org_ids = {
        o.name: names.org(o.name, o.kind, o.acronym, o.aliases, o.successor, o.years)
        for o in sorted(analysis.organisations, key=lambda o: o.name)
    }
    for figure in analysis.figures:
        figure_id = names.take("figures")
        batch["figures"].append((figure_id, article_id, published, *_figure_values(figure)))
        linked = {names.orgs[n] for n in figure.organisations if n in names.orgs}
        batch["figure_orgs"].extend((figure_id, org_id) for org_id in sorted(linked))
    for org in analysis.organisations:
        batch["org_mentions"].extend(
            (names.take("org_mentions"), article_id, org_ids[org.name], m.start, m.end, m.text)
            for m in org.mentions
        )
    for person in sorted(analysis.persons, key=lambda p: p.name):
        person_id = names.person(person.name)
        spans = [(m.start, m.end, m.text) for m in person.mentions] or [(0, 0, person.name)]
        batch["person_mentions"].extend(
            (names.take("person_mentions"), article_id, person_id, person.role, person.organisation, *span)
            for span in spans
        )


def _figure_values(figure: Figure) -> list[Any]:
    values = [getattr(figure, name) for name in _FIGURE_FIELDS]
    values[_FIGURE_FIELDS.index("organisations")] = json.dumps(list(figure.organisations))
    return values


def _copy_all(store: Store, batches: Iterator[tuple[Batch, int]], writers: int, report: BulkReport) -> int:
    """Copy the batches with ``writers`` connections; the number of analyses written."""
    todo: queue.Queue[Batch | None] = queue.Queue(maxsize=writers)
    failed: list[BaseException] = []

    def work() -> None:
        while (batch := todo.get()) is not None:
            if failed:
                continue  # drain: the load stops
            try:
                _copy_batch(store.engine, batch)
            except BaseException as error:  # noqa: BLE001 - raised again by the caller's thread
                failed.append(error)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(writers)]
    for thread in threads:
        thread.start()
    analyses = 0
    try:
        for batch, counted in batches:
            if failed:
                break
            for name, rows in batch.items():
                report.rows[name] = report.rows.get(name, 0) + len(rows)
            analyses += counted
            todo.put(batch)
    finally:
        for _ in threads:
            todo.put(None)
        for thread in threads:
            thread.join()
    if failed:
        raise StoreError(f"bulk load stopped: {failed[0]}") from failed[0]
    return analyses


def _copy_batch(engine: sa.Engine, batch: Batch) -> None:
    """One batch, one transaction: each table's rows through ``COPY``."""
    with engine.begin() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for name in TABLES:
            if not batch[name]:
                continue
            columns = ", ".join(f'"{c}"' for c in COLUMNS[name])
            with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in batch[name]:
                    copy.write_row(row)


def _drop_indexes(engine: sa.Engine) -> list[str]:
    """Drop the secondary indexes of the tables copied (not those of a primary key or a unique
    constraint); their definitions, to build them again."""
    with engine.begin() as conn:
        found = conn.execute(
            sa.text(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index AS x "
                "JOIN pg_class AS i ON i.oid = x.indexrelid JOIN pg_class AS c ON c.oid = x.indrelid "
                "WHERE c.relname = ANY(:tables) AND c.relnamespace = 'public'::regnamespace "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS k WHERE k.conindid = x.indexrelid) "
                "ORDER BY i.relname"
            ),
            {"tables": list(TABLES)},
        ).all()
        for name, _ in found:
            conn.execute(sa.text(f'DROP INDEX "{name}"'))
    return [definition for _, definition in found]


def _build_indexes(engine: sa.Engine, definitions: Sequence[str]) -> None:
    """Build the indexes again, two connections at once: the full-text (GIN) ones on one, the
    rest on the other."""
    if not definitions:
        return
    gin = [d for d in definitions if " USING gin " in d]
    rest = [d for d in definitions if d not in gin]
    failed: list[BaseException] = []

    def build(group: list[str]) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("SET LOCAL maintenance_work_mem = '512MB'"))
                for definition in group:
                    conn.execute(sa.text(definition))
        except BaseException as error:  # noqa: BLE001 - raised again below
            failed.append(error)

    threads = [threading.Thread(target=build, args=(g,)) for g in (gin, rest) if g]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        raise StoreError(f"bulk load: an index could not be built again: {failed[0]}") from failed[0]


def _finish(store: Store, analyses: int, report: BulkReport) -> None:
    """Sequences past the ids written, the series told of the saves, the newest articles' index,
    then VACUUM ANALYZE (visibility for index-only reads, statistics for the planner)."""
    from veille.archive.points import mark_changed

    with store.engine.begin() as conn:
        for name in _SEQUENCED:
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name} HAVING max(id) > 0"
                )
            )
        if analyses:
            mark_changed(conn, analyses)
    t0 = time.perf_counter()
    recent_index.refresh(store.engine)
    report.seconds["newest articles' index"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f"VACUUM ANALYZE {', '.join(TABLES)}, organisations, org_aliases, persons"))
    report.seconds["VACUUM ANALYZE"] = time.perf_counter() - t0
