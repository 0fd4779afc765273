"""The cues a figure's status is read from (:mod:`pipeline.status` weighs them): the words of its
clause that mark a goal, a forecast, a plan or a fact; the words that say where a cue applies
(agreements, changes, groups, deadlines, the end of a clause); and the verb the figure depends on
in the parse, with its tense."""

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
    span = doc.char_span(start, start + 1, alignment_mode="expand")  # the token holding ``start``
    tok = span[0] if span else None
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
    r"\b(?:va|vont|allait|allaient) (?:\w+ )?\w+(?:er|ir|re)\b|\w+(?:era|eront|ira|iront|dra|dront|îtra|îtront)\b"
    r"|\b(?:sera|seront|serait|seraient) (?:\w+ )?\w+(?:é|és|ée|ées|u|us|ue|ues|is|ise|it|ite)\b|\bdevr(?:a|ont)\b"
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

# where a cue applies: agreements, changes, groups, deadlines, asides
SIGNED = re.compile(r"sign(?:é|ée|és|ées|ature)|mémorandum|convention|accord", re.I)
# "un contrat initial de 556.000 dollars" (a "marché" is a contract only when public or valued:
# "le marché devrait croître de 8 %" is a market)
AGREEMENT_OF = re.compile(
    r"(?:(?:contrat|accord|convention)s?(?:[\s\u00a0]+(?!devr|pourr)[^\W\d_]+){0,2}|marchés?(?:[\s\u00a0]+publics?)?)"
    r"[\s\u00a0]+(?:de|d['’]une?[\s\u00a0]+valeur[\s\u00a0]+de)[\s\u00a0]+$",
    re.I,
)
OUTCOMES = {
    "chiffre_affaires", "exportations", "resultat", "croissance", "taille_marche",
    "taux_chomage", "taux_occupation", "clients", "salaire", "loyer",
}  # fmt: skip
ANNOUNCES = re.compile(r"annonc\w*(?:[\s\u00a0]+[^\W\d_]+){0,2}[\s\u00a0]*$", re.I)
COORDINATED = re.compile(r"(?<!\w)et[\s\u00a0]+(?:à|de|d['’])[\s\u00a0]*[^\W\d_]+(?:er|ir|re)(?!\w)", re.I)
FUTURE_AFTER = re.compile(
    r"^(?:[\s\u00a0]*[^\W\d_]+){0,3}[\s\u00a0]+(?:sera|seront|va|vont|\w+(?:era|eront|ira|iront))(?!\w)", re.I
)
# where the words after a figure leave its clause for another one
OTHER_CLAUSE = re.compile(
    r",[\s\u00a0]*(?:et|mais|alors|tandis|elle|il|ils|elles|on|dans l['’]objectif)(?!\w)|(?<!\w)(?:alors|tandis) qu",
    re.I,
)
COMMA = re.compile(r",")
AGREEMENTS = re.compile(r"mémorandum|convention|projet|accord|protocole|action|contrat|partenariat", re.I)
# the value a change starts from has happened: "passer de 17,9 milliards en 2023 à 40 milliards"
TO_AFTER = re.compile(
    r"[\s\u00a0]*(?:(?:en|fin|à fin|au titre de)[\s\u00a0]+(?:\w+[\s\u00a0]+)?(?:19|20)\d\d[\s\u00a0]*)?,?"
    r"[\s\u00a0]*(?:à|pour atteindre|pour s['’]établir à)[\s\u00a0]+(?:près de |plus de |environ |quelque )?\d",
    re.I,
)
CHANGE_VERB = re.compile(
    r"(?<!\w)(?:pass|port|augment|hiss|élev|progress|évolu|croît|croiss|grimp|bondi|chut|baiss|recul|dimin)\w*"
    r"(?:[\s\u00a0]+[^\s\u00a0\d]+){0,6}?[\s\u00a0]+(?:de|d['’])[\s\u00a0]*$",
    re.I,
)
HELD = re.compile(
    r"(?<!\w)(?:ses|leurs|nos|vos)[\s\u00a0]+(?:(?:plus de|près de|quelque)[\s\u00a0]+)?$", re.I
)
# a group named with a definite article exists already: "aux 300 salariés", "renforcer les 3.000 ingénieurs"
GROUP = re.compile(
    r"(?<!\w)(?:aux|les|ces|(?:chacun|chacune|l['’]ensemble|la totalité|tous|toutes)[\s\u00a0]+des)[\s\u00a0]+"
    r"(?:(?:plus de|près de|quelque)[\s\u00a0]+)?$",
    re.I,
)
FLOW_NOUN = re.compile(
    r"emploi|poste|recrut|embauch|création|opportunit|place|stag|bours|lauréat|dirham|DH|€|euro|dollar|\$|%|m2|m²|ha\b|hectare",
    re.I,
)
# a plan with a deadline is a goal: "permettra la création de 12.000 emplois à l'horizon 2016"
HORIZON_AFTER = re.compile(
    r"^[^,;:()]{0,40}?(?:d['’]ici(?:[\s\u00a0]+à)?(?:[\s\u00a0]+(?:la[\s\u00a0]+)?fin(?:[\s\u00a0]+de)?)?"
    r"[\s\u00a0]+(?:l['’]an(?:née)?[\s\u00a0]+)?(?:19|20)\d\d|à[\s\u00a0]+l['’]horizon)",
    re.I,
)
PROMISED = re.compile(r"sign(?:é|ée|és|ées|ature)|mémorandum|convention|accord|prome(?:t|sse)|promis", re.I)
# money put into a plan is its means, not its goal: committed when the plan is set
MEANS = {"investissement"}
INVESTMENT_OF = re.compile(
    r"(?<!\w)(?:un|l['’])[\s\u00a0]*investissements?(?:[\s\u00a0]+(?:global|total|initial|estimé|prévu))?[\s\u00a0]+"
    r"(?:de|d['’])[\s\u00a0]*(?:(?:près de|plus de|environ|quelque)[\s\u00a0]+)?$",
    re.I,
)
ENABLES = re.compile(r"(?<!devrait )(?<!devraient )(?<!pourrait )permettr(?:a|ont)\b[^.;]{0,60}$", re.I)
# a verb of another clause that speaks of the future: "générera", "devraient atteindre", "vont accueillir"
NEXT_VERB = re.compile(
    r"(?<!\w)(?:[^\W\d_]+(?:era|eront|ira|iront|dra|dront|îtra|îtront|rait|raient)|devr\w+|pourr\w+|va|vont"
    r"|ambitionn\w+|vis(?:e|ent)|entend(?:ent)?|espèr\w+|compt(?:e|ent) (?:atteindre|porter|passer|doubler))(?!\w)",
    re.I,
)

# a relative clause right after the figure speaks of it: "192 ha, dont l'achèvement est prévu en 2011"
RELATIVE_AFTER = re.compile(r"[\s\u00a0]*,?[\s\u00a0]*(?:dont|qui|que|où)(?!\w)", re.I)
# investment drawn in is an outcome, a goal: "drainer des investissements d'un montant de 1,5 MMDH"
ATTRACTS = re.compile(r"(?<!\w)(?:attir|drain|capt)\w*", re.I)


def nearest(rx: re.Pattern[str], window: str, from_end: bool) -> int | None:
    """Distance (chars) of the cue nearest the figure in ``window`` (before: from its end)."""
    best = None
    for m in rx.finditer(window):
        if rx is PLANNED and NOT_FUTURE.match(m.group(0)):
            continue
        d = len(window) - m.end() if from_end else m.start()
        best = d if best is None or d < best else best
    return best
