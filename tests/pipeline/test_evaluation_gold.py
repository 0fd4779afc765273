"""The gold-set reader both quality gates use: clear errors, never a traceback from JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.evaluation import Counts, GoldError, entities, figures, gold_pairs


def _article(d: Path, stem: str, text: str, annotations: str | None) -> None:
    (d / f"{stem}.txt").write_text(text, encoding="utf-8")
    if annotations is not None:
        (d / f"{stem}.json").write_text(annotations, encoding="utf-8")


def test_pairs_come_in_name_order_and_can_be_picked(tmp_path: Path) -> None:
    _article(tmp_path, "02-b", "Deuxième texte.", '{"figures": []}')
    _article(tmp_path, "01-a", "Premier texte.", "[]")
    assert [(s, t) for s, t, _ in gold_pairs(tmp_path)] == [
        ("01-a", "Premier texte."),
        ("02-b", "Deuxième texte."),
    ]
    assert [s for s, _, _ in gold_pairs(tmp_path, {"02"})] == ["02-b"]


@pytest.mark.parametrize(
    ("annotations", "message"),
    [(None, "no annotation file 01-a.json"), ("{pas du json", "01-a.json")],
)
def test_a_missing_or_broken_annotation_file_is_named(
    tmp_path: Path, annotations: str | None, message: str
) -> None:
    _article(tmp_path, "01-a", "Texte.", annotations)
    with pytest.raises(GoldError, match=message):
        figures.load_gold(tmp_path)
    with pytest.raises(GoldError, match=message):
        entities.load_gold(tmp_path)


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GoldError, match="no gold articles"):
        list(gold_pairs(tmp_path))


def test_entities_main_reports_a_broken_gold_set_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _article(tmp_path, "01-a", "Texte.", "{pas du json")
    assert entities.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("gold error:") and "01-a.json" in err and "\n" not in err


def test_counts_measures() -> None:
    c = Counts(tp=8, fp=2, fn=8)
    assert (c.precision, c.recall) == (0.8, 0.5)
    assert c.f1 == pytest.approx(2 * 0.8 * 0.5 / 1.3)
    assert (Counts().precision, Counts().recall, Counts(fp=1, fn=1).f1) == (1.0, 1.0, 0.0)
