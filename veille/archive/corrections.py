"""The analysts' corrections of figures: confirm, correct, reject, add, and articles marked
"vérifié". Stored apart from the extractor's output (``corrections``, ``article_reviews``), each
with who, when, the figure before and after, and laid over the figure rows at once and after
every extraction (:mod:`veille.archive.overlay`).

Two analysts correcting one figure at once: each form names the version of the figure it was
based on (the number of corrections it had); a correction based on an older version is refused
with :class:`Conflict`, which carries the change made meanwhile, and the analyst confirms by
sending it again on the new version. The version is unique per figure in the table, so of two
writes racing on one version only one is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from veille.archive import schema as t
from veille.archive.accounts import Account
from veille.archive.overlay import Correction, copies_of, correction_of, figure_values, lay_corrections
from veille.archive.store import Store, utcnow
from veille.core.corrections import CorrectionError, FigureFields

C, F = t.corrections, t.figures


class Conflict(CorrectionError):
    """The figure changed since the form was shown: ``latest`` is the change made meanwhile."""

    def __init__(self, latest: Correction) -> None:
        self.latest = latest
        super().__init__(
            f"Ce chiffre a été modifié entre-temps par {latest.account} "
            f"(version {latest.version}) : relisez sa correction et confirmez la vôtre."
        )


class FigureNotFound(CorrectionError):
    exit_code = 1

    def __init__(self) -> None:
        super().__init__(
            "Ce chiffre n'existe plus dans l'article (l'extraction a changé) : rechargez la page."
        )


@dataclass(frozen=True)
class FigureState:
    """A figure as readers see it now (None when rejected), its history and its version."""

    article_id: int
    start: int
    end: int
    span: str
    values: dict[str, Any] | None
    history: list[Correction]  # oldest first
    review: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None

    @property
    def version(self) -> int:
        return self.history[-1].version if self.history else 0


@dataclass(frozen=True)
class Review:
    """An article marked "vérifié"."""

    article_id: int
    account: str
    reviewed_at: datetime


def figure_key(store: Store, figure_id: int) -> tuple[int, int, int] | None:
    """(article, start, end) of a figure row, by its id (None: no such row now)."""
    with store.engine.connect() as conn:
        row = conn.execute(select(F.c.article_id, F.c.start, F.c.end).where(F.c.id == figure_id)).first()
    return (row.article_id, row.start, row.end) if row else None


def figure_state(store: Store, article_id: int, start: int, end: int) -> FigureState | None:
    """The figure of the article at these offsets (also a rejected one, with ``values`` None);
    None when neither the extractor nor any analyst put one there."""
    with store.engine.connect() as conn:
        return _state(conn, article_id, start, end)


def _state(conn: Any, article_id: int, start: int, end: int) -> FigureState | None:
    row = conn.execute(
        select(F)
        .where(F.c.article_id == article_id, F.c.start == start, F.c.end == end)
        .order_by(F.c.id)
        .limit(1)
    ).first()
    history = [
        correction_of(r)
        for r in conn.execute(
            select(C)
            .where(C.c.article_id == article_id, C.c.start == start, C.c.end == end)
            .order_by(C.c.version)
        )
    ]
    if row is None and not history:
        return None
    span = row.text if row is not None else history[-1].span
    return FigureState(
        article_id=article_id, start=start, end=end, span=span,
        values=figure_values(row) if row is not None else None, history=history,
        review=row.review if row is not None else None, reviewed_by=row.reviewed_by if row is not None else None,
        reviewed_at=row.reviewed_at if row is not None else None,
    )  # fmt: skip


def correct(
    store: Store,
    article_id: int,
    start: int,
    end: int,
    action: str,
    fields: FigureFields | None,
    who: Account,
    based_on: int,
) -> Correction:
    """Confirm, correct or reject the figure at these offsets, on the version ``based_on`` the
    analyst saw: :class:`Conflict` when another correction came meanwhile, :class:`FigureNotFound`
    when it is no longer there."""
    if action not in ("confirm", "correct", "reject"):
        raise CorrectionError(f"action inconnue : {action}")
    with store.engine.begin() as conn:
        state = _state(conn, article_id, start, end)
        if state is None or (state.values is None and action != "correct"):
            raise FigureNotFound()
        before = state.values
        if action == "reject":
            after = None
        elif action == "confirm":
            after = dict(before or {})
        else:
            base = before or (state.history[-1].before if state.history else None) or {}
            after = {**base, **(fields.to_dict() if fields else {})}
        return _record(conn, state, action, before, after, who, based_on)


def add(
    store: Store, article_id: int, start: int, end: int, fields: FigureFields, who: Account
) -> Correction:
    """A figure the extractor missed: the words at [start, end) of the article's text."""
    with store.engine.begin() as conn:
        text = conn.scalar(select(t.articles.c.text).where(t.articles.c.id == article_id))
        if text is None:
            raise CorrectionError("Aucun article ne porte ce numéro.")
        if not (0 <= start < end <= len(text)) or not text[start:end].strip():
            raise CorrectionError("Sélectionnez les mots du chiffre dans le texte de l'article.")
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        state = _state(conn, article_id, start, end)
        if state is not None and state.values is not None:
            raise CorrectionError(f"« {state.span} » est déjà un chiffre de l'article : corrigez-le plutôt.")
        other = conn.execute(
            select(F.c.text).where(F.c.article_id == article_id, F.c.start < end, F.c.end > start).limit(1)
        ).scalar()
        if other is not None:
            raise CorrectionError(f"Ces mots recouvrent le chiffre « {other} » : corrigez-le plutôt.")
        s0, s1 = sentence_bounds(text, start, end)
        after = {
            "text": text[start:end], "start": start, "end": end, "sentence": text[s0:s1], "sentence_start": s0,
            "sentence_end": s1, "approx": False, "qualifier": None, "metric": None, "attributed_to": None,
            **fields.to_dict(),
        }  # fmt: skip
        if state is None:
            state = FigureState(article_id, start, end, text[start:end], None, [])
        return _record(conn, state, "add", None, after, who, state.version)


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around [start, end): from after the last '. ', '! ', '? ' or line break
    before it, to the next one after it (its stop included)."""
    begin = max([text.rfind(stop, 0, start) + len(stop) for stop in (". ", "! ", "? ", "\n")] + [0])
    ends = [i + 1 for i in (text.find(stop, end) for stop in (". ", "! ", "? ")) if i >= 0]
    ends += [i for i in (text.find("\n", end),) if i >= 0]
    return begin, min(ends) if ends else len(text)


def _record(
    conn: Any,
    state: FigureState,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    who: Account,
    based_on: int,
) -> Correction:
    if based_on != state.version:
        if not state.history:
            raise FigureNotFound()
        raise Conflict(state.history[-1])
    values = {
        "article_id": state.article_id, "start": state.start, "end": state.end, "span": state.span,
        "action": action, "before": _plain(before), "after": _plain(after), "account_id": who.id,
        "account": who.email, "created_at": utcnow(), "version": based_on + 1,
    }  # fmt: skip
    try:
        with conn.begin_nested():
            new_id = conn.execute(insert(C).values(**values).returning(C.c.id)).scalar_one()
    except IntegrityError:  # another analyst stored this version first
        now = _state(conn, state.article_id, state.start, state.end)
        if now is None or not now.history:
            raise
        raise Conflict(now.history[-1]) from None
    lay_corrections(conn, state.article_id)
    for other in copies_of(conn, state.article_id):  # the other copies of the story say it too
        lay_corrections(conn, other)
    return correction_of(conn.execute(select(C).where(C.c.id == new_id)).one())


def _plain(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """A figure's values as JSON keeps them (its date, read from the article, left out)."""
    if values is None:
        return None
    return {k: v for k, v in values.items() if k not in ("published", "id", "article_id")}


def mark_verified(store: Store, article_id: int, who: Account) -> int:
    """Mark the article "vérifié": every figure no analyst has reviewed yet is confirmed as it is
    (so the article's figures survive re-extraction as reviewed). Returns how many were confirmed."""
    with store.engine.begin() as conn:
        if conn.scalar(select(t.articles.c.id).where(t.articles.c.id == article_id)) is None:
            raise CorrectionError("Aucun article ne porte ce numéro.")
        rows = conn.execute(
            select(F.c.start, F.c.end).where(F.c.article_id == article_id, F.c.review.is_(None))
        )
        confirmed = 0
        for start, end in rows.all():
            state = _state(conn, article_id, start, end)
            if state is not None and state.values is not None:
                _record(conn, state, "confirm", state.values, dict(state.values), who, state.version)
                confirmed += 1
        R = t.article_reviews
        conn.execute(delete(R).where(R.c.article_id == article_id))
        conn.execute(
            insert(R).values(
                article_id=article_id, account_id=who.id, account=who.email, reviewed_at=utcnow()
            )
        )
    return confirmed


def review_of(store: Store, article_id: int) -> Review | None:
    R = t.article_reviews
    with store.engine.connect() as conn:
        row = conn.execute(select(R).where(R.c.article_id == article_id)).first()
    return Review(row.article_id, row.account, row.reviewed_at) if row else None


def reviews(store: Store) -> list[Review]:
    """The articles marked "vérifié", oldest first."""
    R = t.article_reviews
    with store.engine.connect() as conn:
        rows = conn.execute(select(R).order_by(R.c.reviewed_at, R.c.article_id)).all()
    return [Review(r.article_id, r.account, r.reviewed_at) for r in rows]


def history(
    store: Store, *, article_id: int | None = None, account: str | None = None, limit: int | None = None
) -> list[Correction]:
    """Corrections, newest first (of one article, or by one account)."""
    q = select(C).order_by(C.c.created_at.desc(), C.c.id.desc())
    if article_id is not None:
        q = q.where(C.c.article_id == article_id)
    if account:
        q = q.where(C.c.account == account.strip().lower())
    if limit:
        q = q.limit(limit)
    with store.engine.connect() as conn:
        return [correction_of(r) for r in conn.execute(q)]


def stale(store: Store) -> list[Correction]:
    """Latest corrections whose words are no longer at their offsets (the text changed): kept,
    listed, not applied."""
    from veille.archive.overlay import stale as stale_on

    with store.engine.connect() as conn:
        return stale_on(conn)


@dataclass(frozen=True)
class VerifiedArticle:
    """An article marked "vérifié", as the analysts left it: its figures are the latest
    corrections that keep a figure (confirmed, corrected, added; rejected ones left out), its
    organisations (name and forms written) and persons those of the archive."""

    id: int
    url: str
    source: str
    title: str
    text: str
    published: datetime | None
    story: int
    review: Review
    figures: list[dict[str, Any]]
    organisations: list[tuple[str, list[str]]]
    persons: list[tuple[str, str | None, str | None]]
    stale: int  # corrections left out: their words are no longer at their offsets


def verified_articles(store: Store) -> Iterator[VerifiedArticle]:
    """Every article marked "vérifié", oldest review first (for the gold set of ``tests/data``)."""
    from veille.archive.overlay import latest

    A, M, P = t.articles, t.org_mentions, t.person_mentions
    for review in reviews(store):
        with store.engine.connect() as conn:
            a = conn.execute(select(A).where(A.c.id == review.article_id)).first()
            if a is None:
                continue
            kept = [c for c in latest(conn, [a.id]) if c.after is not None]
            good = [c for c in kept if a.text[c.start : c.end] == c.span]
            forms: dict[str, list[str]] = {}
            for name, text in conn.execute(
                select(t.organisations.c.name, M.c.text).join(M, M.c.org_id == t.organisations.c.id)
                .where(M.c.article_id == a.id).order_by(M.c.start)
            ):  # fmt: skip
                seen = forms.setdefault(name, [])
                if text != name and text not in seen:
                    seen.append(text)
            persons = conn.execute(
                select(t.persons.c.name, P.c.role, P.c.organisation).join(P, P.c.person_id == t.persons.c.id)
                .where(P.c.article_id == a.id).order_by(P.c.start)
            ).all()  # fmt: skip
        yield VerifiedArticle(
            id=a.id, url=a.canonical_url or a.url, source=a.source, title=a.title or "", text=a.text or "",
            published=a.published, story=a.cluster_id or a.id, review=review,
            figures=[{**(c.after or {}), "start": c.start, "end": c.end, "text": c.span} for c in good],
            organisations=list(forms.items()),
            persons=list(dict.fromkeys((p.name, p.role, p.organisation) for p in persons)),
            stale=len(kept) - len(good),
        )  # fmt: skip


def latest_of(store: Store, article_id: int) -> list[Correction]:
    """The latest correction of each figure of the article, in text order."""
    from veille.archive.overlay import latest

    with store.engine.connect() as conn:
        return latest(conn, [article_id])


def count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(C)) or 0)
