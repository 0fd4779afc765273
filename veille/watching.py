"""Saving a watch from what a user typed, the same way from the command line and the web: the
values go through the one query builder (:func:`veille.queries.watch_query`, money in MAD through
the settings' rate table), a webhook's URL through the crawler's private-address guard, and the
watch into the archive (:func:`veille.archive.watches.add_watch`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from veille.archive.accounts import find_account
from veille.archive.store import Store
from veille.archive.watches import Watch, WatchError, add_watch
from veille.core.addresses import check_url
from veille.core.config import Settings
from veille.queries import watch_query


def clean_params(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values a user gave (empty ones left out), as kept with the watch."""
    out: dict[str, Any] = {}
    for k, v in values.items():
        if k in ("limit", "offset", "page", "exact_total"):  # a page of results, not what to watch
            continue
        if isinstance(v, list | tuple):
            v = [x for x in v if str(x).strip()]
        if v in (None, "", [], False):
            continue
        out[k] = v
    return out


def save_watch(
    settings: Settings,
    store: Store,
    *,
    owner: str | int,
    name: str,
    kind: str,
    values: Mapping[str, Any],
    every: str = "daily",
    recipients: Sequence[str] = (),
    webhook_url: str | None = None,
) -> Watch:
    """A new watch of ``owner`` (an account's login or id); :class:`ParameterError` for a value
    the builder refuses, :class:`WatchError` for the rest."""
    account = find_account(store, owner)
    if account is None:
        raise WatchError(f"no account {owner!r}: create it first (veille users add)")
    params = clean_params(values)
    query = watch_query(kind, params, rates=settings.rates)
    if webhook_url:
        refused = check_url(webhook_url, settings.crawl.allow_private_hosts)
        if refused is not None:
            raise WatchError(
                f"webhook {webhook_url} refused ({refused.replace('_', ' ')}): a public http(s) address is "
                "needed (or its host in [crawl] allow_private_hosts)"
            )
    return add_watch(store, owner_id=account.id, name=name, params=params, query=query, every=every,
                     recipients=recipients, webhook_url=webhook_url)  # fmt: skip


def feed_url(settings: Settings, watch: Watch) -> str:
    """The watch's Atom feed (its token is the only credential)."""
    return f"{settings.digest.base_url}/veilles/flux/{watch.feed_token}.atom"
