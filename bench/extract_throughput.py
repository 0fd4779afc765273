"""Throughput of `veille extract` against raw spaCy `nlp.pipe` on the same texts.

    python bench/extract_throughput.py [--n 1000] [--processes 2] [--batch-size 64]

Builds a temporary SQLite archive of N articles (texts of the bundled demo corpus and of
the annotated sets, cycled, with a running suffix so no two texts are equal), then runs,
each in a fresh child process so that memory is measured apart:

  raw     build_nlp() + nlp.pipe(texts, n_process, batch_size), docs consumed, no archive
  veille  pipeline.extract.extract_articles(store, n_process, batch_size): reads the
          texts from the archive, runs the same pipeline, writes figures and mentions

and prints articles/s, words/s, peak RSS (the process and its largest worker) and the
ratio veille/raw (goal >= 0.8). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def corpus_texts() -> list[str]:
    import tomllib

    texts = [
        tomllib.loads(p.read_text("utf-8"))["body"]
        for p in sorted((ROOT / "veille/demo/corpus").glob("*.toml"))
    ]
    for folder in ("tests/data/gold/figures", "tests/data/gold/entities", "tests/data/heldout/figures"):
        texts += [p.read_text("utf-8") for p in sorted((ROOT / folder).glob("*.txt"))]
    return [t for t in texts if t.strip()]


def make_texts(n: int) -> list[str]:
    base = corpus_texts()
    return [f"{base[i % len(base)]}\n\nDépêche n° {i}." for i in range(n)]


def build_archive(path: Path, texts: list[str]) -> str:
    from datetime import UTC, datetime, timedelta

    from veille.archive.store import open_store
    from veille.core.models import Article

    url = f"sqlite:///{path}"
    store = open_store(url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i, text in enumerate(texts):
        store.upsert_article(
            Article(
                url=f"https://bench.test/{i}",
                source="bench",
                title=f"Article {i}",
                text=text,
                published=start + timedelta(hours=i),
            )  # fmt: skip
        )
    store.close()
    return url


def peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, child


def run_variant(variant: str, url: str, n: int, processes: int, batch_size: int) -> dict[str, float]:
    from pipeline.nlp import build_nlp

    texts = make_texts(n)
    words = sum(len(t.split()) for t in texts)
    nlp = build_nlp()  # loaded before timing in both variants
    t0 = time.perf_counter()
    if variant == "raw":
        for _doc in nlp.pipe(texts, n_process=processes, batch_size=batch_size):
            pass
    else:
        from pipeline.extract import extract_articles
        from veille.archive.store import open_store

        store = open_store(url)
        report = extract_articles(store, redo_all=True, n_process=processes, batch_size=batch_size)
        store.close()
        if report.processed != n:
            raise SystemExit(f"veille extracted {report.processed} of {n} articles ({report.failed} failed)")
    seconds = time.perf_counter() - t0
    own, child = peak_rss_mb()
    return {
        "seconds": seconds,
        "articles_s": n / seconds,
        "words_s": words / seconds,
        "rss_mb": own,
        "worker_rss_mb": child,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--child", choices=["raw", "veille"], help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(run_variant(args.child, args.url, args.n, args.processes, args.batch_size)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        texts = make_texts(args.n)
        words = sum(len(t.split()) for t in texts)
        url = build_archive(Path(tmp) / "bench.db", texts)
        print(f"{args.n} articles, {words} words, n_process={args.processes}, batch_size={args.batch_size}")
        results = {}
        for variant in ("raw", "veille"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", variant, "--url", url, "--n", str(args.n),
                 "--processes", str(args.processes), "--batch-size", str(args.batch_size)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            r = results[variant] = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{variant:7s} {r['seconds']:7.1f} s  {r['articles_s']:6.1f} articles/s  {r['words_s']:8.0f} words/s  "
                  f"peak RSS {r['rss_mb']:.0f} MB (+ largest worker {r['worker_rss_mb']:.0f} MB)")  # fmt: skip
        print(
            f"ratio veille/raw: {results['veille']['articles_s'] / results['raw']['articles_s']:.2f} (goal >= 0.8)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
