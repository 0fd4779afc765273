"""The articles analysts marked "vérifié", written as a gold set in the format of ``tests/data``
(``NNNN-source-slug.txt`` with its ``.json``: ``meta``, ``figures``, ``organisations``, ``persons``;
see tests/data/realpress/CONVENTION.md), so the extractor's recall can be measured on what the
team corrected: ``veille corrections export DIR``, then
``python bench/extraction_quality.py --corrections DIR``.

A figure is located in the gold format by its words and their occurrence in the text (whole
words, as :func:`pipeline.evaluation.figures.load_article` finds them); a figure whose words
cannot be found so (a span cut inside a word) is left out and counted.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.evaluation import GoldError
from pipeline.evaluation.figures import _find
from veille.archive.corrections import VerifiedArticle, verified_articles
from veille.archive.store import Store

GOLD_KEYS = (
    "value",
    "unit",
    "approx",
    "qualifier",
    "range_max",
    "period",
    "metric",
    "indicator",
    "status",
    "per",
)


@dataclass
class ExportReport:
    articles: int = 0
    figures: int = 0
    left_out: int = 0  # figures whose words the gold format cannot locate
    stale: int = 0  # corrections whose words the text no longer holds
    files: list[Path] | None = None


def occurrence(text: str, span: str, start: int) -> int | None:
    """Which whole-word occurrence of ``span`` in ``text`` starts at ``start`` (1-based); None
    when the loader would not find it there."""
    n = 1
    while True:
        try:
            pos = _find(text, span, n, "")
        except GoldError:
            return None
        if pos == start:
            return n
        if pos > start:
            return None
        n += 1


def slug(title: str, words: int = 6) -> str:
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain)[:words]) or "article"


def gold_of(article: VerifiedArticle) -> tuple[dict[str, Any], int]:
    """The article's annotations in the gold format, and how many figures were left out."""
    figures, left_out = [], 0
    for f in sorted(article.figures, key=lambda f: f["start"]):
        n = occurrence(article.text, f["text"], f["start"])
        if n is None:
            left_out += 1
            continue
        entry = {"text": f["text"], "occurrence": n, **{k: f.get(k) for k in GOLD_KEYS}}
        entry["approx"] = bool(entry["approx"])
        entry["status"] = entry["status"] or "actual"
        entry["scope"] = {"kind": f["scope_kind"], "name": f.get("scope")} if f.get("scope_kind") else None
        entry["attributed_to"] = f.get("attributed_to")
        figures.append(entry)
    meta = {
        "url": article.url, "outlet": article.source, "query": "",
        "published": article.published.date().isoformat() if article.published else None,
        "story": f"veille-{article.story}",
        "annotator": f"{article.review.account} {article.review.reviewed_at.date().isoformat()}",
    }  # fmt: skip
    return {
        "meta": meta,
        "figures": figures,
        "organisations": [{"name": name, "aliases": forms} for name, forms in article.organisations],
        "persons": [{"name": n, "role": r, "organisation": o} for n, r, o in article.persons],
    }, left_out


def export_verified(store: Store, directory: str | Path) -> ExportReport:
    """Write every article marked "vérifié" into ``directory`` (made if missing; files of the
    same names replaced)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    report = ExportReport(files=[])
    for article in verified_articles(store):
        gold, left_out = gold_of(article)
        stem = f"{article.id:04d}-{slug(article.source, 2)}-{slug(article.title)}"
        (out / f"{stem}.txt").write_text(article.text, encoding="utf-8")
        (out / f"{stem}.json").write_text(
            json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        report.articles += 1
        report.figures += len(gold["figures"])
        report.left_out += left_out
        report.stale += article.stale
        assert report.files is not None
        report.files.append(out / f"{stem}.txt")
    return report
