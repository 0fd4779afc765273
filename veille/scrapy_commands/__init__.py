"""Scrapy commands of the project (``COMMANDS_MODULE`` in ``spiders/settings.py``): ``scrapy
crawl NAME`` starts a crawl the way ``veille crawl NAME`` does."""
