from __future__ import annotations

from spiders.feeds import parse_feed
from spiders.sites import parse_sitemap
from tests.spiders.site import BAD_FEED, WP, atom, json_feed, news_sitemap, utf16_feed, wp_feed


def test_rss_entries() -> None:
    feed = parse_feed(wp_feed("http://x.test"), "http://x.test/wp/feed/")
    assert feed.version == "rss20" and feed.language == "fr" and not feed.bozo
    first = feed.entries[0]
    assert first.url == "http://x.test/wp/2025/03/12/offshoring-exportations-record/"
    assert first.published is not None and first.published.isoformat() == "2025-03-12T09:30:00+00:00"
    assert first.summary.startswith("Les exportations") and "<p>" not in first.summary
    assert first.author == "Rédaction"


def test_atom_entries() -> None:
    feed = parse_feed(atom("http://x.test"), "http://x.test/news/atom.xml")
    assert feed.version.startswith("atom") and len(feed.entries) == 2
    assert feed.entries[0].url == "http://x.test/news/technopolis-extension.html"


def test_malformed_feed_yields_what_it_can() -> None:
    feed = parse_feed(BAD_FEED.format(base="http://x.test").encode(), "http://x.test/bad/feed.xml")
    assert feed.bozo and feed.problem
    assert feed.entries and feed.entries[0].title == "Offshoring : premier article lisible"


def test_news_sitemap() -> None:
    children, entries = parse_sitemap(news_sitemap("http://x.test"), "http://x.test/news/news-sitemap.xml")
    assert children == [] and len(entries) == 3
    assert entries[0].title == "Technopolis Rabat s'agrandit de 25 hectares"
    assert (
        entries[0].published is not None and entries[0].published.isoformat() == "2025-05-15T11:20:00+01:00"
    )


def test_sitemap_index_and_garbage() -> None:
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/s1.xml</loc></sitemap></sitemapindex>'
    assert parse_sitemap(index, "http://x.test/index.xml") == (["http://x.test/s1.xml"], [])
    assert parse_sitemap(b"not xml at all", "http://x.test/") == ([], [])


def test_json_feed() -> None:
    feed = parse_feed(json_feed("http://x.test"), "http://x.test/json/feed.json", "application/feed+json")
    assert feed.version == "json11" and feed.language == "fr" and not feed.bozo
    assert [e.url for e in feed.entries] == ["http://x.test" + p for p in WP]
    first = feed.entries[0]
    assert first.title == "Offshoring : les exportations atteignent un record"
    assert first.published is not None and first.published.isoformat() == "2025-03-12T09:30:00+00:00"
    assert first.summary.endswith("Lire la suite & réagir.") and "<p>" not in first.summary
    assert first.author == "Rédaction" and first.language == "fr"
    # served as plain application/json, or with a 1.0 "author", it is still read
    v10 = (
        json_feed("http://x.test")
        .replace(b'"authors": [{"name": "R', b'"author": {"name": "R')
        .replace(b'"}]', b'"}')
    )
    assert parse_feed(v10, "http://x.test/f.json", "application/json").entries[0].author == "Rédaction"


def test_json_feed_garbage_is_a_malformed_feed() -> None:
    feed = parse_feed(b'{"version": "https://jsonfeed.org/version/1.1", "items": ', "http://x.test/f.json")
    assert feed.bozo and "JSON Feed" in feed.problem and not feed.entries


def test_utf16_and_utf32_feeds_with_a_bom_whatever_the_content_type() -> None:
    body = utf16_feed("http://x.test")
    assert body[:2] in (b"\xff\xfe", b"\xfe\xff")
    utf32 = body.decode("utf-16").encode("utf-32")
    for data in (body, utf32):
        for ctype in ("text/xml", None, "text/xml; charset=iso-8859-1"):
            feed = parse_feed(data, "http://x.test/utf16/feed.xml", ctype)
            assert not feed.bozo, (ctype, feed.problem)
            assert feed.entries[1].title == "Nearshore : Nextalis ouvre un centre à Rabat", ctype


def test_a_news_query_item_names_its_publisher() -> None:
    from spiders.feeds import parse_feed

    feed = parse_feed(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>q</title><item>'
        b"<title>Tanger recrute - Le Matin</title><link>https://news.aggregator.example/a/1</link>"
        b'<source url="https://lematin.ma">Le Matin</source></item></channel></rss>',
        "https://news.aggregator.example/rss",
    )
    (entry,) = feed.entries
    assert (entry.publisher, entry.publisher_url) == ("Le Matin", "https://lematin.ma")


def test_aggregator_page_is_told_from_the_publishers_article() -> None:
    from spiders.base import aggregator_page
    from spiders.page import FeedEntry, PageFields

    entry = FeedEntry(
        url="https://news.aggregator.example/a/1", publisher="Le Matin", publisher_url="https://lematin.ma"
    )
    text = "Un long article. " * 40
    interstitial = PageFields(url=entry.url, text="Ouverture…", canonical_url=entry.url)
    article = PageFields(url="https://www.lematin.ma/x", text=text, canonical_url="https://lematin.ma/x")
    empty = PageFields(url="https://www.lematin.ma/x", text="")
    assert aggregator_page(entry.url, interstitial, entry)
    assert not aggregator_page("https://www.lematin.ma/x", article, entry)  # the redirect was followed
    assert aggregator_page("https://www.lematin.ma/x", empty, entry)  # no article text
