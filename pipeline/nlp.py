"""The assembled extractor: text in, :class:`veille.core.models.Analysis` out.

Pipeline (fr_core_news_md plus Veille's components)::

    tok2vec > morphologizer > veille_paragraphs > parser > attribute_ruler > lemmatizer > ner
        > veille_acronyms > veille_orgs > veille_persons > veille_figures > veille_scopes

:func:`build_nlp` loads the model once per process and argument set.
:func:`analyze` and :func:`analyze_many` handle bad input: empty text gives an empty
Analysis, texts longer than :data:`CHUNK_CHARS` are cut at paragraph breaks and processed in
pieces with offsets kept relative to the whole text. Every component keeps its results as
plain data in ``doc.user_data`` so they come back from ``nlp.pipe(n_process=2)`` workers.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import pipeline.figures  # noqa: F401  (registers veille_figures)
import pipeline.organisations  # noqa: F401  (registers veille_acronyms, veille_orgs)
import pipeline.persons  # noqa: F401  (registers veille_persons)
import pipeline.scopes  # noqa: F401  (registers veille_scopes)
import pipeline.sentences  # noqa: F401  (registers veille_paragraphs)
from pipeline.organisations import ORGANISATIONS_KEY, organisation_from_dict
from pipeline.persons import PERSONS_KEY, person_from_dict
from pipeline.status import relative_year
from veille.core.conf import PACKAGE_CONFIG
from veille.core.models import Analysis, Figure, Mention, Organisation, Person

MODEL = "fr_core_news_md"
# Bump when a component, the gazetteer format or the model changes what is extracted.
# 2026.3: figures get a scope (zone, organisation, region, country, sector) and an attribution.
# 2026.6: organisations on press beyond Morocco (places, demonyms, persons, lower-case bodies,
# datelines); months of two years are a span of years; statuses (a change's start, plans with a
# deadline), "M d'usagers", "mille emplois".
EXTRACTOR_VERSION = "2026.7-realpress.3"
CHUNK_CHARS = 100_000  # longer texts are processed in paragraph-aligned pieces
# Memory follows the text in one nlp.pipe batch (a 100,000-character piece: ~0.5 GB over the
# model). Once a text is long, batches hold about this much text, so that a text at the limit
# ([extract] max_text_chars) is processed piece by piece, under 1.5 GB (bench/analyze_memory.py).
LONG_TEXT_CHARS = 20_000
BATCH_CHARS = 100_000
FIGURES_KEY = "veille:figures"


def _figures_get(doc: Doc) -> list[Figure] | None:
    raw = doc.user_data.get(FIGURES_KEY)
    if raw is None:
        return None
    return [Figure(**{**d, "organisations": tuple(d.get("organisations", ()))}) for d in raw]


def _figures_set(doc: Doc, value: list[Figure] | None) -> None:
    doc.user_data[FIGURES_KEY] = None if value is None else [f.to_dict() for f in value]


# doc._.figures is kept as plain dicts in user_data (a list of dataclasses cannot be
# serialised by Doc.to_bytes, which nlp.pipe(n_process>1) uses); reading it gives Figures.
Doc.set_extension("figures", getter=_figures_get, setter=_figures_set, force=True)


@lru_cache(maxsize=4)
def _load(config_dir: Path, figures: bool) -> Language:
    nlp = spacy.load(MODEL)
    gazetteer = str(config_dir / "organisations.toml")
    nlp.add_pipe("veille_paragraphs", before="parser")
    nlp.add_pipe("veille_acronyms", after="ner", config={"gazetteer_path": gazetteer})
    nlp.add_pipe("veille_orgs", after="veille_acronyms", config={"gazetteer_path": gazetteer})
    nlp.add_pipe("veille_persons", after="veille_orgs", config={"gazetteer_path": gazetteer})
    if figures:
        cfg = {
            key: str(config_dir / name)
            for key, name in (("lexicon_path", "figures.toml"), ("taxonomy_path", "indicators.toml"))
            if (config_dir / name).exists()
        }
        nlp.add_pipe("veille_figures", last=True, config=cfg)
        zones = config_dir / "zones.toml"
        scopes = {"gazetteer_path": gazetteer, **({"zones_path": str(zones)} if zones.exists() else {})}
        nlp.add_pipe("veille_scopes", last=True, config=scopes)
    return nlp


def build_nlp(config_dir: Path | None = None, *, figures: bool = True) -> Language:
    """The full pipeline, loaded once per process for each (config_dir, figures).

    ``config_dir`` holds ``organisations.toml`` (and ``figures.toml``, ``zones.toml``); default: the bundled
    ``config/``. ``figures=False`` leaves out the figure extractor.
    """
    return _load(Path(config_dir or PACKAGE_CONFIG).resolve(), figures)


def analysis_from_doc(doc: Doc) -> Analysis:
    """Collect a processed doc's results; each figure gets the organisations of its sentence."""
    orgs = tuple(organisation_from_dict(d) for d in doc.user_data.get(ORGANISATIONS_KEY, []))
    persons = tuple(person_from_dict(d) for d in doc.user_data.get(PERSONS_KEY, []))
    figures = tuple(_figures_get(doc) or ())
    if figures and orgs:
        figures = tuple(
            dataclasses.replace(f, organisations=_orgs_between(orgs, f.sentence_start, f.sentence_end))
            for f in figures
        )
    return Analysis(figures=figures, organisations=orgs, persons=persons)


def _orgs_between(orgs: Iterable[Organisation], start: int, end: int) -> tuple[str, ...]:
    return tuple(o.name for o in orgs if any(start <= m.start and m.end <= end for m in o.mentions))


def analyze(text: str, nlp: Language | None = None, published: date | None = None) -> Analysis:
    """Figures, organisations and persons of one French text.

    ``published``: the text's publication date, against which "aujourd'hui", "cette année" and
    "l'an dernier" are read as a figure's period (left open without it)."""
    return next(analyze_many([text], nlp=nlp, published=[published]))


def analyze_many(
    texts: Iterable[str],
    nlp: Language | None = None,
    n_process: int = 1,
    batch_size: int = 32,
    published: Sequence[date | None] | None = None,
) -> Iterator[Analysis]:
    """One Analysis per text, in order, through ``nlp.pipe`` (``n_process`` worker processes).

    ``published``: one publication date (or None) per text, see :func:`analyze`."""
    texts = list(texts)
    dates = list(published) if published is not None else [None] * len(texts)
    for i, analysis in enumerate(_analyze_many(texts, nlp, n_process, batch_size)):
        yield dated(analysis, texts[i], dates[i]) if i < len(dates) else analysis


def dated(analysis: Analysis, text: str, published: date | None) -> Analysis:
    """Periods of figures whose clause says "aujourd'hui", "cette année", "l'an dernier"... from the publication year."""
    if published is None or not analysis.figures:
        return analysis
    figures = []
    all_figures = analysis.figures
    for i, f in enumerate(all_figures):
        if f.period is None:
            lo = all_figures[i - 1].end if i > 0 else None
            hi = all_figures[i + 1].start if i + 1 < len(all_figures) else None
            year = relative_year(
                text, f.start, f.end, f.sentence_start, f.sentence_end, published.year, lo, hi
            )
            if year is not None:
                f = dataclasses.replace(f, period=year)
        figures.append(f)
    return dataclasses.replace(analysis, figures=tuple(figures))


def _analyze_many(
    texts: list[str], nlp: Language | None, n_process: int, batch_size: int
) -> Iterator[Analysis]:
    if not any(_usable(t) for t in texts):
        for _ in texts:
            yield Analysis()
        return
    nlp = nlp or build_nlp()
    limit = min(CHUNK_CHARS, nlp.max_length)
    longest = min(max(len(t) for t in texts if _usable(t)), limit)
    if longest > LONG_TEXT_CHARS:
        batch_size = min(batch_size, max(1, BATCH_CHARS // longest))
    pieces = (
        (chunk, (i, offset))
        for i, text in enumerate(texts)
        if _usable(text)
        for offset, chunk in split_text(text, limit)
    )
    docs = nlp.pipe(pieces, as_tuples=True, n_process=n_process, batch_size=batch_size)
    pending: tuple[int, list[tuple[int, Analysis]]] | None = None
    next_index = 0
    for doc, (i, offset) in docs:
        if pending is not None and pending[0] != i:
            yield from _empties(next_index, pending[0])
            yield _merge(pending[1])
            next_index = pending[0] + 1
            pending = None
        if pending is None:
            pending = (i, [])
        pending[1].append((offset, analysis_from_doc(doc)))
    if pending is not None:
        yield from _empties(next_index, pending[0])
        yield _merge(pending[1])
        next_index = pending[0] + 1
    yield from _empties(next_index, len(texts))


def _usable(text: Any) -> bool:
    return isinstance(text, str) and bool(text.strip())


def _empties(start: int, stop: int) -> Iterator[Analysis]:
    for _ in range(start, stop):
        yield Analysis()


def split_text(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) pairs covering ``text``, cut after paragraph breaks, else after a space."""
    start = 0
    n = len(text)
    while n - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 4:
            ends = [m.end() for m in re.finditer(r"[.!?]\s", window)]
            cut = ends[-1] - 1 if ends and ends[-1] > limit // 4 else window.rfind(" ")
        if cut < limit // 4:
            cut = limit - 1
        yield start, text[start : start + cut + 1]
        start += cut + 1
    if start < n:
        yield start, text[start:]


def _merge(parts: list[tuple[int, Analysis]]) -> Analysis:
    """Join the analyses of the pieces of one text, shifting offsets back to the whole text."""
    if len(parts) == 1 and parts[0][0] == 0:
        return parts[0][1]
    figures: list[Figure] = []
    orgs: dict[str, Organisation] = {}
    persons: dict[str, Person] = {}
    for offset, a in parts:
        for f in a.figures:
            figures.append(
                dataclasses.replace(
                    f,
                    start=f.start + offset,
                    end=f.end + offset,
                    sentence_start=f.sentence_start + offset,
                    sentence_end=f.sentence_end + offset,
                )
            )
        for o in a.organisations:
            mentions = _shift(o.mentions, offset)
            old = orgs.get(o.name)
            if old is None:
                orgs[o.name] = dataclasses.replace(o, mentions=mentions)
            else:
                orgs[o.name] = dataclasses.replace(
                    old,
                    aliases=tuple(dict.fromkeys(old.aliases + o.aliases)),
                    mentions=old.mentions + mentions,
                )
        for p in a.persons:
            mentions = _shift(p.mentions, offset)
            old_p = persons.get(p.name)
            if old_p is None:
                persons[p.name] = dataclasses.replace(p, mentions=mentions)
            else:
                persons[p.name] = dataclasses.replace(
                    old_p,
                    role=old_p.role or p.role,
                    organisation=old_p.organisation or p.organisation,
                    mentions=old_p.mentions + mentions,
                )
    return Analysis(
        figures=tuple(figures), organisations=tuple(orgs.values()), persons=tuple(persons.values())
    )


def _shift(mentions: tuple[Mention, ...], offset: int) -> tuple[Mention, ...]:
    return tuple(Mention(m.start + offset, m.end + offset, m.text) for m in mentions)
