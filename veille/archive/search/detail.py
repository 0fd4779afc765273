"""One article in full: :func:`article_detail`, with its figures, organisations and persons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from veille.archive import schema as t
from veille.archive.search.conditions import A, F
from veille.archive.search.figure_rows import _FIGURE_COLS, _figure_row
from veille.archive.search.models import ArticleDetail, ArticleTitle, MentionSpan, OrgMention, PersonMention
from veille.archive.store import Store


def article_detail(store: Store, id_or_url: int | str) -> ArticleDetail | None:
    """An article with its figures, organisations and persons, by id or by URL (fetched or canonical)."""
    with store.engine.connect() as conn:
        if isinstance(id_or_url, int) or (isinstance(id_or_url, str) and id_or_url.strip().isdigit()):
            cond = A.c.id == int(id_or_url)
        else:
            u = str(id_or_url).strip()
            cond = (A.c.url == u) | (A.c.canonical_url == u)
        a = conn.execute(sa.select(A).where(cond).limit(1)).mappings().first()
        if a is None:
            return None
        cid = a["cluster_id"] or a["id"]
        members = conn.execute(
            sa.select(A.c.id, A.c.source).where((A.c.cluster_id == cid) | (A.c.id == cid))
        ).all()
        figs = conn.execute(
            sa.select(*_FIGURE_COLS).select_from(F.join(A, A.c.id == F.c.article_id))
            .where(F.c.article_id == a["id"]).order_by(F.c.start, F.c.id)
        ).all()  # fmt: skip
        o, m = t.organisations, t.org_mentions
        orgs: dict[str, dict[str, Any]] = {}
        for name, kind, text in conn.execute(
            sa.select(o.c.name, o.c.kind, m.c.text).join(o, o.c.id == m.c.org_id)
            .where(m.c.article_id == a["id"]).order_by(m.c.start)
        ):  # fmt: skip
            entry = orgs.setdefault(name, {"kind": kind, "count": 0, "forms": []})
            entry["count"] += 1
            if text not in entry["forms"]:
                entry["forms"].append(text)
        p, pm = t.persons, t.person_mentions
        persons: dict[str, PersonMention] = {}
        for name, role, org_name in conn.execute(
            sa.select(p.c.name, pm.c.role, pm.c.organisation).join(p, p.c.id == pm.c.person_id)
            .where(pm.c.article_id == a["id"]).order_by(pm.c.start)
        ):  # fmt: skip
            persons.setdefault(name, PersonMention(name, role, org_name))
    return ArticleDetail(
        id=a["id"], url=a["url"], canonical_url=a["canonical_url"], source=a["source"], title=a["title"],
        lead=a["lead"], text=a["text"], author=a["author"], published=a["published"],
        relevance=float(a["relevance"] or 0), themes=list(a["themes"] or []), matched_terms=list(a["matched_terms"] or []),
        cluster_id=a["cluster_id"], cluster_size=max(1, len(members)),
        other_sources=sorted({s for i, s in members if i != a["id"] and s != a["source"]}),
        figures=[_figure_row(r) for r in figs],
        organisations=[OrgMention(n, e["kind"], e["count"], e["forms"]) for n, e in orgs.items()],
        persons=list(persons.values()),
        partial=bool(a["partial"]), publisher=a["publisher"], kind=a["kind"] or "article",
    )  # fmt: skip


def article_titles(store: Store, ids: Sequence[int]) -> list[ArticleTitle]:
    """Title, source and date of the given articles, in the order given (unknown ids skipped)."""
    if not ids:
        return []
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(A.c.id, A.c.title, A.c.source, A.c.published).where(A.c.id.in_(list(ids)))
        ).all()
    found = {r.id: ArticleTitle(r.id, r.title or "", r.source, r.published) for r in rows}
    return [found[i] for i in ids if i in found]


def org_mention_spans(store: Store, article_id: int) -> list[MentionSpan]:
    """Where the article names each organisation, in text order (to highlight them in place;
    :func:`article_detail` gives names and counts, not offsets)."""
    m, o = t.org_mentions, t.organisations
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(o.c.name, m.c.start, m.c.end)
            .join(o, o.c.id == m.c.org_id)
            .where(m.c.article_id == article_id)
            .order_by(m.c.start)
        ).all()
    return [MentionSpan(r.name, int(r.start), int(r.end)) for r in rows]
