"""Worker processes for a crawl's pure CPU work, so the reactor keeps fetching meanwhile.

Extracting an article page (lxml, trafilatura, JSON-LD), cleaning its text, scoring its
relevance and hashing it for dedup are pure functions of the item: run in the reactor's
process they hold the GIL and stall downloads, the archive writes and each other; run in a
process pool they use the machine's other cores. The Twisted reactor, the dedup index and
the archive stay in the crawl's process.

``VEILLE_WORKERS`` (a Scrapy setting) is the number of worker processes: ``"auto"`` (the
project default) means one per CPU; ``0`` (the default outside the project's settings, as in
library use and unit tests) runs everything in the calling process. One pool serves every
spider and stage of a crawl process; it starts when the first user opens and stops when the
last one closes. Workers are forked from a fresh server process that imported the crawl's
modules once (``forkserver``), never from the threaded reactor process.

A worker never outlives the crawl process: killed with SIGKILL, the crawl cannot stop its
pool, so each worker watches it (:func:`_watch_owner`) and exits within a second of its end.
(The fork server and multiprocessing's resource tracker end by themselves once their pipes close.)
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

T = TypeVar("T")

# (name, function, arguments, passed_on): function(item, *arguments) is the step's result, put on
# the item's ``stage_results`` under its name; passed_on(result, item) is the item the next step
# works on, or None when this one will be dropped (the steps stop there)
Step = tuple[str, Callable[..., Any], tuple[Any, ...], Callable[[Any, Any], Any] | None]


def run_steps(item: Any, steps: list[Step]) -> Any:
    """The pure work of several stages on one item, in one call (in a worker process): each step
    on the item as the one before left it; stops after a step whose item will be dropped."""
    current = item
    for name, fn, args, passed_on in steps:
        result = fn(current, *args)
        item.stage_results[name] = result
        following = passed_on(result, current) if passed_on is not None else current
        if following is None:
            break
        current = following
    return item


PRELOAD = [
    "spiders.page",
    "spiders.items",
    "pipeline.normalise",
    "pipeline.relevance",
    "pipeline.dedup",
    "pipeline.storage",
]


def worker_count(value: Any) -> int:
    """``VEILLE_WORKERS`` as a number of processes ("auto": one per CPU)."""
    if value in (None, "", "auto"):
        return os.cpu_count() or 1
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"VEILLE_WORKERS must be a number or 'auto', got {value!r}") from None
    return max(0, count)


class _SharedPool:
    """One process pool for the whole crawl process, counted by its users."""

    def __init__(self) -> None:
        self.executor: ProcessPoolExecutor | None = None
        self.users = 0

    def acquire(self, workers: int) -> ProcessPoolExecutor:
        if self.executor is None:
            context: BaseContext
            if "forkserver" in multiprocessing.get_all_start_methods():
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(PRELOAD)
            else:  # Windows
                context = multiprocessing.get_context("spawn")
            self.executor = ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=_watch_owner, initargs=(os.getpid(),)
            )
        self.users += 1
        return self.executor

    def release(self) -> None:
        self.users = max(0, self.users - 1)
        if self.users == 0 and self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


_POOL = _SharedPool()
OWNER_POLL_SECONDS = 0.5


def _owner_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_owner(owner: int) -> None:
    """Pool initializer: a daemon thread ends this worker as soon as the crawl process ``owner`` is gone."""

    def watch() -> None:
        while _owner_alive(owner) and os.getppid() != 1:
            time.sleep(OWNER_POLL_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="veille-owner-watch", daemon=True).start()


def _deferred_from(future: Future[T]) -> Any:
    """A Twisted Deferred fired in the reactor thread with the future's result or error."""
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

    d: Deferred[T] = Deferred()

    def fire(done: Future[T]) -> None:
        exc = done.exception()
        if exc is not None:
            d.errback(Failure(exc))
        else:
            d.callback(done.result())

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))  # type: ignore[attr-defined]
    return d


class Workers:
    """A spider's or stage's handle on the shared pool (inline when it has no workers)."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> Workers:
        return cls(worker_count(settings.get("VEILLE_WORKERS", 0)))

    @property
    def pooled(self) -> bool:
        """Will :meth:`run` use worker processes (else: call inline)?"""
        return self.workers > 0

    def open(self) -> None:
        if self.pooled and self._executor is None:
            self._executor = _POOL.acquire(self.workers)

    def close(self) -> None:
        if self._executor is not None:
            self._executor = None
            _POOL.release()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``, in a worker process when the pool is open.

        ``fn`` and its arguments must pickle (a module-level function, plain data). If the
        pool broke (a worker killed), the call runs inline: the crawl carries on.
        """
        if self._executor is None:
            return fn(*args, **kwargs)
        try:
            future = self._executor.submit(fn, *args, **kwargs)
            result: T = await _awaitable(future)
        except BrokenExecutor:
            return fn(*args, **kwargs)
        return result


def _awaitable(future: Future[T]) -> Any:
    """The future's result, awaitable in the reactor: on Twisted's asyncio reactor, asyncio's own
    wrapper (one thread-safe call when it is done); else a Deferred fired in the reactor thread."""
    import asyncio

    from scrapy.utils.defer import maybe_deferred_to_future
    from scrapy.utils.reactor import is_asyncio_reactor_installed

    if is_asyncio_reactor_installed():
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            return asyncio.wrap_future(future)
    return maybe_deferred_to_future(_deferred_from(future))
