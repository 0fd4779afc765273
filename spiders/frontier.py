"""The frontier several crawl workers share (``veille crawl --worker``), on scrapy-redis.

scrapy-redis gives the engine: a Scrapy scheduler whose queue of requests (a sorted set by
priority) and duplicate filter (a set of request fingerprints) live in Redis, so every worker
crawling a source pops from the same queue and no URL is requested twice. Veille adds what a
worker killed with SIGKILL needs, on scrapy-redis's own extension points:

- :class:`LeasedQueue` (``SCHEDULER_QUEUE_CLASS``) pops a request and copies it into the
  worker's *processing* set in one Lua script, so a request is always in the queue or in one
  worker's processing set, never only in a process's memory. The request leaves the processing
  set once its page is done (:meth:`SharedScheduler.ack`: its item written, or its callback
  finished without one) or when the worker goes idle (everything it popped is done then).
- Each worker keeps a heartbeat key alive (``worker_ttl`` seconds). A worker whose key has
  expired is dead: any other worker moves its processing set back into the queue (one Lua
  script) and drops it from the list of workers. Its requests are fetched again; a page it had
  already archived is skipped (the archive keeps one article per URL).
- :class:`SharedScheduler` keeps the queue when a worker closes (``SCHEDULER_PERSIST``) and keeps
  a worker open while the queue holds requests or another worker still has some in hand; the last
  worker to leave an empty queue resets the frontier (duplicate filter, seed mark) for the next
  crawl. A worker stopped early (Ctrl-C, SIGTERM) puts what it had in hand back in the queue.
- Requests are stored pickled (scrapy-redis's serializer): whoever can write to the Redis can run
  code in the workers, so it must be reachable by them only.
- :class:`SeedOnce` (a spider middleware): the source's start requests (feeds, listings,
  sitemaps) are sent by one worker only, the first to mark the frontier as seeded.

Keys, under the ``[crawl.cluster] frontier`` prefix P: ``P:{spider}:requests``,
``P:{spider}:dupefilter``, ``P:{spider}:seeded``, ``P:{spider}:workers``,
``P:{spider}:processing:{worker}``, ``P:worker:{worker}`` (heartbeat).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

log = logging.getLogger(__name__)

LEASE_META = "veille_frontier_lease"
IDLE_POLL_SECONDS = 0.5

_POP = """
local m = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #m == 0 then return false end
redis.call('ZREM', KEYS[1], m[1])
redis.call('ZADD', KEYS[2], m[2], m[1])
return m[1]
"""

# KEYS: queue, the dead worker's processing set, the workers set, its heartbeat; ARGV: its id
_RECLAIM = """
if redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local items = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = 1, #items, 2 do redis.call('ZADD', KEYS[1], items[i + 1], items[i]) end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return #items / 2
"""

# KEYS: workers set, queue, then the keys to reset; ARGV: this worker's id
_LEAVE = """
redis.call('SREM', KEYS[1], ARGV[1])
if redis.call('SCARD', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
"""


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue whose pop leaves a copy in the worker's processing set."""

    processing_key: str = ""  # set by SharedScheduler.open

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self._pop = server.register_script(_POP)
        self.leased: dict[str, bytes] = {}  # lease token -> the encoded request in processing

    def _encode_request(self, request: Request) -> bytes:
        lease = request.meta.pop(LEASE_META, None)  # a retry's copy is a new request
        try:
            return super()._encode_request(request)  # type: ignore[no-any-return]
        finally:
            if lease is not None:
                request.meta[LEASE_META] = lease

    def pop(self, timeout: int = 0) -> Request | None:
        data = self._pop(keys=[self.key, self.processing_key])
        if not data:
            return None
        request: Request = self._decode_request(data)
        token = uuid.uuid4().hex
        request.meta[LEASE_META] = token
        self.leased[token] = data
        return request

    def ack(self, request: Request | None) -> None:
        token = request.meta.get(LEASE_META) if request is not None else None
        data = self.leased.pop(token, None) if token else None
        if data is not None:
            self.server.zrem(self.processing_key, data)

    def release_all(self) -> None:
        """Everything this worker popped is done (its engine is idle)."""
        self.leased.clear()
        self.server.delete(self.processing_key)


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler, with the workers' heartbeats, leases and the common ending."""

    def __init__(self, server: Any, *, crawler: Any = None, **kwargs: Any) -> None:
        super().__init__(server, **kwargs)
        self.crawler = crawler
        cluster = crawler.settings.getdict("VEILLE_CLUSTER") if crawler is not None else {}
        self.prefix = str(cluster.get("frontier", "veille"))
        self.ttl_ms = max(int(float(cluster.get("worker_ttl", 15.0)) * 1000), 1000)
        self.worker = worker_id()
        self.spider_name = ""
        self._beat: Any = None
        self._reclaim = server.register_script(_RECLAIM)
        self._leave = server.register_script(_LEAVE)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        base = Scheduler.from_settings(crawler.settings)
        instance = cls(
            base.server,
            crawler=crawler,
            persist=True,  # the queue is everybody's: a worker leaving keeps it
            queue_key=base.queue_key,
            queue_cls=base.queue_cls,
            dupefilter=base.df,
            dupefilter_key=base.dupefilter_key,
            dupefilter_cls=base.dupefilter_cls,
            idle_before_close=0,  # a blocking pop would stop the reactor
            serializer=base.serializer,
        )
        instance.stats = crawler.stats
        crawler.veille_frontier = instance
        engine = getattr(crawler, "engine", None)
        if engine is not None and hasattr(engine, "_SLOT_HEARTBEAT_INTERVAL"):
            # an idle engine asks its scheduler again every 5 s; a worker waiting for the requests
            # another worker is adding asks every half second (no public setting for it in Scrapy 2.19)
            engine._SLOT_HEARTBEAT_INTERVAL = IDLE_POLL_SECONDS
        for handler, signal in (
            (instance._idle, signals.spider_idle),
            (instance._item_done, signals.item_scraped),
            (instance._item_done, signals.item_dropped),
            (instance._item_done, signals.item_error),
        ):
            crawler.signals.connect(handler, signal=signal)
        return instance

    # -- keys -----------------------------------------------------------------------------
    def key(self, name: str) -> str:
        return f"{self.prefix}:{self.spider_name}:{name}"

    def heartbeat_key(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}"

    # -- lifecycle ----------------------------------------------------------------------------
    def open(self, spider: Any) -> None:
        self.spider_name = spider.name
        super().open(spider)
        self.queue.processing_key = self.key(f"processing:{self.worker}")
        self.reclaim_dead()
        if not self.server.scard(self.key("workers")) and not len(self.queue):
            self.reset()  # a crawl every worker of which died with nothing left: start afresh
        self.server.sadd(self.key("workers"), self.worker)
        self.beat()
        from twisted.internet.task import LoopingCall

        self._beat = LoopingCall(self._tick)
        self._beat.start(self.ttl_ms / 3000, now=False).addErrback(
            lambda f: log.error("frontier heartbeat stopped: %s", f.value)
        )

    def close(self, reason: str) -> None:
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        if reason == "finished":
            self.queue.release_all()
        else:  # shut down before the end: what it had in hand goes back to the queue
            self._requeue_own()
        self.server.delete(self.heartbeat_key(self.worker))
        self._leave(keys=[self.key("workers"), self.queue.key, *self.reset_keys()], args=[self.worker])

    def reset_keys(self) -> list[str]:
        return [self.key("dupefilter"), self.key("seeded")]

    def reset(self) -> None:
        self.server.delete(*self.reset_keys())

    def _requeue_own(self) -> None:
        self.server.delete(self.heartbeat_key(self.worker))
        self._reclaim(
            keys=[
                self.queue.key,
                self.queue.processing_key,
                self.key("workers"),
                self.heartbeat_key(self.worker),
            ],
            args=[self.worker],
        )
        self.queue.leased.clear()

    def beat(self) -> None:
        """Alive for ``worker_ttl`` more seconds (a worker that stalled longer and was taken for
        dead registers again: what it had in hand went back to the queue and may be fetched twice)."""
        pipe = self.server.pipeline()
        pipe.set(self.heartbeat_key(self.worker), "1", px=self.ttl_ms)
        pipe.sadd(self.key("workers"), self.worker)
        pipe.execute()

    def _tick(self) -> None:
        self.beat()
        self.reclaim_dead()

    # -- seeding, leases and the end ------------------------------------------------------------
    def claim_seed(self) -> bool:
        """True for the one worker that sends the source's start requests in this crawl."""
        return bool(self.server.set(self.key("seeded"), self.worker, nx=True))

    def ack(self, request: Request | None) -> None:
        self.queue.ack(request)

    def _item_done(self, item: Any = None, response: Any = None, spider: Any = None, **kw: Any) -> None:
        self.ack(getattr(response, "request", None))

    def reclaim_dead(self) -> int:
        """Move the requests of workers whose heartbeat has expired back into the queue."""
        moved = 0
        for raw in self.server.smembers(self.key("workers")):
            other = raw.decode() if isinstance(raw, bytes) else str(raw)
            if other == self.worker or self.server.exists(self.heartbeat_key(other)):
                continue
            n = self._reclaim(
                keys=[
                    self.queue.key,
                    self.key(f"processing:{other}"),
                    self.key("workers"),
                    self.heartbeat_key(other),
                ],
                args=[other],
            )
            if n and int(n) > 0:
                log.warning("worker %s stopped answering: %d of its requests back in the queue", other, n)
                if self.stats:
                    self.stats.inc_value("veille/frontier/reclaimed", int(n))
                moved += int(n)
        return moved

    def others_busy(self) -> bool:
        for raw in self.server.smembers(self.key("workers")):
            other = raw.decode() if isinstance(raw, bytes) else str(raw)
            if other != self.worker and self.server.exists(self.key(f"processing:{other}")):
                return True
        return False

    def _idle(self, spider: Any = None) -> None:
        self.queue.release_all()  # idle: every request this worker popped is done
        self.reclaim_dead()
        if len(self.queue) or self.others_busy():
            raise DontCloseSpider  # work left here or in another worker's hands (which may die)


class SeedOnce:
    """Spider middleware of a worker: start requests from one worker only; a page that gives no
    item is done once its callback has run (its new requests are in the shared queue by then)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> SeedOnce:
        return cls(crawler)

    def _frontier(self) -> SharedScheduler | None:
        return getattr(self.crawler, "veille_frontier", None)

    async def process_start(self, start: Any) -> Any:
        frontier = self._frontier()
        if frontier is not None and not frontier.claim_seed():
            log.info("another worker seeded %s: taking requests from the shared queue", frontier.spider_name)
            return
        async for item_or_request in start:
            yield item_or_request

    def process_spider_output(self, response: Any, result: Any, spider: Any = None) -> Any:
        items = 0
        for x in result:
            items += not isinstance(x, Request)
            yield x
        self._done(response, items)

    async def process_spider_output_async(self, response: Any, result: Any, spider: Any = None) -> Any:
        items = 0
        async for x in result:
            items += not isinstance(x, Request)
            yield x
        self._done(response, items)

    def _done(self, response: Any, items: int) -> None:
        frontier = self._frontier()
        if frontier is not None and not items:  # with items: acked as each is written (item signals)
            frontier.ack(getattr(response, "request", None))
