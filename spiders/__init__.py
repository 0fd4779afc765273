"""Fetching: the generic feed and site spiders, the page extractor and the crawl runner.

``scrapy list`` / ``scrapy crawl NAME`` (from the repository root) and ``veille crawl NAME``
build the same spiders from ``config/sources.toml`` (see :mod:`spiders.loader`).
"""
