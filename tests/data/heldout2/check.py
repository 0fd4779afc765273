"""Sanity checker for the heldout2 annotated set.

Verifies, for every article:
  * figures/NN.txt and entities/NN.txt exist and are byte-identical;
  * every figure span occurs in the text at least `occurrence` times
    (occurrence = 1-based index among all, possibly overlapping, str.find matches);
  * figure fields are well-formed (unit, qualifier, range, period format, types);
  * every organisation name and alias, and every person name, occurs in the text;
  * every person's organisation (when set) is one of the listed organisations.
Usage: python tests/data/heldout2/check.py   (exit code 1 on any error)
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
UNITS = {"MAD", "EUR", "USD", "percent", "points", "jobs", "seats", "count", "m2"}
QUALIFIERS = {None, "more_than", "less_than", "up_to"}
PERIOD = re.compile(r"^\d{4}(-\d{4}|-Q[1-4]|-H[12])?$")
KEYS = {"text", "occurrence", "value", "unit", "approx", "qualifier", "range_max", "period", "metric"}


def nth_find(text, span, n):
    i = -1
    for _ in range(n):
        i = text.find(span, i + 1)
        if i == -1:
            return -1
    return i


def main():
    errors, n_fig, n_org, n_per = [], 0, 0, 0
    fig_dir, ent_dir = ROOT / "figures", ROOT / "entities"
    stems = sorted(p.stem for p in fig_dir.glob("*.txt"))
    if sorted(p.stem for p in ent_dir.glob("*.txt")) != stems:
        errors.append("figures/ and entities/ do not hold the same articles")
    for stem in stems:
        text = (fig_dir / f"{stem}.txt").read_text(encoding="utf-8")
        etxt = ent_dir / f"{stem}.txt"
        if not etxt.exists() or etxt.read_text(encoding="utf-8") != text:
            errors.append(f"{stem}: entities text differs from figures text")
        figs = json.loads((fig_dir / f"{stem}.json").read_text(encoding="utf-8"))["figures"]
        for k, f in enumerate(figs):
            where = f"{stem} fig#{k} {f.get('text')!r}"
            if set(f) != KEYS:
                errors.append(f"{where}: keys {sorted(set(f) ^ KEYS)}")
                continue
            if not isinstance(f["occurrence"], int) or f["occurrence"] < 1:
                errors.append(f"{where}: bad occurrence")
            elif nth_find(text, f["text"], f["occurrence"]) == -1:
                errors.append(f"{where}: occurrence {f['occurrence']} not found")
            if f["unit"] not in UNITS:
                errors.append(f"{where}: unit {f['unit']}")
            if f["qualifier"] not in QUALIFIERS:
                errors.append(f"{where}: qualifier {f['qualifier']}")
            if not isinstance(f["approx"], bool):
                errors.append(f"{where}: approx not bool")
            if not isinstance(f["value"], (int, float)):
                errors.append(f"{where}: value not numeric")
            if f["range_max"] is not None and not (
                isinstance(f["range_max"], (int, float)) and f["range_max"] > f["value"]
            ):
                errors.append(f"{where}: bad range_max")
            if f["period"] is not None and not PERIOD.match(f["period"]):
                errors.append(f"{where}: period {f['period']}")
            if f["metric"] is not None and not isinstance(f["metric"], str):
                errors.append(f"{where}: metric not str")
        n_fig += len(figs)
        ents = json.loads((ent_dir / f"{stem}.json").read_text(encoding="utf-8"))
        names = set()
        for o in ents["organisations"]:
            names.add(o["name"])
            for form in [o["name"], *o["aliases"]]:
                if form not in text:
                    errors.append(f"{stem}: organisation form {form!r} not in text")
        for p in ents["persons"]:
            if p["name"] not in text:
                errors.append(f"{stem}: person {p['name']!r} not in text")
            if p.get("organisation") and p["organisation"] not in names:
                errors.append(f"{stem}: person {p['name']!r} organisation {p['organisation']!r} not listed")
        n_org += len(ents["organisations"])
        n_per += len(ents["persons"])
    print(f"{len(stems)} articles, {n_fig} figures, {n_org} organisations, {n_per} persons")
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
