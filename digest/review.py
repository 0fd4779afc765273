"""The optional review step: a draft of the period's digest, with pinned and excluded articles.

``veille digest review --week 2026-W48`` builds (or rebuilds) the draft into the
``digests`` table and prints it; ``--pin ID`` puts an article at the top of its theme for
every reader, ``--exclude ID`` removes it (and its syndicated copies). The send reads the
pinned/excluded lists from here, so what was reviewed is what goes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from digest.compose import Digest, Period, compose, parse_period
from digest.config import DigestConfig
from veille.archive import schema as t
from veille.archive.store import Store, utcnow
from veille.core.errors import VeilleError


class ReviewError(VeilleError):
    pass


@dataclass(frozen=True)
class Draft:
    period: str
    status: str  # draft | sent
    subject: str | None
    html: str | None
    text: str | None
    pinned: tuple[int, ...]
    excluded: tuple[int, ...]
    built_at: datetime | None


def _draft(row: Any) -> Draft:
    return Draft(
        period=row.period,
        status=row.status,
        subject=row.subject,
        html=row.html,
        text=row.text,
        pinned=tuple(row.pinned or ()),
        excluded=tuple(row.excluded or ()),
        built_at=row.built_at,
    )


def load_draft(store: Store, period: str) -> Draft | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.digests).where(t.digests.c.period == period)).first()
    return _draft(row) if row else None


def save_digest(store: Store, period: str, **values: Any) -> Draft:
    """Create or update the period's row (status defaults to draft on creation)."""
    with store.engine.begin() as conn:
        found = conn.scalar(select(t.digests.c.id).where(t.digests.c.period == period))
        if found is None:
            try:
                with conn.begin_nested():
                    row = {"status": "draft", "pinned": [], "excluded": [], **values}
                    conn.execute(insert(t.digests).values(period=period, **row))
                values = {}
            except IntegrityError:
                pass
        if values:
            conn.execute(update(t.digests).where(t.digests.c.period == period).values(**values))
    draft = load_draft(store, period)
    assert draft is not None
    return draft


def _check_articles(store: Store, ids: Sequence[int]) -> None:
    if not ids:
        return
    with store.engine.connect() as conn:
        known = set(conn.scalars(select(t.articles.c.id).where(t.articles.c.id.in_(list(ids)))))
    missing = sorted(set(ids) - known)
    if missing:
        raise ReviewError(f"no article with id {', '.join(map(str, missing))}: see `veille search`")


def update_selection(
    store: Store,
    period: str,
    *,
    pin: Sequence[int] = (),
    exclude: Sequence[int] = (),
    unpin: Sequence[int] = (),
    include: Sequence[int] = (),
) -> Draft:
    """Pin/exclude article ids for the period (an id is never both pinned and excluded)."""
    _check_articles(store, [*pin, *exclude])
    current = load_draft(store, period)
    if current is not None and current.status == "sent" and (pin or exclude):
        raise ReviewError(f"the digest {period} was already sent: pinning or excluding now changes nothing")
    pinned = list(current.pinned if current else ())
    excluded = list(current.excluded if current else ())
    for i in pin:
        if i not in pinned:
            pinned.append(i)
        if i in excluded:
            excluded.remove(i)
    for i in exclude:
        if i not in excluded:
            excluded.append(i)
        if i in pinned:
            pinned.remove(i)
    pinned = [i for i in pinned if i not in unpin]
    excluded = [i for i in excluded if i not in include]
    return save_digest(store, period, pinned=pinned, excluded=excluded)


def compose_reviewed(store: Store, config: DigestConfig, period: Period | str, **filters: Any) -> Digest:
    """Compose with the draft's pinned/excluded ids applied."""
    p = parse_period(period, config.timezone) if isinstance(period, str) else period
    draft = load_draft(store, p.id)
    return compose(
        store,
        config,
        p,
        pinned=draft.pinned if draft else (),
        excluded=draft.excluded if draft else (),
        **filters,
    )


def build_draft(store: Store, config: DigestConfig, period: Period | str) -> tuple[Draft, Digest]:
    """Compose the generic digest (no reader filters) and store it as the period's draft."""
    from digest.chart import render_chart
    from digest.message import PREVIEW_TOKEN, MessageBuilder

    digest = compose_reviewed(store, config, period)
    builder = MessageBuilder(config)
    chart = render_chart(digest) if config.chart else None
    rendered = builder.render(digest, None, token=PREVIEW_TOKEN, chart=chart)
    current = load_draft(store, digest.period.id)
    status = current.status if current else "draft"
    draft = save_digest(
        store,
        digest.period.id,
        status=status,
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        built_at=utcnow(),
    )
    return draft, digest
