"""The phone pages that bring a phone in: ``/p/`` (a code or a workshop), ``/p/<slug>/``
(the join form, then the phone's home page) and ``POST /p/<slug>/join``.

Language, token cookie, CSRF and rendering are shared by every phone page
(:class:`toolkit.server.participant.pages.PageHandler`).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from toolkit.errors import InvalidInputError, NotFoundError, UreshiiError
from toolkit.model import CATEGORIES
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
            self.render_page("join.html", view=view, categories=CATEGORIES, cache_key=())
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
    """``POST /p/<slug>/join``: a new anonymous device token in a cookie."""

    def get(self, slug: str) -> None:
        # Reached by reloading or sharing the address of a refused join: the join page.
        self.redirect(self.workshop_path(slug), status=303)

    async def post(self, slug: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        category = self.get_body_argument("category", "") or None
        try:
            self.check_form()
            if category is not None and category not in CATEGORIES:
                raise FormError(
                    InvalidInputError(
                        "invalid_category", value=category, allowed=", ".join(CATEGORIES)
                    )
                )
            token = await self.service.join(slug, category=category)
        except (FormError, UreshiiError) as refused:
            error, status = refusal(refused)
            self.render_page(
                "join.html",
                view=view,
                status=status,
                categories=CATEGORIES,
                error=error,
                values={"category": [category or ""]},
            )
            return
        self.set_token(slug, token)
        self.redirect(self.workshop_path(slug) + first_page(view), status=303)


def first_page(view: WorkshopView) -> str:
    """Where a phone that has just joined goes, inside its workshop: straight to the ballot
    when the one thing open to it is one ballot (a town meeting's question: one tap and one
    page fewer for each resident), else its home page ("")."""
    open_ballots = [b for b in view.ballots.values() if b.status == "open"]
    if (
        len(open_ballots) != 1
        or open_ballots[0].settings.get("eligible")  # a codes-only ballot: not a new phone's
        or view.open_surveys()
        or view.workshop.phase == "happiness"
        or view.vision_consent_open()
        or view.consent_open()
        or (view.scoring_open() and view.issues)
    ):
        return ""
    return f"b/{quote(open_ballots[0].key)}"
