"""Veille's page extractor and plain trafilatura on trafilatura's 923 evaluation pages.

Both run in the same process on the same page bytes, one after the other, so the timings
share the machine's load. For each extractor:

- main text, scored with the pages' snippets as trafilatura's own evaluation does: a ``with``
  snippet found in the text is a true positive (else a false negative), a ``without`` snippet
  found is a false positive (else a true negative); accuracy = (tp + tn) / all snippets,
  precision = tp / (tp + fp), recall = tp / (tp + fn);
- title: exact match after Unicode NFC and whitespace folding (800 annotated titles);
- date: the annotated day (688 pages; four annotations are mistyped, three of them read
  without doubt: "2022-29-11" is the 29th of November, see ``annotated_day``); also printed
  on the pages whose HTML or address writes that day (``states_day``): a page that never
  writes its publication day cannot be dated from itself;
- author: the same names, case and separators ("and", "und", ",", ";") aside (512 pages);
- CPU time per page (``time.process_time`` around each call).

Plain trafilatura is ``trafilatura.bare_extraction(page, url=url, with_metadata=True)``
(its defaults: the ``extract`` a new user would call, with the metadata). Veille's is
``spiders.page.extract_page(page, url)``, as ``veille page`` and the spiders call it.

Prints, never asserts. Usage::

    python bench/real_pages.py [DIR] [--worst N] [--only veille|trafilatura] [--dump FILE] [--categories]

``--categories`` prints Veille's wrong titles and dates sorted into kinds (a title in other
capitals, longer or shorter than the annotation; a date one day off, in another year, with
day and month swapped, an annotation that is no date) with every case listed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT = REPO.parent / "shared" / "realworld" / "trafilatura-eval"

GOALS = {"accuracy": 0.94, "title": 0.85, "date": 0.90, "cpu_ratio": 1.25}


def fold(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


_JOINERS = {"and", "und", "et", "y", "e", "by", "von", "par"}


def author_key(value: Any) -> frozenset[str]:
    if isinstance(value, list):
        value = " ; ".join(str(v) for v in value)
    words = re.findall(r"\w+", unicodedata.normalize("NFC", str(value or "")).casefold())
    return frozenset(w for w in words if w not in _JOINERS)


_MONTHS = (  # the first letters of each month's name in the set's languages (en, de, fr, es, it, pt, nl, fi)
    ("jan", "ene", "gen", "tammi"), ("feb", "fév", "fev", "febr", "helmi"), ("mar", "mär", "maa"),
    ("apr", "avr", "abr", "huhti"), ("may", "mai", "mei", "mayo", "magg", "touko"), ("jun", "juin", "giu", "kesä"),
    ("jul", "juil", "lug", "heinä"), ("aug", "aoû", "aou", "ago", "elo"), ("sep", "set", "syys"),
    ("oct", "okt", "ott", "out", "loka"), ("nov", "marras"), ("dec", "dez", "déc", "dic", "joulu"),
)  # fmt: skip


def states_day(body: bytes, url: str, day: str) -> bool:
    """Does the page (its HTML or its address) write this day in a usual form? ISO and its
    slash or compact forms, day.month.year, day/month/year, month/day/year, the month by name
    (first letters, any language of the set) before or after the day, and year年month月day日.
    A page that never writes its annotated day cannot be dated from itself."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) or int(day[5:7]) > 12:
        return False
    y, m, d = int(day[:4]), int(day[5:7]), int(day[8:])
    text = body.decode("utf-8", "ignore").casefold() + " " + url.casefold()
    yy, names = str(y)[2:], "|".join(re.escape(n) for n in _MONTHS[m - 1])
    numeric = (
        rf"{y}[-/.]?0?{m}[-/.]?0?{d}(?!\d)", rf"(?<!\d)0?{d}\.\s?0?{m}\.\s?(?:{y}|{yy}(?!\d))",
        rf"(?<!\d)0?{d}/0?{m}/(?:{y}|{yy}(?!\d))", rf"(?<!\d)0?{m}/0?{d}/(?:{y}|{yy}(?!\d))",
        rf"{y}年0?{m}月0?{d}日",
    )  # fmt: skip
    named = (
        rf"(?<!\d)0?{d}(?:st|nd|rd|th|er|º)?\.?\s*(?:de\s+|of\s+)?(?:{names})\w*\.?,?\s*(?:de\s+)?{y}",
        rf"(?:{names})\w*\.?\s+0?{d}(?:st|nd|rd|th)?,?\s+{y}",
    )
    return any(re.search(p, text) for p in (*numeric, *named))


def annotated_day(value: str) -> str:
    """The annotation's day as YYYY-MM-DD where its writing leaves no doubt: "2022-29-11"
    (no 29th month: year, day, month), "2022-11-1", "2022-01.26". Anything else is kept as
    written (and matches nothing)."""
    m = re.fullmatch(r"(\d{4})[-.](\d{1,2})[-.](\d{1,2})", value.strip())
    if not m:
        return value
    y, a, b = m.group(1), int(m.group(2)), int(m.group(3))
    month, day = (b, a) if a > 12 >= b else (a, b)
    return f"{y}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else value


@dataclass
class Got:
    text: str = ""
    title: str = ""
    date: str = ""  # YYYY-MM-DD
    author: str = ""
    cpu: float = 0.0


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0
    titles: int = 0
    titles_ok: int = 0
    dates: int = 0
    dates_ok: int = 0
    stated: int = 0  # dates annotated on pages that write that day (states_day)
    stated_ok: int = 0
    authors: int = 0
    authors_ok: int = 0
    cpu: float = 0.0
    pages: int = 0
    per_page: list[dict[str, Any]] = field(default_factory=list)

    def add(self, file: str, url: str, truth: dict[str, Any], got: Got, stated: bool = False) -> None:
        self.pages += 1
        self.cpu += got.cpu
        page: dict[str, Any] = {"file": file, "url": url, "missing": [], "leaked": [], "errors": 0}
        for snippet in truth.get("with", []):
            if snippet in got.text:
                self.tp += 1
            else:
                self.fn += 1
                page["missing"].append(snippet)
        for snippet in truth.get("without", []):
            if snippet in got.text:
                self.fp += 1
                page["leaked"].append(snippet)
            else:
                self.tn += 1
        page["errors"] = len(page["missing"]) + len(page["leaked"])
        if truth.get("title"):
            self.titles += 1
            ok = fold(got.title) == fold(truth["title"])
            self.titles_ok += ok
            if not ok:
                page["title"] = (got.title, truth["title"])
                page["errors"] += 1
        if truth.get("date"):
            self.dates += 1
            ok = got.date == annotated_day(truth["date"])
            self.dates_ok += ok
            self.stated += stated
            self.stated_ok += ok and stated
            if not ok:
                page["date"] = (got.date, truth["date"])
                page["errors"] += 1
        if truth.get("author"):
            self.authors += 1
            ok = author_key(got.author) == author_key(truth["author"])
            self.authors_ok += ok
            if not ok:
                page["author"] = (got.author, truth["author"])
        self.per_page.append(page)

    @property
    def accuracy(self) -> float:
        total = self.tp + self.tn + self.fp + self.fn
        return (self.tp + self.tn) / total if total else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def ms(self) -> float:
        return 1000 * self.cpu / self.pages if self.pages else 0.0


def run_veille(body: bytes, url: str) -> Got:
    from spiders.page import extract_page

    start = time.process_time()
    fields = extract_page(body, url)
    cpu = time.process_time() - start
    return Got(
        text=fields.text,
        title=fields.title,
        date=fields.published.date().isoformat() if fields.published else "",
        author=fields.author or "",
        cpu=cpu,
    )


def run_trafilatura(body: bytes, url: str) -> Got:
    import trafilatura

    start = time.process_time()
    try:
        doc = trafilatura.bare_extraction(body, url=url, with_metadata=True)
    except Exception:
        doc = None
    cpu = time.process_time() - start
    if doc is None:
        return Got(cpu=cpu)
    return Got(
        text=doc.text or "",
        title=doc.title or "",
        date=(doc.date or "")[:10],
        author=doc.author or "",
        cpu=cpu,
    )


RUNNERS = {"veille": run_veille, "trafilatura": run_trafilatura}


def row(name: str, s: Score) -> str:
    def pct(ok: int, n: int) -> str:
        return f"{ok / n:.3f} ({ok}/{n})" if n else "n/a"

    return (
        f"| {name} | {s.accuracy:.3f} | {s.precision:.3f} | {s.recall:.3f} | {pct(s.titles_ok, s.titles)}"
        f" | {pct(s.dates_ok, s.dates)} | {pct(s.authors_ok, s.authors)} | {s.ms:.1f} ms |"
    )


def title_kind(got: str, want: str) -> str:
    g, w = fold(got), fold(want)
    if g.casefold() == w.casefold():
        return "same words, other capitals (CSS text-transform)"
    if "\xad" in w:
        return "soft hyphens in the annotation"
    if w in g:
        return "longer than the annotation (a site name, section or kicker left)"
    if g in w:
        return "shorter than the annotation"
    return "another text"


def date_kind(got: str, want: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", want) or int(want[5:7]) > 12:
        return "the annotation is no date (YYYY-DD-MM, a missing digit)"
    if not got:
        return "none found"
    if want[5:] == got[5:]:
        return "another year"
    if (want[5:7], want[8:]) == (got[8:], got[5:7]):
        return "day and month swapped"
    from datetime import date

    if abs((date.fromisoformat(got) - date.fromisoformat(want)).days) == 1:
        return "one day off"
    return "another day"


def print_categories(pages: list[dict[str, Any]]) -> None:
    for aspect, kind in (("title", title_kind), ("date", date_kind)):
        groups: dict[str, list[str]] = {}
        for p in pages:
            if aspect in p:
                got, want = p[aspect]
                groups.setdefault(kind(got, want), []).append(f"{p['file']}: {got[:60]!r} want {want[:60]!r}")
        total = sum(len(v) for v in groups.values())
        print(f"\nVeille's {total} wrong {aspect}s by kind:")
        for name, rows in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            print(f"  {len(rows):3}  {name}")
            for line in rows:
                print(f"         {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--worst", type=int, default=15, help="how many of Veille's worst pages to list")
    parser.add_argument("--only", choices=sorted(RUNNERS), help="run one extractor only")
    parser.add_argument("--limit", type=int, help="the first N pages only (a quick look)")
    parser.add_argument("--dump", type=Path, help="write every page's mistakes to this JSON file")
    parser.add_argument(
        "--categories", action="store_true", help="list Veille's wrong titles and dates by kind"
    )
    args = parser.parse_args()
    data_file = args.directory / "evaldata.json"
    if not data_file.exists():
        print(f"no evaluation pages at {args.directory} (expected evaldata.json and html/)")
        return 1
    truth: dict[str, dict[str, Any]] = json.loads(data_file.read_text(encoding="utf-8"))
    items = sorted(truth.items(), key=lambda kv: kv[1]["file"])[: args.limit]
    names = [args.only] if args.only else ["veille", "trafilatura"]
    scores = {n: Score() for n in names}
    for name in names:  # warm up: imports and lazy tables are not a page's cost
        RUNNERS[name](b"<html><body><article><p>warm up</p></article></body></html>", "https://example.org/")
    wall = time.perf_counter()
    for url, t in items:
        body = (args.directory / "html" / t["file"]).read_bytes()
        stated = bool(t.get("date")) and states_day(body, url, annotated_day(t["date"]))
        for name in names:
            scores[name].add(t["file"], url, t, RUNNERS[name](body, url), stated)
    wall = time.perf_counter() - wall

    print(f"{len(items)} pages from {args.directory} ({wall:.0f} s wall)\n")
    print(
        "| extractor | snippet accuracy | precision | recall | title exact | date (day) | author | CPU/page |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in names:
        print(row(name, scores[name]))
    first = scores[names[0]]
    print(
        f"\ndate on the {first.stated} pages (of {first.dates} dated) whose HTML or address writes the"
        " annotated day: "
        + "; ".join(
            f"{n} {s.stated_ok / max(1, s.stated):.3f} ({s.stated_ok}/{s.stated})" for n, s in scores.items()
        )
    )
    if "veille" in scores:
        v = scores["veille"]
        print("\ngoals (not asserted):")
        checks = [
            (f"snippet accuracy {v.accuracy:.3f} >= {GOALS['accuracy']}", v.accuracy >= GOALS["accuracy"]),
            (f"title exact match {v.titles_ok / max(1, v.titles):.3f} >= {GOALS['title']}",
             v.titles_ok / max(1, v.titles) >= GOALS["title"]),
            (f"date {v.dates_ok / max(1, v.dates):.3f} >= {GOALS['date']}",
             v.dates_ok / max(1, v.dates) >= GOALS["date"]),
        ]  # fmt: skip
        if "trafilatura" in scores:
            t_ = scores["trafilatura"]
            ratio = v.ms / t_.ms if t_.ms else 0.0
            checks.append(
                (f"snippet accuracy beats trafilatura's {t_.accuracy:.3f}", v.accuracy > t_.accuracy)
            )
            checks.append((f"CPU ratio {ratio:.2f} <= {GOALS['cpu_ratio']}", ratio <= GOALS["cpu_ratio"]))
        for label, ok in checks:
            print(f"  {'✔' if ok else '✘'} {label}")
        worst = sorted(v.per_page, key=lambda p: -p["errors"])[: args.worst]
        print(f"\nVeille's {len(worst)} worst pages (snippets missed/leaked, wrong title/date):")
        for p in worst:
            bits = [f"{len(p['missing'])} missed", f"{len(p['leaked'])} leaked"]
            if "title" in p:
                bits.append(f"title {p['title'][0][:50]!r} want {p['title'][1][:50]!r}")
            if "date" in p:
                bits.append(f"date {p['date'][0] or '-'} want {p['date'][1]}")
            print(f"  {p['file']}: " + "; ".join(bits))
    if args.categories and "veille" in scores:
        print_categories(scores["veille"].per_page)
    if args.dump:
        args.dump.write_text(
            json.dumps({n: s.per_page for n, s in scores.items()}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
