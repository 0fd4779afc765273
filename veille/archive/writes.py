"""Writing articles (a part of :class:`veille.archive.store.Store`): one, or a batch in one
transaction, with the full-text keys in step.

A batch is written as its articles would be one after the other (a second copy of one URL is
known, a full story completes the partial one before it), with fewer questions to the
database: the known URLs of the whole batch in one query, the candidates for "the same story
across an aggregator link" in one query per kind, the new clusters and the full-text rows in
one statement each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from veille.archive import schema as t
from veille.archive.cache import flow_write
from veille.archive.documents import DocumentRecords
from veille.archive.points import mark_changed
from veille.core.clock import utcnow
from veille.core.folding import content_hash, fold
from veille.core.models import Article

STORY_WINDOW = timedelta(days=2)
STORY_ROWS = 500  # rows compared for one article, newest first
STORY_PREFETCH = 2000  # candidates read at once for a batch; more: one query per article

_a = t.articles.c
_INSERT = insert(t.articles).returning(_a.id)
_STORIES = (
    select(_a.id, _a.title, _a.publisher, _a.published)
    .where(
        _a.partial == bindparam("partial"),
        _a.published >= bindparam("low"),
        _a.published <= bindparam("high"),
    )
    .order_by(_a.id.desc())
)
Story = tuple[int, str | None, str | None, datetime]  # id, title, publisher, published
Keys = tuple[str, str, str]  # an article's full-text keys: title, lead, text
Indexed = tuple[int, str | None, str | None, str | None, Keys | None]  # id, title, lead, text, keys


class ArticleWrites(DocumentRecords):  # an article's document is written with it
    engine: Engine

    def upsert_article(
        self, article: Article, *, keep_known: bool = False, index_keys: Keys | None = None
    ) -> tuple[int, bool | None]:
        """Insert or update by canonical URL. Returns ``(id, created)`` and sets ``article.id``.

        ``keep_known``: an article already archived under this URL or canonical URL (either way
        round) is left as it is and ``created`` is None: the same question as ``known_urls``,
        asked in the transaction that would have written it. ``index_keys``: the article's
        full-text keys (title, lead, text: :func:`veille.archive.fulltext.index_text`) when the
        caller computed them already."""
        return self.upsert_articles([article], keep_known=keep_known, index_keys=[index_keys])[0]

    def upsert_articles(
        self,
        articles: Sequence[Article],
        *,
        keep_known: bool = False,
        index_keys: Sequence[Keys | None] | None = None,
    ) -> list[tuple[int, bool | None]]:
        """:meth:`upsert_article` for each article, in order, in one transaction: all are written
        or, on any error (raised), none. Each article meets those before it in the batch as it
        would meet them archived (a second copy of one URL is known). ``id``, ``cluster`` and
        ``completed`` are set on the articles once the transaction is committed; ``index_keys``:
        each article's full-text keys, or None to compute them here."""
        batch = _Batch(articles, guarded=len(articles) == 1, now=utcnow())
        batch.keys = {id(a): k for a, k in zip(articles, index_keys or (), strict=False) if k is not None}
        with self.engine.begin() as conn:
            flow_write(conn)  # new articles: the web's cached results may lag them a few seconds
            if keep_known:
                batch.known = self._archived_ids(conn, articles)
            for article in articles:
                batch.results.append(self._write_article(conn, article, batch))
            if batch.own_cluster:
                conn.execute(
                    update(t.articles)
                    .where(_a.id.in_(batch.own_cluster), _a.cluster_id.is_(None))
                    .values(cluster_id=_a.id)
                )
            self._index_articles(conn, list(batch.indexed.values()))
            if batch.figures_dated:  # last: the series' state row is held only until the commit
                mark_changed(conn)
        batch.settle()
        return batch.results

    def _archived_ids(self, conn: Any, articles: Sequence[Article]) -> dict[str, int]:
        """Each URL (as fetched or canonical) of ``articles`` already archived -> the smallest id
        archived under it, either column."""
        wanted = list(dict.fromkeys(u for a in articles for u in (a.url, a.canonical_url or a.url)))
        found: dict[str, int] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            rows = conn.execute(
                select(_a.id, _a.url, _a.canonical_url).where(_a.url.in_(chunk) | _a.canonical_url.in_(chunk))
            )
            for row_id, url, canonical in rows:
                for u in (url, canonical):
                    found[u] = min(found.get(u, row_id), row_id)
        return found

    def _write_article(self, conn: Any, article: Article, batch: _Batch) -> tuple[int, bool | None]:
        """Write one article of ``batch`` (see :meth:`upsert_articles`); ``(id, created)``."""
        canonical = article.canonical_url or article.url
        values = _article_values(article, canonical, batch.cluster_of(article), batch.now)
        if batch.known is not None:  # either URL, as fetched or canonical, archived already: left as it is
            found = [batch.known[u] for u in (article.url, canonical) if u in batch.known]
            if found:
                return batch.wrote(article, min(found), None)
            existing = None  # the look-up below asks a narrower question: nothing either
        else:
            existing = conn.scalar(
                select(_a.id).where((_a.canonical_url == canonical) | (_a.url == article.url))
            )
        if existing is None:
            existing = self._same_story(conn, article, batch)
        was_partial = (
            existing is not None and conn.scalar(select(_a.partial).where(_a.id == existing)) is True
        )
        if existing is not None and article.partial and not was_partial:
            # the full story is archived already: a feed-only copy adds nothing to it
            return batch.wrote(article, existing, False)
        if existing is not None and was_partial and not article.partial:
            # the publisher brings the story an aggregator linked to: completed in place (same
            # id, so what refers to it keeps pointing at it) and its figures extracted again
            values["extractor_version"] = None
            values["publisher"] = article.publisher or conn.scalar(
                select(_a.publisher).where(_a.id == existing)
            )
            conn.execute(update(t.articles).where(_a.id == existing).values(url=article.url))
            batch.completed.add(id(article))
        if existing is None:
            article_id, created = self._insert_article(conn, values, batch.guarded)
        else:
            article_id, created = existing, False
            values.pop("url")
            conn.execute(update(t.articles).where(_a.id == article_id).values(**values))
            # figures carry their article's date (sorted on it): keep them in step
            conn.execute(
                update(t.figures)
                .where(t.figures.c.article_id == article_id)
                .values(published=article.published)
            )
            batch.figures_dated = True  # the series weigh the most recent citation
        keys = batch.keys.get(id(article))
        batch.indexed[article_id] = (article_id, values["title"], values["lead"], values["text"], keys)
        self._write_document(conn, article_id, article)  # a document's file and tables
        batch.story_written(article_id, values)
        return batch.wrote(article, article_id, created, cluster=values["cluster_id"])

    @staticmethod
    def _insert_article(conn: Any, values: dict[str, Any], guarded: bool) -> tuple[int, bool]:
        """Insert a new article: ``(id, True)``. ``guarded`` (one article alone): when a concurrent
        writer archived the same URL first, ``(its id, False)``; in a batch the error is raised
        (the caller then writes the batch again article by article)."""
        row = {"created_at": values["updated_at"], **values}
        if not guarded:
            return int(conn.execute(_INSERT, row).scalar_one()), True
        try:
            with conn.begin_nested():
                return int(conn.execute(_INSERT, row).scalar_one()), True
        except IntegrityError:  # a concurrent writer won the race
            article_id = conn.scalar(select(_a.id).where(_a.url == values["url"]))
            if article_id is None:
                raise
            return int(article_id), False

    def _same_story(self, conn: Any, article: Article, batch: _Batch) -> int | None:
        """An archived article telling the same story from the other side of an aggregator
        link: a partial one (feed only) for a full article, or the reverse; same title once the
        publisher's name is removed, published within two days."""
        key = _story_key(article.title, article.publisher)
        if len(key) < 12:
            return None
        when = batch.when(article)
        candidates = batch.stories(conn, not article.partial)
        if candidates is None:  # too many to read at once: this article's own question
            window = {"partial": not article.partial, "low": when - STORY_WINDOW, "high": when + STORY_WINDOW}
            rows: list[Story] = [tuple(r) for r in conn.execute(_STORIES.limit(STORY_ROWS), window)]
        else:
            near = (s for s in candidates.values() if when - STORY_WINDOW <= s[3] <= when + STORY_WINDOW)
            rows = sorted(near, reverse=True)[:STORY_ROWS]
        for row_id, title, row_publisher in (r[:3] for r in rows):
            publisher = row_publisher or article.publisher
            if _story_key(title, publisher) == _story_key(article.title, publisher):
                return int(row_id)
        return None

    def _after_article_write(self, conn: Any, article_id: int) -> None:
        """Keep the full-text index in step with an article just written, in its transaction."""
        if self.engine.dialect.name != "sqlite":
            return
        row = conn.execute(select(_a.id, _a.title, _a.lead, _a.text).where(_a.id == article_id)).first()
        self._index_articles(conn, [(*row, None)] if row is not None else [], deleted=[article_id])

    def _index_articles(self, conn: Any, rows: Sequence[Indexed], deleted: Sequence[int] = ()) -> None:
        """Keep the full-text index in step, in the same transaction as the articles' writes.

        SQLite: the FTS5 row holds the article's folded, stemmed keys; ``rows`` are (id, title,
        lead, text, their keys or None) as written. PostgreSQL computes its ``search_vector``
        column itself (generated column, migration 0002).
        """
        if self.engine.dialect.name != "sqlite" or not (rows or deleted):
            return
        from veille.archive.fulltext import index_text

        stale = [{"id": i} for i in dict.fromkeys([*deleted, *(r[0] for r in rows)])]
        conn.execute(text("DELETE FROM article_fts WHERE rowid = :id"), stale)
        if rows:
            conn.execute(
                text("INSERT INTO article_fts (rowid, title, lead, body) VALUES (:id, :title, :lead, :body)"),
                [
                    _fts_row(i, keys or (index_text(title), index_text(lead), index_text(body)))
                    for i, title, lead, body, keys in rows
                ],
            )


def _fts_row(article_id: int, keys: Keys) -> dict[str, Any]:
    return {"id": article_id, "title": keys[0], "lead": keys[1], "body": keys[2]}


def _article_values(article: Article, canonical: str, cluster: int | None, now: datetime) -> dict[str, Any]:
    """The ``articles`` row of an article (without ``id`` and ``created_at``)."""
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
        "cluster_id": cluster,
        "word_count": article.word_count,
        "updated_at": now,
        "kind": article.kind,
    }


class _Batch:
    """What one :meth:`ArticleWrites.upsert_articles` call learns as it writes, and sets on the
    articles once committed (articles are told by identity: two equal copies are two articles)."""

    def __init__(self, articles: Sequence[Article], *, guarded: bool, now: datetime) -> None:
        self.articles = articles
        self.guarded = guarded  # one article alone: a lost insert race is answered, not raised
        self.now = now
        self.known: dict[str, int] | None = None  # keep_known: URL -> id, archived or written here
        self.results: list[tuple[int, bool | None]] = []
        self.ids: dict[int, int] = {}  # id(article) -> its archive id
        self.clusters: dict[int, int] = {}  # id(article) -> the cluster it was written with
        self.own_cluster: list[int] = []  # articles written without a cluster: their own
        self.completed: set[int] = set()
        self.figures_dated = False  # an archived article's date changed: its figures' with it
        self.indexed: dict[int, Indexed] = {}  # full-text rows, last write wins
        self.keys: dict[int, Keys] = {}  # id(article) -> its full-text keys, computed by the caller
        self._stories: dict[bool, dict[int, Story] | None] = {}  # partial or not -> candidates by id

    def when(self, article: Article) -> datetime:
        return article.published or article.fetched_at or self.now

    def stories(self, conn: Any, partial: bool) -> dict[int, Story] | None:
        """The articles (partial or not) published near any article of the batch that looks for
        them, read once; None when there are too many to read at once."""
        if partial not in self._stories:
            times = [self.when(a) for a in self.articles if a.partial is not partial]
            window = {"partial": partial, "low": min(times) - STORY_WINDOW, "high": max(times) + STORY_WINDOW}
            rows = conn.execute(_STORIES.limit(STORY_PREFETCH + 1), window).all()
            self._stories[partial] = {r[0]: tuple(r) for r in rows} if len(rows) <= STORY_PREFETCH else None
        return self._stories[partial]

    def story_written(self, article_id: int, values: dict[str, Any]) -> None:
        """An article written in this batch: the candidates read before it follow."""
        for partial, candidates in self._stories.items():
            if candidates is None:
                continue
            candidates.pop(article_id, None)
            if values["partial"] is partial and values["published"] is not None:
                candidates[article_id] = (
                    article_id,
                    values["title"],
                    values["publisher"],
                    values["published"],
                )

    def cluster_of(self, article: Article) -> int | None:
        """The cluster to write: the dedup stage's, or that of the article of this run it joins
        (written earlier in this batch or before it), else None (its own)."""
        if article.cluster is not None:
            return article.cluster
        member = article.cluster_member
        if member is None:
            return None
        key = id(member)
        if key in self.clusters:
            return self.clusters[key]
        if key in self.ids:
            return self.ids[key]
        return member.cluster if member.cluster is not None else member.id

    def wrote(
        self, article: Article, article_id: int, created: bool | None, *, cluster: int | None | bool = False
    ) -> tuple[int, bool | None]:
        """Note an article's outcome (``cluster``: what it was written with; False: not written)."""
        self.ids[id(article)] = article_id
        if cluster is not False:
            self.clusters[id(article)] = article_id if cluster is None else int(cluster)
            if cluster is None:
                self.own_cluster.append(article_id)
            if self.known is not None:  # its URLs are archived now, for the articles after it
                urls = [article.canonical_url or article.url] + ([article.url] if created else [])
                if id(article) in self.completed:
                    urls.append(article.url)
                for u in urls:
                    self.known.setdefault(u, article_id)
        return article_id, created

    def settle(self) -> None:
        """Committed: each article gets its id (and the cluster it joined, and ``completed``)."""
        for article in self.articles:
            key = id(article)
            if key not in self.ids:
                continue
            article.id = self.ids[key]
            if article.cluster is None and article.cluster_member is not None:
                joined = self.clusters.get(key)
                article.cluster = joined if joined != article.id else None
            article.cluster_member = None
            if key in self.completed:
                article.completed = True


def _story_key(title: str | None, publisher: str | None) -> str:
    """A title's letters and digits, folded, without the publisher's name at either end
    ("Tanger recrute - Le Matin" and "Tanger recrute" are the same story)."""
    key = "".join(c for c in fold(title or "") if c.isalnum())
    name = "".join(c for c in fold(publisher or "") if c.isalnum())
    if name and key != name:
        key = key.removesuffix(name) if key.endswith(name) else key.removeprefix(name)
    return key
