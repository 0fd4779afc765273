"""Several ``veille crawl --worker`` processes share one crawl through Redis (scrapy-redis's
frontier, Veille's leases and per-host limits): real Redis, real PostgreSQL, real loopback
servers on three hosts that count concurrency and gaps; one worker is killed with SIGKILL
midway."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bench.hosts_site import HostsSite
from tests.conftest import REPO
from tests.spiders.conftest import PYTHON, child_env

REDIS_URL = os.environ.get("VEILLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CONCURRENCY = 2
DELAY = 0.4  # seconds between two requests to one host, whichever worker sends them
WINDOW = 3.0  # seconds: a host may see at most WINDOW / DELAY + 1 requests in any such window


def crawl_toml(frontier: str, delay: float = DELAY, concurrency: int = CONCURRENCY) -> str:
    return f"""
[crawl]
concurrent_requests = 16
concurrent_requests_per_domain = {concurrency}
download_delay = {delay}
download_timeout = 4
retry_times = 1
retry_backoff_base = 0.05
retry_backoff_max = 0.1
robots_obey = true
[crawl.autothrottle]
enabled = false
[crawl.cluster]
redis_url = "{REDIS_URL}"
frontier = "{frontier}"
worker_ttl = 5.0
lease_margin = 2.0
[crawl.scrapy]
LOG_LEVEL = "INFO"
"""


def _redis() -> object:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI"):
            pytest.fail(f"Redis not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    return client


@pytest.fixture
def frontier() -> Iterator[str]:
    client = _redis()
    name = f"test-{uuid.uuid4().hex[:8]}"
    yield name
    keys = list(client.scan_iter(f"{name}:*"))  # type: ignore[attr-defined]
    if keys:
        client.delete(*keys)  # type: ignore[attr-defined]


def make_config(tmp: Path, site: HostsSite, frontier: str, **kw: float) -> Path:
    conf = tmp / "config"
    shutil.copytree(REPO / "config", conf)
    (conf / "sources.toml").write_text(
        f'[[source]]\nname = "hosts"\nkind = "rss"\nurls = ["{site.feed_url}"]\nallowed_domains = []\n',
        encoding="utf-8",
    )
    (conf / "crawl.toml").write_text(crawl_toml(frontier, **kw), encoding="utf-8")  # type: ignore[arg-type]
    return conf


def start_worker(conf: Path, data: Path, db: str, site: HostsSite, log: Path) -> subprocess.Popen[bytes]:
    env = child_env(conf, data)
    env["VEILLE_DATABASE_URL"] = db
    hosts = [arg for h in site.hosts for arg in ("--allow-host", h)]
    # a crawl worker never extracts (docs/scaling.md): no VEILLE_EXTRACT=false needed
    cmd = [PYTHON, "-m", "veille", "crawl", "--worker", "-q", *hosts, "-s", "VEILLE_WORKERS=1"]
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def archived(db: str) -> list[str]:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT url FROM articles"))]
    except Exception:  # noqa: BLE001 - the schema may not exist yet
        return []
    finally:
        engine.dispose()


def test_two_workers_share_the_crawl_politely_and_a_killed_one_loses_nothing(
    tmp_path: Path, pg_url: str, frontier: str
) -> None:
    # one page in five takes 1.5 s: requests overlap and the concurrency limit binds; the others
    # take 20 ms: the delay binds. Two workers each keeping its own limits would give a host
    # twice as many requests in flight and in any window.
    # VEILLE_TEST_CRAWL_PAGES / _HOSTS make it the full run (2,000 pages: a few minutes)
    pages = int(os.environ.get("VEILLE_TEST_CRAWL_PAGES", "150"))
    site = HostsSite(
        pages=pages, hosts=int(os.environ.get("VEILLE_TEST_CRAWL_HOSTS", "3")), latency=0.02, slow=1.5
    )
    try:
        conf = make_config(tmp_path, site, frontier)
        data = tmp_path / "data"
        first = start_worker(conf, data, pg_url, site, tmp_path / "w1.log")
        time.sleep(1.0)  # the first seeds the frontier; the second takes from the shared queue
        second = start_worker(conf, data, pg_url, site, tmp_path / "w2.log")
        deadline = time.monotonic() + 120 + pages
        while time.monotonic() < deadline and len(archived(pg_url)) < pages // 3 and second.poll() is None:
            time.sleep(0.2)
        assert second.poll() is None, (tmp_path / "w2.log").read_text()[-3000:]
        second.send_signal(signal.SIGKILL)  # midway, with requests and host leases in hand
        second.wait(10)
        killed_at = len(archived(pg_url))
        assert first.wait(180 + pages) == 0, (tmp_path / "w1.log").read_text()[-3000:]
        urls = archived(pg_url)
        hits = Counter_of(site)
        print(
            f"archived {len(urls)} of {len(site.page_urls)} pages ({killed_at} when the second worker was killed); "
            f"pages fetched twice: {sum(1 for n in hits.values() if n > 1)}"
        )
        for host, c in site.counters.items():
            print(f"{host}: {sum(c.hits.values())} requests, max in flight {c.max_active} (limit {CONCURRENCY}), "
                  f"min gap {c.min_gap * 1000:.1f} ms (delay {DELAY * 1000:.0f} ms), {c.short_gaps(DELAY)} gaps shorter, "
                  f"{c.short_gaps(DELAY * 0.8)} shorter than 80 %, most in {WINDOW:g} s: {c.most_in(WINDOW)} "
                  f"(policy {int(WINDOW / DELAY) + 1})")  # fmt: skip
        missing = sorted(set(site.page_urls) - set(urls))
        print(
            "missing:",
            [(u, hits.get(u.split(":", 2)[2][u.split(":", 2)[2].index("/") :], 0)) for u in missing],
        )
        assert 0 < killed_at < len(site.page_urls)  # the kill came midway
        assert sorted(urls) == sorted(site.page_urls)  # every page archived, exactly once
        allowed = int(WINDOW / DELAY) + 1
        for host, c in site.counters.items():
            assert c.max_active <= CONCURRENCY, host
            # leases are timed by Redis; a worker whose reactor stalls a moment after its lease
            # (a batch written to the archive) can send a request a few ms late, next to the
            # following one: one request more in a window is that jitter, twice as many would not be
            assert c.most_in(WINDOW) <= allowed + 1, (host, c.most_in(WINDOW), allowed)
        assert all(n >= 1 for n in hits.values())
        assert "back in the queue" in (tmp_path / "w1.log").read_text() or _log_says_reclaimed(data)
    finally:
        for proc in ("first", "second"):
            p = locals().get(proc)
            if p is not None and p.poll() is None:
                p.kill()
        site.close()


def Counter_of(site: HostsSite) -> dict[str, int]:
    hits: dict[str, int] = {}
    for c in site.counters.values():
        hits.update({p: n for p, n in c.hits.items() if p.startswith("/a/")})
    return hits


def _log_says_reclaimed(data: Path) -> bool:
    return any(
        "back in the queue" in p.read_text(errors="replace") for p in (data / "logs").glob("crawl-*.log")
    )


def test_a_redis_url_with_a_password_is_refused_with_file_table_and_field(tmp_path: Path) -> None:
    from veille.core.conf import load_file
    from veille.core.conf.crawl import CrawlFile
    from veille.core.errors import VeilleError

    path = tmp_path / "crawl.toml"
    path.write_text('[crawl.cluster]\nredis_url = "redis://:hunter2@10.0.0.5:6379/0"\n', encoding="utf-8")
    with pytest.raises(VeilleError) as caught:
        load_file(CrawlFile, path)
    message = str(caught.value)
    assert "crawl.toml" in message and "redis_url" in message and "password" in message
    assert "hunter2" not in message
    path.write_text(
        '[crawl.cluster]\nredis_url = "redis://10.0.0.5:6379/2"\nworker_ttl = 5.0\n', encoding="utf-8"
    )
    assert load_file(CrawlFile, path).crawl.cluster.worker_ttl == 5.0


def test_a_worker_without_redis_says_so_in_one_line(tmp_path: Path) -> None:
    site = HostsSite(pages=3, hosts=1)
    try:
        conf = make_config(tmp_path, site, "unused")
        toml = (conf / "crawl.toml").read_text(encoding="utf-8").replace(REDIS_URL, "redis://127.0.0.1:1/0")
        (conf / "crawl.toml").write_text(toml, encoding="utf-8")
        data = tmp_path / "data"
        proc = subprocess.run(
            [PYTHON, "-m", "veille", "crawl", "--worker", "-q", "--allow-host", site.hosts[0]],
            cwd=REPO, env=child_env(conf, data), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        site.close()
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach Redis at redis://127.0.0.1:1/0" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert sum(c.hits.total() for c in site.counters.values()) == 0  # nothing fetched


def test_a_crawl_worker_never_extracts_even_when_told_to() -> None:
    """Extraction is the extraction workers' (claims): a crawl worker's end would extract every
    pending article, the other workers' too, outside the claims."""
    from scrapy.settings import Settings

    from spiders.run import worker_settings

    s = Settings({"VEILLE_CLUSTER": {"redis_url": REDIS_URL, "frontier": "x"}, "DOWNLOAD_DELAY": 0.4})
    s.set("VEILLE_EXTRACT", True, priority="cmdline")  # -s VEILLE_EXTRACT=true
    worker_settings(s)
    assert s.getbool("VEILLE_EXTRACT") is False
