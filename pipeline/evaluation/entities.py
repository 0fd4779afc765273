"""Scorer for organisations and persons against the annotated set in ``tests/data/gold/entities``.

Each article is ``NN-slug.txt`` with ``NN-slug.json``::

    {"organisations": [{"name": "Agence de développement du digital", "aliases": ["ADD"]}],
     "persons": [{"name": "Karim Bennani", "role": "directeur général", "organisation": "Medz Sourcing"}]}

Organisations are compared per document as sets: a predicted organisation matches a gold
one when its canonical name or any alias equals the gold name or any gold alias, ignoring
case, accents, leading articles and dashes. Persons match on the name the same way.
Role and organisation agreement of matched persons is reported, not gated; a person's
organisation agrees when both name the same organisation, i.e. when the forms (name and
aliases) of the predicted organisation meet those of the gold one.

Run it: ``python -m pipeline.evaluation.entities [DIR]``.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.evaluation import Counts, GoldError, gold_pairs
from veille.core.models import Analysis

GOLD_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "gold" / "entities"


def key(text: str | None) -> str:
    """Comparison key: no accents, no case, no leading article, dashes and apostrophes unified."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[-‐‑–—]", " ", text)
    text = re.sub(r"^(?:(?:l|d)'|(?:la|le|les|du|des)\s+|(?:m|mme|mlle|mr|dr)\.?\s+)", "", text.strip())
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class GoldDocument:
    id: str
    text: str
    organisations: tuple[dict[str, Any], ...]
    persons: tuple[dict[str, Any], ...]


@dataclass
class EntityScore(Counts):
    misses: list[tuple[str, str]] = field(default_factory=list)  # (document, gold name)
    false_positives: list[tuple[str, str]] = field(default_factory=list)  # (document, predicted name)
    role_agree: int = 0  # persons only: matched persons whose role matches
    org_agree: int = 0  # persons only: matched persons whose organisation matches

    def summary(self, label: str) -> str:
        return f"{label}: P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} (tp={self.tp} fp={self.fp} fn={self.fn})"


def load_gold(directory: Path = GOLD_DIR) -> list[GoldDocument]:
    """All documents of a gold directory (every NN-slug.txt needs its NN-slug.json)."""
    return [
        GoldDocument(
            id=name,
            text=text,
            organisations=tuple(data.get("organisations", ())),
            persons=tuple(data.get("persons", ())),
        )
        for name, text, data in gold_pairs(directory)
    ]


def _forms(name: str | None, aliases: Iterable[str] = ()) -> set[str]:
    return {k for k in (key(name), *(key(a) for a in aliases)) if k}


def score_organisations(
    doc_id: str, gold: Sequence[dict[str, Any]], predicted: Sequence[Any], score: EntityScore
) -> None:
    """Add one document's organisation counts to ``score`` (predicted: Organisation objects)."""
    pred = [(o.name, _forms(o.name, o.aliases)) for o in predicted]
    used: set[int] = set()
    for g in gold:
        forms = _forms(g["name"], g.get("aliases", ()))
        hit = next((i for i, (_, f) in enumerate(pred) if i not in used and f & forms), None)
        if hit is None:
            score.fn += 1
            score.misses.append((doc_id, g["name"]))
        else:
            used.add(hit)
            score.tp += 1
    for i, (name, _) in enumerate(pred):
        if i not in used:
            score.fp += 1
            score.false_positives.append((doc_id, name))


def _org_forms(name: str | None, organisations: Iterable[tuple[str, Iterable[str]]]) -> set[str]:
    """Every form of the organisation called ``name`` among (name, aliases) pairs."""
    forms = _forms(name)
    for org_name, aliases in organisations:
        if forms & _forms(org_name, aliases):
            forms |= _forms(org_name, aliases)
    return forms


def score_persons(
    doc_id: str,
    gold: Sequence[dict[str, Any]],
    predicted: Sequence[Any],
    score: EntityScore,
    gold_orgs: Sequence[dict[str, Any]] = (),
    predicted_orgs: Sequence[Any] = (),
) -> None:
    """Add one document's person counts to ``score`` (predicted: Person objects; the
    organisations, gold dicts and predicted Organisation objects, resolve person organisations)."""
    gold_pairs = [(g["name"], g.get("aliases", ())) for g in gold_orgs]
    pred_pairs = [(o.name, o.aliases) for o in predicted_orgs]
    pred = list(predicted)
    used: set[int] = set()
    for g in gold:
        hit = next((i for i, p in enumerate(pred) if i not in used and key(p.name) == key(g["name"])), None)
        if hit is None:
            score.fn += 1
            score.misses.append((doc_id, g["name"]))
            continue
        used.add(hit)
        score.tp += 1
        p = pred[hit]
        score.role_agree += key(p.role) == key(g.get("role"))
        if not p.organisation or not g.get("organisation"):
            score.org_agree += key(p.organisation) == key(g.get("organisation"))
        else:
            score.org_agree += bool(
                _org_forms(p.organisation, pred_pairs) & _org_forms(g["organisation"], gold_pairs)
            )
    for i, p in enumerate(pred):
        if i not in used:
            score.fp += 1
            score.false_positives.append((doc_id, p.name))


def evaluate(
    documents: Sequence[GoldDocument], analyze_many: Callable[[list[str]], Iterable[Analysis]]
) -> dict[str, EntityScore]:
    """Score ``analyze_many`` (texts -> Analyses) on gold documents: {"organisations": .., "persons": ..}."""
    orgs, persons = EntityScore(), EntityScore()
    for doc, analysis in zip(documents, analyze_many([d.text for d in documents]), strict=True):
        score_organisations(doc.id, doc.organisations, analysis.organisations, orgs)
        score_persons(
            doc.id, doc.persons, analysis.persons, persons, doc.organisations, analysis.organisations
        )
    return {"organisations": orgs, "persons": persons}


def report(scores: dict[str, EntityScore]) -> str:
    lines = []
    for label, s in scores.items():
        lines.append(s.summary(label))
        if label == "persons" and s.tp:
            lines.append(
                f"  role agreement {s.role_agree}/{s.tp}, organisation agreement {s.org_agree}/{s.tp}"
            )
        lines += [f"  miss  {d}: {n}" for d, n in s.misses]
        lines += [f"  extra {d}: {n}" for d, n in s.false_positives]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from pipeline.nlp import analyze_many, build_nlp

    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else GOLD_DIR
    try:
        gold = load_gold(directory)
    except GoldError as exc:
        print(f"gold error: {exc}", file=sys.stderr)
        return 1
    nlp = build_nlp(figures=False)
    scores = evaluate(gold, lambda texts: analyze_many(texts, nlp=nlp))
    print(report(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
