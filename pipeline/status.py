"""Whether a figure has happened (its status), what a rate is per, and the year that "aujourd'hui"
or "l'an dernier" means: read from the figure's clause, text in and values out.

Decision rules (tests/data/realpress/CONVENTION.md, "Status"):

- ``target``: an objective set by an actor ("objectif", "ambitionne", "vise", "à l'horizon");
- ``forecast``: what someone expects ("devrait atteindre", "prévoit une croissance de");
- ``announced``: an investment, opening or hiring decided but not made ("va investir",
  "créera", "prévoit d'ouvrir");
- ``actual`` otherwise, including what is reported ("a annoncé un chiffre d'affaires de").

The cue nearest the figure in its clause decides; a cue after the figure counts when nothing
before it does ("3.000 startups à l'horizon 2030"). Then the figure's place: the value a change
starts from has happened ("de 17,9 milliards en 2023 à 40 milliards en 2030": the first), and a
plan with a deadline after the figure is a goal ("permettra la création de 12.000 emplois à
l'horizon 2016") unless it was signed or promised.
"""

from __future__ import annotations

import re

from pipeline.status_cues import (
    ACTUAL,
    AGREEMENT_OF,
    AGREEMENTS,
    ANNOUNCES,
    APPROVED,
    ATTRACTS,
    CHANGE_VERB,
    COMMA,
    COMMITTED,
    COORDINATED,
    CUES,
    ENABLES,
    FLOW_NOUN,
    FUTURE_AFTER,
    GROUP,
    HELD,
    HORIZON_AFTER,
    INVESTMENT_OF,
    MEANS,
    MODAL,
    NEXT_VERB,
    NOW_AFTER,
    OTHER_CLAUSE,
    OUTCOMES,
    PLAN_SUBJECT,
    PLANNED,
    PROMISED,
    RELATIVE_AFTER,
    SIGNED,
    TO_AFTER,
    Verb,
    nearest,
)

_BREAK = re.compile(r"[;!?\n]|\.(?=\s)|\s[–—]\s")


def clause_start(text: str, s_start: int, start: int) -> int:
    """Where the figure's clause begins in its sentence (after a ";", a full stop, a dash)."""
    lo = s_start
    for m in _BREAK.finditer(text, s_start, start):
        lo = m.end()
    return lo


def clause_end(text: str, end: int, s_end: int) -> int:
    """Where the figure's clause ends in its sentence."""
    m = _BREAK.search(text, end, s_end)
    return m.start() if m else s_end


# ---------------------------------------------------------------------------------------------
# per: what a rate is per, read just after the figure ("80 DH/m²/mois", "450 euros par mois")

_SP = r"[\s\u00a0\u202f]*"
_PER_AFTER = [
    (
        "m2/month",
        re.compile(
            r"^"
            + _SP
            + r"(?:HT"
            + _SP
            + r")?(?:/|par|le)"
            + _SP
            + r"m(?:²|2|ètre carré)"
            + _SP
            + r"(?:/|par)"
            + _SP
            + r"mois",
            re.I,
        ),
    ),
    (
        "m2",
        re.compile(
            r"^" + _SP + r"(?:HT" + _SP + r")?(?:/|par|le)" + _SP + r"(?:m²|m2|mètre carré)(?!\w)", re.I
        ),
    ),
    (
        "month",
        re.compile(
            r"^"
            + _SP
            + r"(?:(?:brut|net|bruts|nets|HT|TTC)"
            + _SP
            + r")?(?:/|par)"
            + _SP
            + r"mois(?!\w)|^"
            + _SP
            + r"(?:brut|net)?s?"
            + _SP
            + r"mensuel",
            re.I,
        ),
    ),
    (
        "year",
        re.compile(
            r"^"
            + _SP
            + r"(?:(?:brut|net|bruts|nets)"
            + _SP
            + r")?(?:/|par)"
            + _SP
            + r"(?:an|année)(?!\w)|^"
            + _SP
            + r"(?:brut|net)?s?"
            + _SP
            + r"annuel",
            re.I,
        ),
    ),
    ("day", re.compile(r"^" + _SP + r"(?:/|par)" + _SP + r"jour(?!\w)", re.I)),
    ("hour", re.compile(r"^" + _SP + r"(?:/|par|de l['’])" + _SP + r"heure(?!\w)", re.I)),
    (
        "person",
        re.compile(
            r"^"
            + _SP
            + r"par"
            + _SP
            + r"(?:poste|salarié|emploi|employé|personne|tête|bénéficiaire|stagiaire|lauréat)",
            re.I,
        ),
    ),
]
_PER_BEFORE = [
    ("month", re.compile(r"(?:mensuel(?:le)?s?|par mois)(?:\W+\w+){0,4}\W*$", re.I)),
    ("year", re.compile(r"(?:annuel(?:le)?s?)(?:\W+\w+){0,2}\W*$", re.I)),
]
MONEY = ("MAD", "EUR", "USD")


def per_of(text: str, start: int, end: int, unit: str, clause_start: int) -> str | None:
    """The rate's denominator read from the words right after the figure (or a "mensuel" before it)."""
    after = text[end : end + 40]
    for per, rx in _PER_AFTER:
        if rx.search(after):
            if per in ("m2", "m2/month") and unit not in MONEY:
                continue
            return per
    if unit in MONEY:
        before = text[max(clause_start, start - 60) : start]
        for per, rx in _PER_BEFORE:
            if rx.search(before):
                return per
    return None


# ---------------------------------------------------------------------------------------------
# status


def _status_from_cues(
    text: str,
    start: int,
    end: int,
    s_start: int,
    s_end: int,
    indicator: str | None,
    prev_end: int | None = None,
    prev_start: int | None = None,
) -> str:
    """actual, announced, forecast or target, from the cues of the figure's clause.

    The cue nearest before the figure, after the previous figure of its clause (``prev_end``),
    decides; else the nearest after it in the clause ("les 14 milliards prévus", "3.000 startups
    à l'horizon 2030"); else the nearest non-"actual" cue earlier in the clause ("vise ...
    passant de 17,9 milliards en 2023 à 25 MMDH en 2026": the second is the goal)."""
    lo = clause_start(text, s_start, start)
    cue_end = start  # where the words that gave the cue end (the previous figure's when it is shared)
    own_lo = max(lo, start - 200, prev_end if prev_end is not None and prev_end <= start else lo)
    own = text[own_lo:start]
    after = text[end : clause_end(text, end, s_end)][:70]
    stop = OTHER_CLAUSE.search(after)
    after = after[: stop.start()] if stop else after  # "44 millions injectés, et ambitionnent de doubler"
    found = [(d, st) for st, rx in CUES if (d := nearest(rx, own, from_end=True)) is not None]
    if not found and NOW_AFTER.match(after):
        return "actual"  # "de 24 agences en 2005 à 77 aujourd'hui"
    if found and prev_start is not None and COORDINATED.search(own):
        # "vise à former 100.000 jeunes et à créer 240.000 emplois": one goal governs both infinitives
        shared = text[max(lo, start - 200) : prev_start]
        goal = [(d, st) for st, rx in CUES[:2] if (d := nearest(rx, shared, from_end=True)) is not None]
        if goal:
            return min(goal)[1]
    # the figure is the subject of a verb in the future ("46 projets seront déployés"): not yet made
    future_subject = not found and bool(FUTURE_AFTER.match(after))
    if not found:
        found = [
            (d, st)
            for st, rx in CUES
            if st != "actual"
            and (d := nearest(rx, after, from_end=False)) is not None
            and not (st == "planned" and indicator == "part")  # "53 % du montant global projeté": a share now
        ]
        if found and min(found)[1] == "target" and SIGNED.search(text[lo:start]):
            found = [
                (0, "planned")
            ]  # "la signature de deux mémorandums pour la création de 1500 emplois à l'horizon 2026"
    if not found and own_lo > max(lo, start - 200):
        # a cue that also governed the previous figure ("vise à porter ... de 17,9 en 2023 à 40 MMDH")
        cue_end = prev_start if prev_start is not None else own_lo
        shared = text[max(lo, start - 200) : cue_end]
        found = [
            (d, st)
            for st, rx in CUES
            if st != "actual"
            # a share of a planned total is measured now: "(27 % des investissements projetés)"
            and not (st == "planned" and indicator == "part" and nearest(PLANNED, after, False) is not None)
            and (d := nearest(rx, shared, from_end=True)) is not None
        ]
    if not found:
        if indicator in COMMITTED and APPROVED.search(text, max(0, s_start - 300), s_end):
            return "announced"  # the amounts and jobs of approved investment projects
        if indicator in COMMITTED | {"sites", "positions"} and ANNOUNCES.search(own):
            return "announced"  # "Intelcia annonce 1.000 recrutements": a hiring announced, not reported
        return "actual"
    status = min(found)[1]
    if status != "target" and (
        (AGREEMENTS.search(text[start:end]) and not (future_subject and status == "planned"))
        or AGREEMENT_OF.search(text, max(lo, start - 40), start)
    ):
        return "actual"  # "la signature de 135 mémorandums", "un contrat initial de 556.000 dollars": signed
    if status == "planned" and PLAN_SUBJECT.search(text, max(lo, cue_end - 120), cue_end):
        return "target"  # "le plan prévoit la création de 140.000 emplois"
    if status == "planned" and MODAL.search(text, max(lo, start - 150), start):
        return "forecast"  # "pourrait à terme contribuer ... et créer 80.000 emplois": the modal governs
    if status == "planned":
        # a decision for an investment, a hiring or an opening; an expected outcome otherwise
        return "forecast" if indicator in OUTCOMES else "announced"
    if status == "actual" and indicator in COMMITTED and APPROVED.search(own):
        return "announced"  # "la commission a approuvé 15 projets pour un montant de 10,8 milliards"
    return status


def _cue_after(text: str, end: int, s_end: int, own_words: bool = False) -> bool:
    """Whether a plan, forecast or goal follows the figure in its own words ("les 500 agents prévus";
    ``own_words``: up to the next comma only)."""
    after = text[end : clause_end(text, end, s_end)][:40]
    stop = (COMMA if own_words else OTHER_CLAUSE).search(after)
    after = after[: stop.start()] if stop else after
    return any(nearest(rx, after, from_end=False) is not None for _, rx in CUES[:3])


def _aside(text: str, start: int, end: int, s_start: int, s_end: int) -> tuple[int, int]:
    """The bounds of the parenthesis the figure sits in, else of its sentence: an aside has its
    own status ("(présent dans le capital à hauteur de 65 % depuis 2016)" in a sentence about plans)
    when it is a clause or has a cue of its own ("(contre 300 en 2019)"), not a short detail."""
    open_at = text.rfind("(", s_start, start)
    if open_at < 0 or text.find(")", open_at, start) >= 0:
        return s_start, s_end
    close_at = text.find(")", end, s_end)
    inside = text[open_at + 1 : close_at]
    if close_at < 0 or (len(inside.split()) < 6 and not any(rx.search(inside) for _, rx in CUES)):
        return s_start, s_end  # "(RDC et deux étages)": a detail of what is around it
    return open_at + 1, close_at


def status_of(
    text: str,
    start: int,
    end: int,
    s_start: int,
    s_end: int,
    indicator: str | None,
    prev_end: int | None = None,
    prev_start: int | None = None,
    verb: Verb | None = None,
) -> str:
    """actual, announced, forecast or target (see :func:`_status_from_cues`), then two readings of
    the figure's place: the value a change starts from has happened ("de 17,9 milliards en 2023 à
    40 milliards en 2030": the first), and a plan with a deadline after the figure is a goal
    ("permettra la création de 12.000 emplois à l'horizon 2016")."""
    s_start, s_end = _aside(text, start, end, s_start, s_end)
    if prev_start is not None and prev_start < s_start:
        prev_end = prev_start = None
    lo = clause_start(text, s_start, start)
    before = text[max(lo, start - 120) : start]
    if HELD.search(before):
        return "actual"  # "envers ses 10.000 collaborateurs": what an actor has now
    if GROUP.search(before) and not FLOW_NOUN.search(text, start, end) and not _cue_after(text, end, s_end):
        return "actual"  # "a promis une prime aux 300 salariés": the promise is the prime, the staff exist
    if CHANGE_VERB.search(before) and TO_AFTER.match(text, end, clause_end(text, end, s_end)):
        return "actual"
    status = _status_from_cues(text, start, end, s_start, s_end, indicator, prev_end, prev_start)
    after = text[end : clause_end(text, end, s_end)]
    if (
        HORIZON_AFTER.match(after)
        and not PROMISED.search(text, lo, start)
        and (status == "announced" or (status == "forecast" and ENABLES.search(before)))
    ):
        return "target"
    if verb is not None:
        status = _verb_status(text, start, end, lo, status, verb)
        if (
            status == "actual"
            and indicator in MEANS
            and verb.tense == "present"
            and INVESTMENT_OF.search(text, max(lo, start - 60), start)
            and not ACTUAL.search(text, lo, start)
        ):
            return "announced"  # "cette nouvelle zone nécessite un investissement de 1 milliard": a project's cost
    if (
        status == "forecast"
        and indicator in MEANS | {"fonds"}
        and not any(nearest(rx, text[max(lo, start - 200) : start], True) is not None for _, rx in CUES)
    ):
        return "announced"  # "le fonds de 500 MDH permettra de financer": the money is there, its effect expected
    if (
        status == "forecast"
        and indicator in COMMITTED
        and SIGNED.search(text, lo, start)
        and not MODAL.search(text, lo, start)
    ):
        return "announced"  # "les conventions signées permettront la création de 2.000 postes": committed
    if status == "target" and indicator in MEANS and not ATTRACTS.search(text, max(lo, start - 80), start):
        return "announced"  # "vise à créer 50.000 emplois moyennant un investissement de 500 M€": the means are committed
    return status


def _verb_status(text: str, start: int, end: int, lo: int, status: str, verb: Verb) -> str:
    """The figure's own verb, read in the parse, against a cue found only after it in its clause:
    a figure whose own verb comes before it and is realised ("le parc, qui s'étend sur 150 ha,
    générera 20.000 emplois") is not governed by that cue, unless the cue sits on the figure's own
    words ("les 14 milliards prévus")."""
    if (
        status != "actual"
        and verb.start < start
        and verb.tense in ("present", "past")
        and not any(nearest(rx, text[max(lo, start - 200) : start], True) is not None for _, rx in CUES[:3])
        and not _cue_after(text, end, end + 30, own_words=True)
        and NEXT_VERB.search(text, end, clause_end(text, end, len(text)))
        and not RELATIVE_AFTER.match(text, end)
    ):
        return "actual"
    return status


# ---------------------------------------------------------------------------------------------
# periods that only the publication date resolves

_NOW = re.compile(
    r"aujourd['’]hui|actuellement|à ce jour|à l['’]heure actuelle|cette année|en ce moment|désormais|à présent",
    re.I,
)
_LAST_YEAR = re.compile(r"l['’]an(?:née)? (?:dernier|dernière|passé|passée)", re.I)
_NEXT_YEAR = re.compile(r"l['’]an(?:née)? prochain(?:e)?", re.I)


def relative_year(
    text: str,
    start: int,
    end: int,
    s_start: int,
    s_end: int,
    year: int,
    lo: int | None = None,
    hi: int | None = None,
) -> str | None:
    """The year that "aujourd'hui" or "l'an dernier" near the figure means, given the publication year.

    The marker nearest the figure in its clause decides, within ``lo``..``hi`` when given (the ends
    of the figures before and after it): in "emploie aujourd'hui 120.000 personnes, contre 100.000
    l'an dernier", the first is this year and the second last year."""
    c_lo, c_hi = clause_start(text, s_start, start), clause_end(text, end, s_end)
    a, b = max(c_lo, lo if lo is not None else c_lo), min(c_hi, hi if hi is not None else c_hi)
    best: tuple[int, int] | None = None
    for rx, delta in ((_LAST_YEAR, -1), (_NEXT_YEAR, 1), (_NOW, 0)):
        for m in rx.finditer(text, a, b):
            d = start - m.end() if m.end() <= start else m.start() - end
            if best is None or d < best[0]:
                best = (d, delta)
    return str(year + best[1]) if best is not None else None
