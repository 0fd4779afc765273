"""Publication dates: ISO 8601, RFC 822 and French ("Publié le 12 mars 2025", "il y a 3
heures", "hier à 10h") -> aware datetimes, or None when unreadable or not plausible.

A date without a zone is read in Africa/Casablanca, relative dates are resolved against
the fetch time, and a date in the future (beyond a day) or before 1990 is rejected.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Africa/Casablanca")
EARLIEST = datetime(1990, 1, 1, tzinfo=TZ)
_MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
    "|janv|févr|fevr|avr|juil|sept|oct|nov|déc|dec"
)
_DAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_HOUR = r"(?:\s*(?:à|a|,|-|–)?\s*(\d{1,2})\s*(?:h|:)\s*(\d{2})?(?:\s*(?:min|mn))?)?"
FRENCH_DATE = re.compile(
    r"(?:il\s+y\s+a\s+(?:\d+|une?|quelques)\s+(?:secondes?|minutes?|min|heures?|h|jours?|semaines?|mois|ans?)"
    r"|(?:avant-hier|hier|aujourd'hui|aujourd’hui)" + _HOUR + r"|(?:(?:" + _DAYS + r")\s+)?(?:1er|\d{1,2})\s+"
    r"(?:" + _MONTHS + r")\.?(?:\s+\d{4})?" + _HOUR + r"|\d{1,2}[/.]\d{1,2}[/.]\d{4}" + _HOUR + r")",
    re.IGNORECASE,
)


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=TZ) if dt.tzinfo is None else dt


def parse_date(value: str | None, fetched_at: datetime | None = None) -> datetime | None:
    """ISO 8601, RFC 822 or French ("12 mars 2025", "mardi 3 juin", "il y a 3 heures",
    "hier") -> an aware datetime, or None when unreadable or not plausible."""
    if not value or not isinstance(value, str):
        return None
    s = " ".join(value.split())
    if not s:
        return None
    now = _aware(fetched_at) if fetched_at else datetime.now(TZ)
    dt: datetime | None = None
    iso = s.replace("Z", "+00:00") if s.endswith("Z") else s
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        try:
            dt = parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError):
            dt = None
    if dt is None:
        dt = _parse_french(s, now)
    if dt is None:
        return None
    dt = _aware(dt)
    return dt if plausible(dt, now) else None


def _parse_french(s: str, now: datetime) -> datetime | None:
    import dateparser

    text = re.sub(r"\b1er\b", "1", s, flags=re.IGNORECASE)
    text = re.sub(r"(\d{1,2})\s*h\s*(\d{2})\b", r"\1:\2", text)
    text = re.sub(r"(\d{1,2})\s*h\b", r"\1:00", text)
    text = re.sub(r"\b(?:à|a)\s+(?=\d{1,2}:)", "", text)
    text = re.sub(r"^(?:publié|publie|mis à jour|mise à jour|modifié|le)\s+(?:le\s+)?", "", text, flags=re.I)
    base = now.astimezone(TZ).replace(tzinfo=None)
    settings = {
        "RELATIVE_BASE": base,
        "TIMEZONE": "Africa/Casablanca",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "DMY",
    }
    try:
        return dateparser.parse(text, languages=["fr"], settings=settings)  # type: ignore[arg-type]
    except Exception:  # dateparser raises assorted errors on odd input
        return None


def plausible(dt: datetime, now: datetime | None = None) -> bool:
    now = now or datetime.now(TZ)
    return EARLIEST <= dt <= now + timedelta(days=1)


def find_french_date(text: str, fetched_at: datetime | None = None) -> datetime | None:
    """The first plausible French date written in ``text``."""
    for m in FRENCH_DATE.finditer(text):
        dt = parse_date(m.group(0), fetched_at)
        if dt is not None:
            return dt
    return None


def midnight(dt: datetime) -> datetime:
    return datetime.combine(dt.date(), time(0), tzinfo=TZ)
