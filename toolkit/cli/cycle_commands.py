"""`ureshii next-cycle`: start a workshop as the next cycle of a previous one (issue 18, item 4;
the store's side is toolkit/store/cycles.py).

Exit codes: 0 started, 2 refused and nothing written (an unknown previous workshop, a new id
taken or invalid, a missing store), 1 the store failed. Every message is in one language:
``--lang``, else the previous workshop's, else this computer's.
"""

from __future__ import annotations

import click

from toolkit.i18n import LANGUAGES, default_language, t


def register(group: click.Group) -> None:
    """Add this module's commands to the ``ureshii`` group."""
    lang = default_language()  # help texts are built before --lang is parsed

    @group.command("next-cycle", help=t("cli_next_cycle_help", lang))
    @click.argument("database", metavar="DATABASE")
    @click.option(
        "--from",
        "previous",
        required=True,
        metavar="PREVIOUS_ID",
        help=t("cli_next_cycle_from_help", lang),
    )
    @click.option(
        "--id", "new_slug", required=True, metavar="NEW_ID", help=t("cli_next_cycle_id_help", lang)
    )
    @click.option("--title", default=None, help=t("cli_next_cycle_title_help", lang))
    @click.option(
        "--lang",
        "language",
        type=click.Choice(LANGUAGES),
        default=None,
        help=t("export_cli_lang_help", lang),
    )
    def next_cycle_command(
        database: str, previous: str, new_slug: str, title: str | None, language: str | None
    ) -> None:
        from toolkit.cli.common import existing_store_url, fail
        from toolkit.errors import UreshiiError
        from toolkit.store import Store

        message_lang = language or lang
        try:
            with Store.open(existing_store_url(database)) as store:
                known = {w.slug: w.lang for w in store.workshops()}
                message_lang = language or known.get(previous) or lang
                created = store.start_next_cycle(previous, new_slug, title=title)
                counts = {
                    "issues": len(store.issues(created.slug)),
                    "roadmap": len(store.roadmap(created.slug)),
                    "indicators": len(store.indicators(created.slug)),
                    "measurements": len(store.measurements(created.slug)),
                }
        except UreshiiError as error:
            fail(error, message_lang)
        click.echo(
            t(
                "cli_next_cycle_done",
                message_lang,
                slug=created.slug,
                title=created.title,
                previous=previous,
                issues=counts["issues"],
                roadmap=counts["roadmap"],
                indicators=counts["indicators"],
                measurements=counts["measurements"],
            )
        )
