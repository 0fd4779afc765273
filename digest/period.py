"""The period a digest covers: an ISO week ("2026-W48") or a date window, labelled in French."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from veille.core.conf.digest import DEFAULT_TIMEZONE
from veille.core.errors import VeilleError

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")  # fmt: skip
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")
_WINDOW = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class PeriodError(VeilleError):
    exit_code = 2


def _day(d: date) -> str:
    return "1er" if d.day == 1 else str(d.day)


@dataclass(frozen=True)
class Period:
    """An ISO week ("2026-W48") or a date window ("2026-11-01..2026-11-07"), ends inclusive."""

    id: str
    start: date
    end: date
    timezone: str = DEFAULT_TIMEZONE

    @property
    def is_week(self) -> bool:
        return bool(_WEEK.match(self.id))

    @property
    def week(self) -> int | None:
        return self.start.isocalendar()[1] if self.is_week else None

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(0), ZoneInfo(self.timezone))

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(0), ZoneInfo(self.timezone))

    def previous(self) -> Period:
        if self.is_week:
            return week_period(self.start - timedelta(days=7), self.timezone)
        length = self.end - self.start + timedelta(days=1)
        start, end = self.start - length, self.start - timedelta(days=1)
        return Period(f"{start.isoformat()}..{end.isoformat()}", start, end, self.timezone)

    @property
    def dates_label(self) -> str:
        """ "23–29 novembre 2026", "30 novembre – 6 décembre 2026", "29 décembre 2025 – 4 janvier 2026"."""
        s, e = self.start, self.end
        if s == e:
            return f"{_day(s)} {MONTHS[s.month - 1]} {s.year}"
        if (s.year, s.month) == (e.year, e.month):
            return f"{_day(s)}–{_day(e)} {MONTHS[e.month - 1]} {e.year}"
        if s.year == e.year:
            return f"{_day(s)} {MONTHS[s.month - 1]} – {_day(e)} {MONTHS[e.month - 1]} {e.year}"
        return f"{_day(s)} {MONTHS[s.month - 1]} {s.year} – {_day(e)} {MONTHS[e.month - 1]} {e.year}"

    @property
    def label(self) -> str:
        """ "semaine 48 (23–29 novembre 2026)" or "du 1er au 7 novembre 2026"."""
        if self.is_week:
            return f"semaine {self.week} ({self.dates_label})"
        s, e = self.start, self.end
        if s == e:
            return f"le {self.dates_label}"
        if (s.year, s.month) == (e.year, e.month):
            return f"du {_day(s)} au {_day(e)} {MONTHS[e.month - 1]} {e.year}"
        if s.year == e.year:
            return f"du {_day(s)} {MONTHS[s.month - 1]} au {_day(e)} {MONTHS[e.month - 1]} {e.year}"
        return f"du {_day(s)} {MONTHS[s.month - 1]} {s.year} au {_day(e)} {MONTHS[e.month - 1]} {e.year}"


def week_period(day: date, timezone: str = DEFAULT_TIMEZONE) -> Period:
    year, week, weekday = day.isocalendar()
    start = day - timedelta(days=weekday - 1)
    return Period(f"{year}-W{week:02d}", start, start + timedelta(days=6), timezone)


def parse_period(value: str, timezone: str = DEFAULT_TIMEZONE) -> Period:
    """ "2026-W48" or "2026-11-01..2026-11-07" -> :class:`Period`; one clear error otherwise."""
    text = (value or "").strip()
    m = _WEEK.match(text)
    if m:
        year, week = int(m.group(1)), int(m.group(2))
        try:
            return week_period(date.fromisocalendar(year, week, 1), timezone)
        except ValueError:
            raise PeriodError(f"{text}: {year} has no ISO week {week}") from None
    m = _WINDOW.match(text)
    if m:
        try:
            start, end = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
        except ValueError as exc:
            raise PeriodError(f"{text}: {exc}") from None
        if end < start or (end - start).days > 92:
            raise PeriodError(f"{text}: the window must run forwards and last at most 93 days")
        return Period(text, start, end, timezone)
    raise PeriodError(
        f"bad period {text!r}: use an ISO week like 2026-W48 or a window like 2026-11-01..2026-11-07"
    )


def last_complete_week(now: datetime, timezone: str = DEFAULT_TIMEZONE) -> Period:
    """The ISO week that ended most recently before ``now`` (Monday 08:00 -> last week)."""
    local = now.astimezone(ZoneInfo(timezone)).date()
    return week_period(local - timedelta(days=local.isoweekday()), timezone)
