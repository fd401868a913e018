"""`ureshii demo`: build the demo workshop, then open the apps on it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from toolkit.i18n import default_language, normalize_language, t

DEFAULT_DATA_DIR = Path("ureshii-data")


def register(group: click.Group) -> None:
    """Add this module's commands to the ``ureshii`` group."""
    lang = default_language()  # help texts are built before --lang is parsed

    @group.command("demo", help=t("demo_help", lang), short_help=t("demo_short_help", lang))
    @click.option(
        "--lang",
        "language",
        type=click.Choice(["ja", "en"]),
        default=None,
        help=t("demo_lang_help", lang),
    )
    @click.option(
        "--data",
        "data_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_DATA_DIR,
        show_default=True,
        help=t("demo_data_help", lang),
    )
    @click.option("--host", default="127.0.0.1", show_default=True, help=t("demo_host_help", lang))
    @click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=8866,
        show_default=True,
        help=t("demo_port_help", lang),
    )
    @click.option("--no-serve", is_flag=True, help=t("demo_no_serve_help", lang))
    @click.option("--seed", default=0, show_default=True, type=int, help=t("demo_seed_help", lang))
    def demo(
        language: str | None, data_dir: Path, host: str, port: int, no_serve: bool, seed: int
    ) -> None:
        from toolkit.demo import build_demo
        from toolkit.errors import UreshiiError

        chosen = demo_language(language)
        click.echo(t("demo_building", chosen, folder=str(data_dir)), err=no_serve)
        try:
            built = build_demo(data_dir, lang=chosen, seed=seed)
        except UreshiiError as err:
            raise click.ClickException(err.message(chosen)) from err
        if no_serve:
            click.echo(str(built.path))
            return
        from toolkit.store import Store
        from toolkit.summary import summarize

        with Store.open(built.path) as store:
            click.echo(render_demo_report(summarize(store, built.slug), str(built.path), chosen))
        from toolkit.cli.serve_commands import with_loopback_note
        from toolkit.server.app import run_server, shipped_workshops
        from toolkit.store import resolve_url

        try:
            run_server(
                shipped_workshops(),
                host=host,
                port=port,
                print_fn=with_loopback_note(click.echo, host, chosen),
                lang=chosen,
                extra_env={"URESHII_DATABASE_URL": resolve_url(built.path)},
            )
        except UreshiiError as err:  # e.g. the port is busy: say so, without a traceback
            raise click.ClickException(err.message(chosen)) from err


def demo_language(option: str | None) -> str:
    """The demo's language: ``--lang``, else ``URESHII_LANG`` when set, else Japanese.

    Never the machine's locale: this product is for Japanese municipalities, and a fresh
    Debian machine says C.UTF-8, which would give an English demo.

    >>> demo_language("en"), demo_language(None) in ("ja", "en")
    ('en', True)
    """
    if option:
        return option
    chosen = os.environ.get("URESHII_LANG", "")
    return normalize_language(chosen) if chosen else "ja"


def render_demo_report(summary: dict[str, Any], path: str, lang: str) -> str:
    """What the demo built, in words: counts, the locked charter, the top of the backlog."""
    from toolkit.methods.registry import method_name

    charter = summary["charter"]
    names = {c["key"]: c["name"] for c in summary["criteria"]}
    lines = [
        t("demo_built", lang, path=path, title=summary["workshop"]["title"]),
        t("demo_counts", lang, **summary["counts"]),
        t(
            "demo_charter",
            lang,
            version=charter["version"],
            method=method_name(charter["method"], lang),
            weights=", ".join(f"{names[k]} {v:.0%}" for k, v in charter["weights"].items()),
        ),
        t("demo_top", lang),
    ]
    lines += [
        t(
            "demo_rank_line",
            lang,
            rank=row["rank"],
            title=row["title"],
            score=row["score"],
            robustness=row["robustness"],
        )
        for row in summary["ranking"][:5]
    ]
    return "\n".join(lines)
