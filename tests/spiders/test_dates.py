from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from spiders.page import TZ, find_french_date, parse_date

NOW = datetime(2025, 6, 5, 15, 0, tzinfo=TZ)  # a Thursday, UTC+1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 mars 2025", "2025-03-12T00:00:00+00:00"),  # during Ramadan Morocco is on UTC+0
        ("1er avril 2025 à 14h05", "2025-04-01T14:05:00+00:00"),
        ("mardi 3 juin", "2025-06-03T00:00:00+01:00"),
        ("il y a 3 heures", "2025-06-05T12:00:00+01:00"),
        ("hier", "2025-06-04T15:00:00+01:00"),
        ("hier à 10h30", "2025-06-04T10:30:00+01:00"),
        ("Publié le 20 mai 2025", "2025-05-20T00:00:00+01:00"),
        ("2025-03-12", "2025-03-12T00:00:00+00:00"),
        ("2025-05-20T14:00:00+01:00", "2025-05-20T14:00:00+01:00"),
        ("2025-05-20T13:00:00Z", "2025-05-20T13:00:00+00:00"),
        ("Tue, 20 May 2025 13:00:00 +0000", "2025-05-20T13:00:00+00:00"),
        ("05/06/2025", "2025-06-05T00:00:00+01:00"),
    ],
)
def test_french_and_standard_dates(text: str, expected: str) -> None:
    dt = parse_date(text, NOW)
    assert dt is not None and dt.isoformat() == expected


@pytest.mark.parametrize("text", ["", "pas une date", "3 juin 2031", "12 mars 1950", None])
def test_unreadable_or_implausible_dates_are_none(text: str | None) -> None:
    assert parse_date(text, NOW) is None


def test_finds_a_date_in_running_text() -> None:
    dt = find_french_date("Par Ali · Publié le mardi 3 juin 2025 à 9h12 · 3 min de lecture", NOW)
    assert dt is not None and dt.isoformat() == "2025-06-03T09:12:00+01:00"


def test_published_and_modified_kept_apart_and_comments_ignored() -> None:
    from spiders.page import extract_page

    html = (
        """<html lang="fr"><head><title>Un article</title>
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": "Un article",
     "datePublished": "2025-03-10T09:00:00+01:00", "dateModified": "2025-03-12T18:30:00+01:00"}</script>
    </head><body><article><h1>Un article</h1><p>"""
        + "Le texte de l'article sur l'offshoring. " * 20
        + """</p></article>
    <section class="comments"><div class="comment">Publié le 14 mars 2025 à 08h00 par Karim</div></section>
    </body></html>"""
    )
    fields = extract_page(
        html, "https://exemple.ma/2025/03/un-article", fetched_at=datetime(2025, 3, 20, tzinfo=TZ)
    )
    assert fields.published == datetime(2025, 3, 10, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    assert fields.modified == datetime(2025, 3, 12, 18, 30, tzinfo=timezone(timedelta(hours=1)))


def _utc_page(published: str, lang: str = "de") -> str:
    return (
        f"""<html lang="{lang}"><head><title>Ein Artikel</title>
    <meta property="article:published_time" content="{published}"></head>
    <body><article><h1>Ein Artikel</h1><p>"""
        + "Der Text des Artikels über die Energiewende. " * 20
        + "</p></article></body></html>"
    )


def test_a_utc_timestamp_is_dated_in_the_sites_own_zone() -> None:
    """23:00 UTC on the 6th is the 7th in Berlin: the day the page shows its readers."""
    from spiders.page import extract_page

    fetched = datetime(2022, 12, 1, tzinfo=TZ)
    fields = extract_page(_utc_page("2022-11-06T23:00:00Z"), "https://zeitung.de/a", fetched_at=fetched)
    assert fields.published is not None and fields.published.date().isoformat() == "2022-11-07"
    # a Bolivian site: 02:41 UTC on the 4th is the evening of the 3rd in La Paz
    fields = extract_page(
        _utc_page("2022-05-04T02:41:00Z", "es"), "https://diario.com.bo/a", fetched_at=fetched
    )
    assert fields.published is not None and fields.published.date().isoformat() == "2022-05-03"
    # nothing says where the site is: the timestamp is kept as written
    fields = extract_page(
        _utc_page("2022-11-06T23:00:00Z", "en"), "https://news.example/a", fetched_at=fetched
    )
    assert fields.published is not None and fields.published.date().isoformat() == "2022-11-06"


def test_site_zone_from_host_or_language_tag() -> None:
    from spiders.dates import site_zone

    assert str(site_zone("https://www.lematin.ma/x")) == "Africa/Casablanca"
    assert str(site_zone("https://example.com/x", "pt-BR")) == "America/Sao_Paulo"
    assert str(site_zone("https://example.com/x", "de")) == "Europe/Berlin"
    assert site_zone("https://example.com/x", "en") is None


PARIS, MADRID = ZoneInfo("Europe/Paris"), ZoneInfo("Europe/Madrid")


def _naive_page(published: str = "2025-03-12T10:15:00", lang: str = "fr") -> str:
    return (
        f"""<html lang="{lang}"><head><title>Un article</title>
    <script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Un article",
     "datePublished": "{published}"}}</script></head>
    <body><article><h1>Un article</h1><p>"""
        + "Le texte de l'article sur l'offshoring. " * 20
        + "</p></article></body></html>"
    )


@pytest.mark.parametrize(
    ("url", "zone", "default", "expected"),
    [
        # the source's timezone wins over its host's country (Morocco: UTC+0 during Ramadan 2025)
        ("https://exemple.ma/a", PARIS, TZ, "2025-03-12T10:15:00+01:00"),
        ("https://exemple.ma/a", None, PARIS, "2025-03-12T10:15:00+00:00"),  # then the host's
        ("https://exemple.fr/a", None, TZ, "2025-03-12T10:15:00+01:00"),
        ("https://exemple.test/a", None, MADRID, "2025-03-12T10:15:00+01:00"),  # then digest.toml's
        ("https://exemple.test/a", None, TZ, "2025-03-12T10:15:00+00:00"),
    ],
)
def test_a_date_without_zone_is_read_in_the_sources_then_the_sites_then_the_watchs_zone(
    url: str, zone: ZoneInfo | None, default: ZoneInfo, expected: str
) -> None:
    from spiders.page import extract_page

    fetched = datetime(2025, 3, 20, tzinfo=TZ)
    fields = extract_page(_naive_page(), url, fetched_at=fetched, zone=zone, default_zone=default)
    assert fields.published is not None and fields.published.isoformat() == expected


def test_a_zone_is_given_to_every_reader_of_dates() -> None:
    from spiders.dates import dates_zone, find_french_date, publication_day
    from spiders.markup import parse_html

    assert parse_date("2025-03-12 10:15", NOW, PARIS).isoformat() == "2025-03-12T10:15:00+01:00"  # type: ignore[union-attr]
    found = find_french_date("Publié le 12 mars 2025 à 10h15", NOW, PARIS)
    assert found is not None and found.isoformat() == "2025-03-12T10:15:00+01:00"
    day = publication_day(parse_html(_naive_page("2025-03-12")), NOW, zone=MADRID)
    assert day is not None and day.isoformat() == "2025-03-12T00:00:00+01:00"
    assert dates_zone(None, "https://exemple.test/", default=MADRID) is MADRID
    assert dates_zone(PARIS, "https://exemple.ma/", default=MADRID) is PARIS
    assert str(dates_zone(None, "https://exemple.ma/", default=MADRID)) == "Africa/Casablanca"


def test_feeds_and_sitemaps_read_zone_less_dates_in_the_zone_given() -> None:
    from spiders.feeds import parse_feed
    from spiders.sites import parse_sitemap

    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><item><title>A</title>'
        b"<link>https://exemple.test/a</link><pubDate>2025-03-12T10:15:00</pubDate></item>"
        b"</channel></rss>"
    )
    (entry,) = parse_feed(rss, "https://exemple.test/feed", zone=PARIS).entries
    assert entry.published is not None and entry.published.isoformat() == "2025-03-12T10:15:00+01:00"
    sitemap = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://exemple.test/a</loc><lastmod>2025-03-12T10:15:00</lastmod></url></urlset>"
    )
    _, (item,) = parse_sitemap(sitemap, "https://exemple.test/sitemap.xml", zone=PARIS)
    assert item.published is not None and item.published.isoformat() == "2025-03-12T10:15:00+01:00"


def test_a_spider_reads_its_sources_zone_and_the_crawls_default(tmp_path: Path) -> None:
    import shutil

    from spiders.loader import spider_class_for
    from spiders.run import scrapy_settings
    from tests.conftest import REPO
    from veille.core.config import Settings
    from veille.core.sources import Source

    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    digest = config / "digest.toml"
    digest.write_text(
        digest.read_text(encoding="utf-8").replace(
            'timezone = "Africa/Casablanca"', 'timezone = "Europe/Madrid"'
        ),
        encoding="utf-8",
    )
    settings = Settings.load(data_dir=tmp_path / "data", config_dir=config, environ={})
    assert scrapy_settings(settings).get("VEILLE_TIMEZONE") == "Europe/Madrid"
    source = Source(name="a", kind="rss", urls=("https://exemple.test/feed",), timezone="Europe/Paris")
    spider = spider_class_for(source)()
    assert spider.date_zone("https://exemple.test/feed") == PARIS
    plain = spider_class_for(Source(name="b", kind="rss", urls=("https://exemple.test/feed",)))()
    plain.default_zone = MADRID
    assert plain.date_zone("https://exemple.test/feed") == MADRID
    assert str(plain.date_zone("https://exemple.ma/feed")) == "Africa/Casablanca"


def _blog_page(header: str, post_meta: str, lang: str = "fr") -> str:
    """A blog post without date metadata: ``header`` above the post, ``post_meta`` under its title."""
    return (
        f"""<html lang="{lang}"><head><title>Un billet</title></head><body>
    <article><div class="date-header">{header}</div><h1>Un billet</h1><div class="post-meta">{post_meta}</div><p>"""
        + "Le texte du billet sur les centres d'appels de Rabat. " * 20
        + "</p></article></body></html>"
    )


@pytest.mark.parametrize(
    ("post_meta", "lang"),
    [
        # the microformat class of blog themes, the date in its title attribute
        ("<abbr class='published' title='2017-09-09T10:52:00+02:00'>10:52</abbr>", "fr"),
        # microdata, the date written in English or German
        ("<span itemprop='datePublished'>September 9, 2017</span>", "en"),
        ("<span class='published'>9. September 2017</span>", "de"),
    ],
)
def test_the_date_a_page_marks_as_published_wins_over_other_dates_in_its_header(
    post_meta: str, lang: str
) -> None:
    from spiders.page import extract_page

    html = _blog_page("14.08.2017", post_meta, lang)
    fields = extract_page(html, "https://blog.example/billet", fetched_at=datetime(2025, 6, 5, tzinfo=TZ))
    assert fields.published is not None and fields.published.date().isoformat() == "2017-09-09"


def test_a_bare_hier_is_no_date_on_a_page() -> None:
    """ "Hier" is German for "here", and a bare "hier" says nothing of the page's own day."""
    from spiders.page import extract_page

    html = _blog_page("Hier finden Sie alle Beiträge", "<span class='date'>Samedi 5 octobre 2013</span>", "")
    fields = extract_page(html, "https://blog.example/billet", fetched_at=datetime(2025, 6, 5, tzinfo=TZ))
    assert fields.published is not None and fields.published.date().isoformat() == "2013-10-05"
    # with an hour it is yesterday's date
    html = _blog_page("", "<span class='date'>Publié hier à 10h30</span>")
    fields = extract_page(html, "https://blog.example/billet", fetched_at=NOW)
    assert fields.published == datetime(2025, 6, 4, 10, 30, tzinfo=TZ)


def test_a_header_date_without_a_year_takes_the_year_htmldate_finds() -> None:
    """ "18 mai" is read in the fetch's year; the page's address says 2014: the same day, in 2014."""
    from spiders.page import extract_page

    url = "https://blog.example/2014/05/18/billet/"
    html = _blog_page("", "<span class='date'>Publié le 18 mai</span>")
    html = html.replace("</head>", f"<link rel='canonical' href='{url}'></head>")
    fields = extract_page(html, url, fetched_at=NOW)
    assert fields.published is not None and fields.published.date().isoformat() == "2014-05-18"


def _dated_page(head: str, header: str, body_date: str = "", lang: str = "de") -> str:
    return (
        f"""<html lang="{lang}"><head><title>Ein Bericht</title>{head}</head><body>
    <article><h1>Ein Bericht</h1><div class="meta">{header}</div><p>"""
        + "Der Bericht über den Ausbau der Rechenzentren im Land. " * 20
        + f"{body_date}</p></article></body></html>"
    )


def test_a_bare_date_meta_gives_way_to_the_date_the_page_shows() -> None:
    """A bare ``date`` meta is often the page's last change: the publication date the page
    shows its readers in the article's header wins over it."""
    from spiders.page import extract_page

    html = _dated_page(
        '<meta name="date" content="2022-01-26T14:32:06+01:00">',
        '<time datetime="2022-01-21">21.01.2022 - 13:30</time>',
    )
    fields = extract_page(html, "https://magazin.de/bericht", fetched_at=datetime(2022, 3, 1, tzinfo=TZ))
    assert fields.published is not None and fields.published.date().isoformat() == "2022-01-21"
    # a publication date named as such keeps its place
    html = html.replace('name="date"', 'property="article:published_time"')
    fields = extract_page(html, "https://magazin.de/bericht", fetched_at=datetime(2022, 3, 1, tzinfo=TZ))
    assert fields.published is not None and fields.published.date().isoformat() == "2022-01-26"


def test_json_ld_and_the_header_agreeing_win_over_another_day_in_the_text() -> None:
    from spiders.page import extract_page

    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ein Bericht",'
        ' "datePublished": "2020-04-27"}</script>'
    )
    html = _dated_page(
        ld + '<meta name="last-modified" content="2020-07-08">',
        '<time datetime="2020-04-27T10:00:00+02:00">27.04.2020</time>',
        " Aktualisiert am 8. Juli 2020, 8. Juli 2020, Stand 08.07.2020.",
    )
    fields = extract_page(html, "https://zeitung.de/bericht", fetched_at=datetime(2020, 8, 1, tzinfo=TZ))
    assert fields.published is not None and fields.published.date().isoformat() == "2020-04-27"


def test_a_utc_timestamp_shown_at_the_same_instant_in_local_time_takes_the_local_day() -> None:
    """03:37 UTC on the 4th is 23:37 on the 3rd at -04:00, as the page's header writes it
    (nothing else says where the site is)."""
    from spiders.page import extract_page

    html = _dated_page(
        '<meta property="article:published_time" content="2022-05-04T03:37:37+00:00">',
        '<time class="entry-date" datetime="2022-05-03T23:37:37-04:00">May 3, 2022</time>',
        lang="en",
    )
    fields = extract_page(html, "https://noticias.example/nota", fetched_at=datetime(2022, 6, 1, tzinfo=TZ))
    assert fields.published is not None and fields.published.date().isoformat() == "2022-05-03"
    # another instant in the header: the named publication date stays
    html = html.replace("23:37:37-04:00", "18:00:00-04:00")
    fields = extract_page(html, "https://noticias.example/nota", fetched_at=datetime(2022, 6, 1, tzinfo=TZ))
    assert fields.published is not None and fields.published.date().isoformat() == "2022-05-04"


def _listed_post(header: str, after: str = "") -> str:
    """A blog page without date metadata: ``header`` under the post's title, ``after`` below."""
    return (
        """<html lang="de"><head><title>Gartenblog</title></head><body><article>
    <h1>Die Tomaten sind reif</h1>"""
        + header
        + "<p>"
        + "Die Ernte im Schrebergarten fiel dieses Jahr üppig aus. " * 15
        + "</p>"
        + after
        + "</article></body></html>"
    )


def test_a_header_date_in_another_language_is_read_before_a_date_further_down() -> None:
    """ "13. Januar 2014" (German) in the post's date element is its date, not the day a
    later line of the post mentions."""
    from spiders.page import extract_page

    html = _listed_post(
        '<div class="entry-meta">Geschrieben am <span class="entry-date">13. Januar 2014</span></div>',
        '<div class="post-meta">Die Gärtnerei hat seit dem 26.2.2013 geschlossen.</div>',
    )
    fields = extract_page(html, "https://garten.example/", fetched_at=datetime(2025, 6, 5, tzinfo=TZ))
    assert fields.published is not None and fields.published.date().isoformat() == "2014-01-13"
    # a two-digit year is not read in another language's way: the later full date wins
    html = html.replace("13. Januar 2014", "Mo., 13.1.14")
    fields = extract_page(html, "https://garten.example/", fetched_at=datetime(2025, 6, 5, tzinfo=TZ))
    assert fields.published is not None and fields.published.date().isoformat() == "2013-02-26"


def test_the_dates_of_teasers_links_and_comments_are_not_the_pages() -> None:
    from spiders.page import extract_page

    teaser = (
        '<div class="teaser-list"><div class="item"><span class="date">16.02.2022</span>'
        "<h3>Ein anderer Beitrag</h3></div></div>"
    )
    link = '<a class="publication-date" href="/heft-3.pdf">Heft 3 vom 14.03.2022</a>'
    own = '<div class="date">02.11.2021</div>'
    for before in (teaser, link):
        html = _listed_post(before + own)
        fields = extract_page(html, "https://garten.example/", fetched_at=datetime(2025, 6, 5, tzinfo=TZ))
        assert fields.published is not None and fields.published.date().isoformat() == "2021-11-02"


def test_a_header_showing_the_last_update_does_not_date_the_page() -> None:
    """The header shows the day of ``dateModified``, after the publication: the page is still
    dated by its publication (an old piece refreshed is not this week's news), and its
    ``modified`` is the change's instant."""
    from spiders.page import extract_page

    ld = (
        '<script type="application/ld+json">{"@type": "Article", "headline": "Ein Ratgeber",'
        ' "datePublished": "2019-10-15T16:59:59Z", "dateModified": "2020-03-12T14:42:17Z"}</script>'
    )
    html = _dated_page(ld, '<span class="post-date">Aktualisiert am 12. März 2020</span>', lang="en")
    fields = extract_page(html, "https://ratgeber.example/a", fetched_at=datetime(2021, 1, 1, tzinfo=TZ))
    assert fields.published is not None and fields.published.date().isoformat() == "2019-10-15"
    assert fields.modified is not None and fields.modified.isoformat() == "2020-03-12T14:42:17+00:00"


def _bare_page(inner: str, lang: str = "de") -> str:
    """A page without any date metadata: ``inner`` is the whole of its body."""
    return (
        f"""<html lang="{lang}"><head><title>Eine Meldung</title></head><body>""" + inner + "</body></html>"
    )


_PARAGRAPH = "<p>" + "Die Gemeinde stellt ihre neuen Pläne für den Radverkehr vor. " * 15 + "</p>"


@pytest.mark.parametrize(
    ("footer", "expected"),
    [
        # the change is named first, then the publication: the publication's day
        (
            '<p class="foot">Letzte Änderung: 31.10.2023 - 14:49:39<br>Erschienen am: 01.11.2023</p>',
            "2023-11-01",
        ),
        (
            '<div class="doc"><span class="label">Datum:</span> <span class="value">18.10.2021</span></div>',
            "2021-10-18",
        ),
        ("<p>Veröffentlicht am 16.08.2019<br>Dauer: 1 Stunde</p>", "2019-08-16"),
        ("<p>Mis en ligne le 3 mars 2023 · Mis à jour le 9 mars 2023</p>", "2023-03-03"),
        ("<p>Published on March 7, 2022</p>", "2022-03-07"),
    ],
)
def test_a_date_introduced_by_a_publication_label_dates_a_page_without_metadata(
    footer: str, expected: str
) -> None:
    from spiders.page import extract_page

    # the body names another day (htmldate's guess without the label)
    earlier = "<p>Der Rat hatte die Pläne am 12.05.2020 beschlossen.</p>"
    html = _bare_page("<main><h2>Radwege</h2>" + earlier + _PARAGRAPH + footer + "</main>")
    fields = extract_page(
        html, "https://gemeinde.example/radwege", fetched_at=datetime(2024, 6, 1, tzinfo=TZ)
    )
    assert fields.published is not None and fields.published.date().isoformat() == expected


def test_a_modification_labels_date_is_never_read_as_the_publication() -> None:
    from spiders.labels import labelled_date

    def read(text: str) -> datetime | None:
        return find_french_date(text, NOW)

    for change in ("Mis à jour le 9 mars 2025", "Letzte Änderung: 31.10.2024", "Updated: 12.03.2025"):
        assert labelled_date(f"<p>{change}</p> <p>Publié le ici</p>", read) is None
    assert labelled_date("<p>Mis à jour le 9 mars 2025</p><p>Publié le 2 mars 2025</p>", read) == datetime(
        2025, 3, 2, tzinfo=TZ
    )
    # a label inside a comment's block names the comment's date
    assert labelled_date('<div class="comment-body"><p>Publié le 4 mars 2025</p></div>', read) is None


def test_a_header_element_showing_only_an_update_gives_no_publication_date() -> None:
    """ "Updated June 13, 2019" in the date element is the change's day: it is cut before the
    element is read, so the header names no publication date; a line naming both gives the
    written one."""
    from spiders.metadata import visible_date
    from spiders.page import parse_html

    def header(line: str) -> str:
        return _bare_page(f'<article><div class="recipe-date">{line}</div>{_PARAGRAPH}</article>', "en")

    assert visible_date(parse_html(header("Updated June 13, 2019")), NOW) is None
    both = header("Written: 2023-11-07 15:03 / Updated: 2023-11-09 08:30")
    found = visible_date(parse_html(both), NOW)
    assert found is not None and found.date().isoformat() == "2023-11-07"


def test_the_date_opening_the_line_under_the_headline_is_the_pages() -> None:
    """The line under the ``<h1>`` names no date in its class ("1. Februar 2022, author"): it
    is still the header's date, before a sidebar's date element further up."""
    from spiders.page import extract_page

    sidebar = '<aside><div class="news-date">21.01.2022</div><p>Ein anderer Beitrag</p></aside>'
    header = (
        "<h1>Ein Spieler schreibt Geschichte</h1>"
        '<div class="spacer"><p class="grey small">1. Februar 2022, Jana Beispiel</p></div>'
    )
    html = _bare_page(sidebar + "<article>" + header + _PARAGRAPH + "</article>")
    fields = extract_page(html, "https://sport.example/a", fetched_at=datetime(2024, 6, 1, tzinfo=TZ))
    assert fields.published is not None and fields.published.date().isoformat() == "2022-02-01"
    # further down the body, a date opening a paragraph is no header's
    late = _bare_page(sidebar + "<article><h1>Ein Spieler schreibt Geschichte</h1>" + _PARAGRAPH * 5
                      + "<p>1. Februar 2022 war ein Dienstag.</p></article>")  # fmt: skip
    fields = extract_page(late, "https://sport.example/a", fetched_at=datetime(2024, 6, 1, tzinfo=TZ))
    assert fields.published is None or fields.published.date().isoformat() != "2022-02-01"


@pytest.mark.parametrize("marker", ["text_datum", "nota-fecha"])
def test_a_date_element_named_in_german_or_spanish_is_read(marker: str) -> None:
    from spiders.metadata import visible_date
    from spiders.page import parse_html

    html = _bare_page(
        f'<main><h2>Kolumne</h2><p><span class="{marker}">31. Oktober 2023.</span> Text</p></main>'
    )
    found = visible_date(parse_html(html), NOW)
    assert found is not None and found.date().isoformat() == "2023-10-31"
