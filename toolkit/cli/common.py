"""What the commands that write a file from a store share (`ureshii codes`, `ureshii print`):
open an existing store, pick the workshop, claim the output file, write it into place
atomically, and fail with the right exit code (2 refused, nothing done; 1 the store or the
disk failed)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import click

from toolkit.cli.serve_commands import store_for
from toolkit.errors import (
    InvalidInputError,
    NotFoundError,
    StoreError,
    UreshiiError,
    WorkshopFileError,
)
from toolkit.model import MAX_CODES


def parse_count(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise InvalidInputError("invalid_code_count", value=text, limit=MAX_CODES) from None
    if not 1 <= value <= MAX_CODES:
        raise InvalidInputError("invalid_code_count", value=value, limit=MAX_CODES)
    return value


def existing_store_url(target: str) -> str:
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


def chosen_workshop(store: Any, slug: str | None) -> str:
    """``slug``, checked, or the store's only workshop."""
    if slug is not None:
        return str(store.workshop(slug).slug)
    slugs = [w.slug for w in store.workshops()]
    if not slugs:
        raise NotFoundError("codes_error_no_workshop")
    if len(slugs) > 1:
        raise InvalidInputError("codes_error_choose_workshop", slugs=", ".join(slugs))
    return str(slugs[0])


def claim_output(path: Path, *, force: bool) -> Path:
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


def write_into_place(temp: Path, path: Path, data: bytes) -> None:
    try:
        with temp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp made the file readable by its owner only: the codes are secrets until handed out.
        os.replace(temp, path)
    except OSError as error:
        raise StoreError("codes_error_write", path=str(path), detail=str(error)) from None


def fail(error: UreshiiError, lang: str) -> NoReturn:
    """Print the error (and a workshop file's problems, one per line) and exit."""
    problems = getattr(error, "problems", None) or []
    lines = [p.format(lang) for p in problems] or [error.message(lang)]
    click.echo("\n".join(lines), err=True)
    refused = (InvalidInputError, NotFoundError, WorkshopFileError)
    sys.exit(2 if isinstance(error, refused) else 1)
