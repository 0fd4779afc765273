"""The indicator taxonomy: ``config/indicators.toml`` read into a checked, typed model (one line
naming the file, the table and the field on error). The extractor (:mod:`pipeline.indicators`)
assigns its keys; the archive, the digest and the shell show their French labels.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from veille.core.conf import PACKAGE_CONFIG, read_toml, validate
from veille.core.errors import ConfigError
from veille.core.models import UNITS

DEFAULT_TAXONOMY = PACKAGE_CONFIG / "indicators.toml"
FALLBACK = "autre"


class IndicatorSpec(BaseModel):
    """One table of config/indicators.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    definition: str
    units: tuple[str, ...]
    cues: tuple[str, ...] = ()
    # a flow is counted over its period (exports of a year, jobs created): a part of a year
    # is not comparable with a year; a level (a headcount, a rate) is read at a date
    flow: bool = False

    @field_validator("units")
    @classmethod
    def _known_units(cls, units: tuple[str, ...]) -> tuple[str, ...]:
        bad = [u for u in units if u not in UNITS]
        if bad:
            raise ValueError(f"unknown unit {bad[0]!r} (known: {', '.join(UNITS)})")
        return units


@dataclass(frozen=True)
class Taxonomy:
    indicators: dict[str, IndicatorSpec]

    def label(self, key: str | None) -> str:
        spec = self.indicators.get(key or "")
        return spec.label if spec else (key or "")

    @property
    def flows(self) -> frozenset[str]:
        """The indicators counted over their period (``flow = true``)."""
        return frozenset(k for k, spec in self.indicators.items() if spec.flow)

    def for_unit(self, unit: str) -> list[str]:
        return [k for k, spec in self.indicators.items() if unit in spec.units and k != FALLBACK]


@functools.lru_cache(maxsize=4)
def load_taxonomy(path: str | Path = DEFAULT_TAXONOMY) -> Taxonomy:
    """Read and check config/indicators.toml: one line naming the file, table and field on error."""
    p = Path(path)
    data = read_toml(p)
    if not data:
        raise ConfigError(p, "no indicator defined")
    out: dict[str, IndicatorSpec] = {}
    for key, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(p, "expected a table", field=key)
        out[key] = validate(IndicatorSpec, table, p, key)  # one line naming the table and field
    if FALLBACK not in out:
        raise ConfigError(p, f"the fallback indicator [{FALLBACK}] is missing")
    return Taxonomy(out)
