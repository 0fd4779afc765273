"""The figure extractor: every quantitative fact of an article as a :class:`Figure`.

Usage::

    nlp = spacy.load("fr_core_news_md")
    nlp.add_pipe("veille_paragraphs", before="parser")
    nlp.add_pipe("veille_figures", last=True)
    doc = nlp(text)
    doc._.figures  # list[Figure], organisations left empty for a later component

or, on any parsed doc, :func:`figures_from_doc`. Quantities are found by regex over the
text (:mod:`pipeline.quantities`), periods by :mod:`pipeline.periods`; spaCy gives the
sentences and the parse for the metric label (:mod:`pipeline.metrics`).

Span rule: number + scale + unit word(s) as written, with an explicit sign and adjectives
between number and noun ("-1,8 %", "10 milliards de DH", "5 000 nouveaux emplois",
"une trentaine d'entreprises"); qualifier words ("près de", "plus de") and the adjectives
after the noun ("emplois directs") are not in the span. A range spans both numbers
("3 à 5 milliards de DH", "3 et 5 %" in "entre 3 et 5 %").
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

import pipeline.sentences  # noqa: F401  (registers "veille_paragraphs")
from pipeline.indicators import classify
from pipeline.lexicon import DEFAULT_LEXICON, Lexicon, load_lexicon
from pipeline.metrics import metric_for
from pipeline.periods import closed_segments, find_periods, period_for
from pipeline.quantities import RATIO, Quantity, scan, skip_adjectives
from pipeline.resolution import resolve
from pipeline.status import MONEY
from pipeline.status_cues import verb_of
from veille.core.models import Figure
from veille.core.taxonomy import DEFAULT_TAXONOMY, Taxonomy, load_taxonomy

if not Doc.has_extension("figures"):
    Doc.set_extension("figures", default=None)


def figures_from_doc(
    doc: Doc, lexicon: Lexicon | None = None, taxonomy: Taxonomy | None = None
) -> list[Figure]:
    """All figures of a parsed doc (needs sentence boundaries; uses the parse if present)."""
    lex = lexicon or load_lexicon(DEFAULT_LEXICON)
    tax = taxonomy or load_taxonomy(DEFAULT_TAXONOMY)
    text = doc.text
    sents = _sentences(doc) if _has_sents(doc) else []
    sentences = [(s.start_char, s.end_char) for s in sents] or [(0, len(text))]
    aside_at = _aside_at(doc)
    finite_at = _finite_at(doc)
    quantities = _quantities(doc, sentences, lex)
    parsed = doc.has_annotation("DEP")
    figures: list[Figure] = []
    periods_by_sentence: dict[int, tuple[list, list]] = {}
    si = 0
    for q in quantities:
        while si + 1 < len(sentences) and sentences[si + 1][0] <= q.start:
            si += 1
        s_start, s_end = sentences[si]
        if si not in periods_by_sentence:
            periods_by_sentence[si] = (
                find_periods(text, s_start, s_end),
                closed_segments(text, s_start, s_end, aside_at),
            )
        periods, closed = periods_by_sentence[si]
        unit = q.unit or "count"
        raw_metric = (
            metric_for(doc, q.start, q.end, unit, lex, sents[si] if sents else None) if parsed else None
        )
        metric = clean_metric(raw_metric)
        if metric is None:
            metric = _fallback(text, q, unit, (s_start, s_end), figures)
        prev_end = figures[-1].end if figures and figures[-1].sentence_start == s_start else None
        prev_start = figures[-1].start if prev_end is not None else None
        # the parse's word, even one not worth showing ("IS", "côté"), still tells the indicator
        # the figure before it in the same paragraph, of the same unit, lends its indicator when no cue speaks
        lend = _lent_indicator(text, figures, q.start, unit)
        reading = classify(
            tax,
            text,
            q.start,
            q.end,
            unit,
            raw_metric or metric,
            s_start,
            s_end,
            prev_end,
            prev_start,
            lend,
            verb_of(doc, q.start) if parsed else None,
        )
        status = _carried_status(text, figures, prev_end, q.start, unit, reading.status)
        figures.append(
            Figure(
                text=text[q.start : q.end],
                start=q.start,
                end=q.end,
                value=_clean(q.value),
                unit=unit,
                sentence=text[s_start:s_end],
                sentence_start=s_start,
                sentence_end=s_end,
                approx=q.approx,
                qualifier=q.qualifier,
                range_max=_clean(q.range_max) if q.range_max is not None else None,
                period=period_for(text, periods, q.start, q.end, closed, finite_at),
                metric=metric,
                indicator=reading.indicator,
                status=status,
                per=reading.per,
            )
        )
    return _split_from_to(text, figures)


def _fallback(
    text: str, q: Quantity, unit: str, sentence: tuple[int, int], figures: list[Figure]
) -> str | None:
    """The metric read around the figure when the parse names none (the figure before it in
    the same sentence lends its metric when both have the same unit)."""
    s_start, s_end = sentence
    previous = figures[-1] if figures and figures[-1].sentence_start == s_start else None
    return clean_metric(
        fallback_metric(text, q.start, q.end, s_end, previous, previous is not None and previous.unit == unit)
    )


def _lent_indicator(text: str, figures: list[Figure], start: int, unit: str) -> str | None:
    """The indicator of the figure just before, of the same unit, in the same paragraph."""
    before = figures[-1] if figures and figures[-1].unit == unit else None
    if before is not None and start - before.end < 250 and "\n" not in text[before.end : start]:
        return before.indicator
    return None


def _quantities(doc: Doc, sentences: list[tuple[int, int]], lex: Lexicon) -> list[Quantity]:
    """The doc's quantities, scanned in its text and resolved with what the parse tells (the
    noun a bare number counts, a pronoun standing for one)."""
    text = doc.text
    by_char = {t.idx: t for t in doc}
    return resolve(
        text,
        scan(text, lex),
        sentences,
        lex,
        counted=_counted_noun(doc, lex),
        pronoun=lambda pos: (
            pos in by_char
            and by_char[pos].pos_ == "PRON"
            or bool(_CLITIC_BEFORE.search(text, max(0, pos - 8), pos))
        ),
    )


def _carried_status(
    text: str, figures: list[Figure], prev_end: int | None, start: int, unit: str, status: str
) -> str:
    """The figure's status, or the one before it in its sentence when it restates or carries on
    that figure."""
    if prev_end is not None and _same_kind(figures[-1].unit, unit) and _RESTATED.match(text, prev_end, start):
        return figures[-1].status  # "onze milliards de dirhams – soit 1,22 milliard de dollars"
    if prev_end is not None and _CONTINUED.search(text, prev_end, start):
        return figures[-1].status  # "devrait croître de 6 % d'ici 2026, pour atteindre 328 millions"
    return status


# "on en forme 4 000": after a subject clitic, "en" is the pronoun whatever the tagger says
_CLITIC_BEFORE = re.compile(
    r"(?<!\w)(?:on|il|elle|ils|elles|nous|vous|je|n['’]|ne)[\s\u00a0]+$", re.IGNORECASE
)
_CONTINUED = re.compile(
    r"(?:pour|afin d['’]|de manière à|et)[\s\u00a0]+(?:atteindre|arriver[\s\u00a0]+à|porter|passer[\s\u00a0]+à|s['’]établir[\s\u00a0]+à)[^.;!?]{0,40}$",
    re.IGNORECASE,
)


def _same_kind(a: str, b: str) -> bool:
    """Two units that can restate one amount ("DH ... soit ... dollars"), or the same unit."""
    return a == b or (a in MONEY and b in MONEY)


_RESTATED = re.compile(
    r"[\s\u00a0]*[(,–—-]?[\s\u00a0]*(?:soit|ou|environ|c['’]est-à-dire)[\s\u00a0]+(?:près de[\s\u00a0]+|environ[\s\u00a0]+)?$",
    re.I,
)
_FROM_TO_GAP = re.compile(r"[\s\u00a0]+(?:à|a)[\s\u00a0]+$")
_SPAN = re.compile(r"(\d{4})-(\d{4})")


_AFTER_NOUN = re.compile(
    r"[\s\u00a0]*(?:\w+[\s\u00a0]+)?(?:de|d['’])[\s\u00a0]*((?:l['’]|la[\s\u00a0]+)?[^\W\d_][\w'’\-]*(?:[\s\u00a0]+(?:d['’]|de[\s\u00a0]+|à[\s\u00a0]+l['’]|des[\s\u00a0]+)?[^\W\d_][\w'’\-]*){0,3})",
    re.IGNORECASE,
)
_NUMBER_OF_AFTER = re.compile(
    r"[\s\u00a0]+le[\s\u00a0]+(nombre[\s\u00a0]+(?:de|d['’])[\s\u00a0]*[^\W\d_][\w'’\-]*(?:[\s\u00a0]+(?:de[\s\u00a0]+)?[^\W\d_][\w'’\-]*){0,2})",
    re.I,
)
_POUR_AFTER = re.compile(
    r"[\s\u00a0]+pour[\s\u00a0]+(?:la[\s\u00a0]+|le[\s\u00a0]+|l['’]|les[\s\u00a0]+)([^\W\d_][\w'’\-]*(?:[\s\u00a0]+[^\W\d_][\w'’\-]*)?)",
    re.I,
)
# the verb that governs the figure, in any tense or the infinitive ("va investir", "a mobilisé",
# "rachetée pour", "a baissé de"), names what it measures when no noun does
_VERB_BEFORE = re.compile(
    r"(?<!\w)(investi|investit|investissent|investira|investiront|investir|levé|levée|levés|lève|lèvent|lever|payée?s?"
    r"|génère|génèrent|généré|générer|exporté|exporte|exporter|emploie|emploient|employé|employer|emploiera|recrute"
    r"|recrutent|recruté|recrutera|recruteront|recruter|formé|forme|forment|former|formera|finance|financé|financer"
    r"|capitalise|vendu|(?:co[uû]t|mobilis|inject|allou|consacr|débloqu|rachet|achet|acquis|cédé|valoris|détenu|progress|augment"
    r"|baiss|recul|chut|bondi|grimp|régress|diminu|cro[iî]t|accr)[^\W\d_]*)"
    r"[\s\u00a0]+(?:[^\W\d_]+[\s\u00a0]+){0,3}$",
    re.IGNORECASE,
)
_VERB_METRIC = {
    "invest": ("montant investi", "money"), "lev": ("montant levé", "money"), "lèv": ("montant levé", "money"),
    "pay": ("salaire payé", "money"), "génèr": ("montant généré", "money"), "génér": ("montant généré", "money"),
    "export": ("montant exporté", "money"), "financ": ("financement", "money"),
    "capitalis": ("capitalisation", "money"), "vendu": ("ventes", "money"), "mobilis": ("montant mobilisé", "money"),
    "inject": ("montant injecté", "money"), "allou": ("montant alloué", "money"), "consacr": ("montant consacré", "money"),
    "débloqu": ("montant débloqué", "money"), "rachet": ("prix de rachat", "money"), "achet": ("prix d'achat", "money"),
    "acquis": ("prix d'acquisition", "money"), "céd": ("prix de cession", "money"), "cèd": ("prix de cession", "money"),
    "valoris": ("valorisation", "money"), "co": ("coût", "money"),
    "emploi": ("personnes employées", "people"), "employ": ("personnes employées", "people"),
    "recrut": ("recrutements", "people"), "form": ("personnes formées", "people"),
    "détenu": ("participation détenue", "percent"), "progress": ("progression", "percent"),
    "augment": ("augmentation", "percent"), "baiss": ("baisse", "percent"), "recul": ("recul", "percent"),
    "chut": ("chute", "percent"), "bondi": ("bond", "percent"), "grimp": ("hausse", "percent"),
    "régress": ("régression", "percent"), "diminu": ("diminution", "percent"), "cro": ("croissance", "percent"),
    "accr": ("accroissement", "percent"),
}  # fmt: skip
_STOP_WORDS = {
    "en",
    "pour",
    "par",
    "dans",
    "sur",
    "au",
    "aux",
    "avec",
    "et",
    "ou",
    "qui",
    "que",
    "dont",
    "selon",
    "contre",
    "soit",
    "entre",
}


_SPAN_NOUN = re.compile(
    r"^[\d\s\u00a0.,]*(?:[^\W\d_]+[\s\u00a0]+(?:de[\s\u00a0]+|d['’])?)??((?:[^\W\d_][\w'’\-]*[\s\u00a0]*)+)$"
)
_NUMBER_WORDS = {
    "un", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze", "treize",
    "quatorze", "quinze", "seize", "vingt", "trente", "quarante", "cinquante", "soixante", "cent", "cents",
    "mille", "milliers", "millier", "centaines", "centaine", "dizaines", "dizaine", "douzaine", "quinzaine",
    "vingtaine", "trentaine", "quarantaine", "cinquantaine", "soixantaine", "des", "de", "d", "et", "à",
    "millions", "million", "milliards", "milliard",
}  # fmt: skip
_PARTICIPLE_AFTER = re.compile(
    r"[\s\u00a0]+(levés|levées|investis|exportés|générés|créés|recrutés|recrutées|formés|formées|embauchés)(?!\w)",
    re.I,
)
_PARTICIPLE_METRIC = {
    "levés": "montant levé", "levées": "montant levé", "investis": "montant investi", "exportés": "montant exporté",
    "générés": "montant généré", "créés": "emplois créés", "recrutés": "recrutements", "recrutées": "recrutements",
    "formés": "personnes formées", "formées": "personnes formées", "embauchés": "embauches",
}  # fmt: skip


def _span_noun(span: str) -> str | None:
    """The counted noun written in a figure's span: "140 centres d'appels" -> "centres d'appels"."""
    words = re.findall(r"[^\W\d_][\w'’\-]*", span)
    while words and (words[0].lower() in _NUMBER_WORDS or re.fullmatch(r"[a-z]['’]", words[0].lower())):
        words.pop(0)
    label = " ".join(words).lower()
    return (
        label
        if len(label) >= 3
        and not re.fullmatch(r"(?:m2|m²|ha|hectares?|mètres? carrés?|%|pc|pts?|points?)", label)
        else None
    )


def fallback_metric(
    text: str, start: int, end: int, s_end: int, previous: Figure | None, same_unit: bool = False
) -> str | None:
    """What the figure measures when the parse names nothing: the noun after it ("10 milliards de DH
    de chiffre d'affaires"), "le nombre de ...", a restated figure's metric ("soit 1,22 milliard de
    dollars", "contre 33,26 millions"; after a comma in an enumeration of one unit: "2 à Casablanca,
    1 à Rabat"), or the verb that governs it ("a investi 2 millions")."""
    after = text[end : min(s_end, end + 80)]
    m = _PARTICIPLE_AFTER.match(after)
    if m:
        return _PARTICIPLE_METRIC[m.group(1).lower()]
    noun = _span_noun(text[start:end])
    if noun and not any(c in noun for c in ("dh", "dirham", "euro", "dollar", "mdh", "mmdh")):
        return noun
    m = _NUMBER_OF_AFTER.match(after)
    if m:
        return _words(m.group(1))
    m = _AFTER_NOUN.match(after)
    if m and not re.match(r"[\s\u00a0]*(?:de|d['’])[\s\u00a0]*(?:plus|moins|hausse|baisse)", after, re.I):
        label = _words(m.group(1))
        if label and clean_metric(label):  # "d'ici 2026" names nothing: look further
            return label
    if previous is not None and previous.metric and end - previous.end < 200:
        between = text[previous.end : start]
        if re.search(
            r"(?:soit|contre|ou|puis|et|après|\(" + (r"|," if same_unit else "") + r")[\s\u00a0]*"
            r"(?:près de[\s\u00a0]+|plus de[\s\u00a0]+|environ[\s\u00a0]+)?$",
            between,
            re.I,
        ):
            return previous.metric
    m = _POUR_AFTER.match(after)
    if m and clean_metric(_words(m.group(1))):
        return _words(m.group(1))
    if re.search(r"m²|m2|mètres?[\s\u00a0]+carrés|hectares?|\bha\b", text[start:end], re.I):
        return "superficie"  # an area with no noun named: what it measures is a surface
    m = _VERB_BEFORE.search(text, max(0, start - 60), start)
    if m:
        verb = m.group(1).lower()
        span = text[start:end]
        kind = (
            "money"
            if re.search(r"dh|dirham|euro|dollar|€|\$", span, re.I)
            else "percent"
            if re.search(r"%|pour[\s\u00a0]*cent|\bpc\b", span, re.I)
            else "people"
        )
        for stem, (label, for_kind) in _VERB_METRIC.items():
            if verb.startswith(stem) and for_kind == kind:
                return label
    return None


# never a metric: fillers and words of the sentence's frame, places and demonyms, units
_NOT_METRIC = {
    "compte", "hauteur", "ici", "termes", "terme", "cap", "case", "début", "fin", "côté", "vague", "dizaine",
    "centaine", "millier", "rien", "intersection", "signature", "réalisation", "enchaîner", "représentant",
    "fcfa", "perspective", "approbation", "total", "ensemble", "niveau", "titre", "moins", "plus", "près",
    "environ", "quelque", "ordre", "lors", "cours", "fois", "barre", "seuil", "maroc", "royaume", "casablanca",
    "rabat", "tanger", "fès", "oujda", "marrakech", "agadir", "afrique", "europe", "france", "tunisie",
    "sénégal", "égypte", "malgaches", "marocains", "marocaines", "français", "tunisiens", "sénégalais",
    "milliards", "milliard", "millions", "million", "dh", "dhs", "dirhams", "euros", "dollars", "mdh", "mmdh",
    "%", "an", "ans", "année", "années", "mois", "jour", "jours", "heure", "heures",
}  # fmt: skip
_CUT_AT = re.compile(
    r"[\s\u00a0]+(?:est|sont|avec|jusqu['’]?|dont|qui|que|où|table|issues?|présents?|entièrement|selon|grâce|à travers)(?=[\s\u00a0]|$)|[\s\u00a0]*[–—(\[«»\"]|[\s\u00a0]+\w['’]?$",
    re.IGNORECASE,
)


def clean_metric(label: str | None) -> str | None:
    """A metric that names a quantity: cut at the first word that starts another clause, and
    refused when it is a filler, a place, a demonym, a unit or a date word ("côté", "rabat")."""
    if not label:
        return None
    label = re.sub(r"^[%\s\u00a0]+(?:des?|du|d['’])?[\s\u00a0]*", "", label.strip())
    m = _CUT_AT.search(label)
    if m:
        label = label[: m.start()]
    label = label.strip(" ,.;:'’-").lower()
    words = label.split()
    if not words or len(label) < 3 or all(w in _NOT_METRIC or w in _STOP_WORDS for w in words):
        return None
    if words[0] in _NOT_METRIC:
        return None
    return label


def _words(phrase: str) -> str | None:
    """A label from a phrase: lower case, cut at the first function word that starts a new complement."""
    out = []
    for w in phrase.split():
        if w.lower() in _STOP_WORDS:
            break
        out.append(w)
    label = " ".join(out).strip(" ,.;:'’").lower()
    return label if len(label) >= 3 else None


def _split_from_to(text: str, figures: list[Figure]) -> list[Figure]:
    """ "entre 2014 et 2024, passées de 7,6 à 21,4 milliards": 2014 for the first, 2024 for the second."""
    out = list(figures)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        m = _SPAN.fullmatch(a.period or "")
        if (
            m
            and a.period == b.period
            and a.range_max is None
            and b.range_max is None
            and _FROM_TO_GAP.match(text[a.end : b.start] + " ")
        ):
            out[i] = dataclasses.replace(a, period=m.group(1))
            out[i + 1] = dataclasses.replace(b, period=m.group(2))
    return out


def _sentences(doc: Doc) -> list[Span]:
    """The parser's sentences, glued back where it cut inside one ("L'Office a diplômé 14 750 lauréats | dans ...")."""
    out: list[Span] = []
    text = doc.text  # a property that joins every token: compute it once
    for s in doc.sents:
        prev = out[-1] if out else None
        between = (
            prev.text[len(prev.text.rstrip()) :]
            + text[prev.end_char : s.start_char]
            + s.text[: len(s.text) - len(s.text.lstrip())]
            if prev is not None
            else ""
        )
        if (
            prev is not None
            and "\n" not in between
            and (not _CLOSED_END.search(prev.text) or not any(c.isalnum() for c in s.text))
        ):
            out[-1] = doc[prev.start : s.end]
        else:
            out.append(s)
    return out


_CLOSED_END = re.compile(r"[.!?:;»\"”)…]\s*$")
_PARTICIPLE = re.compile(r"(?:é|ée|és|ées|ert|erte|erts|ertes|ite|ites|ise|ises|ue|ues|us|u)$")


def _aside_at(doc: Doc) -> Callable[[int], bool]:
    """From a char offset: is the word there a participle opening an aside ("Créée en 2019, ...")?"""
    by_char = {t.idx: t for t in doc}

    def aside(pos: int) -> bool:
        tok = by_char.get(pos)
        if tok is None:
            return False
        # morph.get(field, None): spaCy's stub makes the default (None, read as []) a required argument
        if "Part" in tok.morph.get("VerbForm", None) and tok.pos_ in ("VERB", "AUX", "ADJ"):
            return True
        return (
            tok.pos_ == "ADJ"
            and bool(_PARTICIPLE.search(tok.lower_))
            and tok.i + 1 < len(doc)
            and doc[tok.i + 1].pos_ == "ADP"
        )

    return aside


def _finite_at(doc: Doc) -> Callable[[int], bool]:
    by_char = {t.idx: t for t in doc}

    def finite(pos: int) -> bool:
        tok = by_char.get(pos)
        return tok is not None and tok.pos_ in ("VERB", "AUX") and "Fin" in tok.morph.get("VerbForm", None)

    return finite


def _counted_noun(doc: Doc, lex: Lexicon) -> Callable[[int], int | None]:
    """From a char offset: end of a counted plural noun there, -1 for a noun never counted."""
    by_char = {t.idx: t for t in doc}
    text = doc.text

    def counted(pos: int) -> int | None:
        for p in skip_adjectives(text, pos, lex):
            tok = by_char.get(p)
            if tok is None or tok.pos_ not in ("NOUN", "ADJ", "PROPN"):
                continue
            low = tok.lower_
            if low in lex.not_counted or tok.lemma_.lower() in lex.not_counted:
                return -1
            if (
                tok.pos_ == "NOUN"
                and "Plur" in tok.morph.get("Number", None)
                or low.endswith(("s", "x"))
                and tok.pos_ == "NOUN"
            ):
                nxt = text[tok.idx + len(tok) :]
                if RATIO.match(nxt):
                    return -1
                return tok.idx + len(tok)
        return None  # a singular noun or no noun: "contre 520 fin 2023" may still inherit

    return counted


def _has_sents(doc: Doc) -> bool:
    return doc.has_annotation("SENT_START") or doc.has_annotation("DEP")


def _clean(value: float) -> float:
    rounded = round(value, 6)
    return float(int(rounded)) if rounded == int(rounded) else rounded


class FigureExtractor:
    """spaCy component: sets ``doc._.figures``."""

    def __init__(self, nlp: Language, name: str, lexicon_path: str, taxonomy_path: str) -> None:
        self.name = name
        self.lexicon = load_lexicon(Path(lexicon_path))
        self.taxonomy = load_taxonomy(Path(taxonomy_path))

    def __call__(self, doc: Doc) -> Doc:
        doc._.figures = figures_from_doc(doc, self.lexicon, self.taxonomy)
        return doc


@Language.factory(
    "veille_figures",
    default_config={"lexicon_path": str(DEFAULT_LEXICON), "taxonomy_path": str(DEFAULT_TAXONOMY)},
)
def make_figure_extractor(nlp: Language, name: str, lexicon_path: str, taxonomy_path: str) -> FigureExtractor:
    return FigureExtractor(nlp, name, lexicon_path, taxonomy_path)
