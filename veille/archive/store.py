"""The archive: SQLite by default (WAL), PostgreSQL when ``VEILLE_DATABASE_URL`` says so.

The schema is managed by Alembic (``veille/archive/migrations``, see :mod:`veille.archive.database`):
:meth:`Store.migrate` upgrades to the latest revision and never drops a table. Every write of
one article and its extraction results happens in one transaction, so a kill -9 loses nothing
committed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from veille.archive import database
from veille.archive import schema as t
from veille.archive.database import first_line
from veille.archive.documents import DocumentRecords
from veille.archive.engine import make_engine
from veille.archive.runs import RUN_HEARTBEAT_SECONDS as RUN_HEARTBEAT_SECONDS
from veille.archive.runs import RunLedger, utcnow
from veille.archive.sources import SourceRecords
from veille.core.conf.digest import DEFAULT_TIMEZONE
from veille.core.folding import content_hash, fold, unaccent  # noqa: F401  (re-exported: the archive's keys)
from veille.core.models import Analysis, Article

log = logging.getLogger(__name__)


class Store(RunLedger, SourceRecords, DocumentRecords):
    """Library access to the archive. One per process; cheap to create in tests."""

    def __init__(self, url: str, timezone: str = DEFAULT_TIMEZONE) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.timezone = ZoneInfo(timezone)  # whose days a search's dates are (digest.toml's)

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
            return conn.scalar(select(t.articles.c.id).where(t.articles.c.content_hash == digest).limit(1))

    def upsert_article(self, article: Article, *, keep_known: bool = False) -> tuple[int, bool | None]:
        """Insert or update by canonical URL. Returns ``(id, created)`` and sets ``article.id``.

        ``keep_known``: an article already archived under this URL or canonical URL (either way
        round) is left as it is and ``created`` is None: the same question as :meth:`known_urls`,
        asked in the transaction that would have written it."""
        now = utcnow()
        canonical = article.canonical_url or article.url
        values = _article_values(article, canonical, now)
        with self.engine.begin() as conn:
            a = t.articles.c
            if keep_known:  # either URL, as fetched or canonical, archived already: left as it is
                known = {article.url, canonical}
                found = conn.scalar(
                    select(a.id).where(a.url.in_(known) | a.canonical_url.in_(known)).order_by(a.id).limit(1)
                )
                if found is not None:
                    article.id = found
                    return found, None
                existing = None  # the look-up below asks a narrower question: nothing either
            else:
                existing = conn.scalar(
                    select(a.id).where((a.canonical_url == canonical) | (a.url == article.url))
                )
            if existing is None:
                existing = self._same_story(conn, article)
            was_partial = (
                existing is not None
                and conn.scalar(select(t.articles.c.partial).where(t.articles.c.id == existing)) is True
            )
            if existing is not None and article.partial and not was_partial:
                # the full story is archived already: a feed-only copy adds nothing to it
                article.id = existing
                return existing, False
            if existing is not None and was_partial and not article.partial:
                # the publisher brings the story an aggregator linked to: completed in place (same
                # id, so what refers to it keeps pointing at it) and its figures extracted again
                values["extractor_version"] = None
                values["publisher"] = article.publisher or conn.scalar(
                    select(t.articles.c.publisher).where(t.articles.c.id == existing)
                )
                conn.execute(update(t.articles).where(t.articles.c.id == existing).values(url=article.url))
                article.completed = True
            if existing is None:
                try:
                    with conn.begin_nested():
                        article_id = conn.execute(
                            insert(t.articles).values(created_at=now, **values).returning(t.articles.c.id)
                        ).scalar_one()
                    created = True
                except IntegrityError:  # a concurrent writer won the race
                    article_id = conn.scalar(select(t.articles.c.id).where(t.articles.c.url == article.url))
                    if article_id is None:
                        raise
                    created = False
            else:
                article_id, created = existing, False
                values.pop("url")
                conn.execute(update(t.articles).where(t.articles.c.id == article_id).values(**values))
                # figures carry their article's date (sorted on it): keep them in step
                conn.execute(
                    update(t.figures)
                    .where(t.figures.c.article_id == article_id)
                    .values(published=article.published)
                )
            if article.cluster is None:
                conn.execute(
                    update(t.articles)
                    .where(t.articles.c.id == article_id, t.articles.c.cluster_id.is_(None))
                    .values(cluster_id=article_id)
                )
            self._after_article_write(conn, article_id)
            self._write_document(conn, article_id, article)  # a document's file and tables
        article.id = article_id
        return article_id, created

    def _same_story(self, conn: Any, article: Article) -> int | None:
        """An archived article telling the same story from the other side of an aggregator
        link: a partial one (feed only) for a full article, or the reverse; same title once the
        publisher's name is removed, published within two days."""
        key = _story_key(article.title, article.publisher)
        if len(key) < 12:
            return None
        when = article.published or article.fetched_at or utcnow()
        rows = conn.execute(
            select(t.articles.c.id, t.articles.c.title, t.articles.c.publisher)
            .where(
                t.articles.c.partial.is_(not article.partial),
                t.articles.c.published >= when - STORY_WINDOW,
                t.articles.c.published <= when + STORY_WINDOW,
            )
            .order_by(t.articles.c.id.desc())
            .limit(500)
        )
        for row in rows:
            publisher = row.publisher or article.publisher
            if _story_key(row.title, publisher) == _story_key(article.title, publisher):
                return int(row.id)
        return None

    def _after_article_write(self, conn: Any, article_id: int) -> None:
        """Keep the full-text index in step, in the same transaction as the article.

        SQLite: the FTS5 row holds the article's folded, stemmed keys. PostgreSQL computes
        its ``search_vector`` column itself (generated column, migration 0002).
        """
        if self.dialect != "sqlite":
            return
        from veille.archive.fulltext import index_text

        row = conn.execute(
            select(t.articles.c.title, t.articles.c.lead, t.articles.c.text).where(
                t.articles.c.id == article_id
            )
        ).first()
        conn.execute(text("DELETE FROM article_fts WHERE rowid = :id"), {"id": article_id})
        if row is not None:
            conn.execute(
                text("INSERT INTO article_fts (rowid, title, lead, body) VALUES (:id, :title, :lead, :body)"),
                {
                    "id": article_id,
                    "title": index_text(row.title),
                    "lead": index_text(row.lead),
                    "body": index_text(row.text),
                },
            )

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

    def save_analysis(self, article_id: int, analysis: Analysis, version: str) -> None:
        """Replace the article's figures and mentions atomically, the analysts' merges and splits
        of organisations and their corrections of figures laid over them (:mod:`.overlay`)."""
        from veille.archive.overlay import lay_corrections, rework

        with self.engine.begin() as conn:
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
            org_ids = {
                org.name: self._org_id(
                    conn,
                    org.name,
                    org.kind,
                    org.acronym,
                    org.aliases,
                    successor=org.successor,
                    years=org.years,
                )
                for org in analysis.organisations
            }
            if analysis.figures:
                self._insert_figures(conn, article_id, analysis, org_ids)
            self._insert_org_mentions(conn, article_id, analysis, org_ids)
            self._insert_person_mentions(conn, article_id, analysis)
            conn.execute(
                update(t.articles)
                .where(t.articles.c.id == article_id)
                .values(extractor_version=version, extracted_at=utcnow())
            )
            lay_corrections(conn, article_id)

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
        for person in analysis.persons:
            pid = conn.scalar(select(t.persons.c.id).where(t.persons.c.name == person.name))
            if pid is None:
                pid = conn.execute(
                    insert(t.persons).values(name=person.name).returning(t.persons.c.id)
                ).scalar_one()
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
        org_id = conn.scalar(select(t.organisations.c.id).where(t.organisations.c.name == name))
        successor_id = self._org_id(conn, successor, kind, None, ()) if successor else None
        if org_id is None:
            org_id = conn.execute(
                insert(t.organisations)
                .values(name=name, kind=kind, acronym=acronym, successor_id=successor_id, years=years)
                .returning(t.organisations.c.id)
            ).scalar_one()
        elif successor_id is not None:
            conn.execute(
                update(t.organisations)
                .where(t.organisations.c.id == org_id, t.organisations.c.successor_id.is_(None))
                .values(successor_id=successor_id, years=years)
            )
        have = set(conn.scalars(select(t.org_aliases.c.alias_key).where(t.org_aliases.c.org_id == org_id)))
        for alias in {name, *(a for a in aliases if a), *([acronym] if acronym else [])}:
            key = fold(alias)
            if key not in have:
                conn.execute(insert(t.org_aliases).values(org_id=org_id, alias=alias, alias_key=key))
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


STORY_WINDOW = timedelta(days=2)


def _story_key(title: str | None, publisher: str | None) -> str:
    """A title's letters and digits, folded, without the publisher's name at either end
    ("Tanger recrute - Le Matin" and "Tanger recrute" are the same story)."""
    key = "".join(c for c in fold(title or "") if c.isalnum())
    name = "".join(c for c in fold(publisher or "") if c.isalnum())
    if name and key != name:
        key = key.removesuffix(name) if key.endswith(name) else key.removeprefix(name)
    return key


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


def _article_values(article: Article, canonical: str, now: datetime) -> dict[str, Any]:
    """The article's columns as written by :meth:`Store.upsert_article`."""
    return {
        "url": article.url,
        "canonical_url": canonical,
        "source": article.source,
        "title": article.title or "",
        "lead": article.lead,
        "text": article.text or "",
        "author": article.author,
        "published": article.published,
        "fetched_at": article.fetched_at or now,
        "language": article.language,
        "partial": article.partial,
        "publisher": article.publisher,
        "truncated": article.truncated,
        "relevance": article.relevance,
        "matched_terms": list(article.matched_terms),
        "themes": list(article.themes),
        "content_hash": article.content_hash or content_hash(article.text or article.title),
        "minhash": article.minhash,
        "cluster_id": article.cluster,
        "word_count": article.word_count,
        "updated_at": now,
        "kind": article.kind,
    }
