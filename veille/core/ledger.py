"""The run ledger's line for each source, from a crawl's Scrapy stats: the one way a line is
counted, whichever part writes it (the store stage as the crawl goes, the crawl runner for a
source whose stage never wrote).

Stats keys are ``veille/{source}/{what}`` (listed in ``spiders/settings.py``). A line reads:

- ``fetched``: the spider's ``veille/{source}/fetched`` count;
- ``new``: articles created in the archive;
- ``duplicate``: items already in the archive: known URLs skipped (reason ``known``), texts
  identical to an archived article (reason ``duplicate``) and, with ``VEILLE_REFRESH``,
  archived articles rewritten;
- ``dropped`` and ``drop_reasons``: items dropped for any other reason (``empty``,
  ``language:en``, ``off-topic``...). ``drop_reasons`` also lists ``known`` and
  ``duplicate``, so its counts add up to ``dropped`` plus the skipped duplicates;
- ``errors`` and ``error_messages``: the spider's counts.

Stages count a drop under the stats key ``veille/{source}/dropped/{reason}`` with
:func:`pipeline.stage.count_drop`; drops raised by a stage that did not count them are counted from the
``item_dropped`` signal, the reason being the start of the ``DropItem`` message
(:func:`reason_key`: ``"off-topic (score 0.12 < 0.30)"`` -> ``off-topic``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

DUPLICATE_REASONS = frozenset({"known", "duplicate"})
PREFIX = "veille/"


def reason_key(message: str) -> str:
    """The ledger key of a ``DropItem`` message: its text up to `` (`` or the first space.

    >>> reason_key("off-topic (score 0.12 < 0.30)"), reason_key("language:en (kept: fr)")
    ('off-topic', 'language:en')
    """
    head = re.split(r"\s*\(|\s", message.strip(), maxsplit=1)[0] if message.strip() else ""
    return head.rstrip(":;,.").lower() or "unspecified"


def ledger_lines(
    stats: Mapping[str, Any], signalled: Mapping[str, Mapping[str, int]] | None = None
) -> dict[str, dict[str, Any]]:
    """One :meth:`~veille.archive.store.Store.record_source` payload per source, from crawler stats.

    ``signalled`` holds drop counts per source and reason seen on the ``item_dropped``
    signal; for each reason the larger of the two counts is kept, so a drop counted both
    by its stage and by the signal is counted once.
    """
    per: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "fetched": 0,
            "new": 0,
            "updated": 0,
            "duplicate": 0,
            "errors": 0,
            "archived_partial": 0,
            "completed": 0,
            "error_messages": [],
            "reasons": Counter(),
        }
    )
    for key, value in stats.items():
        if not key.startswith(PREFIX):
            continue
        parts = key[len(PREFIX) :].split("/")
        if len(parts) < 2 or not parts[0]:
            continue
        source, what = parts[0], parts[1]
        line = per[source]
        if what == "dropped" and len(parts) > 2:
            line["reasons"][reason_key("/".join(parts[2:]))] += int(value or 0)
        elif what == "error_messages":
            line["error_messages"] = [str(m) for m in (value or [])]
        elif (
            what in ("fetched", "new", "updated", "duplicate", "errors", "archived_partial", "completed")
            and len(parts) == 2
        ):
            line[what] = int(value or 0)
    for source, seen in (signalled or {}).items():
        line = per[source]
        for reason, count in seen.items():
            line["reasons"][reason] = max(line["reasons"][reason], count)
    out: dict[str, dict[str, Any]] = {}
    for source, line in sorted(per.items()):
        reasons: Counter[str] = line["reasons"]
        skipped = sum(n for r, n in reasons.items() if r in DUPLICATE_REASONS)
        dropped = sum(n for r, n in reasons.items() if r not in DUPLICATE_REASONS)
        new, duplicate = line["new"], max(line["duplicate"], skipped + line["updated"])
        out[source] = {
            "fetched": line["fetched"] or new + duplicate + dropped,  # spiders that do not count
            "new": new,
            "duplicate": duplicate,
            "dropped": dropped,
            "drop_reasons": dict(sorted((r, n) for r, n in reasons.items() if n)),
            "errors": line["errors"],
            "error_messages": line["error_messages"],
            "partial": line["archived_partial"],  # archived from the feed only (aggregator link, paywall)
            "completed": line["completed"],  # partial articles this source completed in place
        }
    return out
