"""Participants: anonymous joins, table seats and their links, printed one-time codes."""

from __future__ import annotations

import hmac
import re
import secrets
import unicodedata

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from toolkit.errors import InvalidInputError
from toolkit.model import CATEGORIES, CHANNELS, MAX_CODES, Participant, Seat
from toolkit.store import tables as s
from toolkit.store.core import _PARTICIPANT_BY_TOKEN, StoreCore, _insert, hash_token, now
from toolkit.store.prepared import PreparedInsert

#: Letters of printed one-time codes: no 0/O, 1/I/L, so a code read aloud or typed from paper
#: is not mistaken. 10 letters of 31 ≈ 49 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10

_INSERT_PARTICIPANT = PreparedInsert(
    s.participants, ["workshop_id", "token_hash", "channel", "category", "created_at"]
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


class ParticipantStore(StoreCore):
    """Who takes part: tokens, seats, table links and printed codes."""

    def join(self, slug: str, *, channel: str = "device", category: str | None = None) -> str:
        """Register an anonymous participant and return its secret token (shown once).

        The store keeps only the token's hash; no name or other personal data. ``category``
        is an optional category (立場) the participant chose (one of ``model.CATEGORIES``),
        used only for rankings by category, which hide categories smaller than the workshop's
        minimum.
        """
        token, _ = self.join_participant(slug, channel=channel, category=category)
        return token

    def join_participant(
        self, slug: str, *, channel: str = "device", category: str | None = None
    ) -> tuple[str, Participant]:
        """:meth:`join`, also returning the participant as stored: the server then knows
        who a phone is on its very next page without asking the store."""
        if channel not in CHANNELS:
            raise InvalidInputError("invalid_channel", value=channel, allowed=", ".join(CHANNELS))
        if category is not None and category not in CATEGORIES:
            raise InvalidInputError(
                "invalid_category", value=category, allowed=", ".join(CATEGORIES)
            )
        token = secrets.token_urlsafe(18)

        def work(conn: Connection) -> Participant:
            wid = self._workshop_id(conn, slug)
            at = now()
            pid = _INSERT_PARTICIPANT.run(
                conn,
                {
                    "workshop_id": wid,
                    "token_hash": hash_token(token),
                    "channel": channel,
                    "category": category,
                    "created_at": at,
                },
            )
            self._event(conn, wid, "participant_joined", "system", {"channel": channel})
            return Participant(pid, channel, category, at)

        return token, self._write(work)

    def take_seat(self, slug: str, table: int, seat: int, *, category: str | None = None) -> str:
        """The participant token of ``seat`` at ``table``: one person, all day.

        The first call joins the seat as an anonymous participant (channel ``table``); every
        later call, from any app, after a reload, a restarted kernel or a laptop that slept,
        returns the same token, so one vote per person per ballot holds at table laptops as
        it does for phones. The token is an HMAC of the table and seat under the workshop's
        seat key, which only code that opens the store can compute: no phone can claim a
        seat. ``category`` (the category the person chose when sitting down, e.g. "staff") is
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
        valid only for the current generation (``toolkit.server.table_links``)."""
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
        """Participant id → the category they chose (e.g. "resident"), for rankings by category."""

        def work(conn: Connection) -> dict[int, str | None]:
            wid = self._workshop_id(conn, slug)
            rows = conn.execute(
                select(s.participants.c.id, s.participants.c.category).where(
                    s.participants.c.workshop_id == wid
                )
            )
            return {int(r.id): r.category for r in rows}

        return self._read(work)
