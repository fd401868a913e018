"""`ureshii serve` (owned by the server module)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from toolkit.errors import UreshiiError
from toolkit.i18n import default_language, normalize_language, t

# Kept here (not imported from toolkit.server.app) so that `ureshii --help` does not import
# Voilà; tests/server checks that they agree.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8866
DEFAULT_CULL_IDLE_TIMEOUT = 600
MIN_SECRET_LENGTH = 16
SECRET_ENVVAR = "URESHII_FACILITATOR_SECRET"


def store_for(target: str) -> str:
    """The store URL to serve for ``target``: a database path or URL as given, or for a
    workshop file (``.yaml``/``.yml``) a SQLite store beside it, with the workshop loaded
    into it the first time.

    >>> store_for("postgresql://db/ws")
    'postgresql+psycopg://db/ws'
    """
    from toolkit.store import Store, resolve_url

    path = Path(target).expanduser()
    if path.suffix.lower() not in (".yaml", ".yml"):
        return resolve_url(target)
    from toolkit.workshop_file import load_workshop_file

    spec = load_workshop_file(path)
    url = resolve_url(path.with_suffix(".sqlite"))
    with Store.open(url) as store:
        if spec.id not in {w.slug for w in store.workshops()}:
            store.create_workshop(spec)
    return url


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this computer only (phones cannot join).

    >>> [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "192.168.1.5")]
    [True, True, True, False, False]
    """
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def with_loopback_note(
    print_fn: Callable[[str], None], host: str, lang: str | None
) -> Callable[[str], None]:
    """``print_fn``, which on a loopback ``host`` also says, in Japanese and in English, that
    phones cannot join and how to fix it: just before the server's last start-up line (the
    Ctrl+C hint), that is right under the join link and its QR code."""
    if not is_loopback(host):
        return print_fn
    language = normalize_language(lang)
    stop_hint = t("serve_stop_hint", language)
    other = "en" if language == "ja" else "ja"

    def printer(line: str) -> None:
        if line == stop_hint:
            for each in (language, other):
                print_fn(t("serve_loopback_note", each, host=host))
        print_fn(line)

    return printer


def _explain(err: UreshiiError, lang: str | None) -> str:
    """The error's message, and for a workshop file every problem on its own line."""
    problems = getattr(err, "problems", None) or []
    lines = [p.format(lang) for p in problems]
    return "\n".join(lines) if lines else err.message(lang)


def register(group: click.Group) -> None:
    """Add this module's commands to the ``ureshii`` group."""
    lang = default_language()  # help texts are built before --lang is parsed

    @group.command(
        "serve",
        help=t("serve_help", lang),
        epilog=t("serve_epilog", lang),
        short_help=t("serve_help", lang),
    )
    @click.argument("target", metavar="NOTEBOOK_DIR_OR_DATABASE")
    @click.option(
        "--host", default=DEFAULT_HOST, show_default=True, help=t("serve_host_help", lang)
    )
    @click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=DEFAULT_PORT,
        help=t("serve_port_help", lang, port=DEFAULT_PORT),
    )
    @click.option(
        "--lang",
        "language",
        type=click.Choice(["ja", "en"]),
        default=None,
        help=t("serve_lang_help", lang),
    )
    @click.option(
        "--secret",
        default=None,
        envvar=SECRET_ENVVAR,
        show_envvar=True,
        help=t("serve_secret_help", lang, min_length=MIN_SECRET_LENGTH),
    )
    @click.option(
        "--cull-idle-timeout",
        type=click.IntRange(1, None),
        default=DEFAULT_CULL_IDLE_TIMEOUT,
        help=t("serve_cull_help", lang, seconds=DEFAULT_CULL_IDLE_TIMEOUT),
    )
    def serve(
        target: str,
        host: str,
        port: int,
        language: str | None,
        secret: str | None,
        cull_idle_timeout: int,
    ) -> None:
        # Imported here: Voilà and Jupyter Server take a second to import.
        from toolkit.server.app import run_server, shipped_workshops

        path = Path(target).expanduser()
        extra_env: dict[str, str] = {}
        if path.is_dir():
            folder = path
        else:
            # A store (or a workshop file, loaded into a store beside it): serve the shipped
            # apps, which open the store named here.
            folder = shipped_workshops()
            try:
                extra_env["URESHII_DATABASE_URL"] = store_for(target)
            except UreshiiError as err:
                raise click.ClickException(_explain(err, language)) from err
        try:
            run_server(
                folder,
                host=host,
                port=port,
                secret=secret,
                extra_env=extra_env,
                print_fn=with_loopback_note(click.echo, host, language),
                lang=language,
                cull_idle_timeout=cull_idle_timeout,
                cull_interval=min(60, cull_idle_timeout),
            )
        except UreshiiError as err:
            raise click.ClickException(err.message(language)) from err
