"""The public API of the store: every read and write of a workshop goes through :class:`Store`.

Each write method runs in ONE transaction that also appends an ``events`` row (the audit
log and the change feed), and returns only after the commit: a caller that got an answer
knows the write is durable. Rules that matter (one vote per token, locked charters, no
scores before the lock) are checked here for a friendly message *and* enforced by the
database (see ``schema.py``), so a client that skips this layer still cannot break them.

>>> store = Store.open("/tmp/ureshii-doctest.sqlite")            # doctest: +SKIP
>>> ws = store.load_workshop_file("workshop.yaml")              # doctest: +SKIP
>>> token = store.join(ws.slug)                                 # doctest: +SKIP
>>> store.add_card(ws.slug, "窓口で待たずに済む", stakeholder="kosodate", token=token)  # +SKIP
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import secrets
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Connection, Engine, Row, bindparam, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from toolkit import ballots as ballot_rules
from toolkit import consent
from toolkit.errors import (
    AlreadyAnsweredError,
    BallotClosedError,
    CharterNotLockedError,
    ConsentBlockedError,
    DuplicateVoteError,
    InvalidInputError,
    MethodLockedError,
    NotEligibleError,
    NotFoundError,
)
from toolkit.model import (
    CATEGORIES,
    CHANNELS,
    MAX_CODES,
    PHASES,
    Ballot,
    Channel,
    Consent,
    Criterion,
    Event,
    HappinessCard,
    Issue,
    MethodCharter,
    Participant,
    Seat,
    Stakeholder,
    Theme,
    Vision,
    Vote,
    Workshop,
)
from toolkit.money import amount_problem, exact_amount
from toolkit.store import schema as s
from toolkit.store.engine import (
    READ_ONLY,
    create_store_engine,
    is_transient,
    migrate,
    resolve_url,
    run_write,
)
from toolkit.text import clean_text
from toolkit.workshop_file.models import METHOD_IDS as WORKSHOP_METHOD_IDS
from toolkit.workshop_file.models import TIE_BREAKS

if TYPE_CHECKING:  # pandas is imported by scores(), the one method that needs it
    import pandas as pd

T = TypeVar("T")

#: Method ids a charter may name: the same as a workshop file's ``methods`` (and as the keys
#: of ``toolkit.methods.METHODS``, checked by a test; imported from the file model because the
#: methods package pulls in scipy, which every app would then pay for at start).
METHOD_IDS = WORKSHOP_METHOD_IDS
CARD_MAX_CHARS = 500
#: Letters of printed one-time codes: no 0/O, 1/I/L, so a code read aloud or typed from paper
#: is not mistaken. 10 letters of 31 ≈ 49 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
_KEY_RE = re.compile(r"[^a-z0-9_-]+")


# Statements of the busy paths (a town meeting's joins and votes), built once. SQLAlchemy
# then skips building and cache-keying them on every call, most of a small write's cost.
_INSERT_EVENT = insert(s.events)
_INSERT_PARTICIPANT = insert(s.participants)
_INSERT_VOTE = insert(s.votes)
_PARTICIPANT_BY_TOKEN = select(s.participants).where(
    s.participants.c.token_hash == bindparam("token_hash"),
    s.participants.c.workshop_id == bindparam("workshop_id"),
)
_BALLOT_BY_KEY = (
    select(s.ballots)
    .join(s.workshops, s.ballots.c.workshop_id == s.workshops.c.id)
    .where(s.workshops.c.slug == bindparam("slug"), s.ballots.c.key == bindparam("key"))
)
_VOTES_OF_PARTICIPANT = (
    select(s.votes, s.ballots.c.key)
    .join(s.ballots, s.votes.c.ballot_id == s.ballots.c.id)
    .where(s.votes.c.participant_id == bindparam("participant_id"))
)


def normalize_code(text: str) -> str:
    """A code as typed (any case, spaces, dashes) in its stored form, or "" if it cannot be one.

    >>> normalize_code(" 7kq4m-xh2rd ")
    '7KQ4MXH2RD'
    >>> normalize_code("７ＫＱ４Ｍ－ＸＨ２ＲＤ")  # typed with a Japanese keyboard
    '7KQ4MXH2RD'
    >>> normalize_code("hello")
    ''
    """
    code = re.sub(r"[\s\-‐ー]+", "", unicodedata.normalize("NFKC", text)).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return ""
    return code


def format_code(code: str) -> str:
    """A stored code as printed: two groups of five (``7KQ4M-XH2RD``)."""
    return f"{code[:5]}-{code[5:]}"


def now() -> datetime:
    return datetime.now(UTC)


def _revocations(conn: Connection, wid: int, table: int) -> int:
    """How many times ``table``'s link was revoked: its current generation."""
    r = s.table_link_revocations.c
    query = select(func.count()).where(r.workshop_id == wid, r.table_no == table)
    return int(conn.execute(query).scalar() or 0)


def _seat_token(key: str, table: int, seat: int) -> str:
    return hmac.new(key.encode("ascii"), f"seat:{table}:{seat}".encode(), "sha256").hexdigest()


def _check_seat(table: object, seat: object) -> None:
    for name, value, top in (("table", table, s.MAX_TABLES), ("seat", seat, s.MAX_SEATS)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            raise InvalidInputError("seat_out_of_range", field=name, value=value, high=top)


def hash_token(token: str) -> str:
    """The stored form of a participant token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Store:
    """A workshop store on SQLite (a file) or PostgreSQL (a URL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # The connection of a `write_batch` running in this thread (see `_write`).
        self._batch = threading.local()
        self._workshop_ids: dict[str, int] = {}

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, target: str | os.PathLike[str] | None = None, *, upgrade: bool = True) -> Store:
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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing
    def _write(self, work: Callable[[Connection], T]) -> T:
        batch: Connection | None = getattr(self._batch, "connection", None)
        if batch is not None:  # inside write_batch, within the item's own savepoint
            return work(batch)
        return run_write(self.engine, work)

    def write_batch(self, items: Sequence[Callable[[Store], T]]) -> list[T | Exception]:
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
                    try:
                        with connection.begin_nested():  # the item's writes, all or none
                            results.append(item(self))
                    except DBAPIError as error:
                        if is_transient(error):
                            raise  # the whole batch is retried by run_write
                        results.append(error)
                    except Exception as error:
                        results.append(error)
            finally:
                self._batch.connection = outer
            return results

        if not items:
            return []
        if outer is not None:
            return work(outer)
        return run_write(self.engine, work)

    def _read(self, work: Callable[[Connection], T]) -> T:
        with self.engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            return work(connection)

    def _workshop_id(self, conn: Connection, slug: str) -> int:
        """The workshop's row id. Workshops are never deleted nor renamed, so an id once
        read from committed data (a read-only connection) is remembered: most calls then
        cost no query (a town meeting makes thousands)."""
        known = self._workshop_ids.get(slug)
        if known is not None:
            return known
        found = conn.execute(select(s.workshops.c.id).where(s.workshops.c.slug == slug)).scalar()
        if found is None:
            raise NotFoundError("not_found_workshop", slug=slug)
        if conn.get_execution_options().get(READ_ONLY, False):
            self._workshop_ids[slug] = int(found)
        return int(found)

    @staticmethod
    def _event(
        conn: Connection, workshop_id: int, kind: str, actor: str, payload: Mapping[str, Any]
    ) -> None:
        if conn.dialect.name == "postgresql":
            # Serialise a workshop's writers from here to commit, so event numbers become
            # visible in order and "everything since N" never skips a late commit.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": workshop_id})
        conn.execute(
            _INSERT_EVENT,
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
        return int(Store._participant_row(conn, workshop_id, token).id)

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

    # ------------------------------------------------------------------ workshops
    def load_workshop_file(self, path: str | os.PathLike[str]) -> Workshop:
        """Validate a workshop YAML file and create its workshop in the store."""
        from toolkit.workshop_file import load_workshop_file

        return self.create_workshop(load_workshop_file(Path(path)))

    def create_workshop(self, spec: Any) -> Workshop:
        """Create a workshop from a validated ``WorkshopSpec`` (or a dict of the same shape).

        Stakeholders, seed themes, criteria, issues (with their links) and the town-meeting
        ballots (as drafts) are created in the same transaction.
        """
        data: dict[str, Any] = (
            spec.model_dump(mode="json") if hasattr(spec, "model_dump") else dict(spec)
        )
        phases = [p["id"] for p in data.get("phases") or []] or list(PHASES)

        def work(conn: Connection) -> int:
            if conn.execute(
                select(s.workshops.c.id).where(s.workshops.c.slug == data["id"])
            ).first():
                raise InvalidInputError("workshop_exists", slug=data["id"])
            at = now()
            wid = _insert(
                conn,
                s.workshops,
                slug=data["id"],
                title=data["title"],
                lang=data["lang"],
                phase=phases[0],
                spec=data,
                created_at=at,
            )
            ids: dict[str, dict[str, int]] = {"stakeholders": {}, "themes": {}}
            for item in data.get("stakeholders", []):
                ids["stakeholders"][item["id"]] = self._insert_stakeholder(
                    conn,
                    wid,
                    item["id"],
                    item["name"],
                    item.get("category", "other"),
                    item.get("prompt", ""),
                )
            for item in data.get("themes", []):
                ids["themes"][item["id"]] = self._insert_theme(
                    conn, wid, item["id"], item["name"], item.get("description", "")
                )
            for item in data.get("criteria", []):
                scale = item.get("scale") or {}
                conn.execute(
                    insert(s.criteria).values(
                        workshop_id=wid,
                        key=item["id"],
                        name=item["name"],
                        description=item.get("description", ""),
                        direction=item.get("direction", "benefit"),
                        scale_min=scale.get("min", 1),
                        scale_max=scale.get("max", 5),
                        anchors={str(k): v for k, v in (scale.get("anchors") or {}).items()},
                        created_at=at,
                    )
                )
            for item in data.get("issues", []):
                self._insert_issue(conn, wid, item, ids["themes"], ids["stakeholders"])
            meeting = data.get("town_meeting") or {}
            costs = {i["id"]: i.get("cost") for i in data.get("issues", [])}
            for item in meeting.get("ballots", []):
                settings = {
                    k: item[k] for k in ballot_rules.SETTING_NAMES if item.get(k) is not None
                }
                if ballot_rules.ballot_rule(item["rule"]).needs_costs:
                    settings["costs"] = {o: costs.get(o) for o in item["options"]}
                if meeting.get("identity") == "codes":  # printed codes, or paper entered by staff
                    settings["eligible"] = ["code", "paper"]
                self._insert_ballot(
                    conn,
                    wid,
                    item["id"],
                    item["title"],
                    "town_meeting",
                    item["rule"],
                    item["options"],
                    settings,
                    meeting.get("results", "hidden_until_close"),
                )
            self._event(conn, wid, "workshop_created", "facilitator", {"slug": data["id"]})
            return wid

        self._write(work)
        return self.workshop(data["id"])

    def workshop(self, slug: str) -> Workshop:
        row = self._read(
            lambda c: c.execute(select(s.workshops).where(s.workshops.c.slug == slug)).first()
        )
        if row is None:
            raise NotFoundError("not_found_workshop", slug=slug)
        return _workshop(row)

    def workshops(self) -> list[Workshop]:
        rows = self._read(lambda c: c.execute(select(s.workshops).order_by(s.workshops.c.id)).all())
        return [_workshop(r) for r in rows]

    def set_phase(self, slug: str, phase: str) -> Workshop:
        """Move the workshop to ``phase`` (one of ``model.PHASES``)."""
        if phase not in PHASES:
            raise InvalidInputError("invalid_phase", value=phase, allowed=", ".join(PHASES))

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            conn.execute(update(s.workshops).where(s.workshops.c.id == wid).values(phase=phase))
            self._event(conn, wid, "phase_changed", "facilitator", {"phase": phase})

        self._write(work)
        return self.workshop(slug)

    # ------------------------------------------------------------------ participants
    def join(self, slug: str, *, channel: str = "device", category: str | None = None) -> str:
        """Register an anonymous participant and return its secret token (shown once).

        The store keeps only the token's hash; no name or other personal data. ``category``
        is an optional group the participant chose (one of ``model.CATEGORIES``), used only
        for group breakdowns that hide groups smaller than the workshop's minimum.
        """
        if channel not in CHANNELS:
            raise InvalidInputError("invalid_channel", value=channel, allowed=", ".join(CHANNELS))
        if category is not None and category not in CATEGORIES:
            raise InvalidInputError(
                "invalid_category", value=category, allowed=", ".join(CATEGORIES)
            )
        token = secrets.token_urlsafe(18)

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            conn.execute(
                _INSERT_PARTICIPANT,
                {
                    "workshop_id": wid,
                    "token_hash": hash_token(token),
                    "channel": channel,
                    "category": category,
                    "created_at": now(),
                },
            )
            self._event(conn, wid, "participant_joined", "system", {"channel": channel})

        self._write(work)
        return token

    def take_seat(self, slug: str, table: int, seat: int, *, category: str | None = None) -> str:
        """The participant token of ``seat`` at ``table``: one person, all day.

        The first call joins the seat as an anonymous participant (channel ``table``); every
        later call, from any app, after a reload, a restarted kernel or a laptop that slept,
        returns the same token, so one vote per person per ballot holds at table laptops as
        it does for phones. The token is an HMAC of the table and seat under the workshop's
        seat key, which only code that opens the store can compute: no phone can claim a
        seat. ``category`` (the group the person chose when sitting down, e.g. "staff") is
        recorded the first time one is given; a seat keeps it.

        Example (table 3, seat 2, in any kernel, before and after a reload)::

            token = store.take_seat("tsuru-dx", 3, 2, category="staff")
            token == store.take_seat("tsuru-dx", 3, 2)  # True: the same person
        """
        _check_seat(table, seat)
        if category is not None and category not in CATEGORIES:
            raise InvalidInputError(
                "invalid_category", value=category, allowed=", ".join(CATEGORIES)
            )

        def work(conn: Connection) -> str:
            wid = self._workshop_id(conn, slug)
            token = _seat_token(self._seat_key(conn, wid), table, seat)
            found = conn.execute(
                _PARTICIPANT_BY_TOKEN, {"token_hash": hash_token(token), "workshop_id": wid}
            ).first()
            if found is not None:
                if category is not None and found.category is None:
                    conn.execute(
                        update(s.participants)
                        .where(s.participants.c.id == found.id)
                        .values(category=category)
                    )
                return token
            at = now()
            participant = _insert(
                conn,
                s.participants,
                workshop_id=wid,
                token_hash=hash_token(token),
                channel="table",
                category=category,
                created_at=at,
            )
            _insert(
                conn,
                s.seats,
                workshop_id=wid,
                table_no=table,
                seat_no=seat,
                participant_id=participant,
                created_at=at,
            )
            self._event(conn, wid, "participant_joined", "system", {"channel": "table"})
            self._event(conn, wid, "seat_taken", "table", {"table": table, "seat": seat})
            return token

        try:
            return self._write(work)
        except IntegrityError:
            # Two laptops took the same new seat at once: the other one's insert won, and
            # the seat is now there to read, with the same token.
            return self._write(work)

    def seats(self, slug: str) -> list[Seat]:
        """Every seat taken so far, by table and seat (one person each)."""

        def work(conn: Connection) -> list[Seat]:
            wid = self._workshop_id(conn, slug)
            rows = conn.execute(
                select(
                    s.seats.c.table_no,
                    s.seats.c.seat_no,
                    s.seats.c.participant_id,
                    s.participants.c.category,
                    s.seats.c.created_at,
                )
                .join(s.participants, s.seats.c.participant_id == s.participants.c.id)
                .where(s.seats.c.workshop_id == wid)
                .order_by(s.seats.c.table_no, s.seats.c.seat_no)
            )
            return [
                Seat(r.table_no, r.seat_no, int(r.participant_id), r.category, r.created_at)
                for r in rows
            ]

        return self._read(work)

    def table_link_generation(self, slug: str, table: int) -> int:
        """How many times ``table``'s link was revoked: a link (and the cookie it set) is
        valid only for the current generation (``toolkit.server.tables``)."""
        _check_seat(table, 1)

        return self._read(lambda conn: _revocations(conn, self._workshop_id(conn, slug), table))

    def revoke_table_link(self, slug: str, table: int) -> int:
        """Revoke ``table``'s link: the laptop that used it loses its access at its next
        request, and the console shows a new link. Returns the new generation."""
        _check_seat(table, 1)

        def work(conn: Connection) -> int:
            wid = self._workshop_id(conn, slug)
            _insert(
                conn, s.table_link_revocations, workshop_id=wid, table_no=table, created_at=now()
            )
            self._event(conn, wid, "table_link_revoked", "facilitator", {"table": table})
            return _revocations(conn, wid, table)

        return self._write(work)

    @staticmethod
    def _seat_key(conn: Connection, wid: int) -> str:
        """The workshop's seat key, created the first time a seat is taken."""
        where = s.workshops.c.id == wid
        key = conn.execute(select(s.workshops.c.seat_key).where(where)).scalar()
        if key is None:
            conn.execute(
                update(s.workshops)
                .where(where, s.workshops.c.seat_key.is_(None))
                .values(seat_key=secrets.token_hex(32))
            )
            key = conn.execute(select(s.workshops.c.seat_key).where(where)).scalar()
        return str(key)

    def issue_codes(self, slug: str, count: int) -> list[str]:
        """Create ``count`` one-time voting codes for printing (``ureshii codes``).

        Each code is an anonymous participant (channel ``code``) whose token is the code: who
        holds the paper votes once per ballot, from a phone or on paper entered by staff.
        Codes read like ``7KQ4M-XH2RD`` (no 0/O or 1/I/L); the store keeps only their hashes,
        so they are shown once, here, and cannot be printed again.
        """
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_CODES:
            raise InvalidInputError("invalid_code_count", value=count, limit=MAX_CODES)
        codes = [
            "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)
        ]

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            at = now()
            conn.execute(
                insert(s.participants),
                [
                    {
                        "workshop_id": wid,
                        "token_hash": hash_token(code),
                        "channel": "code",
                        "category": None,
                        "created_at": at,
                    }
                    for code in codes
                ],
            )
            self._event(conn, wid, "codes_issued", "facilitator", {"count": count})

        self._write(work)
        return [format_code(code) for code in codes]

    def workshop_of_token(self, token: str) -> str | None:
        """The slug of the workshop a token (or a normalised code) belongs to, if any."""

        def work(conn: Connection) -> str | None:
            found = conn.execute(
                select(s.workshops.c.slug)
                .join(s.participants, s.participants.c.workshop_id == s.workshops.c.id)
                .where(s.participants.c.token_hash == hash_token(token))
            ).scalar()
            return None if found is None else str(found)

        return self._read(work)

    def participant(self, slug: str, token: str) -> Participant:
        def work(conn: Connection) -> Participant:
            wid = self._workshop_id(conn, slug)
            row = self._participant_row(conn, wid, token)
            return Participant(row.id, row.channel, row.category, row.created_at)

        return self._read(work)

    def participant_categories(self, slug: str) -> dict[int, str | None]:
        """Participant id → the group they chose (e.g. "resident"), for group breakdowns."""

        def work(conn: Connection) -> dict[int, str | None]:
            wid = self._workshop_id(conn, slug)
            rows = conn.execute(
                select(s.participants.c.id, s.participants.c.category).where(
                    s.participants.c.workshop_id == wid
                )
            )
            return {int(r.id): r.category for r in rows}

        return self._read(work)

    # ------------------------------------------------------------------ happiness map
    @staticmethod
    def _insert_stakeholder(
        conn: Connection, wid: int, key: str, name: str, category: str, prompt: str
    ) -> int:
        return _insert(
            conn,
            s.stakeholders,
            workshop_id=wid,
            key=key,
            name=name,
            category=category,
            prompt=prompt,
            created_at=now(),
        )

    @staticmethod
    def _insert_theme(conn: Connection, wid: int, key: str, name: str, description: str) -> int:
        return _insert(
            conn,
            s.themes,
            workshop_id=wid,
            key=key,
            name=name,
            description=description,
            created_at=now(),
        )

    def add_stakeholder(
        self,
        slug: str,
        name: str,
        *,
        key: str | None = None,
        category: str = "other",
        prompt: str = "",
        actor: str = "table",
    ) -> Stakeholder:
        """Add a stakeholder (e.g. 子育て世帯) to the happiness map."""
        name = _required_text(name, "name")

        def work(conn: Connection) -> Stakeholder:
            wid = self._workshop_id(conn, slug)
            new_key = key or self._new_key(conn, s.stakeholders, wid, name, "stakeholder")
            sid = self._insert_stakeholder(conn, wid, new_key, name, category, prompt)
            self._event(conn, wid, "stakeholder_added", actor, {"key": new_key})
            return Stakeholder(sid, new_key, name, category, prompt)

        return self._write(work)

    def stakeholders(self, slug: str) -> list[Stakeholder]:
        rows = self._rows(slug, s.stakeholders)
        return [Stakeholder(r.id, r.key, r.name, r.category, r.prompt) for r in rows]

    def add_theme(
        self,
        slug: str,
        name: str,
        *,
        key: str | None = None,
        description: str = "",
        actor: str = "table",
    ) -> Theme:
        """Add a happiness theme that cards can be grouped under."""
        name = _required_text(name, "name")

        def work(conn: Connection) -> Theme:
            wid = self._workshop_id(conn, slug)
            new_key = key or self._new_key(conn, s.themes, wid, name, "theme")
            tid = self._insert_theme(conn, wid, new_key, name, description)
            self._event(conn, wid, "theme_added", actor, {"key": new_key})
            return Theme(tid, new_key, name, description)

        return self._write(work)

    def themes(self, slug: str) -> list[Theme]:
        return [Theme(r.id, r.key, r.name, r.description) for r in self._rows(slug, s.themes)]

    def add_card(
        self,
        slug: str,
        text: str,
        *,
        stakeholder: str | None = None,
        token: str | None = None,
        actor: str = "table",
    ) -> HappinessCard:
        """Post a happiness card: what would make ``stakeholder`` glad (うれしい)."""
        text = _required_text(text, "text", limit=CARD_MAX_CHARS)

        def work(conn: Connection) -> HappinessCard:
            wid = self._workshop_id(conn, slug)
            sid = (
                self._key_id(conn, s.stakeholders, wid, stakeholder, "stakeholder")
                if stakeholder
                else None
            )
            pid = self._participant_id(conn, wid, token) if token else None
            at = now()
            card_id = _insert(
                conn,
                s.cards,
                workshop_id=wid,
                stakeholder_id=sid,
                participant_id=pid,
                text=text,
                created_at=at,
            )
            self._event(
                conn, wid, "card_added", "participant" if token else actor, {"card": card_id}
            )
            return HappinessCard(card_id, text, stakeholder, None, at)

        return self._write(work)

    def group_card(
        self, slug: str, card_id: int, theme: str | None, *, actor: str = "table"
    ) -> None:
        """Put a card under ``theme`` (a theme key), or take it out with ``None``."""

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            tid = self._key_id(conn, s.themes, wid, theme, "theme") if theme else None
            done = conn.execute(
                update(s.cards)
                .where(s.cards.c.id == card_id, s.cards.c.workshop_id == wid)
                .values(theme_id=tid)
            )
            if done.rowcount != 1:
                raise NotFoundError("not_found_card", key=str(card_id))
            self._event(conn, wid, "card_grouped", actor, {"card": card_id, "theme": theme})

        self._write(work)

    def cards(self, slug: str) -> list[HappinessCard]:
        def work(conn: Connection) -> list[HappinessCard]:
            wid = self._workshop_id(conn, slug)
            query = (
                select(
                    s.cards.c.id,
                    s.cards.c.text,
                    s.cards.c.created_at,
                    s.stakeholders.c.key.label("stakeholder"),
                    s.themes.c.key.label("theme"),
                )
                .select_from(
                    s.cards.outerjoin(
                        s.stakeholders, s.cards.c.stakeholder_id == s.stakeholders.c.id
                    ).outerjoin(s.themes, s.cards.c.theme_id == s.themes.c.id)
                )
                .where(s.cards.c.workshop_id == wid)
                .order_by(s.cards.c.id)
            )
            return [
                HappinessCard(r.id, r.text, r.stakeholder, r.theme, r.created_at)
                for r in conn.execute(query)
            ]

        return self._read(work)

    # ------------------------------------------------------------------ issues and criteria
    def _insert_issue(
        self,
        conn: Connection,
        wid: int,
        item: Mapping[str, Any],
        theme_ids: Mapping[str, int] | None = None,
        stakeholder_ids: Mapping[str, int] | None = None,
    ) -> int:
        _check_rating(item.get("current"), "current")
        _check_rating(item.get("ideal"), "ideal")
        cost = item.get("cost")
        problem = None if cost is None else amount_problem(cost)
        if problem is not None:  # toolkit.money's rule, as at every door that takes money
            key, params = problem
            key = {
                "amount_too_large": "invalid_cost_too_large",
                "amount_too_precise": "invalid_cost_too_precise",
            }.get(key, "invalid_cost")  # not a number, not finite, negative
            raise InvalidInputError(key, issue=item.get("id"), **params)
        if cost is not None and type(cost) not in (int, float):
            cost = float(exact_amount(cost))  # Decimal, Fraction, numpy: the column is a float
        iid = _insert(
            conn,
            s.issues,
            workshop_id=wid,
            key=item["id"],
            title=item["title"],
            description=item.get("description", ""),
            current=item.get("current"),
            ideal=item.get("ideal"),
            cost=cost,
            year=item.get("year"),
            created_at=now(),
        )
        for key in item.get("themes", []):
            tid = (theme_ids or {}).get(key) or self._key_id(conn, s.themes, wid, key, "theme")
            conn.execute(insert(s.issue_themes).values(issue_id=iid, theme_id=tid))
        for key in item.get("stakeholders", []):
            sid = (stakeholder_ids or {}).get(key) or self._key_id(
                conn, s.stakeholders, wid, key, "stakeholder"
            )
            conn.execute(insert(s.issue_stakeholders).values(issue_id=iid, stakeholder_id=sid))
        return iid

    def add_issue(
        self,
        slug: str,
        title: str,
        *,
        key: str | None = None,
        description: str = "",
        current: int | None = None,
        ideal: int | None = None,
        cost: float | None = None,
        year: int | None = None,
        themes: Sequence[str] = (),
        stakeholders: Sequence[str] = (),
        actor: str = "table",
    ) -> Issue:
        """Add a candidate issue / initiative (課題・施策), linked to the happiness it serves."""
        title = _required_text(title, "title")

        def work(conn: Connection) -> str:
            wid = self._workshop_id(conn, slug)
            new_key = key or self._new_key(conn, s.issues, wid, title, "issue")
            self._insert_issue(
                conn,
                wid,
                {
                    "id": new_key,
                    "title": title,
                    "description": description,
                    "current": current,
                    "ideal": ideal,
                    "cost": cost,
                    "year": year,
                    "themes": list(themes),
                    "stakeholders": list(stakeholders),
                },
            )
            self._event(conn, wid, "issue_added", actor, {"key": new_key})
            return new_key

        new_key = self._write(work)
        return next(i for i in self.issues(slug) if i.key == new_key)

    def add_issues(
        self,
        slug: str,
        items: Sequence[Mapping[str, Any]],
        *,
        actor: str = "facilitator",
        source: str | None = None,
    ) -> list[str]:
        """Add many issues in ONE transaction: all of them, or none if any is refused.

        ``items`` have the shape of a workshop file's issues (``id``, ``title``, optional
        ``description``, ``current``, ``ideal``, ``cost``, ``year``, ``themes``,
        ``stakeholders``). Each gets an ``issue_added`` event (with ``source``, e.g.
        ``"import"``). Returns the keys in order.
        """

        def work(conn: Connection) -> list[str]:
            wid = self._workshop_id(conn, slug)
            keys = []
            for item in items:
                self._insert_issue(conn, wid, item)
                payload = {"key": item["id"]} | ({"source": source} if source else {})
                self._event(conn, wid, "issue_added", actor, payload)
                keys.append(str(item["id"]))
            return keys

        return self._write(work)

    def link_issue(
        self,
        slug: str,
        key: str,
        *,
        themes: Sequence[str] | None = None,
        stakeholders: Sequence[str] | None = None,
        actor: str = "table",
    ) -> Issue:
        """Set which happiness themes and stakeholders an issue serves (``None`` keeps a
        list as it is). The change is recorded as an event with the new links."""

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            iid = self._key_id(conn, s.issues, wid, key, "issue")
            if themes is not None:
                theme_ids = [self._key_id(conn, s.themes, wid, k, "theme") for k in themes]
                conn.execute(s.issue_themes.delete().where(s.issue_themes.c.issue_id == iid))
                for tid in dict.fromkeys(theme_ids):
                    conn.execute(insert(s.issue_themes).values(issue_id=iid, theme_id=tid))
            if stakeholders is not None:
                holder_ids = [
                    self._key_id(conn, s.stakeholders, wid, k, "stakeholder") for k in stakeholders
                ]
                conn.execute(
                    s.issue_stakeholders.delete().where(s.issue_stakeholders.c.issue_id == iid)
                )
                for sid in dict.fromkeys(holder_ids):
                    conn.execute(
                        insert(s.issue_stakeholders).values(issue_id=iid, stakeholder_id=sid)
                    )
            self._event(
                conn,
                wid,
                "issue_linked",
                actor,
                {
                    "key": key,
                    "themes": None if themes is None else list(themes),
                    "stakeholders": None if stakeholders is None else list(stakeholders),
                },
            )

        self._write(work)
        return next(i for i in self.issues(slug) if i.key == key)

    def rate_issue(
        self, slug: str, key: str, *, current: int | None, ideal: int | None, actor: str = "table"
    ) -> None:
        """Rate the current and the ideal state (1–5) of an issue; the gap is ideal − current."""
        _check_rating(current, "current")
        _check_rating(ideal, "ideal")

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            iid = self._key_id(conn, s.issues, wid, key, "issue")
            conn.execute(
                update(s.issues).where(s.issues.c.id == iid).values(current=current, ideal=ideal)
            )
            self._event(
                conn, wid, "issue_rated", actor, {"key": key, "current": current, "ideal": ideal}
            )

        self._write(work)

    def issues(self, slug: str) -> list[Issue]:
        def work(conn: Connection) -> list[Issue]:
            wid = self._workshop_id(conn, slug)
            links: dict[int, dict[str, list[str]]] = {}
            for issue_id, theme in conn.execute(
                select(s.issue_themes.c.issue_id, s.themes.c.key)
                .join(s.themes, s.issue_themes.c.theme_id == s.themes.c.id)
                .where(s.themes.c.workshop_id == wid)
                .order_by(s.themes.c.id)
            ):
                links.setdefault(issue_id, {"themes": [], "stakeholders": []})["themes"].append(
                    theme
                )
            for issue_id, holder in conn.execute(
                select(s.issue_stakeholders.c.issue_id, s.stakeholders.c.key)
                .join(s.stakeholders, s.issue_stakeholders.c.stakeholder_id == s.stakeholders.c.id)
                .where(s.stakeholders.c.workshop_id == wid)
                .order_by(s.stakeholders.c.id)
            ):
                links.setdefault(issue_id, {"themes": [], "stakeholders": []})[
                    "stakeholders"
                ].append(holder)
            rows = conn.execute(
                select(s.issues).where(s.issues.c.workshop_id == wid).order_by(s.issues.c.id)
            )
            return [
                Issue(
                    r.id,
                    r.key,
                    r.title,
                    r.description,
                    r.current,
                    r.ideal,
                    r.cost,
                    r.year,
                    tuple(links.get(r.id, {}).get("themes", ())),
                    tuple(links.get(r.id, {}).get("stakeholders", ())),
                )
                for r in rows
            ]

        return self._read(work)

    def criteria(self, slug: str) -> list[Criterion]:
        return [
            Criterion(
                r.id,
                r.key,
                r.name,
                r.direction,
                r.scale_min,
                r.scale_max,
                {int(k): v for k, v in r.anchors.items()},
                r.description,
            )
            for r in self._rows(slug, s.criteria)
        ]

    def _rows(self, slug: str, table: Any) -> list[Row[Any]]:
        def work(conn: Connection) -> list[Row[Any]]:
            wid = self._workshop_id(conn, slug)
            return list(
                conn.execute(select(table).where(table.c.workshop_id == wid).order_by(table.c.id))
            )

        return self._read(work)

    # ------------------------------------------------------------------ method charter
    def propose_charter(
        self,
        slug: str,
        *,
        method: str,
        weights: Mapping[str, float],
        tie_break: str = "mean_then_median",
        rules: Mapping[str, Any] | None = None,
        reason: str = "",
    ) -> MethodCharter:
        """Propose the next version of the method charter (a draft until it is locked).

        Version 1 needs no reason; every later version records why the method changed.
        Weights are given per criterion key and must add up to 1 (or to 100 points).
        """

        def work(conn: Connection) -> int:
            wid = self._workshop_id(conn, slug)
            normalised = self._check_charter(conn, wid, method, weights, tie_break)
            latest = self._latest_charter(conn, wid)
            if latest is not None and latest.locked_at is None:
                raise InvalidInputError("charter_draft_open", version=latest.version)
            version = 1 if latest is None else latest.version + 1
            if version > 1 and not reason.strip():
                raise InvalidInputError("charter_reason_required", version=version)
            conn.execute(
                insert(s.charters).values(
                    workshop_id=wid,
                    version=version,
                    method=method,
                    weights=normalised,
                    tie_break=tie_break,
                    rules=dict(rules or {}),
                    reason=reason.strip(),
                    proposed_at=now(),
                )
            )
            self._event(
                conn,
                wid,
                "charter_proposed",
                "facilitator",
                {
                    "version": version,
                    "method": method,
                    "weights": normalised,
                    "tie_break": tie_break,
                    "reason": reason.strip(),
                },
            )
            return version

        return self.charter(slug, self._write(work))

    def amend_charter(
        self,
        slug: str,
        version: int,
        *,
        method: str | None = None,
        weights: Mapping[str, float] | None = None,
        tie_break: str | None = None,
        rules: Mapping[str, Any] | None = None,
    ) -> MethodCharter:
        """Change a draft charter before it is locked. A locked one raises ``MethodLockedError``.

        Consent given to the draft so far is withdrawn: people consented to what they saw.
        """

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            current = self._charter_row(conn, wid, version)
            if current.locked_at is not None:
                raise MethodLockedError("charter_locked", version=version)
            new_method = method or current.method
            new_tie = tie_break or current.tie_break
            normalised = self._check_charter(
                conn, wid, new_method, weights or current.weights, new_tie
            )
            conn.execute(
                update(s.charters)
                .where(s.charters.c.id == current.id)
                .values(
                    method=new_method,
                    weights=normalised,
                    tie_break=new_tie,
                    rules=dict(rules) if rules is not None else current.rules,
                    # A new consent round: earlier answers (blocks too) stay on record but
                    # no longer count, and everyone may answer the amended draft.
                    consent_round=current.consent_round + 1,
                )
            )
            self._event(
                conn,
                wid,
                "charter_amended",
                "facilitator",
                {
                    "version": version,
                    "method": new_method,
                    "weights": normalised,
                    "tie_break": new_tie,
                },
            )

        self._write(work)
        return self.charter(slug, version)

    def _check_charter(
        self, conn: Connection, wid: int, method: str, weights: Mapping[str, float], tie_break: str
    ) -> dict[str, float]:
        if method not in METHOD_IDS:
            raise InvalidInputError(
                "charter_unknown_method", value=method, allowed=", ".join(METHOD_IDS)
            )
        if tie_break not in TIE_BREAKS:
            raise InvalidInputError(
                "charter_unknown_tie_break", value=tie_break, allowed=", ".join(TIE_BREAKS)
            )
        known = list(
            conn.execute(select(s.criteria.c.key).where(s.criteria.c.workshop_id == wid)).scalars()
        )
        return normalise_weights(weights, known)

    def record_consent(
        self, slug: str, token: str, level: int, *, version: int | None = None
    ) -> None:
        """Record one participant's consent to a draft charter (fist of five: 0 = block … 5).

        Each participant answers once per version (the database refuses a second answer).
        """
        _check_level(level)
        if version is not None and (
            isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 2**31
        ):
            raise NotFoundError("not_found_charter", version=version)

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            row = (
                self._charter_row(conn, wid, version)
                if version
                else self._latest_charter(conn, wid)
            )
            if row is None:
                raise NotFoundError("not_found_charter", version=version or 1)
            if row.locked_at is not None:
                raise MethodLockedError("charter_locked", version=row.version)
            self._insert_consent(
                conn,
                wid,
                token,
                level,
                {"charter_id": row.id, "round": row.consent_round},
                row.version,
            )
            self._event(
                conn, wid, "consent_given", "participant", {"version": row.version, "level": level}
            )

        self._write(work)

    def _insert_consent(
        self,
        conn: Connection,
        wid: int,
        token: str,
        level: int,
        subject: dict[str, int],
        version: int,
    ) -> None:
        """Insert one consent; a second answer by the same person raises a message that
        names what was being consented to (a charter or a vision draft)."""
        pid = self._participant_id(conn, wid, token)
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(s.consents).values(
                        participant_id=pid, level=level, created_at=now(), **subject
                    )
                )
        except IntegrityError:
            key = (
                "vision_consent_already_given"
                if "vision_id" in subject
                else "consent_already_given"
            )
            raise AlreadyAnsweredError(key, version=version) from None

    # ------------------------------------------------------------------ vision
    def draft_vision(
        self, slug: str, text: str, *, themes: Sequence[str] = (), actor: str = "table"
    ) -> Vision:
        """Record the next draft of the vision statement, drawn from ``themes`` (keys).

        Drafts are never overwritten: each is a new version, so the record shows how the
        group's wording moved.
        """
        text = _required_text(text, "text", limit=2000)

        def work(conn: Connection) -> Vision:
            wid = self._workshop_id(conn, slug)
            for key in themes:
                self._key_id(conn, s.themes, wid, key, "theme")
            latest = conn.execute(
                select(func.max(s.visions.c.version)).where(s.visions.c.workshop_id == wid)
            ).scalar()
            version, at = int(latest or 0) + 1, now()
            vid = _insert(
                conn,
                s.visions,
                workshop_id=wid,
                version=version,
                text=text,
                themes=list(themes),
                created_at=at,
            )
            self._event(conn, wid, "vision_drafted", actor, {"version": version})
            return Vision(vid, version, text, tuple(themes), at)

        return self._write(work)

    def visions(self, slug: str) -> list[Vision]:
        """Every vision draft, oldest first (the last one is the current vision)."""
        return [
            Vision(r.id, r.version, r.text, tuple(r.themes), r.created_at)
            for r in self._rows(slug, s.visions)
        ]

    def record_vision_consent(
        self, slug: str, token: str, level: int, *, version: int | None = None
    ) -> None:
        """Consent (fist of five) to a vision draft; once per person and draft.

        ``version`` is the draft the person read (a phone sends it with its answer); without
        it, the newest draft. An answer to a draft that is no longer the newest is refused
        (``vision_changed``): the person has not seen what the table now proposes.
        """
        _check_level(level)
        if version is not None and (
            isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 2**31
        ):
            raise NotFoundError("not_found_vision")

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            row = conn.execute(
                select(s.visions)
                .where(s.visions.c.workshop_id == wid)
                .order_by(s.visions.c.version.desc())
                .limit(1)
            ).first()
            if row is None:
                raise NotFoundError("not_found_vision")
            if version is not None and row.version != version:
                raise InvalidInputError("vision_changed", version=version, newest=row.version)
            self._insert_consent(conn, wid, token, level, {"vision_id": row.id}, row.version)
            self._event(
                conn,
                wid,
                "vision_consent_given",
                "participant",
                {"version": row.version, "level": level},
            )

        self._write(work)

    def vision_consents(self, slug: str, version: int) -> list[Consent]:
        def work(conn: Connection) -> list[Consent]:
            wid = self._workshop_id(conn, slug)
            query = (
                select(s.consents.c.participant_id, s.consents.c.level)
                .join(s.visions, s.consents.c.vision_id == s.visions.c.id)
                .where(s.visions.c.workshop_id == wid, s.visions.c.version == version)
                .order_by(s.consents.c.id)
            )
            return [Consent(r.participant_id, r.level) for r in conn.execute(query)]

        return self._read(work)

    def consents(self, slug: str, version: int) -> list[Consent]:
        """The answers to the consent check of charter ``version`` in its current round
        (answers to earlier, amended drafts stay on record but are not returned)."""

        def work(conn: Connection) -> list[Consent]:
            wid = self._workshop_id(conn, slug)
            row = self._charter_row(conn, wid, version)
            return [
                Consent(r.participant_id, r.level)
                for r in conn.execute(
                    select(s.consents)
                    .where(
                        s.consents.c.charter_id == row.id,
                        s.consents.c.round == row.consent_round,
                    )
                    .order_by(s.consents.c.id)
                )
            ]

        return self._read(work)

    def lock_charter(self, slug: str, version: int | None = None) -> MethodCharter:
        """Lock a draft charter after the consent check. Scoring may start only after this.

        Refused when nobody answered the consent check or anyone blocked (level 0).
        """

        def work(conn: Connection) -> int:
            wid = self._workshop_id(conn, slug)
            row = (
                self._charter_row(conn, wid, version)
                if version
                else self._latest_charter(conn, wid)
            )
            if row is None:
                raise NotFoundError("not_found_charter", version=version or 1)
            if row.locked_at is not None:
                raise MethodLockedError("charter_locked", version=row.version)
            levels = list(
                conn.execute(
                    select(s.consents.c.level).where(
                        s.consents.c.charter_id == row.id,
                        s.consents.c.round == row.consent_round,
                    )
                ).scalars()
            )
            if not levels:
                raise ConsentBlockedError("consent_missing", version=row.version)
            blocks = levels.count(consent.BLOCK)
            if blocks:
                raise ConsentBlockedError("consent_blocked", version=row.version, blocks=blocks)
            record = consent.tally(levels).as_record()
            conn.execute(
                insert(s.charter_locks).values(
                    charter_id=row.id, workshop_id=wid, locked_at=now(), consent=record
                )
            )
            self._event(
                conn,
                wid,
                "charter_locked",
                "facilitator",
                {"version": row.version, "consent": record},
            )
            return int(row.version)

        return self.charter(slug, self._write(work))

    def revise_charter(self, slug: str, *, reason: str, **changes: Any) -> MethodCharter:
        """Unlock by proposing the next version from the locked one, with a reason on record."""
        current = self.locked_charter(slug)
        if current is None:
            raise CharterNotLockedError("charter_not_locked")
        return self.propose_charter(
            slug,
            method=changes.get("method", current.method),
            weights=changes.get("weights", current.weights),
            tie_break=changes.get("tie_break", current.tie_break),
            rules=changes.get("rules", current.rules),
            reason=reason,
        )

    @staticmethod
    def _charter_query(wid: int) -> Any:
        return (
            select(s.charters, s.charter_locks.c.locked_at, s.charter_locks.c.consent)
            .select_from(
                s.charters.outerjoin(
                    s.charter_locks, s.charter_locks.c.charter_id == s.charters.c.id
                )
            )
            .where(s.charters.c.workshop_id == wid)
        )

    def _charter_row(self, conn: Connection, wid: int, version: int) -> Row[Any]:
        row = conn.execute(self._charter_query(wid).where(s.charters.c.version == version)).first()
        if row is None:
            raise NotFoundError("not_found_charter", version=version)
        return row

    def _latest_charter(self, conn: Connection, wid: int) -> Row[Any] | None:
        return conn.execute(
            self._charter_query(wid).order_by(s.charters.c.version.desc()).limit(1)
        ).first()

    def charter(self, slug: str, version: int) -> MethodCharter:
        return self._read(
            lambda c: _charter(self._charter_row(c, self._workshop_id(c, slug), version))
        )

    def charters(self, slug: str) -> list[MethodCharter]:
        def work(conn: Connection) -> list[MethodCharter]:
            query = self._charter_query(self._workshop_id(conn, slug)).order_by(
                s.charters.c.version
            )
            return [_charter(r) for r in conn.execute(query)]

        return self._read(work)

    def _locked_charter_row(self, conn: Connection, wid: int) -> Row[Any] | None:
        query = self._charter_query(wid).where(s.charter_locks.c.locked_at.is_not(None))
        return conn.execute(query.order_by(s.charters.c.version.desc()).limit(1)).first()

    def locked_charter(self, slug: str) -> MethodCharter | None:
        """The newest locked charter: the one that governs scoring now (or ``None``)."""

        def work(conn: Connection) -> MethodCharter | None:
            row = self._locked_charter_row(conn, self._workshop_id(conn, slug))
            return None if row is None else _charter(row)

        return self._read(work)

    # ------------------------------------------------------------------ scoring
    def record_scores(
        self,
        slug: str,
        token: str,
        scores: Mapping[tuple[str, str], float | None],
        *,
        actor: str = "participant",
    ) -> int:
        """Record one participant's scores ``{(issue_key, criterion_key): value}``.

        ``None`` means "don't know" (わからない). Refused before the charter is locked.
        A later score for the same issue and criterion supersedes the earlier one; both
        stay on record. Returns how many scores were stored.
        """

        def work(conn: Connection) -> int:
            wid = self._workshop_id(conn, slug)
            charter = self._locked_charter_row(conn, wid)
            if charter is None:
                raise CharterNotLockedError("charter_not_locked")
            pid = self._participant_id(conn, wid, token)
            issue_ids = dict(
                conn.execute(
                    select(s.issues.c.key, s.issues.c.id).where(s.issues.c.workshop_id == wid)
                ).all()
            )
            crit = {
                r.key: r
                for r in conn.execute(select(s.criteria).where(s.criteria.c.workshop_id == wid))
            }
            at, rows = now(), []
            for (issue, criterion), value in scores.items():
                if issue not in issue_ids:
                    raise NotFoundError("not_found_issue", key=issue)
                if criterion not in crit:
                    raise NotFoundError("not_found_criterion", key=criterion)
                c = crit[criterion]
                if value is not None and (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or math.isnan(value)
                    or not c.scale_min <= value <= c.scale_max
                ):
                    raise InvalidInputError(
                        "score_out_of_scale",
                        value=value,
                        criterion=criterion,
                        low=c.scale_min,
                        high=c.scale_max,
                    )
                rows.append(
                    {
                        "charter_id": charter.id,
                        "participant_id": pid,
                        "issue_id": issue_ids[issue],
                        "criterion_id": c.id,
                        "value": value,
                        "created_at": at,
                    }
                )
            if rows:
                conn.execute(insert(s.scores), rows)
            self._event(
                conn,
                wid,
                "scores_recorded",
                actor,
                {"version": charter.version, "count": len(rows)},
            )
            return len(rows)

        return self._write(work)

    def scores(self, slug: str, *, version: int | None = None) -> pd.DataFrame:
        """The latest score of each participant × issue × criterion under a locked charter.

        Columns: ``rater`` (participant id), ``issue``, ``criterion``, ``score`` (NaN = don't
        know): the long format that ``toolkit.methods.aggregate_scores`` reads.
        ``version`` defaults to the newest locked charter.
        """

        import pandas as pd

        def work(conn: Connection) -> pd.DataFrame:
            wid = self._workshop_id(conn, slug)
            if version is None:
                charter = self._locked_charter_row(conn, wid)
                if charter is None:
                    return pd.DataFrame(columns=["rater", "issue", "criterion", "score"])
                charter_id = charter.id
            else:
                charter_id = self._charter_row(conn, wid, version).id
            latest = (
                select(func.max(s.scores.c.id))
                .where(s.scores.c.charter_id == charter_id)
                .group_by(s.scores.c.participant_id, s.scores.c.issue_id, s.scores.c.criterion_id)
            )
            query = (
                select(
                    s.scores.c.participant_id.label("rater"),
                    s.issues.c.key.label("issue"),
                    s.criteria.c.key.label("criterion"),
                    s.scores.c.value.label("score"),
                )
                .join(s.issues, s.scores.c.issue_id == s.issues.c.id)
                .join(s.criteria, s.scores.c.criterion_id == s.criteria.c.id)
                .where(s.scores.c.id.in_(latest))
                .order_by(s.scores.c.id)
            )
            frame = pd.DataFrame(
                conn.execute(query).all(), columns=["rater", "issue", "criterion", "score"]
            )
            frame["score"] = frame["score"].astype(float)
            return frame

        return self._read(work)

    # ------------------------------------------------------------------ ballots and votes
    def _insert_ballot(
        self,
        conn: Connection,
        wid: int,
        key: str,
        title: str,
        purpose: str,
        rule: str,
        options: Sequence[str],
        settings: Mapping[str, Any],
        visibility: str,
    ) -> None:
        ballot_rules.check_settings(rule, options, settings)
        conn.execute(
            insert(s.ballots).values(
                workshop_id=wid,
                key=key,
                title=title,
                purpose=purpose,
                rule=rule,
                options=list(options),
                settings=dict(settings),
                visibility=visibility,
                status="draft",
                released=0,
                created_at=now(),
            )
        )

    def create_ballot(
        self,
        slug: str,
        key: str,
        title: str,
        *,
        rule: str,
        options: Sequence[str],
        settings: Mapping[str, Any] | None = None,
        purpose: str = "town_meeting",
        visibility: str = "hidden_until_close",
    ) -> Ballot:
        """Create a ballot (a draft until opened): a method vote, a dot vote, a town meeting…"""
        title = _required_text(title, "title")

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            if conn.execute(
                select(s.ballots.c.id).where(s.ballots.c.workshop_id == wid, s.ballots.c.key == key)
            ).first():
                raise InvalidInputError("ballot_exists", key=key)
            self._insert_ballot(
                conn, wid, key, title, purpose, rule, options, settings or {}, visibility
            )
            self._event(conn, wid, "ballot_created", "facilitator", {"ballot": key, "rule": rule})

        self._write(work)
        return self.ballot(slug, key)

    def free_ballot_key(self, slug: str, stem: str) -> str:
        """``stem``, or ``stem-2``, ``stem-3``… whichever no ballot of the workshop has yet.

        The one place a screen gets a key for a ballot it starts ("method", "theme-dots").
        """
        return self._read(lambda conn: _free_ballot_key(conn, self._workshop_id(conn, slug), stem))

    def ballot_for(self, slug: str, purpose: str) -> Ballot | None:
        """The newest ballot serving ``purpose`` ("method", "weights"…), or ``None``."""
        found = [b for b in self.ballots(slug) if b.purpose == purpose]
        return found[-1] if found else None

    def ensure_ballot(
        self,
        slug: str,
        purpose: str,
        title: str,
        *,
        rule: str,
        options: Sequence[str],
        settings: Mapping[str, Any] | None = None,
        visibility: str = "hidden_until_close",
    ) -> Ballot:
        """The newest ballot serving ``purpose``; created as a draft, keyed ``purpose`` (or
        ``purpose-2``…), if there is none. Two screens asking at once get the same ballot:
        the look and the insert are one transaction, and a lost race reads the winner's.
        """
        title = _required_text(title, "title")

        def work(conn: Connection) -> str | None:
            wid = self._workshop_id(conn, slug)
            # One screen at a time past this line (PostgreSQL's row lock; SQLite has one
            # writer anyway), so two screens cannot both find none and make two.
            conn.execute(select(s.workshops.c.id).where(s.workshops.c.id == wid).with_for_update())
            newest = conn.execute(
                select(s.ballots.c.key)
                .where(s.ballots.c.workshop_id == wid, s.ballots.c.purpose == purpose)
                .order_by(s.ballots.c.id.desc())
                .limit(1)
            ).scalar()
            if newest is not None:
                return str(newest)
            key = _free_ballot_key(conn, wid, purpose)
            self._insert_ballot(
                conn, wid, key, title, purpose, rule, options, settings or {}, visibility
            )
            self._event(conn, wid, "ballot_created", "facilitator", {"ballot": key, "rule": rule})
            return key

        try:
            key = self._write(work)
        except IntegrityError:  # another screen created it a moment ago
            found = self.ballot_for(slug, purpose)
            if found is None:
                raise
            return found
        assert key is not None
        return self.ballot(slug, key)

    def _set_ballot(self, slug: str, key: str, kind: str, **values: Any) -> Ballot:
        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            row = conn.execute(
                select(s.ballots).where(s.ballots.c.workshop_id == wid, s.ballots.c.key == key)
            ).first()
            if row is None:
                raise NotFoundError("not_found_ballot", key=key)
            if row.status == "closed" and values.get("status") in ("open", "draft"):
                raise BallotClosedError("ballot_closed", ballot=row.title)
            conn.execute(update(s.ballots).where(s.ballots.c.id == row.id).values(**values))
            self._event(conn, wid, kind, "facilitator", {"ballot": key})

        self._write(work)
        return self.ballot(slug, key)

    def open_ballot(self, slug: str, key: str) -> Ballot:
        return self._set_ballot(slug, key, "ballot_opened", status="open")

    def close_ballot(self, slug: str, key: str) -> Ballot:
        """Close a ballot for good: its result is frozen (the database refuses later votes)."""
        return self._set_ballot(slug, key, "ballot_closed", status="closed")

    def release_results(self, slug: str, key: str) -> Ballot:
        """Show a "hidden until close" ballot's results before it closes."""
        return self._set_ballot(slug, key, "results_released", released=1)

    def ballot(self, slug: str, key: str) -> Ballot:
        found = [b for b in self.ballots(slug) if b.key == key]
        if not found:
            raise NotFoundError("not_found_ballot", key=key)
        return found[0]

    def ballots(self, slug: str) -> list[Ballot]:
        return [
            Ballot(
                r.id,
                r.key,
                r.title,
                r.purpose,
                r.rule,
                tuple(r.options),
                dict(r.settings),
                r.visibility,
                r.status,
                bool(r.released),
            )
            for r in self._rows(slug, s.ballots)
        ]

    def cast_vote(
        self, slug: str, ballot: str, token: str, payload: Any, *, channel: str | None = None
    ) -> Vote:
        """Store one participant's vote; returns only once it is durably stored.

        The payload is checked against the ballot's rule (``toolkit.ballots``). A second vote
        by the same token raises ``DuplicateVoteError``; a vote on a ballot that is not open
        raises ``BallotClosedError`` — both enforced by the database as well.
        """

        def work(conn: Connection) -> Vote:
            # Few statements: a town meeting writes hundreds of these in one batch.
            row = conn.execute(_BALLOT_BY_KEY, {"slug": slug, "key": ballot}).first()
            if row is None:
                self._workshop_id(conn, slug)  # an unknown workshop says so
                raise NotFoundError("not_found_ballot", key=ballot)
            wid = row.workshop_id
            if row.status != "open":
                raise BallotClosedError("ballot_not_open", ballot=row.title, status=row.status)
            voter = self._participant_row(conn, wid, token)
            pid = int(voter.id)
            how = channel or voter.channel
            if how not in CHANNELS:
                raise InvalidInputError("invalid_channel", value=how, allowed=", ".join(CHANNELS))
            eligible = row.settings.get("eligible")
            if eligible and how not in eligible:
                raise NotEligibleError("vote_not_eligible", ballot=row.title, channel=how)
            clean = ballot_rules.validate_vote(row.rule, row.options, row.settings, payload)
            at = now()
            try:
                # No savepoint needed: a refused insert ends this write (the transaction, or
                # the batch item's savepoint, is rolled back).
                result = conn.execute(
                    _INSERT_VOTE,
                    {
                        "ballot_id": row.id,
                        "participant_id": pid,
                        "payload": clean,
                        "channel": how,
                        "created_at": at,
                    },
                )
            except IntegrityError as error:
                if "ballot_not_open" in str(error.orig):
                    raise BallotClosedError(
                        "ballot_not_open", ballot=row.title, status="closed"
                    ) from None
                # People read these messages: the ballot's title, never its key.
                raise DuplicateVoteError("duplicate_vote", ballot=row.title) from None
            # The event says that a vote came in, never what it was (hidden results, privacy).
            self._event(
                conn,
                wid,
                "vote_cast",
                "paper" if how == "paper" else "participant",
                {"ballot": ballot},
            )
            vote_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            return Vote(vote_id, ballot, pid, clean, cast(Channel, how), at)

        return self._write(work)

    def cast_paper_vote(
        self, slug: str, ballot: str, payload: Any, *, code: str | None = None
    ) -> Vote:
        """A paper ballot entered by staff, marked ``paper``: under its printed ``code``
        (normalised) when it has one, else as a new anonymous paper voter. The voter and the
        vote are stored together or not at all."""

        def item(store: Store) -> Vote:
            token = code or store.join(slug, channel="paper")
            return store.cast_vote(slug, ballot, token, payload, channel="paper")

        [result] = self.write_batch([item])
        if isinstance(result, Exception):
            raise result
        return result

    def votes(self, slug: str, ballot: str) -> list[Vote]:
        def work(conn: Connection) -> list[Vote]:
            wid = self._workshop_id(conn, slug)
            bid = self._key_id(conn, s.ballots, wid, ballot, "ballot")
            rows = conn.execute(
                select(s.votes).where(s.votes.c.ballot_id == bid).order_by(s.votes.c.id)
            )
            return [
                Vote(r.id, ballot, r.participant_id, r.payload, r.channel, r.created_at)
                for r in rows
            ]

        return self._read(work)

    def participant_votes(self, slug: str, token: str) -> dict[str, Vote]:
        """The votes of one participant, by ballot key (for a receipt and "already voted")."""

        def work(conn: Connection) -> dict[str, Vote]:
            wid = self._workshop_id(conn, slug)
            pid = self._participant_id(conn, wid, token)
            rows = conn.execute(_VOTES_OF_PARTICIPANT, {"participant_id": pid})
            return {
                r.key: Vote(r.id, r.key, r.participant_id, r.payload, r.channel, r.created_at)
                for r in rows
            }

        return self._read(work)

    # ------------------------------------------------------------------ change feed
    def changes(self, slug: str, since: int = 0, *, limit: int = 1000) -> list[Event]:
        """Everything that happened in the workshop after event ``since``, oldest first.

        Screens poll this with the last ``seq`` they saw, so no state lives in one process.
        """

        def work(conn: Connection) -> list[Event]:
            wid = self._workshop_id(conn, slug)
            rows = conn.execute(
                select(s.events)
                .where(s.events.c.workshop_id == wid, s.events.c.seq > since)
                .order_by(s.events.c.seq)
                .limit(limit)
            )
            return [Event(r.seq, r.at, r.kind, r.actor, dict(r.payload)) for r in rows]

        return self._read(work)

    def last_event(self, slug: str, kind: str) -> Event | None:
        """The newest event of ``kind`` (``phase_changed``: when the current phase started)."""

        def work(conn: Connection) -> Event | None:
            wid = self._workshop_id(conn, slug)
            r = conn.execute(
                select(s.events)
                .where(s.events.c.workshop_id == wid, s.events.c.kind == kind)
                .order_by(s.events.c.seq.desc())
                .limit(1)
            ).first()
            return None if r is None else Event(r.seq, r.at, r.kind, r.actor, dict(r.payload))

        return self._read(work)

    def last_seq(self, slug: str) -> int:
        """The newest event number of the workshop (0 if none): cheap enough to poll."""

        def work(conn: Connection) -> int:
            wid = self._workshop_id(conn, slug)
            value = conn.execute(
                select(func.max(s.events.c.seq)).where(s.events.c.workshop_id == wid)
            ).scalar()
            return int(value or 0)

        return self._read(work)

    def counts(self, slug: str) -> dict[str, int]:
        """How many participants, cards, themes, issues, scores and votes the workshop has."""

        def work(conn: Connection) -> dict[str, int]:
            wid = self._workshop_id(conn, slug)

            def count(table: Any, *where: Any) -> int:
                return int(
                    conn.execute(select(func.count()).select_from(table).where(*where)).scalar()
                    or 0
                )

            return {
                "participants": count(s.participants, s.participants.c.workshop_id == wid),
                "cards": count(s.cards, s.cards.c.workshop_id == wid),
                "themes": count(s.themes, s.themes.c.workshop_id == wid),
                "issues": count(s.issues, s.issues.c.workshop_id == wid),
                "scores": count(
                    s.scores.join(s.participants, s.scores.c.participant_id == s.participants.c.id),
                    s.participants.c.workshop_id == wid,
                ),
                "votes": count(
                    s.votes.join(s.ballots, s.votes.c.ballot_id == s.ballots.c.id),
                    s.ballots.c.workshop_id == wid,
                ),
            }

        return self._read(work)


# ---------------------------------------------------------------------- helpers
def _insert(conn: Connection, table: Any, **values: Any) -> int:
    """Insert one row and return its new id."""
    key = conn.execute(insert(table).values(**values)).inserted_primary_key
    if key is None:  # pragma: no cover - every table here has an integer primary key
        raise AssertionError(f"no primary key returned for {table.name}")
    return int(key[0])


def _free_ballot_key(conn: Connection, wid: int, stem: str) -> str:
    taken = set(
        conn.execute(select(s.ballots.c.key).where(s.ballots.c.workshop_id == wid)).scalars()
    )
    key, n = stem, 2
    while key in taken:
        key, n = f"{stem}-{n}", n + 1
    return key


def normalise_weights(weights: Mapping[str, float], known: Iterable[str]) -> dict[str, float]:
    """Check weights per criterion key and scale them to sum to 1.

    Accepts weights that add up to 1 or to 100 points (a 100-point allocation).

    >>> normalise_weights({"a": 60, "b": 40}, ["a", "b"])
    {'a': 0.6, 'b': 0.4}
    """
    known = list(known)
    if not weights:
        raise InvalidInputError("weights_empty")
    unknown = [k for k in weights if k not in known]
    if unknown:
        raise InvalidInputError(
            "weights_unknown_criterion", value=unknown[0], allowed=", ".join(known)
        )
    values = {}
    for key, value in weights.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or math.isnan(value)
            or value < 0
        ):
            raise InvalidInputError("weights_negative", criterion=key, value=value)
        values[key] = float(value)
    total = sum(values.values())
    if not (math.isclose(total, 1.0, abs_tol=1e-6) or math.isclose(total, 100.0, abs_tol=1e-4)):
        raise InvalidInputError("weights_sum", total=round(total, 6))
    return {k: v / total for k, v in values.items()}


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


def _check_rating(value: Any, field: str) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
    ):
        raise InvalidInputError("rating_range", field=field, value=value)


def _workshop(row: Row[Any]) -> Workshop:
    return Workshop(
        row.id, row.slug, row.title, row.lang, row.phase, row.created_at, dict(row.spec)
    )


def _charter(row: Row[Any]) -> MethodCharter:
    return MethodCharter(
        row.id,
        row.version,
        row.method,
        dict(row.weights),
        row.tie_break,
        dict(row.rules),
        row.reason,
        row.proposed_at,
        row.locked_at,
        dict(row.consent) if row.consent else None,
    )
