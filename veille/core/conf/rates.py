"""``config/rates.toml``: yearly average exchange rates (MAD per EUR and per USD), with the
name of their source, and ``[series]``: how far apart two values of one point may be before
they disagree. Read once on :class:`veille.core.config.Settings` (``settings.rates``); the
indicator series (:mod:`veille.core.series`) compare amounts in MAD through it."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from pydantic import Field, field_validator

from veille.core.conf import PACKAGE_CONFIG, Float, Model, Str, load_file

DEFAULT_RATES = PACKAGE_CONFIG / "rates.toml"
_YEAR = re.compile(r"^(19|20)\d\d$")


class SeriesTable(Model):
    """``[series]``: the tolerances of the indicator series' conflicts, as shares of a point's
    chosen value (0.05: 5 %)."""

    conflict_share: Float = Field(0.05, gt=0, le=0.5)  # a value further away disagrees
    approx_share: Float = Field(0.10, gt=0, le=0.5)  # the same for an approximate value ("environ")


class RatesFile(Model):
    """The whole file: ``source`` (who publishes the rates), a ``note`` on their precision,
    one table per currency of year -> MAD for one unit, and the series' tolerances."""

    source: Str = Field(min_length=3)
    note: Str = ""
    series: SeriesTable = Field(default_factory=SeriesTable)
    EUR: dict[str, Float] = Field(default_factory=dict)
    USD: dict[str, Float] = Field(default_factory=dict)

    @field_validator("EUR", "USD")
    @classmethod
    def _years(cls, table: dict[str, float]) -> dict[str, float]:
        for year, rate in table.items():
            if not _YEAR.match(year):
                raise ValueError(f"{year!r} is not a year")
            if not 0 < rate < 1000:
                raise ValueError(f"{year}: rate {rate} is not a plausible MAD rate")
        return table

    def rate(self, currency: str, year: int | None, fallback_year: int | None = None) -> tuple[float, int]:
        """MAD for one ``currency`` and the year whose rate it is: ``year`` if listed, else
        ``fallback_year`` if listed, else the listed year nearest ``year`` (or the latest)."""
        if currency == "MAD":
            return 1.0, year or 0
        table = {int(y): r for y, r in getattr(self, currency).items()}
        if not table:
            raise KeyError(f"no {currency} rate in rates.toml")
        for y in (year, fallback_year):
            if y is not None and y in table:
                return table[y], y
        target = year if year is not None else (fallback_year if fallback_year is not None else max(table))
        best = min(table, key=lambda y: (abs(y - target), -y))
        return table[best], best


@functools.lru_cache(maxsize=8)
def load_rates(path: str | Path = DEFAULT_RATES) -> RatesFile:
    """``rates.toml`` checked; a missing file means the bundled one."""
    p = Path(path)
    return load_file(RatesFile, p if p.exists() else DEFAULT_RATES, required=True)
