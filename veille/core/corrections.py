"""What an analyst may say a figure is: the fields a correction sets, read from a form and checked.

Pure: strings in, a :class:`FigureFields` out, or one :class:`CorrectionError` whose message (in
French, for the analyst) names every field refused: a unit Veille does not know or that the
indicator is not measured in, a negative count, an upper bound under the value, a period that is
not "2018", "2014-2018", "2025-Q1", "2025-H1", "2025-09" or "2025-01..09", a scope without its kind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from veille.core.errors import VeilleError
from veille.core.formatting import PER_LABELS, STATUS_LABELS, UNIT_LABELS
from veille.core.models import PERS, SCOPE_KINDS, STATUSES, UNITS
from veille.core.period_labels import period_years
from veille.core.taxonomy import Taxonomy

ACTIONS = ("confirm", "correct", "reject", "add")
# what a figure row says of itself once an action is laid over it (``figures.review``)
REVIEWS = {"confirm": "confirmed", "correct": "corrected", "add": "added"}
REVIEW_LABELS = {"confirmed": "confirmé", "corrected": "corrigé", "added": "ajouté"}
ACTION_LABELS = {"confirm": "confirmé", "correct": "corrigé", "reject": "rejeté", "add": "ajouté"}
# units that count or measure something that cannot be negative
NON_NEGATIVE = ("jobs", "seats", "count", "m2")
EDITABLE = (
    "value",
    "range_max",
    "unit",
    "per",
    "period",
    "indicator",
    "status",
    "scope_kind",
    "scope",
    "organisations",
)
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")


class CorrectionError(VeilleError):
    """A correction refused: one line saying what to fix."""

    exit_code = 2


@dataclass(frozen=True)
class FigureFields:
    """The values a correction gives a figure."""

    value: float
    unit: str
    range_max: float | None = None
    per: str | None = None
    period: str | None = None
    indicator: str | None = None
    status: str = "actual"
    scope_kind: str | None = None
    scope: str | None = None
    organisations: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def parse_number(raw: str | None) -> float | None:
    """ "1 500,5" or "1500.5" or "1.5e9" -> the number; "" -> None; anything else ValueError."""
    text = re.sub(r"[\s\u00a0\u202f]", "", raw or "")
    if not text:
        return None
    if not _NUMBER.match(text):
        raise ValueError(raw)
    return float(text.replace(",", "."))


def _blank(form: Mapping[str, Any], key: str) -> str | None:
    value = str(form.get(key) or "").strip()
    return value or None


def read_fields(form: Mapping[str, Any], taxonomy: Taxonomy) -> FigureFields:
    """A form's fields (``value``, ``range_max``, ``unit``, ``per``, ``period``, ``indicator``,
    ``status``, ``scope_kind``, ``scope``, ``organisations``: one per line or separated by
    semicolons) as checked figure fields; :class:`CorrectionError` naming every field refused."""
    problems: list[str] = []
    numbers: dict[str, float | None] = {}
    for key, label in (("value", "la valeur"), ("range_max", "la valeur haute")):
        try:
            numbers[key] = parse_number(str(form.get(key) or ""))
        except ValueError:
            problems.append(f"{label} « {form.get(key)} » n'est pas un nombre (ex. 1500 ou 2,5)")
            numbers[key] = None
    orgs = [o.strip() for o in re.split(r"[;\n]", str(form.get("organisations") or "")) if o.strip()]
    fields = FigureFields(
        value=numbers["value"] if numbers["value"] is not None else float("nan"),
        unit=str(form.get("unit") or "").strip(),
        range_max=numbers["range_max"],
        per=_blank(form, "per"),
        period=_blank(form, "period"),
        indicator=_blank(form, "indicator"),
        status=_blank(form, "status") or "actual",
        scope_kind=_blank(form, "scope_kind"),
        scope=_blank(form, "scope"),
        organisations=tuple(dict.fromkeys(orgs)),
    )
    if numbers["value"] is None and not problems:
        problems.append("la valeur est obligatoire")
    problems += problems_of(fields, taxonomy)
    if problems:
        raise CorrectionError("Correction refusée : " + " ; ".join(problems) + ".")
    return fields


def problems_of(f: FigureFields, taxonomy: Taxonomy) -> list[str]:
    """What is wrong with these fields, in French (empty: nothing)."""
    out: list[str] = []
    if f.unit not in UNITS:
        known = ", ".join(UNITS)
        out.append(f"l'unité « {f.unit or '(vide)'} » est inconnue (unités possibles : {known})")
    elif f.value == f.value and f.value < 0 and f.unit in NON_NEGATIVE:
        out.append(f"une valeur en {UNIT_LABELS[f.unit]} ne peut pas être négative ({f.value:g})")
    if f.range_max is not None and f.value == f.value and f.range_max <= f.value:
        out.append("la valeur haute doit dépasser la valeur")
    if f.per is not None and f.per not in PERS:
        out.append(f"« par {f.per} » est inconnu (possibles : {', '.join(PER_LABELS.values())})")
    if f.status not in STATUSES:
        out.append(f"le statut « {f.status} » est inconnu ({', '.join(STATUS_LABELS.values())})")
    if f.period is not None:
        years = period_years(f.period)
        if years is None or years[0] > years[1] or not 1900 <= years[0] <= 2100:
            out.append(
                f"la période « {f.period} » n'est pas de la forme 2018, 2014-2018, 2025-Q1, 2025-H1, 2025-09 ou 2025-01..09"
            )
    out += _indicator_problems(f, taxonomy)
    if (f.scope_kind is None) != (f.scope is None):
        out.append("le périmètre demande un type et un nom (ou aucun des deux)")
    elif f.scope_kind is not None and f.scope_kind not in SCOPE_KINDS:
        out.append(f"le type de périmètre « {f.scope_kind} » est inconnu ({', '.join(SCOPE_KINDS)})")
    return out


def _indicator_problems(f: FigureFields, taxonomy: Taxonomy) -> list[str]:
    if f.indicator is None:
        return []
    spec = taxonomy.indicators.get(f.indicator)
    if spec is None:
        return [f"l'indicateur « {f.indicator} » est inconnu (config/indicators.toml)"]
    if f.unit in UNITS and f.unit not in spec.units:
        units = ", ".join(UNIT_LABELS.get(u, u) for u in spec.units)
        return [f"l'indicateur « {spec.label} » se mesure en {units}, pas en {UNIT_LABELS[f.unit]}"]
    return []
