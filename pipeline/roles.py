"""Roles in business news: who a named person is, read from the words around the name.

"Karim Bennani, DG de Medz Sourcing", "le directeur général de l'AMDIE, Youssef Tazi", "la
ministre déléguée chargée de la Transition numérique, Leila Benchekroun": :func:`role_after`
and :func:`role_before` read the role and the organisation it names; roles are lightly
normalised (DG -> directeur général) and a minister's title gives the ministry
(:func:`ministry`). Used by :mod:`pipeline.persons`.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from pipeline.gazetteer import ROLE_HEADS, TITLES
from pipeline.organisations import ORGANISATIONS_KEY, Gazetteer, fold

__all__ = ["ROLE_HEADS", "TITLES", "ministry", "nearest_of_kind", "role_after", "role_before"]

_ROLE_EXPANSIONS = {
    "dg": "directeur général",
    "dga": "directeur général adjoint",
    "pdg": "président-directeur général",
    "drh": "directeur des ressources humaines",
    "dsi": "directeur des systèmes d'information",
    "daf": "directeur administratif et financier",
}
_ROLE_KEEP_CASE = {"ceo", "coo", "cto", "cfo", "cio", "cdo", "vp"}
_PREPOSITIONS = {"de", "d'", "du", "des", "chez", "au", "a", "aupres", "pour", "sein"}
_ARTICLES = {"la", "le", "l'", "les", "son", "sa", "leur", "notre", "groupe", "societe", "cabinet"}
_CLAUSE_STOP = {",", ".", ";", ":", "(", ")", "«", "»", '"', "!", "?", "—", "–"}


def role_after(doc: Doc, name: Span, org_spans: list[tuple[int, int, str]]) -> tuple[str | None, str | None]:
    """'X, directeur général de Y' / 'X (PDG de Y)'."""
    i = name.end
    if i >= len(doc) or doc[i].text not in {",", "("}:
        return None, None
    if doc[i].text == "(":  # "Karim Alaoui (Intelcia)": the organisation alone in brackets
        close = next((k for k in range(i + 1, min(i + 15, len(doc))) if doc[k].text == ")"), None)
        if close is not None and close > i + 1:
            s_char, e_char = doc[i + 1].idx, doc[close - 1].idx + len(doc[close - 1].text)
            inside = [n for s, e, n in org_spans if s == s_char and e == e_char]
            if inside:
                return None, inside[0]
    j = i + 1
    while j < len(doc) and fold(doc[j].text) in _ARTICLES - {"groupe", "societe", "cabinet"}:
        j += 1
    if j >= len(doc) or not _is_role_head(doc[j]):
        return None, None
    end = j
    # morph.get(field, None): spaCy's stub makes the default (None, read as []) a required argument
    while end < len(doc) and doc[end].text not in _CLAUSE_STOP and "\n" not in doc[end].text:
        if (
            end > j
            and doc[end].pos_ in {"VERB", "AUX"}
            and "Part" not in doc[end].morph.get("VerbForm", None)
        ):
            break
        end += 1
    return _role_and_org(doc, j, end, org_spans)


def role_before(
    doc: Doc, name: Span, org_spans: list[tuple[int, int, str]], apposition_only: bool = False
) -> tuple[str | None, str | None]:
    """'le directeur général de Y, X' / 'le DG de Y, M. X' / 'le ministre X'."""
    end = name.start
    while end > 0 and fold(doc[end - 1].text) in TITLES:
        end -= 1
    if end > 0 and doc[end - 1].text == ",":
        end -= 1
        limit = 25
    elif apposition_only:
        return None, None
    else:
        limit = 12
    k = end - 1
    head = None
    while k >= 0 and end - k <= limit:
        t = doc[k]
        if t.text in _CLAUSE_STOP or "\n" in t.text or "\n" in t.whitespace_:
            break
        if t.pos_ in {"VERB", "AUX"} and "Part" not in t.morph.get("VerbForm", None):
            break
        if _is_role_head(t):
            head = k
        k -= 1
    if head is None:
        return None, None
    # extend to the first role head of "président-directeur général", "cofondateur et PDG"
    return _role_and_org(doc, head, end, org_spans)


def _is_role_head(tok: Token) -> bool:
    w = fold(tok.text)
    return w in ROLE_HEADS or w.split("-")[0] in {
        "directeur",
        "directrice",
        "president",
        "presidente",
        "vice",
    }


def _role_and_org(
    doc: Doc, start: int, end: int, org_spans: list[tuple[int, int, str]]
) -> tuple[str | None, str | None]:
    """Split a role phrase doc[start:end] into the role words and the organisation it names."""
    s_char, e_char = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
    orgs = [(s, e, n) for s, e, n in org_spans if s >= s_char and e <= e_char]
    minister = fold(doc[start].text) == "ministre"
    org: str | None
    if orgs and not minister:
        first = orgs[0]
        k = start
        while k < end and doc[k].idx < first[0]:
            k += 1
        # drop the preposition and determiner between the role and the organisation
        while k > start + 1 and (fold(doc[k - 1].text) in _PREPOSITIONS | _ARTICLES):
            k -= 1
        role_end, org = k, first[2]
    else:
        role_end, org = _role_extent(doc, start, end, minister), (orgs[0][2] if orgs else None)
    role = _normalise_role(doc[start:role_end].text)
    after = role_end
    if org is None:
        org, after = _anaphor(doc, role_end, end)
    elif orgs:
        after = next((k for k in range(role_end, end) if doc[k].idx >= orgs[0][1]), end)
    if org is None and start > 0 and fold(doc[start - 1].text) in {"son", "sa", "leur", "ses"}:
        org = _possessor(doc, start, org_spans)
    if role and org is not None and not minister:
        role += _charge(doc, after, end)
    return (role or None), org


# "du groupe", "de la fédération": the organisation of that kind the article is about
_ANAPHORS: dict[str, tuple[set[str | None], str | None]] = {
    "groupe": ({"company", None}, None), "societe": ({"company", "zone_operator", None}, None),
    "filiale": ({"company", "zone_operator", None}, None),
    "entreprise": ({"company", None}, None), "firme": ({"company", None}, None),
    "start-up": ({"company", None}, None), "startup": ({"company", None}, None),
    "cabinet": ({"company", None}, None), "operateur": ({"company", "zone_operator", None}, None),
    "federation": ({"federation"}, "federation"), "association": ({"association"}, "association"),
    "confederation": ({"federation"}, "confederation"), "agence": ({"agency"}, "agence"),
    "banque": ({"bank"}, "banque"), "ministere": ({"ministry"}, "ministere"),
    "office": ({"public_body"}, "office"), "caisse": ({"public_body"}, "caisse"),
}  # fmt: skip


def _anaphor(doc: Doc, k: int, end: int) -> tuple[str | None, int]:
    """'président du groupe', 'présidente de la Fédération': (the organisation, index after it)."""
    j = k
    while j < end and fold(doc[j].text) in {"de", "d'", "du", "la", "le", "l'"}:
        j += 1
    if j == k or j >= end:
        return None, k
    noun = fold(doc[j].text)
    if noun == "start" and j + 2 < end and fold(doc[j + 2].text) == "up":
        noun, j = "start-up", j + 2
    if noun not in _ANAPHORS or (j + 1 < end and doc[j + 1].text[:1].isupper()):
        return None, k
    if j + 2 < end and fold(doc[j + 1].text) in {"de", "d'"}:
        return None, k  # "la société de gestion": a description, not a reference back
    kinds, head = _ANAPHORS[noun]
    return nearest_of_kind(doc, doc[j].idx, kinds, head), j + 1


def nearest_of_kind(doc: Doc, before: int, kinds: set[str | None], head: str | None) -> str | None:
    """The organisation of one of ``kinds`` (or whose name starts with ``head``) mentioned most often
    before ``before``; ties go to the latest mentioned."""
    best: tuple[int, int, str] | None = None
    for org in doc.user_data.get(ORGANISATIONS_KEY, []):
        name = org["name"]
        if org.get("kind") not in kinds and not (head and fold(name).split(" ")[0] == head):
            continue
        starts = [m["start"] for m in org["mentions"] if m["start"] < before]
        if starts and (best is None or (len(starts), max(starts)) > best[:2]):
            best = (len(starts), max(starts), name)
    return best[2] if best else None


def _charge(doc: Doc, k: int, end: int) -> str:
    """' en charge de l'offshoring' / ' chargé des ventes' after the organisation, kept in the role."""
    if k < end and fold(doc[k].text) == "," and k + 1 < end:
        k += 1
    if k + 1 < end and fold(doc[k].text) == "en" and fold(doc[k + 1].text) == "charge":
        return " " + doc[k:end].text.strip(" ,")
    if k < end and fold(doc[k].text) in {"charge", "chargee"}:
        return " " + doc[k:end].text.strip(" ,")
    return ""


def _possessor(doc: Doc, i: int, org_spans: list[tuple[int, int, str]]) -> str | None:
    """'Son président, X': the first organisation named (outside quotes) in this sentence
    before the role, else in the previous sentence."""
    quotes = [(m.start(), m.end()) for m in re.finditer(r"«[^»]*»|\"[^\"]*\"", doc.text)]

    def first_org(start: int, end: int) -> str | None:
        for s, e, name in org_spans:
            if start <= s and e <= end and not any(qs <= s < qe for qs, qe in quotes):
                return name
        return None

    if not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        return first_org(0, doc[i].idx)
    sent = doc[i].sent
    found = first_org(sent.start_char, doc[i].idx)
    for _ in range(3):  # a quotation may span several sentences: look further back
        if found is not None or sent.start == 0:
            break
        sent = doc[sent.start - 1].sent
        found = first_org(sent.start_char, sent.end_char)
    return found


def _role_extent(doc: Doc, start: int, end: int, minister: bool) -> int:
    """Without an organisation: keep complements like 'des ressources humaines', stop at
    'de la fédération', 'pour la région', 'au Maroc'. Ministers keep their whole title."""
    if minister:
        return end
    k = start + 1
    while k < end:
        w = fold(doc[k].text)
        if w in {"de", "d'", "du", "des", "et"} and k + 1 < end and fold(doc[k + 1].text) not in _ARTICLES:
            k += 2
            continue
        if w in {"pour", "au", "aux", "a", "en", "chez", "sur", "dans", "aupres", "de", "d'", "du", "des"}:
            break
        if doc[k].pos_ in {"ADJ", "NOUN"} or _is_role_head(doc[k]) or doc[k].text == "-":
            k += 1
            continue
        break
    return k


def _normalise_role(text: str) -> str:
    words = []
    for w in re.split(r"(\s+)", text.strip()):
        key = fold(w)
        if key in _ROLE_EXPANSIONS:
            words.append(_ROLE_EXPANSIONS[key])
        elif key in _ROLE_KEEP_CASE:
            words.append(w.upper())
        else:
            words.append(w)
    role = "".join(words).strip(" ,")
    if role and role[0].isupper() and not role[:2].isupper():
        role = role[0].lower() + role[1:]
    return role


def ministry(role: str, gaz: Gazetteer) -> str | None:
    key = fold(role)
    for entry in gaz.entries:
        if entry.kind == "ministry" and any(fold(p) in key for p in entry.portfolio):
            return entry.name
    return None
