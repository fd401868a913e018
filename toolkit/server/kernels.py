"""Kernels that end: a closed tab gives its kernel back, and a room has a cap on kernels.

Voilà starts one Python kernel per notebook page and does not learn that the page went
away: the page's ``beforeunload`` beacon to ``/voila/api/shutdown/<id>`` is refused by the
XSRF check (voila issue 1458), and Jupyter's idle culler never fires for an app whose live
feed or clock keeps the kernel active. What does know is the kernel's websocket: Jupyter
Server counts each kernel's open websockets (``MappingKernelManager.notify_connect`` and
``notify_disconnect``, called by the websocket connection when a page connects and when its
socket closes, also after a missed ping), and a Voilà page holds one websocket for as long
as it is open. So :class:`UreshiiKernelManager`, Voilà's kernel manager here:

- remembers since when each page's kernel has had no websocket: from its last disconnect,
  or, for a page that never connected (a GET that was abandoned), from the end of the
  page's render, since the page connects only after its HTML has arrived (such a page is
  given :data:`FIRST_CONNECT_FACTOR` grace periods: a slow laptop in a busy room may take a
  minute to start the page's scripts);
- every few seconds shuts down the kernels that had no websocket for the grace period
  (:data:`ENV_GRACE_SECONDS`, 60 s by default, counted from the tab's close to the start of
  the shutdown), whatever their live feed is doing; a page that is open, or still being
  rendered, keeps its kernel;
- lets at most :data:`ENV_MAX_KERNELS` kernels run (16 by default): one page more is
  answered by a ja/en 503 page (:class:`PageKernelHandler`) and starts no kernel; kernels
  already waiting out their grace period are given up first to make room.

A page is "a request for ``/voila/render/…``": :class:`PageKernelHandler` takes Voilà's
page handler's place, admits the visit (the cap) and reports the end of its render; the
kernel it starts is recognised through a context variable set for that request, because
Voilà starts it deep inside its handler. Kernels that Voilà starts for a preheated pool
(``--preheat_kernel``; ``ureshii serve`` keeps it off) are not pages: they are left alone
until a page connects to them.

Nothing a kernel says is dropped on its way to the server. ZMQ drops a kernel's IOPub
messages once about 1,000 are waiting for a reader (its default high-water mark), and an
app's start is a burst of them: one ``comm_open`` per widget, then the app's own display.
When a room opens at once the server reads more slowly than the kernels write, the app's
display message was dropped, and the page showed its heading over nothing: the "half-empty
app" of issue 13, reproduced with Jupyter's client alone (six kernels of 1,800 widgets each:
two of six lost their output). The server's sockets that read kernels' messages (Voilà's
notebook executor through :class:`RoomKernelClient`, the pages' websockets through this
manager's shared ZMQ context) queue up to :data:`IOPUB_RECEIVE_HWM` messages instead.

>>> KernelLimits.from_environment({"URESHII_KERNEL_GRACE_SECONDS": "30"})
KernelLimits(grace_seconds=30.0, max_kernels=16)
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import ioloop, web
from traitlets import Float, Integer, default
from voila.tornado.handler import (  # type: ignore[import-untyped,unused-ignore]
    TornadoVoilaHandler,
)

from toolkit.server import ServerError
from toolkit.server.bilingual_pages import CONTENT_SECURITY_POLICY, bilingual_page

ENV_GRACE_SECONDS = "URESHII_KERNEL_GRACE_SECONDS"
"""Seconds from a tab's close to its kernel's shutdown (0: never end kernels this way)."""
ENV_MAX_KERNELS = "URESHII_MAX_KERNELS"
"""The most kernels (open app pages) at once (0: no limit)."""
IOPUB_RECEIVE_HWM = 100_000
"""Messages a server socket queues from a kernel before ZMQ drops any (ZMQ's default: 1,000).

An app's start sends three messages per widget; a console of a few hundred widgets, ten of
them starting at once on two cores, needs a few thousand. The bound keeps a kernel that
writes without end (a runaway loop) from filling the server's memory."""


def _reading_context(context: zmq.asyncio.Context) -> zmq.asyncio.Context:
    """``context``, whose new sockets queue :data:`IOPUB_RECEIVE_HWM` incoming messages."""
    context.setsockopt(zmq.RCVHWM, IOPUB_RECEIVE_HWM)
    return context


class RoomKernelClient(AsyncKernelClient):
    """The kernel client of Voilà's notebook executor: it reads without dropping (module doc)."""

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True
        return _reading_context(zmq.asyncio.Context())


FIRST_CONNECT_FACTOR = 2
"""A page that has not connected yet keeps its kernel this many grace periods after its render
(a slow laptop in a busy room can take a minute to start the page's scripts); a page that
was open and closed keeps it one grace period."""
DEFAULT_GRACE_SECONDS = 60.0
DEFAULT_MAX_KERNELS = 16
"""A kernel is ~150–250 MB: 16 leave room for the browser and the system on an 8 GB laptop."""
RETRY_AFTER_SECONDS = 10
SHUTDOWN_WAIT_SECONDS = 5.0
"""jupyter_client's ``KernelManager.shutdown_wait_time``: how long a kernel may take to
answer its shutdown request before it is killed."""


@dataclass(frozen=True)
class KernelLimits:
    """How long a kernel outlives its page, and how many kernels may run at once."""

    grace_seconds: float = DEFAULT_GRACE_SECONDS
    max_kernels: int = DEFAULT_MAX_KERNELS

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> KernelLimits:
        """The limits set by :data:`ENV_GRACE_SECONDS` and :data:`ENV_MAX_KERNELS`.

        Raises :class:`~toolkit.server.ServerError` for a value that is not allowed.
        """
        grace = environ.get(ENV_GRACE_SECONDS, "").strip()
        cap = environ.get(ENV_MAX_KERNELS, "").strip()
        limits = cls()
        if grace:
            try:
                seconds = float(grace)
            except ValueError:
                seconds = -1.0
            if not math.isfinite(seconds) or seconds < 0:
                raise ServerError("serve_kernel_grace_invalid", value=grace)
            limits = cls(seconds, limits.max_kernels)
        if cap:
            if not cap.isdigit():
                raise ServerError("serve_max_kernels_invalid", value=cap)
            limits = cls(limits.grace_seconds, int(cap))
        return limits


@dataclass
class _PageVisit:
    """One request for a notebook page, from its admission to the end of its render."""

    holds_place: bool = True
    """Admitted under the cap, and its kernel not started yet."""
    kernel_ids: list[str] = field(default_factory=list)


@dataclass
class _PageKernel:
    """What the watcher knows about one page's kernel."""

    rendering: bool
    connected: bool = False
    """Whether a websocket of the page ever opened (a page that never did is given longer)."""
    unconnected_since: float | None = None
    """``time.monotonic()`` since when no websocket is open; None while one is (or while
    the page is still being rendered)."""
    ending: bool = False


_current_visit: ContextVar[_PageVisit | None] = ContextVar("ureshii_page_visit", default=None)


class UreshiiKernelManager(AsyncMappingKernelManager):
    """Jupyter's kernel manager, plus kernels that end with their page and a cap (module doc)."""

    grace_seconds = Float(
        DEFAULT_GRACE_SECONDS,
        config=True,
        help="Seconds from the close of a page to the shutdown of its kernel (0: never).",
    )
    max_kernels = Integer(
        DEFAULT_MAX_KERNELS,
        config=True,
        help="The most kernels that may run at once; one page more gets a 503 (0: no cap).",
    )

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        # Shared by the kernels' managers: the pages' websockets read through it.
        self._created_context = True
        return _reading_context(zmq.asyncio.Context())

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pages: dict[str, _PageKernel] = {}
        self._visits_starting = 0
        self._watcher: ioloop.PeriodicCallback | None = None

    # --- the watcher ------------------------------------------------------------------

    @property
    def sweep_interval(self) -> float:
        """Seconds between two looks at the kernels (a twelfth of the grace, 0.5–5 s)."""
        return min(5.0, max(0.5, self.grace_seconds / 12))

    @property
    def shutdown_allowance(self) -> float:
        """Seconds a kernel is given to shut down (Jupyter waits up to 5 s, then kills it)."""
        return min(SHUTDOWN_WAIT_SECONDS, self.grace_seconds / 6)

    def start_watching(self) -> None:
        """Look for kernels whose page is gone every :attr:`sweep_interval` seconds."""
        if self.grace_seconds <= 0 or self._watcher is not None:
            return
        self._watcher = ioloop.PeriodicCallback(
            self.end_forgotten_kernels, 1000 * self.sweep_interval
        )
        self._watcher.start()
        self.log.info(
            "Kernels with no open page end %.0f s after the page closed; at most %s kernels.",
            self.grace_seconds,
            self.max_kernels or "unlimited",
        )

    def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    def connections(self, kernel_id: str) -> int:
        """How many websockets are open on the kernel (Jupyter Server's own count)."""
        return int(self._kernel_connections.get(kernel_id, 0))

    def forgotten_kernels(self, now: float | None = None) -> list[str]:
        """The page kernels whose page has been gone long enough, oldest first.

        A kernel qualifies :attr:`sweep_interval` + :attr:`shutdown_allowance` before its
        grace period is over (50–55 s after the close, by default), so that it is gone,
        not just asked to go, within ``grace_seconds`` of its tab's close.
        """
        now = time.monotonic() if now is None else now
        early = self.sweep_interval + self.shutdown_allowance
        forgotten = []
        for since, kernel_id in self._waiting_pages():
            grace = self.grace_seconds
            if not self._pages[kernel_id].connected:
                grace *= FIRST_CONNECT_FACTOR
            if now - since >= grace - early:
                forgotten.append(kernel_id)
        return forgotten

    async def end_forgotten_kernels(self) -> None:
        """Shut down every kernel whose page has been gone for the grace period."""
        self._forget_gone()
        if self.grace_seconds <= 0:
            return
        ending = self.forgotten_kernels()
        for kernel_id in ending:
            self._pages[kernel_id].ending = True
        await asyncio.gather(*(self._end(kernel_id) for kernel_id in ending))

    def _waiting_pages(self) -> list[tuple[float, str]]:
        """(since, kernel id) of page kernels with no websocket, not rendering, oldest first."""
        waiting = []
        for kernel_id, page in self._pages.items():
            since = page.unconnected_since
            if page.ending or page.rendering or since is None:
                continue
            if self.connections(kernel_id) == 0:
                waiting.append((since, kernel_id))
        return sorted(waiting)

    def _forget_gone(self) -> None:
        running = set(self.list_kernel_ids())
        for kernel_id in [k for k in self._pages if k not in running]:
            del self._pages[kernel_id]

    async def _end(self, kernel_id: str, why: str = "") -> None:
        page = self._pages.get(kernel_id)
        since = page.unconnected_since if page is not None else None
        alone = time.monotonic() - since if since is not None else 0.0
        self.log.info("Shutting down kernel %s: no page open for %.0f s%s.", kernel_id, alone, why)
        try:
            await self.shutdown_kernel(kernel_id)
        except Exception:
            if kernel_id not in self.list_kernel_ids():
                return  # already gone: the idle culler, a dead kernel, the server stopping
            self.log.exception("Could not shut down kernel %s; will try again.", kernel_id)
            if page is not None:
                page.ending = False

    # --- what Jupyter Server and Voilà tell us ----------------------------------------

    async def start_kernel(  # type: ignore[override]
        self, *, kernel_id: str | None = None, path: Any = None, **kwargs: Any
    ) -> str:
        visit = _current_visit.get()
        started: str = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        if visit is not None:
            visit.kernel_ids.append(started)
            self._pages[started] = _PageKernel(rendering=True)
            if visit.holds_place:  # the kernel now counts itself
                visit.holds_place = False
                self._visits_starting -= 1
        return started

    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        page = self._pages.get(kernel_id)
        if page is None and kernel_id in self._kernel_connections:
            # A kernel started outside a page request (Voilà's preheated pool) that a page
            # now uses: from here on it ends with its page like any other.
            page = self._pages[kernel_id] = _PageKernel(rendering=False)
        if page is not None:
            page.unconnected_since = None
            page.connected = True

    def notify_disconnect(self, kernel_id: str) -> None:
        super().notify_disconnect(kernel_id)
        page = self._pages.get(kernel_id)
        if page is not None and not page.rendering and self.connections(kernel_id) == 0:
            page.unconnected_since = time.monotonic()

    # --- pages: the cap ---------------------------------------------------------------

    def admit_page(self) -> _PageVisit | None:
        """A visit that may start a kernel, or None when the room is at its cap.

        Kernels waiting out their grace period (their page is gone) do not count: the
        oldest of them are shut down to make room. A visit holds its place until its
        kernel has started, so pages opened at the same moment cannot overshoot the cap.
        """
        visit = _PageVisit()
        self._forget_gone()
        if self.max_kernels > 0:
            running = [k for k in self.list_kernel_ids() if not self._is_ending(k)]
            waiting = [kernel_id for _since, kernel_id in self._waiting_pages()]
            if self.grace_seconds <= 0:  # kernels of closed pages are kept: they count
                waiting = []
            in_use = len(running) - len(waiting) + self._visits_starting
            if in_use >= self.max_kernels:
                return None
            excess = len(running) + self._visits_starting + 1 - self.max_kernels
            for kernel_id in waiting[: max(0, excess)]:
                self._pages[kernel_id].ending = True
                why = ", to make room for a new page"
                ioloop.IOLoop.current().spawn_callback(self._end, kernel_id, why)
        self._visits_starting += 1
        return visit

    def end_visit(self, visit: _PageVisit) -> None:
        """The page's request is over: its render ended (or it failed, or started nothing)."""
        if visit.holds_place:
            visit.holds_place = False
            self._visits_starting -= 1
        for kernel_id in visit.kernel_ids:
            page = self._pages.get(kernel_id)
            if page is None:
                continue
            page.rendering = False
            if self.connections(kernel_id) == 0:
                page.unconnected_since = time.monotonic()

    def _is_ending(self, kernel_id: str) -> bool:
        page = self._pages.get(kernel_id)
        return page is not None and page.ending


def too_many_screens_page(reload_path: str) -> str:
    """The 503 page shown instead of an app when the room has as many kernels as allowed."""
    return bilingual_page(
        "page_too_many_screens_title",
        "page_too_many_screens_body",
        link=(reload_path, "page_too_many_screens_reload"),
    )


class PageKernelHandler(TornadoVoilaHandler):
    """Voilà's notebook page (``/voila/render/…``) under the cap, reporting its render's end."""

    @web.authenticated
    async def get(self, path: str | None = None) -> None:
        manager = self.kernel_manager
        if not isinstance(manager, UreshiiKernelManager):
            await super().get(path=path)
            return
        visit = manager.admit_page()
        if visit is None:
            manager.log.warning(
                "Refused %s: the room is at its cap of %d kernels (%s).",
                self.request.path,
                manager.max_kernels,
                ENV_MAX_KERNELS,
            )
            self.set_status(503)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            self.set_header("Cache-Control", "no-store")
            self.set_header("Retry-After", str(RETRY_AFTER_SECONDS))
            self.finish(too_many_screens_page(self.request.uri or self.request.path))
            return
        token = _current_visit.set(visit)
        try:
            await super().get(path=path)
        finally:
            _current_visit.reset(token)
            manager.end_visit(visit)


__all__ = [
    "DEFAULT_GRACE_SECONDS",
    "DEFAULT_MAX_KERNELS",
    "ENV_GRACE_SECONDS",
    "ENV_MAX_KERNELS",
    "KernelLimits",
    "PageKernelHandler",
    "UreshiiKernelManager",
    "too_many_screens_page",
]
