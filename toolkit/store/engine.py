"""Opening a store: URL resolution, SQLite settings, migrations, retried write transactions."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from toolkit.errors import StoreError

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
ENV_DATABASE_URL = "URESHII_DATABASE_URL"
#: How long a SQLite writer waits for another writer before retrying (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Execution option marking a connection that only reads.
READ_ONLY = "ureshii_read_only"
#: How often a write transaction is retried after a transient conflict.
WRITE_ATTEMPTS = 8


def resolve_url(target: str | os.PathLike[str] | None) -> str:
    """Turn a path, a URL or ``None`` (→ ``$URESHII_DATABASE_URL``) into a SQLAlchemy URL.

    >>> resolve_url("postgresql://u@localhost/ureshii")
    'postgresql+psycopg://u@localhost/ureshii'
    """
    if target is None:
        target = os.environ.get(ENV_DATABASE_URL)
        if not target:
            raise StoreError("store_no_database", env=ENV_DATABASE_URL)
    value = os.fspath(target)
    if "://" not in value:
        return "sqlite:///" + str(Path(value).expanduser().resolve())
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def create_store_engine(url: str) -> Engine:
    """An engine with the store's settings for its database.

    SQLite: WAL journal, foreign keys on, a busy timeout, and every transaction opened with
    ``BEGIN IMMEDIATE`` so two writers queue up instead of failing on a lock upgrade.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise StoreError("store_sqlite_needs_file", url=url)
        parent = Path(database).parent
        if not parent.is_dir():
            raise StoreError("store_folder_missing", folder=str(parent))
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")  # a vote acknowledged is a vote on disk
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    # Writers take the write lock up front; readers take none (WAL lets them run alongside).
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def is_transient(error: BaseException) -> bool:
    """A conflict that a retry of the whole transaction resolves (lock, serialization)."""
    if isinstance(error, OperationalError):
        message = str(error.orig).lower()
        if "locked" in message or "busy" in message:
            return True
    if isinstance(error, DBAPIError):
        code = getattr(error.orig, "sqlstate", None)
        return code in {"40001", "40P01"}  # serialization failure, deadlock detected
    return False


def run_write(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run ``work`` in one transaction; retry the whole transaction on a transient conflict.

    Only a committed transaction returns, so a caller that got an answer knows its write is
    durable. Non-transient errors (constraint violations, our own errors) propagate at once.
    """
    delay = 0.01
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with engine.begin() as connection:
                return work(connection)
        except DBAPIError as error:
            if attempt == WRITE_ATTEMPTS or not is_transient(error):
                raise
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")  # pragma: no cover


def migrate(engine: Engine) -> None:
    """Bring the store's schema to the newest version, all in one transaction."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two servers starting at once must not both create the tables.
            connection.execute(text("SELECT pg_advisory_xact_lock(7265736869)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the store is at (``None`` for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
