"""SQL conditions on the archive shared by every search: dates, organisations, persons,
figures, full text (FTS5 or PostgreSQL), and the page bounds of a query."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from veille.archive import schema as t
from veille.archive.query import ParsedQuery, QueryError
from veille.archive.search.models import MadRates, SearchQuery
from veille.archive.search.names import find_orgs, find_persons
from veille.archive.store import Store, fold
from veille.core.models import STATUSES

MAX_LIMIT = 1000
A = t.articles
F = t.figures
W_RANK = "'{0.1, 0.3, 0.6, 1.0}'::float4[]"  # PostgreSQL weights D, C (text), B (lead), A (title)
FTS = sa.table("article_fts", sa.column("rowid"), sa.column("rank"))


def _bound(store: Store, d: date, *, end: bool) -> datetime:
    """Midnight of a day where the archive's readers are (the store's timezone, digest.toml's);
    the column type stores it in UTC on every backend."""
    day = d + timedelta(days=1) if end else d
    if isinstance(day, datetime):
        day = day.date()
    return datetime.combine(day, time(), tzinfo=store.timezone)


def _folded(store: Store, col: Any) -> Any:
    if store.dialect == "sqlite":
        return sa.func.veille_fold(col)
    return sa.func.lower(sa.func.unaccent(col))


def _json_contains(store: Store, col: Any, value: str) -> Any:
    """``value`` is an element of the JSON list in ``col``."""
    if store.dialect == "sqlite":
        return sa.exists(
            sa.select(sa.literal(1))
            .select_from(sa.func.json_each(col).table_valued("value"))
            .where(sa.column("value") == value)
        )
    return sa.cast(col, sa.dialects.postgresql.JSONB).op("@>")(
        sa.cast(sa.literal(json.dumps([value])), sa.dialects.postgresql.JSONB)
    )


def _period_clause(col: Any, period: str) -> Any:
    """The period, and for a year the periods within it: "2024" matches "2024-Q1", "2024-H2",
    "2024-09" and "2024-01..09" (not the span "2024-2025")."""
    plain = period.replace("%", "").replace("_", "")
    return sa.or_(col == period, col.like(plain + "-__"), col.like(plain + "-__..__"))


def _check_page(limit: int, offset: int) -> tuple[int, int]:
    if not isinstance(limit, int) or limit < 1:
        raise QueryError(f"limit must be a positive whole number, got {limit!r}")
    if not isinstance(offset, int) or offset < 0:
        raise QueryError(f"offset must be zero or more, got {offset!r}")
    return min(limit, MAX_LIMIT), min(offset, 100_000)


def _fts_match(parsed: ParsedQuery) -> Any:
    return sa.text("article_fts MATCH :fts_query").bindparams(fts_query=parsed.to_fts5())


def _tsquery(parsed: ParsedQuery, *, loose: bool = False) -> Any:
    name, text = ("ts_loose", parsed.to_tsquery(loose=True)) if loose else ("ts_query", parsed.to_tsquery())
    return sa.func.to_tsquery(sa.literal_column("'veille_fr'::regconfig"), sa.bindparam(name, text))


_SAME_STEM: dict[tuple[str, str], bool] = {}  # (word, twin) -> PostgreSQL stems both alike
_SAME_STEM_MAX = 20_000
_SAME_STEM_SQL = sa.text(
    "SELECT a, b, strip(to_tsvector('veille_fr', a)) = strip(to_tsvector('veille_fr', b)) "
    "FROM unnest(CAST(:a AS text[]), CAST(:b AS text[])) AS t(a, b)"
)


def pg_stems(conn: Any, parsed: ParsedQuery) -> ParsedQuery:
    """PostgreSQL: ``parsed`` told which of its words the server stems like their plural or
    singular twin, so its tsquery names them once (asked once per word and process)."""
    stemmed = pg_stems_of(conn, [parsed])[0]
    return stemmed if stemmed is not None else parsed


def pg_stems_of(conn: Any, queries: Sequence[ParsedQuery | None]) -> list[ParsedQuery | None]:
    """:func:`pg_stems` of each query, the words none asked before in one round trip."""
    twins = [q.ts_twins() if q is not None else [] for q in queries]
    unknown = list(dict.fromkeys(p for pairs in twins for p in pairs if p not in _SAME_STEM))
    if unknown:
        if len(_SAME_STEM) > _SAME_STEM_MAX:
            _SAME_STEM.clear()
        rows = conn.execute(_SAME_STEM_SQL, {"a": [p[0] for p in unknown], "b": [p[1] for p in unknown]})
        _SAME_STEM.update(((a, b), bool(same)) for a, b, same in rows)
    out: list[ParsedQuery | None] = []
    for q, pairs in zip(queries, twins, strict=True):
        same = frozenset(a for a, b in pairs if _SAME_STEM.get((a, b)))
        out.append(dataclasses.replace(q, same_stem=same) if q is not None and same else q)
    return out


def _text_match(store: Store, parsed: ParsedQuery) -> Any:
    """The full-text condition on ``articles`` (parameters only, no SQL from user text)."""
    if store.dialect == "sqlite":
        return A.c.id.in_(sa.select(FTS.c.rowid).where(_fts_match(parsed)))
    return _text_match_pg(parsed)


def _text_match_pg(parsed: ParsedQuery) -> Any:
    return sa.literal_column("articles.search_vector").op("@@")(_tsquery(parsed))


def _in_ids(store: Store, col: Any, ids: Sequence[int]) -> Any:
    """``col IN ids`` with the ids as one parameter (a JSON array or an int array), not 1,000."""
    return _in_ids_param(store.dialect, col, ids_value(store.dialect, ids))


def _in_ids_param(dialect: str, col: Any, value: Any = None, name: str = "facet_ids") -> Any:
    """``col IN`` the ids of parameter ``name`` (its value from :func:`ids_value`): given here, or
    at execution for a statement built once (:func:`prebuilt`)."""
    if dialect == "sqlite":
        # declared wider than this branch's str: the PostgreSQL one below reuses the name
        param: sa.BindParameter[Any] = (
            sa.bindparam(name, value, type_=sa.Text)
            if value is not None
            else sa.bindparam(name, type_=sa.Text)
        )
        return col.in_(sa.select(sa.func.json_each(param).table_valued("value").c.value))
    # one int[] parameter written by Python as text (the driver adapts a list of a thousand ints
    # one by one) and declared int4[] to the server (IdArray): parsed once when bound, so a
    # constant to the planner. Sent as text and cast in SQL instead, it is parsed again for
    # every row it filters (the cast is not immutable): 2,000 ids tested on 4,000 articles took
    # 450 ms instead of 10
    param = sa.bindparam(name, value, type_=sa.types.NullType()) if value is not None else sa.bindparam(name)
    return col == sa.func.any(sa.cast(param, sa.dialects.postgresql.ARRAY(sa.Integer)))


class IdArray(str):
    """An ``int[]`` literal ("{1,2,3}") that psycopg sends as an ``int4[]`` parameter."""


def _register_id_array() -> None:
    from psycopg import adapters, postgres
    from psycopg.adapt import Dumper

    class _IdArrayDumper(Dumper):
        oid = postgres.types["int4"].array_oid

        def dump(self, obj: str) -> bytes:
            return obj.encode()

    adapters.register_dumper(IdArray, _IdArrayDumper)


try:
    _register_id_array()
except ImportError:  # no PostgreSQL driver: SQLite only
    pass


def ids_value(dialect: str, ids: Sequence[int]) -> str:
    """The parameter :func:`_in_ids_param` reads: a JSON array (SQLite) or an int[] literal."""
    if dialect == "sqlite":
        return json.dumps(ids)
    return IdArray("{" + ",".join(map(str, map(int, ids))) + "}")


def prebuilt(build: Any) -> Any:
    """A statement built once (per dialect: ``build(dialect)``), its values given at execution.

    A statement built anew for each search costs its construction and, mostly, a new cache key
    before SQLAlchemy finds the compiled form: about 1 ms of CPU on this project's machine,
    against 0.2 ms for the same statement kept."""
    return functools.cache(build)


def planner(**methods: bool) -> tuple[Any, ...]:
    """PostgreSQL: ``set_config`` calls turning planner methods on or off (``seqscan=False`` sets
    ``enable_seqscan`` off) for the rest of the transaction, to select on their own
    (:func:`set_planner`) or beside the columns of a query that runs anyway (no round trip more).

    Why a search needs them: the planner does not know that testing ``search_vector @@`` on a row
    reads its vector from TOAST, so it underprices plans that test the text row by row."""
    return _planner(tuple(sorted(methods.items())))


@functools.cache
def _planner(methods: tuple[tuple[str, bool], ...]) -> tuple[Any, ...]:
    # literal values, built once per combination: the statement's cache key stays the same
    return tuple(
        sa.func.set_config(sa.literal_column(f"'enable_{name}'"), sa.literal_column("'on'" if on else "'off'"),
                           sa.true())
        for name, on in methods
    )  # fmt: skip


def set_planner(conn: Any, **methods: bool) -> None:
    """PostgreSQL: :func:`planner` settings, now, for the rest of the transaction."""
    conn.execute(sa.select(*planner(**methods)))


IdRange = tuple[int | None, int | None]  # article ids from (inclusive) / below (exclusive)


def _id_range(col: Any, ids: IdRange | None) -> list[Any]:
    if ids is None:
        return []
    lo, hi = ids
    return ([col >= lo] if lo is not None else []) + ([col < hi] if hi is not None else [])


def _filters(
    store: Store,
    conn: Any,
    q: SearchQuery,
    ids: IdRange | None = None,
    part: str = "all",
    names: dict[str, list[int]] | None = None,
) -> list[Any] | None:
    """SQL conditions on ``articles`` for everything but the text; None when nothing can match.

    ``ids``: only articles in this id range — also applied inside the subqueries of the
    organisation, person and figure filters, so the sets they build stay small. ``part``:
    "rows" for the conditions on the article's own columns (and the range), "sets" for those
    on other tables (organisations, persons, figures), "all" for both. ``names``: the
    organisation and person ids already looked up for this query (see :func:`_set_queries`)."""
    where: list[Any] = _id_range(A.c.id, ids) if part != "sets" else []
    if part != "sets":
        where += _row_filters(store, q)
    if part != "rows":
        sets = _set_filters(store, conn, q, ids, {} if names is None else names)
        if sets is None:
            return None
        where += sets
    return where


# a query's figure filter, in the order of _figure_conditions' arguments
FIGURE_FIELDS = ("unit", "metric", "min_value", "max_value", "period", "indicator", "status", "mad_rates")


def has_set_filters(q: SearchQuery) -> bool:
    """``q`` filters on other tables than ``articles`` (what :func:`_set_queries` reads)."""
    return bool(q.org or q.person or any(getattr(q, f) not in (None, "", ()) for f in FIGURE_FIELDS))


def _date_filters(store: Store, q: SearchQuery, *, plain: bool = False) -> list[Any]:
    """The dates and the id window of ``q`` (what bounds the ids a walk reads)."""
    published = _unindexed(A.c.published) if plain else A.c.published
    where: list[Any] = id_window(A.c.id, q.id_after, q.id_upto)
    if q.since:
        where.append(published >= _bound(store, q.since, end=False))
    if q.until:
        where.append(published < _bound(store, q.until, end=True))
    return where


def id_window(col: Any, after: int | None, upto: int | None) -> list[Any]:
    """``after < col <= upto`` (either bound may be missing)."""
    return ([col > after] if after is not None else []) + ([col <= upto] if upto is not None else [])


def _row_filters(store: Store, q: SearchQuery, *, plain: bool = False) -> list[Any]:
    """Conditions on the article's own columns. ``plain``: written so that no index answers
    them — tests on the rows another index found (see :func:`_unindexed`) — but the sources."""
    where = _date_filters(store, q, plain=plain)
    if q.sources:
        # indexable even in a text walk's slice: the planner reads the slice's ids of these sources
        # from ix_articles_search_cover (id, ..., source) into the bitmap, instead of reading every
        # match of the slice from the table to drop the other sources (3,300 instead of 18,000
        # buffers for "investissement" in medias24 at a million articles); at worst it reads the
        # slice's articles of these sources and tests the text on each, bounded by the slice
        where.append(A.c.source.in_(list(q.sources)))
    if q.min_relevance is not None:
        where.append((_unindexed(A.c.relevance) if plain else A.c.relevance) >= q.min_relevance)
    if q.theme:
        where.append(_json_contains(store, A.c.themes, q.theme))
    if q.kind:
        where.append((_unindexed(A.c.kind) if plain else A.c.kind) == q.kind)
    return where


def _unindexed(col: Any) -> Any:
    """``col`` as an expression no index matches (``coalesce(col, col)``, the same value).

    PostgreSQL's text walk: with the date filter indexable, the planner may read every article
    of the date range from the ``published`` index and test ``search_vector @@`` on each (a
    TOAST read per article: 0.4 s for a year of articles) instead of combining the GIN index
    with the id slice; the slice already holds the ids the dates allow."""
    return sa.func.coalesce(col, col)


DENSE_SET = 5_000  # SQLite: a filter allowing this many rows or more is tested article by article


def _set_filters(
    store: Store, conn: Any, q: SearchQuery, ids: IdRange | None, names: dict[str, list[int]]
) -> list[Any] | None:
    """``IN`` conditions for the organisation, person and figure filters. SQLite builds an ``IN``
    set once and probes it, instead of running a subquery per article — right for a narrow filter;
    a broad one ("MAD", an organisation in every fourth article) costs more to build than the
    walk it serves, so it becomes a correlated ``EXISTS`` answered by an index per article read.
    (PostgreSQL plans both forms as the same semi-join and picks its way itself.)"""
    queries = _set_queries(store, conn, q, ids, names)
    if queries is None:
        return None
    # a window of fewer than DENSE_SET ids (a watch's new articles) bounds every set: no need to ask
    narrow = q.id_after is not None and q.id_upto is not None and q.id_upto - q.id_after < DENSE_SET
    dense = store.dialect == "sqlite" and not narrow
    return [_probe(sub) if dense and _dense(conn, sub) else A.c.id.in_(sub) for sub in queries]


def _dense(conn: Any, sub: Any) -> bool:
    """The subquery gives at least :data:`DENSE_SET` rows (reads no more than that)."""
    capped = sa.select(sa.func.count()).select_from(sub.limit(DENSE_SET).subquery())
    return int(conn.execute(capped).scalar() or 0) >= DENSE_SET


def _probe(sub: Any) -> Any:
    """``sub`` (SELECT x.article_id ...) as "this article has such a row"."""
    return sa.exists(sub.where(sub.selected_columns[0] == A.c.id))


def _set_queries(
    store: Store, conn: Any, q: SearchQuery, ids: IdRange | None, names: dict[str, list[int]]
) -> list[Any] | None:
    """The article ids each organisation / person / figure filter allows, as SELECTs (in the id
    range when given); None when a named organisation or person is unknown. ``names`` keeps the
    organisation and person ids found, for the next slice or walk of the same search."""
    out: list[Any] = []
    if q.org:
        if "org" not in names:
            names["org"] = find_orgs(conn, q.org)
        org_ids = names["org"]
        if not org_ids:
            return None
        m = t.org_mentions
        out.append(sa.select(m.c.article_id).where(m.c.org_id.in_(org_ids), *_id_range(m.c.article_id, ids),
                                                   *id_window(m.c.article_id, q.id_after, q.id_upto)))  # fmt: skip
    if q.person:
        if "person" not in names:
            names["person"] = find_persons(conn, q.person)
        pids = names["person"]
        if not pids:
            return None
        pm = t.person_mentions
        out.append(
            sa.select(pm.c.article_id).where(
                pm.c.person_id.in_(pids),
                *_id_range(pm.c.article_id, ids),
                *id_window(pm.c.article_id, q.id_after, q.id_upto),
            )
        )
    fig = _figure_conditions(store, *(getattr(q, f) for f in FIGURE_FIELDS))
    if fig:
        window = id_window(F.c.article_id, q.id_after, q.id_upto)
        out.append(sa.select(F.c.article_id).where(*fig, *_id_range(F.c.article_id, ids), *window))
    return out


def _figure_conditions(
    store: Store,
    unit: str | None,
    metric: str | None,
    lo: float | None,
    hi: float | None,
    period: str | None,
    indicator: str | None = None,
    status: Sequence[str] = (),
    mad_rates: MadRates = (),
) -> list[Any]:
    out: list[Any] = []
    if status:
        unknown = [x for x in status if x not in STATUSES]
        if unknown:
            raise QueryError(f"unknown status {unknown[0]!r}: use one of {', '.join(STATUSES)}")
    if unit == "MAD" and mad_rates:
        out.append(_money_in_mad(store.dialect, mad_rates, lo, hi))
    else:
        if unit:
            out.append(F.c.unit == unit)
        if lo is not None:
            out.append(F.c.value >= lo)
        if hi is not None:
            out.append(F.c.value <= hi)
    if metric:
        out.append(_folded(store, F.c.metric).contains(fold(metric), autoescape=True))
    if period:
        out.append(_period_clause(F.c.period, period))
    if indicator:
        out.append(F.c.indicator == indicator)
    if status:
        statuses = sorted(set(status))
        out.append(F.c.status == statuses[0] if len(statuses) == 1 else F.c.status.in_(statuses))
    return out


@functools.lru_cache(maxsize=256)
def _money_in_mad(dialect: str, mad_rates: MadRates, lo: float | None, hi: float | None) -> Any:
    """An amount in MAD, or in one of ``mad_rates``' currencies worth between ``lo`` and ``hi`` MAD
    at the rate of its year — as :func:`veille.core.series.to_mad` converts it: the period's (last)
    year if listed, else the publication year if listed, else the listed year nearest the period's."""
    ways = [sa.and_(F.c.unit == "MAD", *_between(F.c.value, lo, hi))]
    year, published = _period_year(dialect), _published_year(dialect)
    for currency, table in mad_rates:
        if not table:
            continue
        listed = [y for y, _ in table]
        rate = sa.case(
            (year.in_(listed), _nearest(year, table)),
            (published.in_(listed), _nearest(published, table)),
            else_=_nearest(sa.func.coalesce(year, published, listed[-1]), table),
        )
        ways.append(sa.and_(F.c.unit == currency, *_between(F.c.value * rate, lo, hi)))
    return sa.or_(*ways)


def _between(value: Any, lo: float | None, hi: float | None) -> list[Any]:
    return ([value >= lo] if lo is not None else []) + ([value <= hi] if hi is not None else [])


def _nearest(year: Any, table: Sequence[tuple[int, float]]) -> Any:
    """The rate of the listed year nearest ``year`` (the later one on a tie), as a CASE."""
    steps = [(year < (a + b) / 2, rate) for (a, rate), (b, _) in zip(table, table[1:], strict=False)]
    return sa.case(*steps, else_=table[-1][1]) if steps else sa.literal(table[-1][1])


def _period_year(dialect: str) -> Any:
    """The year of a figure's period ("2024", "2024-Q1": 2024; a span "2014-2018": 2018), or NULL."""
    p = F.c.period
    if dialect == "sqlite":
        span, year = (
            p.op("GLOB")("[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]"),
            p.op("GLOB")("[0-9][0-9][0-9][0-9]*"),
        )
    else:
        span, year = p.op("~")("^[0-9]{4}-[0-9]{4}$"), p.op("~")("^[0-9]{4}")
    return sa.case(
        (span, sa.cast(sa.func.substr(p, 6, 4), sa.Integer)),
        (year, sa.cast(sa.func.substr(p, 1, 4), sa.Integer)),
        else_=sa.null(),
    )


def _published_year(dialect: str) -> Any:
    if dialect == "sqlite":
        return sa.cast(sa.func.strftime("%Y", F.c.published), sa.Integer)
    return sa.cast(sa.extract("year", F.c.published), sa.Integer)
