"""``config/zones.toml``: the places and segments a figure can be about (its scope), the
default country, and the organisation kinds that are official sources. Read once on
:class:`veille.core.config.Settings` (``settings.zones``); the extractor's scope reader
(:mod:`pipeline.scopes`) is handed the same model."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from veille.core.conf import PACKAGE_CONFIG, Model, Str, load_file
from veille.core.models import SCOPE_KINDS  # noqa: F401  (re-exported: the kinds this file's tables give)

DEFAULT_ZONES = PACKAGE_CONFIG / "zones.toml"
ORG_KINDS = (
    "agency", "ministry", "federation", "association", "zone", "zone_operator",
    "company", "bank", "school", "public_body", "international", "media",
)  # fmt: skip


class Place(Model):
    """One ``[[zone]]``, ``[[region]]``, ``[[country]]`` or ``[[segment]]``: its canonical
    name (what the archive stores) and the other forms a text may use."""

    name: Str = Field(min_length=1, max_length=200)
    aliases: tuple[Str, ...] = ()
    region: Str | None = None  # a zone's region (a name of [[region]])

    @field_validator("aliases")
    @classmethod
    def _not_blank(cls, aliases: tuple[str, ...]) -> tuple[str, ...]:
        if any(not a.strip() for a in aliases):
            raise ValueError("an alias must not be blank")
        return aliases

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class ZonesFile(Model):
    """The whole file."""

    default_country: Str = "Maroc"
    official_kinds: tuple[Str, ...] = ("agency", "ministry", "federation", "association", "public_body")
    zone: tuple[Place, ...] = ()
    region: tuple[Place, ...] = ()
    country: tuple[Place, ...] = ()
    segment: tuple[Place, ...] = ()

    @field_validator("official_kinds")
    @classmethod
    def _known_kinds(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        bad = [k for k in kinds if k not in ORG_KINDS]
        if bad:
            raise ValueError(f"unknown organisation kind {bad[0]!r} (known: {', '.join(ORG_KINDS)})")
        return kinds

    @model_validator(mode="after")
    def _consistent(self) -> ZonesFile:
        for table in ("zone", "region", "country", "segment"):
            seen: set[str] = set()
            for place in getattr(self, table):
                if place.name in seen:
                    raise ValueError(f"[[{table}]] {place.name!r} is listed twice")
                seen.add(place.name)
        if self.default_country not in {c.name for c in self.country}:
            raise ValueError(f"default_country {self.default_country!r} is not a [[country]] name")
        regions = {r.name for r in self.region}
        for z in self.zone:
            if z.region is not None and z.region not in regions:
                raise ValueError(f"zone {z.name!r}: region {z.region!r} is not a [[region]] name")
        return self


@functools.lru_cache(maxsize=8)
def load_zones(path: str | Path = DEFAULT_ZONES) -> ZonesFile:
    """``zones.toml`` checked (one line naming the file, the table and the field on error); a
    missing file means the bundled one."""
    p = Path(path)
    return load_file(ZonesFile, p if p.exists() else DEFAULT_ZONES, required=True)
