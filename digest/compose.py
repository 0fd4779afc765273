"""Compose the week's digest from the archive: stories, key figures, organisations, totals.

Library first: :func:`compose` reads the archive (SQLAlchemy Core on :mod:`veille.schema`)
and returns a frozen :class:`Digest`; :mod:`digest.message` turns it into an email. One
subscriber's themes/organisations filter their stories and figures; the editor's pinned
and excluded article ids (see :mod:`digest.review`) apply to everyone.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from digest.config import DigestConfig
from digest.summary import summarize
from veille import schema as t
from veille.errors import VeilleError
from veille.search import FigureQuery, FigureRow
from veille.search import figures as search_figures
from veille.store import Store, fold

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")  # fmt: skip
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")
_WINDOW = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class PeriodError(VeilleError):
    exit_code = 2


# -- periods -------------------------------------------------------------------------------
def _day(d: date) -> str:
    return "1er" if d.day == 1 else str(d.day)


@dataclass(frozen=True)
class Period:
    """An ISO week ("2026-W48") or a date window ("2026-11-01..2026-11-07"), ends inclusive."""

    id: str
    start: date
    end: date
    timezone: str = "Africa/Casablanca"

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


def week_period(day: date, timezone: str = "Africa/Casablanca") -> Period:
    year, week, weekday = day.isocalendar()
    start = day - timedelta(days=weekday - 1)
    return Period(f"{year}-W{week:02d}", start, start + timedelta(days=6), timezone)


def parse_period(value: str, timezone: str = "Africa/Casablanca") -> Period:
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


def last_complete_week(now: datetime, timezone: str = "Africa/Casablanca") -> Period:
    """The ISO week that ended most recently before ``now`` (Monday 08:00 -> last week)."""
    local = now.astimezone(ZoneInfo(timezone)).date()
    return week_period(local - timedelta(days=local.isoweekday()), timezone)


# -- the digest ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Story:
    article_id: int
    title: str
    source: str
    published: datetime | None
    url: str
    summary: str
    theme: str | None
    theme_label: str
    relevance: float
    score: float
    other_sources: tuple[str, ...] = ()
    copies: int = 0
    pinned: bool = False

    @property
    def syndication_note(self) -> str:
        n = len(self.other_sources)
        if n == 0:
            return ""
        return f"repris par {n} autre source" if n == 1 else f"repris par {n} autres sources"


@dataclass(frozen=True)
class ThemeSection:
    theme: str | None
    label: str
    stories: tuple[Story, ...]


@dataclass(frozen=True)
class KeyFigure:
    article_id: int
    value: float
    unit: str
    formatted: str  # French, with unit: "18,5 milliards DH"
    metric: str | None
    period: str | None
    organisations: tuple[str, ...]
    sentence: str
    url: str  # the article at the sentence (text fragment)
    article_title: str
    source: str
    score: float


@dataclass(frozen=True)
class OrgTrend:
    name: str
    mentions: int
    articles: int
    previous: int
    followed: bool = False

    @property
    def change(self) -> int:
        return self.mentions - self.previous

    @property
    def change_label(self) -> str:
        if self.previous == 0:
            return "nouveau"
        return "=" if self.change == 0 else f"{self.change:+d}"


@dataclass(frozen=True)
class Totals:
    articles: int
    figures: int
    previous_articles: int
    previous_figures: int

    @staticmethod
    def _delta(now: int, before: int) -> str:
        if before == 0:
            return "" if now == 0 else "nouveau"
        pct = round(100 * (now - before) / before)
        return "stable" if pct == 0 else f"{pct:+d} %".replace("-", "−")

    @property
    def articles_change(self) -> str:
        return self._delta(self.articles, self.previous_articles)

    @property
    def figures_change(self) -> str:
        return self._delta(self.figures, self.previous_figures)


@dataclass(frozen=True)
class Digest:
    period: Period
    title: str
    sections: tuple[ThemeSection, ...]
    figures: tuple[KeyFigure, ...]
    organisations: tuple[OrgTrend, ...]
    totals: Totals
    daily: tuple[tuple[date, tuple[tuple[str, int], ...]], ...]  # (day, ((theme label, n), ...))
    themes_filter: tuple[str, ...] = ()
    orgs_filter: tuple[str, ...] = ()
    pinned: tuple[int, ...] = ()
    excluded: tuple[int, ...] = ()

    @property
    def stories(self) -> list[Story]:
        return [s for section in self.sections for s in section.stories]

    @property
    def empty(self) -> bool:
        return not self.sections and not self.figures

    @property
    def subject(self) -> str:
        return f"{self.title} — {self.period.label}"


@dataclass
class _Row:
    id: int
    url: str
    source: str
    title: str
    lead: str | None
    text: str
    published: datetime | None
    relevance: float
    themes: list[str]
    cluster: int
    partial: bool


# -- archive queries -----------------------------------------------------------------------
LOCAL_TZ = ZoneInfo("Africa/Casablanca")


def _aware(value: datetime | None) -> datetime | None:
    """The store returns aware UTC datetimes; a naive value (older rows) is read as local time."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


_COLUMNS = (
    t.articles.c.id, t.articles.c.url, t.articles.c.canonical_url, t.articles.c.source, t.articles.c.title,
    t.articles.c.lead, t.articles.c.text, t.articles.c.published, t.articles.c.created_at,
    t.articles.c.relevance, t.articles.c.themes, t.articles.c.cluster_id, t.articles.c.partial,
)  # fmt: skip


def _to_row(r: Any) -> _Row:
    return _Row(
        id=r.id,
        url=r.canonical_url or r.url,
        source=r.source,
        title=r.title or "(sans titre)",
        lead=r.lead,
        text=r.text or "",
        published=_aware(r.published or r.created_at),
        relevance=float(r.relevance or 0.0),
        themes=list(r.themes or []),
        cluster=r.cluster_id or r.id,
        partial=bool(r.partial),
    )


def _articles(conn: Any, period: Period, min_relevance: float) -> list[_Row]:
    when = func.coalesce(t.articles.c.published, t.articles.c.created_at)
    pad = timedelta(days=1)  # SQLite keeps no offset: widen in SQL, filter exactly in Python
    q = select(*_COLUMNS).where(
        when >= period.since.astimezone(UTC) - pad,
        when < period.until.astimezone(UTC) + pad,
        t.articles.c.relevance >= min_relevance,
    )
    rows = [_to_row(r) for r in conn.execute(q)]
    return [r for r in rows if r.published and period.since <= r.published < period.until]


def _articles_by_id(conn: Any, ids: Iterable[int]) -> list[_Row]:
    wanted = list(ids)
    if not wanted:
        return []
    return [_to_row(r) for r in conn.execute(select(*_COLUMNS).where(t.articles.c.id.in_(wanted)))]


def _org_mentions(conn: Any, article_ids: Sequence[int]) -> list[tuple[int, int, str]]:
    """(article_id, org_id, org name) for each mention."""
    out: list[tuple[int, int, str]] = []
    for i in range(0, len(article_ids), 500):
        q = (
            select(t.org_mentions.c.article_id, t.organisations.c.id, t.organisations.c.name)
            .join(t.organisations, t.organisations.c.id == t.org_mentions.c.org_id)
            .where(t.org_mentions.c.article_id.in_(article_ids[i : i + 500]))
        )
        out += [(a, o, n) for a, o, n in conn.execute(q)]
    return out


def _org_keys(conn: Any, wanted: Sequence[str]) -> set[int]:
    """Ids of the organisations a subscriber follows (name, acronym or any alias, accent-folded)."""
    keys = {fold(w) for w in wanted if w.strip()}
    if not keys:
        return set()
    q = (
        select(t.organisations.c.id)
        .outerjoin(t.org_aliases, t.org_aliases.c.org_id == t.organisations.c.id)
        .where(or_(t.org_aliases.c.alias_key.in_(keys), func.lower(t.organisations.c.name).in_(keys)))
    )
    ids = set(conn.scalars(q))
    for org_id, name, acronym in conn.execute(
        select(t.organisations.c.id, t.organisations.c.name, t.organisations.c.acronym)
    ):
        if fold(name) in keys or (acronym and fold(acronym) in keys):
            ids.add(org_id)
    return ids


def _figures(store: Store, period: Period, article_ids: Iterable[int]) -> list[FigureRow]:
    """The figures of these articles, through the core's one :func:`veille.search.figures`."""
    ids = set(article_ids)
    if not ids:
        return []
    rows: list[FigureRow] = []
    offset = 0
    while True:  # a day of margin each side: the article set is already exact
        q = FigureQuery(since=period.start - timedelta(days=1), until=period.end + timedelta(days=1),
                        limit=1000, offset=offset)  # fmt: skip
        result = search_figures(store, q)
        rows += [r for r in result.rows if r.article_id in ids]
        offset += 1000
        if offset >= result.total:
            break
    for article_id in ids - {r.article_id for r in rows}:  # pinned from outside the period
        rows += search_figures(store, FigureQuery(article_id=article_id, limit=1000)).rows
    return rows


# -- ranking -------------------------------------------------------------------------------
UNIT_WEIGHT = {
    "MAD": 1.0,
    "EUR": 1.0,
    "USD": 1.0,
    "jobs": 0.95,
    "seats": 0.6,
    "percent": 0.7,
    "m2": 0.5,
    "count": 0.35,
}
_TO_MAD = {"MAD": 1.0, "EUR": 10.8, "USD": 10.0}


def figure_size(value: float, unit: str) -> float:
    """How big a figure is for its kind, about 0..1 (10 milliards DH ~ 1, 100 000 emplois ~ 1)."""
    v = abs(value)
    if unit in _TO_MAD:
        return max(0.0, math.log10(max(v * _TO_MAD[unit], 1.0)) - 4) / 6
    if unit == "jobs":
        return math.log10(max(v, 1.0)) / 5
    if unit == "seats":
        return math.log10(max(v, 1.0)) / 4.5
    if unit == "percent":
        return min(v / 25, 1.0) * 0.6 + 0.3
    if unit == "m2":
        return math.log10(max(v, 1.0)) / 6
    return math.log10(max(v, 1.0)) / 4


def figure_score(f: Any, relevance: float) -> float:
    size = min(figure_size(float(f.value), f.unit), 1.2)
    score = UNIT_WEIGHT.get(f.unit, 0.3) * (0.4 + 0.6 * size) * (0.5 + min(relevance, 1.0))
    if f.metric:
        score += 0.15
    if f.organisations:
        score += 0.05
    if f.approx:
        score -= 0.05
    return round(score, 6)


def text_fragment_url(url: str, sentence: str) -> str:
    """``url#:~:text=start,end`` pointing at the sentence (scroll-to-text fragment)."""
    words = sentence.split()
    if not url or not words:
        return url

    def enc(ws: list[str]) -> str:
        return quote(" ".join(ws), safe="").replace("-", "%2D")

    base = url.split("#", 1)[0]
    if len(words) <= 8:
        return f"{base}#:~:text={enc(words)}"
    return f"{base}#:~:text={enc(words[:4])},{enc(words[-4:])}"


def _story_score(rep: _Row, copies: int, period: Period) -> float:
    published = rep.published or period.since
    age_days = max(0.0, (period.until - published).total_seconds() / 86400)
    recency = 1.0 - 0.04 * min(age_days, 7)  # the end of the week counts a little more
    return round(rep.relevance * recency * (1 + 0.15 * math.log1p(copies)), 6)


# -- compose -------------------------------------------------------------------------------
def compose(
    store: Store,
    config: DigestConfig,
    period: Period | str,
    *,
    themes: Sequence[str] = (),
    orgs: Sequence[str] = (),
    pinned: Sequence[int] = (),
    excluded: Sequence[int] = (),
) -> Digest:
    """The digest of ``period`` for a reader following ``themes``/``orgs`` (empty: everything)."""
    if isinstance(period, str):
        period = parse_period(period, config.timezone)
    previous = period.previous()
    theme_keys = {fold(x) for x in themes}
    with store.engine.connect() as conn:
        rows = _articles(conn, period, config.min_relevance)
        have = {r.id for r in rows}
        rows += [r for r in _articles_by_id(conn, pinned) if r.id not in have]
        prev_rows = _articles(conn, previous, config.min_relevance)
        mentions = _org_mentions(conn, [r.id for r in rows])
        prev_mentions = _org_mentions(conn, [r.id for r in prev_rows])
        followed_orgs = _org_keys(conn, orgs)
        excluded_set, pinned_set = set(excluded), set(pinned)
        # whole syndication clusters go or stay together
        excluded_clusters = {r.cluster for r in rows if r.id in excluded_set}
        rows = [r for r in rows if r.cluster not in excluded_clusters or r.id in pinned_set]
        clusters: dict[int, list[_Row]] = defaultdict(list)
        for r in rows:
            clusters[r.cluster].append(r)
        orgs_by_article: dict[int, set[int]] = defaultdict(set)
        for article_id, org_id, _ in mentions:
            orgs_by_article[article_id].add(org_id)

        def wanted(members: list[_Row]) -> bool:
            if not theme_keys and not followed_orgs and not orgs:
                return True
            if theme_keys and any(fold(th) in theme_keys for m in members for th in m.themes):
                return True
            return any(orgs_by_article[m.id] & followed_orgs for m in members)

        stories: list[Story] = []
        kept_articles: list[_Row] = []
        for members in clusters.values():
            is_pinned = any(m.id in pinned_set for m in members)
            if not is_pinned and not wanted(members):
                continue
            kept_articles += members
            rep = (
                next(m for m in members if m.id in pinned_set)
                if is_pinned
                else max(members, key=lambda m: (m.relevance, not m.partial, len(m.text), -m.id))
            )
            others = tuple(sorted({m.source for m in members if m.source != rep.source}))
            theme = _primary_theme(rep, members, config, theme_keys)
            stories.append(
                Story(
                    article_id=rep.id,
                    title=rep.title,
                    source=rep.source,
                    published=rep.published,
                    url=rep.url,
                    summary="",
                    theme=theme,
                    theme_label=config.theme_label(theme),
                    relevance=rep.relevance,
                    score=_story_score(rep, len(members) - 1, period),
                    other_sources=others,
                    copies=len(members) - 1,
                    pinned=is_pinned,
                )
            )
        stories.sort(key=lambda s: (not s.pinned, -s.score, s.published or period.since, s.article_id))
        top = stories[: max(config.top_stories, sum(s.pinned for s in stories))]
        by_id = {r.id: r for r in rows}
        top = [_with_summary(s, by_id[s.article_id]) for s in top]
        sections = _sections(top, config)
    all_figures = _figures(store, period, [r.id for r in rows])
    kept_ids = {r.id for r in kept_articles}
    key_figures = _key_figures(
        [f for f in all_figures if f.article_id in kept_ids], by_id, config.top_figures
    )
    prev_figure_count = len(_figures(store, previous, [r.id for r in prev_rows]))
    organisations = _org_trends(mentions, prev_mentions, by_id, {r.id: r for r in prev_rows}, followed_orgs,
                                excluded_clusters, config.top_orgs)  # fmt: skip
    totals = Totals(len(rows), len(all_figures), len(prev_rows), prev_figure_count)
    return Digest(
        period=period,
        title=config.title,
        sections=sections,
        figures=key_figures,
        organisations=organisations,
        totals=totals,
        daily=_daily(rows, period, config),
        themes_filter=tuple(themes),
        orgs_filter=tuple(orgs),
        pinned=tuple(pinned),
        excluded=tuple(excluded),
    )


def _primary_theme(rep: _Row, members: list[_Row], config: DigestConfig, wanted: set[str]) -> str | None:
    candidates = list(dict.fromkeys(rep.themes + [th for m in members for th in m.themes]))
    if wanted:
        matching = [th for th in candidates if fold(th) in wanted]
        if matching:
            candidates = matching
    order = list(config.themes)
    candidates.sort(key=lambda th: order.index(th) if th in order else len(order))
    return candidates[0] if candidates else None


def _with_summary(story: Story, row: _Row) -> Story:
    return replace(story, summary=summarize(row.text, row.lead))


def _sections(stories: list[Story], config: DigestConfig) -> tuple[ThemeSection, ...]:
    grouped: dict[str | None, list[Story]] = defaultdict(list)
    for s in stories:
        grouped[s.theme].append(s)
    order = list(config.themes)

    def key(theme: str | None) -> tuple[int, float, str]:
        rank = order.index(theme) if theme in order else (len(order) + 1 if theme is None else len(order))
        return (rank, -max(s.score for s in grouped[theme]), theme or "")

    return tuple(
        ThemeSection(theme, config.theme_label(theme), tuple(grouped[theme]))
        for theme in sorted(grouped, key=key)
    )


def _key_figures(figure_rows: list[FigureRow], by_id: dict[int, _Row], top: int) -> tuple[KeyFigure, ...]:
    """The week's most telling figures: best first, one fact once, a spread of stories and units.

    A value repeated in one story (title, lead, body, syndicated copies) is one fact; no
    story gives more than two figures and no unit more than half of the block, so a
    single figure-heavy article cannot fill "Chiffres clés" on its own.
    """
    best: dict[tuple[str, float, int], KeyFigure] = {}
    for f in figure_rows:
        article = by_id.get(f.article_id)
        if article is None:
            continue
        score = figure_score(f, article.relevance)
        value = float(f.value)
        rounded = float(f"{value:.3g}") if value else 0.0
        key = (f.unit, rounded, article.cluster)
        sentence = " ".join((f.sentence or "").split())
        kf = KeyFigure(
            article_id=article.id,
            value=value,
            unit=f.unit,
            formatted=f.formatted,
            metric=f.metric,
            period=f.period,
            organisations=tuple(f.organisations or ()),
            sentence=sentence,
            url=text_fragment_url(article.url, sentence or f.text),
            article_title=article.title,
            source=article.source,
            score=score,
        )
        if key not in best or (score, -kf.article_id) > (best[key].score, -best[key].article_id):
            best[key] = kf
    ranked = sorted(best.values(), key=lambda k: (-k.score, -k.value, k.article_id))
    per_story: Counter[int] = Counter()
    per_unit: Counter[str] = Counter()
    seen: set[tuple[str, float, str]] = set()
    unit_cap = max(1, math.ceil(top / 2))
    chosen: list[KeyFigure] = []
    for kf in ranked:
        cluster = by_id[kf.article_id].cluster
        fact = (kf.unit, float(f"{kf.value:.3g}") if kf.value else 0.0, fold(kf.metric or ""))
        if per_story[cluster] >= 2 or per_unit[kf.unit] >= unit_cap or (fact[2] and fact in seen):
            continue
        chosen.append(kf)
        per_story[cluster] += 1
        per_unit[kf.unit] += 1
        seen.add(fact)
        if len(chosen) == top:
            break
    return tuple(chosen)


def _per_cluster(
    mentions: list[tuple[int, int, str]], by_id: dict[int, _Row], excluded_clusters: set[int]
) -> tuple[Counter[int], dict[int, set[int]], dict[int, str]]:
    """Mentions per organisation, a syndicated story counted once (its copy naming it most)."""
    per: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)  # (org, cluster) -> article -> n
    names: dict[int, str] = {}
    for article_id, org_id, name in mentions:
        row = by_id.get(article_id)
        if row is None or row.cluster in excluded_clusters:
            continue
        per[(org_id, row.cluster)][article_id] += 1
        names[org_id] = name
    count: Counter[int] = Counter()
    stories: dict[int, set[int]] = defaultdict(set)
    for (org_id, cluster), by_article in per.items():
        count[org_id] += max(by_article.values())
        stories[org_id].add(cluster)
    return count, stories, names


def _org_trends(
    mentions: list[tuple[int, int, str]],
    prev_mentions: list[tuple[int, int, str]],
    by_id: dict[int, _Row],
    prev_by_id: dict[int, _Row],
    followed: set[int],
    excluded_clusters: set[int],
    top: int,
) -> tuple[OrgTrend, ...]:
    count, stories, names = _per_cluster(mentions, by_id, excluded_clusters)
    before, _, _ = _per_cluster(prev_mentions, prev_by_id, set())
    trends = [OrgTrend(names[o], count[o], len(stories[o]), before[o], followed=o in followed) for o in count]
    trends.sort(key=lambda tr: (-tr.articles, -tr.mentions, fold(tr.name)))
    chosen = trends[:top]
    chosen += [tr for tr in trends[top:] if tr.followed]
    return tuple(chosen)


def _daily(
    rows: list[_Row], period: Period, config: DigestConfig
) -> tuple[tuple[date, tuple[tuple[str, int], ...]], ...]:
    tz = ZoneInfo(period.timezone)
    per_day: dict[date, Counter[str]] = {d: Counter() for d in period.days}
    order = list(config.themes)
    for r in rows:
        if r.published is None:
            continue
        day = r.published.astimezone(tz).date()
        if day in per_day:
            theme = sorted(r.themes, key=lambda th: order.index(th) if th in order else len(order))
            per_day[day][config.theme_label(theme[0] if theme else None)] += 1
    return tuple((d, tuple(sorted(c.items()))) for d, c in per_day.items())


def latest_week_with_articles(store: Store, timezone: str = "Africa/Casablanca") -> str | None:
    """The ISO week id ("2026-W48") of the most recently published article, or None."""
    with store.engine.connect() as conn:
        latest = conn.scalar(select(func.max(t.articles.c.published)))
    if latest is None:
        return None
    return week_period(_aware(latest).astimezone(ZoneInfo(timezone)).date(), timezone).id  # type: ignore[union-attr]
