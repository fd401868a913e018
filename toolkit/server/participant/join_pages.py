"""The phone pages that bring a phone in: ``/p/`` (a code or a workshop), ``/p/<slug>/``
(the join form, then the phone's home page) and ``POST /p/<slug>/join``.

Language, token cookie, CSRF and rendering are shared by every phone page
(:class:`toolkit.server.participant.pages.PageHandler`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from toolkit.errors import InvalidInputError, NotFoundError, UreshiiError
from toolkit.model import CATEGORIES, Ballot, Participant
from toolkit.server.participant.ballot_pages import (
    acknowledge_vote,
    ballot_filled,
    ballot_payload,
    show_ballot,
)
from toolkit.server.participant.pages import FormError, PageHandler, refusal
from toolkit.server.participant.service import WorkshopView

NEXT_PAGE = re.compile(r"surveys/[a-z0-9][a-z0-9_-]{0,63}")
"""Where a typed code may lead inside its workshop instead of the home page (``?next=``):
a codes-only survey asks for the code and comes back to itself. Nothing else, so the
parameter cannot send a phone anywhere else."""


class EntryPage(PageHandler):
    """``/p/``: type a code (the workshop's 6 digits or a printed code), or pick a workshop."""

    def get(self) -> None:
        if not self.service.configured:
            self.message_page(NotFoundError("participant_no_store"), 503, None)
            return
        code = self.get_query_argument("code", "").strip()
        following = self.get_query_argument("next", "")
        following = following if NEXT_PAGE.fullmatch(following) else ""
        workshops = self.service.workshops()
        if code:
            found = self.service.find_code(code)
            if found is None:
                self.render_page(
                    "entry.html",
                    view=None,
                    status=404,
                    workshops=workshops,
                    code=code,
                    next=following,
                    error=NotFoundError("participant_code_unknown"),
                )
                return
            slug, token = found
            if token is not None:
                self.set_token(slug, token)
            self.redirect(self.workshop_path(slug) + following, status=303)
            return
        if len(workshops) == 1:
            # The join link and its QR code lead here: one meeting, straight in. Its join
            # page takes a code as well.
            self.redirect(self.workshop_path(workshops[0].slug), status=303)
            return
        self.render_page("entry.html", view=None, workshops=workshops, code="")


class WorkshopPage(PageHandler):
    """``/p/<slug>/``: the join page, or once joined, what is open now (a small script
    fetches it again every :attr:`LIVE_SECONDS` and shows what changed, such as a ballot
    just opened; without JavaScript the page's reload link does the same)."""

    LIVE_SECONDS = 15

    async def get(self, slug: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        token = self.token(slug)
        participant = self.service.participant(slug, token)
        if token is None or participant is None:
            await self.service.door.enter()  # new phones queue here (see .door)
            self.render_page(
                "join.html",
                view=view,
                ballot=only_open_ballot(view),
                categories=CATEGORIES,
                cache_key=(),
            )
            return
        votes = self.service.my_votes(slug, token)
        consented = view.charter is not None and self.service.has_consented(
            slug, token, view.charter
        )
        vision_consented = view.vision is not None and self.service.has_consented_vision(
            slug, token, view.vision
        )
        surveys = view.open_surveys()
        answered = {
            survey.key
            for survey in surveys
            if survey.open_wave in self.service.answered_waves(slug, survey.key, token)
        }
        scored = self.get_query_argument("scored", "") == "1"
        self.render_page(
            "home.html",
            view=view,
            surveys=surveys,
            answered_surveys=answered,
            votes=votes,
            consented=consented,
            vision_consented=vision_consented,
            scored=scored,
            ballots=view.visible_ballots(),
            live_seconds=self.LIVE_SECONDS,
            # All the page shows of this phone (the ballots it voted on: their keys only).
            cache_key=(frozenset(votes), frozenset(answered), consented, vision_consented, scored),
        )


class JoinPage(PageHandler):
    """``POST /p/<slug>/join``: a new anonymous device token in a cookie; with the join page's
    question answered (a town meeting's one open ballot), the vote too, in the same write:
    both are stored, or neither."""

    def get(self, slug: str) -> None:
        # Reached by reloading or sharing the address of a refused join: the join page.
        self.redirect(self.workshop_path(slug), status=303)

    async def post(self, slug: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        form = self.form()
        category = (form.get("category") or [""])[0] or None
        asked = (form.get("ballot") or [""])[0]
        ballot = view.ballots.get(asked) if asked else None
        token = self.token(slug)
        known = self.service.participant(slug, token)
        try:
            self.check_form()
            if category is not None and category not in CATEGORIES:
                raise FormError(
                    InvalidInputError(
                        "invalid_category", value=category, allowed=", ".join(CATEGORIES)
                    )
                )
            payload = None
            if ballot is not None and ballot_filled(ballot, form):
                payload = ballot_payload(ballot, form)
            if token is not None and known is not None:
                # A join form left open in another tab: this phone has joined already, and
                # stays one person. Its answer is a vote like any other.
                await self._vote_again(view, slug, token, known, ballot, payload, form)
                return
            if ballot is not None and payload is not None:
                token, vote = await self.service.join_and_vote(
                    slug, ballot.key, payload, category=category
                )
                self.set_token(slug, token)
                acknowledge_vote(self, self.service.view(slug), ballot, vote, form)
                return
            token = await self.service.join(slug, category=category)
        except (FormError, UreshiiError) as refused:
            error, status = refusal(refused)
            fresh = self.service.view(slug)  # the question as it is now (it may have closed)
            self.render_page(
                "join.html",
                view=fresh,
                ballot=only_open_ballot(fresh),
                status=status,
                categories=CATEGORIES,
                error=error,
                values={**form, "category": [category or ""]},
            )
            return
        self.set_token(slug, token)
        self.redirect(self.workshop_path(slug) + first_page(view), status=303)

    async def _vote_again(
        self,
        view: WorkshopView,
        slug: str,
        token: str,
        participant: Participant,
        ballot: Ballot | None,
        payload: Any,
        form: dict[str, list[str]],
    ) -> None:
        """The join form posted by a phone that has joined: no second participant. Its
        answer to the question, if any, goes in as the phone's vote (refused like any second
        vote, on the ballot's page); else the phone goes where a new one would."""
        if ballot is None or payload is None:
            self.redirect(self.workshop_path(slug) + first_page(view), status=303)
            return
        try:
            vote = await self.service.vote(slug, ballot.key, token, payload)
        except UreshiiError as refused:
            error, status = refusal(refused)
            fresh = self.service.view(slug)
            show_ballot(
                self,
                fresh,
                fresh.ballots.get(ballot.key, ballot),
                participant,
                values=form,
                error=error,
                status=status,
                voted=ballot.key in self.service.my_votes(slug, token),
            )
            return
        acknowledge_vote(self, self.service.view(slug), ballot, vote, form)


def only_open_ballot(view: WorkshopView) -> Ballot | None:
    """The one thing open to a new phone when it is one ballot (a town meeting's question):
    the join page asks it, and a phone that joined without answering goes straight to it.
    None when anything else is open too (cards, a consent check, scoring, a survey, another
    ballot) or the ballot takes printed codes only."""
    open_ballots = [b for b in view.ballots.values() if b.status == "open"]
    if (
        len(open_ballots) != 1
        or open_ballots[0].settings.get("eligible")
        or view.open_surveys()
        or view.workshop.phase == "happiness"
        or view.vision_consent_open()
        or view.consent_open()
        or (view.scoring_open() and view.issues)
    ):
        return None
    return open_ballots[0]


def first_page(view: WorkshopView) -> str:
    """Where a phone that has just joined goes, inside its workshop: straight to the one
    open ballot (:func:`only_open_ballot`), else its home page ("")."""
    ballot = only_open_ballot(view)
    return "" if ballot is None else f"b/{quote(ballot.key)}"
