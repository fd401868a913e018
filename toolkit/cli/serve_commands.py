"""`ureshii serve` (owned by the server module)."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.errors import UreshiiError
from toolkit.i18n import default_language, t

# Kept here (not imported from toolkit.server.app) so that `ureshii --help` does not import
# Voilà; tests/server checks that they agree.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8866
DEFAULT_CULL_IDLE_TIMEOUT = 600
MIN_SECRET_LENGTH = 16
SECRET_ENVVAR = "URESHII_FACILITATOR_SECRET"


def database_url(target: str) -> str:
    """A database URL for ``target``: a URL is kept, a file path becomes ``sqlite:///…``.

    >>> database_url("postgresql://db/ws")
    'postgresql://db/ws'
    >>> database_url("/tmp/ws.sqlite")
    'sqlite:////tmp/ws.sqlite'
    """
    if "://" in target:
        return target
    return "sqlite:///" + str(Path(target).expanduser().resolve())


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
        from toolkit.server.app import SHIPPED_WORKSHOPS, run_server

        path = Path(target).expanduser()
        extra_env: dict[str, str] = {}
        if path.is_dir():
            folder = path
        else:
            # A store: serve the shipped apps, which open the store named here.
            folder = SHIPPED_WORKSHOPS
            extra_env["URESHII_DATABASE_URL"] = database_url(target)
        try:
            run_server(
                folder,
                host=host,
                port=port,
                secret=secret,
                extra_env=extra_env,
                print_fn=click.echo,
                lang=language,
                cull_idle_timeout=cull_idle_timeout,
                cull_interval=min(60, cull_idle_timeout),
            )
        except UreshiiError as err:
            raise click.ClickException(err.message(language)) from err
