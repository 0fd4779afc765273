"""Two-sentence extractive summaries: the most informative sentences, in their original order.

Text in, text out; no model. A sentence scores by its density of figures (numbers with a
unit), sector vocabulary and organisation acronyms, with a bonus for the lead and the
first paragraph (news is written top-down) and a penalty for fragments and run-ons.
"""

from __future__ import annotations

import math
import re
import unicodedata

_ABBREVIATIONS = {
    "m",
    "mm",
    "mme",
    "mmes",
    "mlle",
    "dr",
    "pr",
    "st",
    "ste",
    "cf",
    "etc",
    "env",
    "av",
    "no",
    "n°",
    "p",
}
_SPLIT = re.compile(r"(?<=[.!?…])[»\"”]?\s+(?=[«\"“A-ZÀ-ÖØ-Þ0-9])")
_FIGURE = re.compile(
    r"\d[\d\s\u00a0\u202f.,]*\s*(?:%|pour\s?cent|MMDH|MDH|Mds?|DH|Dhs|dirhams?|euros?|€|\$|dollars?|"
    r"millions?|milliards?|emplois?|postes?|m²|m2|hectares?|ha\b|entreprises?|sociétés?|salariés?|"
    r"personnes?|jeunes|lauréats?|stagiaires?|positions?|sièges?)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\b\d[\d\s\u00a0.,]*\b")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]{1,9}\b")
LEXICON = (
    "offshoring", "nearshore", "nearshoring", "externalisation", "externalisé", "délocalis", "bpo", "ito",
    "kpo", "eso", "crm", "relation client", "centre d'appel", "centres d'appel", "centre de contact",
    "emploi", "recrut", "embauch", "talent", "compétence", "formation", "ingénieur", "export", "recette",
    "chiffre d'affaires", "investissement", "investisseur", "zone", "parc", "casanearshore", "technopolis",
    "shore", "technopark", "numérique", "digital", "startup", "start-up", "cybersécurité", "cloud", "data",
    "intelligence artificielle", "donneur d'ordre", "contrat", "client", "croissance", "hausse", "baisse",
    "record", "stratégie", "programme", "incitation", "subvention", "convention", "partenariat",
)  # fmt: skip


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_LEXICON_FOLDED = tuple(_fold(term) for term in LEXICON)


def split_sentences(text: str) -> list[str]:
    """Paragraphs first (a newline always ends a sentence), then punctuation; headings dropped."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n+", text or ""):
        paragraph = " ".join(paragraph.split())
        if not paragraph or paragraph.startswith("#"):
            continue
        parts = _SPLIT.split(paragraph)
        merged: list[str] = []
        for part in parts:
            if merged:
                last_word = merged[-1].rstrip(".").rsplit(" ", 1)[-1].casefold()
                if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
                    merged[-1] = f"{merged[-1]} {part}"
                    continue
            merged.append(part)
        sentences.extend(s.strip() for s in merged if s.strip())
    return sentences


def paragraphs(text: str) -> list[str]:
    return [
        p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip() and not p.strip().startswith("#")
    ]


def score_sentence(sentence: str, *, position: int, in_lead: bool) -> float:
    """Information density of one sentence (higher is better)."""
    words = len(sentence.split())
    if words < 6:
        return -1.0
    folded = _fold(sentence)
    figures = len(_FIGURE.findall(sentence))
    numbers = len(_NUMBER.findall(sentence))
    lexicon = sum(1 for term in _LEXICON_FOLDED if term in folded)
    acronyms = len(_ACRONYM.findall(sentence))
    density = 2.0 * figures + 0.5 * max(numbers - figures, 0) + 1.0 * min(lexicon, 5) + 0.5 * min(acronyms, 4)
    density /= math.sqrt(words)
    length = 1.0 if 10 <= words <= 40 else (0.7 if words < 10 else 40 / words)
    place = (0.8 if in_lead else 0.0) + max(0.0, 0.6 - 0.15 * position)
    quote = 0.85 if sentence.lstrip().startswith(("«", '"', "“")) else 1.0
    return (density * length + place) * quote


def _sentence_key(sentence: str) -> str:
    return _fold(" ".join(sentence.split())).rstrip(' .…!?;:,»"”')


def _same_sentence(a: str, b: str) -> bool:
    """One is the other, or starts it (a lead is often the text's first sentence, cut or unpunctuated)."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 20 and long.startswith(short)


def summarize(text: str, lead: str | None = None, *, sentences: int = 2, max_chars: int = 420) -> str:
    """The ``sentences`` best sentences of lead + text, in original order, at most ``max_chars``."""
    candidates: list[tuple[str, bool]] = []
    keys: list[str] = []
    for source, in_lead in ((lead or "", True), (text or "", False)):
        for sentence in split_sentences(source):
            key = _sentence_key(sentence)
            same = next((i for i, k in enumerate(keys) if _same_sentence(k, key)), None)
            if same is None:
                keys.append(key)
                candidates.append((sentence, in_lead))
            elif len(key) > len(keys[same]):  # the lead cut short, the text in full: keep the full one
                keys[same] = key
                candidates[same] = (sentence, candidates[same][1])
    # only the top of the article: a summary should not come from the last paragraph
    candidates = candidates[:14]
    if not candidates:
        return ""
    scored = sorted(
        (
            (score_sentence(s, position=i, in_lead=lead_flag), i)
            for i, (s, lead_flag) in enumerate(candidates)
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    chosen = sorted(i for score, i in scored[:sentences] if score > -1.0) or [scored[0][1]]
    out = ""
    for i in chosen:
        piece = candidates[i][0]
        if out and len(out) + 1 + len(piece) > max_chars:
            break
        out = f"{out} {piece}".strip()
    if len(out) > max_chars:
        out = out[: max_chars - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return out
