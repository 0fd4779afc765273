"""The whole of "beyond one machine" at once: two ``veille crawl --worker`` and two ``veille
extract --worker`` processes over one PostgreSQL archive and one Redis, on a loopback site of
several hosts whose servers count the requests in flight; one crawl worker and one extraction
worker are killed with SIGKILL midway. Every page is archived exactly once and extracted exactly
once, by the extraction workers (crawl workers leave extraction to them), and no host ever has
more requests in flight than allowed.

60 pages on 3 hosts by default (the extraction, about 0.3 s of CPU an article, sets the pace);
``VEILLE_TEST_CLUSTER_PAGES=2000 VEILLE_TEST_CLUSTER_HOSTS=8`` for the issue's full size (add
``--timeout 1800``)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from bench.hosts_site import HostsSite
from tests.pipeline.test_extract_workers import short_leases, wait_for, worker_of
from tests.pipeline.test_extract_workers import start_worker as start_extractor
from tests.spiders.test_distributed import (
    CONCURRENCY,
    archived,
    frontier,  # noqa: F401 - the fixture
    make_config,
    start_worker,
)
from veille.archive.store import Store, open_store


def test_two_crawl_and_two_extraction_workers_one_of_each_killed(
    tmp_path: Path, pg_url: str, frontier: str
) -> None:
    pages = int(os.environ.get("VEILLE_TEST_CLUSTER_PAGES", "60"))
    site = HostsSite(
        pages, hosts=int(os.environ.get("VEILLE_TEST_CLUSTER_HOSTS", "3")), latency=0.02, slow=1.5
    )
    started = time.monotonic()
    procs: list[subprocess.Popen[bytes] | subprocess.Popen[str]] = []
    store = open_store(pg_url)
    try:
        conf = short_leases(make_config(tmp_path, site, frontier))
        data = tmp_path / "data"
        crawl_a = start_worker(conf, data, pg_url, site, tmp_path / "w1.log")
        procs.append(crawl_a)
        time.sleep(1.0)  # the first migrates the database and seeds the frontier
        crawl_b = start_worker(conf, data, pg_url, site, tmp_path / "w2.log")
        extract_a = start_extractor(pg_url, tmp_path, conf, "e1")
        extract_b = start_extractor(pg_url, tmp_path, conf, "e2")
        procs += [crawl_b, extract_a, extract_b]
        crawl_killed_at = kill_crawl_midway(crawl_b, pg_url, pages, tmp_path)
        extraction_killed = kill_extraction_midway(store, extract_a, extract_b)
        assert crawl_a.wait(180 + pages) == 0, (tmp_path / "w1.log").read_text()[-3000:]
        crawled = time.monotonic() - started

        def all_extracted() -> bool:
            ledger = store.extraction_ledger()
            return len(ledger) == pages and all(n >= 1 for n, _ in ledger.values())

        wait_for(all_extracted, timeout=120 + pages, procs=(extract_b,))  # type: ignore[arg-type]
        wait_for(lambda: not store.extraction_claims(), timeout=60, procs=(extract_b,))  # type: ignore[arg-type]
        extract_b.send_signal(signal.SIGTERM)
        assert extract_b.wait(60) == 0, (tmp_path / "e2.log").read_text()[-3000:]
        elapsed = time.monotonic() - started
        check_once(store, site, pg_url, extraction_killed, extract_b.pid)
        print(f"\n{pages} pages on {len(site.hosts)} hosts: crawl worker killed at {crawl_killed_at} archived, "
              f"crawl done in {crawled:.1f} s, all extracted in {elapsed:.1f} s (under load)")  # fmt: skip
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        store.close()
        site.close()


def kill_crawl_midway(crawl: subprocess.Popen[bytes], db: str, pages: int, tmp_path: Path) -> int:
    """SIGKILL crawl worker ``crawl`` once a third of the pages are archived; how many were."""
    deadline = time.monotonic() + 120 + pages
    while time.monotonic() < deadline and len(archived(db)) < pages // 3 and crawl.poll() is None:
        time.sleep(0.2)
    assert crawl.poll() is None, (tmp_path / "w2.log").read_text()[-3000:]
    crawl.send_signal(signal.SIGKILL)  # with requests and host leases in hand
    crawl.wait(10)
    return len(archived(db))


def kill_extraction_midway(store: Store, a: subprocess.Popen[str], b: subprocess.Popen[str]) -> str:
    """SIGKILL extraction worker ``a`` once it has committed articles and holds a batch; its name."""
    run = wait_for(lambda: worker_of(store, a.pid), procs=(a, b))
    worker = str(run["detail"]["worker"])

    def busy() -> bool:
        mine = sum(1 for _, by in store.extraction_ledger().values() if by == worker)
        return mine >= 1 and bool(store.extraction_claims(worker))

    wait_for(busy, timeout=300, procs=(a, b))
    a.send_signal(signal.SIGKILL)
    a.wait(30)
    return worker


def check_once(store: Store, site: HostsSite, db: str, killed: str, survivor_pid: int) -> None:
    """Every page archived once, extracted once by the extraction workers; hosts within limits."""
    urls = archived(db)
    assert sorted(urls) == sorted(site.page_urls)  # every page, exactly once
    ledger = store.extraction_ledger()
    assert {n for n, _ in ledger.values()} == {1}, {i: v for i, v in ledger.items() if v[0] != 1}
    survivor = worker_of(store, survivor_pid)
    assert survivor is not None and survivor["status"] == "ok"
    by = {b for _, b in ledger.values()}
    assert by <= {killed, survivor["detail"]["worker"]} and killed in by  # no crawl worker extracted
    for host, c in site.counters.items():
        assert c.max_active <= CONCURRENCY, host
    print({w: sum(1 for _, b in ledger.values() if b == w) for w in by}, survivor["detail"])
