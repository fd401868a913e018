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
import pickle
import signal
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
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
    generation: int = 0
    """The writer process it was sent to (the first, or one started after a crash)."""


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if future.done():  # cancelled: the request went away
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


def _frame(message: Any) -> bytes:
    """``message`` as ``Connection.send`` would write it: the pickle's length (4 bytes,
    big-endian), then the pickle; the writer process reads it with ``Connection.recv``."""
    payload = bytes(ForkingPickler.dumps(message))
    return struct.pack("!i", len(payload)) + payload


class _Pipes:
    """The two pipes to one writer process, seen from the event loop: framed bytes waiting
    to be written to it, and bytes read from it that are not yet a whole message."""

    def __init__(self, jobs: Connection, results: Connection, generation: int) -> None:
        self.jobs, self.results, self.generation = jobs, results, generation
        os.set_blocking(jobs.fileno(), False)
        os.set_blocking(results.fileno(), False)
        self.outgoing = bytearray()
        self.incoming = bytearray()
        self.writing = False  # the loop watches the jobs pipe for room
        self.loop: asyncio.AbstractEventLoop | None = None

    def messages(self) -> list[Any]:
        """The whole messages received so far (taken out of ``incoming``)."""
        found = []
        data = self.incoming
        while len(data) >= 4:
            (size,) = struct.unpack_from("!i", data)
            if len(data) < 4 + size:
                break
            found.append(pickle.loads(data[4 : 4 + size]))
            del data[: 4 + size]
        return found


class WriteQueue:
    """Commits queued store writes in batches, in a writer process of its own.

    The pipes to the writer are read and written by the event loop itself (no thread in
    the server process competes with it for the interpreter lock): the writes asked for in
    one turn of the loop go to the writer as one message, and each batch's results come
    back as one, settling the requests' futures directly.

    >>> queue = WriteQueue("sqlite:////tmp/w.sqlite")  # doctest: +SKIP
    >>> vote = await queue.run(Write("cast_vote", (slug, "top", token, ["a"])))  # doctest: +SKIP
    """

    def __init__(self, database_url: str, *, max_batch: int = MAX_BATCH) -> None:
        self.database_url = database_url
        self.max_batch = max_batch
        self._ids = itertools.count(1)
        self._jobs: dict[int, _Job] = {}
        self._waiting: list[tuple[int, Write]] = []  # asked for in this turn, not yet sent
        self._process: multiprocessing.process.BaseProcess | None = None
        self._pipes: _Pipes | None = None
        self._generation = 0
        self._broken = False  # the current writer was seen to end (its pipe closed)
        self._closed = False
        self._alive_at = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._start()

    # ------------------------------------------------------------------ the parent's side
    async def run(self, write: Write) -> Any:
        """Run ``write`` in the next batch; its result once committed (or raise its error)."""
        loop = asyncio.get_running_loop()
        if self._closed:
            raise StoreError("store_writer_stopped")
        if self._loop is not loop:
            if self._loop is not None and self._loop.is_running():
                raise RuntimeError("a WriteQueue serves one event loop")
            self._loop = loop  # the first (or, in tests, a new) loop: the pipes' readers
            self._watch(self._pipes)
        if self._process is None or self._broken or not self._alive():
            self._start()
        future: asyncio.Future[Any] = loop.create_future()
        job_id = next(self._ids)
        self._jobs[job_id] = _Job(future)
        if not self._waiting:
            loop.call_soon(self._send)  # after what else this turn asks for
        self._waiting.append((job_id, write))
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
        """Finish what is queued, then stop the writer process (called once the event loop
        has stopped: what is still queued is committed, never acknowledged)."""
        self._closed = True
        pipes, process = self._pipes, self._process
        if pipes is not None:
            self._send()
            # What waits, then None: the child finishes what it has, then exits.
            data = bytes(pipes.outgoing) + _frame(None)
            pipes.outgoing.clear()
            try:
                os.set_blocking(pipes.jobs.fileno(), True)
                while data:
                    data = data[os.write(pipes.jobs.fileno(), data) :]
            except OSError:
                pass  # the child is gone
        if process is not None:
            process.join(timeout)
            if process.is_alive():
                process.kill()
        if pipes is not None:
            self._forget(pipes)

    def _start(self) -> None:
        """Start a writer process with its two pipes, watched by the event loop."""
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
        old, self._pipes = self._pipes, _Pipes(jobs_out, results_in, self._generation)
        if old is not None:
            with contextlib.suppress(OSError):
                os.write(old.jobs.fileno(), _frame(None))  # a live old writer exits
        self._watch(self._pipes)

    def _watch(self, pipes: _Pipes | None) -> None:
        if pipes is None or self._loop is None or pipes.loop is self._loop:
            return
        pipes.loop = self._loop
        self._loop.add_reader(pipes.results.fileno(), self._receive, pipes)

    def _send(self) -> None:
        """Send the writes asked for since the last turn, as many as fit in a batch per
        message, as far as the pipe takes them now (the rest when it has room)."""
        waiting, self._waiting = self._waiting, []
        pipes = self._pipes
        if pipes is None or not waiting:
            return
        for at in range(0, len(waiting), self.max_batch):
            chunk = waiting[at : at + self.max_batch]
            for job_id, _ in chunk:
                job = self._jobs.get(job_id)
                if job is not None:
                    job.generation = pipes.generation
            pipes.outgoing += _frame(chunk)
        self._flush(pipes)

    def _flush(self, pipes: _Pipes) -> None:
        try:
            while pipes.outgoing:
                written = os.write(pipes.jobs.fileno(), pipes.outgoing)
                del pipes.outgoing[:written]
        except BlockingIOError:
            pass
        except OSError:
            pipes.outgoing.clear()  # the child is gone; its results pipe says so
        wants_room = bool(pipes.outgoing)
        if wants_room != pipes.writing and pipes.loop is not None:
            if wants_room:
                pipes.loop.add_writer(pipes.jobs.fileno(), self._flush, pipes)
            else:
                pipes.loop.remove_writer(pipes.jobs.fileno())
            pipes.writing = wants_room

    def _receive(self, pipes: _Pipes) -> None:
        """Settle each request's future with its result, as the child reports commits."""
        ended = False
        try:
            while True:
                data = os.read(pipes.results.fileno(), 1 << 16)
                if not data:
                    ended = True
                    break
                pipes.incoming += data
        except BlockingIOError:
            pass
        except OSError:
            ended = True
        for results in pipes.messages():
            for job_id, result in results:
                job = self._jobs.pop(job_id, None)
                if job is not None:
                    _settle(job.future, result)
        if ended:
            self._lost(pipes)

    def _lost(self, pipes: _Pipes) -> None:
        """The writer behind ``pipes`` ended: the writes sent to it will not be answered."""
        self._forget(pipes)
        if pipes.generation == self._generation:
            self._broken = True  # the next write starts a new writer
        lost = [i for i, job in self._jobs.items() if job.generation == pipes.generation]
        if lost:
            log.error("The writer process stopped; %d waiting writes failed", len(lost))
        for job_id in lost:
            _settle(self._jobs.pop(job_id).future, StoreError("store_writer_stopped"))

    def _forget(self, pipes: _Pipes) -> None:
        if pipes.loop is not None and not pipes.loop.is_closed():
            pipes.loop.remove_reader(pipes.results.fileno())
            if pipes.writing:
                pipes.loop.remove_writer(pipes.jobs.fileno())
        pipes.loop = None
        pipes.jobs.close()
        pipes.results.close()


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
