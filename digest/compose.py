"""Compose the week's digest from the archive: stories, key figures, organisations, totals.

Library first: :func:`compose` reads the archive (through :mod:`veille.archive.digests` and :mod:`digest.queries`) and
returns a frozen :class:`Digest`; :mod:`digest.message` turns it into an email. One
subscriber's themes/organisations filter their stories and figures; the editor's pinned
and excluded article ids (see :mod:`digest.review`) apply to everyone. The period is a
:class:`digest.period.Period`; key figures are picked by :mod:`digest.figures`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from digest import queries
from digest.documents import OfficialDocument, official_documents
from digest.figures import (
    UNIT_WEIGHT,
    KeyFigure,
    figure_score,
    figure_size,
    key_figures,
    text_fragment_url,
)
from digest.period import MONTHS, Period, PeriodError, last_complete_week, parse_period, week_period
from digest.queries import latest_week_with_articles
from digest.summary import summarize
from veille.archive.digests import ArticleRow, week_reads
from veille.archive.store import Store, fold
from veille.core.conf.digest import DigestConfig

__all__ = [
    "MONTHS",
    "UNIT_WEIGHT",
    "Digest",
    "KeyFigure",
    "OrgTrend",
    "Period",
    "PeriodError",
    "Story",
    "ThemeSection",
    "Totals",
    "compose",
    "figure_score",
    "figure_size",
    "last_complete_week",
    "latest_week_with_articles",
    "parse_period",
    "text_fragment_url",
    "week_period",
]


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
    documents: tuple[OfficialDocument, ...] = ()  # the week's new official documents (their own block)

    @property
    def stories(self) -> list[Story]:
        return [s for section in self.sections for s in section.stories]

    @property
    def empty(self) -> bool:
        return not self.sections and not self.figures and not self.documents

    @property
    def subject(self) -> str:
        return f"{self.title} — {self.period.label}"


def _story_score(rep: ArticleRow, copies: int, period: Period) -> float:
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
    with week_reads(store) as db:
        # the documents are listed in a block of their own (official_documents), not as stories
        rows = [
            r for r in db.articles(period.since, period.until, config.min_relevance) if r.kind == "article"
        ]
        have = {r.id for r in rows}
        rows += [r for r in db.articles_by_id(pinned) if r.id not in have]
        prev_rows = [
            r
            for r in db.articles(previous.since, previous.until, config.min_relevance)
            if r.kind == "article"
        ]
        mentions = db.org_mentions([r.id for r in rows])
        prev_mentions = db.org_mentions([r.id for r in prev_rows])
        followed_orgs = db.followed_org_ids(orgs)
        excluded_set, pinned_set = set(excluded), set(pinned)
        # whole syndication clusters go or stay together
        excluded_clusters = {r.cluster for r in rows if r.id in excluded_set}
        rows = [r for r in rows if r.cluster not in excluded_clusters or r.id in pinned_set]
        orgs_by_article: dict[int, set[int]] = defaultdict(set)
        for article_id, org_id, _ in mentions:
            orgs_by_article[article_id].add(org_id)

        def wanted(members: list[ArticleRow]) -> bool:
            if not theme_keys and not followed_orgs and not orgs:
                return True
            if theme_keys and any(fold(th) in theme_keys for m in members for th in m.themes):
                return True
            return any(orgs_by_article[m.id] & followed_orgs for m in members)

        stories, kept_articles = _stories(rows, period, config, theme_keys, pinned_set, wanted)
        stories.sort(key=lambda s: (not s.pinned, -s.score, s.published or period.since, s.article_id))
        top = stories[: max(config.top_stories, sum(s.pinned for s in stories))]
        by_id = {r.id: r for r in rows}
        top = [_with_summary(s, by_id[s.article_id]) for s in top]
        sections = _sections(top, config)
    all_figures = queries.figures(store, [r.id for r in rows])
    kept_ids = {r.id for r in kept_articles}
    top_figures = key_figures([f for f in all_figures if f.article_id in kept_ids], by_id, config.top_figures)
    prev_figure_count = len(queries.figures(store, [r.id for r in prev_rows]))
    organisations = _org_trends(mentions, prev_mentions, by_id, {r.id: r for r in prev_rows}, followed_orgs,
                                excluded_clusters, config.top_orgs)  # fmt: skip
    totals = Totals(len(rows), len(all_figures), len(prev_rows), prev_figure_count)
    return Digest(
        period=period,
        title=config.title,
        sections=sections,
        figures=top_figures,
        organisations=organisations,
        totals=totals,
        daily=_daily(rows, period, config),
        themes_filter=tuple(themes),
        orgs_filter=tuple(orgs),
        pinned=tuple(pinned),
        excluded=tuple(excluded),
        documents=official_documents(store, period, config.base_url),
    )


def _stories(
    rows: list[ArticleRow],
    period: Period,
    config: DigestConfig,
    theme_keys: set[str],
    pinned: set[int],
    wanted: Callable[[list[ArticleRow]], bool],
) -> tuple[list[Story], list[ArticleRow]]:
    """One story per syndication cluster the reader wants (or the editor pinned), told by its
    pinned article or its most relevant one; and every article of the clusters kept."""
    clusters: dict[int, list[ArticleRow]] = defaultdict(list)
    for r in rows:
        clusters[r.cluster].append(r)
    stories: list[Story] = []
    kept_articles: list[ArticleRow] = []
    for members in clusters.values():
        is_pinned = any(m.id in pinned for m in members)
        if not is_pinned and not wanted(members):
            continue
        kept_articles += members
        rep = (
            next(m for m in members if m.id in pinned)
            if is_pinned
            else max(members, key=lambda m: (m.relevance, not m.partial, len(m.text), -m.id))
        )
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
                other_sources=tuple(sorted({m.source for m in members if m.source != rep.source})),
                copies=len(members) - 1,
                pinned=is_pinned,
            )
        )
    return stories, kept_articles


def _primary_theme(
    rep: ArticleRow, members: list[ArticleRow], config: DigestConfig, wanted: set[str]
) -> str | None:
    candidates = list(dict.fromkeys(rep.themes + [th for m in members for th in m.themes]))
    if wanted:
        matching = [th for th in candidates if fold(th) in wanted]
        if matching:
            candidates = matching
    order = list(config.themes)
    candidates.sort(key=lambda th: order.index(th) if th in order else len(order))
    return candidates[0] if candidates else None


def _with_summary(story: Story, row: ArticleRow) -> Story:
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


def _per_cluster(
    mentions: list[tuple[int, int, str]], by_id: dict[int, ArticleRow], excluded_clusters: set[int]
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
    by_id: dict[int, ArticleRow],
    prev_by_id: dict[int, ArticleRow],
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
    rows: list[ArticleRow], period: Period, config: DigestConfig
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
