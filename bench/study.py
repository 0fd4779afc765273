"""Study benchmark: ``veille study`` of 5 indicators (exportations, effectif, emplois_crees,
investissement, and one with no point, chiffre_affaires) over 2014-2026, on the series tests'
archive (:mod:`tests.store.series_archive`) scaled up: its articles written ``--copies`` times
(distinct addresses, the same figures), so every point has ``copies`` times the citations and the
source list ``copies`` times the articles. Times, medians of ``--runs``: the whole study (read
the series with their citations, PNG charts, HTML, DOCX, the PDF printed by Chromium) and each
part; baseline in the same run: reading the same series alone (what ``veille indicators
--format json`` reads). Prints only; asserts nothing. The machine is shared: medians.

Example: python bench/study.py --copies 50 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

KEYS = ("exportations", "effectif", "emplois_crees", "investissement", "chiffre_affaires")


def _scaled(store: object, copies: int) -> None:
    from tests.store import series_archive as sa

    original = sa.article
    for n in range(copies):

        def article(store, key, source, day, text, figures, *, n=n, **kw):  # type: ignore[no-untyped-def]
            return original(store, f"{key}-{n}", source, day, text, figures, **kw)

        sa.article = article  # type: ignore[assignment]
        sa.load(store)  # type: ignore[arg-type]
    sa.article = original


def _timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _run(store, rule, out: Path):  # type: ignore[no-untyped-def]
    """One run: the series read alone (the baseline), then the study part by part."""
    from veille.archive.cache import CACHE
    from veille.archive.indicators import SeriesQuery, series
    from veille.study.document import write_docx
    from veille.study.page import render_html
    from veille.study.pictures import draw_png
    from veille.study.printing import print_pdf
    from veille.study.report import build_study

    CACHE.clear()
    queries = [SeriesQuery(indicator=k, scope_kind="country", scope="Maroc", year_from=2014, year_to=2026)
               for k in KEYS]  # fmt: skip
    parts = [("read only (baseline)", _timed(lambda: [series(store, q, rule, with_citations=True)
                                                      for q in queries])[0])]  # fmt: skip
    CACHE.clear()
    t, study = _timed(lambda: build_study(store, rule, KEYS, 2014, 2026))
    parts.append(("study: read", t))
    t, pics = _timed(lambda: {s.key: draw_png(s, out / f"{s.key}.png") for s in study.sections if s.points})
    parts.append(("study: png", t))
    parts.append(
        ("study: html", _timed(lambda: (out / "etude.html").write_text(render_html(study), "utf-8"))[0])
    )
    parts.append(("study: docx", _timed(lambda: write_docx(study, out / "etude.docx", pics))[0]))
    parts.append(("study: pdf", _timed(lambda: print_pdf(out / "etude.html", out / "etude.pdf"))[0]))
    parts.append(("study: total", sum(t for name, t in parts if name.startswith("study"))))
    return parts, study


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from tests.conftest import REPO
    from veille.archive.store import open_store
    from veille.core.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(data_dir=Path(tmp) / "data", config_dir=REPO / "config")
        settings.ensure_data_dir()
        store = open_store(settings.database_url)
        took, _ = _timed(lambda: _scaled(store, args.copies))
        rule = settings.series_rule
        print(f"archive: {args.copies} copies of the series archive written in {took:.1f} s")
        times: dict[str, list[float]] = {k: [] for k in ("read only (baseline)", "study: read", "study: png",
                                                         "study: html", "study: docx", "study: pdf", "study: total")}  # fmt: skip
        for run in range(args.runs):
            out = Path(tmp) / f"etude-{run}"
            out.mkdir()
            parts, study = _run(store, rule, out)
            for name, t in parts:
                times[name].append(t)
        store.close()
        sources = len(study.sources)
    print(f"5 indicators, {sum(len(s.points) for s in study.sections)} points, {sources} sources, "
          f"medians of {args.runs} runs (shared machine):")  # fmt: skip
    base = statistics.median(times["read only (baseline)"])
    for name, values in times.items():
        m = statistics.median(values)
        print(f"  {name:22} {m:7.2f} s   x{m / base:5.1f} of the read alone")
    print(f"target: a study of 5 indicators <= 10 s -> {statistics.median(times['study: total']):.2f} s")


if __name__ == "__main__":
    main()
