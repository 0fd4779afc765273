"""The analysts' corrections laid over the extractor's figures, on one connection.

The extractor's output is replaced at every extraction of an article; the corrections
(``corrections``) are not. :func:`lay_corrections` runs in the transaction that writes an
article's figures (:meth:`veille.archive.store.Store.save_analysis`) and in the one that records a
correction, so the figure rows are always the corrected ones and every reader (search, exports,
digest, indicator series, API) sees them without knowing about corrections.

A figure is keyed by its article and its offsets. The latest correction of a key wins: a rejected
figure's row is removed; a confirmed, corrected or added one is written as the analyst left it
(updating the extractor's row at the same offsets, or inserted when the extractor no longer
finds it: the analyst said it is there), and the extractor's rows overlapping it are removed. A
correction whose words are no longer at its offsets (the article's text changed) is *stale*: it
is kept and listed (:func:`stale`), never applied to other words.

Analysts correct a syndicated story once: a correction made on one copy (an article of its
near-duplicate cluster) is laid over the same figure of the other copies, where a copy has the
figure's sentence word for word (:func:`carried`), so every copy's row shows it (and the series,
which count a story's copies once, never see two values for it). The latest word on a figure
wins, whichever copy it was said on; a copy that rewrote the sentence keeps its own figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update

from veille.archive import schema as t
from veille.core.corrections import REVIEWS
from veille.core.models import Analysis, Figure, Mention, Organisation

C, F = t.corrections, t.figures
# what a correction keeps of a figure (all of it but its article and date): the Figure's fields
FIGURE_FIELDS = tuple(Figure.__dataclass_fields__)


@dataclass(frozen=True)
class Correction:
    """One correction as stored."""

    id: int
    article_id: int
    start: int
    end: int
    span: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    account: str
    created_at: datetime
    version: int


def correction_of(row: Any) -> Correction:
    return Correction(
        id=row.id, article_id=row.article_id, start=row.start, end=row.end, span=row.span, action=row.action,
        before=row.before, after=row.after, account=row.account, created_at=row.created_at, version=row.version,
    )  # fmt: skip


def figure_values(row: Any) -> dict[str, Any]:
    """A figure row's fields, as a correction keeps them (JSON-safe)."""
    m = row._mapping
    out = {k: m[k] for k in FIGURE_FIELDS if k in m}
    out["organisations"] = list(out.get("organisations") or [])
    return out


def latest(conn: Any, article_ids: Sequence[int]) -> list[Correction]:
    """The latest correction of each figure of these articles, in text order."""
    newest = (
        select(C.c.article_id, C.c.start, C.c.end, func.max(C.c.version).label("version"))
        .where(C.c.article_id.in_(list(article_ids)))
        .group_by(C.c.article_id, C.c.start, C.c.end)
        .subquery()
    )
    on = and_(
        C.c.article_id == newest.c.article_id,
        C.c.start == newest.c.start,
        C.c.end == newest.c.end,
        C.c.version == newest.c.version,
    )
    rows = conn.execute(select(C).join(newest, on).order_by(C.c.article_id, C.c.start, C.c.end))
    return [correction_of(r) for r in rows]


def lay_corrections(conn: Any, article_id: int) -> list[Correction]:
    """Lay the latest correction of each figure of the article over its figure rows, with those
    made on the other copies of its story where the copy says the same (:func:`carried`; the
    latest word on a figure wins, whichever copy it was said on); returns the article's own stale
    ones (their words are no longer at their offsets: not applied)."""
    text = conn.scalar(select(t.articles.c.text).where(t.articles.c.id == article_id)) or ""
    published = conn.scalar(select(t.articles.c.published).where(t.articles.c.id == article_id))
    left, names = [], None
    chosen: dict[tuple[int, int], Correction] = {}
    for c in latest(conn, [article_id]):
        if text[c.start : c.end] != c.span:
            left.append(c)
        else:
            chosen[(c.start, c.end)] = c
    others = copies_of(conn, article_id)
    for c in latest(conn, others) if others else ():
        here = carried(c, article_id, text)
        if here is not None and (
            (here.start, here.end) not in chosen
            or chosen[(here.start, here.end)].created_at < here.created_at
        ):
            chosen[(here.start, here.end)] = here
    for c in sorted(chosen.values(), key=lambda c: (c.start, c.end)):
        if c.action == "reject" or c.after is None:
            _drop_overlapping(conn, article_id, c.start, c.end, keep=None)
        else:
            names = merge_names(conn) if names is None else names
            _write(conn, c, published, names)
    return left


def copies_of(conn: Any, article_id: int) -> list[int]:
    """The other articles of the article's story (its near-duplicate cluster: the story's first
    article, whose id the cluster bears, and those naming it)."""
    a = t.articles
    story = conn.scalar(select(func.coalesce(a.c.cluster_id, a.c.id)).where(a.c.id == article_id))
    if story is None:
        return []
    found = conn.scalars(select(a.c.id).where(or_(a.c.cluster_id == story, a.c.id == story)))
    return sorted(i for i in found if i != article_id)


def carried(c: Correction, article_id: int, text: str) -> Correction | None:
    """A correction made on another copy of the story, carried over to this article's ``text``:
    where the figure's sentence stands in it, word for word, with the figure's words at the same
    place in it (a copy that rewrote the sentence or the number is left alone); None when not."""
    values = c.after or c.before or {}
    sentence, begin = values.get("sentence"), values.get("sentence_start")
    if not sentence or begin is None or not begin <= c.start:
        return None
    at = text.find(sentence)
    if at < 0:
        return None
    shift = at - begin
    start, end = c.start + shift, c.end + shift
    if text[start:end] != c.span:
        return None
    return replace(
        c, article_id=article_id, start=start, end=end, before=_shifted(c.before, shift),
        after=_shifted(c.after, shift),
    )  # fmt: skip


def _shifted(values: dict[str, Any] | None, shift: int) -> dict[str, Any] | None:
    """A figure's values with its offsets moved by ``shift`` characters."""
    if values is None:
        return None
    out = dict(values)
    for key in ("start", "end", "sentence_start", "sentence_end"):
        if isinstance(out.get(key), int):
            out[key] += shift
    return out


def _overlapping(article_id: int, start: int, end: int) -> Any:
    return and_(F.c.article_id == article_id, F.c.start < end, F.c.end > start)


def _drop_overlapping(conn: Any, article_id: int, start: int, end: int, keep: int | None) -> None:
    """Remove the extractor's rows overlapping [start, end) and any row at these very offsets
    (an analyst's rows elsewhere stay)."""
    ids = [
        i
        for i in conn.scalars(
            select(F.c.id).where(
                _overlapping(article_id, start, end),
                or_(F.c.review.is_(None), and_(F.c.start == start, F.c.end == end)),
            )
        )
        if i != keep
    ]
    if ids:
        conn.execute(delete(t.figure_orgs).where(t.figure_orgs.c.figure_id.in_(ids)))
        conn.execute(delete(F).where(F.c.id.in_(ids)))


def _write(conn: Any, c: Correction, published: datetime | None, names: dict[str, str]) -> None:
    """The figure as the analyst left it: over the row at the same offsets, or a new row (the
    organisations merged since into another are named by it)."""
    values = {k: v for k, v in (c.after or {}).items() if k in FIGURE_FIELDS}
    values["organisations"] = list(dict.fromkeys(names.get(n, n) for n in values.get("organisations") or []))
    for key in ("attributed_to", "scope"):
        if values.get(key) in names and (
            key == "attributed_to" or values.get("scope_kind") == "organisation"
        ):
            values[key] = names[values[key]]
    values.update(
        start=c.start, end=c.end, text=c.span, review=REVIEWS[c.action], reviewed_by=c.account,
        reviewed_at=c.created_at, published=published, organisations=list(values.get("organisations") or []),
    )  # fmt: skip
    same = conn.scalar(
        select(F.c.id).where(F.c.article_id == c.article_id, F.c.start == c.start, F.c.end == c.end).limit(1)
    )
    if same is None:
        same = conn.execute(
            insert(F).values(article_id=c.article_id, **values).returning(F.c.id)
        ).scalar_one()
    else:
        conn.execute(update(F).where(F.c.id == same).values(**values))
    _drop_overlapping(conn, c.article_id, c.start, c.end, keep=same)
    link_orgs(conn, same, values["organisations"])


def link_orgs(conn: Any, figure_id: int, names: Iterable[str]) -> None:
    """The figure's ``figure_orgs`` rows: the organisations it names (known ones), by id."""
    conn.execute(delete(t.figure_orgs).where(t.figure_orgs.c.figure_id == figure_id))
    wanted = sorted(set(names))
    if wanted:
        o = t.organisations
        ids = sorted(set(conn.scalars(select(o.c.id).where(o.c.name.in_(wanted)))))
        if ids:
            conn.execute(insert(t.figure_orgs), [{"figure_id": figure_id, "org_id": i} for i in ids])


def stale(conn: Any, article_ids: Sequence[int] | None = None) -> list[Correction]:
    """The latest corrections whose words are no longer at their offsets (of these articles, or
    all): kept, listed, not applied."""
    if article_ids is None:
        article_ids = list(conn.scalars(select(C.c.article_id).distinct()))
    out: list[Correction] = []
    for i in range(0, len(article_ids), 500):
        chunk = list(article_ids[i : i + 500])
        rows = conn.execute(select(t.articles.c.id, t.articles.c.text).where(t.articles.c.id.in_(chunk)))
        texts = {r.id: r.text for r in rows}
        out += [c for c in latest(conn, chunk) if (texts.get(c.article_id) or "")[c.start : c.end] != c.span]
    return out


# -- organisations merged and split ----------------------------------------------------------


@dataclass(frozen=True)
class OrgEdit:
    """An organisation merged into another (``merge``), or some of its mentions given to another
    (``split``: ``mentions`` lists them as (article, start, end))."""

    id: int
    action: str
    source: str
    target: str
    target_kind: str | None
    mentions: tuple[tuple[int, int, int], ...]
    account: str
    created_at: datetime


def org_edits(conn: Any) -> list[OrgEdit]:
    """Every merge and split, in the order made."""
    E = t.org_edits
    return [
        OrgEdit(
            id=r.id,
            action=r.action,
            source=r.source,
            target=r.target,
            target_kind=r.target_kind,
            mentions=tuple(tuple(m) for m in (r.mentions or ())),
            account=r.account,
            created_at=r.created_at,
        )  # fmt: skip
        for r in conn.execute(select(E).order_by(E.c.id))
    ]


def merge_names(conn: Any) -> dict[str, str]:
    """Each organisation merged into another -> the one it ended in (merges followed in turn; a
    name merged into later on is alive again)."""
    step: dict[str, str] = {}
    for source, target in conn.execute(
        select(t.org_edits.c.source, t.org_edits.c.target)
        .where(t.org_edits.c.action == "merge")
        .order_by(t.org_edits.c.id)
    ):
        step[source] = target
        step.pop(target, None)
    out = {}
    for name in step:
        end, seen = step[name], {name}
        while end in step and end not in seen:
            seen.add(end)
            end = step[end]
        out[name] = end
    return out


def rework(conn: Any, article_id: int, analysis: Analysis) -> Analysis:
    """The extractor's analysis of an article with the organisations' merges and splits applied,
    in the order they were made (before it is written: re-extraction keeps them)."""
    for edit in org_edits(conn):
        if edit.action == "merge":
            analysis = merged(analysis, edit.source, edit.target)
        else:
            moved = {(s, e) for a, s, e in edit.mentions if a == article_id}
            if moved:
                analysis = split(analysis, edit.source, edit.target, edit.target_kind, moved)
    return analysis


def _renamed(analysis: Analysis, source: str, target: str, where: Any = None) -> Analysis:
    """Figures and persons naming ``source`` name ``target`` instead (only the figures ``where``
    accepts, when given)."""

    def swap(name: str | None) -> str | None:
        return target if name == source else name

    figures = []
    for f in analysis.figures:
        if source in f.organisations or source in (f.attributed_to, f.scope):
            if where is None or where(f):
                f = replace(
                    f,
                    organisations=tuple(dict.fromkeys(swap(n) or n for n in f.organisations)),
                    attributed_to=swap(f.attributed_to),
                    scope=swap(f.scope) if f.scope_kind == "organisation" else f.scope,
                )
        figures.append(f)
    persons = tuple(replace(p, organisation=swap(p.organisation)) for p in analysis.persons)
    return replace(analysis, figures=tuple(figures), persons=persons)


def merged(analysis: Analysis, source: str, target: str) -> Analysis:
    """``source`` is ``target``: its mentions, forms and figures go to ``target``."""
    gone = next((o for o in analysis.organisations if o.name == source), None)
    if gone is None:
        return analysis
    orgs: list[Organisation] = []
    into = next((o for o in analysis.organisations if o.name == target), None)
    for o in analysis.organisations:
        if o is gone:
            continue
        if o is into:
            o = _joined(o, gone)
        orgs.append(o)
    if into is None:
        orgs.append(replace(gone, name=target, aliases=tuple(dict.fromkeys((*gone.aliases, source)))))
    return _renamed(replace(analysis, organisations=tuple(orgs)), source, target)


def _joined(into: Organisation, other: Organisation) -> Organisation:
    mentions = tuple(sorted({*into.mentions, *other.mentions}, key=lambda m: (m.start, m.end)))
    aliases = tuple(dict.fromkeys((*into.aliases, other.name, *other.aliases)))
    return replace(into, aliases=aliases, mentions=mentions, acronym=into.acronym or other.acronym)


def split(
    analysis: Analysis, source: str, target: str, kind: str | None, moved: set[tuple[int, int]]
) -> Analysis:
    """The mentions of ``source`` at ``moved`` offsets are ``target``'s; a figure whose sentence
    names ``target`` by one of them, and ``source`` no longer, names ``target`` instead."""
    org = next((o for o in analysis.organisations if o.name == source), None)
    if org is None:
        return analysis
    going = tuple(m for m in org.mentions if (m.start, m.end) in moved)
    if not going:
        return analysis
    staying = tuple(m for m in org.mentions if (m.start, m.end) not in moved)
    new = Organisation(name=target, aliases=tuple(dict.fromkeys(m.text for m in going)), kind=kind or org.kind,
                       mentions=going)  # fmt: skip
    orgs: list[Organisation] = []
    for o in analysis.organisations:
        if o is org:
            if staying:
                orgs.append(replace(o, mentions=staying))
            continue
        orgs.append(_joined(o, new) if o.name == target else o)
    if not any(o.name == target for o in analysis.organisations):
        orgs.append(new)

    def in_sentence(f: Figure, mentions: Sequence[Mention]) -> bool:
        return any(f.sentence_start <= m.start < f.sentence_end for m in mentions)

    out = replace(analysis, organisations=tuple(orgs))
    return _renamed(out, source, target, lambda f: in_sentence(f, going) and not in_sentence(f, staying))
