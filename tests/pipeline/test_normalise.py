"""Normalise stage: canonical URLs, text and title clean-up, empty items dropped."""

from __future__ import annotations

import unicodedata

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from pipeline.normalise import NormalisePipeline, canonical_url, clean_text, clean_title
from veille.core.conf.pipeline import NormaliseConfig
from veille.core.models import Article


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # host lowercased, fragment and tracking parameters dropped, query sorted
        (
            "https://WWW.Le360.ma/economie/offshoring-record?utm_source=facebook&utm_medium=social&b=2&a=1#commentaires",
            "https://www.le360.ma/economie/offshoring-record?a=1&b=2",
        ),
        (
            "https://medias24.com/2025/05/12/bpo/?fbclid=IwAR0xyz&gclid=abc",
            "https://medias24.com/2025/05/12/bpo/",
        ),
        (
            "https://www.lematin.ma/economie/casanearshore?xtor=RSS-450&at_medium=rss&at_campaign=x",
            "https://www.lematin.ma/economie/casanearshore",
        ),
        # AMP and mobile variants -> the desktop URL
        (
            "https://www.h24info.ma/economie/fes-shore-extension/amp/",
            "https://www.h24info.ma/economie/fes-shore-extension/",
        ),
        (
            "https://www.h24info.ma/economie/fes-shore-extension/amp",
            "https://www.h24info.ma/economie/fes-shore-extension",
        ),
        (
            "https://www.h24info.ma/amp/economie/fes-shore-extension",
            "https://www.h24info.ma/economie/fes-shore-extension",
        ),
        ("https://lesEco.ma/nearshore-portugal.amp.html", "https://leseco.ma/nearshore-portugal.html"),
        (
            "https://www.challenge.ma/technopolis-campus-ia?amp",
            "https://www.challenge.ma/technopolis-campus-ia",
        ),
        (
            "https://www.challenge.ma/technopolis-campus-ia?amp=1&page=2",
            "https://www.challenge.ma/technopolis-campus-ia?page=2",
        ),
        ("https://amp.telquel.ma/2025/02/03/oujda-shore", "https://telquel.ma/2025/02/03/oujda-shore"),
        (
            "https://m.hespress.com/economie/relation-client.html",
            "https://hespress.com/economie/relation-client.html",
        ),
        ("https://mobile.leconomiste.com/article/ito-export", "https://leconomiste.com/article/ito-export"),
        (
            "https://www-medias24-com.cdn.ampproject.org/c/s/www.medias24.com/2025/teleperformance.html?utm_source=x",
            "https://www.medias24.com/2025/teleperformance.html",
        ),
        # default ports dropped, other ports kept; the same URL twice gives the same key
        ("HTTP://Example.ma:80/a", "http://example.ma/a"),
        ("https://example.ma:8443/a", "https://example.ma:8443/a"),
        # a short host is not a mobile variant
        ("https://m.ma/article", "https://m.ma/article"),
        # not http(s): untouched
        ("mailto:redaction@example.ma", "mailto:redaction@example.ma"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(canonical_url(url)) == expected


def test_canonical_url_keeps_meaningful_parameters_and_custom_tracking_list() -> None:
    assert (
        canonical_url("https://ex.ma/article.php?id=42&utm_campaign=x") == "https://ex.ma/article.php?id=42"
    )
    assert (
        canonical_url("https://ex.ma/a?id=42&ref=home", tracking_params=("ref",)) == "https://ex.ma/a?id=42"
    )


def test_clean_text_keeps_paragraphs_and_drops_boilerplate() -> None:
    raw = (
        "  Lire aussi : Casanearshore affiche complet  \n"
        "Le centre de relation client\u00a0d'Oujda   recrute 800\u202fconseillers.\r\n"
        "\n\n\n"
        "La formation\tdurera six semaines.\u200b\n"
        "La formation durera six semaines.\n"
        "Partager sur Facebook\n"
        "Facebook | Twitter | LinkedIn\n"
        "À lire également: l'offshoring en chiffres\n"
        "Suivez-nous sur Instagram\n"
        "Inscrivez-vous à notre newsletter\n"
        "© 2025 Tous droits réservés\n"
    )
    assert clean_text(raw) == (
        "Le centre de relation client\u00a0d'Oujda recrute 800\u202fconseillers.\n\n"
        "La formation durera six semaines."
    )


def test_clean_text_unicode_nfc_entities_and_long_lines() -> None:
    decomposed = unicodedata.normalize("NFD", "Télétravail & sécurité")
    assert clean_text(decomposed.replace("&", "&amp;")) == "Télétravail & sécurité"
    long_line = "Lire aussi le rapport de l'APEBI, " + "qui détaille la croissance du secteur " * 10
    assert clean_text(long_line) == long_line.strip()  # a real paragraph, not a teaser link
    assert clean_text("") == ""
    assert clean_text("Publicité\n\n") == ""


@pytest.mark.parametrize(
    ("title", "url", "source", "expected"),
    [
        (
            "Offshoring : record de 18,5 MMDH - Le360",
            "https://le360.ma/a",
            "le360",
            "Offshoring : record de 18,5 MMDH",
        ),
        (
            "Relation client : 4.800 emplois | Médias24",
            "https://medias24.com/a",
            "medias24",
            "Relation client : 4.800 emplois",
        ),
        (
            "Oujda Shore accueille un centre – H24info",
            "https://www.h24info.ma/a",
            "h24",
            "Oujda Shore accueille un centre",
        ),
        (
            "Nearshore : le Maroc face au Portugal - Leseco.ma",
            "https://x.ma/a",
            "x",
            "Nearshore : le Maroc face au Portugal",
        ),
        ("Teleperformance recrute | Économie", "https://le360.ma/a", "le360", "Teleperformance recrute"),
        # a dash that introduces a real subtitle is kept
        (
            "Casanearshore - une nouvelle tour de 20.000 m²",
            "https://le360.ma/a",
            "le360",
            "Casanearshore - une nouvelle tour de 20.000 m²",
        ),
        ("Fès Shore - Interview", "https://le360.ma/a", "le360", "Fès Shore - Interview"),
        (
            "  L’IA   générative\n bouscule les centres d’appels  ",
            "",
            "",
            "L’IA générative bouscule les centres d’appels",
        ),
        ("", "https://le360.ma/a", "le360", ""),
    ],
)
def test_clean_title(title: str, url: str, source: str, expected: str) -> None:
    assert clean_title(title, url, source, NormaliseConfig().site_names + ("Leseco.ma",)) == expected


def test_configured_site_names() -> None:
    assert (
        clean_title("Startups : 300 MDH - La Vie éco", "https://x.ma/a", "x", ("La Vie éco",))
        == "Startups : 300 MDH"
    )


def _pipeline() -> NormalisePipeline:
    crawler = get_crawler(settings_dict={"VEILLE_CONFIG_DIR": None})
    return NormalisePipeline.from_crawler(crawler)


def test_pipeline_cleans_the_item() -> None:
    pipe = _pipeline()
    item = Article(
        url=" https://m.le360.ma/economie/offshoring/amp/?utm_source=rss ",
        source="le360",
        title="Offshoring : les recettes progressent - Le360",
        text="Les exportations de services progressent.\nLire aussi : le bilan 2024\nLa France reste le premier client.",
        lead="  Selon l'Office   des changes.  ",
        author=" Omar  Lahlou ",
    )
    out = pipe.process_item(item)
    assert out is item
    assert item.url == "https://m.le360.ma/economie/offshoring/amp/?utm_source=rss"
    assert item.canonical_url == "https://le360.ma/economie/offshoring/"
    assert item.title == "Offshoring : les recettes progressent"
    assert item.text == "Les exportations de services progressent.\n\nLa France reste le premier client."
    assert item.lead == "Selon l'Office des changes."
    assert item.author == "Omar Lahlou"


def test_pipeline_prefers_the_page_canonical_url() -> None:
    pipe = _pipeline()
    item = Article(
        url="https://le360.ma/amp/x",
        source="le360",
        title="T",
        canonical_url="https://www.le360.ma/economie/x?utm_medium=amp",
    )
    pipe.process_item(item)
    assert item.canonical_url == "https://www.le360.ma/economie/x"


def test_pipeline_drops_empty_items_with_a_counted_reason() -> None:
    pipe = _pipeline()
    pipe.crawler.stats.open_spider()
    item = Article(url="https://le360.ma/vide", source="le360", title="  ", text="Partager sur Facebook\n\n")
    with pytest.raises(DropItem, match=r"^empty"):
        pipe.process_item(item)
    assert pipe.crawler.stats.get_value("veille/le360/dropped/empty") == 1
    # a title alone is enough to keep an item (feed entries without text)
    assert (
        pipe.process_item(Article(url="https://le360.ma/t", source="le360", title="Titre seul")).title
        == "Titre seul"
    )


def test_pipeline_passes_other_items_through() -> None:
    assert _pipeline().process_item({"not": "an article"}) == {"not": "an article"}


def test_fold_keeps_the_definition_content_hashes_use() -> None:
    """Content hashes are compared with archived ones: the fold must not drift from its definition."""
    import random
    import unicodedata

    from pipeline.normalise import fold

    def reference(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        return " ".join(stripped.casefold().replace("’", "'").split())

    rng = random.Random(7)
    samples = [
        "Agence du Développement Numérique",
        "İSTANBUL ŒUVRE ﬁn Straße l’État\u00a0x\u202fy",
        "مرحبا",
        "",
    ]
    samples += ["".join(chr(rng.randint(0, 0x2FFF)) for _ in range(60)) for _ in range(500)]
    assert [fold(s) for s in samples] == [reference(s) for s in samples]
