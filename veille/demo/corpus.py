"""The demo site's corpus: one TOML file per article in ``veille/demo/corpus/``, read and validated.

Each ``NNN-slug.toml`` holds one invented article of "Atlas Éco" (about 27 on the
offshoring and digital sector, about 9 off-topic ones a relevance filter should drop, and
one syndicated wire story published twice). :func:`load_corpus` checks every field and
returns :class:`DemoArticle` objects, newest first; a bad file raises
:class:`DemoCorpusError` naming it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from veille.demo.errors import DemoCorpusError

CORPUS_DIR = Path(__file__).parent / "corpus"


# Section slug -> label shown in the navigation bar and breadcrumbs.
SECTIONS: dict[str, str] = {
    "economie": "Économie",
    "technologie": "Technologie",
    "emploi": "Emploi",
    "entreprises": "Entreprises",
    "societe": "Société",
    "sport": "Sport",
    "culture": "Culture",
    "immobilier": "Immobilier",
    "tourisme": "Tourisme",
    "lifestyle": "Art de vivre",
}

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FILE = re.compile(r"^\d{3}-(?P<slug>[a-z0-9-]+)\.toml$")
_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "slug": str,
    "title": str,
    "section": str,
    "author": str,
    "published": (str, datetime),
    "lead": str,
    "body": str,
    "tags": list,
    "in_rss": bool,
    "in_atom": bool,
    "sector": bool,
}
_OPTIONAL: dict[str, type | tuple[type, ...]] = {"updated": (str, datetime)}


@dataclass(frozen=True, slots=True)
class DemoArticle:
    """One article of the demo corpus, as read from its TOML file."""

    slug: str
    title: str
    section: str
    author: str
    published: datetime  # timezone-aware
    lead: str
    body: str  # paragraphs separated by blank lines; a "## " paragraph is a subheading
    tags: tuple[str, ...]
    in_rss: bool
    in_atom: bool
    sector: bool  # True for offshoring / digital-sector news, False for off-topic items
    updated: datetime | None = None
    source: str = ""  # the TOML file it came from

    @property
    def path(self) -> str:
        """The article page's path, e.g. ``/2026/11/23/slug/``."""
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"

    @property
    def modified(self) -> datetime:
        return self.updated or self.published

    @property
    def section_label(self) -> str:
        return SECTIONS[self.section]

    @property
    def paragraphs(self) -> list[str]:
        return [" ".join(p.split()) for p in re.split(r"\n\s*\n", self.body) if p.strip()]

    @property
    def word_count(self) -> int:
        return len(self.body.split())


def _parse_datetime(value: object, path: Path, field: str) -> datetime:
    try:
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise DemoCorpusError(path, f"field {field!r} is not an ISO 8601 date: {value!r}") from None
    if when.tzinfo is None:
        raise DemoCorpusError(path, f"field {field!r} needs a UTC offset such as +01:00: {value!r}")
    return when


def _load_file(path: Path) -> DemoArticle:
    match = _FILE.match(path.name)
    if not match:
        raise DemoCorpusError(path, "file name must look like NNN-slug.toml")
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise DemoCorpusError(path, f"not valid TOML: {err}") from None
    for field, kind in _REQUIRED.items():
        if field not in data:
            raise DemoCorpusError(path, f"missing field {field!r}")
        if not isinstance(data[field], kind):
            raise DemoCorpusError(path, f"field {field!r} has the wrong type")
    for field, kind in _OPTIONAL.items():
        if field in data and not isinstance(data[field], kind):
            raise DemoCorpusError(path, f"field {field!r} has the wrong type")
    unknown = set(data) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise DemoCorpusError(path, f"unknown field(s): {', '.join(sorted(unknown))}")
    slug = data["slug"]
    if not _SLUG.match(slug) or slug != match["slug"]:
        raise DemoCorpusError(path, f"slug {slug!r} must be lowercase-with-dashes and match the file name")
    if data["section"] not in SECTIONS:
        raise DemoCorpusError(path, f"unknown section {data['section']!r}; known: {', '.join(SECTIONS)}")
    for field in ("title", "author", "lead", "body"):
        if not data[field].strip():
            raise DemoCorpusError(path, f"field {field!r} is empty")
    if not all(isinstance(t, str) and t for t in data["tags"]):
        raise DemoCorpusError(path, "field 'tags' must be a list of non-empty strings")
    published = _parse_datetime(data["published"], path, "published")
    updated = _parse_datetime(data["updated"], path, "updated") if "updated" in data else None
    if updated is not None and updated < published:
        raise DemoCorpusError(path, "field 'updated' is earlier than 'published'")
    return DemoArticle(
        slug=slug,
        title=" ".join(data["title"].split()),
        section=data["section"],
        author=data["author"].strip(),
        published=published,
        lead=" ".join(data["lead"].split()),
        body=data["body"].strip(),
        tags=tuple(data["tags"]),
        in_rss=data["in_rss"],
        in_atom=data["in_atom"],
        sector=data["sector"],
        updated=updated,
        source=str(path),
    )


def load_corpus(directory: Path | str = CORPUS_DIR) -> list[DemoArticle]:
    """Read and validate every ``NNN-slug.toml`` in *directory*, newest first."""
    directory = Path(directory)
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise DemoCorpusError(directory, "no *.toml article files found")
    articles: list[DemoArticle] = []
    seen: dict[str, Path] = {}
    for path in files:
        article = _load_file(path)
        if article.slug in seen:
            raise DemoCorpusError(path, f"slug {article.slug!r} already used by {seen[article.slug].name}")
        seen[article.slug] = path
        articles.append(article)
    articles.sort(key=lambda a: (a.published, a.slug), reverse=True)
    return articles
