"""Organisations merged and split by an analyst, recorded (``org_edits``: who, when, in order) and
applied at once to the archive; every later extraction applies them again
(:func:`veille.archive.overlay.rework`), and ``veille orgs export-gazetteer`` folds them back
into ``config/organisations.toml``.

- :func:`merge`: one organisation is another. Its mentions, forms (its name becomes an alias),
  figures, attributions and persons go to the other, and it is removed.
- :func:`split`: some mentions of an organisation (chosen one by one) are another's, existing or
  new; a figure whose sentence names the other by one of them, and the first no longer, names
  the other instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, or_, select, update

from veille.archive import schema as t
from veille.archive.accounts import Account
from veille.archive.overlay import OrgEdit, link_orgs, org_edits
from veille.archive.points import mark_changed
from veille.archive.store import Store, fold, utcnow
from veille.core.corrections import CorrectionError

ORGS, M, FO, F = t.organisations, t.org_mentions, t.figure_orgs, t.figures


def _find(conn: Any, name: str) -> Any:
    """The organisation named so (canonical name, else any alias; accents and case aside)."""
    row = conn.execute(select(ORGS).where(ORGS.c.name == name.strip())).first()
    if row is None:
        row = conn.execute(
            select(ORGS).join(t.org_aliases, t.org_aliases.c.org_id == ORGS.c.id)
            .where(t.org_aliases.c.alias_key == fold(name)).order_by(ORGS.c.id).limit(1)
        ).first()  # fmt: skip
    return row


def _record(conn: Any, who: Account, **values: Any) -> None:
    conn.execute(
        insert(t.org_edits).values(account_id=who.id, account=who.email, created_at=utcnow(), **values)
    )
    mark_changed(conn)  # figures name other organisations: the series' points are computed again


def merge(store: Store, source: str, target: str, who: Account) -> tuple[str, str]:
    """``source`` is ``target``: the canonical names of both, once merged."""
    with store.engine.begin() as conn:
        a, b = _find(conn, source), _find(conn, target)
        if a is None or b is None:
            raise CorrectionError(f"Organisation inconnue : « {source if a is None else target} ».")
        if a.id == b.id:
            raise CorrectionError("Choisissez deux organisations différentes.")
        _record(conn, who, action="merge", source=a.name, target=b.name)
        _move_aliases(conn, a, b.id)
        _move_mentions(conn, a.id, b.id)
        _rename_figures(conn, a.name, b.name, select(FO.c.figure_id).where(FO.c.org_id == a.id))
        conn.execute(
            update(t.person_mentions)
            .where(t.person_mentions.c.organisation == a.name)
            .values(organisation=b.name)
        )
        conn.execute(update(ORGS).where(ORGS.c.successor_id == a.id).values(successor_id=b.id))
        conn.execute(delete(ORGS).where(ORGS.c.id == a.id))
        return a.name, b.name


def _move_aliases(conn: Any, a: Any, target_id: int) -> None:
    have = set(conn.scalars(select(t.org_aliases.c.alias_key).where(t.org_aliases.c.org_id == target_id)))
    forms = [a.name, *conn.scalars(select(t.org_aliases.c.alias).where(t.org_aliases.c.org_id == a.id))]
    for form in forms:
        if fold(form) not in have:
            conn.execute(insert(t.org_aliases).values(org_id=target_id, alias=form, alias_key=fold(form)))
            have.add(fold(form))


def _move_mentions(conn: Any, source_id: int, target_id: int, where: Any = None) -> None:
    q = update(M).where(M.c.org_id == source_id)
    conn.execute((q if where is None else q.where(where)).values(org_id=target_id))


def _rename_figures(conn: Any, source: str, target: str, figure_ids: Any) -> None:
    """The figures among ``figure_ids`` (or attributed to / about ``source``) name ``target``."""
    rows = conn.execute(
        select(F.c.id, F.c.organisations, F.c.attributed_to, F.c.scope, F.c.scope_kind).where(
            or_(F.c.id.in_(figure_ids), F.c.attributed_to == source, F.c.scope == source)
        )
    ).all()
    for r in rows:
        names = list(dict.fromkeys(target if n == source else n for n in (r.organisations or [])))
        scope = target if r.scope == source and r.scope_kind == "organisation" else r.scope
        attributed = target if r.attributed_to == source else r.attributed_to
        conn.execute(
            update(F).where(F.c.id == r.id).values(organisations=names, scope=scope, attributed_to=attributed)
        )
        link_orgs(conn, r.id, names)


def _add_org(conn: Any, name: str, kind: str | None) -> Any:
    org_id = conn.execute(insert(ORGS).values(name=name, kind=kind).returning(ORGS.c.id)).scalar_one()
    conn.execute(insert(t.org_aliases).values(org_id=org_id, alias=name, alias_key=fold(name)))
    return conn.execute(select(ORGS).where(ORGS.c.id == org_id)).one()


def split(
    store: Store,
    source: str,
    target: str,
    mentions: Iterable[tuple[int, int, int]],
    who: Account,
    kind: str | None = None,
) -> tuple[str, str, int]:
    """These mentions (article, start, end) of ``source`` are ``target``'s (made when unknown,
    of ``kind`` or the source's kind): the canonical names and the number of mentions moved."""
    wanted = sorted(set(mentions))
    if not target.strip():
        raise CorrectionError("Donnez le nom de l'organisation qui reçoit les mentions.")
    with store.engine.begin() as conn:
        a = _find(conn, source)
        if a is None:
            raise CorrectionError(f"Organisation inconnue : « {source} ».")
        keys = {(r.article_id, r.start, r.end) for r in conn.execute(select(M).where(M.c.org_id == a.id))}
        moved = [m for m in wanted if m in keys]
        if not moved:
            raise CorrectionError("Choisissez au moins une mention de l'organisation à déplacer.")
        b = _find(conn, target)
        if b is not None and b.id == a.id:
            raise CorrectionError("Choisissez une autre organisation que celle qu'on scinde.")
        b = b if b is not None else _add_org(conn, target.strip(), kind or a.kind)
        _record(
            conn,
            who,
            action="split",
            source=a.name,
            target=b.name,
            target_kind=b.kind,
            mentions=[list(m) for m in moved],
        )
        for article_id, start, end in moved:
            _move_mentions(
                conn, a.id, b.id, (M.c.article_id == article_id) & (M.c.start == start) & (M.c.end == end)
            )
        _split_figures(conn, a, b, moved)
        return a.name, b.name, len(moved)


def _split_figures(conn: Any, a: Any, b: Any, moved: Sequence[tuple[int, int, int]]) -> None:
    """The figures whose sentence holds a moved mention: ``b`` named too, and ``a`` no longer when
    none of its mentions is left in the sentence."""
    for article_id in sorted({m[0] for m in moved}):
        going = [(s, e) for x, s, e in moved if x == article_id]
        staying = list(
            conn.execute(select(M.c.start, M.c.end).where(M.c.article_id == article_id, M.c.org_id == a.id))
        )
        for f in conn.execute(select(F).where(F.c.article_id == article_id)).all():
            if not any(f.sentence_start <= s < f.sentence_end for s, _ in going):
                continue
            names = list(f.organisations or [])
            keep = any(f.sentence_start <= s < f.sentence_end for s, _ in staying)
            names = [n for n in names if keep or n != a.name]
            names = list(dict.fromkeys([*names, b.name]))
            values: dict[str, Any] = {"organisations": names}
            if not keep and f.attributed_to == a.name:
                values["attributed_to"] = b.name
            if not keep and f.scope == a.name and f.scope_kind == "organisation":
                values["scope"] = b.name
            conn.execute(update(F).where(F.c.id == f.id).values(**values))
            link_orgs(conn, f.id, names)


def edits(store: Store) -> list[OrgEdit]:
    """Every merge and split, in the order made."""
    with store.engine.connect() as conn:
        return org_edits(conn)


def mentions_of(store: Store, name: str, limit: int = 500) -> list[tuple[int, int, int, str, str, str]]:
    """The organisation's mentions, newest article first: (article, start, end, words as written,
    article title, the sentence around them), to choose which go where."""
    with store.engine.connect() as conn:
        org = _find(conn, name)
        if org is None:
            return []
        A = t.articles
        rows = conn.execute(
            select(M.c.article_id, M.c.start, M.c.end, M.c.text, A.c.title, A.c.text.label("body"))
            .join(A, A.c.id == M.c.article_id).where(M.c.org_id == org.id)
            .order_by(A.c.published.desc(), M.c.article_id.desc(), M.c.start).limit(limit)
        ).all()  # fmt: skip
    return [
        (r.article_id, r.start, r.end, r.text, r.title or "", _around(r.body or "", r.start, r.end))
        for r in rows
    ]


def _around(text: str, start: int, end: int, width: int = 80) -> str:
    lo, hi = max(0, start - width), min(len(text), end + width)
    return ("…" if lo else "") + text[lo:hi].replace("\n", " ") + ("…" if hi < len(text) else "")


def forms_written(store: Store, name: str) -> set[str]:
    """The words the archive's mentions of this organisation are written with, now."""
    with store.engine.connect() as conn:
        return set(
            conn.scalars(
                select(M.c.text).join(ORGS, ORGS.c.id == M.c.org_id).where(ORGS.c.name == name).distinct()
            )
        )


def moved_forms(store: Store, edit: OrgEdit) -> set[str]:
    """The words of the mentions a split moved (read in their articles' texts)."""
    A = t.articles
    ids = sorted({m[0] for m in edit.mentions})
    with store.engine.connect() as conn:
        texts = {r.id: r.text or "" for r in conn.execute(select(A.c.id, A.c.text).where(A.c.id.in_(ids)))}
    return {texts[a][s:e] for a, s, e in edit.mentions if a in texts and texts[a][s:e].strip()}


def kind_of(store: Store, name: str) -> str | None:
    with store.engine.connect() as conn:
        return conn.scalar(select(ORGS.c.kind).where(ORGS.c.name == name))  # type: ignore[no-any-return]
