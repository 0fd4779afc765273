"""Publication dates: ISO 8601, RFC 822 and French ("Publié le 12 mars 2025", "il y a 3
heures", "hier à 10h") -> aware datetimes, or None when unreadable or not plausible.

A date without a zone is read in the zone it is given (the source's ``timezone``, else its
site's country's, else ``digest.toml``'s: see :func:`dates_zone`; the watch's default zone
when none is given), relative dates are resolved against the fetch time, and a date in the
future (beyond a day) or before 1990 is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

from veille.core.conf.digest import DEFAULT_TIMEZONE

TZ = ZoneInfo(DEFAULT_TIMEZONE)  # the watch's zone when a caller names none
# meta tags naming the publication date, most specific first, and the last modification
PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time", "datepublished",
    "pubdate", "publishdate", "publish-date", "date", "dc.date.issued", "dc.date", "dcterms.created",
    "dcterms.date", "sailthru.date", "parsely-pub-date", "article.published",
    "cxenseparse:recs:publishtime",
)  # fmt: skip
# the publication date named as such (not a bare "date", which is often the last change)
SPECIFIC_META = tuple(n for n in PUBLISHED_META if n not in ("date", "dc.date", "dcterms.date"))
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)
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


def _aware(dt: datetime, zone: ZoneInfo = TZ) -> datetime:
    return dt.replace(tzinfo=zone) if dt.tzinfo is None else dt


def parse_date(value: str | None, fetched_at: datetime | None = None, zone: ZoneInfo = TZ) -> datetime | None:
    """ISO 8601, RFC 822 or French ("12 mars 2025", "mardi 3 juin", "il y a 3 heures",
    "hier") -> an aware datetime, or None when unreadable or not plausible. A date written
    without a zone is read in ``zone``."""
    if not value or not isinstance(value, str):
        return None
    s = " ".join(value.split())
    if not s:
        return None
    now = _aware(fetched_at, zone) if fetched_at else datetime.now(zone)
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
        dt = _parse_french(s, now, zone)
    if dt is None:
        return None
    dt = _aware(dt, zone)
    return dt if plausible(dt, now) else None


def _parse_french(s: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    import dateparser

    text = re.sub(r"\b1er\b", "1", s, flags=re.IGNORECASE)
    text = re.sub(r"(\d{1,2})\s*h\s*(\d{2})\b", r"\1:\2", text)
    text = re.sub(r"(\d{1,2})\s*h\b", r"\1:00", text)
    text = re.sub(r"\b(?:à|a)\s+(?=\d{1,2}:)", "", text)
    text = re.sub(r"^(?:publié|publie|mis à jour|mise à jour|modifié|le)\s+(?:le\s+)?", "", text, flags=re.I)
    base = now.astimezone(zone).replace(tzinfo=None)
    settings = {
        "RELATIVE_BASE": base,
        "TIMEZONE": zone.key,
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


def find_french_date(text: str, fetched_at: datetime | None = None, zone: ZoneInfo = TZ) -> datetime | None:
    """The first plausible French date written in ``text`` (read in ``zone``)."""
    for m in FRENCH_DATE.finditer(text):
        dt = parse_date(m.group(0), fetched_at, zone)
        if dt is not None:
            return dt
    return None


# a site's readers see its UTC timestamps in the site's own zone: the day an annotator (or a
# reader) gives is the local one. The zone is guessed from the country of the host name or of
# the page's language tag ("de-DE", "pt-BR"); German without a region is read in Berlin. French
# and English tags name no country: CMSs write "fr-FR" or "en-US" whatever the site's country.
_CET = "Europe/Berlin"
_COUNTRY_ZONES = {
    "de": _CET, "at": _CET, "ch": _CET, "it": _CET, "nl": _CET, "be": _CET, "lu": _CET, "pl": _CET,
    "cz": _CET, "dk": _CET, "se": _CET, "no": _CET, "fr": "Europe/Paris", "es": "Europe/Madrid",
    "uk": "Europe/London", "gb": "Europe/London", "ie": "Europe/London", "pt": "Europe/Lisbon",
    "fi": "Europe/Helsinki", "ma": "Africa/Casablanca", "dz": "Africa/Algiers", "tn": "Africa/Tunis",
    "sn": "Africa/Dakar", "ci": "Africa/Abidjan", "br": "America/Sao_Paulo",
    "ar": "America/Argentina/Buenos_Aires", "uy": "America/Montevideo", "py": "America/Asuncion",
    "cl": "America/Santiago", "bo": "America/La_Paz", "pe": "America/Lima", "co": "America/Bogota",
    "ec": "America/Guayaquil", "ve": "America/Caracas", "pa": "America/Panama",
    "cr": "America/Costa_Rica", "ni": "America/Managua", "hn": "America/Tegucigalpa",
    "sv": "America/El_Salvador", "gt": "America/Guatemala", "mx": "America/Mexico_City",
    "cu": "America/Havana", "do": "America/Santo_Domingo", "us": "America/New_York",
    "ca": "America/Toronto", "jp": "Asia/Tokyo", "kr": "Asia/Seoul", "in": "Asia/Kolkata",
    "au": "Australia/Sydney",
}  # fmt: skip
_LANGUAGE_ZONES = {"de": _CET}


def site_zone(url: str, language_tag: str | None = None) -> ZoneInfo | None:
    """The zone a site's readers most likely live in, or None when nothing says."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    name = _COUNTRY_ZONES.get(host.rsplit(".", 1)[-1])
    tag = (language_tag or "").strip().lower().replace("_", "-")
    if name is None and "-" in tag and not tag.startswith(("fr", "en")):  # CMS defaults ("fr-FR", "en-US")
        name = _COUNTRY_ZONES.get(tag.split("-")[1][:2])
    if name is None:
        name = _LANGUAGE_ZONES.get(tag[:2])
    return ZoneInfo(name) if name else None


def dates_zone(
    configured: ZoneInfo | None, url: str, language_tag: str | None = None, default: ZoneInfo = TZ
) -> ZoneInfo:
    """The zone of a source's dates written without one: the source's ``timezone`` when
    ``sources.toml`` gives one, else its site's country's (:func:`site_zone`), else
    ``default`` (``digest.toml``'s timezone)."""
    return configured or site_zone(url, language_tag) or default


def as_written(dt: datetime | None, zone: ZoneInfo | None) -> datetime | None:
    """A UTC timestamp read in the site's zone (its day is the one the page shows); a date
    written with its own offset is kept as written."""
    if dt is None or zone is None or dt.utcoffset() != timedelta(0):
        return dt
    if (dt.hour, dt.minute, dt.second) == (0, 0, 0):
        return dt  # a bare day written as midnight UTC, not an instant
    return dt.astimezone(zone)


_ZONE_WRITTEN = re.compile(r"(?:Z|[+-]\d{2}:?\d{2}|GMT|UTC)\s*$", re.IGNORECASE)


def has_zone(value: object) -> bool:
    """Is a date string written with its zone ("...+01:00", "...Z", "... GMT")?"""
    return isinstance(value, str) and _ZONE_WRITTEN.search(value.strip()) is not None


def midnight(dt: datetime, zone: ZoneInfo = TZ) -> datetime:
    return datetime.combine(dt.date(), time(0), tzinfo=zone)


def publication_day(
    tree: Any,
    fetched_at: datetime | None,
    precise: Sequence[datetime | None] = (),
    prefer: datetime | None = None,
    written: datetime | None = None,
    zone: ZoneInfo = TZ,
) -> datetime | None:
    """The article's publication day found by htmldate (original date, extensive search: it
    weighs the page's metadata, its URL and the dates written in the page, and skips
    comments' dates), as the datetime of ``precise`` on that day when one is (JSON-LD, meta,
    feed, the page's header: they carry the time), else midnight. ``prefer`` (when the page
    has no date metadata: the feed's date, or the date in the page's header, which may have
    no year, "mardi 3 juin") wins over a day htmldate could only guess from the text; on the
    same day of another year, it takes htmldate's year (a date without one is read in the
    year of the fetch).
    ``written``: the page's own publication date (JSON-LD, meta) with its local offset; it wins
    over a day htmldate found one day off, the shift of a timezone htmldate could not see.
    A day alone is midnight in ``zone``."""
    from htmldate import find_date

    now = _aware(fetched_at, zone) if fetched_at else datetime.now(zone)
    try:
        found = find_date(
            tree,
            original_date=True,
            extensive_search=True,
            outputformat="%Y-%m-%d",
            max_date=(now + timedelta(days=1)).strftime("%Y-%m-%d"),
        )
    except Exception:  # htmldate can fail on odd markup; the other sources remain
        return None
    if not found:
        return None
    day = date.fromisoformat(found)
    if written is not None and written.utcoffset() != timedelta(0) and abs((written.date() - day).days) == 1:
        return written
    for dt in precise:
        if dt is not None and dt.date() == day:
            return dt
    if prefer is not None and (prefer.month, prefer.day) == (day.month, day.day):
        return prefer.replace(year=day.year)  # "18 mai" read in this year; htmldate found the year
    if prefer is not None:
        return prefer
    dt = datetime.combine(day, time(0), tzinfo=zone)
    return dt if plausible(dt, now) else None
