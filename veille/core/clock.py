"""The time now, in UTC, aware: what the archive stamps its rows with and the spiders their
fetches with (one clock, so the two never disagree on its form)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
