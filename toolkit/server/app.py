"""The server that ``ureshii serve`` starts: Voilà, behind the facilitator secret, offline.

:class:`UreshiiVoila` is a subclass of :class:`voila.app.Voila` (0.5.13). It changes what
follows and leaves Voilà's rendering and kernel handling alone:

- ``init_handlers()`` returns Ureshii's route table (:mod:`toolkit.server.routes`): a gate
  that answers every anonymous request for a facilitator route with 403 before Voilà runs,
  then the public routes (``/``, ``/healthz``, ``/p/…``), then Voilà's routes;
- ``setup_template_dirs()`` puts ``toolkit/server/voila_template`` first, whose templates drop
  the CDN links of Voilà's lab template (everything is served from this machine);
- Jupyter's identity provider is :class:`FacilitatorIdentityProvider` (the same cookie),
  so Jupyter's own checks agree with the gate; there is no login form;
- the kernel manager is :class:`~toolkit.server.kernels.UreshiiKernelManager`: a kernel
  whose page closed ends after a grace period (voila issue 1458), whatever its live feed
  does, and there is a cap on kernels; Voilà's page handler is replaced by
  :class:`~toolkit.server.kernels.PageKernelHandler`, which applies the cap;
- ``listen()`` binds the exact port asked for (``0`` = any free one), reports the real
  port, and prints the facilitator and join links through a callback.

>>> run_server("workshops", port=0)  # doctest: +SKIP
"""

from __future__ import annotations

import errno
import gc
import io
import logging
import os
import re
import signal
import socket
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import segno  # type: ignore[import-untyped,unused-ignore]
from jupyter_server.auth.identity import IdentityProvider, User
from tornado import httpserver, ioloop, netutil, web
from tornado.platform.asyncio import BaseAsyncIOLoop
from traitlets.config import Config
from voila.app import Voila  # type: ignore[import-untyped,unused-ignore]
from voila.tornado.handler import (  # type: ignore[import-untyped,unused-ignore]
    TornadoVoilaHandler,
)

from toolkit.i18n import normalize_language, t
from toolkit.join import ENV_JOIN_URL
from toolkit.server import ServerError
from toolkit.server.access import (
    COOKIE_NAME,
    SECRET_QUERY_ARGUMENT,
    FacilitatorAccess,
    new_secret,
)
from toolkit.server.kernels import KernelLimits, PageKernelHandler, UreshiiKernelManager
from toolkit.server.light_handler import LightHandler
from toolkit.server.participant.service import ParticipantService
from toolkit.server.routes import PARTICIPANT_PREFIX, Route, build_route_table, tornado_rules
from toolkit.server.table_links import (
    ENV_TABLE_LINK_KEY,
    TABLE_COOKIE,
    TableAccess,
    table_link_key,
)
from toolkit.store.engine import ENV_DATABASE_URL

VOILA_TEMPLATE_DIR = Path(__file__).parent / "voila_template"
PACKAGED_APPS = "apps"
"""The folder of ``toolkit`` that holds the apps in a built wheel (see ``setup.py``)."""


def shipped_workshops() -> Path:
    """The folder of the apps shipped with Ureshii (the notebooks of ``workshops/``).

    From an installed wheel: ``toolkit/apps/``, found through :mod:`importlib.resources`
    (``setup.py`` copies ``workshops/*.ipynb`` there when the wheel is built). From a
    source checkout or an editable install, which have no such folder: the repository's
    ``workshops/``, so an edited notebook is served as it is.

    >>> (shipped_workshops() / "console.ipynb").is_file()
    True
    """
    packaged = resources.files("toolkit").joinpath(PACKAGED_APPS)
    if packaged.is_dir():
        # Wheels are installed as plain folders, so this is a real path Voilà can serve.
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "workshops"


SHIPPED_WORKSHOPS = shipped_workshops()
"""The apps shipped with Ureshii (:func:`shipped_workshops`)."""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8866
DEFAULT_START_NOTEBOOK = "console.ipynb"
DEFAULT_CULL_IDLE_TIMEOUT = 600
"""Seconds a kernel with no open tab may stay idle before it is shut down."""
DEFAULT_CULL_INTERVAL = 60

# Voilà's default allowlist, stated here so that nothing (a stray voila.json, a template's
# conf.json) can widen it: only images are ever served from the notebook folder.
FILE_ALLOWLIST = (r".*\.(png|jpg|gif|svg)",)
# Voilà's default denylist plus the store's files and hidden files, in case an image-like
# name is ever given to one of them.
FILE_DENYLIST = (
    r".*\.(ipynb|py)",
    r".*\.(sqlite|sqlite3|db)(-wal|-shm|-journal)?",
    r"(.*/)?\..*",
)
_ALL_INTERFACES = {"0.0.0.0", "", "::"}
# Tornado reads a request body before any handler runs (100 MB by default); the apps take
# no uploads, so an anonymous client may not make the server hold more than this.
MAX_BODY_SIZE = 8 * 1024 * 1024

# Connections the system may hold for the server before it accepts them (the system caps it
# at net.core.somaxconn, 4096 on current Linux). Tornado's default of 128 is overrun when
# a room's phones arrive together: the system then drops their first packets, and each
# phone waits 1, 3, 7 s… to try again (measured: 3,818 dropped at N = 3,000).
LISTEN_BACKLOG = 4096

PrintFn = Callable[[str], object]


class FacilitatorIdentityProvider(IdentityProvider):
    """Jupyter's view of who is asking: the facilitator (valid cookie), a table laptop (a
    valid table cookie, on a path its table may reach) or nobody.

    The route gate already turns anonymous requests away; this makes Jupyter's own checks
    (``@web.authenticated``, the kernel websocket's user check) agree with it, so a route
    that were ever left ungated would still refuse anonymous visitors.
    """

    def get_user(self, handler: web.RequestHandler) -> User | None:
        app = self.parent
        if not isinstance(app, UreshiiVoila):
            return None
        access = app.access
        if access.check_cookie(handler.get_cookie(COOKIE_NAME)):
            return User(username="facilitator", name="Facilitator", display_name="Facilitator")
        tables = getattr(app, "tables", None)
        found = tables.table_of_cookie(handler.get_cookie(TABLE_COOKIE)) if tables else None
        request = handler.request
        if found is not None and TableAccess.allows(
            request.path, request.query, found[1], app.base_url
        ):
            name = f"table-{found[1]}"
            return User(username=name, name=name, display_name=name)
        return None

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return False  # the login is the facilitator link; there is no password form

    @property
    def logout_available(self) -> bool:
        return False


_SECRET_IN_URI = re.compile(rf"([?&]{SECRET_QUERY_ARGUMENT}=)[^&#\s]*")


def redact(uri: str) -> str:
    """``uri`` with the value of the ``secret`` query argument hidden, for logs.

    >>> redact("/?secret=abc&x=1")
    '/?secret=***&x=1'
    """
    return _SECRET_IN_URI.sub(r"\1***", uri)


def _emitted(log: logging.Logger, level: int) -> bool:
    """Whether a record at ``level`` would be written by one of ``log``'s handlers.

    The application's logger is at DEBUG and its handler at the chosen level (traitlets):
    ``isEnabledFor`` alone says yes to every request's DEBUG line, which is then built and
    dropped, thousands of times in a town meeting's burst.
    """
    if not log.isEnabledFor(level):
        return False
    logger: logging.Logger | None = log
    while logger is not None:
        if any(level >= handler.level for handler in logger.handlers):
            return True
        if not logger.propagate:
            return False
        logger = logger.parent
    return level >= logging.lastResort.level if logging.lastResort else False


class UreshiiVoila(Voila):
    """Voilà serving a folder of workshop apps, for the facilitator only (see module doc)."""

    name = "ureshii-serve"
    description = "Ureshii: the workshop apps behind the facilitator secret"

    # Set by `build_app` before `initialize`; plain attributes, not configurable traits.
    access: FacilitatorAccess
    start_notebook: str = DEFAULT_START_NOTEBOOK
    on_listening: Callable[[UreshiiVoila], None] | None = None
    route_table: list[Route]
    participants: ParticipantService
    """The phone pages' and API's store and write queue (opened on first use)."""

    @property
    def console_path(self) -> str:
        """The URL path of the start notebook (what the facilitator link opens)."""
        return self.base_url.rstrip("/") + "/voila/render/" + quote(self.start_notebook)

    def setup_template_dirs(self) -> None:
        super().setup_template_dirs()
        self.template_paths.insert(0, str(VOILA_TEMPLATE_DIR))
        # A template's conf.json may merge settings into VoilaConfiguration: restate ours.
        self.voila_configuration.file_allowlist = list(FILE_ALLOWLIST)
        self.voila_configuration.file_denylist = list(FILE_DENYLIST)
        self.voila_configuration.allow_template_override = "NO"

    def init_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = super().init_settings()
        settings["log_function"] = self._log_request
        return settings

    def init_handlers(self) -> list[Any]:
        voila_handlers = [_with_page_kernels(spec) for spec in super().init_handlers()]
        if not hasattr(self, "participants"):
            self.participants = ParticipantService(
                os.environ.get(ENV_DATABASE_URL) or None, secret=self.access.secret
            )
        participants = self.participants
        self.tables = TableAccess(
            table_link_key(self.access.secret),
            lambda slug, table: participants.store.table_link_generation(slug, table),
        )
        # The console's kernel shows the table links: it gets the derived key, not the secret.
        os.environ[ENV_TABLE_LINK_KEY] = self.tables.key
        self.route_table = build_route_table(
            self.access,
            voila_handlers,
            base_url=self.base_url,
            console_path=self.console_path,
            service=self.participants,
            tables=self.tables,
        )
        return tornado_rules(
            self.route_table,
            self.access,
            base_url=self.base_url,
            tables=self.tables,
            service=self.participants,
            log_request=self._log_request,
        )

    def describe_routes(self) -> list[Route]:
        """The route table, built without starting the server (for tests and docs)."""
        if not hasattr(self, "route_table"):
            voila: Any = self  # traitlets attributes that mypy cannot type
            voila.server_url = voila.server_url or voila.base_url
            if not hasattr(self, "identity_provider"):
                self.init_settings()
            self.init_handlers()
        return self.route_table

    def _log_request(self, handler: web.RequestHandler | LightHandler) -> None:
        status = handler.get_status()
        level = logging.DEBUG if status < 400 else logging.INFO if status < 500 else logging.ERROR
        if not _emitted(self.log, level):
            return
        request = handler.request
        self.log.log(
            level,
            "%d %s %s (%s) %.1fms",
            status,
            request.method,
            redact(request.uri or ""),
            request.remote_ip,
            1000.0 * request.request_time(),
        )

    def listen(self) -> None:
        """Bind exactly ``self.port`` (0: any free port), announce, then run until stopped."""
        voila: Any = self  # traitlets attributes that mypy cannot type
        self.participants.warm()
        address = None if voila.ip in _ALL_INTERFACES else voila.ip
        try:
            sockets = netutil.bind_sockets(voila.port, address, backlog=LISTEN_BACKLOG)
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise ServerError("serve_port_in_use", port=voila.port, host=voila.ip) from exc
            raise
        voila.port = sockets[0].getsockname()[1]
        server = httpserver.HTTPServer(self.app, max_body_size=MAX_BODY_SIZE)
        server.add_sockets(sockets)
        self.ioloop = ioloop.IOLoop.current()
        kernels = self.kernel_manager
        if isinstance(kernels, UreshiiKernelManager):
            kernels.start_watching()
        forget_stop_signals = self._stop_on_signals()
        if self.on_listening is not None:
            self.on_listening(self)
        # What the server has built by now (Voilà, Jupyter Server, the templates, the store:
        # about 250,000 objects) lives as long as it does, so the garbage collector's full
        # passes need not walk it. In a 3,000-phone burst they took 0.3 ms of the loop's
        # CPU per phone, a sixth of it, and 0.1 ms once frozen (docs/benchmarks.md).
        gc.freeze()
        try:
            self.ioloop.start()
        except KeyboardInterrupt:
            self.log.info("Stopping…")
        finally:
            forget_stop_signals()  # a second Ctrl+C now interrupts the shutdown
            server.stop()
            if isinstance(kernels, UreshiiKernelManager):
                kernels.stop_watching()
            try:
                if hasattr(self, "participants"):
                    self.participants.close()
            finally:
                self.stop()  # Voilà's: shuts every kernel down

    def _stop_on_signals(self) -> Callable[[], None]:
        """Stop the loop on Ctrl+C (SIGINT) and SIGTERM; ``listen`` then ends every kernel.

        The stop runs as a loop callback, not as a KeyboardInterrupt raised wherever the
        loop happens to be, and it also works when the server was started with SIGINT
        ignored (a script's background job). Where the loop has no signal handlers
        (Windows), Python's KeyboardInterrupt and Voilà's SIGTERM handler stay in place.
        Returns what puts the default handlers back.
        """
        if not isinstance(self.ioloop, BaseAsyncIOLoop):
            return lambda: None
        loop = self.ioloop.asyncio_loop
        installed: list[signal.Signals] = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, self._stop_loop, signum)
            except (NotImplementedError, RuntimeError, ValueError):
                continue
            installed.append(signum)

        def forget() -> None:
            for signum in installed:
                loop.remove_signal_handler(signum)

        return forget

    def _stop_loop(self, signum: signal.Signals) -> None:
        self.log.info("Stopping (%s)…", signum.name)
        self.ioloop.stop()


def _with_page_kernels(spec: Any) -> Any:
    """Voilà's route ``spec`` with its notebook page handler replaced by ours (the cap)."""
    if isinstance(spec, tuple) and len(spec) > 1 and spec[1] is TornadoVoilaHandler:
        return (spec[0], PageKernelHandler, *spec[2:])
    return spec


def _notebooks_in(folder: Path) -> list[str]:
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts
    )


def build_app(
    notebook_dir: str | os.PathLike[str],
    *,
    access: FacilitatorAccess,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    start_notebook: str = DEFAULT_START_NOTEBOOK,
    cull_idle_timeout: int = DEFAULT_CULL_IDLE_TIMEOUT,
    cull_interval: int = DEFAULT_CULL_INTERVAL,
    kernel_limits: KernelLimits | None = None,
) -> UreshiiVoila:
    """An initialised (not yet listening) :class:`UreshiiVoila` for ``notebook_dir``.

    ``kernel_limits``: the grace period of a closed page's kernel and the cap on kernels;
    by default from ``URESHII_KERNEL_GRACE_SECONDS`` and ``URESHII_MAX_KERNELS``.

    Raises :class:`~toolkit.server.ServerError` when the folder holds no notebooks or not
    ``start_notebook``, or when a kernel limit in the environment is not allowed.
    """
    limits = KernelLimits.from_environment(os.environ) if kernel_limits is None else kernel_limits
    folder = Path(notebook_dir).resolve()
    notebooks = _notebooks_in(folder) if folder.is_dir() else []
    if not notebooks:
        raise ServerError("serve_folder_has_no_notebooks", folder=str(notebook_dir))
    if start_notebook not in notebooks:
        raise ServerError(
            "serve_start_notebook_missing",
            notebook=start_notebook,
            folder=str(notebook_dir),
            available=", ".join(notebooks),
        )

    config = Config()
    config.Voila.ip = host
    config.Voila.port = port
    config.Voila.open_browser = False
    config.Voila.config_file_paths = []  # no voila.json from the working directory
    config.Voila.identity_provider_class = FacilitatorIdentityProvider
    config.VoilaConfiguration.template = "lab"
    config.VoilaConfiguration.theme = "light"
    # The app pages' <html lang> when their address has no lang= (docs/accessibility.md).
    config.HTMLExporter.language_code = normalize_language(None)
    config.VoilaConfiguration.allow_template_override = "NO"
    config.VoilaConfiguration.show_tracebacks = False
    config.VoilaConfiguration.strip_sources = True
    config.VoilaConfiguration.preheat_kernel = False
    # The app pages load only the widget manager's JupyterLab extension: the others installed
    # beside it (the lab's Voilà preview button, a pygments theme…) would be
    # fetched and run by every page, for nothing the apps use.
    config.VoilaConfiguration.extension_allowlist = list(PAGE_EXTENSIONS)
    # nbclient waits only 4 s (its default) for a cell's outputs after the kernel's reply,
    # then drops what has not arrived. When a room opens at once, the server reads the
    # kernels' widget messages more slowly than that, and the app's own output, sent last,
    # was dropped: the "half-empty app" of issue 13 (heading only, no error). The outputs
    # always follow the reply (the kernel has finished the cell), so waiting longer loses
    # nothing; a kernel that dies is still noticed at once by nbclient's liveness check.
    config.VoilaExecutor.iopub_timeout = IOPUB_TIMEOUT_SECONDS
    config.VoilaConfiguration.file_allowlist = list(FILE_ALLOWLIST)
    config.VoilaConfiguration.file_denylist = list(FILE_DENYLIST)
    # Closing a tab does not shut its kernel down (voila issue 1458), and an app's live feed
    # keeps its kernel active, so Jupyter's idle culler never ends it: our kernel manager
    # ends a kernel `grace_seconds` after its page's websocket closed (toolkit.server.kernels)
    # and caps the number of kernels.
    config.VoilaConfiguration.multi_kernel_manager_class = UreshiiKernelManager
    config.AsyncIOLoopKernelManager.client_class = "toolkit.server.kernels.RoomKernelClient"
    config.UreshiiKernelManager.grace_seconds = limits.grace_seconds
    config.UreshiiKernelManager.max_kernels = limits.max_kernels
    # Jupyter's culler stays as a second line: it shuts down kernels that have no open
    # websocket and did nothing for `cull_idle_timeout` seconds. Kernels with an open tab
    # are kept (cull_connected=False): a console left open during a break must live.
    config.MappingKernelManager.cull_idle_timeout = cull_idle_timeout
    config.MappingKernelManager.cull_interval = cull_interval
    config.MappingKernelManager.cull_connected = False
    config.MappingKernelManager.cull_busy = False

    app = UreshiiVoila(config=config)
    app.access = access
    app.start_notebook = start_notebook
    app.initialize([str(folder)])
    # Voilà's notebook executor logs to the "traitlets" logger, which has no handler of its
    # own; its warnings ("Timeout waiting for IOPub output") belong in the server's log.
    executor_log = logging.getLogger("traitlets")
    for handler in app.log.handlers:
        if handler not in executor_log.handlers:
            executor_log.addHandler(handler)
    return app


#: The JupyterLab extensions an app page loads: ipywidgets' and Voilà's widget managers.
PAGE_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8")

#: How long Voilà waits for a cell's outputs after the kernel replied (nbclient's default: 4).
IOPUB_TIMEOUT_SECONDS = 120


def lan_address() -> str:
    """This machine's address on the local network (what phones on the same Wi-Fi use).

    Asks the OS which local address would route to a TEST-NET address (a UDP "connect"
    sends nothing); falls back to the host name's address, then to loopback.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            address: str = probe.getsockname()[0]
            if address and not address.startswith("0."):
                return address
        except OSError:
            pass
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def public_host(host: str) -> str:
    """The host to print in links: the LAN address when listening on all interfaces."""
    if host in _ALL_INTERFACES:
        return lan_address()
    return f"[{host}]" if ":" in host else host


def facilitator_url(host: str, port: int, secret: str, base_url: str = "/") -> str:
    """The facilitator link (it carries the secret)."""
    return f"http://{public_host(host)}:{port}{base_url}?{SECRET_QUERY_ARGUMENT}={quote(secret)}"


def join_url(host: str, port: int, base_url: str = "/") -> str:
    """The participants' join link."""
    return f"http://{public_host(host)}:{port}{base_url.rstrip('/')}{PARTICIPANT_PREFIX}"


def qr_text(url: str) -> str:
    """``url`` as a QR code drawn with Unicode blocks, for the terminal."""
    buffer = io.StringIO()
    segno.make(url).terminal(out=buffer, compact=True)
    return buffer.getvalue().rstrip("\n")


def announce_start(
    *, folder: Path, print_fn: PrintFn, lang: str | None, database: str | None = None
) -> None:
    """Print what is being served (before the port is bound, so it shows even on errors)."""
    print_fn(t("serve_starting", lang, folder=str(folder)))
    if database:
        print_fn(t("serve_store", lang, database=database))


def announce(app: UreshiiVoila, *, print_fn: PrintFn, lang: str | None) -> None:
    """Print the links a facilitator needs once the server listens (each on its own line)."""
    join = join_url(app.ip, app.port, app.base_url)
    print_fn(
        t("serve_facilitator_url", lang, url=facilitator_url(app.ip, app.port, app.access.secret))
    )
    print_fn(t("serve_join_url", lang, url=join))
    print_fn(t("serve_join_qr", lang))
    print_fn(qr_text(join))
    if app.ip in _ALL_INTERFACES:
        print_fn(t("serve_lan_note", lang))
    print_fn(t("serve_stop_hint", lang))


def run_server(
    notebook_dir: str | os.PathLike[str],
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    secret: str | None = None,
    start_notebook: str = DEFAULT_START_NOTEBOOK,
    extra_env: Mapping[str, str] | None = None,
    print_fn: PrintFn = print,
    lang: str | None = None,
    cull_idle_timeout: int = DEFAULT_CULL_IDLE_TIMEOUT,
    cull_interval: int = DEFAULT_CULL_INTERVAL,
) -> None:
    """Serve the notebooks of ``notebook_dir`` as apps until interrupted (Ctrl+C / SIGTERM).

    - ``host``: ``"127.0.0.1"`` (this machine) or ``"0.0.0.0"`` (the LAN; the printed links
      then use the machine's LAN address).
    - ``port``: ``0`` picks a free port; a busy port raises :class:`ServerError`.
    - ``secret``: the facilitator secret; a new random one per start when ``None``.
    - ``extra_env``: variables every app kernel gets (e.g. ``URESHII_DATABASE_URL``).
      They are set in this process's environment, which Voilà copies into each kernel.
    - ``lang``: language of the printed lines and of the apps (sets ``URESHII_LANG``).

    Prints the facilitator link, the join link and its QR code through ``print_fn`` once the
    port is bound, then blocks.

    >>> run_server("workshops", host="0.0.0.0", port=8866,  # doctest: +SKIP
    ...            extra_env={"URESHII_DATABASE_URL": "sqlite:///ws.sqlite"})
    """
    language = normalize_language(lang)
    env = dict(extra_env or {})
    if lang is not None:
        env.setdefault("URESHII_LANG", language)
    os.environ.update(env)
    folder = Path(notebook_dir).resolve()
    access = FacilitatorAccess(secret if secret is not None else new_secret())
    announce_start(
        folder=folder, print_fn=print_fn, lang=language, database=env.get("URESHII_DATABASE_URL")
    )
    app = build_app(
        folder,
        access=access,
        host=host,
        port=port,
        start_notebook=start_notebook,
        cull_idle_timeout=cull_idle_timeout,
        cull_interval=cull_interval,
    )

    def _announce(started: UreshiiVoila) -> None:
        # Kernels start after this (on the first page load) and copy the environment, so
        # the console can show the join link and its QR code.
        os.environ[ENV_JOIN_URL] = join_url(started.ip, started.port, started.base_url)
        announce(started, print_fn=print_fn, lang=language)

    app.on_listening = _announce
    app.start()
    print_fn(t("serve_stopped", language))
