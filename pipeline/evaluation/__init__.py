"""Scorers for the extraction quality gate (figures, organisations, persons).

Both gold sets share a layout — per article ``NN-slug.txt`` (UTF-8 text) and ``NN-slug.json``
(its annotations) — and a way of counting: :class:`Counts` and :func:`gold_pairs` are that
common part; :mod:`.figures` and :mod:`.entities` say what the annotations hold and how
predictions are matched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class GoldError(ValueError):
    """A gold annotation is missing, unreadable or does not fit its article."""


@dataclass
class Counts:
    """True positives, false positives and false negatives, and the measures made of them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def gold_pairs(directory: str | Path, names: set[str] | None = None) -> Iterator[tuple[str, str, Any]]:
    """``(stem, text, annotations)`` for each ``*.txt`` of a gold directory, in name order.

    ``names``: only these articles (by stem or by its two-digit number). Raises
    :class:`GoldError` naming the file when an annotation file is missing or is not JSON,
    or when the directory holds no article."""
    d = Path(directory)
    found = False
    for txt in sorted(d.glob("*.txt")):
        if names is not None and txt.stem[:2] not in names and txt.stem not in names:
            continue
        json_path = txt.with_suffix(".json")
        if not json_path.exists():
            raise GoldError(f"{txt}: no annotation file {json_path.name}")
        try:
            data = json.loads(json_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise GoldError(f"{json_path}: {exc}") from None
        found = True
        yield txt.stem, txt.read_text(encoding="utf-8"), data
    if not found:
        raise GoldError(f"{d}: no gold articles")
