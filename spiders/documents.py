"""The documents spider: a listing page of files (PDF, XLSX, XLS, CSV) an institution publishes.

A ``kind = "documents"`` source is a listing (selectors, link rules and pagination as for a
``listing`` source: this spider is a :class:`~spiders.sites.SiteSpider`) whose links to files are
followed: links ending in ``.pdf``, ``.xlsx``, ``.xls`` or ``.csv`` (``.xlsm`` too), or, when the
source has ``allow`` link rules, the links they allow (a ``/telecharger/123`` link is a file if
its bytes say so). Each link keeps its text and a date written next to it in the listing.

Each file is archived once: a URL already archived is not fetched again, and a file whose bytes
(SHA-256) are already archived under another URL is skipped (``known``). A file is read in a
process of its own (:func:`spiders.reader.read_isolated`, from a thread so the crawl goes on)
within the limits of ``[crawl.documents]``; a file refused (encrypted, broken, over a limit) is one
line in the run ledger, and remembered in the archive (``refused_files``: its URL, the hash and
size of its bytes, its server's ETag and Last-Modified). The next crawls do not download it
again: when its server gave a validator it is asked with a conditional request (a 304 answer, or
the same bytes from a server that ignores it, and it stays refused, unread); else it is not asked
at all. After ``retry_refused_after`` days (``[crawl.documents]``, 30; 0 asks every crawl) it is
downloaded and read again whatever its server says, and at once when ``max_file_size`` was raised
past what refused it as too big; bytes refused under one URL are not read again under another;
``--refresh`` asks for everything. A refused file read at last leaves the list. The run ledger
counts the files left alone as ``refused``. What is read becomes one :class:`~veille.core.models.Article` of kind
"document": its running text (what the figure extractor reads, as an article's), a lead naming
its tables, and its :class:`~veille.core.models.Document` (type, hash, size, pages, tables, the
source's ``official`` flag, where its title and date came from).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from spiders.base import utcnow
from spiders.dates import find_french_date
from spiders.failures import classify_failure
from spiders.files import FileContent, Limits, UnreadableFile, extension_type, file_name, meaningful_title
from spiders.page import FeedEntry
from spiders.reader import read_isolated
from spiders.sites import SiteSpider
from veille.archive.documents import RefusedFile
from veille.core.models import Article, Document, Table

LEAD_CHARS = 1500
# the text of the list item, table row or paragraph a link is in: where a listing writes its date
_CONTAINER = "ancestor::*[self::li or self::tr or self::p or self::article or self::div][1]//text()"
READERS = 2  # files read at once (each in its own process)


def table_summary(tables: list[Table]) -> str | None:
    """A document's lead: each table's caption (or sheet) and the labels of its rows, so a search
    finds a spreadsheet by what its tables hold."""
    parts = []
    for t in tables:
        head = t.caption.strip() or (f"Feuille {t.sheet}" if t.sheet else f"Tableau {t.index + 1}")
        labels = [
            str(r[0]).strip() for r in t.rows[t.header_rows :] if r and isinstance(r[0], str) and r[0].strip()
        ]
        parts.append(head + (" — " + ", ".join(labels[:12]) if labels else ""))
    text = " · ".join(parts)
    return text[:LEAD_CHARS] or None


def document_article(
    content: FileContent, body: bytes, url: str, source: Any, entry: FeedEntry | None, listing: str | None
) -> Article:
    """The item for a file read: title from the listing's link, else the file's metadata or
    first page, else the file name; date from the listing, else the file."""
    title, title_from = meaningful_title(entry.title if entry else None), "listing"
    if title is None and content.title:
        title, title_from = content.title, content.title_from or "metadata"
    if title is None:
        title, title_from = file_name(url), "file_name"
    published, date_from = (entry.published, "listing") if entry and entry.published else (None, None)
    if published is None and content.published is not None:
        published, date_from = content.published, content.date_from
    document = Document(
        file_type=content.file_type, sha256=hashlib.sha256(body).hexdigest(), size=len(body),
        pages=content.page_count, tables=list(content.tables), official=bool(source.official),
        listing_url=listing, title_from=title_from, date_from=date_from,
    )  # fmt: skip
    return Article(
        url=url, source=source.name, title=title, text=content.text, published=published,
        lead=table_summary(content.tables), language=source.language, fetched_at=utcnow(),
        kind="document", document=document,
    )  # fmt: skip


class DocumentSpider(SiteSpider):
    """One per ``documents`` source (see :func:`spiders.loader.spider_class_for`)."""

    name = "veille-documents"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = Limits()
        self.hashes: set[str] = set()  # files read by this crawl
        self._readers: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> DocumentSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, DocumentSpider)
        spider.limits = Limits.from_settings(crawler.settings.getdict("VEILLE_DOCUMENT_LIMITS"))
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.urls:
            yield self.index_request(url, self.parse_listing, page=1)

    # -- the listing ------------------------------------------------------------------------
    def parse_listing(self, response: Response, page: int = 1) -> Iterator[Request]:
        if not hasattr(response, "text"):
            self.error(f"{response.url}: listing is not an HTML page")
            return
        entries = [e for e in self.document_entries(response) if self.in_domains(e.url)]
        self.stat("entries", len(entries))
        refused = self.refusals([e.url for e in entries])
        asked = []
        for e in entries:
            plan = self.plan(refused.get(e.url))
            if plan == "skip":
                self.drop("refused", e.url)
                continue
            asked.append(e)
        for entry in self.new_entries(asked):
            yield self.document_request(entry, response.url, refused.get(entry.url))
        following = self.next_page(response)
        if following and page < self.source.max_pages and following != response.url:
            if self.limit is None or self.requested < self.limit:
                yield self.index_request(following, self.parse_listing, page=page + 1)

    def article_links(self, response: Response) -> list[str]:
        return [e.url for e in self.document_entries(response)]

    def document_entries(self, response: Response) -> list[FeedEntry]:
        """The listing's links to files, each with its text and the date written beside it."""
        selector = self.source.selector("article_links")
        if selector:
            found = (
                response.xpath(selector)
                if selector.lstrip().startswith(("/", "("))
                else response.css(selector)
            )
            nodes = []
            for n in found:  # the links selected, or those inside the nodes selected
                nodes += [n] if getattr(n.root, "tag", None) == "a" else n.xpath(".//a[@href]")
        else:
            nodes = response.xpath("//a[@href]")
        out: dict[str, FeedEntry] = {}
        for node in nodes:
            href = node.attrib.get("href")
            url = response.urljoin(href.strip()).split("#", 1)[0] if href else ""
            if not url.startswith(("http://", "https://")) or url in out or not self.follows_rules(url):
                continue
            if not self.source.allow_rules() and extension_type(url) is None:
                continue
            text = " ".join(" ".join(node.xpath(".//text()").getall()).split())
            around = " ".join(" ".join(node.xpath(_CONTAINER).getall()).split())
            out[url] = FeedEntry(url=url, title=text, published=find_french_date(around) if around else None)
        return list(out.values())

    def document_request(self, entry: FeedEntry, listing: str, refused: RefusedFile | None = None) -> Request:
        """The file's request; a refused file's asks whether it changed when its server can say so
        (``If-None-Match``, ``If-Modified-Since``), unless its time to be read again has come."""
        meta = {"veille_entry": entry, "download_maxsize": self.limits.max_file_size,
                "download_warnsize": self.limits.max_file_size}  # fmt: skip
        headers = {}
        if refused is not None:
            meta["veille_refused"] = refused
            if self.plan(refused) == "conditional":
                headers = {k: v for k, v in (("If-None-Match", refused.etag),
                                             ("If-Modified-Since", refused.last_modified)) if v}  # fmt: skip
                meta["handle_httpstatus_list"] = [304]
        return Request(
            entry.url, callback=self.parse_document, errback=self.document_failed, headers=headers,
            cb_kwargs={"entry": entry, "listing": listing}, meta=meta,
        )  # fmt: skip

    # -- the files refused -----------------------------------------------------------------------
    def refusals(self, urls: list[str]) -> dict[str, RefusedFile]:
        """What the archive remembers of these URLs' refusals (nothing when refreshing)."""
        store = self.archive()
        if self.refresh or store is None or not urls:
            return {}
        return {r.url: r for r in store.refused_files(urls=urls)}

    def plan(self, refused: RefusedFile | None) -> str:
        """For a refused file: ``fetch`` (its time has come, or the size limit was raised past
        it), ``conditional`` (ask whether it changed), or ``skip``; ``fetch`` for any other."""
        if refused is None or self.refresh:
            return "fetch"
        if refused.kind == "too_big" and self.limits.max_file_size > (refused.size_limit or 0):
            return "fetch"
        due = (
            refused.checked_at + timedelta(days=self.limits.retry_refused_after)
            if refused.checked_at
            else None
        )
        if due is None or utcnow() >= due:
            return "fetch"
        return "conditional" if refused.etag or refused.last_modified else "skip"

    def remember_refusal(self, response: Response | None, url: str, kind: str, reason: str) -> None:
        """A refused file in the archive's list, with what tells whether it changed."""
        store = self.archive()
        if store is None:
            return
        body, headers = (response.body, response.headers) if response is not None else (b"", {})

        def header(name: bytes) -> str | None:
            value = headers.get(name) if headers else None
            return value.decode("latin-1") if value else None

        store.refuse_file(RefusedFile(
            url=url, source=self.source_name, kind=kind, reason=reason,
            sha256=hashlib.sha256(body).hexdigest() if response is not None else None,
            size=len(body) if response is not None else None,
            size_limit=self.limits.max_file_size if kind == "too_big" else None,
            etag=header(b"ETag"), last_modified=header(b"Last-Modified"),
        ))  # fmt: skip

    def document_failed(self, failure: Failure) -> Iterator[Article]:
        """A file's download failed: one too big is remembered as refused, then as for an article."""
        kind, detail = classify_failure(failure)
        if (kind, detail) == ("drop", "too_big"):
            limit = f"{self.limits.max_file_size:,}"
            self.remember_refusal(None, failure.request.url, "too_big", f"file over the {limit} bytes limit")  # type: ignore[attr-defined]
        yield from self.article_failed(failure)

    def _unchanged(self, response: Response, digest: str) -> bool:
        """A refused file that did not change (a 304 answer, or bytes refused already, under this
        URL or another): left unread, still refused."""
        store = self.archive()
        refused: RefusedFile | None = response.meta.get("veille_refused")
        if store is None or self.refresh:
            return False
        if response.status == 304:
            same = refused
        elif refused is not None and self.plan(refused) == "fetch":
            return False  # its time to be read again has come
        else:
            same = next(iter(store.refused_files(hashes=[digest])), None)
        if same is None:
            return False
        if same.url == response.url:
            store.refusal_checked([response.url])
        else:  # the same bytes under a new URL: refused as they were
            self.remember_refusal(response, response.url, same.kind, same.reason)
        self.drop("refused", response.url)
        return True

    # -- the files ------------------------------------------------------------------------------
    async def parse_document(
        self, response: Response, entry: FeedEntry | None = None, listing: str | None = None
    ) -> AsyncIterator[Article]:
        body = response.body
        digest = hashlib.sha256(body).hexdigest()
        if self._unchanged(response, digest):
            return
        self.stat("fetched")
        if self._known(digest, response.url):
            return
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        self.hashes.add(digest)  # before reading: the same file under another URL waits for no one
        try:
            content = await self._read(body, response.url, ctype)
        except UnreadableFile as exc:
            self.hashes.discard(digest)
            self.error(f"{response.url}: {exc}")
            self.remember_refusal(response, response.url, "unreadable", str(exc))
            return
        for note in content.notes:
            self.note(f"{response.url}: {note}")
        store = self.archive()
        if response.meta.get("veille_refused") is not None and store is not None:
            store.forget_refusals([response.url])
        yield document_article(content, body, response.url, self.source, entry, listing)

    def _known(self, digest: str, url: str) -> bool:
        """The same bytes archived already (or read by this crawl) under another URL."""
        known = digest in self.hashes
        store = self.archive()
        if not known and not self.refresh and store is not None:
            known = digest in store.known_files([digest])
        if known:
            self.stat("dropped/known")  # the ledger counts "known" as a duplicate
            self.logger.info("Dropped %s (known: the same file is archived)", url)
        return known

    async def _read(self, body: bytes, url: str, ctype: str | None) -> FileContent:
        """:func:`read_isolated` in a thread (the reactor goes on), at most :data:`READERS` at once."""
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import defer, threads

        if self._readers is None:
            self._readers = defer.DeferredSemaphore(READERS)
        deferred = self._readers.run(threads.deferToThread, read_isolated, body, url, ctype, self.limits)
        content: FileContent = await maybe_deferred_to_future(deferred)
        return content

    def note(self, message: str) -> None:
        """A line in the run ledger's messages that is no error (a limit left part of a file unread)."""
        key = f"veille/{self.source_name}/error_messages"
        messages = self.crawler.stats.get_value(key) or []
        self.crawler.stats.set_value(key, [*messages, message][-50:])
        self.logger.warning(message)
