#!/usr/bin/env python3
"""Checks the real-press annotations against CONVENTION.md (never runs the extractor).

    python tests/data/realpress/check.py [DIR ...]

DIR defaults to the set's halves (tuning/, locked/ and the retired first-locked/ and second-locked/). For every NN-slug.txt / NN-slug.json:
meta fields present, a figure's span found at its occurrence (as whole words), units,
qualifiers, indicators (keys of config/indicators.toml), statuses, per, periods, range_max
above value; every organisation alias and person name found in the text; a person's
organisation one of the annotated ones; reserved addresses refused. Exit 1 on any error.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
UNITS = {"MAD", "EUR", "USD", "percent", "points", "jobs", "seats", "count", "m2"}
QUALIFIERS = {None, "more_than", "less_than", "up_to"}
STATUSES = {"actual", "announced", "forecast", "target"}
PERS = {None, "month", "year", "m2/month", "m2", "hour", "day", "person"}
PERIOD = re.compile(r"^\d{4}(?:-\d{4}|-Q[1-4]|-H[12])?$")
META = ("url", "outlet", "query", "published", "story")


def reserved() -> set[str]:
    path = ROOT.parent / "shared" / "realworld" / "pages-reserved.txt"
    if not path.exists():
        return set()
    return {
        norm_url(line) for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")
    }


def norm_url(url: str) -> str:
    url = re.sub(r"^https?://(?:www\.)?", "", url.strip().lower())
    return url.rstrip("/")


def find(text: str, span: str, occurrence: int) -> int:
    pos, seen = -1, 0
    while seen < occurrence:
        pos = text.find(span, pos + 1)
        if pos < 0:
            return -1
        before = text[pos - 1] if pos else " "
        after = text[pos + len(span)] if pos + len(span) < len(text) else " "
        if not (before.isalnum() and span[0].isalnum()) and not (after.isalnum() and span[-1].isalnum()):
            seen += 1
    return pos


def check_file(txt: Path, indicators: set[str], reserved_urls: set[str]) -> list[str]:
    errors: list[str] = []

    def err(msg: str) -> None:
        errors.append(f"{txt.parent.name}/{txt.stem}: {msg}")

    js = txt.with_suffix(".json")
    if not js.exists():
        return [f"{txt}: no {js.name}"]
    text = txt.read_text(encoding="utf-8")
    try:
        data = json.loads(js.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return [f"{js}: {exc}"]
    meta = data.get("meta") or {}
    for k in META:
        if k not in meta:
            err(f"meta.{k} missing")
    if meta.get("url") and norm_url(meta["url"]) in reserved_urls:
        err(f"reserved address {meta['url']}")
    if meta.get("published") and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["published"]):
        err(f"meta.published {meta['published']!r} is not YYYY-MM-DD")
    if not 200 <= len(text) <= 3500:
        err(f"excerpt of {len(text)} characters (200 to 3,500)")
    for i, f in enumerate(data.get("figures", [])):
        where = f"figures[{i}] {f.get('text')!r}"
        if find(text, f.get("text", ""), int(f.get("occurrence", 1))) < 0:
            err(f"{where}: occurrence {f.get('occurrence', 1)} not found as whole words")
        if f.get("unit") not in UNITS:
            err(f"{where}: unit {f.get('unit')!r}")
        if f.get("qualifier") not in QUALIFIERS:
            err(f"{where}: qualifier {f.get('qualifier')!r}")
        if f.get("indicator") not in indicators:
            err(f"{where}: indicator {f.get('indicator')!r} not in config/indicators.toml")
        if f.get("status") not in STATUSES:
            err(f"{where}: status {f.get('status')!r}")
        if f.get("per") not in PERS:
            err(f"{where}: per {f.get('per')!r}")
        if f.get("period") is not None and not PERIOD.match(str(f["period"])):
            err(f"{where}: period {f['period']!r}")
        if not isinstance(f.get("value"), int | float):
            err(f"{where}: value {f.get('value')!r}")
        rm = f.get("range_max")
        if rm is not None and (not isinstance(rm, int | float) or rm <= f.get("value", 0)):
            err(f"{where}: range_max {rm!r} not above value")
        if not isinstance(f.get("approx"), bool):
            err(f"{where}: approx must be true or false")
        if not (f.get("metric") or "").strip():
            err(f"{where}: no metric")
    names = set()
    for o in data.get("organisations", []):
        names.add(o.get("name"))
        for a in o.get("aliases", []):
            if not re.search(r"(?<!\w)" + re.escape(a) + r"(?!\w)", text):
                err(f"organisation alias {a!r} not in the text")
    for p in data.get("persons", []):
        if not re.search(r"(?<!\w)" + re.escape(p.get("name", "")) + r"(?!\w)", text):
            err(f"person {p.get('name')!r} not in the text")
        if p.get("organisation") is not None and p["organisation"] not in names:
            err(f"person {p.get('name')!r}: organisation {p['organisation']!r} not annotated")
    return errors


def main(argv: list[str]) -> int:
    dirs = [Path(a) for a in argv] or [
        HERE / "tuning",
        HERE / "locked",
        HERE / "first-locked",
        HERE / "second-locked",
    ]
    indicators = set(tomllib.loads((ROOT / "config" / "indicators.toml").read_text(encoding="utf-8")))
    reserved_urls = reserved()
    errors: list[str] = []
    n = 0
    urls: dict[str, str] = {}
    for d in dirs:
        for txt in sorted(d.glob("*.txt")):
            n += 1
            errors += check_file(txt, indicators, reserved_urls)
            url = norm_url(
                json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
                .get("meta", {})
                .get("url", "")
                or ""
            )
            if url in urls:
                errors.append(f"{txt.stem}: same address as {urls[url]}")
            urls[url] = txt.stem
    for e in errors:
        print(e)
    print(f"{n} excerpts, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
