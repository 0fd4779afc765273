"""Settle what :func:`pipeline.quantities.scan` left pending: units, people, qualifiers.

- a scale word without a currency takes the article's currency ("18 milliards additionnels");
- a bare number takes the unit of the figure it is enumerated with ("dont 3 000", "contre
  9 400 deux ans plus tôt"), or of the noun the parse says it counts;
- people nouns: jobs or count. Job nouns ("emplois", "salariés", "collaborateurs") are
  always jobs. Professions ("ingénieurs", "consultants", "conseillers") are jobs unless a
  training verb governs them ("former 500 ingénieurs"). Other people ("personnes",
  "jeunes", "profils") are jobs only when employed or hired ("emploie 1 200 personnes",
  "130 000 personnes employées"), else count;
- "3 900 unités" takes the unit of the figure before it ("71 300 positions ... 3 900 unités");
- "points" are percentage points (unit "points") only when the sentence (or the one before)
  speaks of percentages;
- qualifiers and approximation from the words around the figure.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import replace

from pipeline.lexicon import Lexicon
from pipeline.quantities import Quantity

_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")
_NUMBER_OF = re.compile(r"(?<!\w)nombre (?:de|d['’])", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[.;:!?\n]")
_INFINITIVE = re.compile(r"\w+(?:er|ir)", re.IGNORECASE)
_MONEY = ("MAD", "EUR", "USD")
_WORKFORCE = re.compile(r"(?<!\w)effectifs?(?!\w)", re.IGNORECASE)
_COUNTED = ("count", "jobs", "seats")
_SCALE_WORD = re.compile(r"(?<!\w)(?:mille|millions?|milliards?|Mds?|Mrds?)(?!\w)")
_JOBS_FOR = re.compile(
    r"(?<!\w)(?:des|un|les|leur|d['’])[\s\u00a0]*emplois?[\s\u00a0]+(?:à|aux)[\s\u00a0]+"
    r"(?:plus[\s\u00a0]+de[\s\u00a0]+|près[\s\u00a0]+de[\s\u00a0]+)?$",
    re.IGNORECASE,
)


def clause_window(text: str, start: int, lo: int) -> str:
    """Text of the clause before start (back to the last . ; : ! ? or newline, not before lo)."""
    window = text[max(lo, start - 120) : start]
    parts = _CLAUSE_BREAK.split(window)
    return parts[-1] if parts else window


def _last_words(window: str, n: int) -> str:
    return " ".join(window.split()[-n:])


def _governing_verb(window: str, lex: Lexicon) -> str | None:
    """'hiring', 'training' or None: the verb nearest before the number in its clause.

    A hiring verb followed by an infinitive does not govern ("compte former 500 jeunes").
    """
    found: list[tuple[int, str]] = [(m.start(), "hiring") for m in lex.hiring.finditer(window)]
    found += [(m.start(), "training") for m in lex.training.finditer(window)]
    if not found:
        return None
    pos, kind = max(found)
    if kind == "hiring" and any(_INFINITIVE.fullmatch(w) for w in window[pos:].split()[1:]):
        return None
    return kind


def people_unit(text: str, q: Quantity, s_start: int, lex: Lexicon) -> str:
    """jobs or count for a number of people ("1 200 personnes", "85 consultants")."""
    window = _last_words(clause_window(text, q.start, s_start), 6)
    verb = _governing_verb(window, lex)
    after = text[q.noun_end : q.noun_end + 40] if q.noun_end is not None else ""
    if lex.hired_after.match(after):
        return "jobs"  # "dont 140 ont été recrutés", "300 lauréats ont rejoint nos équipes"
    if _JOBS_FOR.search(text, max(s_start, q.start - 40), q.start):
        return "jobs"  # "offrir des emplois à 50.000 diplômés"
    if q.people == "professionals":
        if lex.leaving_after.match(after):
            return "count"  # "5 000 ingénieurs quittent le pays chaque année": a flow
        return "count" if verb == "training" else "jobs"
    if q.people == "seekers":
        placed = [m.start() for m in lex.placing.finditer(window)]
        trained = [m.start() for m in lex.training.finditer(window)]
        return "jobs" if placed and max(placed) > max(trained, default=-1) else "count"
    if lex.employed_after.match(after):
        return "jobs"  # "130 000 personnes employées", "6 500 personnes y travaillent"
    if lex.staff_before.search(text, max(s_start, q.start - 60), q.start):
        return "jobs"  # "un centre d'appels de 450 personnes": its staff
    if _WORKFORCE.search(clause_window(text, q.start, s_start)):
        return "jobs"  # "l'effectif total est alors de 2577 personnes"
    placed = [m.start() for m in lex.placing.finditer(window)]
    if placed and max(placed) > max((m.start() for m in lex.training.finditer(window)), default=-1):
        return "jobs"  # "nous avons inséré 55.000 jeunes", "l'insertion de 445.000 personnes"
    return "jobs" if verb == "hiring" else "count"


def _percent_context(text: str, q: Quantity, sentences: list[tuple[int, int]], i: int, lex: Lexicon) -> bool:
    lo = sentences[i - 1][0] if i > 0 and sentences else (sentences[i][0] if sentences else 0)
    hi = sentences[i][1] if sentences else len(text)
    return bool(lex.percent_context.search(text[lo : q.start] + " " + text[q.end : hi]))


def resolve(
    text: str,
    quantities: list[Quantity],
    sentences: list[tuple[int, int]],
    lex: Lexicon,
    counted: Callable[[int], int | None] | None = None,
    pronoun: Callable[[int], bool] | None = None,
) -> list[Quantity]:
    """Settle pending units (implied currency, counted nouns, inherited, people, points) and qualifiers.

    ``counted(pos)`` says whether the word at pos is a counted noun (returns its end), a
    noun that is not counted (-1: drop the number) or no noun (None); ``pronoun(pos)``
    whether the word at pos is a pronoun ("en" in "nous en comptons 1 140").
    """
    starts = [s for s, _ in sentences]
    money = [q for q in quantities if q.unit in _MONEY]
    out: list[Quantity] = []
    for q in quantities:
        i = max(0, bisect.bisect_right(starts, q.start) - 1)
        s_start, s_end = sentences[i] if sentences else (0, len(text))
        unit = q.unit
        if q.implied and unit is None:
            prev = [m for m in money if m.start < q.start]
            nxt = [m for m in money if m.start > q.start]
            unit = prev[-1].unit if prev else (nxt[0].unit if nxt else None)
        elif unit is None:
            noun_end = counted(q.noun_at) if counted and q.noun_at is not None else None
            if noun_end == -1:
                continue
            if noun_end is not None:
                unit, q = "count", replace(q, end=noun_end)
            elif q.bare:
                unit = _bare_unit(text, q, quantities, out, s_start, s_end)
        if unit is None and q.bare and q.en_at is not None and (pronoun is None or pronoun(q.en_at)):
            # "80 salariés. Nous en comptons aujourd'hui 1 140": the noun counted before
            prev = [
                o
                for o in out
                if q.start - 300 < o.start < q.start
                and o.unit in _COUNTED
                and "\n" not in text[o.end : q.start]
            ]
            unit = prev[-1].unit if prev else None
        if unit is None:
            continue
        if q.anaphoric:
            prev = [o for o in out if s_start <= o.start < q.start and o.unit in _COUNTED]
            unit = prev[-1].unit if prev else "count"
        if q.people and unit == "count":
            unit = people_unit(text, q, s_start, lex)
        elif q.inherit and unit == "count" and lex.hired_after.match(text, q.end):
            unit = "jobs"  # "220 stagiaires, dont 140 ont rejoint nos équipes"
        if q.inherit and unit in _MONEY and q.range_max is None:
            q = _with_scale_before(text, q, out, lex)
        if q.points:
            if not _percent_context(text, q, sentences, i, lex):
                continue
            unit = "points"  # percentage points: "a perdu 1,5 point", "3 à 4 points"
        qualifier, approx = _qualify(text, q, s_start, s_end, lex)
        out.append(
            replace(
                q,
                unit=unit,
                qualifier=qualifier or q.qualifier,
                approx=q.approx or approx,
                implied=False,
                bare=False,
            )
        )
    return out


def _with_scale_before(text: str, q: Quantity, out: list[Quantity], lex: Lexicon) -> Quantity:
    """An amount enumerated after one written with a scale word takes that scale: "33,26
    millions en 2023 et 26,2 en 2022" is 26,2 millions, "passé de 2 milliards à 3,5" 3,5 milliards."""
    prev = [o for o in out if o.start < q.start and o.unit in _MONEY]
    if not prev or q.value >= 1000:
        return q
    m = _SCALE_WORD.search(text, prev[-1].start, prev[-1].end)
    scale = lex.scale_values.get(m.group(0)) if m else None
    if not scale or scale < 1e3:
        return q
    if q.value * scale > prev[-1].value and re.search(r"(?<!\w)dont(?!\w)", text[prev[-1].end : q.start]):
        return q  # "12 millions de dirhams, dont 500": a part is no larger than its whole
    return replace(q, value=q.value * scale)


def _bare_unit(
    text: str, q: Quantity, quantities: list[Quantity], out: list[Quantity], s_start: int, s_end: int
) -> str | None:
    """The unit a bare number takes from the figures around it (``out``: those settled before
    it) or from its clause, or None."""
    if q.inherit:
        # the parser may cut a sentence at ", contre": look back over the text instead
        prev = [
            o for o in out if o.start < q.start and o.unit and not _SENTENCE_END.search(text, o.end, q.start)
        ]
        return prev[-1].unit if prev else None
    if q.forward:
        # "Nous sommes 3000 à Casablanca, 1200 à Oujda et 800 collaborateurs à Tanger"
        later = [o for o in quantities if q.start < o.start < s_end and o.unit in _COUNTED and not o.bare]
        return later[0].unit if later and not _SENTENCE_END.search(text, q.end, later[0].start) else None
    if _NUMBER_OF.search(clause_window(text, q.start, s_start)):
        return "count"  # "le nombre de diplômés ... à 50 000"
    if q.value >= 10 and _WORKFORCE.search(clause_window(text, q.start, s_start)):
        # "portant ses effectifs à plus de 20 000", "7 300 lauréats, un effectif appelé à franchir 10 000"
        prev = [o for o in out if s_start <= o.start < q.start and o.unit in _COUNTED]
        return prev[-1].unit if prev else "jobs"
    return None


def _qualify(text: str, q: Quantity, s_start: int, s_end: int, lex: Lexicon) -> tuple[str | None, bool]:
    if q.range_max is not None:
        return None, False
    before = text[max(s_start, q.start - 60) : q.start].lower().replace("\u00a0", " ")
    after = text[q.end : min(s_end, q.end + 30)].lower()
    qualifier, approx = None, False
    for kind, rx in lex.qualifiers_before:
        if rx.search(before):
            if kind == "none":
                pass
            elif kind == "approx":
                approx = True
                # "à près de", "soit plus de près de" are rare: one qualifier is enough
            elif qualifier is None:
                qualifier = kind
            break
    for kind, rx in lex.qualifiers_after:
        if rx.match(after):
            if kind == "approx":
                approx = True
            elif qualifier is None:
                qualifier = kind
    return qualifier, approx
