"""Snippets: the excerpt around the matches, with every matching word marked and nothing else."""

from __future__ import annotations

import re

from veille.archive.fulltext import WORD_RE, Matcher, snippet
from veille.archive.query import parse

TEXT = (
    "Le secteur a recruté cette année. " + "Des mots sans rapport remplissent la page. " * 12
    + "À Fès, la CRÉATION d'emplois qualifiés progresse ; les Emplois du numérique suivent. "
    + "Encore des phrases sans rapport pour finir le texte. " * 8
    + "Dernière ligne : l'exportation."
)  # fmt: skip


def marked(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def matcher(text: str) -> Matcher:
    q = parse(text)
    return Matcher(q.keys(), q.prefixes())


def test_find_reports_every_matching_word_whatever_its_accents_and_case() -> None:
    m = matcher("creation emploi fes")
    found = [TEXT[s:e] for s, e, _ in m.find(TEXT)]
    assert found == ["Fès", "CRÉATION", "emplois", "Emplois"]
    every = [w.group() for w in WORD_RE.finditer(TEXT) if m(w.group())]
    assert found == every


def test_excerpt_is_around_the_densest_matches_and_marks_them() -> None:
    html = snippet(TEXT, matcher("création d'emplois"))
    assert html.startswith("… ") and html.endswith(" …")
    assert marked(html) == ["CRÉATION", "emplois", "Emplois"]
    assert 25 <= len(html.split()) <= 40


def test_prefix_match_near_the_end_keeps_a_full_window() -> None:
    html = snippet(TEXT, matcher("export*"))
    assert marked(html) == ["exportation"] and html.endswith("l&#x27;<mark>exportation</mark>.")
    assert len(html.split()) >= 30


def test_no_match_gives_the_beginning_and_markup_is_escaped() -> None:
    html = snippet("<b>Offre</b> & demande " * 20, matcher("tunisie"))
    assert html.startswith("&lt;b&gt;Offre&lt;/b&gt; &amp;") and "<mark>" not in html
    assert snippet("", matcher("emploi")) == "" and snippet("…", matcher("emploi")) == ""
