"""What participants can do, shared by the phone pages and the REST API.

:class:`ParticipantService` owns the server process's :class:`~toolkit.store.Store` and
:class:`~toolkit.server.participant.writes.WriteQueue`. Reads go straight to the store
(workshop definitions are cached for :data:`VIEW_TTL` seconds, so a burst of page loads
does not re-read the same ballot a thousand times); writes go through the queue. Every rule
(one vote per token, open ballots only, the ballot's own rule) is checked by the store and
its database, never only here.
"""

from __future__ import annotations

import asyncio
import hmac
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from toolkit.ballots import option_label, option_names, tally
from toolkit.errors import DuplicateVoteError, NotFoundError
from toolkit.model import (
    Ballot,
    Criterion,
    Issue,
    MethodCharter,
    Participant,
    Stakeholder,
    Survey,
    SurveyResponse,
    Vision,
    Vote,
    Workshop,
    join_code,
)
from toolkit.server.participant.door import Door
from toolkit.server.participant.writes import Write, WriteQueue
from toolkit.store import Store, normalize_code
from toolkit.store.engine import resolve_url

T = TypeVar("T")

VIEW_TTL = 1.0
"""Seconds a workshop's definitions (ballots, issues, charter) are reused between reads."""
RESULTS_TTL = 1.0
"""Seconds a ballot's tally is reused: a projector and 500 phones polling cost one count."""
REREADS_PER_SECOND = 10
"""Reads of a workshop that requests for something not in its snapshot may cause in a second
(:meth:`ParticipantService.looked_up`): a ballot opened a moment ago is found at once, and
a flood of requests for what does not exist costs at most this many reads a second."""


@dataclass(frozen=True)
class WorkshopView:
    """A snapshot of what participants see of one workshop (no votes, no personal data)."""

    workshop: Workshop
    ballots: dict[str, Ballot]
    issues: dict[str, Issue]
    themes: dict[str, str]
    stakeholders: list[Stakeholder]
    criteria: list[Criterion]
    charter: MethodCharter | None
    """The newest charter version (proposed or locked)."""
    vision: Vision | None
    """The newest vision draft, if any."""
    join_code: str
    names: dict[str, str]
    """Option key → name: issue titles over theme names over criterion names."""
    surveys: dict[str, Survey] = field(default_factory=dict)
    """The workshop's surveys by key (their definitions and the state of their waves)."""

    @property
    def slug(self) -> str:
        return self.workshop.slug

    def visible_ballots(self) -> list[Ballot]:
        """Ballots a participant may see: open ones and closed ones (not drafts)."""
        return [b for b in self.ballots.values() if b.status != "draft"]

    def ballot(self, key: str) -> Ballot:
        found = self.ballots.get(key)
        if found is None or found.status == "draft":
            raise NotFoundError("not_found_ballot", key=key)
        return found

    def option_label(self, ballot: Ballot, option: str, lang: str) -> str:
        """What a person reads for an option: a method's name, an issue's title, a theme…"""
        return option_label(ballot.purpose, option, lang, self.names)

    def option_cost(self, ballot: Ballot, option: str) -> float | None:
        cost = (ballot.settings.get("costs") or {}).get(option)
        return float(cost) if isinstance(cost, int | float) else None

    def survey(self, key: str) -> Survey:
        found = self.surveys.get(key)
        if found is None:
            raise NotFoundError("not_found_survey", key=key)
        return found

    def open_surveys(self) -> list[Survey]:
        """The surveys a phone can answer now: those with an open wave."""
        return [s for s in self.surveys.values() if s.open_wave is not None]

    def consent_open(self) -> bool:
        """Whether a proposed charter waits for consent."""
        return self.charter is not None and not self.charter.locked

    def vision_consent_open(self) -> bool:
        """Whether phones may answer the consent check on the vision: the vision phase,
        with a draft to read."""
        return self.workshop.phase == "vision" and self.vision is not None

    def scoring_open(self) -> bool:
        """Whether scoring may start: only under a locked charter."""
        return self.charter is not None and self.charter.locked


def same_definitions(new: WorkshopView, old: WorkshopView) -> bool:
    """Whether two snapshots show participants the same thing: every definition equal,
    the workshop file's own words (``spec``, which dataclass equality leaves out) too."""
    return new == old and new.workshop.spec == old.workshop.spec


class ParticipantService:
    """The store, the write queue and the small caches of one server process."""

    def __init__(self, database_url: str | None, *, secret: str) -> None:
        self.database_url = database_url
        self._key = hmac.new(secret.encode("utf-8"), b"ureshii participant keys v1", "sha256")
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._writes: WriteQueue | None = None
        self._views: dict[str, tuple[float, WorkshopView]] = {}
        """Each workshop's snapshot, with when it was last read from the store."""
        self._rereads: dict[str, deque[float]] = {}
        """When misses made :meth:`looked_up` read each workshop again, in the last second."""
        self._results: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._workshops: tuple[float, list[Workshop]] | None = None
        # Participants never disappear, so a participant once found stays valid: most
        # requests then need no query to know who is asking.
        self._known: dict[tuple[str, str], Participant] = {}
        self.door = Door()
        """New phones' queue (:mod:`.door`): phones inside are served first."""
        # The votes of phones that joined through this process, kept as they are cast here:
        # a ballot page then needs no query to know "already voted". Only on SQLite, where
        # this process is the one server of its file (paper votes go under printed codes or
        # new paper voters). Behind a proxy, replicas share PostgreSQL and a phone's vote
        # may go to another one: its receipt, asked of this replica, must still show it.
        self._joined_here: dict[tuple[str, str], dict[str, Vote]] = {}
        self._one_server = bool(database_url) and resolve_url(database_url).startswith("sqlite")

    # ------------------------------------------------------------------ plumbing
    @property
    def configured(self) -> bool:
        return bool(self.database_url)

    @property
    def store(self) -> Store:
        """The store, opened on first use (the server starts even before it exists)."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    if not self.database_url:
                        raise NotFoundError("participant_no_store")
                    self._store = Store.open(self.database_url)
        return self._store

    @property
    def writes(self) -> WriteQueue:
        if self._writes is None:
            _ = self.store  # opened (and migrated) here, before the writer process opens it
            with self._lock:
                if self._writes is None and self.database_url:
                    self._writes = WriteQueue(self.database_url)
        assert self._writes is not None
        return self._writes

    def warm(self) -> None:
        """Open the store (and migrate it) and start the writer now, before phones arrive,
        so the first phone does not wait for it and a wrong database fails at start."""
        if self.configured:
            _ = self.writes  # opens the store and starts the writer process

    def close(self) -> None:
        if self._writes is not None:
            self._writes.close()
        if self._store is not None:
            self._store.close()

    def keyed(self, purpose: str, value: str) -> str:
        """A keyed hash of ``value`` (CSRF tokens, receipts): the same on every replica."""
        mac = self._key.copy()
        mac.update(f"{purpose}\0{value}".encode())
        return mac.hexdigest()

    # ------------------------------------------------------------------ reads
    def workshops(self) -> list[Workshop]:
        cached = self._workshops
        if cached is None or time.monotonic() - cached[0] > VIEW_TTL:
            cached = (time.monotonic(), self.store.workshops())
            self._workshops = cached
        return cached[1]

    def view(self, slug: str, *, fresh: bool = False) -> WorkshopView:
        """The workshop as participants see it (read again every ``VIEW_TTL`` s, or now
        with ``fresh``).

        A read that finds the same definitions keeps the snapshot it already had, and with
        it the pages rendered from it (:func:`toolkit.server.participant.pages.rendered_pages`):
        during a vote, nothing a page shows changes from one second to the next."""
        now = time.monotonic()
        cached = self._views.get(slug)
        if cached is not None and not fresh and now - cached[0] < VIEW_TTL:
            return cached[1]
        store = self.store
        workshop = store.workshop(slug)  # NotFoundError for an unknown slug
        charters, visions = store.charters(slug), store.visions(slug)
        issues, themes, criteria = store.issues(slug), store.themes(slug), store.criteria(slug)
        view = WorkshopView(
            workshop=workshop,
            ballots={b.key: b for b in store.ballots(slug)},
            issues={i.key: i for i in issues},
            themes={th.key: th.name for th in themes},
            stakeholders=store.stakeholders(slug),
            criteria=criteria,
            charter=charters[-1] if charters else None,
            vision=visions[-1] if visions else None,
            join_code=join_code(slug),
            names=option_names(issues, themes, criteria),
            surveys={survey.key: survey for survey in store.surveys(slug)},
        )
        if cached is not None and same_definitions(view, cached[1]):
            view = cached[1]
        self._views[slug] = (now, view)
        return view

    def looked_up(self, slug: str, find: Callable[[WorkshopView], T]) -> tuple[WorkshopView, T]:
        """``find(view)`` on the workshop's snapshot, and that snapshot. When ``find`` raises
        :class:`NotFoundError`, the workshop is read again and ``find`` asked once more (up
        to :data:`REREADS_PER_SECOND`): a ballot made or opened a moment ago, perhaps through
        another replica, is never refused as unknown because this server's snapshot is up to
        :data:`VIEW_TTL` old."""
        view = self.view(slug)
        try:
            return view, find(view)
        except NotFoundError:
            now = time.monotonic()
            recent = self._rereads.setdefault(slug, deque())
            while recent and now - recent[0] > 1.0:
                recent.popleft()
            if len(recent) >= REREADS_PER_SECOND:
                raise
            recent.append(now)
        view = self.view(slug, fresh=True)
        return view, find(view)

    def forget(self, slug: str) -> None:
        """Drop cached reads of ``slug`` (after a facilitator's change through this server)."""
        self._views.pop(slug, None)
        self._workshops = None
        for key in [k for k in self._results if k[0] == slug]:
            self._results.pop(key, None)

    def find_code(self, code: str) -> tuple[str, str | None] | None:
        """``(slug, token)`` for a typed code: a one-time voting code (``token`` is the code)
        or a workshop's 6-digit join code (``token`` is None); None when it is neither."""
        typed = "".join(code.split())
        for workshop in self.workshops():
            if typed and typed == join_code(workshop.slug):
                return workshop.slug, None
        normal = normalize_code(code)
        if normal:
            slug = self.store.workshop_of_token(normal)
            if slug is not None:
                return slug, normal
        return None

    def participant(self, slug: str, token: str | None) -> Participant | None:
        """The participant holding ``token`` in ``slug``, or None (no query once known)."""
        if not token or len(token) > 200:
            return None
        known = self._known.get((slug, token))
        if known is not None:
            return known
        try:
            found = self.store.participant(slug, token)
        except NotFoundError:
            return None
        if len(self._known) < 200_000:
            self._known[(slug, token)] = found
        return found

    def my_votes(self, slug: str, token: str) -> dict[str, Vote]:
        """The participant's votes by ballot key (no query for a phone that joined here,
        on a SQLite store: see :meth:`join`)."""
        known = self._joined_here.get((slug, token))
        if known is not None:
            return dict(known)
        return self.store.participant_votes(slug, token)

    def has_consented(self, slug: str, token: str, charter: MethodCharter) -> bool:
        participant = self.participant(slug, token)
        if participant is None:
            return False
        given = self.store.consents(slug, charter.version)
        return any(c.participant_id == participant.id for c in given)

    def has_consented_vision(self, slug: str, token: str, vision: Vision) -> bool:
        participant = self.participant(slug, token)
        if participant is None:
            return False
        given = self.store.vision_consents(slug, vision.version)
        return any(c.participant_id == participant.id for c in given)

    def answered_waves(self, slug: str, key: str, token: str) -> set[str]:
        """The waves of survey ``key`` this participant has answered."""
        return self.store.survey_answered_waves(slug, key, token)

    def results(self, slug: str, key: str) -> dict[str, Any]:
        """``{"visible", "votes", "order", "points", "selected"?}`` of a ballot (cached).

        While a "hidden until close" ballot is open and not released, only the number of
        votes is given: ``order`` and ``points`` are empty.
        """
        cached = self._results.get((slug, key))
        if cached is not None and time.monotonic() - cached[0] < RESULTS_TTL:
            return cached[1]
        ballot = self.store.ballot(slug, key)
        votes = self.store.votes(slug, key)
        result: dict[str, Any] = {
            "ballot": key,
            "status": ballot.status,
            "visible": ballot.results_visible,
            "votes": len(votes),
            "order": [],
            "points": {},
        }
        if ballot.results_visible and votes:
            result.update(
                tally(ballot.rule, ballot.options, ballot.settings, [v.payload for v in votes])
            )
        self._results[(slug, key)] = (time.monotonic(), result)
        return result

    def receipt(self, vote: Vote) -> str:
        """A short receipt number for a vote: proves it was stored, reveals nothing."""
        digest = self.keyed("receipt", f"{vote.ballot}:{vote.id}")
        return f"{digest[:4]}-{digest[4:8]}".upper()

    # ------------------------------------------------------------------ writes
    async def write(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Run the store's write ``method`` in the next batch; returns once it is committed."""
        return await self.writes.run(Write(method, args, kwargs))

    async def join(self, slug: str, *, category: str | None = None) -> str:
        self.view(slug)  # NotFoundError before anything is written
        token, participant = await self.write("join_participant", slug, category=category)
        self._remember_new(slug, token, participant, {})
        return token

    def _remember_new(
        self, slug: str, token: str, participant: Participant, votes: dict[str, Vote]
    ) -> None:
        """A phone that has just joined here: its next page needs no query to know who it
        is. This process then also knows its votes without asking the store, but only on
        SQLite, whose one file has one server. On PostgreSQL, replicas behind a proxy share
        the store, and the phone's next request may vote on another replica."""
        if len(self._known) < 200_000:
            self._known[(slug, token)] = participant
        if self._one_server and len(self._joined_here) < 200_000:
            self._joined_here[(slug, token)] = votes

    async def join_and_vote(
        self, slug: str, key: str, payload: Any, *, category: str | None = None
    ) -> tuple[str, Vote]:
        """A new phone's join and vote from one form: both stored, or neither."""
        self.looked_up(slug, lambda view: view.ballot(key))  # a draft is not found
        token, participant, vote = await self.write(
            "join_and_vote", slug, key, payload, category=category
        )
        self._remember_new(slug, token, participant, {key: vote})
        return token, vote

    async def vote(self, slug: str, key: str, token: str, payload: Any) -> Vote:
        self.looked_up(slug, lambda view: view.ballot(key))  # a draft is not found
        try:
            vote: Vote = await self.write("cast_vote", slug, key, token, payload)
        except DuplicateVoteError:
            self._joined_here.pop((slug, token), None)  # voted elsewhere: ask the store
            raise
        known = self._joined_here.get((slug, token))
        if known is not None:
            known[key] = vote
        return vote

    async def paper_vote(self, slug: str, key: str, payload: Any, code: str | None) -> Vote:
        """A paper ballot entered by staff: under its printed code, or as a new paper voter."""
        vote: Vote = await self.write("cast_paper_vote", slug, key, payload, code=code)
        return vote

    async def add_card(self, slug: str, token: str, text: str, stakeholder: str | None) -> Any:
        return await self.write(
            "add_card", slug, text, stakeholder=stakeholder, token=token, actor="participant"
        )

    async def consent(self, slug: str, token: str, level: int, version: int | None) -> None:
        await self.write("record_consent", slug, token, level, version=version)

    async def vision_consent(self, slug: str, token: str, level: int, version: int) -> None:
        await self.write("record_vision_consent", slug, token, level, version=version)

    async def scores(
        self, slug: str, token: str, scores: Mapping[tuple[str, str], float | None]
    ) -> int:
        count: int = await self.write("record_scores", slug, token, dict(scores))
        return count

    async def submit_survey(
        self,
        slug: str,
        key: str,
        token: str,
        answers: Mapping[str, Any],
        link: Mapping[str, Any] | None = None,
    ) -> SurveyResponse:
        """One person's answers to the open wave of survey ``key``; returns once committed.

        The store checks everything (the open wave, codes-only surveys, every answer, one
        answer per person and wave); ``link`` holds the answers to the link questions.
        """
        self.looked_up(slug, lambda view: view.survey(key))  # not found: nothing queued
        response: SurveyResponse = await self.write(
            "submit_survey",
            slug,
            key,
            dict(answers),
            token=token,
            link=None if link is None else dict(link),
        )
        return response

    async def facilitator(self, slug: str, work: Callable[[Store], T]) -> T:
        """A facilitator's change (create, open, close, release, codes), in a worker thread
        of its own rather than a batch (it reads back what it wrote); drops the caches."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(None, work, self.store)
        finally:
            self.forget(slug)
