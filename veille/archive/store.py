"""The archive: SQLite by default (WAL), PostgreSQL when ``VEILLE_DATABASE_URL`` says so.

The schema is managed by Alembic (``veille/archive/migrations``, see :mod:`veille.archive.database`):
:meth:`Store.migrate` upgrades to the latest revision and never drops a table. Every write of
one article and its extraction results happens in one transaction, so a kill -9 loses nothing
committed; a batch of articles is written in one transaction (:mod:`veille.archive.writes`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from veille.archive import database
from veille.archive import schema as t
from veille.archive.claims import ExtractionClaims
from veille.archive.database import first_line
from veille.archive.documents import DocumentRecords
from veille.archive.engine import make_engine, upsert
from veille.archive.leases import Leases
from veille.archive.runs import RUN_HEARTBEAT_SECONDS as RUN_HEARTBEAT_SECONDS
from veille.archive.runs import RunLedger, utcnow
from veille.archive.sources import SourceRecords
from veille.archive.writes import ArticleWrites
from veille.core.conf.digest import DEFAULT_TIMEZONE
from veille.core.errors import StoreError
from veille.core.folding import content_hash, fold, unaccent  # noqa: F401  (re-exported: the archive's keys)
from veille.core.models import Analysis

log = logging.getLogger(__name__)

_BY_HASH = select(t.articles.c.id).where(t.articles.c.content_hash == bindparam("digest")).limit(1)


class Store(ArticleWrites, RunLedger, SourceRecords, DocumentRecords, ExtractionClaims, Leases):
    """Library access to the archive. One per process; cheap to create in tests."""

    def __init__(self, url: str, timezone: str = DEFAULT_TIMEZONE) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.timezone = ZoneInfo(timezone)  # whose days a search's dates are (digest.toml's)
        # how long a cached search result is served after a crawl's or an extraction's writes
        # moved past it (:mod:`veille.archive.cache`): 0, exact, unless the opener (the web) says
        self.cache_flow_seconds = 0.0

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # -- schema -------------------------------------------------------------------------
    @property
    def backend(self) -> str:
        """ "SQLite (path)" or "PostgreSQL (host/db)", passwords hidden."""
        from sqlalchemy.engine import make_url

        u = make_url(self.url)
        if self.dialect == "sqlite":
            return f"SQLite ({u.database})"
        return f"PostgreSQL ({u.host or 'localhost'}:{u.port or 5432}/{u.database})"

    def schema_revision(self) -> str | None:
        """The Alembic revision the archive is at (None before the first migration)."""
        return database.schema_revision(self.engine, self.url)

    def create_database(self) -> bool:
        """Create the PostgreSQL database named in the URL if missing; True when it was created.
        (A SQLite file is created on first connection.)"""
        return database.create_database(self.url) if self.dialect == "postgresql" else False

    def migrate(self) -> None:
        """Upgrade the schema to the latest revision; refuse a database from a newer Veille."""
        database.migrate(self.engine, self.url)

    def close(self) -> None:
        self.engine.dispose()

    # -- articles -----------------------------------------------------------------------
    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """The URLs (as fetched or canonical) already archived."""
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                rows = conn.execute(
                    select(t.articles.c.url, t.articles.c.canonical_url).where(
                        t.articles.c.url.in_(chunk) | t.articles.c.canonical_url.in_(chunk)
                    )
                )
                for url, canonical in rows:
                    found.update({url, canonical})
        return found & set(wanted)

    def article_id_by_hash(self, digest: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.scalar(_BY_HASH, {"digest": digest})  # one statement, built once: asked per item

    def get_article(self, article_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.articles).where(t.articles.c.id == article_id)).mappings().first()
            return dict(row) if row else None

    def count_articles(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(t.articles)) or 0)

    # -- extraction results -------------------------------------------------------------
    def pending_extraction(
        self,
        version: str,
        *,
        redo_all: bool = False,
        since: datetime | None = None,
        limit: int | None = None,
        never_extracted: bool = False,
    ) -> list[int]:
        """Ids of articles never extracted, or extracted by another version (or all with ``redo_all``;
        only the never extracted with ``never_extracted``)."""
        q = select(t.articles.c.id).order_by(t.articles.c.id)
        if never_extracted:
            q = q.where(t.articles.c.extractor_version.is_(None))
        elif not redo_all:
            q = q.where(
                t.articles.c.extractor_version.is_(None) | (t.articles.c.extractor_version != version)
            )
        if since is not None:
            q = q.where(t.articles.c.published >= since)
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return list(conn.scalars(q))

    def article_texts(self, ids: Sequence[int]) -> Iterator[tuple[int, str, date | None]]:
        """(id, text, publication day) of the given articles."""
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                rows = conn.execute(
                    select(t.articles.c.id, t.articles.c.text, t.articles.c.published).where(
                        t.articles.c.id.in_(ids[i : i + 500])
                    )
                )
                for row in rows:
                    yield row.id, row.text, row.published.date() if row.published else None

    def save_analysis(
        self, article_id: int, analysis: Analysis, version: str, *, worker: str | None = None
    ) -> bool:
        """Replace the article's figures and mentions atomically, the analysts' merges and splits
        of organisations and their corrections of figures laid over them (:mod:`.overlay`).

        With ``worker`` (an extraction worker, :mod:`.claims`), the worker's claim on the article
        is released in the same transaction, and nothing is written when the worker no longer
        holds it (its lease expired and another worker took the article over): False then."""
        for attempt in range(3):
            try:
                return self._save_analysis(article_id, analysis, version, worker)
            except DBAPIError as error:  # PostgreSQL chose this transaction to end a deadlock
                if getattr(error.orig, "sqlstate", None) != "40P01" or attempt == 2:
                    raise
                log.warning("article %d: deadlock with another writer; saving it again", article_id)
        raise AssertionError("unreachable")

    def _save_analysis(self, article_id: int, analysis: Analysis, version: str, worker: str | None) -> bool:
        from veille.archive.cache import flow_write
        from veille.archive.overlay import lay_corrections, rework
        from veille.archive.points import mark_changed

        with self.engine.begin() as conn:
            flow_write(conn)  # an extraction's results: the web's cached results may lag them a few seconds
            if not self._release_claim(conn, article_id, worker) and worker is not None:
                return False
            analysis = rework(conn, article_id, analysis)
            conn.execute(
                delete(t.figure_orgs).where(
                    t.figure_orgs.c.figure_id.in_(
                        select(t.figures.c.id).where(t.figures.c.article_id == article_id)
                    )
                )
            )
            for table in (t.figures, t.org_mentions, t.person_mentions):
                conn.execute(delete(table).where(table.c.article_id == article_id))
            org_ids = {  # by name: concurrent saves lock new organisations in one order
                org.name: self._org_id(
                    conn,
                    org.name,
                    org.kind,
                    org.acronym,
                    org.aliases,
                    successor=org.successor,
                    years=org.years,
                )
                for org in sorted(analysis.organisations, key=lambda o: o.name)
            }
            if analysis.figures:
                self._insert_figures(conn, article_id, analysis, org_ids)
            self._insert_org_mentions(conn, article_id, analysis, org_ids)
            self._insert_person_mentions(conn, article_id, analysis)
            conn.execute(
                update(t.articles)
                .where(t.articles.c.id == article_id)
                .values(
                    extractor_version=version,
                    extracted_at=utcnow(),
                    extractions=t.articles.c.extractions + 1,
                    extracted_by=worker,
                )
            )
            lay_corrections(conn, article_id)
            mark_changed(conn)  # the indicator series' points are computed again from them
        return True

    @staticmethod
    def _release_claim(conn: Any, article_id: int, worker: str | None) -> bool:
        """Delete ``worker``'s claim on the article (first: it locks the claim's row until the
        commit); False when the claim is not, or no longer, ``worker``'s. Without a worker (a
        plain ``veille extract``, a crawl's extraction) any claim goes: the article is settled, and
        a worker holding it will find its claim gone."""
        claims = t.extraction_claims
        which = claims.c.article_id == article_id
        if worker is not None:
            which &= claims.c.worker == worker
        return bool(conn.execute(delete(claims).where(which)).rowcount)

    def _insert_figures(
        self, conn: Any, article_id: int, analysis: Analysis, org_ids: dict[str, int]
    ) -> None:
        """The article's figures, each linked to the organisations named with it."""
        # each figure carries its article's date (migration 0006: listings sort without a join)
        published = conn.scalar(select(t.articles.c.published).where(t.articles.c.id == article_id))
        figure_rows = [
            {**f.to_dict(), "article_id": article_id, "published": published} for f in analysis.figures
        ]
        figure_ids = conn.scalars(
            insert(t.figures).returning(t.figures.c.id, sort_by_parameter_order=True), figure_rows
        ).all()
        self._link_figure_orgs(conn, figure_ids, [f.organisations for f in analysis.figures], org_ids)

    @staticmethod
    def _insert_org_mentions(conn: Any, article_id: int, analysis: Analysis, org_ids: dict[str, int]) -> None:
        """Where the article names each organisation."""
        mention_rows = []
        for org in analysis.organisations:
            org_id = org_ids[org.name]
            mention_rows += [
                {
                    "article_id": article_id,
                    "org_id": org_id,
                    "start": m.start,
                    "end": m.end,
                    "text": m.text,
                }
                for m in org.mentions
            ]
        if mention_rows:
            conn.execute(insert(t.org_mentions), mention_rows)

    @staticmethod
    def _insert_person_mentions(conn: Any, article_id: int, analysis: Analysis) -> None:
        """The persons the article names (a person row made for a new name), with their role and
        organisation: a row per mention, or one for the name when no mention was kept."""
        person_rows = []
        for person in sorted(analysis.persons, key=lambda p: p.name):  # one lock order (see save_analysis)
            pid = _named_row(conn, t.persons, person.name)
            mentions = person.mentions or ()
            person_rows += [
                {
                    "article_id": article_id,
                    "person_id": pid,
                    "role": person.role,
                    "organisation": person.organisation,
                    "start": m.start,
                    "end": m.end,
                    "text": m.text,
                }
                for m in mentions
            ] or [
                {
                    "article_id": article_id,
                    "person_id": pid,
                    "role": person.role,
                    "organisation": person.organisation,
                    "start": 0,
                    "end": 0,
                    "text": person.name,
                }
            ]
        if person_rows:
            conn.execute(insert(t.person_mentions), person_rows)

    @staticmethod
    def _link_figure_orgs(
        conn: Any, figure_ids: Sequence[int], names: Sequence[Iterable[str]], known: dict[str, int]
    ) -> None:
        """``figure_orgs`` rows: each figure to the organisations (by canonical name) of its sentence."""
        wanted = {n for ns in names for n in ns if n not in known}
        if wanted:
            found = conn.execute(
                select(t.organisations.c.name, t.organisations.c.id).where(t.organisations.c.name.in_(wanted))
            )
            known = {**known, **{name: oid for name, oid in found}}
        links = {(fid, known[n]) for fid, ns in zip(figure_ids, names, strict=True) for n in ns if n in known}
        if links:
            conn.execute(insert(t.figure_orgs), [{"figure_id": f, "org_id": o} for f, o in sorted(links)])

    def _org_id(
        self,
        conn: Any,
        name: str,
        kind: str | None,
        acronym: str | None,
        aliases: Iterable[str],
        *,
        successor: str | None = None,
        years: str | None = None,
    ) -> int:
        successor_id = self._org_id(conn, successor, kind, None, ()) if successor else None
        org_id = _named_row(
            conn, t.organisations, name, kind=kind, acronym=acronym, successor_id=successor_id, years=years
        )
        if successor_id is not None:
            conn.execute(
                update(t.organisations)
                .where(t.organisations.c.id == org_id, t.organisations.c.successor_id.is_(None))
                .values(successor_id=successor_id, years=years)
            )
        have = set(conn.scalars(select(t.org_aliases.c.alias_key).where(t.org_aliases.c.org_id == org_id)))
        for alias in alias_forms(name, aliases, acronym):
            key = fold(alias)
            if key not in have:
                conn.execute(
                    upsert(conn.dialect.name, t.org_aliases)
                    .values(org_id=org_id, alias=alias, alias_key=key)
                    .on_conflict_do_nothing(index_elements=["org_id", "alias_key"])
                )
                have.add(key)
        return org_id

    def article_titles(self, source: str | None = None) -> Iterator[tuple[int, str, str, str]]:
        """(id, url, source, title) of the archived articles, by id (of one source when given)."""
        query = select(t.articles.c.id, t.articles.c.url, t.articles.c.source, t.articles.c.title).order_by(
            t.articles.c.id
        )
        if source is not None:
            query = query.where(t.articles.c.source == source)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        for row in rows:
            yield row.id, row.url, row.source, row.title

    def set_titles(self, titles: Mapping[int, str]) -> None:
        """New titles of archived articles (the full-text index follows)."""
        with self.engine.begin() as conn:
            for article_id, title in titles.items():
                conn.execute(update(t.articles).where(t.articles.c.id == article_id).values(title=title))
                self._after_article_write(conn, article_id)

    def refresh_search_index(self) -> None:
        """PostgreSQL: rebuild the newest articles' full-text index when it has grown (see
        :mod:`veille.archive.recent_index`). A failure costs speed only: it is logged, not raised."""
        from veille.archive.recent_index import refresh

        try:
            refresh(self.engine)
        except SQLAlchemyError as exc:
            log.warning("recent full-text index not rebuilt: %s", first_line(exc))


def open_store(
    url: str,
    *,
    migrate: bool = True,
    create: bool = False,
    require: bool = False,
    timezone: str = DEFAULT_TIMEZONE,
) -> Store:
    """Open the archive at ``url`` and bring its schema up to date.

    ``create=True`` (``veille init``) first creates a missing PostgreSQL database.
    ``require=True`` (every command but init, crawl and demo) refuses, with one line, a missing
    SQLite file, an empty one or a database without Veille's tables, instead of creating one.
    """
    if require:
        database.require_archive(url)
    store = Store(url, timezone)
    try:
        if create:
            store.create_database()
        if migrate:
            store.migrate()
    except BaseException:
        store.close()
        raise
    return store


def open_archive(settings: Any, *, create: bool = False) -> Store:
    """The archive of a :class:`~veille.core.config.Settings`: data dir made, schema up to date."""
    if settings.database_url.startswith("sqlite"):
        settings.ensure_data_dir()
    return open_store(settings.database_url, create=create)


def alias_forms(name: str, aliases: Iterable[str], acronym: str | None) -> set[str]:
    """The forms an organisation is kept under in ``org_aliases``: its name, the aliases seen
    and its acronym (:meth:`Store._org_id` and the bulk load, :mod:`.bulk`)."""
    return {name, *(a for a in aliases if a), *([acronym] if acronym else [])}


def _named_row(conn: Any, table: Any, name: str, **values: Any) -> int:
    """The id of ``table``'s row named ``name``, made with ``values`` when there is none. Another
    transaction may be adding the same name now (two extraction workers): the insert waits for it
    and then does nothing, and its row is the one returned."""
    found = conn.scalar(select(table.c.id).where(table.c.name == name))
    if found is None:
        found = conn.scalar(
            upsert(conn.dialect.name, table)
            .values(name=name, **values)
            .on_conflict_do_nothing(index_elements=["name"])
            .returning(table.c.id)
        )
    if found is None:
        found = conn.scalar(select(table.c.id).where(table.c.name == name))
    if found is None:
        raise StoreError(f"{table.name} {name!r}: neither found nor added")
    return int(found)
