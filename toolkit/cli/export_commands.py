"""`ureshii export`, `ureshii import-issues`, `ureshii import-measurements`, `ureshii verify`
(owned by the export module).

Exit codes: 0 done (verify: every re-computed figure matches), 1 a problem the person can
act on (printed in ja/en: every import problem as ``row N, column X: message``; verify: the
first differences, each naming the item and the field), 2 a usage error (click's).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from toolkit.export._common import FORMATS, IMPORT_FIELDS
from toolkit.i18n import LANGUAGES, default_language, t

T = TypeVar("T")


def register(group: click.Group) -> None:
    """Add this module's commands to the ``ureshii`` group."""
    lang = default_language()  # help texts are built before --lang is parsed

    @group.command(
        "export",
        help=t("export_cli_help", lang),
        short_help=t("export_cli_short_help", lang),
        epilog=t("export_cli_database_help", lang),
    )
    @click.argument("database", metavar="DATABASE")
    @click.option("--workshop", "slug", default=None, help=t("export_cli_workshop_help", lang))
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        required=True,
        help=t("export_cli_format_help", lang),
    )
    @click.option("--out", "out", default=None, help=t("export_cli_out_help", lang))
    @click.option(
        "--lang",
        "language",
        type=click.Choice(LANGUAGES),
        default=None,
        help=t("export_cli_lang_help", lang),
    )
    @click.option(
        "--encoding",
        type=click.Choice(["utf-8-sig", "cp932"]),
        default="utf-8-sig",
        show_default=True,
        help=t("export_cli_encoding_help", lang),
    )
    @click.option(
        "--chart",
        type=click.Choice(["ranking", "happiness"]),
        default="ranking",
        show_default=True,
        help=t("export_cli_chart_help", lang),
    )
    @click.option("--ballot", default=None, help=t("export_cli_ballot_help", lang))
    def export_command(
        database: str,
        slug: str | None,
        fmt: str,
        out: str | None,
        language: str | None,
        encoding: str,
        chart: str,
        ballot: str | None,
    ) -> None:
        from toolkit.errors import UreshiiError
        from toolkit.export import BINARY_FORMATS, render, write_survey_csvs
        from toolkit.export.surveys import survey_data
        from toolkit.store import Store
        from toolkit.summary import summarize

        # Every message, success or error, in one language: --lang, else the workshop's
        # once it is known (as `ureshii check`), else this computer's.
        message_lang = language or lang
        try:
            with Store.open(database) as store:
                chosen = _workshop(store, slug)
                summary = summarize(store, chosen)
                surveys = survey_data(store, chosen, summary)
            message_lang = language or summary["workshop"]["lang"]
            if out == "-" and fmt in BINARY_FORMATS:
                click.echo(t("export_binary_stdout", message_lang, format=fmt), err=True)
                sys.exit(1)
            data = render(
                summary,
                fmt,
                lang=language,
                encoding=encoding,
                chart=chart,
                ballot=ballot,
                surveys=surveys,
            )
        except UreshiiError as error:
            click.echo(error.message(message_lang), err=True)
            sys.exit(1)
        if out == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        target = Path(out) if out else Path(f"{chosen}.{fmt}")
        target.write_bytes(data)
        click.echo(t("export_written", message_lang, path=str(target), format=fmt))
        if fmt == "csv":  # each survey's answers and results beside the backlog
            try:
                written = write_survey_csvs(
                    summary, surveys, target, lang=language, encoding=encoding
                )
            except UreshiiError as error:
                click.echo(error.message(message_lang), err=True)
                sys.exit(1)
            for path, survey, table in written:
                click.echo(
                    t(
                        "export_survey_written",
                        message_lang,
                        path=str(path),
                        survey=survey,
                        table=t(f"export_survey_table_{table}", message_lang),
                    )
                )

    @group.command(
        "import-issues",
        help=t("import_cli_help", lang),
        short_help=t("import_cli_short_help", lang),
    )
    @click.argument("database", metavar="DATABASE")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--workshop", "slug", default=None, help=t("export_cli_workshop_help", lang))
    @click.option(
        "--map",
        "maps",
        multiple=True,
        metavar="COLUMN=FIELD",
        help=t("import_cli_map_help", lang, fields=", ".join(IMPORT_FIELDS)),
    )
    @click.option("--sheet", default=None, help=t("import_cli_sheet_help", lang))
    @click.option(
        "--lang",
        "language",
        type=click.Choice(LANGUAGES),
        default=None,
        help=t("export_cli_lang_help", lang),
    )
    def import_issues_command(
        database: str,
        file: Path,
        slug: str | None,
        maps: tuple[str, ...],
        sheet: str | None,
        language: str | None,
    ) -> None:
        from toolkit.export.imports import import_issues

        message_lang = language or lang
        mapping: dict[str, str] = {}
        for given in maps:
            column, _, field = given.rpartition("=")
            if not column or field not in IMPORT_FIELDS:
                click.echo(
                    t("import_bad_map", message_lang, value=given, fields=", ".join(IMPORT_FIELDS)),
                    err=True,
                )
                sys.exit(2)
            mapping[column] = field
        result, message_lang = _run_import(
            database,
            slug,
            file,
            language or lang,
            language,
            lambda store, chosen: import_issues(store, chosen, file, mapping=mapping, sheet=sheet),
        )
        click.echo(
            t(
                "import_done",
                message_lang,
                count=len(result.keys),
                slug=result.slug,
                encoding=result.encoding,
            )
        )

    @group.command(
        "import-measurements",
        help=t("measurement_import_cli_help", lang),
        short_help=t("measurement_import_cli_short_help", lang),
    )
    @click.argument("database", metavar="DATABASE")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--workshop", "slug", default=None, help=t("export_cli_workshop_help", lang))
    @click.option("--sheet", default=None, help=t("import_cli_sheet_help", lang))
    @click.option(
        "--lang",
        "language",
        type=click.Choice(LANGUAGES),
        default=None,
        help=t("export_cli_lang_help", lang),
    )
    def import_measurements_command(
        database: str, file: Path, slug: str | None, sheet: str | None, language: str | None
    ) -> None:
        from toolkit.export.measurement_import import import_measurements

        result, message_lang = _run_import(
            database,
            slug,
            file,
            language or lang,
            language,
            lambda store, chosen: import_measurements(store, chosen, file, sheet=sheet),
        )
        click.echo(
            t(
                "measurement_import_done",
                message_lang,
                count=result.imported,
                slug=result.slug,
                encoding=result.encoding,
                skipped=result.skipped,
            )
        )

    @group.command(
        "verify", help=t("verify_cli_help", lang), short_help=t("verify_cli_short_help", lang)
    )
    @click.argument(
        "file", metavar="FILE.json", type=click.Path(exists=True, dir_okay=False, path_type=Path)
    )
    @click.option(
        "--lang",
        "language",
        type=click.Choice(LANGUAGES),
        default=None,
        help=t("export_cli_lang_help", lang),
    )
    def verify_command(file: Path, language: str | None) -> None:
        from toolkit.errors import UreshiiError
        from toolkit.export.verify import load_document, verify_document

        try:
            document = load_document(file)
        except UreshiiError as error:
            click.echo(error.message(language or lang), err=True)
            sys.exit(1)
        except ValueError as error:  # not JSON at all
            click.echo(f"{file}: {error}", err=True)
            sys.exit(1)
        result = verify_document(document)
        click.echo(result.report(language or document.get("lang") or lang))
        sys.exit(0 if result.matches else 1)


def _run_import(
    database: str,
    slug: str | None,
    file: Path,
    message_lang: str,
    language: str | None,
    do_import: Callable[[Any, str], T],
) -> tuple[T, str]:
    """Open the store, choose the workshop and run ``do_import(store, slug)``; print every
    problem of a refused file (``row N, column X: …``) or the error and exit 1. Messages are
    in one language: ``--lang``, else the workshop's, else ``message_lang`` (the computer's).
    Returns the import's result and the language to say it in."""
    from toolkit.errors import UreshiiError
    from toolkit.export.imports import ImportProblemsError
    from toolkit.store import Store

    try:
        with Store.open(database) as store:
            chosen = _workshop(store, slug)
            message_lang = language or store.workshop(chosen).lang
            return do_import(store, chosen), message_lang
    except ImportProblemsError as error:
        for problem in error.problems:
            click.echo(problem.format(message_lang, file=str(file)))
        click.echo(t("import_failed", message_lang, count=len(error.problems)))
        sys.exit(1)
    except UreshiiError as error:
        click.echo(error.message(message_lang), err=True)
        sys.exit(1)


def _workshop(store: object, slug: str | None) -> str:
    """The workshop to work on: ``slug``, or the only one in the store."""
    from toolkit.export._common import ExportError
    from toolkit.store import Store

    assert isinstance(store, Store)
    if slug is not None:
        return store.workshop(slug).slug
    slugs = [w.slug for w in store.workshops()]
    if not slugs:
        raise ExportError("export_no_workshop")
    if len(slugs) > 1:
        raise ExportError("export_choose_workshop", slugs=", ".join(slugs))
    return slugs[0]
