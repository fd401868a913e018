"""`ureshii print`: the day's printable materials, one A4 HTML file per kind of sheet.

Works like `ureshii codes` (and reuses its checks): everything that can be refused is checked
before anything is written or a code is issued (the sheets asked for and what each needs, the
address, the workshop, every output file and its folder); each file is written to a temporary
file and renamed into place; an existing file is replaced only with ``--force``. Ballots carry
one-time codes issued for this print (``--codes N``): the store keeps only their hashes, so
the ballots file is the one time they can be printed.

Exit codes: 0 written; 2 refused, nothing written or issued; 1 the store or the disk failed.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import click

from toolkit.cli.common import (
    chosen_workshop,
    claim_output,
    existing_store_url,
    fail,
    parse_count,
    write_into_place,
)
from toolkit.cli.serve_commands import DEFAULT_PORT, MIN_SECRET_LENGTH, SECRET_ENVVAR
from toolkit.errors import InvalidInputError, NotFoundError, UreshiiError
from toolkit.i18n import LANGUAGES, default_language, t
from toolkit.model import MAX_CODES
from toolkit.printables import DEFAULT_TABLES, SHEETS

# Kept here (not imported from toolkit.store.tables) so that `ureshii --help` does not import
# SQLAlchemy; tests/test_printables.py checks that they agree.
MAX_TABLES = 99
DEFAULT_SHEETS = ("cards", "methods", "consent")
"""What `ureshii print` writes when not told: the sheets that need nothing else."""


def register(group: click.Group) -> None:
    """Add this module's commands to the ``ureshii`` group."""
    lang = default_language()  # help texts are built before --lang is parsed

    @group.command("print", help=t("print_help", lang), short_help=t("print_short_help", lang))
    @click.argument("target", metavar="STORE_OR_FILE")
    @click.option("--workshop", "slug", default=None, help=t("print_workshop_help", lang))
    @click.option(
        "--what",
        "what",
        type=click.Choice([*SHEETS, "all"]),
        multiple=True,
        help=t("print_what_help", lang),
    )
    @click.option(
        "--lang",
        "language",
        type=click.Choice(LANGUAGES),
        default=None,
        help=t("print_lang_help", lang),
    )
    @click.option(
        "-o",
        "--out",
        "out",
        type=click.Path(path_type=Path),
        default=Path("."),
        help=t("print_out_help", lang),
    )
    @click.option(
        "--base-url",
        "base_url",
        metavar="URL",
        default=None,
        help=t("print_base_url_help", lang, port=DEFAULT_PORT),
    )
    @click.option(
        "--tables",
        "tables_text",
        metavar="N",
        default=str(DEFAULT_TABLES),
        help=t("print_tables_help", lang, limit=MAX_TABLES, default=DEFAULT_TABLES),
    )
    @click.option(
        "--secret",
        default=None,
        envvar=SECRET_ENVVAR,
        show_envvar=True,
        help=t("print_secret_help", lang),
    )
    @click.option(
        "--codes",
        "codes_text",
        metavar="N",
        default=None,
        help=t("print_codes_help", lang, limit=MAX_CODES),
    )
    @click.option("--force", is_flag=True, help=t("print_force_help", lang))
    def print_command(
        target: str,
        slug: str | None,
        what: tuple[str, ...],
        language: str | None,
        out: Path,
        base_url: str | None,
        tables_text: str,
        secret: str | None,
        codes_text: str | None,
        force: bool,
    ) -> None:
        kinds = _kinds(what)
        try:
            written = print_materials(
                target,
                slug,
                kinds,
                language=language,
                out=out,
                base_url=base_url,
                tables=_tables(tables_text) if "tables" in kinds else DEFAULT_TABLES,
                secret=secret,
                codes=_codes(codes_text) if "ballots" in kinds else 0,
                force=force,
            )
        except UreshiiError as error:
            fail(error, language or lang)
        shown = written["lang"]
        for kind, (path, count) in written["files"].items():
            what_name = t(f"print_sheet_{kind}", shown)
            click.echo(
                t("print_written", shown, sheets=count, what=what_name, title=written["title"],
                  path=str(path))
            )  # fmt: skip
        if written["codes"]:
            click.echo(t("print_codes_issued", shown, count=written["codes"]))
        click.echo(t("print_how_to_print", shown))


def _kinds(what: tuple[str, ...]) -> list[str]:
    chosen = set(what or DEFAULT_SHEETS)
    return [kind for kind in SHEETS if kind in chosen or "all" in chosen]


def _tables(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise InvalidInputError("print_error_bad_tables", value=text, limit=MAX_TABLES) from None
    if not 1 <= value <= MAX_TABLES:
        raise InvalidInputError("print_error_bad_tables", value=value, limit=MAX_TABLES)
    return value


def _codes(text: str | None) -> int:
    if text is None:
        raise InvalidInputError("print_error_need_codes", limit=MAX_CODES)
    return parse_count(text)


def _default_base_url() -> str:
    # Imported here: the server module imports Voilà, which takes a second.
    from toolkit.server.app import public_host

    return f"http://{public_host('0.0.0.0')}:{DEFAULT_PORT}/"


def print_materials(
    target: str,
    slug: str | None,
    kinds: list[str],
    *,
    language: str | None = None,
    out: Path = Path("."),
    base_url: str | None = None,
    tables: int = DEFAULT_TABLES,
    secret: str | None = None,
    codes: int = 0,
    force: bool = False,
) -> dict[str, Any]:
    """Write one HTML file per kind in ``kinds`` into ``out``; returns ``files`` (kind →
    (path, sheets)), ``title``, ``lang`` and how many ``codes`` were issued. Raises before
    writing anything or issuing a code if anything would be refused."""
    from toolkit.printables.document import (
        join_link,
        render_document,
        sheet_pages,
        table_links,
        town_meeting_ballots,
    )
    from toolkit.server.table_links import table_link_key
    from toolkit.store import Store

    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise InvalidInputError("print_error_bad_url", value=base_url)
    if "tables" in kinds:
        if not secret:
            raise InvalidInputError("print_error_need_secret")
        if len(secret) < MIN_SECRET_LENGTH:
            raise InvalidInputError(
                "print_error_short_secret", length=len(secret), min_length=MIN_SECRET_LENGTH
            )
    if "ballots" in kinds and not 1 <= codes <= MAX_CODES:
        raise InvalidInputError("print_error_need_codes", limit=MAX_CODES)
    base = base_url or _default_base_url()
    folder = out.expanduser()
    if not folder.is_dir():
        raise InvalidInputError("print_error_folder_missing", folder=str(folder))
    with Store.open(existing_store_url(target)) as store:
        chosen = chosen_workshop(store, slug)
        workshop = store.workshop(chosen)
        sheet_lang = language or workshop.lang
        if "ballots" in kinds and not town_meeting_ballots(store, chosen):
            raise NotFoundError("print_error_no_ballots")
        paths = {kind: folder / f"{chosen}-{kind}.html" for kind in kinds}
        for path in paths.values():
            if path.exists() and not force:
                raise InvalidInputError("print_error_exists", path=str(path))
        temps: dict[str, Path] = {}
        try:
            for kind, path in paths.items():
                temps[kind] = claim_output(path, force=force)
            files: dict[str, tuple[Path, int]] = {}
            issued: list[str] = []
            for kind in kinds:  # ballots last: codes are issued once everything else is written
                extra: dict[str, Any] = {}
                if kind == "tables":
                    key = table_link_key(secret or "")
                    extra["links"] = table_links(
                        store, chosen, key=key, base_url=base, tables=tables
                    )
                if kind == "ballots":
                    issued = store.issue_codes(chosen, codes)
                    extra.update(codes=issued, join_url=join_link(base))
                pages = sheet_pages(store, chosen, kind, sheet_lang, **extra)
                html = render_document(workshop.title, kind, pages, sheet_lang)
                write_into_place(temps[kind], paths[kind], html.encode("utf-8"))
                files[kind] = (paths[kind], len(pages))
        finally:
            for temp in temps.values():
                with contextlib.suppress(FileNotFoundError):
                    temp.unlink()
    return {"files": files, "title": workshop.title, "lang": sheet_lang, "codes": len(issued)}
