"""The change feed: what happened since a given event, for every screen that polls."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from toolkit.model import Event
from toolkit.store import tables as s
from toolkit.store.core import StoreCore


class FeedStore(StoreCore):
    """The change feed and the workshop's counts."""

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
