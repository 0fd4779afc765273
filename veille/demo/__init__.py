"""The bundled demo: a small French-language news site to crawl (see :mod:`veille.demo.site`)."""

from veille.demo.site import DemoArticle, DemoCorpusError, DemoSite, DemoSiteError, load_corpus

__all__ = ["DemoArticle", "DemoCorpusError", "DemoSite", "DemoSiteError", "load_corpus"]
