"""French number and figure formatting (veille/core/formatting.py)."""

from __future__ import annotations

import random

import pytest
from babel.numbers import format_decimal

from veille.core.formatting import NBSP, format_number, format_value


def _babel(value: float, decimals: int) -> str:
    """What Babel writes for fr_FR with the pattern the module used to pass it."""
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    return format_decimal(round(value, decimals), format=pattern, locale="fr_FR").replace("\u202f", NBSP)


def _values() -> list[float]:
    rng = random.Random(11)
    edge = [
        0.0,
        0.5,
        1.5,
        2.5,
        -2.5,
        2.675,
        999.995,
        1234.0,
        69900.0,
        1.5e9,
        1e15,
        123456789.125,
        9.999,
        100.04,
    ]
    return (
        edge
        + [rng.uniform(-1e10, 1e10) for _ in range(3000)]
        + [rng.uniform(0, 100) for _ in range(3000)]
        + [round(rng.uniform(0, 1000), 3) for _ in range(3000)]
    )


@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_numbers_are_written_as_babel_writes_them_for_french(decimals: int) -> None:
    differ = [(v, format_number(v, decimals), _babel(v, decimals)) for v in _values()]
    differ = [d for d in differ if d[1] != d[2]]
    assert not differ, differ[:5]


def test_number_conventions() -> None:
    assert format_number(12500) == f"12{NBSP}500"
    assert format_number(12500, nbsp=False) == "12 500"
    assert format_number(1.25, 2) == "1,25"
    assert format_number(1.20, 2) == "1,2"  # trailing zeros dropped
    assert format_number(3.0, 2) == "3"
    assert format_number(-1234567.5, 1, nbsp=False) == "-1 234 567,5"
    # a value that rounds to nothing is 0, not "-0" (Babel writes "-0")
    assert format_number(-0.004, 2) == "0"
    assert format_number(-0.0) == "0"


def test_figures_in_french() -> None:
    assert format_value(1.5e9, "MAD", nbsp=False) == "1,5 milliard DH"
    assert format_value(69900, "jobs", nbsp=False) == "69 900 emplois"
    assert format_value(2.3, "percent", nbsp=False) == "2,3 %"
    assert format_value(1e10, "MAD", range_max=1.2e10, nbsp=False) == "10 à 12 milliards DH"
    assert format_value(5000, "jobs", qualifier="more_than", nbsp=False) == "plus de 5 000 emplois"
    assert format_value(2.5e6, "jobs", approx=True, nbsp=False) == "environ 2,5 millions d'emplois"
    assert NBSP in format_value(12500, "jobs")


def test_ranges_are_printed_whole() -> None:
    # issue 14: "2.000 à 8.000 m²" was printed "2 à 8 000 m²" (the low end cut at its thousands space)
    assert format_value(2000, "m2", range_max=8000, nbsp=False) == "2 000 à 8 000 m²"
    assert format_value(25000, "MAD", range_max=35000, nbsp=False) == "25 000 à 35 000 DH"
    assert format_value(25000, "MAD", range_max=35000) == f"25{NBSP}000{NBSP}à{NBSP}35{NBSP}000{NBSP}DH"
    assert format_value(2e6, "MAD", range_max=2e7, nbsp=False) == "2 à 20 millions DH"
    assert format_value(1.5e9, "MAD", range_max=2e9, nbsp=False) == "1,5 à 2 milliards DH"
    assert format_value(5e8, "MAD", range_max=1.2e9, nbsp=False) == "500 millions DH à 1,2 milliard DH"
    assert format_value(1, "jobs", range_max=5, nbsp=False) == "1 à 5 emplois"
    assert format_value(1200, "count", range_max=1500, nbsp=False) == "1 200 à 1 500"
    assert format_value(10, "percent", range_max=12.5, nbsp=False) == "10 à 12,5 %"


def test_qualifiers_are_composed_once() -> None:
    # "plus d'une quinzaine": approximate and a lower bound, printed "plus de 15", not "environ plus de 15"
    assert format_value(15, "count", approx=True, qualifier="more_than", nbsp=False) == "plus de 15"
    assert format_value(300, "jobs", approx=True, qualifier="up_to", nbsp=False) == "jusqu'à 300 emplois"
    assert format_value(15, "count", approx=True, nbsp=False) == "environ 15"


def test_rates_say_what_they_are_per() -> None:
    assert format_value(80, "MAD", per="m2/month", nbsp=False) == "80 DH par m² et par mois"
    assert format_value(450, "EUR", per="month", nbsp=False) == "450 € par mois"
    assert (
        format_value(25000, "MAD", range_max=35000, per="month", approx=True, nbsp=False)
        == "environ 25 000 à 35 000 DH par mois"
    )
    assert NBSP in format_value(80, "MAD", per="m2/month").split("DH")[1]
    assert format_value(2, "points", nbsp=False) == "2 points"


def test_status_and_indicator_labels() -> None:
    from veille.core.formatting import indicator_label, per_label, status_label

    assert [status_label(s) for s in ("actual", "announced", "forecast", "target")] == [
        "réalisé",
        "annoncé",
        "prévision",
        "objectif",
    ]
    assert per_label("m2/month") == "par m² et par mois" and per_label(None) == ""
    assert indicator_label("emplois_crees") == "Emplois créés" and indicator_label(None) == ""


def test_period_labels() -> None:
    from veille.core.formatting import period_label
    from veille.web.charts import period_position

    got = [
        period_label(p)
        for p in ("2025", "2025-Q1", "2024-H2", "2014-2018", "2025-01..09", "2025-09", "2025-04..05")
    ]
    assert got == [
        "2025",
        "T1 2025",
        "S2 2024",
        "2014-2018",
        "janv.–sept. 2025",
        "sept. 2025",
        "avr.–mai 2025",
    ]
    assert period_label("2025-13") == "2025-13" and period_label(None) == ""  # not a period: as written
    # on a chart's time axis, nine months stand at their middle (mid-May), a month at its own
    assert period_position("2025-01..09") == pytest.approx(2025 + 9 / 24)
    assert period_position("2025-09") == pytest.approx(2025 + 17 / 24)
    assert period_position("2014-2018") == 2016.5 and period_position("2025") == 2025.5
