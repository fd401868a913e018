"""Inserts of the store's busiest paths, compiled once per database and run on the
transaction's own DBAPI cursor.

A town meeting's phone makes four inserts (its participant, its vote and an event for each),
and a burst makes thousands. Through ``Connection.execute`` each costs SQLAlchemy's work per
statement (an execution context, events, a result object) several times the database's own:
measured by ``bench/writer_batch.py``. A :class:`PreparedInsert` asks SQLAlchemy once per
dialect for the statement's SQL and for its columns' bind processors (the same ones
``Connection.execute`` applies: ``CleanText``, ``CleanJson``, ``UtcDateTime``, the dialect's
JSON and date handling), then runs each insert on the connection's DBAPI cursor, in the
SQLAlchemy transaction (or savepoint) that is open. What is stored is the same; a database
error is raised as the same ``sqlalchemy.exc.DBAPIError`` subclass (``IntegrityError``…)
that ``Connection.execute`` would raise, so callers and retries (``engine.is_transient``)
see no difference.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError


@dataclass(frozen=True)
class _Compiled:
    sql: str
    #: Parameter names in the SQL's order (positional paramstyles), or None (named ones).
    order: tuple[str, ...] | None
    processors: Mapping[str, Callable[[Any], Any]]
    #: The new row's id comes back as a RETURNING row (else: ``cursor.lastrowid``).
    returning: bool


class PreparedInsert:
    """``INSERT INTO table (columns…)`` returning the new row's primary key.

    >>> from toolkit.store import tables as s
    >>> PreparedInsert(s.votes, ["ballot_id", "participant_id", "payload", "channel",
    ...                          "created_at"])
    PreparedInsert(votes: ballot_id, participant_id, payload, channel, created_at)
    """

    def __init__(self, table: Table, columns: Sequence[str]) -> None:
        [key] = table.primary_key.columns  # every table here has one integer key
        self._table = table
        self._key = key
        self._columns = tuple(columns)
        self._compiled: dict[str, _Compiled] = {}

    def __repr__(self) -> str:
        return f"PreparedInsert({self._table.name}: {', '.join(self._columns)})"

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        statement = insert(self._table).values({c: bindparam(c) for c in self._columns})
        # SQLite hands back the new rowid on the cursor; PostgreSQL needs RETURNING.
        returning = dialect.name != "sqlite"
        if returning:
            statement = statement.returning(self._key)
        sql = statement.compile(dialect=dialect)
        processors: dict[str, Callable[[Any], Any]] = {}
        for name in self._columns:
            kind = self._table.c[name].type.dialect_impl(dialect)
            processor = kind.bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        order = tuple(sql.positiontup or ()) if sql.positional else None
        return _Compiled(sql.string, order, processors, returning)

    def run(self, conn: Connection, values: Mapping[str, Any]) -> int:
        """Insert one row of ``values`` (every column given at construction) in ``conn``'s
        open transaction; return its new primary key."""
        dialect = conn.dialect
        compiled = self._for(dialect)
        bound = {
            name: compiled.processors[name](value) if name in compiled.processors else value
            for name, value in values.items()
        }
        params: Any = bound if compiled.order is None else [bound[n] for n in compiled.order]
        dbapi_connection = conn.connection.dbapi_connection
        cursor = dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, params)
            key = cursor.fetchone()[0] if compiled.returning else cursor.lastrowid  # type: ignore[index]
        except dialect.loaded_dbapi.Error as error:
            # As Connection.execute does: a lost connection (the database restarted, the
            # backend was ended) is invalidated, so the pool never hands it out again.
            lost = dialect.is_disconnect(error, dbapi_connection, cursor)
            wrapped = DBAPIError.instance(
                compiled.sql,
                params,
                error,
                dialect.loaded_dbapi.Error,
                dialect=dialect,
                connection_invalidated=lost,
            )
            if lost:
                conn.invalidate(wrapped)
            raise wrapped from error
        finally:
            with contextlib.suppress(dialect.loaded_dbapi.Error):
                cursor.close()
        return int(key)
