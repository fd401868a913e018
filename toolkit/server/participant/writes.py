"""One writer thread that commits the writes of many requests together (group commit).

A town meeting's burst is hundreds of phones voting within seconds. One transaction per vote
costs one disk flush each (about 1 ms on SQLite with ``synchronous=FULL``), and the requests
would queue behind each other on the server's one event loop. Instead each request hands its
write to :class:`WriteQueue` and awaits it; the writer thread takes everything waiting, runs
it as ONE transaction with a savepoint per item (:meth:`Store.write_batch`), and answers each
request only after the commit. A request is acknowledged only when its write is durable; an
item's own failure (a duplicate vote) is returned to that request alone.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from toolkit.store import Store

T = TypeVar("T")
log = logging.getLogger(__name__)

MAX_BATCH = 200
"""Items per transaction: enough to absorb a burst, small enough to answer quickly."""


@dataclass
class _Job:
    item: Callable[[Store], Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if future.cancelled():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


class WriteQueue:
    """Commits queued store writes in batches from one background thread.

    >>> queue = WriteQueue(store)                                # doctest: +SKIP
    >>> vote = await queue.run(lambda s: s.cast_vote(slug, "top", token, ["a"]))  # +SKIP
    """

    def __init__(self, store: Store, *, max_batch: int = MAX_BATCH) -> None:
        self.store = store
        self.max_batch = max_batch
        self.batches = 0
        self.items = 0
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="ureshii-writes", daemon=True)
        self._thread.start()

    async def run(self, item: Callable[[Store], T]) -> T:
        """Run ``item(store)`` in the next batch; its result once committed (or its error)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put(_Job(item, future, loop))
        return await future

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop the thread."""
        self._jobs.put(None)
        self._thread.join(timeout)

    def _work(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            jobs = [first]
            stop = False
            while len(jobs) < self.max_batch:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                jobs.append(job)
            results: list[Any]
            try:
                results = self.store.write_batch([job.item for job in jobs])
            except Exception as error:
                log.exception("A batch of %d writes failed; none was stored", len(jobs))
                results = [error] * len(jobs)
            self.batches += 1
            self.items += len(jobs)
            for job, result in zip(jobs, results, strict=True):
                job.loop.call_soon_threadsafe(_settle, job.future, result)
            if stop:
                return
