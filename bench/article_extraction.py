"""Main-text quality of Veille's page extractor (spiders/page.py) on public benchmarks.

1. The article-extraction-benchmark (Zyte): word-level 4-gram P/R/F1 against ``articleBody``,
   computed as upstream's evaluate.py does (documents weigh the same; P and R averaged over
   documents; F1 of the two averages). Upstream trafilatura scores F1 0.958 there.
2. fundus's French pages: title exact match, date match (to the minute, any offset), and
   body word F1 against the expected paragraphs.

Prints, never asserts. Usage::

    python bench/article_extraction.py [BENCH_DIR] [--fundus FUNDUS_DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT = REPO.parent / "shared" / "realworld" / "article-extraction-benchmark"
FUNDUS = REPO.parent / "shared" / "realworld" / "fundus"


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(0, len(tokens) - n + 1)))


def prf(pred: str, true: str) -> tuple[float, float]:
    p, t = shingles(pred), shingles(true)
    tp = sum((p & t).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def zyte(directory: Path) -> None:
    from spiders.page import extract_page

    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    ps, rs, exact = [], [], 0
    start = time.perf_counter()
    for item_id, gt in truth.items():
        body = gzip.decompress((directory / "html" / f"{item_id}.html.gz").read_bytes())
        fields = extract_page(body, gt["url"], content_type="text/html; charset=utf-8")
        p, r = prf(fields.text, gt["articleBody"])
        ps.append(p)
        rs.append(r)
        exact += re.findall(r"\w+", fields.text) == re.findall(r"\w+", gt["articleBody"])
    secs = time.perf_counter() - start
    P, R = sum(ps) / len(ps), sum(rs) / len(rs)
    F = 2 * P * R / (P + R) if P + R else 0.0
    print(f"article-extraction-benchmark ({len(ps)} pages, {len(ps) / secs:.1f} pages/s incl. metadata):")
    print(f"  F1 {F:.3f}  precision {P:.3f}  recall {R:.3f}  accuracy {exact / len(ps):.3f}")
    print("  (upstream trafilatura default settings: F1 0.958 P 0.938 R 0.978 acc 0.293)")


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", (text or "").lower()))


def fundus(directory: Path) -> None:
    from spiders.page import extract_page

    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    pairs = [m for m in manifest if (m.get("html_lang") or "").lower().startswith("fr")]
    print(f"fundus French pages ({len(pairs)}):")
    for m in pairs:
        html = gzip.decompress((directory / m["html"]).read_bytes())
        path, version = m["expected"].split("#")
        expected = json.loads((directory / path).read_text(encoding="utf-8"))[version]
        crawl = datetime.fromisoformat(m["crawl_date"]) if m.get("crawl_date") else None
        fields = extract_page(html, m["url"], fetched_at=crawl, content_type="text/html; charset=utf-8")
        body = expected.get("body") or {}
        paragraphs = [p for s in body.get("sections", []) for p in s.get("paragraphs", [])]
        true = "\n\n".join(paragraphs)
        pw, tw = _words(fields.text), _words(true)
        tp = sum((pw & tw).values())
        p = tp / max(1, sum(pw.values()))
        r = tp / max(1, sum(tw.values()))
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        title_ok = " ".join((expected.get("title") or "").split()) == fields.title
        want = expected.get("publishing_date")
        date_ok = None
        if want:
            wd = datetime.fromisoformat(want)
            date_ok = fields.published is not None and abs((fields.published - wd).total_seconds()) < 60
        print(
            f"  {m['publisher']:<12} title {'ok ' if title_ok else 'NO '} date {('ok ' if date_ok else 'NO ') if want else 'n/a'}"
            f" body word P {p:.2f} R {r:.2f} F1 {f1:.2f}"
            + ("" if title_ok else f"  got title {fields.title[:60]!r}")
            + ("" if date_ok in (True, None) else f"  got date {fields.published} want {want}")
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--fundus", type=Path, default=FUNDUS)
    args = parser.parse_args()
    if (args.directory / "ground-truth.json").exists():
        zyte(args.directory)
    else:
        print(f"no benchmark at {args.directory}")
    if (args.fundus / "manifest.json").exists():
        fundus(args.fundus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
