"""One builder of search queries for every front end: the web pages, the JSON API and the
``veille search`` / ``veille figures`` / ``veille indicators`` commands.

A front end hands it the user's values as they come — text from a form or a command line
(``"2025-01-31"``, ``"1 000,5"``, ``["target"]``), or values its framework already typed
(``date``, ``float``) — under the names of :class:`SearchQuery` / :class:`FigureQuery` /
:class:`SeriesQuery`'s fields, and gets the query back, or one :class:`ParameterError` naming the field and what is
wrong. An empty text (a form's empty field) means "no filter". Each front end only maps its own
parameter names (``indicateur`` on the pages, ``--indicator`` on the command line) and says
the error its own way (:meth:`ParameterError.french`, :meth:`ParameterError.english`).

The limits below are the only ones: the API's schema declares them, the pages and the commands
read them from here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from veille.core.errors import VeilleError
from veille.core.formatting import STATUS_LABELS
from veille.core.models import ARTICLE_KINDS, STATUSES, UNITS

if TYPE_CHECKING:
    from veille.archive.indicators import SeriesQuery
    from veille.archive.search import FigureQuery, SearchQuery

MAX_TEXT = 500  # characters of the search text
MAX_NAME = 300  # an organisation, a person, a theme, the words of a metric
MAX_PERIOD = 20  # "2024", "2025-Q1"
MAX_SOURCE = 100  # a source's name
MAX_SOURCES = 50  # sources of one search
MAX_KEY = 40  # an indicator key
MAX_HITS = 100  # articles on one page of a search
MAX_ROWS = 1000  # figures on one page
MAX_OFFSET = 100_000  # results skipped before a page
YEARS = (1900, 2200)
SEARCH_ORDERS = ("relevance", "date")  # the search's own (archive.search.ORDERS, FIGURE_ORDERS),
FIGURE_ORDERS = ("date", "value")  # here so that the command line starts without the archive

Text = str | None
Day = str | date | None
Number = str | float | None
Whole = str | int | None
Many = str | Sequence[str] | None


@dataclass(eq=False)
class ParameterError(VeilleError):
    """A value the user can fix. ``field`` is the query's field (``since``, ``indicator``...),
    ``reason`` one of: long, date, year, number, whole, bounds, many (values), choice, order
    (``field`` comes after ``other``: since > until, min_value > max_value)."""

    field: str
    reason: str
    value: object = None
    bounds: tuple[float, float] = (0, 0)  # long: (0, most); bounds, year: (least, most)
    choices: Sequence[str] = ()
    other: str = ""

    exit_code = 2

    def __str__(self) -> str:
        return self.english({})

    def french(self, names: Mapping[str, str]) -> str:
        """The message for a French reader, the fields named as in ``names`` (the field's own
        name otherwise)."""
        name, shown = f"« {names.get(self.field, self.field)} »", _cut(self.value)
        lo, hi = (_whole_text(b) for b in self.bounds)
        if self.reason == "long":
            return f"{name} est trop long ({len(str(self.value))} caractères, {hi} au plus)."
        if self.reason == "date":
            return f"{name} : « {shown} » n'est pas une date (format attendu : AAAA-MM-JJ)."
        if self.reason == "year":
            return f"{name} : année hors limites ({lo} à {hi})."
        if self.reason == "number":
            return f"{name} : « {shown} » n'est pas un nombre."
        if self.reason == "whole":
            return f"{name} : « {shown} » n'est pas un nombre entier."
        if self.reason == "bounds":
            return f"{name} doit être compris entre {lo} et {hi}."
        if self.reason == "many":
            return f"{name} : trop de valeurs ({shown}, {hi} au plus)."
        if self.reason == "choice":
            unknown = (
                "inconnue" if self.field == "unit" else "inconnu"
            )  # l'unité; l'indicateur, le statut, le tri
            return f"{name} : « {shown} » {unknown} (valeurs possibles : {self._choices(french=True)})."
        later = "postérieure" if self.field == "since" else "supérieure"  # the date of start, the minimum
        return f"{name} est {later} à « {names.get(self.other, self.other)} »."

    def english(self, names: Mapping[str, str]) -> str:
        """The message for the command line, the fields named as in ``names``."""
        name, shown = names.get(self.field, self.field), _cut(self.value)
        lo, hi = (_whole_text(b) for b in self.bounds)
        if self.reason == "long":
            return f"{name}: too long ({len(str(self.value))} characters, at most {hi})"
        if self.reason == "date":
            return f"{name}: '{shown}' is not a date (expected YYYY-MM-DD)"
        if self.reason == "year":
            return f"{name}: year out of range ({lo} to {hi})"
        if self.reason == "number":
            return f"{name}: '{shown}' is not a number"
        if self.reason == "whole":
            return f"{name}: '{shown}' is not a whole number"
        if self.reason == "bounds":
            return f"{name}: must be between {lo} and {hi}"
        if self.reason == "many":
            return f"{name}: too many values ({shown}, at most {hi})"
        if self.reason == "choice":
            what = self.field.replace("_", " ")
            return f"{name}: unknown {what} {shown!r} (known: {self._choices(french=False)})"
        return (
            f"{name} is {'after' if self.field == 'since' else 'above'} {names.get(self.other, self.other)}"
        )

    def _choices(self, *, french: bool) -> str:
        if french and self.field == "status":
            return ", ".join(f"{k} ({STATUS_LABELS.get(k, k)})" for k in self.choices)
        return ", ".join(self.choices)


def _cut(value: object) -> str:
    return str(value)[:40]


def _whole_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(name: str, value: Text, most: int) -> str | None:
    """Trimmed text of at most ``most`` characters; ``None`` for nothing."""
    if value is None or _blank(value):
        return None
    value = value.strip()
    if len(value) > most:
        raise ParameterError(name, "long", value, bounds=(0, most))
    return value


def _choice(name: str, value: Text, allowed: Sequence[str]) -> str | None:
    """One of ``allowed``; ``None`` for nothing."""
    picked = None if value is None or _blank(value) else value.strip()
    if picked is not None and picked not in allowed:
        raise ParameterError(name, "choice", picked, choices=tuple(allowed))
    return picked


def _many(values: Many) -> tuple[str, ...]:
    """Trimmed non-empty values, each once, in the order given."""
    given = [values] if isinstance(values, str) else list(values or ())
    return tuple(dict.fromkeys(v.strip() for v in given if v.strip()))


def _day(name: str, value: Day) -> date | None:
    """A day (``YYYY-MM-DD``, or a full ISO date and time: its day)."""
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    elif value is None or _blank(value):
        return None
    else:
        raw = value.strip()
        try:
            parsed = date.fromisoformat(raw) if len(raw) <= 10 else datetime.fromisoformat(raw).date()
        except ValueError:
            raise ParameterError(name, "date", raw) from None
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        raise ParameterError(name, "year", parsed, bounds=YEARS)
    return parsed


def _number(name: str, value: Number) -> float | None:
    """A finite number; text may group thousands with spaces and use a decimal comma."""
    if value is None or _blank(value):
        return None
    if isinstance(value, str):
        raw = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            raise ParameterError(name, "number", raw) from None
    if not math.isfinite(value):
        raise ParameterError(name, "number", value)
    return float(value)


def _whole(name: str, value: Whole, default: int, least: int, most: int) -> int:
    """A whole number from ``least`` to ``most``; ``default`` for nothing."""
    if value is None or _blank(value):
        return default
    if isinstance(value, str):
        raw = value.strip()
        try:
            value = int(raw)
        except ValueError:
            raise ParameterError(name, "whole", raw) from None
    if not least <= value <= most:
        raise ParameterError(name, "bounds", value, bounds=(least, most))
    return value


def _indicator(value: Text) -> str | None:
    """A key of the indicator taxonomy (``config/indicators.toml``)."""
    from veille.core.taxonomy import load_taxonomy

    return _choice("indicator", _text("indicator", value, MAX_KEY), list(load_taxonomy().indicators))


def _in_order(low_name: str, low: Any, high_name: str, high: Any) -> None:
    if low is not None and high is not None and low > high:
        raise ParameterError(low_name, "order", low, other=high_name)


def _page(limit: Whole, offset: Whole, page: Whole, default: int, most: int) -> tuple[int, int]:
    """``(limit, offset)``: ``limit`` rows from ``offset``, or from page ``page`` (the first is 1)."""
    size = _whole("limit", limit, default, 1, most)
    if page is None or _blank(page):
        return size, _whole("offset", offset, 0, 0, MAX_OFFSET)
    return size, (_whole("page", page, 1, 1, last_page(size)) - 1) * size


def last_page(per_page: int) -> int:
    """The last page a listing of ``per_page`` rows can show."""
    return MAX_OFFSET // per_page + 1


def _filters(
    text: Text, since: Day, until: Day, unit: Text, metric: Text, period: Text, indicator: Text, status: Many,
    min_value: Number, max_value: Number,
) -> dict[str, Any]:  # fmt: skip
    """The fields searches and figure listings share, checked."""
    out = {
        "text": _text("text", text, MAX_TEXT) or "",
        "since": _day("since", since),
        "until": _day("until", until),
        "unit": _choice("unit", unit, UNITS),
        "metric": _text("metric", metric, MAX_NAME),
        "period": _text("period", period, MAX_PERIOD),
        "indicator": _indicator(indicator),
        "status": tuple(s for s in _many(status) if _choice("status", s, STATUSES)),
        "min_value": _number("min_value", min_value),
        "max_value": _number("max_value", max_value),
    }
    _in_order("since", out["since"], "until", out["until"])
    _in_order("min_value", out["min_value"], "max_value", out["max_value"])
    return out


def search_query(
    *,
    text: Text = "",
    since: Day = None,
    until: Day = None,
    sources: Many = (),
    org: Text = None,
    person: Text = None,
    theme: Text = None,
    unit: Text = None,
    metric: Text = None,
    period: Text = None,
    indicator: Text = None,
    status: Many = (),
    min_value: Number = None,
    max_value: Number = None,
    min_relevance: Number = None,
    kind: Text = None,
    order: Text = None,
    all_versions: bool = False,
    exact_total: bool = False,
    limit: Whole = None,
    offset: Whole = None,
    page: Whole = None,
    default_limit: int = 20,
    rates: Any = None,
) -> SearchQuery:
    """A search of articles; ``order`` defaults to relevance with a text, date without. ``rates``
    (the settings' ``rates.toml``): with unit MAD, amounts in EUR and USD count too, in MAD."""
    from veille.archive.search import SearchQuery

    filters = _filters(text, since, until, unit, metric, period, indicator, status, min_value, max_value)
    names = _many(sources)
    if len(names) > MAX_SOURCES:
        raise ParameterError("sources", "many", len(names), bounds=(0, MAX_SOURCES))
    for name in names:
        _text("sources", name, MAX_SOURCE)
    size, start = _page(limit, offset, page, default_limit, MAX_HITS)
    return SearchQuery(
        **filters,
        sources=names,
        org=_text("org", org, MAX_NAME),
        person=_text("person", person, MAX_NAME),
        theme=_text("theme", theme, MAX_NAME),
        min_relevance=_number("min_relevance", min_relevance),
        kind=_choice("kind", kind, ARTICLE_KINDS),
        one_per_cluster=not all_versions,
        order=_choice("order", order, SEARCH_ORDERS) or ("relevance" if filters["text"] else "date"),
        limit=size,
        offset=start,
        exact_total=exact_total,
        mad_rates=mad_rates(filters["unit"], rates),
    )


def mad_rates(unit: str | None, rates: Any) -> tuple[tuple[str, tuple[tuple[int, float], ...]], ...]:
    """The yearly rates a money filter in MAD compares EUR and USD amounts through (``rates``: a
    :class:`veille.core.conf.rates.RatesFile`); none for another unit or without rates."""
    if unit != "MAD" or rates is None:
        return ()
    return tuple(
        (currency, tuple(sorted((int(y), float(r)) for y, r in getattr(rates, currency).items())))
        for currency in ("EUR", "USD")
        if getattr(rates, currency)
    )


def figure_query(
    *,
    text: Text = "",
    unit: Text = None,
    metric: Text = None,
    min_value: Number = None,
    max_value: Number = None,
    period: Text = None,
    indicator: Text = None,
    status: Many = (),
    org: Text = None,
    source: Text = None,
    since: Day = None,
    until: Day = None,
    article_id: Whole = None,
    order: Text = None,
    exact_total: bool = False,
    copies: bool = False,
    limit: Whole = None,
    offset: Whole = None,
    page: Whole = None,
    default_limit: int = 100,
    rates: Any = None,
) -> FigureQuery:
    """A listing of figures, newest first unless ``order`` is "value"; ``rates`` as for
    :func:`search_query`."""
    from veille.archive.search import FigureQuery

    filters = _filters(text, since, until, unit, metric, period, indicator, status, min_value, max_value)
    size, start = _page(limit, offset, page, default_limit, MAX_ROWS)
    article = (
        None if article_id is None or _blank(article_id) else _whole("article_id", article_id, 0, 1, 10**12)
    )
    return FigureQuery(
        **filters,
        org=_text("org", org, MAX_NAME),
        source=_text("source", source, MAX_SOURCE),
        article_id=article,
        limit=size,
        offset=start,
        order=_choice("order", order, FIGURE_ORDERS) or "date",
        exact_total=exact_total,
        copies=copies,
        mad_rates=mad_rates(filters["unit"], rates),
    )


def series_query(
    *,
    indicator: Text = None,
    status: Many = (),
    scope: Text = None,
    year_from: Whole = None,
    year_to: Whole = None,
    unit: Text = None,
    grain: Text = None,
    period: Text = None,
    per: Text = None,
) -> SeriesQuery:
    """Which points of the indicator series: ``scope`` is ``KIND:NAME`` (``country:Tunisie``), a
    kind (``zone``) or a name; ``unit`` a figure unit (money: ``MAD``, which EUR and USD are
    compared in); ``per`` "" for the points that are not rates."""
    from veille.archive.indicators import SeriesQuery
    from veille.core.models import PERS, SCOPE_KINDS
    from veille.core.period_labels import GRAINS

    kind, name = None, _text("scope", scope, MAX_NAME)
    if name is not None:
        head, sep, tail = name.partition(":")
        if sep:
            kind, name = _choice("scope_kind", head, SCOPE_KINDS), tail.strip() or None
        elif name in SCOPE_KINDS:
            kind, name = name, None
    first = None if _blank(year_from) else _whole("year_from", year_from, 0, *YEARS)
    last = None if _blank(year_to) else _whole("year_to", year_to, 0, *YEARS)
    _in_order("year_from", first, "year_to", last)
    picked = _choice("unit", unit, UNITS)
    return SeriesQuery(
        indicator=_indicator(indicator),
        statuses=tuple(s for s in _many(status) if _choice("status", s, STATUSES)),
        scope_kind=kind,
        scope=name,
        year_from=first,
        year_to=last,
        unit="MAD" if picked in ("EUR", "USD") else picked,
        grain=_choice("grain", grain, GRAINS),
        period=_text("period", period, MAX_PERIOD),
        per=None if per is None else (_choice("per", per, PERS) or ""),
    )


WATCH_STATUSES = ("actual", "announced")  # what a watch's figure filters fire on by default
_FIGURE_FILTERS = ("unit", "metric", "min_value", "max_value", "period", "indicator")


def watch_query(kind: str, params: Mapping[str, Any], *, rates: Any = None) -> SearchQuery | FigureQuery:
    """The query a watch runs: the search (``kind`` "search") or the figures listing ("figures")
    of ``params`` (the builders' field names), money in MAD counting EUR and USD through ``rates``;
    its figure filters fire on actual and announced figures unless ``params`` names statuses."""
    values = {k: v for k, v in params.items() if k not in ("limit", "offset", "page")}
    if kind == "figures" or any(not _blank(values.get(f)) for f in _FIGURE_FILTERS):
        if not _many(values.get("status")):
            values["status"] = WATCH_STATUSES
    if kind == "figures":
        return figure_query(**values, rates=rates)
    if kind != "search":
        raise ParameterError("kind", "choice", kind, choices=("search", "figures"))
    return search_query(**values, rates=rates)
