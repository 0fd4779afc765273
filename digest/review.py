"""The optional review step: a draft of the period's digest, with pinned and excluded articles.

``veille digest review --week 2026-W48`` builds (or rebuilds) the draft into the
``digests`` table and prints it; ``--pin ID`` puts an article at the top of its theme for
every reader, ``--exclude ID`` removes it (and its syndicated copies). The send reads the
pinned/excluded lists from here, so what was reviewed is what goes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from digest.compose import Digest, Period, compose, parse_period
from veille.archive.digests import StoredDigest, digest_of, missing_articles, save_digest
from veille.archive.store import Store, utcnow
from veille.core.conf.digest import DigestConfig
from veille.core.errors import VeilleError


class ReviewError(VeilleError):
    pass


def _check_articles(store: Store, ids: Sequence[int]) -> None:
    missing = missing_articles(store, ids)
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
) -> StoredDigest:
    """Pin/exclude article ids for the period (an id is never both pinned and excluded)."""
    _check_articles(store, [*pin, *exclude])
    current = digest_of(store, period)
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
    draft = digest_of(store, p.id)
    return compose(
        store,
        config,
        p,
        pinned=draft.pinned if draft else (),
        excluded=draft.excluded if draft else (),
        **filters,
    )


def build_draft(store: Store, config: DigestConfig, period: Period | str) -> tuple[StoredDigest, Digest]:
    """Compose the generic digest (no reader filters) and store it as the period's draft."""
    from digest.chart import render_chart
    from digest.message import PREVIEW_TOKEN, MessageBuilder

    digest = compose_reviewed(store, config, period)
    builder = MessageBuilder(config)
    chart = render_chart(digest) if config.chart else None
    rendered = builder.render(digest, None, token=PREVIEW_TOKEN, chart=chart)
    current = digest_of(store, digest.period.id)
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
