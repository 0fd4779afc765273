"""What a study says: for each indicator, the points of one scope, unit and grain over the
period (read through :mod:`veille.archive.indicators`, with their citations), the points whose
citations gave several values and which value the rule kept, and the articles cited. French
words and French numbers (:mod:`veille.core.formatting`) are set here, once, for every format."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from veille.archive.indicators import ScopeCount, SeriesQuery, scopes, series
from veille.archive.store import Store
from veille.core.clock import utcnow
from veille.core.errors import VeilleError
from veille.core.formatting import (
    RULE_LABELS,
    SCOPE_KIND_LABELS,
    format_date,
    format_value,
    indicator_label,
    period_label,
    status_label,
)
from veille.core.period_labels import GRAINS, period_years
from veille.core.series import Citation, Point, SeriesRule
from veille.core.taxonomy import load_taxonomy

STATUS_ORDER = {"actual": 0, "target": 1, "forecast": 2, "announced": 3}
GRAIN_TITLES = {"half": "par semestre", "quarter": "par trimestre", "span": "sur plusieurs années"}
MOST_INDICATORS = 20


class StudyError(VeilleError):
    """A study that cannot be made: an unknown indicator, a period the wrong way round (exit 2),
    or a period with no point at all (exit 1)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Row:
    """One point as the report's tables show it."""

    period: str
    status: str
    value: str
    rule: str
    spread: str
    citations: int
    progress: str
    conflict: bool


@dataclass(frozen=True)
class Settled:
    """A point whose citations gave several values: the one kept, why, and the others."""

    indicator: str
    period: str
    status: str
    chosen: str
    how: str
    others: tuple[str, ...]
    conflict: bool
    disagreeing: tuple[str, ...]  # the disagreeing citations: outlet, date, value


@dataclass(frozen=True)
class Source:
    outlet: str
    title: str
    date: str
    url: str


@dataclass(frozen=True)
class Section:
    """One indicator's points of one grain (its years; then, in sections of their own, its
    halves, quarters and multi-year periods): ``key`` names its anchor and its chart's file."""

    key: str
    label: str
    definition: str
    scope: str  # "pays : Maroc"
    place: str  # "Maroc"
    unit: str
    points: tuple[Point, ...]
    rows: tuple[Row, ...]
    settled: tuple[Settled, ...]
    indicator: str = ""
    grain: str = "year"

    @property
    def title(self) -> str:
        title = f"{self.label} — {self.place}" if self.place else self.label
        return f"{title}, {GRAIN_TITLES[self.grain]}" if self.grain in GRAIN_TITLES else title


@dataclass(frozen=True)
class Study:
    title: str
    year_from: int
    year_to: int
    made: datetime
    sections: tuple[Section, ...]
    sources: tuple[Source, ...]
    rates_source: str

    @property
    def period(self) -> str:
        return f"{self.year_from}–{self.year_to}"

    @property
    def labels(self) -> str:
        """The indicators studied, by their labels, each once."""
        return ", ".join(dict.fromkeys(s.label for s in self.sections))

    @property
    def indicators(self) -> list[str]:
        """The indicator keys studied, in order (an indicator may have several sections)."""
        return list(dict.fromkeys(s.indicator or s.key for s in self.sections))

    @property
    def settled(self) -> list[Settled]:
        return [s for section in self.sections for s in section.settled]


def default_scope(found: Sequence[ScopeCount], rule: SeriesRule) -> ScopeCount | None:
    """The default country's scope when it has figures, else the scope with the most."""
    home = [s for s in found if (s.kind, s.name) == ("country", rule.default_country)]
    return home[0] if home else (found[0] if found else None)


def pick(points: Iterable[Point], attr: str, asked: str | None, preferred: str | None) -> str | None:
    """The unit or grain shown: the one asked for, else ``preferred`` if the points have it, else
    the one with the most citations."""
    counts: Counter[str] = Counter()
    for p in points:
        counts[getattr(p, attr)] += p.citations_count
    if asked:
        return asked
    if preferred in counts:
        return preferred
    return counts.most_common(1)[0][0] if counts else None


def check_request(keys: Sequence[str], year_from: int, year_to: int) -> list[str]:
    """The indicator keys, each once, in order; one line for an unknown key or a wrong period."""
    known = load_taxonomy().indicators
    if not keys:
        raise StudyError("une étude porte sur au moins un indicateur (voir config/indicators.toml)")
    if len(set(keys)) > MOST_INDICATORS:
        raise StudyError(f"une étude porte sur {MOST_INDICATORS} indicateurs au plus")
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise StudyError(f"indicateur inconnu : {', '.join(unknown)} (connus : {', '.join(sorted(known))})")
    if year_from > year_to:
        raise StudyError(f"période vide : --from {year_from} est après --to {year_to}")
    return list(dict.fromkeys(keys))


def build_study(
    store: Store,
    rule: SeriesRule,
    keys: Sequence[str],
    year_from: int,
    year_to: int,
    *,
    scope: tuple[str, str] | None = None,
    outlets: Mapping[str, str] | None = None,
    rates_source: str = "",
    made: datetime | None = None,
) -> Study:
    """The study of these indicators over the years ``year_from``..``year_to`` (of one scope, KIND
    and NAME, else each indicator's default: the default country, or the scope with the most
    figures); a :class:`StudyError` for an unknown indicator, a wrong period, or no point at all."""
    keys = check_request(keys, year_from, year_to)
    names = dict(outlets or {})
    sections = [s for key in keys for s in _sections(store, rule, key, (year_from, year_to), scope, names)]
    if not any(s.points for s in sections):
        raise StudyError(
            f"aucun point entre {year_from} et {year_to} pour {', '.join(keys)} : rien à étudier", exit_code=1
        )
    labels = ", ".join(dict.fromkeys(s.label for s in sections))
    return Study(
        title=f"{labels} ({year_from}–{year_to})", year_from=year_from, year_to=year_to,
        made=made or utcnow(), sections=tuple(sections),
        sources=tuple(_sources((c for s in sections for p in s.points for c in p.citations), names)),
        rates_source=rates_source,
    )  # fmt: skip


def _sections(
    store: Store,
    rule: SeriesRule,
    key: str,
    years: tuple[int, int],
    scope: tuple[str, str] | None,
    outlets: Mapping[str, str],
) -> list[Section]:
    """The indicator's sections: its years first, then its halves, quarters and multi-year
    periods, each apart (a year is never made of its quarters); the targets due after the
    period's last year, set by an article of the period, are shown with their horizon."""
    if scope is None:
        found = default_scope(scopes(store, rule, key), rule)
        scope = (found.kind, found.name) if found else ("country", rule.default_country)
    q = SeriesQuery(indicator=key, scope_kind=scope[0], scope=scope[1], year_from=years[0], year_to=years[1])
    every = series(store, q, rule, with_citations=True)
    every += _later_targets(store, rule, q, {p.key for p in every}, years[1])
    unit = pick(every, "unit", None, None)
    in_unit = [p for p in every if p.unit == unit]
    grains = [g for g in GRAINS if any(p.grain == g for p in in_unit)] or ["year"]
    label = indicator_label(key)
    out = []
    for grain in grains:
        points = sorted(
            (p for p in in_unit if p.grain == grain), key=lambda p: (STATUS_ORDER.get(p.status, 9), p.period)
        )
        out.append(
            Section(
                key=key if grain == grains[0] else f"{key}-{grain}",
                label=label,
                definition=load_taxonomy().indicators[key].definition,
                scope=f"{SCOPE_KIND_LABELS.get(scope[0], scope[0])} : {scope[1]}",
                place=scope[1],
                unit=unit or "",
                points=tuple(points),
                rows=tuple(row(p, years[1]) for p in points),
                settled=tuple(settled(p, label, outlets) for p in points if len(p.values) > 1),
                indicator=key,
                grain=grain,
            )  # fmt: skip
        )
    return out


def _later_targets(
    store: Store, rule: SeriesRule, q: SeriesQuery, known: set[tuple[str, ...]], year_to: int
) -> list[Point]:
    """The targets due after the period's last year that an article published by then set."""
    later = replace(q, statuses=("target",), year_to=None)
    return [
        p
        for p in series(store, later, rule, with_citations=True)
        if p.key not in known
        and any(c.published is not None and c.published.year <= year_to for c in p.citations)
    ]


def shown(value: float, p: Point, range_max: float | None = None) -> str:
    return format_value(value, p.unit, range_max=range_max, per=p.per)


def row(p: Point, year_to: int | None = None) -> Row:
    """The point as the tables show it; a target due after ``year_to`` says its horizon."""
    status = status_label(p.status)
    years = period_years(p.period)
    if p.status == "target" and year_to is not None and years is not None and years[1] > year_to:
        status = f"{status} à l'horizon {period_label(p.period)}"
    progress = ""
    if p.progress is not None:
        share = p.progress.share
        reached = f"{format_value(share * 100, 'percent')} atteint" if share is not None else "atteint"
        progress = f"{reached} ({shown(p.progress.value, p)} en {period_label(p.progress.period)})"
    return Row(
        period=period_label(p.period), status=status, value=shown(p.value, p, p.range_max),
        rule=RULE_LABELS.get(p.rule, p.rule), spread="" if p.low == p.high else f"{shown(p.low, p)} – {shown(p.high, p)}",
        citations=p.citations_count, progress=progress, conflict=p.conflict,
    )  # fmt: skip


_HOW = {
    "official": "valeur d'une source officielle, retenue avant les autres",
    "most_cited": "valeur citée par le plus d'articles ({stories})",
    "most_recent": "à nombre d'articles égal, la valeur publiée le plus récemment",
    "tie": "égalité complète : la plus petite valeur",
}


def _articles(n: int) -> str:
    return f"{n} article{'s' if n > 1 else ''}"


def settled(p: Point, label: str, outlets: Mapping[str, str] | None = None) -> Settled:
    """How the rule settled a point with several values (each outlet by its display name)."""
    names = outlets or {}
    chosen, others = p.values[0], p.values[1:]
    how = _HOW.get(p.rule, RULE_LABELS.get(p.rule, p.rule)).format(stories=_articles(chosen.stories))
    return Settled(
        indicator=label, period=period_label(p.period), status=status_label(p.status),
        chosen=shown(chosen.value, p, chosen.range_max), how=how,
        others=tuple(f"{shown(v.value, p, v.range_max)} ({_articles(v.stories)}"
                     f"{', officielle' if v.official else ''}{', en désaccord' if not v.agrees else ''})"
                     for v in others),
        conflict=p.conflict,
        disagreeing=tuple(f"{names.get(c.source, c.source)}, {format_date(c.published)} : "
                          f"{format_value(c.value, c.unit, approx=c.approx, qualifier=c.qualifier, range_max=c.range_max, per=c.per)}"
                          for c in p.disagreeing),
    )  # fmt: skip


def _sources(cited: Iterable[Citation], outlets: Mapping[str, str]) -> list[Source]:
    """The articles cited, once each, oldest first."""
    seen: dict[int, Citation] = {}
    for c in cited:
        seen.setdefault(c.article_id, c)
    ordered = sorted(seen.values(), key=lambda c: (c.published is None, c.published or datetime.min, c.url))
    return [
        Source(outlets.get(c.source, c.source), c.title, format_date(c.published), c.url) for c in ordered
    ]
