"""Pure pieces: span highlighting, the SVG chart, parameter parsing."""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams

from veille.web.charts import fill_weeks, weekly_bars
from veille.web.errors import BadRequest
from veille.web.highlight import Span, highlight
from veille.web.params import figure_params, search_params


def test_highlight_escapes_everything_but_its_own_tags() -> None:
    text = "a <b>1 000 DH</b> & c"
    html = highlight(text, [Span(3, 15, "mark", (("class", "chiffre"),), 1, "f1")])
    assert str(html) == 'a &lt;<mark id="f1" class="chiffre">b&gt;1 000 DH&lt;/</mark>b&gt; &amp; c'


def test_highlight_nests_and_splits_overlapping_spans() -> None:
    text = "Une phrase. Une autre."
    sentence = Span(0, 11, "span", (("class", "phrase"),), 0, "s0")
    crossing = Span(4, 15, "mark", (), 2, "m")
    html = str(highlight(text, [crossing, sentence]))
    assert html == (
        '<span id="s0" class="phrase">Une <mark id="m">phrase.</mark></span><mark> Une</mark> autre.'
    )


def test_highlight_ignores_out_of_range_spans() -> None:
    assert str(highlight("abc", [Span(2, 10, "mark"), Span(2, 2, "mark"), Span(-1, 1, "mark")])) == "abc"


def test_weekly_chart_fills_missing_weeks_and_titles_bars() -> None:
    assert fill_weeks([("2025-W01", 2), ("2025-W03", 1)]) == [
        ("2025-W01", 2),
        ("2025-W02", 0),
        ("2025-W03", 1),
    ]
    svg = str(weekly_bars([("2025-W01", 2), ("2025-W03", 1)], title="Mentions <x>"))
    assert svg.startswith("<svg") and svg.count("<rect") == 3
    assert "2025-W01 : 2 mentions" in svg and "2025-W02 : 0 mention" in svg
    assert "Mentions &lt;x&gt;" in svg and "style=" not in svg
    assert str(weekly_bars([], title="x")) == ""
    assert fill_weeks([("n'importe", 3)]) == []


def test_search_params_parse_forms() -> None:
    p = search_params(
        QueryParams("q=emploi&since=&until=2025-03-31&source=a&source=b&min_value=1+000%2C5&page=2")
    )
    assert p.text == "emploi" and p.since is None and str(p.until) == "2025-03-31"
    assert p.sources == ("a", "b") and p.min_value == 1000.5 and p.page == 2
    q = p.query()
    assert q.offset == 20 and q.order == "relevance" and q.one_per_cluster
    assert search_params(QueryParams("")).order == "date"
    with pytest.raises(BadRequest):
        search_params(QueryParams("page=100000"))


def test_figure_params_parse_forms() -> None:
    p = figure_params(QueryParams("unit=MAD&per_page=25&page=3&order=value"))
    q = p.query()
    assert (q.unit, q.limit, q.offset, q.order) == ("MAD", 25, 50, "value")
    with pytest.raises(BadRequest):
        figure_params(QueryParams("order=random"))
