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
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import click

from toolkit.cli.serve_commands import DEFAULT_PORT, store_for
from toolkit.errors import (
    InvalidInputError,
    NotFoundError,
    StoreError,
    UreshiiError,
    WorkshopFileError,
)
from toolkit.i18n import LANGUAGES, default_language, t
from toolkit.model import MAX_CODES


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
    def codes_command(
        target: str,
        slug: str | None,
        count_text: str,
        url: str | None,
        language: str | None,
        out: Path | None,
        force: bool,
    ) -> None:
        try:
            count = _count(count_text)
            if url is not None and not url.startswith(("http://", "https://")):
                raise InvalidInputError("codes_error_bad_url", value=url)
            written = issue_codes_sheet(target, slug, count, url, language, out, force)
        except UreshiiError as error:
            _fail(error, language or lang)
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
) -> dict[str, Any]:
    """Issue ``count`` codes in the store ``target`` and write their sheet; returns what was
    written (``path``, ``size``, ``title``, ``lang``). Raises before issuing if anything would
    be refused."""
    from toolkit.codes_sheet import render_codes_sheet
    from toolkit.store import Store

    url = url or _default_join_url()
    with Store.open(_store_url(target)) as store:
        chosen = _workshop(store, slug)
        workshop = store.workshop(chosen)
        sheet_lang = language or workshop.lang
        path = (out or Path(f"{chosen}-codes.html")).expanduser()
        temp = _claim(path, force=force)  # proves the folder is writable before any code exists
        try:
            codes = store.issue_codes(chosen, count)
            html = render_codes_sheet(workshop.title, codes, url, sheet_lang)
            _write_into_place(temp, path, html.encode("utf-8"))
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
    return {"path": path, "size": path.stat().st_size, "title": workshop.title, "lang": sheet_lang}


def _count(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise InvalidInputError("invalid_code_count", value=text, limit=MAX_CODES) from None
    if not 1 <= value <= MAX_CODES:
        raise InvalidInputError("invalid_code_count", value=value, limit=MAX_CODES)
    return value


def _default_join_url() -> str:
    # Imported here: the server module imports Voilà, which takes a second.
    from toolkit.server.app import join_url

    return join_url("0.0.0.0", DEFAULT_PORT)


def _store_url(target: str) -> str:
    """The store for ``target`` as `ureshii serve` would use it; a missing SQLite file is
    refused rather than created empty (a typo must not issue codes into a new store)."""
    path = Path(target).expanduser()
    if "://" not in target:
        if not path.is_file():
            raise NotFoundError("codes_error_store_missing", path=str(path))
        if path.suffix.lower() not in (".yaml", ".yml"):
            with path.open("rb") as handle:
                if handle.read(16) != b"SQLite format 3\x00":
                    raise InvalidInputError("codes_error_not_sqlite", path=str(path))
    return store_for(target)


def _workshop(store: Any, slug: str | None) -> str:
    """``slug``, checked, or the store's only workshop."""
    if slug is not None:
        return str(store.workshop(slug).slug)
    slugs = [w.slug for w in store.workshops()]
    if not slugs:
        raise NotFoundError("codes_error_no_workshop")
    if len(slugs) > 1:
        raise InvalidInputError("codes_error_choose_workshop", slugs=", ".join(slugs))
    return str(slugs[0])


def _claim(path: Path, *, force: bool) -> Path:
    """A new temporary file beside ``path``, after checking ``path`` may be (re)placed."""
    if path.is_dir():
        raise InvalidInputError("codes_error_is_folder", path=str(path))
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInputError("codes_error_folder_missing", folder=str(folder))
    if path.exists() and not force:
        raise InvalidInputError("codes_error_exists", path=str(path))
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise StoreError("codes_error_write", path=str(path), detail=str(error)) from None
    os.close(handle)
    return Path(name)


def _write_into_place(temp: Path, path: Path, data: bytes) -> None:
    try:
        with temp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp made the file readable by its owner only: the codes are secrets until handed out.
        os.replace(temp, path)
    except OSError as error:
        raise StoreError("codes_error_write", path=str(path), detail=str(error)) from None


def _fail(error: UreshiiError, lang: str) -> NoReturn:
    """Print the error (and a workshop file's problems, one per line) and exit."""
    problems = getattr(error, "problems", None) or []
    lines = [p.format(lang) for p in problems] or [error.message(lang)]
    click.echo("\n".join(lines), err=True)
    refused = (InvalidInputError, NotFoundError, WorkshopFileError)
    sys.exit(2 if isinstance(error, refused) else 1)
