"""The analysts' corrections: stored apart, laid over the figure rows at once and after every
extraction, seen by search, exports, the digest and the indicator series, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.figures import key_figures
from digest.queries import figures as digest_figures
from tests.web.archive import fig, org
from veille.archive import corrections as corr
from veille.archive import org_edits
from veille.archive.accounts import Account, add_account
from veille.archive.digests import ArticleRow
from veille.archive.indicators import SeriesQuery, citations, series
from veille.archive.search import FigureQuery, figures, iter_figures
from veille.archive.store import Store
from veille.core.config import Settings
from veille.core.corrections import CorrectionError, read_fields
from veille.core.models import Analysis, Article
from veille.core.taxonomy import load_taxonomy
from veille.exports import FigureExport

TEXT = (
    "Le secteur a réalisé 18 milliards de DH à l'export en 2024, selon l'Agence de développement du digital. "
    "Il emploie 130 000 personnes. Le groupe a ouvert 12 sites au Maroc."
)


def _analysis() -> Analysis:
    add_org = org(
        TEXT, "Agence de développement du digital", "Agence de développement du digital", kind="agency"
    )
    return Analysis(
        figures=(
            fig(TEXT, "18 milliards de DH", 1.8e10, "MAD", period="2024", indicator="exportations",
                organisations=("Agence de développement du digital",)),
            fig(TEXT, "130 000 personnes", 130000, "jobs", period="2024", indicator="effectif"),
        ),
        organisations=(add_org,),
    )  # fmt: skip


def _article(store: Store) -> int:
    a = Article(url="https://ex.ma/a", source="medias24", title="Export", text=TEXT,
                published=datetime(2025, 1, 14, 9, tzinfo=UTC))  # fmt: skip
    aid, _ = store.upsert_article(a)
    store.save_analysis(aid, _analysis(), "v1")
    return aid


def _analyst(store: Store, email: str = "nadia@example.ma") -> Account:
    return add_account(store, email, role="analyste", password="analyse-2026-longue")


def _fields(**kw: str) -> dict[str, str]:
    base = {
        "value": "20 000 000 000",
        "unit": "MAD",
        "period": "2024",
        "indicator": "exportations",
        "status": "actual",
    }
    return {**base, **kw}


def test_correction_survives_reextraction_and_every_reader_sees_it(
    any_store: Store, settings: Settings
) -> None:
    aid, who = _article(any_store), _analyst(any_store)
    tax = load_taxonomy()
    s18 = TEXT.index("18 milliards de DH")
    s130 = TEXT.index("130 000 personnes")
    edit = read_fields(_fields(organisations="Agence de développement du digital"), tax)
    corr.correct(any_store, aid, s18, s18 + 18, "correct", edit, who, based_on=0)
    corr.correct(any_store, aid, s130, s130 + 17, "reject", None, who, based_on=0)
    s12 = TEXT.index("12 sites")
    corr.add(
        any_store,
        aid,
        s12,
        s12 + 8,
        read_fields(_fields(value="12", unit="count", indicator="sites"), tax),
        who,
    )

    any_store.save_analysis(aid, _analysis(), "v2")  # veille extract --all: the extractor's output again

    rows = figures(any_store, FigureQuery(copies=True)).rows
    assert sorted((r.text, r.value, r.review) for r in rows) == [
        ("12 sites", 12.0, "added"), ("18 milliards de DH", 2e10, "corrected"),
    ]  # fmt: skip
    corrected = next(r for r in rows if r.review == "corrected")
    assert corrected.reviewed_by == "nadia@example.ma" and corrected.organisations == [
        "Agence de développement du digital"
    ]
    assert (
        figures(any_store, FigureQuery(org="Agence de développement du digital")).total == 1
    )  # figure_orgs kept
    csv = "".join(
        FigureExport("http://veille.test").csv_chunks(iter_figures(any_store, FigureQuery(copies=True)))
    )
    assert "20000000000" in csv and "130000" not in csv
    digest_rows = digest_figures(any_store, [aid])
    by_id = {aid: ArticleRow(id=aid, title="Export", url="https://ex.ma/a", source="medias24", published=None,
                             lead=None, text=TEXT, relevance=1.0, cluster=aid, themes=[], partial=False)}  # fmt: skip
    assert {k.value for k in key_figures(digest_rows, by_id, 5)} == {2e10, 12.0}
    query = SeriesQuery(indicator="exportations")
    assert [c.value for c in citations(any_store, query, settings.series_rule)] == [2e10]
    assert [(p.period, p.value) for p in series(any_store, query, settings.series_rule)] == [("2024", 2e10)]
    assert [c.action for c in corr.history(any_store, article_id=aid)] == ["add", "reject", "correct"]
    assert corr.stale(any_store) == []


def test_concurrent_correction_is_refused_with_the_earlier_change(any_store: Store) -> None:
    aid = _article(any_store)
    first, second = _analyst(any_store), _analyst(any_store, "karim@example.ma")
    s18 = TEXT.index("18 milliards de DH")
    state = corr.figure_state(any_store, aid, s18, s18 + 18)
    assert state is not None and state.version == 0
    fields = read_fields(_fields(), load_taxonomy())
    corr.correct(any_store, aid, s18, s18 + 18, "correct", fields, first, based_on=state.version)
    with pytest.raises(corr.Conflict) as err:  # the second analyst's form was shown on version 0
        corr.correct(any_store, aid, s18, s18 + 18, "confirm", None, second, based_on=state.version)
    assert err.value.latest.account == "nadia@example.ma" and err.value.latest.after["value"] == 2e10
    # seen and confirmed: sent again on the version it now has
    corr.correct(any_store, aid, s18, s18 + 18, "confirm", None, second, based_on=err.value.latest.version)
    now = corr.figure_state(any_store, aid, s18, s18 + 18)
    assert now is not None and now.version == 2 and now.reviewed_by == "karim@example.ma"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"unit": "kg"}, "l'unité « kg » est inconnue"),
        ({"unit": "jobs", "value": "-5", "indicator": "effectif"}, "ne peut pas être négative"),
        ({"unit": "jobs"}, "l'indicateur « Exportations » se mesure en"),
        ({"period": "l'an dernier"}, "la période"),
    ],
)
def test_bad_values_are_refused_with_one_message(change: dict[str, str], said: str) -> None:
    with pytest.raises(CorrectionError) as err:
        read_fields(_fields(**change), load_taxonomy())
    assert said in str(err.value) and "\n" not in str(err.value)


def test_verified_article_confirms_its_figures_and_stale_corrections_are_listed(store: Store) -> None:
    aid, who = _article(store), _analyst(store)
    assert corr.mark_verified(store, aid, who) == 2
    assert corr.review_of(store, aid) is not None
    assert {r.review for r in figures(store, FigureQuery(copies=True)).rows} == {"confirmed"}
    # the text changes (an article completed in place): the corrections are kept, listed, not applied
    store.upsert_article(
        Article(url="https://ex.ma/a", source="medias24", title="Export", text="Autre texte. " + TEXT)
    )
    store.save_analysis(aid, Analysis(), "v2")
    assert len(corr.stale(store)) == 2 and figures(store, FigureQuery(copies=True)).total == 0


def test_merge_and_split_apply_at_once_and_at_reextraction(any_store: Store) -> None:
    text = "La CDG investit 40 millions de DH. CDG Capital lève 200 millions de DH. La CDG recrute."
    cdg = org(text, "Caisse de dépôt et de gestion", "CDG", kind="public_body")
    dg = org(text, "CDG Invest", "CDG Invest", kind="company")
    analysis = Analysis(
        figures=(fig(text, "40 millions de DH", 4e7, "MAD", organisations=("Caisse de dépôt et de gestion",)),
                 fig(text, "200 millions de DH", 2e8, "MAD", organisations=("Caisse de dépôt et de gestion",))),
        organisations=(cdg, dg),
    )  # fmt: skip
    aid, _ = any_store.upsert_article(Article(url="https://ex.ma/cdg", source="s", title="CDG", text=text))
    any_store.save_analysis(aid, analysis, "v1")
    who = _analyst(any_store)
    second = text.index("CDG Capital")  # "CDG" of "CDG Capital" was read as the Caisse: it is CDG Capital
    org_edits.split(any_store, "CDG", "CDG Capital", [(aid, second, second + 3)], who, kind="company")
    with pytest.raises(CorrectionError):
        org_edits.merge(any_store, "CDG Invest", "Inconnue SA", who)
    for _ in range(2):  # at once, then after re-extraction
        rows = {r.text: r.organisations for r in figures(any_store, FigureQuery(copies=True)).rows}
        assert rows == {
            "40 millions de DH": ["Caisse de dépôt et de gestion"],
            "200 millions de DH": ["CDG Capital"],
        }
        any_store.save_analysis(aid, analysis, "v2")
    org_edits.merge(any_store, "CDG Capital", "CDG Invest", who)
    any_store.save_analysis(aid, analysis, "v3")
    rows = {r.text: r.organisations for r in figures(any_store, FigureQuery(copies=True)).rows}
    assert rows["200 millions de DH"] == ["CDG Invest"]
    assert figures(any_store, FigureQuery(org="CDG Invest")).total == 1
    assert [e.action for e in org_edits.edits(any_store)] == ["split", "merge"]


def test_migration_0020_up_and_down(any_store: Store) -> None:
    """Down to 0018 the corrections' tables and the figures' review columns go; up again they
    come back, the extractor's figures kept."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from veille.archive.database import MIGRATIONS

    aid = _article(any_store)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with any_store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0018")
    assert "corrections" not in inspect(any_store.engine).get_table_names()
    any_store.migrate()
    assert {"corrections", "article_reviews", "org_edits"} <= set(inspect(any_store.engine).get_table_names())
    assert "review" in {c["name"] for c in inspect(any_store.engine).get_columns("figures")}
    assert figures(any_store, FigureQuery(article_id=aid, copies=True)).total == 2


STORY = "Selon l'AMRC, les centres de relation client ont exporté 9 milliards de DH en 2023."
REWRITTEN = "Les centres de relation client auraient exporté 9 milliards de DH en 2022, selon l'AMRC."


def test_a_correction_made_on_one_copy_shows_on_every_copy_of_the_story(
    any_store: Store, settings: Settings
) -> None:
    """Analysts correct a syndicated story once: the same figure (same sentence, same words) of
    every other copy shows it, now, at re-extraction and on a copy arriving later; a copy that
    rewrote the sentence, and the same sentence in another story, keep their own figure; the
    latest word wins whichever copy it was said on."""
    from tests.store.series_archive import article, exports

    nine = [exports(9e9, "2023", "9 milliards de DH")]
    first = article(any_store, "a", "medias24", "2024-02-01", STORY, nine)
    lead = "Casablanca. " + STORY  # a copy with a dateline before the story: other offsets
    copy = article(any_store, "b", "lematin", "2024-02-01", lead, nine, cluster=first, sentence=STORY)
    nine_2022 = [exports(9e9, "2022", "9 milliards de DH")]
    other = article(any_store, "c", "hespress", "2024-02-02", REWRITTEN, nine_2022, cluster=first)
    alone = article(any_store, "d", "le360", "2024-01-15", STORY, nine)  # the same words, another story
    who = _analyst(any_store)
    at = lead.index("9 milliards de DH")
    edit = read_fields(_fields(value="9 500 000 000", period="2023"), load_taxonomy())
    corr.correct(any_store, copy, at, at + 17, "correct", edit, who, based_on=0)

    def rows() -> dict[int, list[tuple[float, str | None]]]:
        found = figures(any_store, FigureQuery(copies=True, limit=100)).rows
        out: dict[int, list[tuple[float, str | None]]] = {}
        for f in found:
            out.setdefault(f.article_id, []).append((f.value, f.review))
        return out

    assert rows() == {first: [(9.5e9, "corrected")], copy: [(9.5e9, "corrected")],
                      other: [(9e9, None)], alone: [(9e9, None)]}  # fmt: skip
    # re-extracted, the story's first copy keeps it; a copy arriving later shows it at once
    article(any_store, "a", "medias24", "2024-02-01", STORY, nine)
    late = article(any_store, "e", "leseco", "2024-02-03", STORY, nine, cluster=first)
    assert rows()[first] == rows()[late] == [(9.5e9, "corrected")]
    # the series count the story once, with the corrected value
    (p,) = series(any_store, SeriesQuery(indicator="exportations", period="2023", scope="Maroc"),
                  settings.series_rule)  # fmt: skip
    assert [(v.value, v.stories, v.citations) for v in p.values] == [(9.5e9, 1, 3), (9e9, 1, 1)]
    assert (p.value, p.rule, p.stories, p.citations_count) == (9.5e9, "most_recent", 2, 4)
    # a later word on another copy wins on every copy: rejected there, gone everywhere
    s = STORY.index("9 milliards de DH")
    corr.correct(any_store, late, s, s + 17, "reject", None, who, based_on=0)
    assert sorted(rows()) == sorted([other, alone])
    assert [c.article_id for c in corr.history(any_store)] == [late, copy]  # said once each, on its copy
