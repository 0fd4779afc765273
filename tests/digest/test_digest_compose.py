"""Composing the week: ranking, syndication, summaries, key figures, organisations, filters."""

from __future__ import annotations

from datetime import date

import pytest

from digest.compose import PeriodError, compose, latest_week_with_articles, parse_period
from digest.review import build_draft, update_selection
from digest.summary import split_sentences, summarize
from tests.digest.conftest import PREVIOUS, WEEK, Archive
from veille.archive.digests import digest_of
from veille.archive.store import Store
from veille.core.conf.digest import DigestConfig


def test_periods_and_french_labels() -> None:
    w48 = parse_period("2026-W48")
    assert (w48.start, w48.end) == (date(2026, 11, 23), date(2026, 11, 29))
    assert w48.label == "semaine 48 (23–29 novembre 2026)"
    assert w48.previous().id == PREVIOUS
    assert parse_period("2026-W49").label == "semaine 49 (30 novembre – 6 décembre 2026)"
    assert parse_period("2026-W53").label == "semaine 53 (28 décembre 2026 – 3 janvier 2027)"
    window = parse_period("2026-11-01..2026-11-07")
    assert window.label == "du 1er au 7 novembre 2026" and window.previous().id == "2026-10-25..2026-10-31"
    for bad in ("2026-48", "2025-W53", "2026-11-07..2026-11-01"):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_stories_ranked_collapsed_and_grouped(store: Store, archive: Archive, config: DigestConfig) -> None:
    d = compose(store, config, WEEK)
    ids = [s.article_id for s in d.stories]
    assert archive.ids["derby"] not in ids  # not sector news (relevance below threshold)
    assert archive.ids["apebi"] not in ids  # the week before
    assert not {archive.ids[f"webhelp-copy{i}"] for i in range(3)} & set(ids)  # copies collapsed
    top = d.sections[0].stories[0]
    assert top.article_id == archive.ids["webhelp"] and top.syndication_note == "repris par 3 autres sources"
    assert [s.label for s in d.sections] == [
        "Offshoring et externalisation", "Emploi et formation", "Investissements et zones", "Concurrence internationale",
    ]  # fmt: skip
    assert d.subject == "Veille offshoring — semaine 48 (23–29 novembre 2026)"
    assert (d.totals.articles, d.totals.previous_articles) == (8, 1)


def test_summary_picks_informative_sentences_in_order() -> None:
    text = (
        "Le groupe Webhelp a annoncé la création de 2 500 emplois sur son site de Casanearshore d'ici fin 2027. "
        "La météo était clémente lors de la cérémonie. Il faisait beau.\n"
        "Les exportations de l'offshoring ont atteint 18,5 MMDH en 2025, en hausse de 9 %."
    )
    summary = summarize(text)
    assert summary.startswith("Le groupe Webhelp") and summary.endswith("hausse de 9 %.")
    assert "météo" not in summary
    assert split_sentences("M. Alami a parlé. Fin.\nBilan du PAI.") == [
        "M. Alami a parlé.",
        "Fin.",
        "Bilan du PAI.",
    ]


def test_summary_does_not_repeat_its_lead() -> None:
    """The lead is often the text's first sentence, cut short ("…") or without its full stop."""
    text = (
        "Le groupe Webhelp va créer 2 500 emplois à Casanearshore d'ici fin 2027, selon son directeur. "
        "L'opérateur recrutera des téléconseillers et des développeurs pour ses clients francophones.\n\n"
        "La météo était clémente."
    )
    for lead in ("Le groupe Webhelp va créer 2 500 emplois à Casanearshore…",
                 "Le groupe Webhelp va créer 2 500 emplois à Casanearshore d'ici fin 2027, selon son directeur",
                 "Le groupe Webhelp va créer 2 500 emplois à Casanearshore d'ici fin 2027, selon son directeur."):  # fmt: skip
        summary = summarize(text, lead)
        assert summary.count("Casanearshore") == 1, summary
        assert summary.startswith("Le groupe Webhelp va créer 2 500 emplois à Casanearshore d'ici fin 2027")


def test_key_figures_ranked_deduplicated_and_linked(
    store: Store, archive: Archive, config: DigestConfig
) -> None:
    d = compose(store, config, WEEK)
    first = d.figures[0]
    assert first.formatted == "18,5\u00a0milliards\u00a0DH" and first.metric == "recettes d'exportation"
    assert first.period == "2025" and first.organisations == ("Office des changes",)
    assert first.url.startswith("https://leseco.test/export#:~:text=Les%20recettes%20d%27exportation%20de,")
    jobs = [f for f in d.figures if f.unit == "jobs"]
    assert len(jobs) == 1  # the same 2 500 jobs in four copies is one figure
    assert d.totals.figures == 8 and d.totals.previous_figures == 1


def test_organisations_with_week_over_week_change(
    store: Store, archive: Archive, config: DigestConfig
) -> None:
    d = compose(store, config, WEEK)
    orgs = {o.name: o for o in d.organisations}
    assert "Raja" not in orgs  # only in an off-topic article
    webhelp = orgs["Webhelp"]
    assert (webhelp.mentions, webhelp.articles, webhelp.previous, webhelp.change_label) == (3, 2, 1, "+2")
    assert orgs["Office des changes"].change_label == "nouveau"
    assert d.organisations[0].name == "Webhelp"


def test_subscriber_filters_shape_the_digest(store: Store, archive: Archive, config: DigestConfig) -> None:
    emploi = compose(store, config, WEEK, themes=["emploi"])
    assert {s.article_id for s in emploi.stories} == {archive.ids["webhelp"], archive.ids["add"]}
    assert {s.theme for s in emploi.stories} == {"emploi"}
    assert {f.unit for f in emploi.figures} == {"jobs", "count"}
    by_org = compose(store, config, WEEK, orgs=["office des changes"])
    assert [s.article_id for s in by_org.stories] == [archive.ids["export"]]
    by_acronym = compose(store, config, WEEK, orgs=["ADD"])
    assert [s.article_id for s in by_acronym.stories] == [archive.ids["add"]]
    assert any(o.followed for o in by_acronym.organisations)


def test_pinned_and_excluded_from_the_review(store: Store, archive: Archive, config: DigestConfig) -> None:
    update_selection(store, WEEK, pin=[archive.ids["fes"]], exclude=[archive.ids["webhelp-copy1"]])
    draft, d = build_draft(store, config, WEEK)
    assert draft.pinned == (archive.ids["fes"],) and draft.status == "draft"
    fes = next(s for s in d.stories if s.article_id == archive.ids["fes"])
    assert (
        fes.pinned and d.sections[[sec.theme for sec in d.sections].index("investissement")].stories[0] == fes
    )
    # excluding one copy removes the whole story, its figures and its mentions
    assert archive.ids["webhelp"] not in {s.article_id for s in d.stories}
    assert all(f.unit != "jobs" for f in d.figures)
    assert "Casanearshore" not in {o.name for o in d.organisations}
    assert draft.text and "Fès Shore" in draft.text and digest_of(store, WEEK) is not None


def test_empty_week_and_latest_week(store: Store, config: DigestConfig, archive: Archive) -> None:
    empty = compose(store, config, "2026-W30")
    assert empty.empty and empty.sections == () and empty.figures == ()
    assert latest_week_with_articles(store) == WEEK


def test_latest_week_of_an_empty_archive(store: Store) -> None:
    assert latest_week_with_articles(store) is None


def test_key_figures_spread_over_stories_and_units(store: Store, config: DigestConfig) -> None:
    """One figure-heavy article cannot fill "Chiffres clés" on its own."""
    from tests.digest.conftest import _fig, at
    from veille.core.models import Analysis, Article

    heavy = " ".join(f"Le poste {i} pèse {i + 10} milliards de DH." for i in range(6))
    other = "Le secteur a créé 5 000 emplois. Le taux d'encadrement atteint 12 %."
    ids = []
    for n, text in enumerate((heavy, other)):
        art = Article(url=f"https://x.test/{n}", source="x", title=f"Offshoring {n}", text=text,
                      published=at(24 + n), relevance=0.9, themes=["offshoring"])  # fmt: skip
        ids.append(store.upsert_article(art)[0])
    figs = [_fig(f"{i + 10} milliards de DH", f"Le poste {i} pèse {i + 10} milliards de DH.", (i + 10) * 1e9, "MAD",
                 metric=f"poste {i}") for i in range(6)]  # fmt: skip
    store.save_analysis(ids[0], Analysis(figures=tuple(figs)), "test")
    store.save_analysis(ids[1], Analysis(figures=(
        _fig("5 000 emplois", "Le secteur a créé 5 000 emplois.", 5000, "jobs", metric="emplois créés"),
        _fig("12 %", "Le taux d'encadrement atteint 12 %.", 12, "percent", metric="taux d'encadrement"),
    )), "test")  # fmt: skip
    d = compose(store, config, WEEK)
    from_heavy = [f for f in d.figures if f.article_id == ids[0]]
    assert len(from_heavy) == 2
    assert {f.unit for f in d.figures} >= {"MAD", "jobs", "percent"}


def test_key_figures_never_present_a_target_as_a_result(store: Store, config: DigestConfig) -> None:
    """Issue 14: "l'objectif … 3.000 startups à l'horizon 2030" headed Chiffres clés like a result.
    Realised figures now come first, whatever their size, and the others say what they are."""
    from digest.message import MessageBuilder
    from tests.digest.conftest import _fig, at, make_subscribers
    from veille.core.models import Analysis, Article

    target = "L'objectif est de créer 3 000 startups à l'horizon 2030, soit 30 milliards de DH investis."
    forecast = "Le marché devrait atteindre 12 milliards de DH en 2027."
    actual = "Le secteur a réalisé 2 milliards de DH de chiffre d'affaires en 2025."
    ids = []
    for n, text in enumerate((target, forecast, actual)):
        art = Article(url=f"https://y.test/{n}", source="y", title=f"Offshoring {n}", text=text,
                      published=at(24 + n), relevance=0.9, themes=["offshoring"])  # fmt: skip
        ids.append(store.upsert_article(art)[0])
    analyses = [
        (_fig("3 000 startups", target, 3000, "count", metric="startups", period="2030", status="target",
              indicator="entreprises"),
         _fig("30 milliards de DH", target, 3e10, "MAD", metric="investissements", period="2030",
              status="target", indicator="investissement")),
        (_fig("12 milliards de DH", forecast, 1.2e10, "MAD", metric="marché", period="2027", status="forecast",
              indicator="taille_marche"),),
        (_fig("2 milliards de DH", actual, 2e9, "MAD", metric="chiffre d'affaires", period="2025",
              indicator="chiffre_affaires"),),
    ]  # fmt: skip
    for aid, figs in zip(ids, analyses, strict=True):
        store.save_analysis(aid, Analysis(figures=figs), "test")
    d = compose(store, config, WEEK)
    assert [(f.formatted.replace("\u00a0", " "), f.status) for f in d.figures] == [
        ("2 milliards DH", "actual"),  # the smallest amount, but the only result: first
        ("30 milliards DH", "target"),
        ("12 milliards DH", "forecast"),
        ("3 000", "target"),
    ]
    assert [f.status_label for f in d.figures] == ["", "Objectif", "Prévision", "Objectif"]
    msg = MessageBuilder(config).build(d, make_subscribers(store, 1)[0])
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "* 2 milliards DH — chiffre d'affaires (2025)" in text.replace("\u00a0", " ")
    assert "* Objectif : 30 milliards DH — investissements (2030)" in text.replace("\u00a0", " ")
    assert "* Prévision : 12 milliards DH — marché (2027)" in text.replace("\u00a0", " ")
    import re

    labelled = re.findall(r'<span class="status"[^>]*>([^<]+)</span> <span class="value"[^>]*>([^<]+)<', html)
    assert labelled == [("Objectif :", "30&nbsp;milliards&nbsp;DH"), ("Prévision :", "12&nbsp;milliards&nbsp;DH"),
                        ("Objectif :", "3&nbsp;000")]  # fmt: skip
    assert re.search(r"Chiffres clés</h2>\s*<div[^>]*>\s*<span class=\"value\"[^>]*>2&nbsp;milliards", html)
