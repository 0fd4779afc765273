"""Relevance stage: language filter and sector score from config/lexicon.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from pipeline.relevance import (
    RelevancePipeline,
    detect_language,
    load_lexicon,
    score,
)
from veille.core.config import load_pipeline
from veille.core.errors import ConfigError
from veille.core.models import Article

SECTOR = Article(
    url="https://example.ma/eco/oujda-shore-centre",
    source="example",
    title="Oujda Shore : un centre de relation client de 600 positions ouvre ses portes",
    text=(
        "Un opérateur français de la relation client a inauguré mardi son nouveau site à Oujda Shore, "
        "la zone dédiée à l'offshoring de la région de l'Oriental. Le centre compte 600 positions de travail "
        "et emploiera à terme 900 téléconseillers bilingues.\n\n"
        "Les recrutements ont commencé avec l'appui de l'ANAPEC. Selon la direction, la proximité de l'Europe "
        "et le coût du foncier ont pesé dans le choix du site, face à Casanearshore et à Technopolis.\n\n"
        "L'AMRC rappelle que le secteur des centres d'appels emploie plus de 100.000 personnes au Maroc."
    ),
)

OFF_TOPIC = Article(
    url="https://example.ma/sport/raja-wydad",
    source="example",
    title="Derby : le Raja et le Wydad se neutralisent au complexe Mohammed V",
    text=(
        "Le derby casablancais s'est achevé sur un score nul et vierge samedi soir devant un public nombreux. "
        "Les deux équipes ont multiplié les occasions en seconde période sans parvenir à tromper les gardiens.\n\n"
        "L'entraîneur du Raja a salué l'engagement de ses joueurs, tout en regrettant le manque de réalisme."
    ),
)

BORDERLINE = Article(
    url="https://example.ma/eco/inflation",
    source="example",
    title="L'inflation ralentit à 1,8% en octobre",
    text=(
        "Selon le Haut-Commissariat au Plan, la hausse des prix à la consommation a ralenti en octobre, "
        "portée par la baisse des prix de l'alimentation. Les paiements numériques progressent, mais le cash "
        "reste dominant dans les commerces de proximité.\n\n"
        "Les économistes s'attendent à une stabilisation du taux directeur lors de la prochaine réunion de "
        "Bank Al-Maghrib."
    ),
)

ENGLISH = (
    "Morocco's offshoring sector keeps growing as European companies move their customer service "
    "operations to Casablanca and Rabat, according to a report published on Monday by the industry body."
)
ARABIC = "يواصل قطاع ترحيل الخدمات بالمغرب نموه بفضل الطلب الأوروبي على مراكز الاتصال والخدمات الرقمية."
SPANISH = (
    "El sector de la externalización en Marruecos sigue creciendo gracias a la demanda de las empresas "
    "europeas que trasladan sus centros de atención al cliente a Casablanca."
)


@pytest.fixture(scope="module")
def lexicon():  # type: ignore[no-untyped-def]
    return load_lexicon()


def _article(title: str = "", text: str = "", **kw: object) -> Article:
    return Article(url="https://example.ma/a", source="example", title=title, text=text, **kw)  # type: ignore[arg-type]


# -- language ---------------------------------------------------------------------------------
def test_detect_language() -> None:
    assert detect_language(SECTOR.title + "\n" + SECTOR.text) == "fr"
    assert detect_language(ENGLISH) == "en"
    assert detect_language(SPANISH) == "es"
    assert detect_language(ARABIC) == "ar"
    assert detect_language("BPO") is None  # too short to tell
    assert detect_language("") is None


def test_detect_language_is_deterministic() -> None:
    short = "Offshoring : Casanearshore recrute des profils IT"
    assert len({detect_language(short) for _ in range(20)}) == 1


# -- score ----------------------------------------------------------------------------------------
def test_sector_article_scores_high_with_terms_and_themes(lexicon) -> None:  # type: ignore[no-untyped-def]
    r = score(SECTOR, lexicon)
    assert r.score > 0.9
    assert {"Oujda Shore", "relation client", "offshoring", "AMRC", "Casanearshore"} <= set(r.matched_terms)
    assert set(r.themes[:2]) == {"relation-client", "investissement"}
    assert "offshoring" in r.themes
    assert all(theme in lexicon.labels for theme in r.themes)


def test_off_topic_articles_score_low(lexicon) -> None:  # type: ignore[no-untyped-def]
    assert score(OFF_TOPIC, lexicon).score == 0.0
    borderline = score(BORDERLINE, lexicon)
    assert 0 < borderline.score < lexicon.threshold  # "numériques" alone is not enough


def test_title_matches_weigh_more(lexicon) -> None:  # type: ignore[no-untyped-def]
    body = "Le rapport annuel est paru lundi. Il évoque le nearshore en quelques lignes."
    in_body = score(_article("Un rapport annuel", body), lexicon).score
    in_title = score(_article("Nearshore : un rapport annuel", body), lexicon).score
    assert in_title > in_body
    assert score(_article("Nearshore : un rapport annuel"), lexicon).score >= lexicon.threshold


def test_repeats_saturate(lexicon) -> None:  # type: ignore[no-untyped-def]
    once = score(_article(text="Le secteur du digital avance."), lexicon).score
    many = score(_article(text="Le digital avance. " * 50), lexicon).score
    assert many < 2 * once  # fifty mentions of a generic word are not fifty times the evidence
    assert many < lexicon.threshold


def test_matching_ignores_accents_case_hyphens_and_plurals(lexicon) -> None:  # type: ignore[no-untyped-def]
    variants = [
        "Les CENTRES D’APPELS de Fes Shore",
        "les centres d'appels de fès shore",
        "Les centre-d'appel de Fès-Shore",
    ]
    results = [score(_article(text=v), lexicon) for v in variants]
    assert len({r.score for r in results}) == 1
    assert set(results[0].matched_terms) == {"centre d'appel", "Fès Shore"}


def test_acronyms_are_case_sensitive(lexicon) -> None:  # type: ignore[no-untyped-def]
    assert "ADD" in score(_article(text="L'ADD lance un appel à projets."), lexicon).matched_terms
    assert "ADD" not in score(_article(text="Il faut add une ligne."), lexicon).matched_terms
    assert "IA" in score(_article(text="L'IA transforme les métiers."), lexicon).matched_terms


def test_longer_phrase_hides_its_words(lexicon) -> None:  # type: ignore[no-untyped-def]
    r = score(_article(text="L'externalisation des processus métiers progresse."), lexicon)
    assert r.matched_terms == ("externalisation des processus métiers",)


def test_lead_counts_unless_repeated_in_text(lexicon) -> None:  # type: ignore[no-untyped-def]
    with_lead = score(_article("Un rapport", "Le rapport est paru.", lead="L'offshoring progresse."), lexicon)
    assert "offshoring" in with_lead.matched_terms
    lead = "L'offshoring progresse encore cette année selon les professionnels."
    repeated = score(_article("Un rapport", lead + "\n\nSuite.", lead=lead), lexicon)
    once = score(_article("Un rapport", lead + "\n\nSuite."), lexicon)
    assert repeated.score == once.score


def test_demo_corpus_is_classified_like_its_labels(lexicon) -> None:  # type: ignore[no-untyped-def]
    from veille.demo import load_corpus

    wrong = []
    for doc in load_corpus():
        article = _article(doc.title, "\n\n".join(doc.paragraphs), lead=doc.lead)
        kept = score(article, lexicon).score >= lexicon.threshold
        if kept != doc.sector:
            wrong.append(doc.title)
    assert wrong == []


# -- lexicon loading ------------------------------------------------------------------------------
def test_lexicon_errors_name_the_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "lexicon.toml").write_text('threshold = 0.3\n[themes.x]\nterms = { "cloud" = "fort" }\n')
    with pytest.raises(ConfigError, match=r"lexicon.toml \[themes.x\].*'cloud'"):
        load_lexicon(tmp_path)
    (tmp_path / "lexicon.toml").write_text("threshold = 0.3\n")
    with pytest.raises(ConfigError, match="missing field 'themes'"):
        load_lexicon(tmp_path)
    (tmp_path / "lexicon.toml").write_text('threshold = 2\n[themes.x]\nterms = { "cloud" = 1 }\n')
    with pytest.raises(ConfigError, match="threshold"):
        load_lexicon(tmp_path)


def test_custom_lexicon(tmp_path: Path) -> None:
    (tmp_path / "lexicon.toml").write_text(
        'threshold = 0.5\nscale = 1.0\n[themes.cloud]\nlabel = "Cloud"\nterms = { "nuage*" = 2 }\n'
    )
    lex = load_lexicon(tmp_path)
    r = score(_article(text="Les nuages informatiques"), lex)
    assert r.matched_terms == ("nuage",) and r.themes == ("cloud",) and r.score > 0.5


# -- the Scrapy stage -----------------------------------------------------------------------------
def _pipeline(config_dir: Path | None = None) -> RelevancePipeline:
    crawler = get_crawler(settings_dict={"VEILLE_CONFIG_DIR": str(config_dir) if config_dir else None})
    crawler.stats.open_spider()
    return RelevancePipeline.from_crawler(crawler)


def test_pipeline_keeps_sector_news_and_sets_fields() -> None:
    pipe = _pipeline()
    item = Article(url=SECTOR.url, source="example", title=SECTOR.title, text=SECTOR.text)
    assert pipe.process_item(item) is item
    assert item.language == "fr"
    assert item.relevance > 0.9
    assert isinstance(item.matched_terms, list) and "offshoring" in item.matched_terms
    assert isinstance(item.themes, list) and "relation-client" in item.themes


def test_pipeline_drops_off_topic_with_reason_and_stats() -> None:
    pipe = _pipeline()
    item = Article(url=OFF_TOPIC.url, source="example", title=OFF_TOPIC.title, text=OFF_TOPIC.text)
    with pytest.raises(DropItem, match=r"^off-topic \(score 0\.00 < 0\.30\)$"):
        pipe.process_item(item)
    assert pipe.crawler.stats.get_value("veille/example/dropped/off-topic") == 1
    assert item.relevance == 0.0


@pytest.mark.parametrize(("text", "code"), [(ENGLISH, "en"), (ARABIC, "ar"), (SPANISH, "es")])
def test_pipeline_drops_other_languages(text: str, code: str) -> None:
    pipe = _pipeline()
    with pytest.raises(DropItem, match=rf"^language:{code} "):
        pipe.process_item(Article(url="https://example.ma/x", source="example", title="", text=text))
    assert pipe.crawler.stats.get_value(f"veille/example/dropped/language:{code}") == 1


def test_pipeline_short_items_fall_back_to_declared_language() -> None:
    pipe = _pipeline()
    item = Article(url="https://example.ma/x", source="example", title="Nearshore : BPO", language="fr-FR")
    assert pipe.process_item(item).language == "fr"
    with pytest.raises(DropItem, match="^language:en"):
        pipe.process_item(
            Article(url="https://example.ma/y", source="example", title="BPO news", language="en")
        )


def test_pipeline_languages_from_config(tmp_path: Path) -> None:

    (tmp_path / "pipeline.toml").write_text('[relevance]\nlanguages = ["fr", "en"]\n')
    (tmp_path / "lexicon.toml").write_text(
        (Path(__file__).parents[2] / "config" / "lexicon.toml").read_text()
    )
    assert load_pipeline(tmp_path).relevance.languages == ("fr", "en")
    pipe = _pipeline(tmp_path)
    item = Article(url="https://example.ma/x", source="example", title="", text=ENGLISH)
    assert pipe.process_item(item).language == "en"
    (tmp_path / "pipeline.toml").write_text("[relevance]\nlanguages = []\n")
    with pytest.raises(ConfigError, match="languages"):
        load_pipeline(tmp_path)


def test_term_anchor_starts_every_match() -> None:
    """score() skips a term whose anchor is absent: the anchor must be in every match."""
    from pipeline.relevance import _folded, _plain, load_lexicon

    text = _folded("Les centres d'appel et l'offshoring nearshore au Maroc, APEBI") + _plain(
        "ANAPEC APEBI AMDIE"
    )
    for term in load_lexicon().terms:
        assert term.anchor, term.label
        for m in term.pattern.finditer(text):
            assert text[m.start() - 1 :].startswith(term.anchor), term.label


def test_a_document_is_scored_but_never_dropped_as_off_topic_or_too_short(lexicon) -> None:  # type: ignore[no-untyped-def]
    from pipeline.relevance import judge
    from veille.core.models import Document

    config = load_pipeline(None).relevance
    sheet = Article(url="https://hcp.ma/t.xlsx", source="hcp", title="Tableau 7", text="", kind="document",
                    document=Document("xlsx", "0" * 64, 10))  # fmt: skip
    assert judge(sheet, lexicon, config) == (None, None)  # too short to tell its language: kept
    report = Article(url="https://hcp.ma/r.pdf", source="hcp", title=OFF_TOPIC.title, text=OFF_TOPIC.text,
                     kind="document", document=Document("pdf", "1" * 64, 10))  # fmt: skip
    assert judge(report, lexicon, config) == (None, None) and report.relevance < lexicon.threshold
    assert judge(_article(OFF_TOPIC.title, OFF_TOPIC.text), lexicon, config)[0] == "off-topic"
    english = Article(url="https://x/r.pdf", source="x", title="Report", text=ENGLISH, kind="document")
    assert judge(english, lexicon, config)[0] == "language:en"  # another language still goes
