"""The indicator series' consolidation rule (veille/core/series.py), pure: citations in, points out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from veille.core.conf.rates import RatesFile
from veille.core.period_labels import grain, period_end, period_months, period_years
from veille.core.series import (
    Citation,
    SeriesRule,
    agrees,
    consolidate,
    consolidate_said,
)

RATES = SeriesRule(rates=RatesFile(source="test", EUR={"2018": 11.0, "2024": 10.0}, USD={"2018": 9.0}))


def _c(fid: int, value: float, *, unit: str = "MAD", period: str = "2018", story: int | None = None,
       day: int = 1, status: str = "actual", official: bool = False, **kw: object) -> Citation:  # fmt: skip
    return Citation(figure_id=fid, article_id=fid, story=story or fid, source="s", url="u", title="t",
                    published=datetime(2024, 1, day, tzinfo=UTC), sentence="", text="", value=value, unit=unit,
                    period=period, indicator="exportations", status=status, scope_kind="country", scope="Maroc",
                    official=official, **kw)  # type: ignore[arg-type]  # fmt: skip


def test_periods() -> None:
    assert period_years("2018") == (2018, 2018) and period_years("2018-Q3") == (2018, 2018)
    assert period_years("2014-2018") == (2014, 2018) and period_years("2024-H1") == (2024, 2024)
    assert period_years("fin 2018") is None
    assert period_years("2018-01..09") == (2018, 2018) and period_years("2018-09") == (2018, 2018)
    assert period_years("2018-13") is None and period_years("2018-09..13") is None
    assert [period_end(p) for p in ("2018", "2018-Q1", "2018-H1", "2018-Q4", "2014-2018", "2018-01..09", "2018-11")] == [
        (2018, 12), (2018, 3), (2018, 6), (2018, 12), (2018, 12), (2018, 9), (2018, 11),
    ]  # fmt: skip
    assert [grain(p) for p in ("2018", "2018-Q1", "2018-H2", "2014-2018", "2018-01..09", "2018-09")] == [
        "year", "quarter", "half", "span", "months", "months",
    ]  # fmt: skip
    assert [period_months(p) for p in ("2018-01..09", "2018-09", "2018", "2018-Q1")] == [
        (1, 9),
        (9, 9),
        None,
        None,
    ]


def test_nine_months_to_date_are_their_own_point_never_the_year() -> None:
    """The office's "janv.-sept. 2025" and a year's value are two points, whatever their values;
    the official nine months' figure is chosen over the press's rounding, however often cited."""
    points = consolidate(
        [_c(1, 24_000.0, period="2025"), _c(2, 18_234.5, period="2025-01..09", official=True),
         _c(3, 18_000.0, period="2025-01..09"), _c(5, 18_000.0, period="2025-01..09"),
         _c(4, 2_100.0, period="2025-09")],
        RATES,
    )  # fmt: skip
    got = [(p.period, p.grain, p.value, p.rule, p.conflict) for p in points]
    assert got == [
        ("2025", "year", 24_000.0, "only", False),
        ("2025-01..09", "months", 18_234.5, "official", False),
        ("2025-09", "months", 2_100.0, "only", False),
    ], got


def test_a_full_tie_keeps_the_smaller_value() -> None:
    (p,) = consolidate([_c(1, 12.0), _c(2, 10.0)], RATES)
    assert (p.value, p.rule) == (10.0, "tie")


def test_values_within_half_a_percent_are_one() -> None:
    (p,) = consolidate([_c(1, 100.0), _c(2, 100.4), _c(3, 101.0, day=9)], RATES)
    assert [(v.value, v.stories) for v in p.values] == [(100.0, 2), (101.0, 1)]
    assert (p.value, p.rule, p.low, p.high) == (100.0, "most_cited", 100.0, 101.0)


def test_money_in_mad_at_the_period_s_last_year_or_the_publication_year() -> None:
    points = consolidate(
        [
            _c(1, 1.0, unit="EUR", period="2014-2018"),
            _c(2, 1.0, unit="USD"),
            _c(3, 1.0, unit="EUR", period="2030"),
        ],
        RATES,
    )
    assert [(p.period, p.unit, p.value) for p in points] == [("2014-2018", "MAD", 11.0), ("2018", "MAD", 9.0),
                                                             ("2030", "MAD", 10.0)]  # fmt: skip
    assert points[2].citations[0].rate_year == 2024  # a 2030 target, published in 2024


def test_statuses_and_grains_never_mix_and_years_are_not_summed() -> None:
    points = consolidate(
        [_c(1, 10.0), _c(2, 99.0, status="target", official=True), _c(3, 2.0, period="2018-Q1"),
         _c(4, 3.0, period="2018-Q2"), _c(5, 4.0, period=None)],  # type: ignore[arg-type]
        RATES,
    )  # fmt: skip
    assert [(p.status, p.period, p.value) for p in points] == [
        ("actual", "2018", 10.0), ("actual", "2018-Q1", 2.0), ("actual", "2018-Q2", 3.0), ("target", "2018", 99.0),
    ]  # fmt: skip


def test_copies_of_one_story_count_once() -> None:
    (p,) = consolidate([_c(1, 10.0, story=7), _c(2, 10.0, story=7), _c(3, 10.0, story=7), _c(4, 11.0), _c(5, 11.0)],
                       RATES)  # fmt: skip
    assert (p.value, p.rule, p.stories, len(p.citations)) == (11.0, "most_cited", 3, 5)


@pytest.mark.parametrize(
    ("value", "range_max", "approx", "expected"),
    [
        (105.0, None, False, True),  # 5 %: not more than 5 %
        (94.9, None, False, False),
        (109.0, None, True, True),  # an approximate value: 10 %
        (111.0, None, True, False),
        (90.0, 100.0, False, True),  # a range containing the chosen value
        (100.0, 130.0, False, True),
        (101.0, 130.0, False, False),  # a range leaving it out, even by 1 %
        (80.0, 99.0, False, False),
    ],
)
def test_agreement(value: float, range_max: float | None, approx: bool, expected: bool) -> None:
    assert agrees(value, range_max, approx, 100.0, None, RATES) is expected


def test_agreement_with_a_chosen_range_and_settings() -> None:
    assert agrees(115.0, None, False, 100.0, 110.0, RATES)  # within 5 % of the range 100-110
    assert not agrees(116.0, None, False, 100.0, 110.0, RATES)
    strict = SeriesRule(rates=RATES.rates, conflict_share=0.01, approx_share=0.02)
    assert not agrees(102.0, None, False, 100.0, None, strict) and agrees(
        102.0, None, True, 100.0, None, strict
    )


def test_conflicts_and_targets() -> None:
    points = consolidate(
        [_c(1, 100.0), _c(2, 100.0), _c(3, 108.0, approx=True), _c(4, 111.0, period="2019"), _c(5, 100.0, period="2019"),
         _c(6, 100.0, period="2019"), _c(7, 300.0, status="target", period="2020"),
         _c(8, 1000.0, status="target", period="2017")],
        RATES,
    )  # fmt: skip
    assert [(p.status, p.period, p.conflict, p.disagreeing_count, [c.figure_id for c in p.disagreeing])
            for p in points] == [
        ("actual", "2018", False, 0, []), ("actual", "2019", True, 1, [4]), ("target", "2017", False, 0, []),
        ("target", "2020", False, 0, []),
    ]  # fmt: skip
    # a target against the latest actual point up to its deadline; none before 2017
    assert [p.progress for p in points[2:]] == [None, points[3].progress]
    assert points[3].progress is not None and (points[3].progress.period, points[3].progress.share) == (
        "2019",
        pytest.approx(1 / 3),
    )


def test_part_of_a_year_of_a_flow_never_measures_a_yearly_target() -> None:
    """Nine months of exports are not the year's exports: a 2025 target of a flow is measured
    against the last full year; a level (a headcount) at the end of September measures it."""
    from dataclasses import replace

    cs = [_c(1, 80.0, period="2024"), _c(2, 70.0, period="2025-01..09"), _c(3, 40.0, period="2025-H1"),
          _c(4, 100.0, status="target", period="2025"), _c(5, 30.0, status="target", period="2025-H1")]  # fmt: skip
    flows = replace(RATES, flows=frozenset({"exportations"}))
    progress = {p.period: p.progress for p in consolidate(cs, flows) if p.status == "target"}
    assert progress["2025"] is not None and (progress["2025"].period, progress["2025"].share) == ("2024", 0.8)
    # a target of half a year is measured against half a year
    assert progress["2025-H1"] is not None and progress["2025-H1"].period == "2025-H1"
    level = {p.period: p.progress for p in consolidate(cs, RATES) if p.status == "target"}
    assert level["2025"] is not None and level["2025"].period == "2025-01..09"


def test_the_bundled_flows_are_the_quantities_counted_over_a_period() -> None:
    from veille.core.config import Settings

    flows = Settings.load().series_rule.flows
    assert {"exportations", "emplois_crees", "investissement"} <= flows
    assert not {"effectif", "taux_chomage", "positions"} & flows


def test_the_grouped_rule_is_the_one_by_one_rule() -> None:
    cs = [_c(1, 10.0, story=7), _c(2, 10.0, story=7), _c(3, 11.0), _c(4, 1.0, unit="EUR"), _c(5, 12.0, approx=True),
          _c(6, 9.0, range_max=12.0), _c(7, 5.0, status="target", period="2020")]  # fmt: skip
    one_by_one = [(p.key, p.value, p.stories, p.low, p.high, p.conflict, p.disagreeing_count, p.progress)
                  for p in consolidate(cs, RATES)]  # fmt: skip
    said = [c.said() for c in cs]
    grouped = [(p.key, p.value, p.stories, p.low, p.high, p.conflict, p.disagreeing_count, p.progress)
               for p in consolidate_said(said, RATES)]  # fmt: skip
    assert one_by_one == grouped and one_by_one[0][:2] == (("exportations", "actual", "country", "Maroc", "2018",
                                                            "MAD", ""), 11.0)  # fmt: skip


def test_an_official_figure_is_the_value_a_press_rounding_of_it_agrees_with() -> None:
    # the office's 18 234,5 millions and two articles' rounded 18,2 milliards (0.2 % apart): one
    # value, read as the office says it although more stories say the rounding
    office = _c(1, 18_234.5e6, official=True, day=3)
    press = [_c(2, 18.2e9, day=5), _c(3, 18.2e9, day=6)]
    (p,) = consolidate([*press, office], RATES)
    assert len(p.values) == 1 and p.values[0].official and p.values[0].stories == 3
    assert (p.value, p.rule) == (18_234.5e6, "only")
    # further apart (18 milliards: 1.3 %), two values: the official one is chosen over the most cited
    (p,) = consolidate([_c(2, 18e9, day=5), _c(3, 18e9, day=6), office], RATES)
    assert (p.value, p.rule) == (18_234.5e6, "official")
    # without an official citation, the rounding said by the most stories stays the value
    (p,) = consolidate([*press, _c(4, 18_234.5e6, day=3)], RATES)
    assert p.value == 18.2e9
