#!/usr/bin/env python3
"""Sanity checks for the held-out evaluation set.

Usage: python tests/data/heldout/check.py [-v] [--lint]

* every figure span must exist in its text at the stated 1-based occurrence
  (occurrences are counted as plain, possibly overlapping, substring matches);
* field values must respect the schema (unit, qualifier, period format...);
* every organisation alias and every person name must appear in the text;
* the figures/ and entities/ copies of each text must be identical.
-v prints each figure with its context; --lint lists number-like tokens in the
texts not covered by any annotated span (years, dates, codes... are expected).
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
UNITS = {"MAD", "EUR", "USD", "percent", "points", "jobs", "seats", "count", "m2"}
QUALS = {None, "more_than", "less_than", "up_to"}
PERIOD_RE = re.compile(r"^\d{4}(-\d{4}|-Q[1-4]|-H[12])?$")
KEYS = {"text", "occurrence", "value", "unit", "approx", "qualifier", "range_max", "period", "metric"}


def find_occurrence(text, span, n):
    pos = -1
    for _ in range(n):
        pos = text.find(span, pos + 1)
        if pos < 0:
            return -1
    return pos


def main():
    verbose, lint = "-v" in sys.argv, "--lint" in sys.argv
    errors, units = [], Counter()
    n_art = n_fig = n_org = n_per = 0
    for fj in sorted((HERE / "figures").glob("*.json")):
        slug = fj.stem
        text = (HERE / "figures" / f"{slug}.txt").read_text(encoding="utf-8")
        etxt = HERE / "entities" / f"{slug}.txt"
        if not etxt.exists() or etxt.read_text(encoding="utf-8") != text:
            errors.append(f"{slug}: entities text missing or different")
        n_art += 1
        words = len(text.split())
        if not 250 <= words <= 500:
            errors.append(f"{slug}: {words} words (expected 250-500)")
        covered = [False] * len(text)
        seen = set()
        for f in json.loads(fj.read_text(encoding="utf-8"))["figures"]:
            n_fig += 1
            tag = f"{slug}: {f.get('text')!r}#{f.get('occurrence')}"
            if set(f) != KEYS:
                errors.append(f"{tag}: keys {sorted(set(f) ^ KEYS)}")
                continue
            if (f["text"], f["occurrence"]) in seen:
                errors.append(f"{tag}: duplicated annotation")
            seen.add((f["text"], f["occurrence"]))
            pos = find_occurrence(text, f["text"], f["occurrence"])
            if pos < 0:
                errors.append(f"{tag}: span/occurrence not found")
                continue
            for i in range(pos, pos + len(f["text"])):
                covered[i] = True
            if f["unit"] not in UNITS:
                errors.append(f"{tag}: bad unit {f['unit']}")
            if f["qualifier"] not in QUALS:
                errors.append(f"{tag}: bad qualifier {f['qualifier']}")
            if not isinstance(f["approx"], bool):
                errors.append(f"{tag}: approx must be bool")
            if not isinstance(f["value"], (int, float)):
                errors.append(f"{tag}: value must be a number")
            if f["range_max"] is not None and not f["range_max"] > f["value"]:
                errors.append(f"{tag}: range_max <= value")
            if f["period"] is not None and not PERIOD_RE.match(f["period"]):
                errors.append(f"{tag}: bad period {f['period']}")
            units[f["unit"]] += 1
            if verbose:
                ctx = text[max(0, pos - 35) : pos + len(f["text"]) + 25].replace("\n", " ")
                print(f"  {slug} {f['unit']:>7} {f['value']!r:>14} {f['period'] or '':>9} | {ctx}")
        ents = json.loads((HERE / "entities" / f"{slug}.json").read_text(encoding="utf-8"))
        for o in ents["organisations"]:
            n_org += 1
            for a in o["aliases"]:
                if a not in text:
                    errors.append(f"{slug}: org alias {a!r} not in text")
        for p in ents["persons"]:
            n_per += 1
            if p["name"] not in text:
                errors.append(f"{slug}: person {p['name']!r} not in text")
            if p["organisation"] and p["organisation"] not in {o["name"] for o in ents["organisations"]}:
                errors.append(f"{slug}: person org {p['organisation']!r} not among organisations")
        if lint:
            for m in re.finditer(r"[-+]?\d[\d.,\u00a0\u202f ]*\d|\d", text):
                if not any(covered[m.start() : m.end()]):
                    print(f"  lint {slug}: {text[max(0, m.start() - 30) : m.end() + 20]!r}")
    print(f"articles={n_art} figures={n_fig} organisations={n_org} persons={n_per}")
    for u in sorted(units):
        print(f"  {u:8} {units[u]}")
    for e in errors:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
