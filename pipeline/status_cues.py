"""The cues a figure's status is read from (:mod:`pipeline.status` weighs them): the words of its
clause that mark a goal, a forecast, a plan or a fact, and the verb the figure depends on in the parse
with its tense."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

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
        mood, tense = t.morph.get("Mood", []), t.morph.get("Tense", [])
        if "Cnd" in mood:
            return "conditional"
        if "Fut" in tense:
            return "future"
        if t is not verb and t.lemma_ == "aller" and "Pres" in tense:
            return "future"  # "va investir"
    if auxes:
        return (
            "past"
            if any(a.lemma_ == "avoir" or "Imp" in a.morph.get("Tense", []) for a in auxes)
            else "present"
        )
    if "Fin" not in verb.morph.get("VerbForm", []):
        return "other"
    return (
        "past"
        if verb.morph.get("Tense", []) and verb.morph.get("Tense", [])[0] in ("Past", "Imp")
        else "present"
    )


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
# the words

TARGET = re.compile(
    r"objectifs?|ambition\w*|ambitionn\w*|\bvis(?:e|ent|ait|aient|er|ant)\b|cibl(?:e|es|er|ant)\b"
    r"|à l['’]horizon|horizon 20\d\d|d['’]ici (?:à |l['’]an |fin |la fin (?:de )?)?(?:20\d\d|\d+ ans)"
    r"|se fix\w+|escompt\w*|\btent\w* de (?:faire|porter|atteindre|créer|former)|\bmis\w* sur\b[^.;]{0,80}pour atteindre|entend (?:atteindre|porter|créer|générer|passer)"
    r"|(?:compte|comptent|espère|espèrent) (?:atteindre|porter|passer|doubler|tripler|hisser|dépasser)"
    r"|souhait\w+ (?:atteindre|porter|créer)|veut (?:atteindre|porter|créer|passer)",
    re.I,
)
FORECAST = re.compile(
    r"\bdevr(?:ait|aient)\b|\bpourr(?:ait|aient|a|ont)\b|prévisions?\b|projections?|projeté\w* à|tabl(?:e|ent) sur"
    r"|s['’]attend\w*|\bprédi(?:t|sent|sait|saient|sant|ctions?)\b|\bprévoi(?:t|ent|ait|aient|ant) que\b|\bespérée?s?\b|(?:pass|atteind|dépass|progress|grimp|augment|croît)\w*r(?:ait|aient)\b|\battendu\w*|anticip\w+|estim\w+ que|prévoi\w* une (?:croissance|hausse|progression|baisse|augmentation)"
    r"|selon les prévisions|(?<!devra )(?<!devront )(?<!devant )(?<!doit )(?<!doivent )permettr\w+ (?:de |d['’]|la |l['’])|susceptibles? de|\w+(?:era|eront|ira|iront) (?:à|de) (?:atteindre|dépasser)",
    re.I,
)
# decided or committed, not yet done: "announced" for an investment, a hiring, an opening;
# for an outcome (a turnover, a growth rate) the same words are a forecast
PLANNED = re.compile(
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
PLAN_SUBJECT = re.compile(
    r"(?:plan|stratégie|programme|feuille de route|vision|pacte)\b[^.;]{0,80}(?:prévoi\w*|vise|visant|doit|ambitionne)[^.;]{0,60}$",
    re.I,
)
# approved projects: their amounts and jobs are commitments ("la commission a approuvé 15 projets pour 10,8 milliards")
APPROVED = re.compile(
    r"approuv\w+|commission (?:nationale |régionale |unifiée )*(?:des |de l['’]|d['’])investissement|conventions? d['’]investissement"
    r"|investissements? projetés?|projets? d['’]investissements?",
    re.I,
)
MODAL = re.compile(
    r"\b(?:pourr|devr)(?:ait|aient)\b(?:[\s\u00a0]+(?:à|de|d['’])?[\s\u00a0]*[^\W\d_]+){0,3}[^.;]*$", re.I
)
COMMITTED = {"investissement", "emplois_crees", "fonds"}
NOW_AFTER = re.compile(r"^\W*(?:aujourd['’]hui|actuellement|à ce jour|désormais)", re.I)
# done or measured: the nearest of these before the figure keeps it "actual"
ACTUAL = re.compile(
    r"passant (?:\w+ )?de|passé de|contre\b|\baprès[\s\u00a0]*$|(?:a|ont|avait|avaient) permis|à ce jour|actuellement|aujourd['’]hui|d['’]ores et déjà|\bdéjà\b|\ba (?:été|investi|recruté|créé|réalisé|enregistré|atteint|nécessité|mobilisé|généré|levé|employé|formé)"
    r"|\bont (?:été|investi|recruté|créé|réalisé|enregistré|atteint|nécessité|mobilisé|généré|levé|employé|formé)"
    r"|avons (?:\w+ )?(?:recruté|créé|investi|réalisé|atteint|formé)|emploie|emploient|compte\b|comptent|totalis\w+"
    r"|ayant (?:\w+ )?\w+(?:é|i|u|is)\b|\w+ait (?:de|d['’]) (?:\w+ )?(?:atteindre|dépasser)",
    re.I,
)
# future verbs that are not plans ("aura": the copula; "fera" vague)
NOT_FUTURE = re.compile(
    r"^(?:aura|auront|fera|feront|mettra|mettront|pourra|pourront|ira|iront|verra|verront|faudra|permettra|permettront"
    r"|notera|retiendra|remarquera|signalera|rappellera|citera)$",  # "on notera 20.015 embauches": discourse
    re.I,
)
CUES = (("target", TARGET), ("forecast", FORECAST), ("planned", PLANNED), ("actual", ACTUAL))
