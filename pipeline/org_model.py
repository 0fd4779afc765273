"""A learned decision on NER candidates: is this span an organisation?

spaCy's French NER labels many company names MISC, PER or LOC ("la fintech Djamo", "le fonds
Endeavor Catalyst") and some places ORG. The recogniser's rule on the label (ORG kept, the others
only with an organisation's head word or a company's tail) was tuned by hand and did not carry
over to outlets it had not seen. This model decides instead, from what a reader uses: NER's
label and the rule's own answer, the span's shape (length, capitals, digits, words without a
vector, which most new brand names are), its word vectors and its words, the word before it
("fintech", "société", "à"), the word after, and its place in the parse.

A logistic regression, trained by :mod:`pipeline.evaluation.train_organisations` on the tuning
half of the real-press set and the team's gold sets (never on a locked half), kept as weights in
``pipeline/models/organisations.npz``; scoring needs numpy only.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from spacy.tokens import Span, Token

from pipeline.gazetteer import Gazetteer, fold

MODEL_PATH = Path(__file__).resolve().parent / "models" / "organisations.npz"
HASHED = 1 << 12  # buckets for the words of the span and around it
VECTOR = 300  # fr_core_news_md's word vectors
LABELS = ("ORG", "MISC", "PER", "LOC")
VERSION = 1  # bump when the features change: a model of another version is refused


@dataclass(frozen=True, slots=True)
class Features:
    dense: np.ndarray  # shape and label flags
    span_vector: np.ndarray  # mean word vector of the span, unit length (zeros if none)
    left_vector: np.ndarray  # vector of the word before
    hashed: tuple[int, ...]  # bucket numbers of the words

    def row(self) -> np.ndarray:
        """The features as one dense row (training builds a matrix of these)."""
        row = np.zeros(dense_size() + 2 * VECTOR + HASHED, dtype=np.float32)
        row[: self.dense.size] = self.dense
        at = self.dense.size
        row[at : at + VECTOR] = self.span_vector
        row[at + VECTOR : at + 2 * VECTOR] = self.left_vector
        for bucket in self.hashed:
            row[at + 2 * VECTOR + bucket] = 1.0
        return row


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % HASHED


def _unit_mean(tokens: list[Token]) -> np.ndarray:
    vectors = [np.asarray(t.vector, dtype=np.float32) for t in tokens if t.has_vector]
    if not vectors:
        return np.zeros(VECTOR, dtype=np.float32)
    mean = np.mean(vectors, axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm else mean).astype(np.float32)


def dense_size() -> int:
    return len(LABELS) + 1 + 4 + 4 + 3


def features(span: Span, label: str, rule_says_org: bool, gazetteer: Gazetteer) -> Features:
    """What the model reads of one candidate (see the module's docstring)."""
    doc = span.doc
    n = len(span)
    text = span.text
    dense: list[float] = [label == name for name in LABELS]
    dense.append(rule_says_org)
    dense += [n == 1, n == 2, n == 3, n >= 4]
    dense += [
        text.isupper(),
        any(c.isdigit() for c in text),
        "-" in text,
        all(t.is_title or not t.is_alpha for t in span),
    ]
    dense.append(sum(not t.has_vector for t in span) / n)
    dense.append(span.start == span.sent.start)
    dense.append(gazetteer.lookup(text) is not None)
    before = [t for t in doc[max(0, span.start - 3) : span.start] if not t.is_punct][-2:]
    words = [f"L{i + 1}:{fold(t.text)}" for i, t in enumerate(reversed(before))]
    if span.end < len(doc):
        words.append(f"R1:{fold(doc[span.end].text)}")
    words += [f"D:{span.root.dep_}", f"HL:{fold(span.root.head.lemma_)}"]
    words += [f"W:{fold(t.text)}" for t in span]
    return Features(
        dense=np.array(dense, dtype=np.float32),
        span_vector=_unit_mean(list(span)),
        left_vector=_unit_mean(before[-1:]),
        hashed=tuple(_bucket(w) for w in words),
    )


@dataclass(frozen=True)
class OrgModel:
    weights: np.ndarray  # one per column of Features.row()
    bias: float
    threshold: float

    def probability(self, f: Features) -> float:
        at = f.dense.size
        w = self.weights
        z = self.bias + float(f.dense @ w[:at])
        z += float(f.span_vector @ w[at : at + VECTOR]) + float(
            f.left_vector @ w[at + VECTOR : at + 2 * VECTOR]
        )
        z += float(sum(w[at + 2 * VECTOR + b] for b in f.hashed))
        return 1.0 / (1.0 + np.exp(-z))

    def says_org(self, f: Features) -> bool:
        return self.probability(f) >= self.threshold

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float32),
            bias=np.float32(self.bias),
            threshold=np.float32(self.threshold),
            version=np.int32(VERSION),
        )


@cache
def load_model(path: Path = MODEL_PATH) -> OrgModel:
    """The shipped model (read once per process)."""
    with np.load(path) as data:
        if int(data["version"]) != VERSION:
            raise ValueError(f"{path}: features of version {int(data['version'])}, this code reads {VERSION}")
        return OrgModel(weights=data["weights"], bias=float(data["bias"]), threshold=float(data["threshold"]))
