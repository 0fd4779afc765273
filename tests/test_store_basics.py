from __future__ import annotations

from veille.archive.store import Store
from veille.core.models import Analysis, Figure, Mention, Organisation


def test_upsert_is_idempotent_and_analysis_replaced(any_store: Store) -> None:
    from veille.core.models import Article

    a = Article(
        url="http://example.test/a", source="demo", title="Titre", text="Un texte de 10 milliards de DH."
    )
    first = any_store.upsert_article(a)
    second = any_store.upsert_article(a)
    assert first == (first[0], True)
    assert second == (first[0], False)
    assert any_store.count_articles() == 1
    fig = Figure(text="10 milliards de DH", start=13, end=31, value=1e10, unit="MAD")
    org = Organisation(
        name="Agence de développement du digital", aliases=("ADD",), mentions=(Mention(0, 3, "ADD"),)
    )
    any_store.save_analysis(first[0], Analysis(figures=(fig,), organisations=(org,)), "v1")
    any_store.save_analysis(first[0], Analysis(figures=(fig,), organisations=(org,)), "v1")
    assert any_store.pending_extraction("v1") == []
    assert any_store.pending_extraction("v2") == [first[0]]
