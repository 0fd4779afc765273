"""PostgreSQL: the figures of a broad text's articles, largest first, without reading every
article the text matches.

The figure listing with a text keeps the figures whose article matches it. Read as a set (the
GIN index, then every matching article's row for its id), a word in a tenth of the archive costs
a heap visit per article: 100,000 at a million articles, 6 s. Tested figure by figure along the
value order, each test reads the article's vector from TOAST (1.1 s). Here the walk is bounded
to a prefix of the value order instead: the figures of the largest values (all those of the
prefix's smallest value, so ties stay together), their articles tested against the text at
once (the GIN index and the list of ids combined in bitmaps: only the matches' rows are read),
the prefix widened until it holds the figures the page needs. A story's copies have the same
value, so they lie in the same prefix as the figure walked.

A narrow text (the planner expects few matches) keeps the set: a few rows to read.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa

from veille.archive.search.conditions import A, F, _in_ids, _text_match_pg, set_planner
from veille.archive.search.ranking import SET_IDS_MAX
from veille.archive.store import Store

_WORK_MEM = sa.select(sa.func.set_config("work_mem", "64MB", True))  # for the rest of the transaction
MARGIN = 1.5  # the first prefix holds this many times the figures the expected density needs
NARROW = SET_IDS_MAX  # a text expected to match at most this many articles is read as a set


def broad_text(conn: Any, parsed: Any) -> float | None:
    """The share of the archive the planner expects the text to match, when it expects more than
    :data:`NARROW` articles (None: a narrow text, read as a set)."""
    stmt = sa.select(A.c.id).where(_text_match_pg(parsed))
    compiled = stmt.compile(dialect=conn.dialect)
    plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params).scalar()
    rows = float(plan[0]["Plan"]["Plan Rows"])
    if rows <= NARROW:
        return None
    total = conn.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'articles'")) or 0
    return min(1.0, rows / max(float(total), rows))


def value_prefix(
    store: Store, conn: Any, frm: Any, where: list[Any], parsed: Any, need: int, share: float
) -> list[Any]:
    """Conditions bounding the value-ordered walk of the figures ``where`` allows to a prefix
    holding at least ``need`` figures of articles matching the text (or every one of them):
    the prefix's lowest value, and the matching articles among the prefix's as a list."""
    size = max(2 * need, int(need / max(share, 1e-6) * MARGIN))
    while True:
        top = sa.select(F.c.value, F.c.article_id).select_from(frm).where(*where)
        rows = conn.execute(top.order_by(F.c.value.desc()).limit(size)).all()
        whole = len(rows) < size
        bound: list[Any] = []
        if not whole:
            lowest = rows[-1][0]
            bound = [F.c.value >= lowest]
            ties = top.with_only_columns(F.c.article_id).where(F.c.value == lowest)
            rows = [r for r in rows if r[0] > lowest] + [(lowest, a) for a in conn.scalars(ties)]
        per_article = Counter(a for _, a in rows)
        set_planner(conn, indexscan=False)  # the GIN index and the ids in bitmaps, no row tested
        # room for the word's bitmap (120,000 articles for "Tanger" at a million): in the default
        # 4 MB it turns lossy, and every article of a lossy page is tested again on its vector,
        # read from TOAST (40,000 vectors, 220,000 buffers for 1,745 matches)
        conn.execute(_WORK_MEM)
        matched = conn.scalars(
            sa.select(A.c.id).where(_in_ids(store, A.c.id, sorted(per_article)), _text_match_pg(parsed))
        ).all()
        set_planner(conn, indexscan=True)
        found = sum(per_article[a] for a in matched)
        if whole or found >= need:
            return [*bound, _in_ids(store, F.c.article_id, sorted(matched))]
        # wider, from the density seen (at least twice as wide)
        size = max(2 * size, int(size * need * 1.3 / max(found, 1)))
