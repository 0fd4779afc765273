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
from dataclasses import dataclass

from spacy.tokens import Doc, Token

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
# the verb that governs a figure in the parse, and its tense


@dataclass(frozen=True)
class Verb:
    """The verb a figure depends on: where it starts, its word and its tense ("future",
    "conditional", "present", "past" or "other": an infinitive, a participle alone)."""

    start: int
    word: str
    tense: str


def _tense(verb: Token) -> str:
    auxes = [c for c in verb.children if c.dep_ in ("aux", "aux:pass", "aux:tense")]
    for t in (*auxes, verb):
        mood, tense = t.morph.get("Mood"), t.morph.get("Tense")
        if "Cnd" in mood:
            return "conditional"
        if "Fut" in tense:
            return "future"
        if t is not verb and t.lemma_ == "aller" and "Pres" in tense:
            return "future"  # "va investir"
    if auxes:
        return (
            "past" if any(a.lemma_ == "avoir" or "Imp" in a.morph.get("Tense") for a in auxes) else "present"
        )
    if "Fin" not in verb.morph.get("VerbForm"):
        return "other"
    return "past" if verb.morph.get("Tense") and verb.morph.get("Tense")[0] in ("Past", "Imp") else "present"


def verb_of(doc: Doc, start: int) -> Verb | None:
    """The verb whose dependent the figure starting at ``start`` is (up the parse from its number)."""
    tok = next((t for t in doc if t.idx <= start < t.idx + max(len(t.text), 1)), None)
    for _ in range(8):
        if tok is None or tok.pos_ == "VERB":
            break
        tok = None if tok.head is tok else tok.head
    if tok is None or tok.pos_ != "VERB":
        return None
    return Verb(tok.idx, tok.text, _tense(tok))


# ---------------------------------------------------------------------------------------------
# status

_TARGET = re.compile(
    r"objectifs?|ambition\w*|ambitionn\w*|\bvis(?:e|ent|ait|aient|er|ant)\b|cibl(?:e|es|er|ant)\b"
    r"|à l['’]horizon|horizon 20\d\d|d['’]ici (?:à |l['’]an |fin |la fin (?:de )?)?(?:20\d\d|\d+ ans)"
    r"|se fix\w+|escompt\w*|\btent\w* de (?:faire|porter|atteindre|créer|former)|\bmis\w* sur\b[^.;]{0,80}pour atteindre|entend (?:atteindre|porter|créer|générer|passer)"
    r"|(?:compte|comptent|espère|espèrent) (?:atteindre|porter|passer|doubler|tripler|hisser|dépasser)"
    r"|souhait\w+ (?:atteindre|porter|créer)|veut (?:atteindre|porter|créer|passer)",
    re.I,
)
_FORECAST = re.compile(
    r"\bdevr(?:ait|aient)\b|\bpourr(?:ait|aient|a|ont)\b|prévisions?\b|projections?|projeté\w* à|tabl(?:e|ent) sur"
    r"|s['’]attend\w*|\bprédi(?:t|sent|sait|saient|sant|ctions?)\b|\bprévoi(?:t|ent|ait|aient|ant) que\b|\bespérée?s?\b|(?:pass|atteind|dépass|progress|grimp|augment|croît)\w*r(?:ait|aient)\b|\battendu\w*|anticip\w+|estim\w+ que|prévoi\w* une (?:croissance|hausse|progression|baisse|augmentation)"
    r"|selon les prévisions|(?<!devra )(?<!devront )(?<!devant )(?<!doit )(?<!doivent )permettr\w+ (?:de |d['’]|la |l['’])|susceptibles? de|\w+(?:era|eront|ira|iront) (?:à|de) (?:atteindre|dépasser)",
    re.I,
)
# decided or committed, not yet done: "announced" for an investment, a hiring, an opening;
# for an outcome (a turnover, a growth rate) the same words are a forecast
_PLANNED = re.compile(
    r"\b(?:va|vont|allait|allaient) (?:\w+ )?\w+(?:er|ir|re)\b|\w+(?:era|eront|ira|iront)\b"
    r"|\b(?:sera|seront) (?:\w+ )?\w+(?:é|és|ée|ées|u|us|ue|ues|is|ise|it|ite)\b|\bdevr(?:a|ont)\b"
    r"|prévoi\w* (?:de |d['’]|la création|l['’]ouverture|l['’]investissement|le recrutement|un investissement|des investissements|la mise)"
    r"|\bprévu(?:e|s|es)?\b|programmé\w*|annonc\w* (?:l['’]ouverture|la création|un investissement|le lancement|son intention|le recrutement|un plan)"
    r"|(?:compte|comptent|entend|entendent|souhaite|veut|décidé d['’]) ?(?:en |y |les |l['’])?(?:investir|recruter|créer|ouvrir|embaucher|injecter|mobiliser|s['’]installer|s['’]implanter)"
    r"|s['’]engag\w+|engagé\w* à|engagement|projet(?:te|tent)? d|nouvel(?:le)? (?:usine|site|centre|unité|investissement)"
    r"|signé\w*|signature|conventions?|mémorandums?|protocole|accord d['’]investissement"
    r"|devant (?:générer|créer|permettre)|mobiliser|approuv\w+|validé\w*|projets? d['’]investissement|projeté|potentiel d['’]investissement"
    r"|à pourvoir|\b(?:re)?cherch(?:e|ent|ons)\b(?!\s+et\b)|à terme|\bà créer|en projet"
    r"|prévisionnel\w*|prévisible\w*|projeté\w*(?! à)|devr(?:a|ont) permettre|s['’]apprête\w* à|en passe de|sur le point de"
    r"|prochaine?s? années|\bpromi[st]e?s?\b|\bpromet\b|promesse|(?:doit|doivent) permettre|\w+(?:erons|irons)\b"
    r"|en cours d['’](?:aménagement|achèvement|installation|implantation|exécution|extension)"
    r"|en cours de (?:création|développement|déploiement|lancement|finalisation|montage|construction|réalisation)"
    r"|pour (?:construire|ouvrir|créer|installer|aménager|bâtir|implanter|recruter|embaucher)\b|[àa] la clé|\bà venir\b"
    r"|plan d['’](?:investissement|embauche)|plan de recrutement|programme d['’]investissement"
    r"|envisag\w* (?:de |d['’]|la |l['’]|le |un |une )|(?:l['’]|son |leur |l['’]|avoir l['’])intention d|verr(?:a|ont) le jour|\bfutur(?:e|s|es)?\b",
    re.I,
)
# the subject of a "prévoit" that is a plan: its figure is a goal ("le plan prévoit la création de 140.000 emplois")
_PLAN_SUBJECT = re.compile(
    r"(?:plan|stratégie|programme|feuille de route|vision|pacte)\b[^.;]{0,80}(?:prévoi\w*|vise|visant|doit|ambitionne)[^.;]{0,60}$",
    re.I,
)
# approved projects: their amounts and jobs are commitments ("la commission a approuvé 15 projets pour 10,8 milliards")
_APPROVED = re.compile(
    r"approuv\w+|commission (?:nationale |régionale |unifiée )*(?:des |de l['’]|d['’])investissement|conventions? d['’]investissement"
    r"|investissements? projetés?|projets? d['’]investissements?",
    re.I,
)
_MODAL = re.compile(
    r"\b(?:pourr|devr)(?:ait|aient)\b(?:[\s\u00a0]+(?:à|de|d['’])?[\s\u00a0]*[^\W\d_]+){0,3}[^.;]*$", re.I
)
_COMMITTED = {"investissement", "emplois_crees", "fonds"}
_NOW_AFTER = re.compile(r"^\W*(?:aujourd['’]hui|actuellement|à ce jour|désormais)", re.I)
# done or measured: the nearest of these before the figure keeps it "actual"
_ACTUAL = re.compile(
    r"passant (?:\w+ )?de|passé de|contre\b|\baprès[\s\u00a0]*$|(?:a|ont|avait|avaient) permis|à ce jour|actuellement|aujourd['’]hui|d['’]ores et déjà|\bdéjà\b|\ba (?:été|investi|recruté|créé|réalisé|enregistré|atteint|nécessité|mobilisé|généré|levé|employé|formé)"
    r"|\bont (?:été|investi|recruté|créé|réalisé|enregistré|atteint|nécessité|mobilisé|généré|levé|employé|formé)"
    r"|avons (?:\w+ )?(?:recruté|créé|investi|réalisé|atteint|formé)|emploie|emploient|compte\b|comptent|totalis\w+"
    r"|ayant (?:\w+ )?\w+(?:é|i|u|is)\b|\w+ait (?:de|d['’]) (?:\w+ )?(?:atteindre|dépasser)",
    re.I,
)
# future verbs that are not plans ("aura": the copula; "fera" vague)
_NOT_FUTURE = re.compile(
    r"^(?:aura|auront|fera|feront|mettra|mettront|pourra|pourront|ira|iront|verra|verront|faudra|permettra|permettront"
    r"|notera|retiendra|remarquera|signalera|rappellera|citera)$",  # "on notera 20.015 embauches": discourse
    re.I,
)
_EVENT_INDICATORS = {
    "investissement",
    "emplois_crees",
    "fonds",
    "sites",
    "positions",
    "projets",
    "surface",
    "personnes_formees",
    "effectif",
}
_CUES = (("target", _TARGET), ("forecast", _FORECAST), ("planned", _PLANNED), ("actual", _ACTUAL))


def _nearest(rx: re.Pattern[str], window: str, from_end: bool) -> int | None:
    """Distance (chars) of the cue nearest the figure in ``window`` (before: from its end)."""
    best = None
    for m in rx.finditer(window):
        if rx is _PLANNED and _NOT_FUTURE.match(m.group(0)):
            continue
        d = len(window) - m.end() if from_end else m.start()
        best = d if best is None or d < best else best
    return best


_SIGNED = re.compile(r"sign(?:é|ée|és|ées|ature)|mémorandum|convention|accord", re.I)
_AGREEMENT_OF = re.compile(
    r"(?:contrat|marché|accord|convention)s?(?:[\s\u00a0]+[^\W\d_]+){0,2}[\s\u00a0]+(?:de|d['’]une?[\s\u00a0]+valeur[\s\u00a0]+de)[\s\u00a0]+$",
    re.I,
)
_OUTCOMES = {
    "chiffre_affaires", "exportations", "resultat", "croissance", "taille_marche",
    "taux_chomage", "taux_occupation", "clients", "salaire", "loyer",
}  # fmt: skip
_ANNOUNCES = re.compile(r"annonc\w*(?:[\s\u00a0]+[^\W\d_]+){0,2}[\s\u00a0]*$", re.I)
_COORDINATED = re.compile(r"(?<!\w)et[\s\u00a0]+(?:à|de|d['’])[\s\u00a0]*[^\W\d_]+(?:er|ir|re)(?!\w)", re.I)
_FUTURE_AFTER = re.compile(
    r"^(?:[\s\u00a0]*[^\W\d_]+){0,3}[\s\u00a0]+(?:sera|seront|va|vont|\w+(?:era|eront|ira|iront))(?!\w)", re.I
)
# where the words after a figure leave its clause for another one
_OTHER_CLAUSE = re.compile(
    r",[\s\u00a0]*(?:et|mais|alors|tandis|elle|il|ils|elles|on|dans l['’]objectif)(?!\w)|(?<!\w)(?:alors|tandis) qu",
    re.I,
)
_COMMA = re.compile(r",")
_AGREEMENTS = re.compile(r"mémorandum|convention|projet|accord|protocole|action|contrat|partenariat", re.I)


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
    stop = _OTHER_CLAUSE.search(after)
    after = after[: stop.start()] if stop else after  # "44 millions injectés, et ambitionnent de doubler"
    found = [(d, st) for st, rx in _CUES if (d := _nearest(rx, own, from_end=True)) is not None]
    if not found and _NOW_AFTER.match(after):
        return "actual"  # "de 24 agences en 2005 à 77 aujourd'hui"
    if found and prev_start is not None and _COORDINATED.search(own):
        # "vise à former 100.000 jeunes et à créer 240.000 emplois": one goal governs both infinitives
        shared = text[max(lo, start - 200) : prev_start]
        goal = [(d, st) for st, rx in _CUES[:2] if (d := _nearest(rx, shared, from_end=True)) is not None]
        if goal:
            return min(goal)[1]
    # the figure is the subject of a verb in the future ("46 projets seront déployés"): not yet made
    future_subject = not found and bool(_FUTURE_AFTER.match(after))
    if not found:
        found = [
            (d, st)
            for st, rx in _CUES
            if st != "actual"
            and (d := _nearest(rx, after, from_end=False)) is not None
            and not (st == "planned" and indicator == "part")  # "53 % du montant global projeté": a share now
        ]
        if found and min(found)[1] == "target" and _SIGNED.search(text[lo:start]):
            found = [
                (0, "planned")
            ]  # "la signature de deux mémorandums pour la création de 1500 emplois à l'horizon 2026"
    if not found and own_lo > max(lo, start - 200):
        # a cue that also governed the previous figure ("vise à porter ... de 17,9 en 2023 à 40 MMDH")
        cue_end = prev_start if prev_start is not None else own_lo
        shared = text[max(lo, start - 200) : cue_end]
        found = [
            (d, st)
            for st, rx in _CUES
            if st != "actual"
            # a share of a planned total is measured now: "(27 % des investissements projetés)"
            and not (st == "planned" and indicator == "part" and _nearest(_PLANNED, after, False) is not None)
            and (d := _nearest(rx, shared, from_end=True)) is not None
        ]
    if not found:
        if indicator in _COMMITTED and _APPROVED.search(text, max(0, s_start - 300), s_end):
            return "announced"  # the amounts and jobs of approved investment projects
        if indicator in _COMMITTED | {"sites", "positions"} and _ANNOUNCES.search(own):
            return "announced"  # "Intelcia annonce 1.000 recrutements": a hiring announced, not reported
        return "actual"
    status = min(found)[1]
    if status != "target" and (
        (_AGREEMENTS.search(text[start:end]) and not (future_subject and status == "planned"))
        or _AGREEMENT_OF.search(text, max(lo, start - 40), start)
    ):
        return "actual"  # "la signature de 135 mémorandums", "un contrat initial de 556.000 dollars": signed
    if status == "planned" and _PLAN_SUBJECT.search(text, max(lo, cue_end - 120), cue_end):
        return "target"  # "le plan prévoit la création de 140.000 emplois"
    if status == "planned" and _MODAL.search(text, max(lo, start - 150), start):
        return "forecast"  # "pourrait à terme contribuer ... et créer 80.000 emplois": the modal governs
    if status == "planned":
        # a decision for an investment, a hiring or an opening; an expected outcome otherwise
        return "forecast" if indicator in _OUTCOMES else "announced"
    if status == "actual" and indicator in _COMMITTED and _APPROVED.search(own):
        return "announced"  # "la commission a approuvé 15 projets pour un montant de 10,8 milliards"
    return status


# the value a change starts from has happened: "passer de 17,9 milliards en 2023 à 40 milliards"
_TO_AFTER = re.compile(
    r"[\s\u00a0]*(?:(?:en|fin|à fin|au titre de)[\s\u00a0]+(?:\w+[\s\u00a0]+)?(?:19|20)\d\d[\s\u00a0]*)?,?"
    r"[\s\u00a0]*(?:à|pour atteindre|pour s['’]établir à)[\s\u00a0]+(?:près de |plus de |environ |quelque )?\d",
    re.I,
)
_CHANGE_VERB = re.compile(
    r"(?<!\w)(?:pass|port|augment|hiss|élev|progress|évolu|croît|croiss|grimp|bondi|chut|baiss|recul|dimin)\w*"
    r"(?:[\s\u00a0]+[^\s\u00a0\d]+){0,6}?[\s\u00a0]+(?:de|d['’])[\s\u00a0]*$",
    re.I,
)
_HELD = re.compile(
    r"(?<!\w)(?:ses|leurs|nos|vos)[\s\u00a0]+(?:(?:plus de|près de|quelque)[\s\u00a0]+)?$", re.I
)
# a group named with a definite article exists already: "aux 300 salariés", "renforcer les 3.000 ingénieurs"
_GROUP = re.compile(
    r"(?<!\w)(?:aux|les|ces|(?:chacun|chacune|l['’]ensemble|la totalité|tous|toutes)[\s\u00a0]+des)[\s\u00a0]+"
    r"(?:(?:plus de|près de|quelque)[\s\u00a0]+)?$",
    re.I,
)
_FLOW_NOUN = re.compile(
    r"emploi|poste|recrut|embauch|création|opportunit|place|stag|bours|lauréat|dirham|DH|€|euro|dollar|\$|%|m2|m²|ha\b|hectare",
    re.I,
)


def _cue_after(text: str, end: int, s_end: int, own_words: bool = False) -> bool:
    """Whether a plan, forecast or goal follows the figure in its own words ("les 500 agents prévus";
    ``own_words``: up to the next comma only)."""
    after = text[end : clause_end(text, end, s_end)][:40]
    stop = (_COMMA if own_words else _OTHER_CLAUSE).search(after)
    after = after[: stop.start()] if stop else after
    return any(_nearest(rx, after, from_end=False) is not None for _, rx in _CUES[:3])


# a plan with a deadline is a goal: "permettra la création de 12.000 emplois à l'horizon 2016"
_HORIZON_AFTER = re.compile(
    r"^[^,;:()]{0,40}?(?:d['’]ici(?:[\s\u00a0]+à)?(?:[\s\u00a0]+(?:la[\s\u00a0]+)?fin(?:[\s\u00a0]+de)?)?"
    r"[\s\u00a0]+(?:l['’]an(?:née)?[\s\u00a0]+)?(?:19|20)\d\d|à[\s\u00a0]+l['’]horizon)",
    re.I,
)
_PROMISED = re.compile(r"sign(?:é|ée|és|ées|ature)|mémorandum|convention|accord|prome(?:t|sse)|promis", re.I)
# money put into a plan is its means, not its goal: committed when the plan is set
_MEANS = {"investissement"}
_ENABLES = re.compile(r"(?<!devrait )(?<!devraient )(?<!pourrait )permettr(?:a|ont)\b[^.;]{0,60}$", re.I)


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
    lo = clause_start(text, s_start, start)
    before = text[max(lo, start - 120) : start]
    if _HELD.search(before):
        return "actual"  # "envers ses 10.000 collaborateurs": what an actor has now
    if _GROUP.search(before) and not _FLOW_NOUN.search(text, start, end) and not _cue_after(text, end, s_end):
        return "actual"  # "a promis une prime aux 300 salariés": the promise is the prime, the staff exist
    if _CHANGE_VERB.search(before) and _TO_AFTER.match(text, end, clause_end(text, end, s_end)):
        return "actual"
    status = _status_from_cues(text, start, end, s_start, s_end, indicator, prev_end, prev_start)
    after = text[end : clause_end(text, end, s_end)]
    if (
        _HORIZON_AFTER.match(after)
        and not _PROMISED.search(text, lo, start)
        and (status == "announced" or (status == "forecast" and _ENABLES.search(before)))
    ):
        return "target"
    if verb is not None:
        status = _verb_status(text, start, end, lo, status, verb)
    if status == "target" and indicator in _MEANS:
        return "announced"  # "vise à créer 50.000 emplois moyennant un investissement de 500 M€": the means are committed
    return status


# a verb of another clause that speaks of the future: "générera", "devraient atteindre", "vont accueillir"
_FINITE_FUTURE = re.compile(
    r"(?<!\w)(?:[^\W\d_]+(?:era|eront|ira|iront|rait|raient)|devr\w+|pourr\w+|va|vont)(?!\w)", re.I
)


def _verb_status(text: str, start: int, end: int, lo: int, status: str, verb: Verb) -> str:
    """The figure's own verb, read in the parse, against a cue found only after it in its clause:
    a figure whose own verb comes before it and is realised ("le parc, qui s'étend sur 150 ha,
    générera 20.000 emplois") is not governed by that cue, unless the cue sits on the figure's own
    words ("les 14 milliards prévus")."""
    if (
        status != "actual"
        and verb.start < start
        and verb.tense in ("present", "past")
        and not any(_nearest(rx, text[max(lo, start - 200) : start], True) is not None for _, rx in _CUES[:3])
        and not _cue_after(text, end, end + 30, own_words=True)
        and _FINITE_FUTURE.search(text, end, clause_end(text, end, len(text)))
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
