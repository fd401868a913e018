"""`ureshii codes`: issue printed one-time voting codes as one A4 HTML sheet.

The store keeps only the codes' hashes, so the sheet written here is the one time they can
be printed. Everything that can be refused is checked before a code is issued (the count,
the link, the workshop, the output file and its folder), and the sheet is written to a
temporary file that is renamed into place, so a code is never issued into a file that is
then lost half-written, and an existing sheet is never replaced without ``--force``.

Exit codes: 0 written; 2 refused, nothing issued (a bad count or link, an unknown workshop,
an existing output file, a missing store); 1 the store or the disk failed.
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
from toolkit.cli.serve_commands import DEFAULT_PORT
from toolkit.errors import (
    InvalidInputError,
    UreshiiError,
)
from toolkit.i18n import LANGUAGES, default_language, t
from toolkit.model import CODE_PURPOSES, MAX_CODES


def register(group: click.Group) -> None:
    """Add this module's commands to the ``ureshii`` group."""
    lang = default_language()  # help texts are built before --lang is parsed

    @group.command("codes", help=t("codes_help", lang), short_help=t("codes_short_help", lang))
    @click.argument("target", metavar="STORE_OR_FILE")
    @click.option("--workshop", "slug", default=None, help=t("codes_workshop_help", lang))
    @click.option(
        "--count",
        "count_text",
        metavar="N",
        required=True,
        help=t("codes_count_help", lang, limit=MAX_CODES),
    )
    @click.option("--url", default=None, help=t("codes_url_help", lang, port=DEFAULT_PORT))
    @click.option(
        "--lang",
        "language",
        type=click.Choice(LANGUAGES),
        default=None,
        help=t("codes_lang_help", lang),
    )
    @click.option(
        "-o",
        "--out",
        "out",
        type=click.Path(path_type=Path),
        default=None,
        help=t("codes_out_help", lang),
    )
    @click.option("--force", is_flag=True, help=t("codes_force_help", lang))
    @click.option(
        "--for",
        "purpose",
        type=click.Choice(CODE_PURPOSES),
        default="vote",
        show_default=True,
        help=t("codes_purpose_help", lang),
    )
    def codes_command(
        target: str,
        slug: str | None,
        count_text: str,
        url: str | None,
        language: str | None,
        out: Path | None,
        force: bool,
        purpose: str,
    ) -> None:
        try:
            count = parse_count(count_text)
            if url is not None and not url.startswith(("http://", "https://")):
                raise InvalidInputError("codes_error_bad_url", value=url)
            written = issue_codes_sheet(
                target, slug, count, url, language, out, force, purpose=purpose
            )
        except UreshiiError as error:
            fail(error, language or lang)
        click.echo(
            t(
                "codes_written",
                written["lang"],
                count=count,
                title=written["title"],
                path=str(written["path"]),
                size=max(1, round(written["size"] / 1024)),
            )
        )
        click.echo(t("codes_once_warning", written["lang"]))


def issue_codes_sheet(
    target: str,
    slug: str | None,
    count: int,
    url: str | None,
    language: str | None,
    out: Path | None,
    force: bool,
    *,
    purpose: str = "vote",
) -> dict[str, Any]:
    """Issue ``count`` codes in the store ``target`` and write their sheet; returns what was
    written (``path``, ``size``, ``title``, ``lang``). Raises before issuing if anything would
    be refused."""
    from toolkit.codes_sheet import render_codes_sheet
    from toolkit.store import Store

    url = url or _default_join_url()
    with Store.open(existing_store_url(target)) as store:
        chosen = chosen_workshop(store, slug)
        workshop = store.workshop(chosen)
        sheet_lang = language or workshop.lang
        path = (out or Path(f"{chosen}-codes.html")).expanduser()
        temp = claim_output(
            path, force=force
        )  # proves the folder is writable before any code exists
        try:
            codes = store.issue_codes(chosen, count)
            html = render_codes_sheet(workshop.title, codes, url, sheet_lang, purpose=purpose)
            write_into_place(temp, path, html.encode("utf-8"))
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
    return {"path": path, "size": path.stat().st_size, "title": workshop.title, "lang": sheet_lang}


def _default_join_url() -> str:
    # Imported here: the server module imports Voilà, which takes a second.
    from toolkit.server.app import join_url

    return join_url("0.0.0.0", DEFAULT_PORT)
