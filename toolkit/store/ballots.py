"""Ballots and votes: method votes, dot votes, town-meeting ballots; one vote per person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from toolkit import ballots as ballot_rules
from toolkit.errors import (
    BallotClosedError,
    DuplicateVoteError,
    InvalidInputError,
    NotEligibleError,
    NotFoundError,
)
from toolkit.model import CHANNELS, Ballot, Channel, Participant, Vote
from toolkit.store import tables as s
from toolkit.store.core import _required_text, now
from toolkit.store.participants import ParticipantStore
from toolkit.store.prepared import PreparedInsert

_INSERT_VOTE = PreparedInsert(
    s.votes, ["ballot_id", "participant_id", "payload", "channel", "created_at"]
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


class BallotStore(ParticipantStore):
    """Ballots, their life (draft, open, closed) and their votes."""

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
        return self._cast_vote(slug, ballot, payload, token=token, channel=channel)

    def _cast_vote(
        self,
        slug: str,
        ballot: str,
        payload: Any,
        *,
        token: str | None = None,
        voter: Participant | None = None,
        channel: str | None = None,
    ) -> Vote:
        """:meth:`cast_vote` by the participant holding ``token``, or by ``voter``, a
        participant of ``slug`` this same write has just joined (no query to find it)."""

        def work(conn: Connection) -> Vote:
            # Few statements: a town meeting writes hundreds of these in one batch, and a
            # batch reads its ballot once (a ballot closed meanwhile: the insert refuses).
            memo = self._batch_memo()
            row = None if memo is None else memo.get(("ballot", slug, ballot))
            if row is None:
                row = conn.execute(_BALLOT_BY_KEY, {"slug": slug, "key": ballot}).first()
                if memo is not None and row is not None:
                    memo["ballot", slug, ballot] = row
            if row is None:
                self._workshop_id(conn, slug)  # an unknown workshop says so
                raise NotFoundError("not_found_ballot", key=ballot)
            wid = row.workshop_id
            if row.status != "open":
                raise BallotClosedError("ballot_not_open", ballot=row.title, status=row.status)
            if voter is None:
                found = self._participant_row(conn, wid, token or "")
                pid, voter_channel = int(found.id), found.channel
            else:
                pid, voter_channel = voter.id, voter.channel
            how = channel or voter_channel
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
                vote_id = _INSERT_VOTE.run(
                    conn,
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
            return Vote(vote_id, ballot, pid, clean, cast(Channel, how), at)

        return self._write(work)

    def cast_paper_vote(
        self, slug: str, ballot: str, payload: Any, *, code: str | None = None
    ) -> Vote:
        """A paper ballot entered by staff, marked ``paper``: under its printed ``code``
        (normalised) when it has one, else as a new anonymous paper voter. The voter and the
        vote are stored together or not at all."""

        def item(store: BallotStore) -> Vote:
            if code:
                return store.cast_vote(slug, ballot, code, payload, channel="paper")
            _, voter = store.join_participant(slug, channel="paper")  # no lookup of it again
            return store._cast_vote(slug, ballot, payload, voter=voter, channel="paper")

        return self._together(item)

    def join_and_vote(
        self, slug: str, ballot: str, payload: Any, *, category: str | None = None
    ) -> tuple[str, Participant, Vote]:
        """A new phone's join and its vote, from one form (a town meeting's one question):
        stored together or not at all, so a refused vote leaves no participant behind.
        Returns the new token (shown once), the participant and the vote."""

        def item(store: BallotStore) -> tuple[str, Participant, Vote]:
            token, participant = store.join_participant(slug, category=category)
            return token, participant, store._cast_vote(slug, ballot, payload, voter=participant)

        return self._together(item)

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


def _free_ballot_key(conn: Connection, wid: int, stem: str) -> str:
    taken = set(
        conn.execute(select(s.ballots.c.key).where(s.ballots.c.workshop_id == wid)).scalars()
    )
    key, n = stem, 2
    while key in taken:
        key, n = f"{stem}-{n}", n + 1
    return key
