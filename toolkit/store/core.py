"""The core of the store: engine lifecycle, transactions and batches, the audit log, the
workshop-id cache, keys and row mapping. Every part of :class:`~toolkit.store.Store`
builds on :class:`StoreCore`."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Self, TypeVar

from sqlalchemy import Connection, Engine, Row, bindparam, insert, select, text
from sqlalchemy.exc import DBAPIError

from toolkit import consent
from toolkit.errors import InvalidInputError, NotFoundError, StoreError
from toolkit.model import EVENT_KINDS
from toolkit.store import tables as s
from toolkit.store.engine import (
    READ_ONLY,
    create_store_engine,
    is_transient,
    migrate,
    resolve_url,
    run_write,
)
from toolkit.store.prepared import PreparedInsert
from toolkit.text import clean_text

T = TypeVar("T")

_KEY_RE = re.compile(r"[^a-z0-9_-]+")

# Statements of the busy paths (a town meeting's joins and votes), built once. SQLAlchemy
# then skips building and cache-keying them on every call, most of a small write's cost;
# the inserts skip its work per statement too (`prepared`).
_INSERT_EVENT = PreparedInsert(s.events, ["workshop_id", "at", "kind", "actor", "payload"])
_WORKSHOP_ID = select(s.workshops.c.id).where(s.workshops.c.slug == bindparam("slug"))
_PARTICIPANT_BY_TOKEN = select(s.participants).where(
    s.participants.c.token_hash == bindparam("token_hash"),
    s.participants.c.workshop_id == bindparam("workshop_id"),
)


def now() -> datetime:
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    """The stored form of a participant token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class StoreCore:
    """The plumbing every part of :class:`~toolkit.store.Store` shares: the engine, one
    transaction per write (or a batch of them), reads, the audit log, keys and ids."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # The connection of a `write_batch` running in this thread (see `_write`).
        self._batch = threading.local()
        self._workshop_ids: dict[str, int] = {}
        # The connection of a `snapshot` open in this thread (see `_read`).
        self._snapshot = threading.local()

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, target: str | os.PathLike[str] | None = None, *, upgrade: bool = True) -> Self:
        """Open (and create or migrate) the store at a path or URL.

        ``None`` reads ``$URESHII_DATABASE_URL``. A plain path is a SQLite file; a
        ``postgresql://`` URL is used with the psycopg driver.
        """
        engine = create_store_engine(resolve_url(target))
        if upgrade:
            migrate(engine)
        return cls(engine)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing
    def _write(self, work: Callable[[Connection], T]) -> T:
        batch: Connection | None = getattr(self._batch, "connection", None)
        if batch is not None:  # inside write_batch, within the item's own savepoint
            return work(batch)
        return self._committed(lambda: run_write(self.engine, work))

    def _committed(self, transaction: Callable[[], T]) -> T:
        """Run a write ``transaction``; once it has committed, remember the workshop ids it
        read (see :meth:`_workshop_id`): an id read inside a transaction that then failed
        may belong to a workshop that transaction created, and is forgotten."""
        seen: dict[str, int] = {}
        self._batch.seen_ids = seen
        try:
            result = transaction()
        finally:
            self._batch.seen_ids = None
        self._workshop_ids.update(seen)
        return result

    def _batch_reads(
        self, restore: tuple[dict[str, int], dict[Any, Any]] | None = None
    ) -> tuple[dict[str, int], dict[Any, Any]]:
        """A copy of what the current transaction has remembered (workshop ids, the batch's
        memo); with ``restore``, put such a copy back (an item's savepoint rolled back)."""
        seen: dict[str, int] = getattr(self._batch, "seen_ids", None) or {}
        memo: dict[Any, Any] = getattr(self._batch, "memo", None) or {}
        if restore is not None:
            seen.clear()
            seen.update(restore[0])
            memo.clear()
            memo.update(restore[1])
        return dict(seen), dict(memo)

    def _batch_memo(self) -> dict[Any, Any] | None:
        """A dict that lives as long as the current batch's transaction (None outside a
        batch): rows a batch's items read again and again (a ballot voted on by hundreds).
        The database still enforces every rule on write (a ballot closed meanwhile)."""
        memo: dict[Any, Any] | None = getattr(self._batch, "memo", None)
        return memo

    def write_batch(self, items: Sequence[Callable[[Self], T]]) -> list[T | Exception]:
        """Run several writes in ONE transaction (one commit, one disk flush), each alone.

        Each item is called with this store and may call its write methods (``join``,
        ``cast_vote``, ``add_card`` …); its writes run in a savepoint of their own (all of
        them or none), so an item that fails (a duplicate vote, a closed ballot) is rolled
        back alone and its exception is returned in its place, while the others commit.
        Nothing is acknowledged before the commit: if the commit fails, this raises and no
        item took effect. This is how the server answers hundreds of phones at once at the
        cost of a few commits.

        Items must only write through this store (their reads before the commit do not see
        the batch's own writes from another connection). Returns one result per item, in
        order: the item's return value, or the exception it raised. Called from inside a
        batch's item, the items run as savepoints of that batch's transaction.
        """
        outer: Connection | None = getattr(self._batch, "connection", None)

        def work(connection: Connection) -> list[T | Exception]:
            self._batch.connection = connection
            results: list[T | Exception] = []
            try:
                for item in items:
                    kept = self._batch_reads()
                    try:
                        with connection.begin_nested():  # the item's writes, all or none
                            results.append(item(self))
                    except DBAPIError as error:
                        if is_transient(error):
                            raise  # the whole batch is retried by run_write
                        self._batch_reads(kept)
                        results.append(error)
                    except Exception as error:
                        self._batch_reads(kept)  # what it read may be rolled back with it
                        results.append(error)
            finally:
                self._batch.connection = outer
            return results

        def hopeful(connection: Connection) -> list[T | Exception]:
            # Most batches have no failing item: run them without a savepoint per item
            # (two statements fewer each). The first failure rolls back the whole
            # transaction, and the batch runs again, each item in its savepoint.
            self._batch.connection = connection
            self._batch.hopeful = True
            self._batch.spoiled = False
            try:
                results: list[T | Exception] = [item(self) for item in items]
                if self._batch.spoiled:  # a failed `_together` that its caller went past
                    raise StoreError("store_write_failed")
                return results
            finally:
                self._batch.connection = outer
                self._batch.hopeful = False

        def afresh(attempt: Callable[[Connection], list[T | Exception]]) -> Any:
            # Each transaction starts with an empty memo: nothing read, and no lock taken
            # (`_event`), by a failed pass or a transaction that `run_write` retries is kept.
            def run(connection: Connection) -> list[T | Exception]:
                self._batch.memo = {}
                return attempt(connection)

            return lambda: run_write(self.engine, run)

        if not items:
            return []
        if outer is not None:
            return work(outer)
        try:
            try:
                return self._committed(afresh(hopeful))
            except Exception:
                return self._committed(afresh(work))
        finally:
            self._batch.memo = None

    def _together(self, item: Callable[[Self], T]) -> T:
        """Run ``item``'s writes (several store writes: a new voter and its vote) as one
        write, all or none; raise what it raised. Inside a batch, as one of its items.

        In a batch's hopeful pass (no savepoints) it needs no savepoint of its own either:
        a failure here fails the pass, whose transaction is rolled back whole, even if the
        caller catches the error and goes on; the batch then runs again with savepoints."""
        if getattr(self._batch, "hopeful", False):
            try:
                return item(self)
            except Exception:
                self._batch.spoiled = True
                raise
        [result] = self.write_batch([item])
        if isinstance(result, Exception):
            raise result
        return result

    def _read(self, work: Callable[[Connection], T]) -> T:
        pinned: Connection | None = getattr(self._snapshot, "connection", None)
        if pinned is not None:  # inside `snapshot`: the same moment as the other reads
            return work(pinned)
        with self.engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            return work(connection)

    @contextmanager
    def snapshot(self, slug: str) -> Iterator[Self]:
        """Every read in the ``with`` block sees the store at one moment: one read
        transaction (REPEATABLE READ on PostgreSQL; on SQLite a read transaction is one
        snapshot of the WAL). ``summarize`` reads a dozen tables; without this, a vote that
        lands between two of its reads could give a count that disagrees with the tally
        beside it. Writes made meanwhile (by this thread too) are not seen until the block
        ends. Nested snapshots share the outer one.

        >>> import tempfile, pathlib
        >>> from toolkit.store import Store
        >>> from toolkit.workshop_file.templates import template_path
        >>> with Store.open(pathlib.Path(tempfile.mkdtemp()) / "s.sqlite") as store:
        ...     slug = store.load_workshop_file(template_path("dx-vision", "en")).slug
        ...     with store.snapshot(slug):
        ...         before = store.counts(slug)["participants"]
        ...         _ = store.join(slug)
        ...         during = store.counts(slug)["participants"]
        ...     (before, during, store.counts(slug)["participants"])
        (0, 0, 1)
        """
        if getattr(self._snapshot, "connection", None) is not None:
            yield self
            return
        options: dict[str, Any] = {READ_ONLY: True}
        if self.engine.dialect.name == "postgresql":
            options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        connection = self.engine.connect().execution_options(**options)
        with connection, connection.begin():
            # A real read starts the snapshot now (SQLite's BEGIN takes it lazily), and
            # an unknown workshop fails here rather than half-way through the block.
            found = connection.execute(
                select(s.workshops.c.id).where(s.workshops.c.slug == slug)
            ).scalar()
            if found is None:
                raise NotFoundError("not_found_workshop", slug=slug)
            self._snapshot.connection = connection
            try:
                yield self
            finally:
                self._snapshot.connection = None

    def _workshop_id(self, conn: Connection, slug: str) -> int:
        """The workshop's row id. Workshops are never deleted nor renamed, so an id once
        read from committed data (a read-only connection, or a write that then committed) is
        remembered: most calls then cost no query (a town meeting makes thousands)."""
        known = self._workshop_ids.get(slug)
        if known is not None:
            return known
        found = conn.execute(_WORKSHOP_ID, {"slug": slug}).scalar()
        if found is None:
            raise NotFoundError("not_found_workshop", slug=slug)
        if conn.get_execution_options().get(READ_ONLY, False):
            self._workshop_ids[slug] = int(found)
        else:  # remembered once its transaction has committed (see `_committed`)
            seen: dict[str, int] | None = getattr(self._batch, "seen_ids", None)
            if seen is not None:
                seen[slug] = int(found)
        return int(found)

    def _event(
        self,
        conn: Connection,
        workshop_id: int,
        kind: str,
        actor: str,
        payload: Mapping[str, Any],
    ) -> None:
        if kind not in EVENT_KINDS:  # a typo here would leave every screen deaf to it
            raise ValueError(f"unknown event kind {kind!r}: add it to toolkit.model.EVENT_KINDS")
        if conn.dialect.name == "postgresql":
            # Serialise a workshop's writers from here to commit, so event numbers become
            # visible in order and "everything since N" never skips a late commit. A batch
            # asks once per workshop (a town meeting's phone makes two events): the lock is
            # held to the commit, and an item rolled back to its savepoint gives back both
            # the lock it took and the memo saying so (`_batch_reads`).
            memo = self._batch_memo()
            if memo is None or ("locked", workshop_id) not in memo:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": workshop_id})
                if memo is not None:
                    memo["locked", workshop_id] = True
        _INSERT_EVENT.run(
            conn,
            {
                "workshop_id": workshop_id,
                "at": now(),
                "kind": kind,
                "actor": actor,
                "payload": dict(payload),
            },
        )

    @staticmethod
    def _participant_id(conn: Connection, workshop_id: int, token: str) -> int:
        return int(StoreCore._participant_row(conn, workshop_id, token).id)

    @staticmethod
    def _participant_row(conn: Connection, workshop_id: int, token: str) -> Row[Any]:
        found = conn.execute(
            _PARTICIPANT_BY_TOKEN,
            {"token_hash": hash_token(token), "workshop_id": workshop_id},
        ).first()
        if found is None:
            raise NotFoundError("not_found_participant")
        return found

    @staticmethod
    def _key_id(conn: Connection, table: Any, workshop_id: int, key: str, what: str) -> int:
        found = conn.execute(
            select(table.c.id).where(table.c.workshop_id == workshop_id, table.c.key == key)
        ).scalar()
        if found is None:
            raise NotFoundError(f"not_found_{what}", key=key)
        return int(found)

    @staticmethod
    def _new_key(conn: Connection, table: Any, workshop_id: int, name: str, prefix: str) -> str:
        """A readable, unique key: the name as a slug (``Paperless office`` →
        ``paperless-office``), or ``prefix-N`` for a name that is not plain ASCII
        (「3レス」 → ``theme-2``), since a slug of its few ASCII characters says nothing."""
        base = _KEY_RE.sub("-", name.lower()).strip("-")[:40]
        if not base or not name.isascii():
            base = prefix
        taken = set(
            conn.execute(select(table.c.key).where(table.c.workshop_id == workshop_id)).scalars()
        )
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}-{n}"
        return key

    def _rows(self, slug: str, table: Any) -> list[Row[Any]]:
        def work(conn: Connection) -> list[Row[Any]]:
            wid = self._workshop_id(conn, slug)
            return list(
                conn.execute(select(table).where(table.c.workshop_id == wid).order_by(table.c.id))
            )

        return self._read(work)


# ---------------------------------------------------------------------- helpers
def _insert(conn: Connection, table: Any, **values: Any) -> int:
    """Insert one row and return its new id."""
    key = conn.execute(insert(table).values(**values)).inserted_primary_key
    if key is None:  # pragma: no cover - every table here has an integer primary key
        raise AssertionError(f"no primary key returned for {table.name}")
    return int(key[0])


def _required_text(value: str, field: str, *, limit: int = 200) -> str:
    """``value`` cleaned (``toolkit.text``), trimmed and checked: what will be stored."""
    if isinstance(value, str):
        value = clean_text(value).strip()
    if not isinstance(value, str) or not value:
        raise InvalidInputError("text_required", field=field)
    if len(value) > limit:
        raise InvalidInputError("text_too_long", field=field, length=len(value), limit=limit)
    return value


def _check_level(level: Any) -> None:
    if isinstance(level, bool) or not isinstance(level, int) or level not in consent.LEVELS:
        raise InvalidInputError("consent_level", value=level)
