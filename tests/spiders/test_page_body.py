"""The stored text is the article body: no repeated title; a standfirst opens it (the figure
extractor reads the body, and the standfirst often holds the story's main figure)."""

from __future__ import annotations

import pytest

from spiders.body import drop_boilerplate
from spiders.page import FeedEntry, extract_page, strip_repeated_heading

BODY = [
    "Le parc Casanearshore a accueilli cette semaine trois nouveaux opérateurs spécialisés dans "
    "l'externalisation des services financiers, portant à 120 le nombre d'entreprises installées.",
    "Selon la société de gestion du parc, ces implantations représentent un investissement de 300 "
    "millions de dirhams et la création de 1 500 emplois qualifiés d'ici deux ans.",
    "Les nouveaux venus recruteront en priorité des diplômés des écoles d'ingénieurs de Casablanca "
    "et de Rabat, formés aux métiers de la relation client et du développement logiciel.",
]
TITLE = "Casanearshore accueille trois nouveaux opérateurs"
LEAD = "Trois opérateurs de l'externalisation financière s'installent au parc, qui compte désormais 120 entreprises."


def page(*, description: str, standfirst: str | None) -> str:
    chapo = f'<p class="chapo"><strong>{standfirst}</strong></p>' if standfirst else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{TITLE} - Le Site</title>'
        f'<meta name="description" content="{description}"></head><body><nav><a href="/">Accueil</a></nav>'
        f'<article><h1>{TITLE}</h1>{chapo}<div class="content">{paragraphs}</div></article></body></html>'
    )


def test_the_title_is_not_repeated_and_the_standfirst_opens_the_text() -> None:
    fields = extract_page(page(description=LEAD, standfirst=LEAD), "http://site.test/a/")
    assert fields.title == TITLE
    assert fields.lead == LEAD
    assert fields.text.split("\n\n") == [LEAD, *BODY]


def test_a_description_copied_from_the_first_paragraph_stays_in_the_body() -> None:
    fields = extract_page(page(description=BODY[0], standfirst=None), "http://site.test/a/")
    assert fields.lead == BODY[0]
    assert fields.text.split("\n\n") == BODY


def test_a_lead_from_the_feed_is_not_removed_from_the_body() -> None:
    html = page(description="", standfirst=None).replace('<meta name="description" content="">', "")
    entry = FeedEntry(url="http://site.test/a/", title=TITLE, summary=BODY[0])
    fields = extract_page(html, "http://site.test/a/", entry=entry)
    assert fields.sources["lead"] == "feed"
    assert fields.text.split("\n\n") == BODY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Offshoring : 18,5 MMDH à l'export\n\nCorps.", "Corps."),
        ("OFFSHORING 18,5 mmdh a l’export !\n\nCorps.", "Corps."),  # accents, case, punctuation
        ("Le chapô.\n\nOffshoring : 18,5 MMDH à l'export\n\nCorps.", "Corps."),  # either order
        ("Offshoring : 18,5 MMDH à l'export", "Offshoring : 18,5 MMDH à l'export"),  # never empties
        ("Corps.\n\nOffshoring : 18,5 MMDH à l'export", "Corps.\n\nOffshoring : 18,5 MMDH à l'export"),
    ],
)
def test_strip_repeated_heading(text: str, expected: str) -> None:
    assert strip_repeated_heading(text, "Offshoring : 18,5 MMDH à l'export", "Le chapô.") == expected


def test_demo_articles_start_with_their_standfirst_then_their_body() -> None:
    from veille.demo.site import load_corpus, render_site

    articles = load_corpus()
    pages = render_site(articles, "http://demo.test")
    for article in articles:
        fields = extract_page(pages[article.path].body, "http://demo.test" + article.path)
        first = fields.text.split("\n\n")[0]
        assert first != article.title, article.path
        assert fields.lead == " ".join(article.lead.split())
        assert fields.text.startswith(fields.lead) or fields.lead not in fields.text, article.path


# -- a standfirst the main-text extractor leaves out, and what sites write around articles --
def teaser_page(*, description: str, extra: str = "") -> str:
    """A page whose standfirst sits in the article's header, marked "teaser" (trafilatura
    discards both), with ``extra`` paragraphs after the body."""
    paragraphs = "".join(f"<p>{p}</p>" for p in (*BODY, *extra.split("\n\n"))) if extra else ""
    paragraphs = paragraphs or "".join(f"<p>{p}</p>" for p in BODY)
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{TITLE}</title>'
        f'<meta name="description" content="{description}"></head><body><nav><a href="/">Accueil</a></nav>'
        f'<article><header><h1>{TITLE}</h1><div class="teaser-text"><p>{LEAD}</p></div></header>'
        f'<div class="content">{paragraphs}</div></article><footer>Mentions légales</footer></body></html>'
    )


def test_a_standfirst_in_the_header_opens_the_text() -> None:
    fields = extract_page(teaser_page(description=LEAD), "http://site.test/a/")
    assert fields.text.split("\n\n") == [LEAD, *BODY]


def test_a_standfirst_cut_short_in_the_description_opens_the_text_whole() -> None:
    cut = LEAD[:70].rsplit(" ", 1)[0] + "…"
    fields = extract_page(teaser_page(description=cut), "http://site.test/a/")
    assert fields.text.split("\n\n")[0] == LEAD


def test_a_description_the_page_does_not_show_adds_nothing() -> None:
    other = "Un résumé écrit pour les moteurs de recherche, que la page elle-même n'affiche nulle part."
    fields = extract_page(teaser_page(description=other), "http://site.test/a/")
    assert other not in fields.text
    assert fields.text.split("\n\n")[-len(BODY) :] == BODY


def test_a_description_that_is_the_title_brings_back_no_header() -> None:
    fields = extract_page(teaser_page(description=TITLE), "http://site.test/a/")
    assert TITLE not in fields.text
    assert fields.text.split("\n\n")[-len(BODY) :] == BODY


def test_links_to_other_articles_and_credits_leave_the_text() -> None:
    extra = "\n\n".join(
        [
            "Lire aussi : Le parc Technopolis affiche complet",
            "© Photo : Agence Maghreb Presse",
            "Abonnez-vous à notre newsletter",
            "Sur le même sujet",
            "Offshoring : les recrutements repartent à la hausse",
            "Rabat Technopolis agrandit son campus",
        ]
    )
    fields = extract_page(teaser_page(description=LEAD, extra=extra), "http://site.test/a/")
    assert fields.text.split("\n\n") == [LEAD, *BODY]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the block of links ends at the first sentence of the article
        ("Corps.\n\nÀ lire aussi\n\nUn titre lié\n\nLa suite de l'article reprend ici, avec une phrase.",
         "Corps.\n\nLa suite de l'article reprend ici, avec une phrase."),
        # a list of links ends where the list does
        ("Corps.\n\nRelated stories\n\n- One headline\n\n- Another headline\n\nShort line",
         "Corps.\n\nShort line"),
        # never the first paragraph, never a sentence
        ("Voir aussi le rapport\n\nCorps.", "Voir aussi le rapport\n\nCorps."),
        ("Corps.\n\nThemen der Woche waren die Löhne und die Mieten.",
         "Corps.\n\nThemen der Woche waren die Löhne und die Mieten."),
        # a long paragraph that starts like a link stays
        ("Corps.\n\n" + "Lire aussi : " + "mot " * 39 + "fin.", "Corps.\n\n" + "Lire aussi : " + "mot " * 39 + "fin."),
        # credits and calls to subscribe in the middle of the text
        ("Corps.\n\nCrédit photo : MAP\n\nSuite.", "Corps.\n\nSuite."),
        ("Corps.\n\nLea también: Otro artículo del día\n\nSuite.", "Corps.\n\nSuite."),
        ("Corps.\n\nSign up for our daily newsletter\n\nSuite.", "Corps.\n\nSuite."),
        ("Corps.\n\nNewsletter abonnieren\n\nSuite.", "Corps.\n\nSuite."),
        # a sentence about a newsletter is the article's
        ("Corps.\n\nLa newsletter du ministère paraît chaque lundi.", "Corps.\n\nLa newsletter du ministère paraît chaque lundi."),
    ],
)  # fmt: skip
def test_drop_boilerplate(text: str, expected: str) -> None:
    assert drop_boilerplate(text) == expected
