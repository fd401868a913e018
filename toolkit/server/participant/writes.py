"""A writer process that commits the writes of many requests together (group commit).

A town meeting's burst is hundreds of phones voting within seconds. One transaction per vote
costs one disk flush each (about 1 ms on SQLite with ``synchronous=FULL``), and the requests
would queue behind each other on the server's one event loop. Instead each request hands its
write to :class:`WriteQueue` and awaits it; the writer takes everything waiting, runs it as
ONE transaction with a savepoint per item (:meth:`Store.write_batch`), and answers each
request only after the commit. A request is acknowledged only when its write is durable; an
item's own failure (a duplicate vote) is returned to that request alone.

The writer is a **process** of its own, not a thread: its SQL then never waits for the
interpreter lock behind the event loop's page rendering (a writer thread spent most of a
burst waiting for it), and it runs on the machine's second core. A write is therefore named,
not passed as code: a :class:`Write` is a :class:`~toolkit.store.Store` method's name and
its arguments, so it crosses the process boundary. If the writer process dies, the writes
waiting for it fail with :class:`StoreError` (none of them was acknowledged) and the next
write starts a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from toolkit.errors import StoreError

log = logging.getLogger(__name__)

MAX_BATCH = 200
"""Items per transaction: enough to absorb a burst, small enough to answer quickly."""

ALIVE_EVERY = 0.2
"""Seconds between two checks that the writer process still runs (see ``WriteQueue._alive``)."""

WRITES = frozenset(
    {
        "join",
        "join_participant",
        "join_and_vote",
        "cast_vote",
        "cast_paper_vote",
        "add_card",
        "record_consent",
        "record_vision_consent",
        "record_scores",
        "submit_survey",
    }
)
"""The store methods a phone's request may run through the queue."""


@dataclass(frozen=True)
class Write:
    """One store write by name: ``Write("cast_vote", (slug, key, token, payload))``."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.method not in WRITES:
            raise ValueError(f"not a queued store write: {self.method!r}")


@dataclass
class _Job:
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    generation: int
    """The writer process it was sent to (the first, or one started after a crash)."""


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if future.cancelled():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


def _settle_all(answers: list[tuple[asyncio.Future[Any], Any]]) -> None:
    for future, result in answers:
        _settle(future, result)


def _answer(answers: list[tuple[_Job, Any]]) -> None:
    """Hand each result to its waiting request on the request's own event loop (if it
    still runs): one wake-up of each loop for a whole batch, not one per request."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Any]]] = {}
    for job, result in answers:
        by_loop.setdefault(job.loop, []).append((job.future, result))
    for loop, settled in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: the server stops
            loop.call_soon_threadsafe(_settle_all, settled)


class WriteQueue:
    """Commits queued store writes in batches, in a writer process of its own.

    >>> queue = WriteQueue("sqlite:////tmp/w.sqlite")  # doctest: +SKIP
    >>> vote = await queue.run(Write("cast_vote", (slug, "top", token, ["a"])))  # doctest: +SKIP
    """

    def __init__(self, database_url: str, *, max_batch: int = MAX_BATCH) -> None:
        self.database_url = database_url
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._jobs: dict[int, _Job] = {}
        self._outbox: queue.SimpleQueue[tuple[int, Write] | None] = queue.SimpleQueue()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._generation = 0
        self._broken = False  # the current writer was seen to end (its pipe closed)
        self._closed = False
        self._alive_at = 0.0
        self._start()

    # ------------------------------------------------------------------ the parent's side
    async def run(self, write: Write) -> Any:
        """Run ``write`` in the next batch; its result once committed (or raise its error)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        with self._lock:
            if self._closed:
                raise StoreError("store_writer_stopped")
            if self._process is None or self._broken or not self._alive():
                self._start()
            job_id = next(self._ids)
            self._jobs[job_id] = _Job(future, loop, self._generation)
            self._outbox.put((job_id, write))
        return await future

    def _alive(self) -> bool:
        """Whether the writer process still runs, asked of the system at most every
        :data:`ALIVE_EVERY` s (a burst sends thousands of writes; each ask is a system
        call). A writer that died is also seen by its results pipe closing (``_broken``)."""
        at = time.monotonic()
        if at - self._alive_at < ALIVE_EVERY:
            return True
        self._alive_at = at
        assert self._process is not None
        return self._process.is_alive()

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop the writer process."""
        with self._lock:
            self._closed = True
            process = self._process
        self._outbox.put(None)
        if process is not None:
            process.join(timeout)
            if process.is_alive():
                process.kill()

    def _start(self) -> None:
        """Start a writer process with its two pipes and the two threads that feed them."""
        context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        jobs_in, jobs_out = context.Pipe(duplex=False)
        results_in, results_out = context.Pipe(duplex=False)
        process = context.Process(
            target=serve_writes,
            args=(self.database_url, jobs_in, results_out, self.max_batch),
            name="ureshii-writer",
            daemon=True,
        )
        process.start()
        jobs_in.close()  # the child's ends: its death is then an EOF here
        results_out.close()
        self._process = process
        self._generation += 1
        self._broken = False
        outbox: queue.SimpleQueue[tuple[int, Write] | None] = queue.SimpleQueue()
        old, self._outbox = self._outbox, outbox
        old.put(None)  # the previous sender thread, if any, stops
        threading.Thread(
            target=self._send, args=(jobs_out, outbox), name="ureshii-writes-out", daemon=True
        ).start()
        threading.Thread(
            target=self._receive,
            args=(results_in, self._generation),
            name="ureshii-writes-in",
            daemon=True,
        ).start()

    def _send(self, pipe: Connection, outbox: queue.SimpleQueue[tuple[int, Write] | None]) -> None:
        """Send waiting writes to the child, as many as are waiting in one message."""
        try:
            while True:
                first = outbox.get()
                if first is None:
                    break
                batch = [first]
                stop = False
                while len(batch) < self.max_batch:
                    try:
                        more = outbox.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    batch.append(more)
                pipe.send(batch)
                if stop:
                    break
            pipe.send(None)  # the child finishes what it has, then exits
        except OSError:
            pass  # the child is gone; _receive fails the waiting writes
        finally:
            pipe.close()

    def _receive(self, pipe: Connection, generation: int) -> None:
        """Settle each request's future with its result, as the child reports commits."""
        try:
            while True:
                results = pipe.recv()
                with self._lock:
                    answers = [
                        (job, result)
                        for job_id, result in results
                        if (job := self._jobs.pop(job_id, None)) is not None
                    ]
                _answer(answers)
        except (EOFError, OSError):
            pass
        finally:
            pipe.close()
        with self._lock:  # the writes sent to this process will not be answered
            if generation == self._generation:
                self._broken = True  # the next write starts a new writer
            lost = [i for i, job in self._jobs.items() if job.generation == generation]
            jobs = [self._jobs.pop(i) for i in lost]
            if jobs:
                log.error("The writer process stopped; %d waiting writes failed", len(jobs))
        _answer([(job, StoreError("store_writer_stopped")) for job in jobs])


# ---------------------------------------------------------------------- the writer process
def serve_writes(database_url: str, jobs: Connection, results: Connection, max_batch: int) -> None:
    """The writer process: commit each batch of writes, then report every item's result.

    Runs until its parent sends ``None`` or goes away (EOF). Ctrl+C reaches the whole
    process group; it is the parent's to handle (it asks this process to finish what it
    has). A SIGTERM ends this process at once: a batch cut short was never committed, so
    none of its writes was acknowledged.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from toolkit.store import Store

    pending: list[tuple[int, Write]] = []
    stop = False
    code = 0
    try:
        store = Store.open(database_url)
        while True:
            if not pending:
                if stop:
                    break
                message = jobs.recv()
                if message is None:
                    break
                pending.extend(message)
            while not stop and len(pending) < max_batch and jobs.poll():
                message = jobs.recv()
                if message is None:
                    stop = True  # what came before the stop is still committed
                else:
                    pending.extend(message)
            batch, pending = pending[:max_batch], pending[max_batch:]
            results.send(list(zip([i for i, _ in batch], _commit(store, batch), strict=True)))
        store.close()
    except (EOFError, OSError):
        pass  # the parent is gone: nothing waits for an answer
    except Exception:
        log.exception("The writer process failed")
        code = 1
    os._exit(code)  # no interpreter teardown: nothing else runs in this process


def _commit(store: Any, batch: list[tuple[int, Write]]) -> list[Any]:
    def item(write: Write) -> Callable[[Any], Any]:
        return lambda s: getattr(s, write.method)(*write.args, **write.kwargs)

    try:
        outcomes = store.write_batch([item(write) for _, write in batch])
    except Exception as error:
        log.exception("A batch of %d writes failed; none was stored", len(batch))
        outcomes = [error] * len(batch)
    return [_portable(outcome) for outcome in outcomes]


def _portable(outcome: Any) -> Any:
    """An outcome that survives pickling: our errors as they are, others as a StoreError."""
    from toolkit.errors import UreshiiError

    if isinstance(outcome, BaseException) and not isinstance(outcome, UreshiiError):
        log.error("A write failed: %r", outcome)
        return StoreError("store_write_failed")
    return outcome
