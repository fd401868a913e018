"""A lighter request handler for the phone pages, straight on Tornado's HTTP connection.

Tornado's :class:`~tornado.web.RequestHandler` does much that the phone pages never use
(UI modules, transforms, XSRF, ETags, streamed bodies, a task per request), and a town
meeting's burst pays for it thousands of times a second. Measured on this project's 2-core
machine with the town meeting's two requests and a trivial answer (``docs/benchmarks.md``,
"the lighter request path"): 1.6 ms of server CPU per phone through ``RequestHandler``,
1.0 ms straight on the connection.

:class:`LightHandler` keeps the part of ``RequestHandler``'s API the phone pages use, with
the same meaning: ``get_query_argument``, ``get_body_argument``, ``get_cookie``,
``set_cookie``, ``set_status``, ``set_header``, ``write``, ``finish``, ``redirect``,
``clear``, ``write_error``, ``request`` (Tornado's own :class:`HTTPServerRequest`, its body
already parsed). A route reaches it through :class:`LightRoute`, a router of its own in
Tornado's rules (``tornado.routing``): the rate limits and the anonymous gate before it are
unchanged. A method that returns an awaitable runs as a task; a plain one runs
at once, without one.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from email.utils import formatdate
from typing import Any, ClassVar, Protocol, overload

from tornado import httputil, iostream, routing

log = logging.getLogger("ureshii.pages")
"""Where a light page logs a failure nobody planned for (and, without the application's
log function, its requests)."""

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f]")
"""What ``RequestHandler`` replaces by a space in an argument (the same expression)."""
_COOKIE_UNSAFE = re.compile(r"[\x00-\x20;,\x7f]")


class _Date:
    """The ``Date`` header's value, formatted once a second rather than per answer."""

    second = -1
    text = ""

    @classmethod
    def now(cls) -> str:
        second = int(time.time())
        if second != cls.second:
            cls.second, cls.text = second, formatdate(second, usegmt=True)
        return cls.text


def _argument(
    source: dict[str, list[bytes]], name: str, default: str | None, strip: bool
) -> str | None:
    """As ``RequestHandler`` reads an argument: its last value, control characters made
    spaces, stripped unless asked not to (undecodable bytes replaced, never a 400)."""
    values = source.get(name)
    if not values:
        return default
    text = _CONTROL_CHARS.sub(" ", values[-1].decode("utf-8", "replace"))
    return text.strip() if strip else text


class _Answering(Protocol):
    request: httputil.HTTPServerRequest

    def set_status(self, status: int, reason: str | None = None) -> None: ...
    def set_header(self, name: str, value: str) -> None: ...
    def write(self, chunk: str | bytes) -> None: ...
    def finish(self, chunk: str | bytes | None = None) -> Any: ...


class HtmlAnswers:
    """``write_html`` for a handler with Tornado's answering methods: this module's
    :class:`LightHandler` and the server's ``RequestHandler`` pages alike."""

    def write_html(self: _Answering, html: str, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        if self.request.method != "HEAD":
            self.write(html)
        self.finish()


class LightHandler(HtmlAnswers):
    """One request to a light page; subclasses define ``get`` and/or ``post`` (plain or
    ``async``), and ``initialize(**route_kwargs)`` like a ``RequestHandler``."""

    SUPPORTED_METHODS: ClassVar[tuple[str, ...]] = ("GET", "POST")
    DEFAULT_HEADERS: ClassVar[tuple[tuple[str, str], ...]] = ()
    """Set on every answer, errors included."""
    log_request: Callable[[LightHandler], None] | None = None
    """Called with the handler once its answer is sent (the application's request log)."""

    def __init__(self, request: httputil.HTTPServerRequest, **route_kwargs: Any) -> None:
        self.request = request
        self._cookies: dict[str, str] = {}  # by name: set twice, sent once (the last)
        self._finished = False
        self.clear()  # the headers, the body and the status
        self.initialize(**route_kwargs)

    def _initialize(self) -> None:
        pass

    initialize: Callable[..., None] = _initialize
    """Takes the route's keyword arguments (``Route.kwargs``), as in ``RequestHandler``."""

    # ------------------------------------------------------------------ reading
    @overload
    def get_query_argument(self, name: str, default: str, *, strip: bool = True) -> str: ...
    @overload
    def get_query_argument(
        self, name: str, default: None = None, *, strip: bool = True
    ) -> str | None: ...
    def get_query_argument(
        self, name: str, default: str | None = None, *, strip: bool = True
    ) -> str | None:
        """The last value of ``name`` in the query, or ``default``."""
        return _argument(self.request.query_arguments, name, default, strip)

    @overload
    def get_body_argument(self, name: str, default: str, *, strip: bool = True) -> str: ...
    @overload
    def get_body_argument(
        self, name: str, default: None = None, *, strip: bool = True
    ) -> str | None: ...
    def get_body_argument(
        self, name: str, default: str | None = None, *, strip: bool = True
    ) -> str | None:
        """The last value of ``name`` in a posted form, or ``default``."""
        return _argument(self.request.body_arguments, name, default, strip)

    def get_cookie(self, name: str, default: str | None = None) -> str | None:
        cookie = self.request.cookies.get(name)
        return cookie.value if cookie is not None else default

    # ------------------------------------------------------------------ answering
    def clear(self) -> None:
        """Forget what was written and every header but the cookies (as Tornado does)."""
        self._headers = httputil.HTTPHeaders()
        self._headers["Content-Type"] = "text/html; charset=UTF-8"
        self._headers["Date"] = _Date.now()
        self.set_default_headers()
        self._buffer: list[bytes] = []
        self._status, self._reason = 200, "OK"

    def set_default_headers(self) -> None:
        headers = self._headers
        for name, value in self.DEFAULT_HEADERS:
            headers[name] = value

    def set_status(self, status: int, reason: str | None = None) -> None:
        self._status = status
        self._reason = reason or httputil.responses.get(status, "Unknown")

    def get_status(self) -> int:
        return self._status

    def set_header(self, name: str, value: str) -> None:
        if "\n" in value or "\r" in value:
            raise ValueError(f"unsafe header value {value!r}")
        value.encode("latin-1")  # what a header can carry: fails here, not once sent
        self._headers[name] = value

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        path: str = "/",
        httponly: bool = False,
        samesite: str | None = None,
        secure: bool = False,
        expires_days: float | None = None,
    ) -> None:
        """A ``Set-Cookie`` header (name and value must need no quoting: tokens, codes)."""
        if _COOKIE_UNSAFE.search(name) or _COOKIE_UNSAFE.search(value) or "=" in name:
            raise ValueError(f"unsafe cookie {name!r}: {value!r}")
        parts = [f"{name}={value}"]
        if expires_days is not None:
            parts.append("expires=" + formatdate(time.time() + expires_days * 86400, usegmt=True))
        parts.append(f"Path={path}")
        if secure:
            parts.append("Secure")
        if httponly:
            parts.append("HttpOnly")
        if samesite:
            parts.append(f"SameSite={samesite}")
        self._cookies[name] = "; ".join(parts)

    def write(self, chunk: str | bytes) -> None:
        if self._finished:
            raise RuntimeError("write() after finish()")
        self._buffer.append(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)

    def redirect(self, url: str, status: int = 302) -> None:
        self.set_status(status)
        # As Tornado sends it: the address's UTF-8 bytes (browsers read them so).
        self.set_header("Location", url.encode("utf-8").decode("latin-1"))
        self.finish()

    def finish(self, chunk: str | bytes | None = None) -> None:
        if chunk is not None:
            self.write(chunk)
        if self._finished:
            raise RuntimeError("finish() called twice")
        body = b"".join(self._buffer)
        headers = self._headers
        headers["Content-Length"] = str(len(body))
        for cookie in self._cookies.values():
            headers.add("Set-Cookie", cookie)
        connection = self.request.connection
        assert connection is not None
        start = httputil.ResponseStartLine("HTTP/1.1", self._status, self._reason)
        with contextlib.suppress(iostream.StreamClosedError):  # the phone went away
            connection.write_headers(start, headers, body)
        self._finished = True
        connection.finish()
        if self.log_request is not None:
            self.log_request(self)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A plain page for an answer that failed (a subclass draws its own)."""
        self.clear()
        self.set_status(status_code)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code}: {self._reason}")

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        if self._finished:
            return
        self.clear()
        self.set_status(status_code)
        try:
            self.write_error(status_code, **kwargs)
        except Exception:
            log.error("the error page failed", exc_info=True)
        if not self._finished:
            self.clear()
            self.set_status(status_code)
            self.finish()

    # ------------------------------------------------------------------ running
    def run(self, path_args: Sequence[str]) -> Awaitable[None] | None:
        """Answer the request with the method's handler; an awaitable when it is async."""
        method = (self.request.method or "").upper()
        target = getattr(self, method.lower(), None) if method in self.SUPPORTED_METHODS else None
        if target is None:
            self.send_error(405)
            return None
        try:
            result = target(*path_args)
        except Exception as error:
            self._failed(error)
            return None
        if inspect.isawaitable(result):
            return self._complete(result)
        self._auto_finish()
        return None

    async def _complete(self, result: Awaitable[Any]) -> None:
        try:
            await result
        except Exception as error:
            self._failed(error)
            return
        self._auto_finish()

    def _auto_finish(self) -> None:
        if not self._finished:
            self.finish()

    def _failed(self, error: Exception) -> None:
        if isinstance(error, iostream.StreamClosedError):
            return
        log.error("%s %s failed", self.request.method, self.request.path, exc_info=error)
        self.send_error(500, exc_info=(type(error), error, error.__traceback__))


class LightRoute(routing.Router):
    """A route's target for a :class:`LightHandler` class. Tornado's router hands a
    ``Router`` target the request it has already made, with the path's groups
    (``tornado.routing``); this one answers with a :class:`_LightRequest`, which gathers
    the body and then runs the page."""

    def __init__(
        self,
        handler: type[LightHandler],
        log_request: Callable[[LightHandler], None] | None = None,
    ) -> None:
        self.handler = handler
        self.log_request = log_request
        self._running: set[asyncio.Future[None]] = set()

    def find_handler(
        self, request: httputil.HTTPServerRequest, **target_params: Any
    ) -> httputil.HTTPMessageDelegate:
        return _LightRequest(self, request, target_params)

    def start(self, request: httputil.HTTPServerRequest, target_params: dict[str, Any]) -> None:
        """Run the page for ``request`` (its body parsed): at once, or as a task."""
        args = [
            a.decode("utf-8", "replace") if isinstance(a, bytes) else (a or "")
            for a in target_params.get("path_args", ())
        ]
        page = self.handler(request, **target_params.get("target_kwargs", {}))
        page.log_request = self.log_request
        running = page.run(args)
        if running is not None:
            task = asyncio.ensure_future(running)
            self._running.add(task)  # kept until done (the loop holds tasks weakly)
            task.add_done_callback(self._running.discard)


class _LightRequest(httputil.HTTPMessageDelegate):
    """One request on its way to a light page: the body as it arrives, then the page."""

    def __init__(
        self, route: LightRoute, request: httputil.HTTPServerRequest, params: dict[str, Any]
    ) -> None:
        self.route, self.request, self.params = route, request, params
        self.chunks: list[bytes] = []

    def data_received(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def finish(self) -> None:
        request = self.request
        if self.chunks:
            request.body = b"".join(self.chunks)
            request._parse_body()  # Tornado's own, as its routers call it for a callable
        self.route.start(request, self.params)


__all__ = ["HtmlAnswers", "LightHandler", "LightRoute"]
