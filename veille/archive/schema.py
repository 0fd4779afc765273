"""The archive's tables (SQLAlchemy Core). Alembic migrations in ``veille/archive/migrations`` create them.

Articles carry what the spiders and the pipeline put on the item; figures, organisation
and person mentions are rows of their own so that analysts can filter and export them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import false
from sqlalchemy.types import TypeDecorator


class AwareDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend.

    PostgreSQL keeps the offset (timestamptz); SQLite would silently drop it, so values are
    converted to UTC before writing and read back as UTC. Naive values are refused: a
    time without its offset cannot be placed in a week.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("canonical_url", Text, nullable=False, index=True),
    Column("source", String(100), nullable=False, index=True),
    Column("title", Text, nullable=False, default=""),
    Column("lead", Text),
    Column("text", Text, nullable=False, default=""),
    Column("author", Text),
    Column("published", AwareDateTime(), index=True),
    Column("fetched_at", AwareDateTime()),
    Column("language", String(12)),
    Column("partial", Boolean, nullable=False, default=False),
    Column("publisher", String(200)),  # migration 0015: who published a story an aggregator linked to
    # text cut at the extractor's limit ([extract] max_text_chars; migration 0011)
    Column("truncated", Boolean, nullable=False, default=False, server_default=false()),
    Column("relevance", Float, nullable=False, default=0.0, index=True),
    Column("matched_terms", JSON, nullable=False, default=list),
    Column("themes", JSON, nullable=False, default=list),
    Column("content_hash", String(64), index=True),
    Column("minhash", LargeBinary),
    Column("cluster_id", Integer, index=True),
    Column("word_count", Integer, nullable=False, default=0),
    Column("extractor_version", String(40)),
    Column("extracted_at", AwareDateTime()),
    # migration 0024: extractions committed for the article, and the worker of the last one
    Column("extractions", Integer, nullable=False, default=0, server_default="0"),
    Column("extracted_by", String(200)),
    Column("created_at", AwareDateTime(), nullable=False),
    Column("updated_at", AwareDateTime(), nullable=False),
    # migration 0019: "article" (a web page or a feed entry) or "document" (a file: PDF, sheet)
    Column("kind", String(16), nullable=False, default="article", server_default="article"),
    Index("ix_articles_kind", "kind", "published"),  # migration 0019
    Index(
        "ix_articles_search_cover", "id", "cluster_id", "published", "source", "relevance"
    ),  # migration 0003
    Index("ix_articles_published_cover", "published", "cluster_id", "source", "relevance"),  # migration 0003
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("kind", String(40)),
    Column("acronym", String(40)),
    # migration 0008: a former name ("Ministère de l'Industrie, du Commerce et des Nouvelles
    # technologies") points to the organisation it became, with the years it was in use
    Column("successor_id", Integer, ForeignKey("organisations.id", ondelete="SET NULL")),
    Column("years", String(20)),
)

org_aliases = Table(
    "org_aliases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False),
    Column("alias", String(300), nullable=False),
    Column("alias_key", String(300), nullable=False, index=True),  # accent/case-folded
    UniqueConstraint("org_id", "alias_key", name="uq_org_alias"),
)

org_mentions = Table(
    "org_mentions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("org_id", Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_org_mentions_org_article", "org_id", "article_id"),  # migration 0003
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False, unique=True),
)

person_mentions = Table(
    "person_mentions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("role", Text),
    Column("organisation", String(300)),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_person_mentions_person_article", "person_id", "article_id"),  # migration 0003
)

figures = Table(
    "figures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("sentence", Text, nullable=False, default=""),
    Column("sentence_start", Integer, nullable=False, default=0),
    Column("sentence_end", Integer, nullable=False, default=0),
    Column("value", Float, nullable=False),
    Column("unit", String(16), nullable=False),
    Column("approx", Boolean, nullable=False, default=False),
    Column("qualifier", String(16)),
    Column("range_max", Float),
    Column("period", String(20)),
    Column("metric", Text),
    Column("organisations", JSON, nullable=False, default=list),
    # migration 0007: what the figure measures (config/indicators.toml), whether it has happened,
    # and what a rate is per
    Column("indicator", String(32)),
    Column("status", String(12), nullable=False, default="actual", server_default="actual"),
    Column("per", String(16)),
    # migration 0016: what the figure is about (zone, organisation, region, country, sector, and
    # its name) and the organisation the text gives as its source ("selon l'AMRC")
    Column("scope_kind", String(16)),
    Column("scope", String(200)),
    Column("attributed_to", String(300)),
    # migration 0020: an analyst's word on the figure (confirmed, corrected, added; None: as the
    # extractor gave it), who and when: the corrections themselves live in ``corrections``
    Column("review", String(12)),
    Column("reviewed_by", String(320)),
    Column("reviewed_at", AwareDateTime()),
    # the article's publication date, copied (migration 0006): figure listings sort on their own
    # columns; PostgreSQL indexes (unit, published DESC NULLS LAST, article_id DESC, start, id)
    Column("published", AwareDateTime()),
    # migration 0019: a figure read from a document's table, and its cell ("C7", "B3")
    Column("table_index", Integer),
    Column("cell", String(40)),
    Index("ix_figures_unit_value", "unit", "value"),  # PostgreSQL only: migration 0005 drops it on SQLite
    Index("ix_figures_period", "period"),
    Index("ix_figures_unit_value_period", "unit", "value", "period", "article_id"),  # migration 0003
    Index("ix_figures_article_unit", "article_id", "unit", "value", "period"),  # migration 0003
    Index("ix_figures_indicator", "indicator", "status"),  # migration 0007
    # migration 0018 (0016 before it): every column the indicator series read, so they read the
    # index alone (PostgreSQL INCLUDEs the columns after the period)
    Index(
        "ix_figures_series",
        "indicator",
        "scope_kind",
        "scope",
        "status",
        "period",
        "unit",
        "per",
        "value",
        "range_max",
        "approx",
        "attributed_to",
        "published",
        "article_id",
    ),  # fmt: skip
)

figure_orgs = Table(
    "figure_orgs",  # migration 0004: the organisations of a figure's sentence (figures.organisations), by id
    metadata,
    Column("figure_id", Integer, ForeignKey("figures.id", ondelete="CASCADE"), primary_key=True),
    Column("org_id", Integer, ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_figure_orgs_org_figure", "org_id", "figure_id"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False, default="crawl"),  # crawl, extract, digest
    Column("started_at", AwareDateTime(), nullable=False),
    Column("finished_at", AwareDateTime()),
    Column(
        "status", String(20), nullable=False, default="running"
    ),  # running, ok, partial, failed, interrupted
    Column("detail", JSON, nullable=False, default=dict),
    # who runs it (migration 0012): a run whose process is gone is marked interrupted
    Column("host", String(255)),
    Column("pid", Integer),
    Column("heartbeat_at", AwareDateTime()),
)

run_sources = Table(
    "run_sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("source", String(100), nullable=False, index=True),
    Column("fetched", Integer, nullable=False, default=0),
    Column("new", Integer, nullable=False, default=0),
    Column("duplicate", Integer, nullable=False, default=0),
    Column("dropped", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    # migration 0015: partial articles (feed only) and partial articles completed in place
    Column("partial", Integer, nullable=False, default=0, server_default="0"),
    Column("completed", Integer, nullable=False, default=0, server_default="0"),
    Column("drop_reasons", JSON, nullable=False, default=dict),  # reason -> count
    Column("error_messages", JSON, nullable=False, default=list),
    UniqueConstraint("run_id", "source", name="uq_run_source"),
)

subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200)),
    Column("themes", JSON, nullable=False, default=list),
    Column("orgs", JSON, nullable=False, default=list),
    Column("status", String(20), nullable=False, default="active"),  # active, unsubscribed
    Column("created_at", AwareDateTime(), nullable=False),
    Column("unsubscribed_at", AwareDateTime()),
)

digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("period", String(40), nullable=False, unique=True),  # "2026-W48" or "2026-11-01..2026-11-07"
    Column("status", String(20), nullable=False, default="draft"),  # draft, sent
    Column("subject", Text),
    Column("html", Text),
    Column("text", Text),
    Column("pinned", JSON, nullable=False, default=list),  # article ids
    Column("excluded", JSON, nullable=False, default=list),
    Column("built_at", AwareDateTime()),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    # the delivery ledger (migration 0009): a kind of message, a recipient, a period, a state
    Column("kind", String(20), nullable=False, default="digest", server_default="digest"),
    Column("period", String(40), nullable=False),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False),
    Column("recipient", String(320)),  # the address the message went to
    # pending, sending, sent, failed, unconfirmed (may have been accepted: never resent on its own)
    Column("status", String(20), nullable=False, default="pending"),
    Column("message_id", String(300)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("claimed_by", String(100)),
    Column("claimed_at", AwareDateTime()),
    Column("sent_at", AwareDateTime()),
    UniqueConstraint("kind", "period", "subscriber_id", name="uq_delivery_kind"),
)

accounts = Table(
    "accounts",  # migration 0017: named accounts of the web UI, each with a role
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False),  # folded (lower case): the login
    Column("role", String(20), nullable=False),  # lecteur, analyste, admin
    Column("password_hash", String(512), nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),
    Column("last_login_at", AwareDateTime()),
    Column("disabled_at", AwareDateTime()),  # set: the account can no longer log in
    UniqueConstraint("email", name="uq_account_email"),
)

sessions = Table(
    "sessions",  # migration 0010: web sessions, server-side (a cookie holds the token, a row its hash)
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("account", String(100), nullable=False, default="admin", server_default="admin"),
    # migration 0017: the account that logged in (a session without one logs nobody in)
    Column("user_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE", name="fk_sessions_account")),
    Column("credential", String(64)),  # fingerprint of the password hash that opened it
    Column("created_at", AwareDateTime(), nullable=False),
    Column("expires_at", AwareDateTime(), nullable=False),
    Column("revoked_at", AwareDateTime()),
    Column("client", String(100)),
    UniqueConstraint("token_hash", name="uq_session_token"),
    Index("ix_sessions_account", "account", "revoked_at"),
    Index("ix_sessions_user", "user_id"),
)

documents = Table(
    "documents",  # migration 0019: the file behind a document (an article of kind "document")
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("file_type", String(8), nullable=False),  # pdf, xlsx, xls, csv
    Column("sha256", String(64), nullable=False),  # of the file's bytes: a file is archived once
    Column("size", Integer, nullable=False),
    Column("pages", Integer, nullable=False, default=0),  # PDF pages, or sheets
    Column("official", Boolean, nullable=False, default=False),  # the source's flag
    Column("listing_url", Text),
    Column("title_from", String(16)),  # listing, metadata, first_page, file_name
    Column("date_from", String(16)),  # listing, metadata, first_page
    Index("ix_documents_sha256", "sha256"),
)

refused_files = Table(
    # migration 0023: the files of documents sources refused (too big, encrypted, broken, a zip
    # bomb, too long to read), so that the next crawl does not download them again unless they
    # changed (spiders/documents.py)
    "refused_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("source", String(100), nullable=False),
    Column("kind", String(16), nullable=False),  # too_big (not downloaded) or unreadable (read, refused)
    Column("reason", Text, nullable=False),  # the run ledger's line
    Column("sha256", String(64), index=True),  # of the bytes refused (none when not downloaded)
    Column("size", BigInteger),  # bytes downloaded
    Column("size_limit", BigInteger),  # max_file_size when refused as too big
    Column("etag", String(300)),  # the server's validators, for a conditional request
    Column("last_modified", String(100)),
    Column("refused_at", AwareDateTime(), nullable=False),
    Column("checked_at", AwareDateTime(), nullable=False),  # last asked (refused, or unchanged)
    Column("attempts", Integer, nullable=False, default=1),
)

document_tables = Table(
    "document_tables",  # migration 0019: the tables read from a document, cells as read
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),  # the table's index in its document, from 0
    Column("page", Integer),
    Column("sheet", String(200)),
    Column("caption", Text, nullable=False, default=""),
    Column("header_rows", Integer, nullable=False, default=1),
    Column("cells", JSON, nullable=False, default=list),  # rows of text, numbers or nulls
    Column("row_refs", JSON, nullable=False, default=list),
    Column("col_refs", JSON, nullable=False, default=list),
    UniqueConstraint("article_id", "position", name="uq_document_table"),
)

sources = Table(
    "sources",  # migration 0013: the sources the archive was crawled from, with their labels
    metadata,
    Column("name", String(100), primary_key=True),
    Column("label", String(200)),
    Column("kind", String(20)),
    Column("updated_at", AwareDateTime(), nullable=False),
    Column("title_suffix", String(200)),  # migration 0014: what the site appends to its titles
)

corrections = Table(
    "corrections",  # migration 0020: the analysts' word on a figure, kept apart from the extractor's
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    # the figure's key: its offsets in the article's text, and its words there when corrected (a
    # correction whose words are no longer at its offsets, the text having changed, is stale)
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("span", Text, nullable=False),
    Column("action", String(10), nullable=False),  # confirm, correct, reject, add
    Column("before", JSON),  # the figure as it was (None: added)
    Column("after", JSON),  # the figure as the analyst left it (None: rejected)
    Column(
        "account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL", name="fk_corrections_account")
    ),
    Column("account", String(320), nullable=False),  # the account's login at the time
    Column("created_at", AwareDateTime(), nullable=False),
    # 1, 2, ... for one figure: the form names the version it was based on, and a later one wins
    Column("version", Integer, nullable=False),
    UniqueConstraint("article_id", "start", "end", "version", name="uq_correction_version"),
)

article_reviews = Table(
    "article_reviews",  # migration 0020: articles an analyst marked "vérifié" (every figure reviewed)
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL", name="fk_reviews_account")),
    Column("account", String(320), nullable=False),
    Column("reviewed_at", AwareDateTime(), nullable=False),
)

org_edits = Table(
    "org_edits",  # migration 0020: organisations merged or split by an analyst, in the order made
    metadata,
    Column("id", Integer, primary_key=True),
    Column("action", String(10), nullable=False),  # merge, split
    Column("source", String(300), nullable=False),  # the organisation merged away, or split
    Column("target", String(300), nullable=False),  # the one it goes to (its canonical name)
    Column("target_kind", String(40)),  # the kind of a new organisation a split makes
    # a split: the mentions that go to the target, [[article_id, start, end], ...]
    Column("mentions", JSON),
    Column(
        "account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL", name="fk_org_edits_account")
    ),
    Column("account", String(320), nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),
)

series_points = Table(
    "series_points",  # migration 0022: every point of the indicator series, consolidated after writes
    metadata,
    Column("id", Integer, primary_key=True),
    # the point's key (money in MAD; ``per`` "" for none)
    Column("indicator", String(60), nullable=False),
    Column("status", String(20), nullable=False),
    Column("scope_kind", String(20), nullable=False),
    Column("scope", String(300), nullable=False),
    Column("period", String(20), nullable=False),
    Column("unit", String(20), nullable=False),
    Column("per", String(20), nullable=False),
    Column("conflict", Boolean, nullable=False),
    Column("citations_count", Integer, nullable=False),
    Column("point", JSON, nullable=False),  # the point as the rule gave it, its citations left out
    Index("ix_series_points_series", "indicator", "scope_kind", "scope", "unit", "per"),
    Index("ix_series_points_conflicts", "conflict", "citations_count"),
)

series_state = Table(
    "series_state",  # migration 0022: when every point was computed, and with which rule
    metadata,
    Column("id", Integer, primary_key=True),  # one row
    Column("computed_at", AwareDateTime()),  # None: never computed
    Column("rule", String(64)),  # the rule's fingerprint (rates, tolerances, what is official)
    Column(
        "changes", Integer, nullable=False, default=0, server_default="0"
    ),  # writes of the figures counted
    Column("computed_from", Integer),  # the count the points were computed from
)

extraction_claims = Table(
    "extraction_claims",  # migration 0024: articles an extraction worker has claimed, until when
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("worker", String(200), nullable=False, index=True),
    Column("claimed_at", AwareDateTime(), nullable=False),
    Column("lease_until", AwareDateTime(), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=1, server_default="1"),  # taken over: +1
)

leases = Table(
    "leases",  # migration 0024: a named lease (the scheduler's leadership), renewed by its holder
    metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("acquired_at", AwareDateTime(), nullable=False),
    Column("expires_at", AwareDateTime(), nullable=False),
)

archive_changes = Table(
    "archive_changes",  # migration 0025: writes of the archive's content counted (one row; triggers)
    metadata,
    Column("id", Integer, primary_key=True),
    Column("writes", BigInteger, nullable=False, default=0, server_default="0"),
)

archive_changes_pending = Table(
    "archive_changes_pending",  # migration 0025: a write transaction noted, counted at its commit
    metadata,
    Column("xid", BigInteger, primary_key=True),
)

watches = Table(
    "watches",  # migration 0021: an account's saved search or figures query ("veille")
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "owner_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE", name="fk_watches_owner"),
        nullable=False,
    ),  # fmt: skip
    Column("name", String(200), nullable=False),
    Column("kind", String(10), nullable=False),  # search (articles) or figures
    Column("params", JSON, nullable=False),  # the user's values, as the query builder took them
    Column("query", JSON, nullable=False),  # the query the builder made of them (its fields)
    Column("every", String(10), nullable=False),  # immediate, daily, weekly
    Column("feed_token", String(64), nullable=False),  # the Atom feed's unguessable address
    Column("webhook_url", Text),
    Column("webhook_secret", String(100)),  # signs each POST (HMAC-SHA256)
    Column("watermark", Integer, nullable=False, default=0),  # articles up to this id were matched
    Column("last_run_at", AwareDateTime()),
    Column("created_at", AwareDateTime(), nullable=False),
    UniqueConstraint("owner_id", "name", name="uq_watch_owner_name"),
    UniqueConstraint("feed_token", name="uq_watch_feed_token"),
)

watch_recipients = Table(
    "watch_recipients",  # migration 0021: who a watch's alerts go to (its owner and subscribers)
    metadata,
    Column("watch_id", Integer, ForeignKey("watches.id", ondelete="CASCADE"), primary_key=True),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True),
    Column("stopped_at", AwareDateTime()),  # the recipient followed this watch's unsubscribe link
)

watch_matches = Table(
    "watch_matches",  # migration 0021: the articles a watch matched, each story once
    metadata,
    Column("id", Integer, primary_key=True),
    Column("watch_id", Integer, ForeignKey("watches.id", ondelete="CASCADE"), nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("story", Integer, nullable=False),  # the syndication cluster (the article's own id alone)
    Column("batch", String(40), nullable=False),  # the run that found it: its alerts' ledger period
    Column("found_at", AwareDateTime(), nullable=False),
    UniqueConstraint("watch_id", "story", name="uq_watch_story"),
    Index("ix_watch_matches_batch", "batch", "watch_id"),
)

alert_optouts = Table(
    "alert_optouts",  # migration 0021: recipients who stopped every alert (one-click unsubscribe)
    metadata,
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True),
    Column("stopped_at", AwareDateTime(), nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",  # migration 0021: one signed POST per watch and run, retried with backoff
    metadata,
    Column("id", Integer, primary_key=True),
    Column("watch_id", Integer, ForeignKey("watches.id", ondelete="CASCADE"), nullable=False),
    Column("batch", String(40), nullable=False),
    Column("payload", Text, nullable=False),  # the JSON body, kept as sent: the signature covers it
    Column("status", String(12), nullable=False),  # pending, sent, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", AwareDateTime(), nullable=False),  # not tried again before
    Column("last_error", Text),
    Column("created_at", AwareDateTime(), nullable=False),
    Column("sent_at", AwareDateTime()),
    UniqueConstraint("watch_id", "batch", name="uq_webhook_batch"),
    Index("ix_webhook_due", "status", "next_at"),
)
