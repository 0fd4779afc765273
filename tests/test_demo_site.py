"""The bundled demo site: its corpus, and every page fetched over real HTTP on loopback."""

from __future__ import annotations

import http.client
import json
import shutil
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest

from veille.core.errors import VeilleError
from veille.demo.site import (
    CORPUS_DIR,
    PER_PAGE,
    DemoArticle,
    DemoCorpusError,
    DemoSite,
    DemoSiteError,
    load_corpus,
)

FIRST_DAY = date(2026, 11, 2)  # Monday of ISO week 45
LAST_DAY = date(2026, 11, 29)  # Sunday of ISO week 48
SYNDICATED = (
    "relation-client-amrc-emplois-premier-trimestre",
    "amrc-assemblee-generale-bilan-relation-client",
)


# --------------------------------------------------------------------------- helpers


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read()


def html_of(url: str) -> lxml.html.HtmlElement:
    status, content_type, body = fetch(url)
    assert status == 200, url
    assert content_type == "text/html; charset=utf-8"
    return lxml.html.document_fromstring(body.decode("utf-8"))


def meta(doc: lxml.html.HtmlElement, key: str) -> str:
    values = doc.xpath(f'//meta[@property="{key}" or @name="{key}"]/@content')
    assert len(values) == 1, key
    return str(values[0])


@pytest.fixture(scope="module")
def corpus() -> list[DemoArticle]:
    return load_corpus()


@pytest.fixture(scope="module")
def site() -> DemoSite:
    with DemoSite() as running:
        yield running


# --------------------------------------------------------------------------- corpus


def test_corpus_size_and_mix(corpus: list[DemoArticle]) -> None:
    assert len(corpus) >= 34
    sector = [a for a in corpus if a.sector]
    assert len(sector) >= 26
    assert len(corpus) - len(sector) >= 8
    assert len({a.slug for a in corpus}) == len(corpus)
    assert corpus == sorted(corpus, key=lambda a: a.published, reverse=True)
    # sector articles are full-length stories, off-topic ones are shorter briefs
    assert all(a.word_count >= 250 for a in sector)
    assert sum(a.word_count >= 300 for a in sector) >= 24


def test_corpus_covers_four_weeks_with_a_rich_latest_week(corpus: list[DemoArticle]) -> None:
    assert all(FIRST_DAY <= a.published.date() <= LAST_DAY for a in corpus)
    assert all(a.published.utcoffset() is not None for a in corpus)
    weeks = Counter(a.published.isocalendar().week for a in corpus if a.sector)
    assert set(weeks) == {45, 46, 47, 48}
    assert weeks[48] >= 8


def test_corpus_feed_membership_is_mixed(corpus: list[DemoArticle]) -> None:
    both = [a for a in corpus if a.in_rss and a.in_atom]
    neither = [a for a in corpus if not a.in_rss and not a.in_atom]
    only_one = [a for a in corpus if a.in_rss != a.in_atom]
    assert len(both) >= 5 and len(neither) >= 4 and len(only_one) >= 10
    assert any(a.sector for a in neither)


def test_syndicated_pair_is_a_near_duplicate(corpus: list[DemoArticle]) -> None:
    by_slug = {a.slug: a for a in corpus}
    first, second = (by_slug[s] for s in SYNDICATED)
    assert first.title != second.title and first.body != second.body
    shared = set(first.paragraphs) & set(second.paragraphs)
    assert len(shared) >= len(second.paragraphs) - 3
    assert len(second.paragraphs) == len(first.paragraphs) - 1  # one paragraph trimmed
    assert first.published.date() == second.published.date()


def test_corpus_mentions_the_reference_figures(corpus: list[DemoArticle]) -> None:
    text = "\n".join(a.body for a in corpus)
    for figure in (
        "10 milliards de DH",
        "18,5 MMDH",
        "1.200 MDH",
        "69.900 emplois directs",
        "1,5 milliard de dirhams",
        "près de 130.000 emplois",
        "plus de 20%",
        "une trentaine d'entreprises",
        "3.500 positions de travail",
        "25 hectares",
        "2,3%",
        "45 millions d'euros",
        "en 2024",
        "entre 2014 et 2018",
        "au premier trimestre 2026",
        "à l'horizon 2030",
    ):
        assert figure in text, figure


def _copy_corpus(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, target)
    return target


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda s: s.replace('section = "economie"', 'section = "meteo"'), "unknown section"),
        (lambda s: s.replace("+01:00", "", 1), "UTC offset"),
        (lambda s: s.replace("in_atom = true", 'in_atom = "yes"'), "'in_atom'"),
        (lambda s: s.replace('author = "Omar Lahlou"\n', ""), "missing field 'author'"),
        (lambda s: s + "\ntitle = 'twice'\n", "not valid TOML"),
    ],
)
def test_broken_corpus_file_is_named(tmp_path: Path, edit, expected: str) -> None:
    directory = _copy_corpus(tmp_path)
    broken = directory / "001-exportations-offshoring-record-2025.toml"
    broken.write_text(edit(broken.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DemoCorpusError) as info:
        load_corpus(directory)
    message = str(info.value)
    assert broken.name in message and expected in message
    assert "\n" not in message
    assert isinstance(info.value, VeilleError)


def test_duplicate_slug_is_refused(tmp_path: Path) -> None:
    directory = _copy_corpus(tmp_path)
    original = directory / "001-exportations-offshoring-record-2025.toml"
    shutil.copy(original, directory / "999-exportations-offshoring-record-2025.toml")
    with pytest.raises(DemoCorpusError, match="already used by 001-"):
        load_corpus(directory)


# --------------------------------------------------------------------------- serving


def test_urls(site: DemoSite) -> None:
    assert site.base_url.startswith("http://127.0.0.1:")
    assert site.rss_url == site.base_url + "/rss.xml"
    assert site.atom_url == site.base_url + "/atom.xml"
    assert site.listing_url == site.base_url + "/actualites/"


def test_every_page_is_served_as_utf8(site: DemoSite) -> None:
    paths = list(site.paths())
    assert len(paths) >= len(site.articles) + 8
    for path in paths:
        status, content_type, body = fetch(site.base_url + path)
        assert status == 200, path
        assert content_type.endswith("charset=utf-8"), path
        body.decode("utf-8")


def test_unknown_path_is_a_404_page(site: DemoSite) -> None:
    status, content_type, body = fetch(site.base_url + "/2026/11/23/nexiste-pas/")
    assert status == 404 and content_type == "text/html; charset=utf-8"
    assert "Page introuvable" in body.decode("utf-8")


def test_missing_trailing_slash_redirects(site: DemoSite, corpus: list[DemoArticle]) -> None:
    with urllib.request.urlopen(site.base_url + corpus[0].path.rstrip("/"), timeout=10) as response:
        assert response.url == site.url_for(corpus[0])


def test_rss_feed(site: DemoSite, corpus: list[DemoArticle]) -> None:
    status, content_type, body = fetch(site.rss_url)
    assert status == 200 and content_type == "application/rss+xml; charset=utf-8"
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    expected = {site.url_for(a): a for a in corpus if a.in_rss}
    assert [e.link for e in feed.entries] == list(expected)
    for entry in feed.entries:
        article = expected[entry.link]
        assert entry.title == article.title
        assert entry.id == entry.link
        assert entry.author == article.author
        assert entry.summary == article.lead
        assert "+0100" in entry.published
        assert parsedate_to_datetime(entry.published) == article.published


def test_atom_feed(site: DemoSite, corpus: list[DemoArticle]) -> None:
    status, content_type, body = fetch(site.atom_url)
    assert status == 200 and content_type == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    expected = {site.url_for(a): a for a in corpus if a.in_atom}
    assert [e.link for e in feed.entries] == list(expected)
    for entry in feed.entries:
        article = expected[entry.link]
        assert entry.title == article.title
        assert entry.id == entry.link
        assert entry.author == article.author
        assert entry.summary == article.lead
        assert datetime.fromisoformat(entry.published) == article.published
        assert datetime.fromisoformat(entry.updated) == article.modified


def test_feed_links_resolve_and_overlap(site: DemoSite) -> None:
    rss = {e.link for e in feedparser.parse(fetch(site.rss_url)[2]).entries}
    atom = {e.link for e in feedparser.parse(fetch(site.atom_url)[2]).entries}
    assert rss & atom, "some articles must be in both feeds so dedup by URL matters"
    for link in rss | atom:
        assert link.startswith(site.base_url + "/2026/11/")
        assert fetch(link)[0] == 200
    all_articles = {site.url_for(a) for a in site.articles}
    assert all_articles - (rss | atom), "some articles must be reachable only from the listing"


def _walk_listing(site: DemoSite) -> tuple[list[str], list[str]]:
    pages, articles = [], []
    url: str | None = site.listing_url
    while url:
        assert url not in pages
        pages.append(url)
        doc = html_of(url)
        links = [
            urljoin(url, h) for h in doc.xpath('//ul[@class="teasers"]//h2[@class="teaser__title"]/a/@href')
        ]
        assert 1 <= len(links) <= PER_PAGE
        articles.extend(links)
        nxt = doc.xpath('//a[@rel="next"]')
        assert len(nxt) <= 1
        if nxt:
            assert nxt[0].text_content().strip() == "Page suivante"
        url = urljoin(url, nxt[0].get("href")) if nxt else None
    return pages, articles


def test_pagination_reaches_every_article(site: DemoSite, corpus: list[DemoArticle]) -> None:
    pages, articles = _walk_listing(site)
    assert len(pages) == -(-len(corpus) // PER_PAGE)
    assert pages[1] == site.base_url + "/actualites/page/2/"
    assert articles == [site.url_for(a) for a in corpus]  # newest first, no repeats


def test_article_pages(site: DemoSite, corpus: list[DemoArticle]) -> None:
    for article in corpus:
        url = site.url_for(article)
        assert urlsplit(url).path == article.published.strftime("/%Y/%m/%d/") + article.slug + "/"
        doc = html_of(url)
        assert doc.get("lang") == "fr-MA"
        assert doc.xpath("//article//h1")[0].text_content().strip() == article.title
        assert len(doc.xpath("//h1")) == 1
        times = doc.xpath("//article//time/@datetime")
        assert datetime.fromisoformat(times[0]) == article.published
        assert article.author in doc.xpath('//article//*[@rel="author"]')[0].text_content()
        assert doc.xpath('//link[@rel="canonical"]/@href') == [url]
        assert meta(doc, "description") == article.lead
        assert meta(doc, "og:title") == article.title
        assert meta(doc, "og:type") == "article"
        assert meta(doc, "article:author") == article.author
        assert datetime.fromisoformat(meta(doc, "article:published_time")) == article.published
        body_text = " ".join(p.text_content() for p in doc.xpath('//article//div[@itemprop="articleBody"]/p'))
        assert " ".join(p for p in article.paragraphs if not p.startswith("## ")) == body_text
        # boilerplate an extractor must skip
        assert doc.xpath('//*[@id="cookie-banner"]') and doc.xpath('//*[@class="share"]')
        assert len(doc.xpath('//aside[@class="sidebar"]//section[@class="related"]//a')) == 4

        (raw,) = doc.xpath('//script[@type="application/ld+json"]/text()')
        ld = json.loads(raw)
        assert ld["@type"] == "NewsArticle"
        assert ld["headline"] == article.title
        assert ld["description"] == article.lead
        assert datetime.fromisoformat(ld["datePublished"]) == article.published
        assert datetime.fromisoformat(ld["dateModified"]) == article.modified
        assert ld["author"] == {"@type": "Person", "name": article.author}
        assert ld["publisher"]["@type"] == "Organization" and ld["publisher"]["name"]
        assert ld["mainEntityOfPage"]["@id"] == url


def test_home_lists_latest_articles(site: DemoSite, corpus: list[DemoArticle]) -> None:
    doc = html_of(site.base_url + "/")
    links = [urljoin(site.base_url, h) for h in doc.xpath("//main//h2/a/@href")]
    assert links[:3] == [site.url_for(a) for a in corpus[:3]]


def test_robots_and_sitemap(site: DemoSite, corpus: list[DemoArticle]) -> None:
    status, content_type, body = fetch(site.base_url + "/robots.txt")
    assert status == 200 and content_type == "text/plain; charset=utf-8"
    robots = body.decode("utf-8")
    assert "User-agent: *" in robots and "Disallow: /" not in robots
    assert f"Sitemap: {site.base_url}/sitemap.xml" in robots.splitlines()

    status, content_type, body = fetch(site.sitemap_url)
    assert status == 200 and content_type == "application/xml; charset=utf-8"
    tree = lxml.etree.fromstring(body)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = tree.xpath("//s:url/s:loc/text()", namespaces=ns)
    assert {site.url_for(a) for a in corpus} <= set(locs)
    assert len(tree.xpath("//s:url/s:lastmod", namespaces=ns)) == len(locs)


def test_requests_are_not_logged(site: DemoSite, capfd: pytest.CaptureFixture[str]) -> None:
    fetch(site.base_url + "/")
    fetch(site.base_url + "/introuvable")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# --------------------------------------------------------------------------- lifecycle


def test_port_in_use_is_one_clear_line(site: DemoSite) -> None:
    with pytest.raises(DemoSiteError) as info:
        DemoSite(port=site.port).start()
    message = str(info.value)
    assert "\n" not in message
    assert str(site.port) in message and "already in use" in message
    assert isinstance(info.value, VeilleError)


def test_addresses_need_a_started_site() -> None:
    idle = DemoSite()
    with pytest.raises(DemoSiteError, match="not started"):
        idle.base_url  # noqa: B018


def test_start_stop_and_restart() -> None:
    demo = DemoSite()
    demo.start()
    url = demo.base_url
    assert fetch(url + "/robots.txt")[0] == 200
    port = demo.port
    demo.stop()
    assert not demo.running
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/robots.txt", timeout=2)
    with DemoSite(port=port) as again:  # the port is free again
        assert again.base_url == url


def test_stop_does_not_wait_for_idle_keep_alive_connections() -> None:
    demo = DemoSite().start()
    connection = http.client.HTTPConnection("127.0.0.1", demo.port, timeout=5)
    connection.request("GET", "/robots.txt")
    assert connection.getresponse().read().startswith(b"User-agent")
    started = time.monotonic()
    demo.stop()
    assert time.monotonic() - started < 2
    connection.close()


def test_the_demo_key_is_handed_over_not_put_into_the_environment(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Secrets never travel between parts of one process through os.environ: the demo gives its
    unsubscribe key to the sender, and the same key on a rerun."""
    import os

    from veille.core.config import Settings
    from veille.demo.run import demo_secret

    monkeypatch.delenv("VEILLE_SECRET_KEY", raising=False)
    settings = Settings.load(data_dir=tmp_path, config_dir=None)
    first = demo_secret(settings)
    assert first and "VEILLE_SECRET_KEY" not in os.environ
    assert demo_secret(settings) == first
    monkeypatch.setenv("VEILLE_SECRET_KEY", "une-clé-fournie")
    settings = Settings.load(data_dir=tmp_path, config_dir=None)  # the secrets are read at load
    assert demo_secret(settings) == "une-clé-fournie".encode()
