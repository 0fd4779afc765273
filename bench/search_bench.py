"""Search benchmark: a synthetic French archive, 20 representative queries, p50/p95 per backend.

Generates N articles (~400 words each, figures and organisations attached), bulk-loads
them into SQLite and/or PostgreSQL, builds the full-text index, then times
:func:`veille.archive.search.search` and :func:`veille.archive.search.figures` (hits + total; facets
timed apart) against a plain ``LIKE`` scan. Prints only; asserts nothing.

Example: python bench/search_bench.py --n 100000 --backend both
(with analysts' corrections on 2 % of the figures, timed again: --corrections 0.02)
Results and how to reproduce them: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from veille.archive import schema as t
from veille.archive.bulk import load_articles
from veille.archive.cache import CACHE
from veille.archive.fulltext import index_text
from veille.archive.search import FigureQuery, SearchQuery, figures, search
from veille.archive.store import Store, open_store
from veille.core.models import Analysis, Article, Figure, Mention, Organisation
from veille.core.runtime import settle_heap

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

SOURCES = [
    "medias24",
    "leseco",
    "lematin",
    "hespress",
    "lavieeco",
    "le360",
    "challenge",
    "telquel",
    "h24info",
    "mapexpress",
]
CITIES = [
    "Casablanca",
    "Rabat",
    "Fès",
    "Tanger",
    "Oujda",
    "Marrakech",
    "Agadir",
    "Tétouan",
    "Kénitra",
    "Meknès",
]
CITY_WEIGHTS = [30, 18, 9, 10, 5, 8, 6, 5, 5, 4]
ORGS = [
    ("Agence de développement du digital", "ADD", "agency"), ("APEBI", "APEBI", "federation"),
    ("Medz Sourcing", "Medz", "company"), ("OFPPT", "OFPPT", "school"), ("AMRC", "AMRC", "federation"),
    ("Ministère de l'Industrie", "MIC", "ministry"), ("Teleperformance", "TP", "company"),
    ("Majorel", "Majorel", "company"), ("Webhelp", "Webhelp", "company"), ("Intelcia", "Intelcia", "company"),
    ("CDG Invest", "CDG", "bank"), ("Office des changes", "OC", "agency"), ("Casanearshore", "CNS", "zone"),
    ("Technopolis Rabat", "Technopolis", "zone"), ("AMDIE", "AMDIE", "agency"), ("CGEM", "CGEM", "federation"),
    ("Bank Al-Maghrib", "BAM", "bank"), ("Haut-Commissariat au Plan", "HCP", "agency"),
    ("Ministère de la Transition numérique", "MTNRA", "ministry"), ("Capgemini", "Capgemini", "company"),
    ("CGI", "CGI", "company"), ("Atos", "Atos", "company"), ("Sitel", "Sitel", "company"),
    ("Comdata", "Comdata", "company"), ("Tanger Med", "TMSA", "zone"), ("Fès Shore", "Fès Shore", "zone"),
    ("Oujda Shore", "Oujda Shore", "zone"), ("ANAPEC", "ANAPEC", "agency"), ("UM6P", "UM6P", "school"),
    ("ENSIAS", "ENSIAS", "school"), ("Banque mondiale", "BM", "bank"), ("Orange Business", "Orange", "company"),
]  # fmt: skip
THEMES = [
    "emploi",
    "export",
    "formation",
    "infrastructures",
    "startups",
    "cybersecurite",
    "concurrence",
    "investissement",
]
# Sector vocabulary: (words as written, share of articles using it, theme). The rest of a text is
# general French drawn from a 5,000-word frequency list (bench/data/fr_words.txt) with a Zipf law.
SECTOR = [
    ("Maroc", 0.65, None), ("secteur", 0.50, None), ("emplois", 0.25, "emploi"), ("emploi", 0.15, "emploi"),
    ("offshoring", 0.38, None), ("entreprises", 0.35, None),
    ("croissance", 0.15, "investissement"), ("investissement", 0.18, "investissement"), ("formation", 0.18, "formation"),
    ("numérique", 0.15, None), ("stratégie", 0.12, None), ("exportations", 0.12, "export"), ("export", 0.05, "export"),
    ("recrutement", 0.10, "emploi"), ("centre d'appels", 0.10, None), ("plateforme", 0.10, None),
    ("création d'emplois", 0.08, "emploi"), ("nearshore", 0.08, None), ("téléconseillers", 0.06, "emploi"),
    ("talents", 0.08, "formation"), ("ingénieurs", 0.07, "formation"), ("compétences", 0.09, "formation"),
    ("intelligence artificielle", 0.06, None), ("données", 0.08, None), ("cloud", 0.05, None),
    ("zone franche", 0.04, "infrastructures"), ("parc industriel", 0.03, "infrastructures"),
    ("cybersécurité", 0.05, "cybersecurite"), ("certification", 0.03, None), ("startup", 0.05, "startups"),
    ("Tunisie", 0.04, "concurrence"), ("Portugal", 0.03, "concurrence"), ("Roumanie", 0.015, "concurrence"),
    ("Égypte", 0.02, "concurrence"), ("relation client", 0.07, None), ("back-office", 0.03, None),
    ("externalisation", 0.06, None), ("donneurs d'ordre", 0.03, None), ("francophone", 0.05, None),
    ("subvention", 0.02, "investissement"), ("fiscalité", 0.03, "investissement"), ("salaires", 0.05, "emploi"),
    ("transformation digitale", 0.05, None), ("infrastructures", 0.04, "infrastructures"),
]  # fmt: skip
VERBS = (
    "accélère confirme annonce prévoit signe lance inaugure renforce développe recrute forme attire investit "
    "exporte progresse recule atteint dépasse vise mobilise accompagne structure soutient ouvre étend"
).split()
FIGURE_SENTENCES = [
    ("jobs", "{org} prévoit la création de {jobs} emplois d'ici {year} à {city}."),
    ("jobs", "Le site de {city} compte désormais {jobs} salariés, selon {org}."),
    ("jobs", "{org} table sur {jobs} recrutements en {year}."),
    ("MAD", "Le montant de l'investissement atteint {mad} millions de dirhams, indique {org}."),
    ("MAD", "{org} mobilise une enveloppe de {mad} millions de dirhams pour {city}."),
    (
        "MAD",
        "Le chiffre d'affaires du programme est estimé à {mad} millions de dirhams en {year}, d'après {org}.",
    ),
    ("percent", "La croissance du secteur s'établit à {pct} % en {year}, selon {org}."),
    ("percent", "Les exportations de services progressent de {pct} % sur un an, note {org}."),
    ("percent", "Le taux d'insertion des lauréats atteint {pct} %, se félicite {org}."),
]
_WORDS_FILE = Path(__file__).resolve().parent / "data" / "fr_words.txt"


class _Vocabulary:
    """General French words drawn with a Zipf law (a pre-expanded table: one draw = one index)."""

    def __init__(self) -> None:
        sector_keys = {k for w, _, _ in SECTOR for k in index_text(w).split()}
        words = [
            w for w in _WORDS_FILE.read_text(encoding="utf-8").split() if index_text(w) not in sector_keys
        ]
        weights = [1.0 / (rank + 2.7) ** 1.05 for rank in range(len(words))]  # Zipf-Mandelbrot
        scale = 400_000 / sum(weights)
        self.table = [w for w, x in zip(words, weights, strict=True) for _ in range(max(1, round(x * scale)))]
        self.org_cum = list(itertools.accumulate(1.0 / (r + 1) ** 0.8 for r in range(len(ORGS))))

    def filler(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.table, k=k)


def _figure_sentence(
    rng: random.Random, kind: str, tpl: str, org: str, city: str, year: int
) -> tuple[str, float]:
    jobs, mad, pct = rng.randint(1, 80) * 100, rng.randint(5, 900), rng.randint(1, 99) / 10
    text = tpl.format(
        org=org,
        city=city,
        year=year,
        jobs=f"{jobs:,}".replace(",", " "),
        mad=mad,
        pct=f"{pct:.1f}".replace(".", ","),
    )
    return text, {"jobs": jobs, "MAD": mad * 1e6, "percent": pct}[kind]


def generate(n: int, seed: int = 7):  # type: ignore[no-untyped-def]
    """Yield (article row, figure rows, [(org index, start, end, text)]) for n synthetic articles.

    ~400-word French articles: general words with a Zipf law, sector terms at realistic
    rates (a few in 30-65 % of articles, most in 1-15 %), 1-3 organisations, 0-6 figures
    (jobs, MAD, %) with their period, 5 % syndicated copies sharing a cluster.
    """
    rng = random.Random(seed)
    voc = _Vocabulary()
    start = datetime(2022, 1, 1, 9, tzinfo=UTC)
    now = datetime.now(UTC)
    prev: dict | None = None
    for i in range(n):
        aid = i + 1
        source = SOURCES[i % len(SOURCES)]
        published = start + timedelta(minutes=int(i * (4 * 365 * 24 * 60) / n))
        if prev is not None and rng.random() < 0.05:  # a syndicated copy of the previous article
            art = {**prev[0], "id": aid, "url": f"https://{source}.test/a/{aid}", "canonical_url": f"https://{source}.test/a/{aid}",
                   "source": source, "published": published, "cluster_id": prev[0]["cluster_id"]}  # fmt: skip
            figs = [{**f, "article_id": aid} for f in prev[1]]
            yield art, figs, prev[2]
            continue
        orgs = []
        while len(orgs) < rng.choice((1, 1, 2, 2, 3)):
            o = rng.choices(range(len(ORGS)), cum_weights=voc.org_cum)[0]
            if o not in orgs:
                orgs.append(o)
        city = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
        year = published.year - rng.choice((0, 0, 0, 1, -1))
        terms = [(w, th) for w, p, th in SECTOR if rng.random() < p]
        themes = list(dict.fromkeys(th for _, th in terms if th))[:2] or [rng.choice(THEMES)]
        # body: filler sentences with the sector terms sprinkled in, then figure and organisation sentences
        target = rng.randint(330, 470)
        tokens = voc.filler(rng, target)
        for w, _ in terms:
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
                tokens.insert(rng.randrange(len(tokens) + 1), w)
        tokens.insert(rng.randrange(len(tokens) + 1), city)
        sentences, pos = [], 0
        while pos < len(tokens):
            k = rng.randint(9, 22)
            chunk = tokens[pos : pos + k]
            pos += k
            sentences.append(chunk[0][:1].upper() + chunk[0][1:] + " " + " ".join(chunk[1:]) + ".")
        fig_specs = []
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3, 5))):
            kind, tpl = rng.choice(FIGURE_SENTENCES)
            sent, value = _figure_sentence(rng, kind, tpl, ORGS[rng.choice(orgs)][0], city, year)
            at = rng.randrange(len(sentences) + 1)
            sentences.insert(at, sent)
            fig_specs.append((sent, kind, value))
        for o in orgs:
            sentences.insert(
                rng.randrange(len(sentences) + 1), f"{ORGS[o][0]} {rng.choice(VERBS)} son programme à {city}."
            )
        text = " ".join(sentences)
        head = [w for w, _ in terms[:2]] or [rng.choice(SECTOR)[0]]
        title = (
            f"{head[0][:1].upper()}{head[0][1:]} : {ORGS[orgs[0]][1]} {rng.choice(VERBS)} "
            + " ".join(voc.filler(rng, rng.randint(3, 7)))
            + (f" et {head[1]}" if len(head) > 1 else "")
            + f" à {city}"
        )
        lead = (
            " ".join(voc.filler(rng, rng.randint(12, 25))).capitalize()
            + " "
            + (terms[2][0] if len(terms) > 2 else city)
            + "."
        )
        art = {
            "id": aid, "url": f"https://{source}.test/a/{aid}", "canonical_url": f"https://{source}.test/a/{aid}", "source": source,
            "title": title, "lead": lead, "text": text, "published": published, "fetched_at": now, "partial": False,
            "relevance": round(rng.random(), 3), "matched_terms": [], "themes": themes, "cluster_id": aid,
            "word_count": text.count(" ") + 1, "created_at": now, "updated_at": now, "language": "fr",
        }  # fmt: skip
        figs = []
        for sent, kind, value in fig_specs[:6]:
            s0 = text.find(sent)
            num = re.search(r"\d+(?:[ ,]\d+)*", sent)
            assert num is not None
            period = str(year) if rng.random() < 0.7 else f"{year}-Q{rng.randint(1, 4)}"
            metric = {"jobs": "emplois", "MAD": "investissement", "percent": "croissance"}[kind]
            org = next(ORGS[o][0] for o in orgs if ORGS[o][0] in sent)
            figs.append(
                _figure(
                    aid,
                    text,
                    s0 + num.start(),
                    s0 + num.end(),
                    value,
                    kind,
                    period,
                    metric,
                    org,
                    s0,
                    s0 + len(sent),
                )
            )
        mentions = []
        for o in orgs:
            name = ORGS[o][0]
            p = text.find(name)
            while p >= 0 and len(mentions) < 12:
                mentions.append((o, p, p + len(name), name))
                p = text.find(name, p + 1)
        prev = (art, figs, mentions)
        yield art, figs, mentions


def _figure(aid: int, text: str, start: int, end: int, value: float, unit: str, period: str, metric: str, org: str,
            s0: int, s1: int) -> dict:  # fmt: skip
    return {
        "article_id": aid, "start": start, "end": end, "text": text[start:end], "sentence": text[s0:s1],
        "sentence_start": s0, "sentence_end": s1, "value": value, "unit": unit, "approx": False, "period": period,
        "metric": metric, "organisations": [org],
    }  # fmt: skip


_FIGURE_KEYS = [f for f in Figure.__dataclass_fields__ if f != "organisations"]
_ORG_BY_NAME = {o[0]: o for o in ORGS}


def items(n: int, enrich=None):  # type: ignore[no-untyped-def]
    """The n synthetic articles as the pipeline hands them to the archive: (article, analysis)."""
    for art, figs, ments in generate(n):
        rows = ({**f, "published": art["published"]} for f in figs)
        found = [enrich(f, art) for f in rows] if enrich is not None else list(rows)
        figures = tuple(
            Figure(organisations=tuple(f["organisations"]), **{k: f[k] for k in _FIGURE_KEYS if k in f})
            for f in found
        )
        spans: dict[str, list[Mention]] = {}
        for o, s, e, x in ments:
            spans.setdefault(ORGS[o][0], []).append(Mention(s, e, x))
        for f in figures:
            for name in f.organisations:
                spans.setdefault(name, [])
        orgs = tuple(
            Organisation(name, kind=_ORG_BY_NAME[name][2], acronym=_ORG_BY_NAME[name][1], mentions=tuple(m))
            for name, m in spans.items()
        )
        cluster = art["cluster_id"] if art["cluster_id"] != art["id"] else None
        article = Article(
            url=art["url"], source=art["source"], title=art["title"], text=art["text"], canonical_url=art["canonical_url"],
            published=art["published"], lead=art["lead"], language=art["language"], fetched_at=art["fetched_at"],
            relevance=art["relevance"], matched_terms=art["matched_terms"], themes=art["themes"], cluster=cluster,
        )  # fmt: skip
        yield article, Analysis(figures=figures, organisations=orgs)


def load(store: Store, n: int, enrich=None) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Bulk-load n articles; returns timings (seconds). ``enrich(figure, article)``, if given,
    returns each figure row as it is to be stored (``bench/indicators_bench.py`` gives the
    figures an indicator, a status, a scope and values that agree or not). PostgreSQL: through
    the archive's bulk load (``veille.archive.bulk``: COPY, indexes built after)."""
    if store.dialect == "postgresql":
        report = load_articles(store, items(n, enrich), version="bench")
        return {f"bulk load: {k}": v for k, v in report.seconds.items()}
    timings: dict[str, float] = {}
    sqlite = store.dialect == "sqlite"
    with store.engine.begin() as conn:
        conn.execute(
            t.organisations.insert(),
            [{"id": i + 1, "name": o[0], "kind": o[2], "acronym": o[1]} for i, o in enumerate(ORGS)],
        )
        conn.execute(
            t.org_aliases.insert(),
            [
                {"org_id": i + 1, "alias": a, "alias_key": a.casefold()}
                for i, o in enumerate(ORGS)
                for a in {o[0], o[1]}
            ],
        )
        if not sqlite:
            conn.execute(sa.text("DROP INDEX IF EXISTS ix_articles_search_vector"))
    t0 = time.perf_counter()
    fts_time = 0.0
    batch: list[dict] = []
    figs: list[dict] = []
    ments: list[dict] = []

    def flush() -> None:
        nonlocal fts_time
        with store.engine.begin() as conn:
            conn.execute(t.articles.insert(), batch)
            if figs:
                conn.execute(t.figures.insert(), figs)
                names = (
                    "json_each(f.organisations) AS j"
                    if sqlite
                    else "json_array_elements_text(f.organisations) AS j(value)"
                )
                conn.execute(
                    sa.text(
                        f"INSERT INTO figure_orgs (figure_id, org_id) SELECT DISTINCT f.id, o.id FROM figures AS f, {names} "
                        "JOIN organisations AS o ON o.name = j.value WHERE f.article_id BETWEEN :lo AND :hi"
                    ),
                    {"lo": batch[0]["id"], "hi": batch[-1]["id"]},
                )
            if ments:
                conn.execute(t.org_mentions.insert(), ments)
            if sqlite:
                f0 = time.perf_counter()
                conn.execute(
                    sa.text(
                        "INSERT INTO article_fts (rowid, title, lead, body) VALUES (:id, :title, :lead, :body)"
                    ),
                    [
                        {
                            "id": a["id"],
                            "title": index_text(a["title"]),
                            "lead": index_text(a["lead"]),
                            "body": index_text(a["text"]),
                        }
                        for a in batch
                    ],
                )
                fts_time += time.perf_counter() - f0
        batch.clear()
        figs.clear()
        ments.clear()

    for art, fl, ml in generate(n):
        batch.append(art)
        rows = ({**f, "published": art["published"]} for f in fl)  # the article's date, copied
        figs.extend(rows if enrich is None else (enrich(f, art) for f in rows))
        ments.extend(
            {"article_id": art["id"], "org_id": o + 1, "start": s, "end": e, "text": x} for o, s, e, x in ml
        )
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()
    timings["load (incl. index feed)"] = time.perf_counter() - t0
    if sqlite:
        timings["FTS5 feed (stemming + insert)"] = fts_time
        t1 = time.perf_counter()
        with store.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO article_fts(article_fts) VALUES ('optimize')"))
            conn.execute(sa.text("ANALYZE"))
        timings["FTS5 optimize + ANALYZE"] = time.perf_counter() - t1
    else:
        t1 = time.perf_counter()
        with store.engine.begin() as conn:
            conn.execute(
                sa.text("CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)")
            )
        timings["GIN index build"] = time.perf_counter() - t1
        t1 = time.perf_counter()
        store.refresh_search_index()  # as the end of a collection run does (veille.archive.recent_index)
        timings["newest articles' GIN index build"] = time.perf_counter() - t1
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    return timings


SEARCHES = [
    SearchQuery("emploi"),
    SearchQuery("création d'emplois"),
    SearchQuery('"zone franche"'),
    SearchQuery("cybersécurité certification"),
    SearchQuery("Tunisie OR Portugal"),
    SearchQuery("offshoring -Tunisie"),
    SearchQuery("export*"),
    SearchQuery('"intelligence artificielle" Casablanca'),
    SearchQuery("recrutement téléconseillers", order="date"),
    SearchQuery("investissement", since=date(2025, 1, 1), sources=("medias24",)),
    SearchQuery("emploi", org="ADD"),
    SearchQuery("formation", theme="formation", min_relevance=0.5),
    SearchQuery("stratégie numérique", since=date(2024, 1, 1), until=date(2024, 6, 30)),
    SearchQuery("", unit="jobs", min_value=5000, period="2024"),
    SearchQuery("", org="Medz", unit="MAD", order="date"),
    SearchQuery("croissance", unit="MAD", min_value=5e8),
    SearchQuery("", order="date", sources=("leseco", "lematin")),
]
FIGURES = [
    FigureQuery(unit="jobs", min_value=5000, period="2024"),
    FigureQuery(unit="MAD", org="Medz"),
    FigureQuery(text="Tanger", unit="MAD", order="value"),
]
LIKE_WORDS = [
    "emploi",
    "creation",
    "zone franche",
    "cybersecurite",
    "tunisie",
    "offshoring",
    "export",
    "intelligence",
]


def _time(fn, repeat: int, *, cold: bool = True) -> list[float]:  # type: ignore[no-untyped-def]
    """Milliseconds per call; ``cold``: the result cache is emptied before each call."""
    fn()  # warm-up
    out = []
    for _ in range(repeat):
        if cold:
            CACHE.clear()
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_queries(store: Store, repeat: int, *, like: bool = True) -> None:
    settle_heap()  # as `veille serve` does once started: no 100 ms collector pauses over the startup heap
    all_ms: list[float] = []
    print(f"  {'query':58} {'p50 ms':>8} {'p95 ms':>8} {'total':>7}")
    for q in SEARCHES:
        ms = _time(lambda q=q: search(store, q, with_facets=False), repeat)
        all_ms += ms
        res = search(store, q, with_facets=False)
        total = f"{res.total}{'' if res.total_exact else '+'}"
        label = (
            (q.text or "")
            + " "
            + " ".join(
                f"{k}={v}"
                for k, v in vars(q).items()
                if k not in ("text",) and v not in (None, (), True, "relevance", 20, 0)
            )
        )
        print(f"  {label.strip()[:58]:58} {_pct(ms, 50):8.1f} {_pct(ms, 95):8.1f} {total:>7}")
    for fq in FIGURES:
        ms = _time(lambda fq=fq: figures(store, fq), repeat)
        all_ms += ms
        label = "figures " + " ".join(
            f"{k}={v}" for k, v in vars(fq).items() if v not in (None, "", 100, 0, "date")
        )
        fr = figures(store, fq)
        print(
            f"  {label[:58]:58} {_pct(ms, 50):8.1f} {_pct(ms, 95):8.1f} {str(fr.total) + ('' if fr.total_exact else '+'):>7}"
        )
    print(f"  => 20 queries x {repeat}, cold (cache emptied before each call): p50 {_pct(all_ms, 50):.1f} ms, "
          f"p95 {_pct(all_ms, 95):.1f} ms, max {max(all_ms):.1f} ms")  # fmt: skip
    warm_ms: list[float] = []
    for q in SEARCHES:
        warm_ms += _time(lambda q=q: search(store, q, with_facets=True), repeat, cold=False)
    print(f"  17 searches x {repeat} with facets, warm (same query again, archive unchanged): "
          f"p50 {_pct(warm_ms, 50):.1f} ms, p95 {_pct(warm_ms, 95):.1f} ms")  # fmt: skip
    facet_ms = []
    for q in SEARCHES[:5]:
        facet_ms += _time(lambda q=q: search(store, q, with_facets=True), max(1, repeat // 2))
    print(
        f"  with facets, cold (first 5 text queries): p50 {_pct(facet_ms, 50):.1f} ms, p95 {_pct(facet_ms, 95):.1f} ms"
    )
    if not like:
        return
    # baseline: a plain LIKE scan for the same words, newest 20 + count
    like_ms, fts_ms = [], []
    for w in LIKE_WORDS:

        def like(w: str = w) -> None:
            pattern = f"%{w}%"
            cond = sa.or_(
                sa.func.lower(t.articles.c.title).like(pattern),
                sa.func.lower(t.articles.c.text).like(pattern),
            )
            with store.engine.connect() as conn:
                conn.execute(sa.select(sa.func.count()).select_from(t.articles).where(cond)).scalar()
                conn.execute(
                    sa.select(t.articles.c.id).where(cond).order_by(t.articles.c.published.desc()).limit(20)
                ).all()

        like_ms.append(statistics.median(_time(like, 2, cold=False)))
        fts_ms.append(
            statistics.median(
                _time(lambda w=w: search(store, SearchQuery(w, order="date"), with_facets=False), 3)
            )
        )
    print(f"  LIKE scan baseline ({len(LIKE_WORDS)} words, count + newest 20): median {statistics.median(like_ms):.1f} ms "
          f"vs full text {statistics.median(fts_ms):.1f} ms -> {statistics.median(like_ms) / statistics.median(fts_ms):.1f}x faster")  # fmt: skip


def write_corrections(store: Store, share: float) -> None:
    """Analysts' corrections on ``share`` of the figures (every k-th by id), through the archive's
    own API as the web makes them: four in five change the value by 10 % (or confirm it), one in
    five rejects the figure. Prints how many and how long; the queries are then timed again."""
    from veille.archive import corrections as corr
    from veille.archive.accounts import add_account, find_account
    from veille.core.corrections import FigureFields

    who = find_account(store, "bench@example.ma") or add_account(
        store, "bench@example.ma", role="analyste", password="bench-analyste-2026"
    )
    F = t.figures
    step = max(1, round(1 / share))
    cols = (F.c.article_id, F.c.start, F.c.end, F.c.value, F.c.unit, F.c.period, F.c.indicator, F.c.status)
    with store.engine.connect() as conn:
        total = conn.scalar(sa.select(sa.func.count()).select_from(F)) or 0
        rows = conn.execute(
            sa.select(*cols, F.c.organisations)
            .where(F.c.id % step == 0, F.c.review.is_(None))
            .order_by(F.c.id)
        ).all()
    t0 = time.perf_counter()
    for i, r in enumerate(rows):
        action = ("correct", "correct", "correct", "confirm", "reject")[i % 5]
        fields = FigureFields(
            value=r.value * 1.1, unit=r.unit, period=r.period, indicator=r.indicator, status=r.status or "actual",
            organisations=tuple(r.organisations or ()),
        )  # fmt: skip
        corr.correct(
            store,
            r.article_id,
            r.start,
            r.end,
            action,
            fields if action == "correct" else None,
            who,
            based_on=0,
        )
    took = time.perf_counter() - t0
    print(f"  corrections: {len(rows)} of {total} figures ({len(rows) / max(1, total):.1%}) in {took:.1f} s "
          f"({1000 * took / max(1, len(rows)):.1f} ms each); the queries again:")  # fmt: skip


def bench_sqlite(
    n: int,
    repeat: int,
    workdir: Path,
    *,
    reuse: bool = False,
    queries: bool = True,
    like: bool = True,
    corrections: float | None = None,
) -> None:
    path = workdir / f"bench-{n}.db"
    fresh = not (reuse and path.exists())
    if fresh:
        for p in workdir.glob(f"bench-{n}.db*"):
            p.unlink()
    t0 = time.perf_counter()
    store = open_store(f"sqlite:///{path}")
    print(f"\nSQLite {n} articles ({path})")
    if fresh:
        for k, v in load(store, n).items():
            print(f"  {k}: {v:.1f} s")
    else:
        print(f"  reused (open + migrations {time.perf_counter() - t0:.1f} s)")
    with store.engine.begin() as conn:
        conn.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    size = sum(p.stat().st_size for p in workdir.glob(f"bench-{n}.db*"))
    print(f"  database size: {size / 1e6:.0f} MB")
    if queries:
        run_queries(store, repeat, like=like)
    if corrections:
        write_corrections(store, corrections)
        run_queries(store, repeat, like=False)
    store.close()


def pg_database(admin_url: str, name: str, reuse: bool) -> tuple[str, bool]:
    """The URL of the bench database ``name`` on ``admin_url``'s server, and whether it is fresh:
    kept when ``reuse`` and it exists, else dropped (``open_store(create=True)`` makes it)."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        fresh = not (reuse and exists)
        if fresh:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()
    return sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False), fresh


def bench_pg(
    n: int,
    repeat: int,
    admin_url: str,
    *,
    reuse: bool = False,
    queries: bool = True,
    like: bool = True,
    corrections: float | None = None,
    name: str | None = None,
) -> None:
    name = name or f"veille_bench_{n}"
    url, fresh = pg_database(admin_url, name, reuse)
    t0 = time.perf_counter()
    store = open_store(url, create=True)
    print(f"\nPostgreSQL {n} articles ({name})")
    if fresh:
        for k, v in load(store, n).items():
            print(f"  {k}: {v:.1f} s")
    else:
        store.refresh_search_index()  # an archive loaded before it existed gets it here
        print(f"  reused (open + migrations + newest articles' index {time.perf_counter() - t0:.1f} s)")
    with store.engine.connect() as conn:
        size = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
    print(f"  database size: {size / 1e6:.0f} MB")
    if queries:
        run_queries(store, repeat, like=like)
    if corrections:
        write_corrections(store, corrections)
        run_queries(store, repeat, like=False)
    store.close()


def machine_check(pg_url: str | None) -> None:
    """How fast this machine is right now, so runs on different days can be compared: a fixed
    pure-Python loop (the search's own work is mostly Python) and, when a server is given, a
    fixed PostgreSQL aggregate. Best of three; a shared machine's speed drifts by tens of %."""

    def python_loop() -> None:
        total = 0
        for i in range(2_000_000):
            total += i

    loop = min(_time(python_loop, 3, cold=False))
    line = f"machine check: Python loop (2M additions) {loop:.0f} ms"
    if pg_url:
        engine = sa.create_engine(pg_url)
        with engine.connect() as conn:
            stmt = sa.text("SELECT count(*) FROM generate_series(1, 2000000)")
            pg = min(_time(lambda: conn.execute(stmt).scalar(), 3, cold=False))
        engine.dispose()
        line += f", PostgreSQL count over 2M generated rows {pg:.0f} ms"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of synthetic articles")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query")
    parser.add_argument("--pg-url", default=PG_ADMIN, help="PostgreSQL server (admin database) URL")
    parser.add_argument("--pg-name", default=None, help="PostgreSQL database name (default veille_bench_N)")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the SQLite file")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse an archive left by an earlier run (same --n, --dir)"
    )
    parser.add_argument("--load-only", action="store_true", help="build the archives, time no query")
    parser.add_argument("--no-like", action="store_true", help="skip the (slow) LIKE scan baseline")
    parser.add_argument(
        "--corrections",
        type=float,
        default=None,
        metavar="SHARE",
        help="then write analysts' corrections on this share of the figures (0.02: 2 %%) and time the queries again",
    )
    args = parser.parse_args()
    kw = {
        "reuse": args.reuse,
        "queries": not args.load_only,
        "like": not args.no_like,
        "corrections": args.corrections,
    }
    machine_check(args.pg_url if args.backend != "sqlite" else None)
    if args.backend in ("sqlite", "both"):
        workdir = args.dir or Path(tempfile.mkdtemp(prefix="veille-bench-"))
        workdir.mkdir(parents=True, exist_ok=True)
        bench_sqlite(args.n, args.repeat, workdir, **kw)
    if args.backend in ("postgresql", "both"):
        bench_pg(args.n, args.repeat, args.pg_url, name=args.pg_name, **kw)


if __name__ == "__main__":
    main()
