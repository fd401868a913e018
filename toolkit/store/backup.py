"""Online, checked backups of a SQLite store, and restores from them (``ureshii backup/restore``).

A backup is taken while ``ureshii serve`` may be writing: one read transaction on the store
(WAL lets writers go on beside it) reads the row counts and the schema version, and SQLite's
backup API copies the pages *of that same snapshot* into a temporary file beside the
destination (:func:`sqlite3.Connection.backup` uses the source connection's open read
transaction). The copy is then checked — ``PRAGMA integrity_check`` is "ok", no foreign key
points nowhere (every vote's participant exists), the schema version and the count of every
table equal the snapshot's — and only then renamed over the destination, so a destination
is either the old file or a complete, checked copy, never half of one.

A restore checks the backup the same way (a SQLite file, a Ureshii store, not damaged, not
from a newer schema), copies it beside the target, checks the copy, and renames it into
place. Backups are single files (rollback journal, not WAL), so they can be copied anywhere.

PostgreSQL stores are refused with the ``pg_dump`` / ``pg_restore`` commands to use instead
(docs/codes-and-backup.md).

>>> report = backup_store("my-town.sqlite", "backups/my-town-0930.sqlite")  # doctest: +SKIP
>>> report.votes, report.revision                                         # doctest: +SKIP
(412, '0001')
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from toolkit.errors import InvalidInputError, NotFoundError, StoreError

#: How long the copy waits for a lock on a busy store (seconds); WAL readers rarely wait.
BUSY_TIMEOUT_S = 30.0
#: How long ``--force`` waits to learn whether another program has the target open.
IN_USE_TIMEOUT_S = 1.0
#: Tables without which a SQLite file is not a Ureshii store.
REQUIRED_TABLES = ("alembic_version", "workshops", "participants", "ballots", "votes", "events")
_SQLITE_HEADER = b"SQLite format 3\x00"
_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class BackupReport:
    """What a backup or a restore wrote, as checked after writing it.

    ``counts`` holds the rows of every table of the copy (equal to the source's as of the
    snapshot); ``revision`` is the copy's schema version and ``head`` the newest this version
    of Ureshii knows (an older backup is upgraded when the store is next opened).
    """

    source: str
    path: str
    revision: str
    head: str
    counts: Mapping[str, int]
    size: int

    @property
    def workshops(self) -> int:
        return self.counts.get("workshops", 0)

    @property
    def participants(self) -> int:
        return self.counts.get("participants", 0)

    @property
    def votes(self) -> int:
        return self.counts.get("votes", 0)

    @property
    def events(self) -> int:
        return self.counts.get("events", 0)

    @property
    def older_schema(self) -> bool:
        return self.revision != self.head


def backup_store(
    source: str | os.PathLike[str], dest: str | os.PathLike[str], *, force: bool = False
) -> BackupReport:
    """Copy the SQLite store ``source`` (a path or ``sqlite:///`` URL) to the file ``dest``.

    Safe while the store is in use. Refuses (``InvalidInputError``) a PostgreSQL URL, a file
    that is not a Ureshii store or is damaged, and an existing ``dest`` unless ``force``;
    raises ``NotFoundError`` for a missing store and ``StoreError`` when the copy does not
    check out or ``dest`` cannot be written. ``dest`` is untouched unless everything passed.
    """
    source_path = _sqlite_path(source, "backup_error_postgres")
    dest_path = Path(dest).expanduser().absolute()
    _require_source(source_path)
    _require_destination(dest_path, source_path, force=force)
    return _copy_checked(source_path, dest_path, force=force, refuse_newer=False)


def restore_store(
    backup: str | os.PathLike[str], target: str | os.PathLike[str], *, force: bool = False
) -> BackupReport:
    """Check the backup file ``backup`` and copy it into the store file ``target``.

    Refuses (``InvalidInputError``) a file that is not a Ureshii store, a damaged one, one
    from a newer schema, a PostgreSQL target, and an existing target unless ``force``; with
    ``force`` the target's stale ``-wal``/``-shm`` files are removed too (they would otherwise
    be replayed onto the restored file), and a target that another program has open is
    refused (``StoreError``): stop ``ureshii serve`` first.
    """
    backup_path = Path(backup).expanduser().absolute()
    target_path = _sqlite_path(target, "restore_error_postgres")
    _require_source(backup_path)
    _require_destination(target_path, backup_path, force=force)
    return _copy_checked(backup_path, target_path, force=force, refuse_newer=True)


# ---------------------------------------------------------------------- checks before copying
def _sqlite_path(target: str | os.PathLike[str], postgres_key: str) -> Path:
    """The file of a SQLite store given as a path or URL; a PostgreSQL URL is refused."""
    from sqlalchemy.engine import make_url

    from toolkit.store.engine import resolve_url

    value = os.fspath(target)
    if "://" not in value:
        return Path(value).expanduser().absolute()
    url = make_url(resolve_url(value))
    backend = url.get_backend_name()
    if backend == "postgresql":
        raise InvalidInputError(postgres_key)
    if backend != "sqlite" or not url.database or url.database == ":memory:":
        raise InvalidInputError("backup_error_not_sqlite", path=url.render_as_string())
    return Path(url.database).expanduser().absolute()


def _require_source(path: Path) -> None:
    if not path.is_file():
        raise NotFoundError("backup_error_missing", path=str(path))
    with path.open("rb") as handle:
        if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            raise InvalidInputError("backup_error_not_sqlite", path=str(path))


def _require_destination(dest: Path, source: Path, *, force: bool) -> None:
    if not dest.parent.is_dir():
        raise InvalidInputError("backup_error_folder_missing", folder=str(dest.parent))
    if dest.resolve() == source.resolve():
        raise InvalidInputError("backup_error_same_file", path=str(dest))
    if dest.is_dir():  # even --force never replaces a folder
        raise InvalidInputError("backup_error_exists", path=str(dest))
    existing = [p for p in (dest, *_side_files(dest)) if p.exists()]
    if existing and not force:
        raise InvalidInputError("backup_error_exists", path=str(existing[0]))


def _side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in _SIDE_FILES]


# ---------------------------------------------------------------------- the copy
def _copy_checked(source: Path, dest: Path, *, force: bool, refuse_newer: bool) -> BackupReport:
    known, head = _known_revisions()
    handle, temp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        counts, revision = _snapshot_into(source, temp)
        if refuse_newer and revision not in known:
            raise InvalidInputError(
                "backup_error_newer_schema", path=str(source), revision=revision, head=head
            )
        _check_copy(temp, source, counts, revision)
        _fsync(temp)
        if force:
            _release(dest)
        if dest.is_file():  # a replaced file keeps its permissions; a new one is owner-only
            os.chmod(temp, stat.S_IMODE(dest.stat().st_mode))
        try:
            os.replace(temp, dest)
        except OSError as error:
            raise StoreError("backup_error_write", path=str(dest), detail=str(error)) from None
        _fsync_folder(dest.parent)
    finally:
        for leftover in (temp, *_side_files(temp)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return BackupReport(
        source=str(source),
        path=str(dest),
        revision=revision,
        head=head,
        counts=MappingProxyType(dict(counts)),
        size=dest.stat().st_size,
    )


def _snapshot_into(source: Path, temp: Path) -> tuple[dict[str, int], str]:
    """Copy one snapshot of ``source`` into ``temp``; return that snapshot's counts and
    schema version (read in the same read transaction as the pages copied)."""
    with _failures_as_errors(source, temp), _connect(source, read_only=False) as conn:
        conn.execute("BEGIN")  # deferred: the first SELECT fixes the snapshot
        try:
            tables = _tables(conn)
            missing = [t for t in REQUIRED_TABLES if t not in tables]
            if missing:
                raise InvalidInputError(
                    "backup_error_not_ureshii", path=str(source), missing=", ".join(missing)
                )
            revision = _revision(conn, source)
            counts = _counts(conn, tables)
            with _connect(temp, read_only=False) as copy:
                conn.backup(copy)  # the pages of this transaction's snapshot
                # One self-contained file: the store's WAL flag would need -wal/-shm beside it.
                copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.rollback()  # a read transaction: nothing to keep
    return counts, revision


def _check_copy(temp: Path, source: Path, counts: Mapping[str, int], revision: str) -> None:
    with _failures_as_errors(source, temp), _connect(temp, read_only=True) as copy:
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            detail = "; ".join(str(p) for p in problems[:3])
            raise InvalidInputError("backup_error_corrupt", path=str(source), detail=detail)
        dangling = copy.execute("PRAGMA foreign_key_check").fetchall()
        if dangling:
            detail = f"{len(dangling)} rows refer to missing rows, e.g. in {dangling[0][0]}"
            raise InvalidInputError("backup_error_corrupt", path=str(source), detail=detail)
        copied_revision = _revision(copy, source)
        copied_counts = _counts(copy, _tables(copy))
    if copied_revision != revision:
        detail = f"schema {copied_revision} != {revision}"
        raise StoreError("backup_error_mismatch", path=str(source), detail=detail)
    if copied_counts != counts:
        differ = sorted(
            k for k in {*counts, *copied_counts} if counts.get(k) != copied_counts.get(k)
        )
        detail = ", ".join(f"{k}: {copied_counts.get(k)} != {counts.get(k)}" for k in differ)
        raise StoreError("backup_error_mismatch", path=str(source), detail=detail)


def _release(dest: Path) -> None:
    """Make way for a new file at ``dest``: refuse if another program has it open, then
    remove its ``-wal``/``-shm``/``-journal`` (replayed onto a new file, they would damage it)."""
    if dest.is_file():
        try:
            conn = sqlite3.connect(
                dest.as_uri() + "?mode=rw", uri=True, timeout=IN_USE_TIMEOUT_S, isolation_level=None
            )
        except sqlite3.Error:
            conn = None  # not openable (damaged, not SQLite): nothing can be using it as a store
        if conn is not None:
            try:
                # Leaving WAL mode needs every other connection gone: the cheapest honest test.
                mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()
            except sqlite3.OperationalError as error:
                if _is_busy(error):
                    raise StoreError("backup_error_in_use", path=str(dest)) from None
                mode = None
            except sqlite3.DatabaseError:
                mode = None  # damaged: it is being replaced
            finally:
                conn.close()
            if mode is not None and str(mode[0]).lower() == "wal":
                raise StoreError("backup_error_in_use", path=str(dest))
    for side in _side_files(dest):
        try:
            side.unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            raise StoreError("backup_error_write", path=str(side), detail=str(error)) from None


# ---------------------------------------------------------------------- helpers
def _known_revisions() -> tuple[set[str], str]:
    """The schema versions this Ureshii knows, and the newest."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from toolkit.store.engine import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    scripts = ScriptDirectory.from_config(config)
    known = {script.revision for script in scripts.walk_revisions()}
    return known, str(scripts.get_current_head())


@contextlib.contextmanager
def _connect(path: Path, *, read_only: bool) -> Iterator[sqlite3.Connection]:
    # mode=rw/ro never creates a missing file (a plain connect would make an empty store).
    mode = "ro" if read_only else "rw"
    conn = sqlite3.connect(
        f"{path.as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None
    )
    try:
        yield conn
    finally:
        conn.close()


@contextlib.contextmanager
def _failures_as_errors(source: Path, copy: Path) -> Iterator[None]:
    """SQLite's errors while copying ``source`` to ``copy`` as messages a person can act on:
    a full disk or a lock is a failure to write; anything else means the source is damaged."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        message = str(error).lower()
        if _is_busy(error) or "full" in message or "disk i/o" in message:
            raise StoreError("backup_error_write", path=str(copy), detail=str(error)) from None
        if "not a database" in message:
            raise InvalidInputError("backup_error_not_sqlite", path=str(source)) from None
        raise InvalidInputError(
            "backup_error_corrupt", path=str(source), detail=str(error)
        ) from None


def _is_busy(error: sqlite3.Error) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return sorted(str(row[0]) for row in rows)


def _revision(conn: sqlite3.Connection, path: Path) -> str:
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    if row is None:
        raise InvalidInputError(
            "backup_error_not_ureshii", path=str(path), missing="alembic_version"
        )
    return str(row[0])


def _counts(conn: sqlite3.Connection, tables: list[str]) -> dict[str, int]:
    # Table names come from sqlite_master, quoted; alembic_version is bookkeeping, not data.
    return {
        table: int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        for table in tables
        if table != "alembic_version"
    }


def _fsync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk (POSIX; not on Windows).
    if os.name != "posix":  # pragma: no cover
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
