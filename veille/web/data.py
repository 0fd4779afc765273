"""The health of each source, for the web's sources page: ``config/sources.toml``, the run
ledger and the archive's counts, put together (the archive's own reads are in
:mod:`veille.archive`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from veille.archive.store import Store
from veille.core.config import Settings
from veille.core.errors import VeilleError

# -- sources ------------------------------------------------------------------------------

STATUS_LABELS = {
    "ok": "en bonne santé",
    "warning": "à surveiller",
    "down": "en panne",
    "unknown": "jamais collectée",
    "disabled": "désactivée",
}
RUN_STATUS = {
    "ok": "terminée",
    "running": "en cours",
    "failed": "échec",
    "partial": "terminée avec des erreurs",
    "interrupted": "interrompue",
}


@dataclass
class SourceHealth:
    name: str
    kind: str | None = None
    label: str | None = None
    urls: tuple[str, ...] = ()
    enabled: bool = True
    configured: bool = True
    status: str = "unknown"
    last_run: datetime | None = None
    fetched: int | None = None
    new: int | None = None
    errors: int | None = None
    articles: int = 0
    runs: list[dict[str, Any]] = field(default_factory=list)
    running: bool = False

    @property
    def display_name(self) -> str:
        return self.label or self.name

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def configured_sources(settings: Settings) -> tuple[list[Any], str | None]:
    """The sources of ``sources.toml`` and, if it cannot be read, why (shown on the page)."""
    from veille.core.sources import load_sources

    path = settings.path("sources.toml")
    if not path.exists():
        return [], None
    try:
        return load_sources(path), None
    except VeilleError as exc:
        return [], str(exc)


def _health(line: dict[str, Any] | None) -> str:
    if line is None:
        return "unknown"
    errors, fetched = int(line.get("errors") or 0), int(line.get("fetched") or 0)
    if errors and not fetched:
        return "down"
    if errors or not fetched:
        return "warning"
    return "ok"


def source_health(
    settings: Settings, store: Store, runs_limit: int = 50
) -> tuple[list[SourceHealth], str | None]:
    """One line per configured source (then per source seen only in the archive or the ledger).
    A run left running by a dead process is marked interrupted first: never shown "en cours"."""
    from veille.archive.search import SearchQuery, search, source_counts

    store.mark_interrupted_runs()
    sources, problem = configured_sources(settings)
    by_name: dict[str, SourceHealth] = {
        s.name: SourceHealth(name=s.name, kind=s.kind, label=s.label, urls=tuple(s.urls), enabled=s.enabled)
        for s in sources
    }
    runs = store.runs(limit=runs_limit)
    for run in runs:  # newest first
        for line in run.get("sources", []):
            name = line["source"]
            health = by_name.get(name)
            if health is None:
                health = by_name[name] = SourceHealth(name=name, configured=False)
            health.runs.append(
                {
                    **line,
                    "started_at": run["started_at"],
                    "finished_at": run.get("finished_at"),
                    "status_label": RUN_STATUS.get(run["status"], run["status"]),
                    "drop_reasons": sorted((line.get("drop_reasons") or {}).items()),
                    "error_messages": list(line.get("error_messages") or [])[-5:],
                }
            )
    archived = source_counts(store)  # exact, whatever the archive's size (facets may be a sample)
    for name in archived:
        by_name.setdefault(name, SourceHealth(name=name, configured=False))
    for health in by_name.values():
        if health.name in archived:
            health.articles = archived[health.name]
        else:
            health.articles = search(
                store, SearchQuery(sources=(health.name,), limit=1, one_per_cluster=False), with_facets=False
            ).total
        latest = health.runs[0] if health.runs else None
        if latest is not None:
            health.last_run = latest["started_at"]
            health.fetched, health.new, health.errors = latest["fetched"], latest["new"], latest["errors"]
        health.status = "disabled" if not health.enabled else _health(latest)
    return list(by_name.values()), problem
