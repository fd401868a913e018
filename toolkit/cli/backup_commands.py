"""`ureshii backup` and `ureshii restore`: checked copies of a SQLite store (toolkit.store.backup).

Exit codes: 0 copied and checked; 2 refused, nothing written (a missing file, a file that
is not a Ureshii store or is damaged, a newer schema, a PostgreSQL URL, an existing
destination without ``--force``); 1 the copy failed (the target is in use, the disk, a copy
that did not check out).
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from toolkit.errors import InvalidInputError, NotFoundError, UreshiiError
from toolkit.i18n import LANGUAGES, default_language, t


def register(group: click.Group) -> None:
    """Add this module's commands to the ``ureshii`` group."""
    lang = default_language()  # help texts are built before --lang is parsed

    lang_option = click.option(  # one decorator, applied to both commands
        "--lang",
        "language",
        type=click.Choice(LANGUAGES),
        default=None,
        help=t("backup_lang_help", lang),
    )

    @group.command("backup", help=t("backup_help", lang), short_help=t("backup_short_help", lang))
    @click.argument("store", metavar="STORE")
    @click.argument("dest", metavar="DEST.sqlite")
    @click.option("--force", is_flag=True, help=t("backup_force_help", lang))
    @lang_option
    def backup_command(store: str, dest: str, force: bool, language: str | None) -> None:
        from toolkit.store.backup import backup_store

        chosen = language or lang
        try:
            report = backup_store(store, dest, force=force)
        except UreshiiError as error:
            _fail(error, chosen)
        click.echo(
            t(
                "backup_done",
                chosen,
                source=report.source,
                path=report.path,
                size=max(1, round(report.size / 1024)),
                workshops=report.workshops,
                participants=report.participants,
                votes=report.votes,
                events=report.events,
                revision=report.revision,
            )
        )

    @group.command(
        "restore", help=t("restore_help", lang), short_help=t("restore_short_help", lang)
    )
    @click.argument("backup", metavar="BACKUP.sqlite")
    @click.argument("target", metavar="TARGET.sqlite")
    @click.option("--force", is_flag=True, help=t("restore_force_help", lang))
    @lang_option
    def restore_command(backup: str, target: str, force: bool, language: str | None) -> None:
        from toolkit.store.backup import restore_store

        chosen = language or lang
        try:
            report = restore_store(backup, target, force=force)
        except UreshiiError as error:
            _fail(error, chosen)
        click.echo(
            t(
                "restore_done",
                chosen,
                backup=report.source,
                path=report.path,
                workshops=report.workshops,
                participants=report.participants,
                votes=report.votes,
                events=report.events,
                revision=report.revision,
            )
        )
        if report.older_schema:
            click.echo(
                t("restore_older_schema", chosen, revision=report.revision, head=report.head)
            )


def _fail(error: UreshiiError, lang: str) -> NoReturn:
    """Print the error in ``lang`` and exit: 2 when what was given is refused, else 1."""
    click.echo(error.message(lang), err=True)
    sys.exit(2 if isinstance(error, InvalidInputError | NotFoundError) else 1)
