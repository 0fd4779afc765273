"""The extractor's text limit: a long article is cut at a boundary and flagged, never dropped."""

from __future__ import annotations

from pathlib import Path

from pipeline.limits import cap_text
from pipeline.normalise import normalise_article
from veille.core.conf.pipeline import NormaliseConfig
from veille.core.config import load_pipeline
from veille.core.models import Article


def test_cap_text_cuts_at_a_paragraph_then_a_word() -> None:
    text = "Premier paragraphe.\n\n" + "mot " * 100
    assert cap_text(text, 10_000) == (text, False)
    cut, truncated = cap_text(text, 200)
    assert truncated and len(cut) <= 200 and cut.endswith("mot") and text.startswith(cut)
    para = "a" * 150 + "\n\n" + "b" * 100
    assert cap_text(para, 200) == ("a" * 150, True)
    assert cap_text("x" * 500, 200) == ("x" * 200, True)  # no boundary: exactly at the limit


def test_normalise_keeps_a_long_article_cut_and_flagged() -> None:
    config = NormaliseConfig(max_text_chars=1_000)
    body = "\n\n".join(
        f"Paragraphe {i} : l'offshoring emploie 120 000 personnes au Maroc." for i in range(100)
    )
    article = normalise_article(Article(url="https://x.test/a", source="s", title="Long", text=body), config)
    assert article.truncated and 750 <= len(article.text) <= 1_000 and body.startswith(article.text)
    short = normalise_article(
        Article(url="https://x.test/b", source="s", title="Court", text="Un texte."), config
    )
    assert not short.truncated and short.text == "Un texte."


def test_default_limit_is_300000() -> None:
    assert load_pipeline().normalise.max_text_chars == 300_000


def test_the_pipeline_settings_passed_to_a_crawl_read_back_the_same(tmp_path: Path) -> None:
    """`veille crawl` hands the checked pipeline.toml to the stages as plain data: it reads back
    equal, text cap included."""
    from pipeline.config import pipeline_config
    from spiders.run import scrapy_settings
    from veille.core.config import Settings

    (tmp_path / "pipeline.toml").write_text("[extract]\nmax_text_chars = 5000\n[dedup]\nthreshold = 0.8\n")
    settings = Settings.load(data_dir=tmp_path / "data", config_dir=tmp_path)
    passed = pipeline_config(scrapy_settings(settings))
    assert passed == settings.pipeline and passed.normalise.max_text_chars == 5000
