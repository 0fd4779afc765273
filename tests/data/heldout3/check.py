#!/usr/bin/env python3
"""Sanity checks for the heldout3 annotation set.

Verifies, for every article:
  * figures/NN.txt and entities/NN.txt are identical;
  * each figure span occurs at least `occurrence` times, and the chosen
    occurrence is not glued to a surrounding digit/letter (e.g. "12" inside "120");
  * schema fields (unit, qualifier, period format, range_max > value);
  * every organisation alias and person name occurs in the text (token-bounded);
  * every person's organisation refers to an annotated organisation;
  * word count between 250 and 450.
Exit code 1 on any error.
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
UNITS = {"MAD", "EUR", "USD", "percent", "points", "jobs", "seats", "count", "m2"}
QUALS = {None, "more_than", "less_than", "up_to"}
PERIOD_RE = re.compile(r"^\d{4}(-\d{4}|-Q[1-4]|-H[12])?$")
errors = []


def err(slug, msg):
    errors.append(f"{slug}: {msg}")


def nth(text, span, n):
    i = -1
    for _ in range(n):
        i = text.find(span, i + 1)
        if i < 0:
            return -1
    return i


def bounded(text, span):
    return re.search(r"(?<![\w])" + re.escape(span) + r"(?![\w])", text) is not None


fig_dir, ent_dir = ROOT / "figures", ROOT / "entities"
slugs = sorted(p.stem for p in fig_dir.glob("*.txt"))
if sorted(p.stem for p in ent_dir.glob("*.txt")) != slugs:
    errors.append("figures/ and entities/ hold different article sets")

for slug in slugs:
    text = (fig_dir / f"{slug}.txt").read_text(encoding="utf-8")
    if (ent_dir / f"{slug}.txt").read_text(encoding="utf-8") != text:
        err(slug, "figures and entities texts differ")
    wc = len(text.split())
    if not 250 <= wc <= 450:
        err(slug, f"word count {wc} outside 250-450")

    figs = json.loads((fig_dir / f"{slug}.json").read_text(encoding="utf-8"))["figures"]
    seen = set()
    for f in figs:
        span, occ = f["text"], f["occurrence"]
        key = (span, occ)
        if key in seen:
            err(slug, f"duplicate figure {key}")
        seen.add(key)
        i = nth(text, span, occ)
        if i < 0:
            err(slug, f"span {span!r} occurrence {occ} not found (count={text.count(span)})")
            continue
        before = text[i - 1] if i > 0 else " "
        after = text[i + len(span)] if i + len(span) < len(text) else " "
        if before.isalnum() or (before in ",." and i > 1 and text[i - 2].isdigit()):
            err(slug, f"span {span!r}#{occ} glued to preceding {before!r}")
        if after.isalnum() or (
            after in ",." and i + len(span) + 1 < len(text) and text[i + len(span) + 1].isdigit()
        ):
            err(slug, f"span {span!r}#{occ} glued to following {after!r}")
        if f["unit"] not in UNITS:
            err(slug, f"bad unit {f['unit']!r} for {span!r}")
        if f["qualifier"] not in QUALS:
            err(slug, f"bad qualifier {f['qualifier']!r} for {span!r}")
        if not isinstance(f["approx"], bool):
            err(slug, f"approx not bool for {span!r}")
        if not isinstance(f["value"], (int, float)):
            err(slug, f"value not numeric for {span!r}")
        if f["range_max"] is not None and not f["range_max"] > f["value"]:
            err(slug, f"range_max <= value for {span!r}")
        if f["period"] is not None and not PERIOD_RE.match(f["period"]):
            err(slug, f"bad period {f['period']!r} for {span!r}")

    ents = json.loads((ent_dir / f"{slug}.json").read_text(encoding="utf-8"))
    org_names = set()
    for o in ents["organisations"]:
        org_names.add(o["name"])
        if not o["aliases"]:
            err(slug, f"org {o['name']!r} has no aliases")
        for a in o["aliases"]:
            if not bounded(text, a):
                err(slug, f"alias {a!r} of {o['name']!r} not found")
    for p in ents["persons"]:
        if not bounded(text, p["name"]):
            err(slug, f"person {p['name']!r} not found")
        if p.get("organisation") and p["organisation"] not in org_names:
            err(slug, f"person {p['name']!r} organisation {p['organisation']!r} not in organisations")
        if len(p["name"].split()) < 2:
            err(slug, f"person {p['name']!r} is not a full name")

if errors:
    print("\n".join(errors))
    print(f"FAILED: {len(errors)} problem(s)")
    sys.exit(1)
print(f"OK: {len(slugs)} articles clean")
