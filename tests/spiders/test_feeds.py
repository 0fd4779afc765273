from __future__ import annotations

from spiders.feeds import parse_feed
from spiders.sites import parse_sitemap
from tests.spiders.site import BAD_FEED, atom, news_sitemap, wp_feed


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
