"""The assembled pipeline: order, analysis, batches across processes, bad input, long texts."""

from __future__ import annotations

import pytest

import pipeline.nlp as nlp_module
from pipeline.nlp import EXTRACTOR_VERSION, analysis_from_doc, analyze, analyze_many, build_nlp, split_text
from tests.pipeline.nlp_fixture import entities_nlp, nlp  # noqa: F401
from veille.core.models import Analysis

TEXT = (
    "L'Agence de développement du digital (ADD) et Intelcia ont signé un accord de 120 MDH à Rabat.\n"
    "Selon Karim Bennani, DG de Medz Sourcing, le parc Fès Shore affiche complet.\n\n"
    "Le directeur général de l'AMDIE, Youssef Tazi, a salué le Plan d'accélération industrielle (PAI)."
)


def _check_offsets(text: str, analysis: Analysis) -> None:
    for org in analysis.organisations:
        for m in org.mentions:
            assert text[m.start : m.end] == m.text
    for person in analysis.persons:
        for m in person.mentions:
            assert text[m.start : m.end] == m.text
    for f in analysis.figures:
        assert text[f.start : f.end] == f.text


def test_pipeline_order(nlp) -> None:
    names = nlp.pipe_names
    assert names.index("veille_paragraphs") < names.index("parser")
    assert (
        names.index("ner")
        < names.index("veille_acronyms")
        < names.index("veille_orgs")
        < names.index("veille_persons")
    )
    if "veille_figures" in names:  # then the scope reader, which needs figures and organisations
        assert names[-2:] == ["veille_figures", "veille_scopes"]
    assert build_nlp() is nlp  # loaded once per process
    assert isinstance(EXTRACTOR_VERSION, str) and EXTRACTOR_VERSION


def test_analyze(nlp) -> None:
    a = analyze(TEXT, nlp=nlp)
    names = {o.name for o in a.organisations}
    assert {"Agence de développement du digital", "Intelcia", "Medz Sourcing"} <= names
    assert "Fès Shore" not in names  # business parks are places, not organisations
    assert not names & {"PAI", "MDH", "Plan d'accélération industrielle"}
    assert {p.name for p in a.persons} == {"Karim Bennani", "Youssef Tazi"}
    _check_offsets(TEXT, a)
    for f in a.figures:  # present only when veille_figures is installed
        sentence_orgs = {
            o.name
            for o in a.organisations
            if any(f.sentence_start <= m.start < f.sentence_end for m in o.mentions)
        }
        assert set(f.organisations) == sentence_orgs


def test_analysis_from_doc_matches_analyze(nlp) -> None:
    assert analysis_from_doc(nlp(TEXT)) == analyze(TEXT, nlp=nlp)


def test_to_dict_shape(nlp) -> None:
    d = analyze(TEXT, nlp=nlp).to_dict()
    assert set(d) == {"figures", "organisations", "persons"}
    assert set(d["organisations"][0]) == {"name", "aliases", "mentions"}
    assert set(d["persons"][0]) == {"name", "role", "organisation"}


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n  ", "\x00\x01\x02 \x7f\x1b[31m junk \ufffd\ufffe", "مرحبا بكم في الدار البيضاء، العاصمة الاقتصادية للمغرب.",
     "\n".join(["ligne"] * 200), "a" * 5000, "(((((((( ADD ))))))) (X) (ADD (", "DH DH MDH MMDH PAI"],
)  # fmt: skip
def test_bad_input_does_not_crash(entities_nlp, text) -> None:
    a = analyze(text, nlp=entities_nlp)
    assert isinstance(a, Analysis)
    _check_offsets(text, a)


def test_empty_text_gives_empty_analysis() -> None:
    assert analyze("") == Analysis()  # no model load needed
    assert list(analyze_many(["", " "])) == [Analysis(), Analysis()]


def test_foreign_languages_give_little(entities_nlp) -> None:
    arabic = analyze("أعلنت الوكالة عن برنامج جديد لدعم الشركات الناشئة في الدار البيضاء.", nlp=entities_nlp)
    assert arabic.organisations == () and arabic.persons == ()
    english = analyze("The company said revenue grew strongly last year in every market.", nlp=entities_nlp)
    assert len(english.organisations) + len(english.persons) <= 1


def test_analyze_many_keeps_order_and_empties(entities_nlp) -> None:
    texts = [TEXT, "", "Majorel recrute à Casanearshore.", "  "]
    out = list(analyze_many(texts, nlp=entities_nlp, batch_size=2))
    assert len(out) == 4
    assert out[0] == analyze(TEXT, nlp=entities_nlp)
    assert out[1] == Analysis() == out[3]
    assert {o.name for o in out[2].organisations} == {"Majorel"}  # Casanearshore is a place


def test_analyze_many_two_processes(nlp) -> None:
    texts = [
        TEXT,
        "Majorel recrute à Casanearshore.",
        "",
        "Le directeur général de l'AMDIE, Youssef Tazi, parle.",
    ] * 2
    single = list(analyze_many(texts, nlp=nlp))
    multi = list(analyze_many(texts, nlp=nlp, n_process=2, batch_size=2))
    assert multi == single
    assert multi[0].organisations and multi[0].persons


def test_split_text_covers_text_at_paragraphs() -> None:
    text = ("Un paragraphe de texte assez long pour couper.\n\n" * 50) + "x" * 300
    pieces = list(split_text(text, 200))
    assert "".join(p for _, p in pieces) == text
    for offset, piece in pieces:
        assert text[offset : offset + len(piece)] == piece
        assert len(piece) <= 200
    assert all(p.endswith("\n") for _, p in pieces[:-2])


def test_long_text_is_chunked_with_offsets(entities_nlp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp_module, "CHUNK_CHARS", 400)
    text = "\n\n".join([TEXT] * 6)
    a = analyze(text, nlp=entities_nlp)
    _check_offsets(text, a)
    add = next(o for o in a.organisations if o.name == "Agence de développement du digital")
    assert len(add.mentions) == 12  # long form + acronym, six times
    assert len({o.name for o in a.organisations}) == len(a.organisations)
    bennani = next(p for p in a.persons if p.name == "Karim Bennani")
    assert len(bennani.mentions) == 6


def test_five_megabytes_in_chunks() -> None:
    """5 MB through the entity components on a blank tokenizer (the parser would take minutes)."""
    import spacy

    light = spacy.blank("fr")
    light.add_pipe("veille_acronyms")
    light.add_pipe("veille_orgs")
    light.add_pipe("veille_persons")
    filler = ("abcdefghij" * 100 + " ") * 50  # long tokens keep the test fast
    text = (
        "Intelcia recrute à Casanearshore avec l'ADD. " + filler + "\n\n"
    ) * 100 + "Fin du texte avec Majorel."
    assert len(text) > 5_000_000 > light.max_length
    a = analyze(text, nlp=light)
    _check_offsets(text, a)
    names = {o.name: o for o in a.organisations}
    assert {"Intelcia", "Majorel", "Agence de développement du digital"} == set(names)
    assert len(names["Intelcia"].mentions) == 100
    assert names["Majorel"].mentions[0].start == len(text) - len("Majorel.")
