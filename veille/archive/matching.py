"""Matching watches (:mod:`veille.archive.watches`) against the articles archived since their
last run: each watch's query, run by the search itself with one more filter, the id window of the
new articles, so that a watch matches exactly what the same search shows among them.

A run matches every watch due at once (:func:`match_many`): the search watches of one window
(most share it: their last run ended at the same article) are searched together
(:func:`veille.archive.search.window.search_window`, a few statements for all of them, instead of
several each); a window wider than :data:`WINDOW_MAX` ids, and a figures watch, are searched one
by one. The window ends below the first article not yet extracted (:func:`matching_bound`), so
that a figure threshold never misses an article whose figures are still to come.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select

from veille.archive import schema as t
from veille.archive.search import FigureQuery, SearchQuery, figures, search_ids
from veille.archive.search.conditions import MAX_LIMIT
from veille.archive.search.window import WINDOW_MAX, search_window
from veille.archive.store import Store

Query = SearchQuery | FigureQuery
Match = tuple[int, int]  # (article id, story: its syndication cluster, or the article itself)

__all__ = ["WINDOW_MAX", "Match", "Query", "match", "match_many", "matching_bound"]


def matching_bound(store: Store, after: int) -> int:
    """The highest id ``h`` such that every article in ``(after, h]`` has been extracted."""
    a = t.articles
    with store.engine.connect() as conn:
        pending = conn.scalar(select(func.min(a.c.id)).where(a.c.id > after, a.c.extracted_at.is_(None)))
        if pending is not None:
            return int(pending) - 1
        return max(after, int(conn.scalar(select(func.coalesce(func.max(a.c.id), 0))) or 0))


def match(store: Store, query: Query, after: int, upto: int) -> list[Match]:
    """``(article id, story)`` of the articles in ``(after, upto]`` that ``query`` finds, in its order."""
    return match_many(store, [(query, after, upto)])[0]


def match_many(store: Store, watches: Sequence[tuple[Query, int, int]]) -> list[list[Match]]:
    """:func:`match` of each ``(query, after, upto)``: the search queries of one narrow window
    together, the others one by one."""
    out: list[list[Match]] = [[] for _ in watches]
    windows: dict[tuple[int, int], list[int]] = defaultdict(list)
    for n, (query, after, upto) in enumerate(watches):
        if upto <= after:
            continue
        if isinstance(query, SearchQuery) and upto - after <= WINDOW_MAX:
            windows[after, upto].append(n)
        elif isinstance(query, SearchQuery):
            out[n] = search_ids(store, dataclasses.replace(query, id_after=after, id_upto=upto))
        else:
            out[n] = _figure_matches(store, query, after, upto)
    for (after, upto), members in windows.items():
        found = search_window(store, [watches[n][0] for n in members], after, upto)  # type: ignore[misc]
        for n, matches in zip(members, found, strict=True):
            out[n] = matches
    return out


def _figure_matches(store: Store, query: FigureQuery, after: int, upto: int) -> list[Match]:
    """The articles of the figures the listing shows, every page, in its order."""
    q = dataclasses.replace(query, id_after=after, id_upto=upto, limit=MAX_LIMIT, offset=0, copies=False)
    ids: list[int] = []
    while True:
        rows = figures(store, q).rows
        ids += [r.article_id for r in rows]
        if len(rows) < q.limit:
            break
        q = dataclasses.replace(q, offset=q.offset + q.limit)
    ids = list(dict.fromkeys(ids))
    stories = _stories(store, ids)
    return [(i, stories[i]) for i in ids if i in stories]


def _stories(store: Store, ids: Sequence[int]) -> dict[int, int]:
    a = t.articles
    out: dict[int, int] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            out.update(
                conn.execute(
                    select(a.c.id, func.coalesce(a.c.cluster_id, a.c.id)).where(a.c.id.in_(chunk))
                ).all()
            )  # type: ignore[arg-type]
    return out
