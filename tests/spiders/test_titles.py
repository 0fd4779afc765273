"""Titles: entities decoded, the site's name removed at either end, the headline preferred
over ``<title>``, never the bare site name (pages written for these tests)."""

from __future__ import annotations

import pytest

from spiders.page import extract_page
from spiders.titles import SiteNames, decode, strip_site

BODY = "<p>" + "Le secteur de l'offshoring a créé 4 000 emplois cette année à Casablanca. " * 6 + "</p>"


def page(head: str, body: str = "") -> str:
    return f"<html lang='fr'><head><meta charset='utf-8'>{head}</head><body>{body}{BODY}</body></html>"


@pytest.mark.parametrize(
    ("head", "body", "url", "want"),
    [
        # the site's name after " - ", " | ", " — ", " · " (og:site_name)
        *[
            (
                f"<title>L'offshoring recrute{sep}Le Matin Éco</title><meta property='og:site_name' content='Le Matin Éco'>",
                "",
                "https://www.lematin-eco.ma/a/1",
                "L'offshoring recrute",
            )
            for sep in (" - ", " | ", " — ", " · ", " » ")
        ],
        # before the headline, with ":" (JSON-LD publisher)
        (
            "<title>Médias24 : Les centres d'appels embauchent</title><script type='application/ld+json'>"
            '{"@type": "WebPage", "publisher": {"@type": "Organization", "name": "Médias24"}}</script>',
            "",
            "https://medias24.example/x",
            "Les centres d'appels embauchent",
        ),
        # the host name as site name ("Exemple.ma"), no og:site_name
        ("<title>Rabat accueille un salon du BPO | Exemple.ma</title>", "", "https://www.exemple.ma/a", "Rabat accueille un salon du BPO"),
        # entities left encoded by the site (twice encoded) are decoded
        (
            "<title>x</title><meta property='og:title' content='Beaucoup d&amp;#039;actions &amp;amp; de projets'>",
            "",
            "https://blog.example.org/a",
            "Beaucoup d'actions & de projets",
        ),
        # the headline (h1 in the article) wins over a <title> that says something else
        (
            "<title>Accueil - Actualités - Portail</title>",
            "<header><h1><a href='/'>Portail</a></h1></header><article><h1>Le Maroc vise 270 000 emplois</h1></article>",
            "https://portail.example.ma/actualites/42",
            "Le Maroc vise 270 000 emplois",
        ),
        # an h1 that is the site's logo is not the headline; <title> without the site name is
        (
            "<title>Des chiffres record pour l'export | Le Blog Offshore</title>",
            "<h1>Le Blog Offshore</h1>",
            "https://leblogoffshore.example/p/1",
            "Des chiffres record pour l'export",
        ),
        # a kicker inside the heading is not part of the headline
        (
            "<title>Offshoring : Casablanca Nearshore s'agrandit - Site</title>",
            "<article><h1><span class='kicker'>Offshoring</span> Casablanca Nearshore s'agrandit</h1></article>",
            "https://site.example/a",
            "Casablanca Nearshore s'agrandit",
        ),
        # a sub-title or top line inside the heading is not part of the headline
        (
            "<title>Offshoring - Casablanca Nearshore s'agrandit - Site</title>",
            "<article><h1><span class='entry-title__toptitle'>Offshoring</span> Casablanca Nearshore s'agrandit</h1></article>",
            "https://site.example/a",
            "Casablanca Nearshore s'agrandit",
        ),
        (
            "<title>Tanger recrute - Site</title>",
            "<article><h1><span class='title'>Tanger recrute</span> <span class='entry-subtitle'>Mille postes</span></h1></article>",
            "https://site.example/a",
            "Tanger recrute",
        ),
        # a section label before the headline in the heading, the <title> being the headline alone
        (
            "<title>Tanger accueille un salon de l'offshoring</title>",
            "<article><h1>Économie | Tanger accueille un salon de l'offshoring</h1></article>",
            "https://site.example/a",
            "Tanger accueille un salon de l'offshoring",
        ),
        # only a <title>, still cut by " | " into sections once the site's name is removed
        (
            "<title>Les centres d'appels recrutent à Fès | Emploi | Forum</title>",
            "",
            "https://forum.example/t/1",
            "Les centres d'appels recrutent à Fès",
        ),
        # never the bare site name: a page whose only titles are the site's name has none of its own
        (
            "<title>Sports.fr</title><meta property='og:title' content='Sports.fr'><meta property='og:site_name' content='Sports.fr'>",
            "<h1>Sports.fr</h1>",
            "https://www.sports.fr/article",
            "",
        ),
        # a headline about the site itself is not the bare site name
        (
            "<title>Les 15 ans de Exemple.ma</title><meta property='og:site_name' content='Exemple.ma'>",
            "<h1>Les 15 ans de Exemple.ma</h1>",
            "https://www.exemple.ma/15-ans",
            "Les 15 ans de Exemple.ma",
        ),
        # a blog's name in an <h1> linked to its home page, the post's title in an <h2>
        (
            "<title>Casablanca, capitale du nearshore | Le Carnet de Karim</title>",
            "<h1><a href='https://carnet.example/'>Le Carnet de Karim</a></h1><h2>Casablanca, capitale du nearshore</h2>",
            "https://carnet.example/2025/03/casablanca",
            "Casablanca, capitale du nearshore",
        ),
        # the same in an archived copy, whose links keep the original address after the archive's
        (
            "<title>Carnet de Karim » Blog Archive » Rabat attire les centres d'appels</title>",
            "<h1><a href='https://archive.example/web/2014/http://carnet.example/'>Carnet de Karim</a></h1>",
            "https://archive.example/web/2014/http://carnet.example/2014/rabat",
            "Rabat attire les centres d'appels",
        ),
        # a heading marked as the site's logo
        (
            "<title>Les salaires du BPO | Kiosque Éco</title>",
            "<h1 class='site-logo'>Kiosque Éco</h1><article><h2>Les salaires du BPO</h2></article>",
            "https://kq.example/a",
            "Les salaires du BPO",
        ),
        # a hidden <h1> (screen readers only) naming the section is not the headline
        (
            "<title>Actualités - Portail</title><meta property='og:title' content='Le port de Tanger Med bat son record'>",
            "<h1 class='sr-only'>Actualités</h1><h1>Le port de Tanger Med bat son record</h1>",
            "https://portail.example/actu/7",
            "Le port de Tanger Med bat son record",
        ),
        # of two <h1> inside the <title>, the headline rather than the section
        (
            "<title>Portail  -  Communiqués - Le ministère publie le bilan de l'export</title>",
            "<h1>Communiqués</h1><h1>Le ministère publie le bilan de l'export</h1>",
            "https://portail.example/c/9",
            "Le ministère publie le bilan de l'export",
        ),
        # the <h1> names the rubric; the <h2> says what og:title says
        (
            "<title>Retraite complémentaire - Conseils - Guide Pratique</title>"
            "<meta property='og:title' content='Épargner pour sa retraite avec son employeur'>",
            "<h1>Retraite complémentaire</h1><h2>Épargner pour sa retraite avec son employeur</h2>",
            "https://guide.example/retraite",
            "Épargner pour sa retraite avec son employeur",
        ),
        # no <h1>: the <h2> that is a whole part of the <title>
        (
            "<title>Salon de l'emploi à Oujda - Forum des régions</title>",
            "<div><h2>Salon de l'emploi à Oujda</h2></div>",
            "https://forum.example/t/12",
            "Salon de l'emploi à Oujda",
        ),
        # no metadata: the page's one <h1> rather than a <title> the whole site shares
        (
            "<title>Guide des zones industrielles du Nord</title>",
            "<h1>Zone franche de Tétouan</h1>",
            "https://guide-zones.example/tetouan.htm",
            "Zone franche de Tétouan",
        ),
        # a French quotation is kept whole
        (
            "<title>La feuille de route « Digital Maroc » - Le Site</title><meta property='og:site_name' content='Le Site'>",
            "",
            "https://lesite.example/a",
            "La feuille de route « Digital Maroc »",
        ),
    ],
)  # fmt: skip
def test_title_patterns(head: str, body: str, url: str, want: str) -> None:
    assert extract_page(page(head, body), url).title == want


def test_a_learned_site_suffix_is_removed() -> None:
    """In a crawl, the suffix a source repeats on every page is removed even when the page
    names its site nowhere else (``site_names`` comes from the archive)."""
    html = page("<title>Les exportations progressent — L'Hebdo du Nord</title>")
    assert extract_page(html, "https://h.example/1").title == "Les exportations progressent — L'Hebdo du Nord"
    fields = extract_page(html, "https://h.example/1", site_names=["L'Hebdo du Nord"])
    assert fields.title == "Les exportations progressent"


def test_a_title_with_a_separator_of_its_own_is_kept() -> None:
    sites = SiteNames(["Le Matin"], "https://lematin.ma/a")
    assert (
        strip_site("Salaires - ce qui change en 2025 | Le Matin", sites) == "Salaires - ce qui change en 2025"
    )
    assert strip_site("Covid-19: ce qui change", sites) == "Covid-19: ce qui change"


def test_decode() -> None:
    assert decode("l&#039;usine &amp;amp; co\xad") == "l'usine & co"


def test_the_suffix_learner_needs_the_same_segment_on_most_pages() -> None:
    from spiders.titles import SuffixLearner

    learner = SuffixLearner()
    learner.add("Les exportations progressent | L'Hebdo du Nord")
    learner.add("Un centre ouvre à Tanger | L'Hebdo du Nord")
    assert learner.suffix() is None  # two pages are not yet a habit
    learner.add("Salaires - ce qui change en 2025 | L'Hebdo du Nord")
    assert learner.suffix() == "L'Hebdo du Nord"
    for title in ("Sans suffixe", "Autre titre", "Encore un", "Et un autre"):
        learner.add(title)
    assert learner.suffix() is None  # three titles in seven: not the site's habit


def test_an_archived_title_is_recleaned_with_the_learned_suffix() -> None:
    from spiders.titles import reclean

    assert reclean("Rabat &amp; Tanger recrutent | L'Hebdo", "https://h.example/1", ["L'Hebdo"]) == (
        "Rabat & Tanger recrutent"
    )
    assert reclean("L'Hebdo", "https://h.example/1", ["L'Hebdo"]) == "L'Hebdo"  # never emptied


@pytest.mark.parametrize(
    ("head", "body", "want"),
    [
        # a byline label before the name
        ("<meta name='author' content='Post author By Salma Bennani'>", "", "Salma Bennani"),
        ("<meta name='author' content='Por Karim Alaoui'>", "", "Karim Alaoui"),
        # the site's own name is no author: the byline names the person
        (
            "<meta name='author' content='Exemple.ma'>",
            "<article><p class='byline'>Par <a rel='author' href='/a/ali'>Ali Benali</a></p></article>",
            "Ali Benali",
        ),
        # a JSON-LD author given by reference to a Person node of the graph (Yoast)
        (
            "<script type='application/ld+json'>{\"@graph\": [{\"@type\": \"NewsArticle\", \"headline\": \"x\","
            " \"author\": {\"@id\": \"https://exemple.ma/#/person/1\"}}, {\"@type\": \"Person\","
            " \"@id\": \"https://exemple.ma/#/person/1\", \"name\": \"Nadia Tazi\"}]}</script>",
            "",
            "Nadia Tazi",
        ),
    ],
)  # fmt: skip
def test_authors(head: str, body: str, want: str) -> None:
    assert extract_page(page("<title>Un titre</title>" + head, body), "https://exemple.ma/a").author == want
