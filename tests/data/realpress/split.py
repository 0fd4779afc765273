#!/usr/bin/env python3
"""Splits newly annotated excerpts into the tuning and locked halves, by outlet and story.

    python tests/data/realpress/split.py INCOMING_DIR [...] [--seed N] [--dry-run]

Excerpts are grouped so that a group never straddles the halves: one outlet family (the host
without "www.", and for republishing hosts such as maghress.com the outlet named in the path),
one story (the annotated `story` slug), and texts that share long passages (word 8-gram
overlap: copies of one dispatch on two sites). Groups are then dealt to the halves, largest
first, each to the half with fewer figures so far (ties broken by a seeded shuffle), so the
halves get about the same number of figures. It never runs the extractor: the split is decided
on the annotations alone, before any score is seen.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
REPUBLISHERS = {"maghress.com"}
FAMILIES = {  # outlets of one publishing group
    "leseco.ma": "lesechos-maroc",
    "maghress.com/lesechos": "lesechos-maroc",
    "lavieeco.com": "lavieeco",
    "maghress.com/lavieeco": "lavieeco",
    "aujourdhui.ma": "aujourdhui",
    "maghress.com/aujourdhui": "aujourdhui",
    "lematin.ma": "lematin",
    "maghress.com/lematin": "lematin",
    "leconomiste.com": "leconomiste",
    "maghress.com/leconomiste": "leconomiste",
    "libe.ma": "libe",
    "maghress.com/libe": "libe",
    "jeuneafrique.com": "jeuneafrique",
    # other addresses of outlets already listed under their main host
    "le360-le-360-francais-prod.web.arc-cdn.net": "fr.le360.ma",
    "archive.challenge.ma": "challenge.ma",
    "maghress.com/lobservateur": "lobservateur.info",
}


def outlet_key(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    if host in REPUBLISHERS:
        segs = [s for s in parts.path.split("/") if s]
        # maghress.com/fr/<outlet>/<id>
        name = segs[1] if len(segs) > 1 and segs[0] == "fr" else (segs[0] if segs else "")
        host = f"{host}/{name}"
    return FAMILIES.get(host, host)


def shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("incoming", nargs="+", type=Path)
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    items = []
    for d in args.incoming:
        for txt in sorted(d.glob("*.txt")):
            data = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
            items.append((txt, data, shingles(txt.read_text(encoding="utf-8"))))
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    for i, (_, a, sa) in enumerate(items):
        for j in range(i):
            _, b, sb = items[j]
            same_outlet = outlet_key(a["meta"]["url"]) == outlet_key(b["meta"]["url"])
            same_story = a["meta"].get("story") and a["meta"].get("story") == b["meta"].get("story")
            shared = len(sa & sb) >= 3
            if same_outlet or same_story or shared:
                union(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    ordered = list(groups.values())
    random.Random(args.seed).shuffle(ordered)
    ordered.sort(key=lambda g: -sum(len(items[i][1].get("figures", [])) for i in g))
    halves: dict[str, list[int]] = {"tuning": [], "locked": []}
    figures = {"tuning": 0, "locked": 0}
    for g in ordered:
        n = sum(len(items[i][1].get("figures", [])) for i in g)
        half = min(("locked", "tuning"), key=lambda h: (figures[h], len(halves[h])))
        halves[half] += g
        figures[half] += n
    for half, idx in halves.items():
        outlets = {outlet_key(items[i][1]["meta"]["url"]) for i in idx}
        print(f"{half}: {len(idx)} excerpts, {figures[half]} figures, {len(outlets)} outlet families")
        for i in sorted(idx, key=lambda i: items[i][0].name):
            txt = items[i][0]
            print(f"  {txt.name}  {outlet_key(items[i][1]['meta']['url'])}")
            if not args.dry_run:
                dest = HERE / half
                dest.mkdir(exist_ok=True)
                shutil.copy2(txt, dest / txt.name)
                shutil.copy2(txt.with_suffix(".json"), dest / txt.with_suffix(".json").name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
