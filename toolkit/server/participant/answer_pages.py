"""The phone pages where a participant answers in a phase: a happiness card, the consent
checks on the method charter and on the vision (fist of five), and scores, one issue a page.
"""

from __future__ import annotations

from toolkit.errors import InvalidInputError, NotFoundError, UreshiiError
from toolkit.server.participant.pages import FormError, PageHandler, refusal
from toolkit.server.participant.service import WorkshopView


class CardPage(PageHandler):
    """``/p/<slug>/card``: what would make a stakeholder glad (うれしい)."""

    def get(self, slug: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view = visit[0]
        added = self.get_query_argument("added", "") == "1"
        self.render_page("card.html", view=view, added=added)

    async def post(self, slug: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view, token, _ = visit
        text = self.get_body_argument("text", "", strip=False)
        stakeholder = self.get_body_argument("stakeholder", "") or None
        try:
            self.check_form()
            await self.service.add_card(slug, token, text, stakeholder)
        except (FormError, UreshiiError) as refused:
            error, status = refusal(refused)
            self.render_page(
                "card.html",
                view=view,
                values={"text": [text], "stakeholder": [stakeholder or ""]},
                error=error,
                added=False,
                status=status,
            )
            return
        self.redirect(f"{self.workshop_path(slug)}card?added=1", status=303)


class _ConsentForm(PageHandler):
    """A fist-of-five answer to one version of what the group is asked to consent to (the
    one scale of :mod:`toolkit.consent`, ``consent_form.html``). The charter's and the
    vision's pages differ only in what they ask about: their template, whether this person
    has answered, when the form is closed, and the store write."""

    TEMPLATE = ""
    PAGE = ""
    """The page's address under the workshop (the form posts to it, and returns there)."""

    def answered(self, slug: str, token: str, view: WorkshopView) -> bool:
        raise NotImplementedError

    def closed(self, view: WorkshopView) -> UreshiiError | None:
        """Why the form no longer takes answers, if it does not (the store refuses the rest)."""
        return None

    async def record(self, slug: str, token: str, level: int, version: int) -> None:
        raise NotImplementedError

    def get(self, slug: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view, token, _ = visit
        self.render_page(self.TEMPLATE, view=view, done=self.answered(slug, token, view))

    async def post(self, slug: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view, token, _ = visit
        level = self.get_body_argument("level", "")
        version = self.get_body_argument("version", "")
        try:
            self.check_form()
            closed = self.closed(view)
            if closed is not None:
                raise FormError(closed, 409)
            if not level.isdigit() or len(level) > 1:
                raise FormError(InvalidInputError("participant_choose_one"))
            # The version the person read; anything else is not a form this page sent.
            if not (version.isdigit() and len(version) <= 6):
                raise FormError(InvalidInputError("participant_form_expired"), 400)
            await self.record(slug, token, int(level), int(version))
        except (FormError, UreshiiError) as refused:
            error, status = refusal(refused)
            self.service.forget(slug)  # a newer version, or the phase moved on: show it now
            self.render_page(
                self.TEMPLATE,
                view=self.service.view(slug),
                error=error,
                done=False,
                values={"level": [level]},
                status=status,
            )
            return
        self.redirect(f"{self.workshop_path(slug)}{self.PAGE}", status=303)


class ConsentPage(_ConsentForm):
    """``/p/<slug>/consent``: fist of five on the proposed method charter."""

    TEMPLATE, PAGE = "consent.html", "consent"

    def answered(self, slug: str, token: str, view: WorkshopView) -> bool:
        charter = view.charter
        return charter is not None and self.service.has_consented(slug, token, charter)

    async def record(self, slug: str, token: str, level: int, version: int) -> None:
        await self.service.consent(slug, token, level, version)


class VisionConsentPage(_ConsentForm):
    """``/p/<slug>/vision``: the newest vision draft and the consent check on it, during
    the vision phase (the same scale as the table laptops and the charter)."""

    TEMPLATE, PAGE = "vision.html", "vision"

    def answered(self, slug: str, token: str, view: WorkshopView) -> bool:
        vision = view.vision
        return vision is not None and self.service.has_consented_vision(slug, token, vision)

    def closed(self, view: WorkshopView) -> UreshiiError | None:
        if view.vision_consent_open():
            return None
        return InvalidInputError("participant_vision_closed")

    async def record(self, slug: str, token: str, level: int, version: int) -> None:
        await self.service.vision_consent(slug, token, level, version)


class ScorePage(PageHandler):
    """``/p/<slug>/score/<n>``: one issue per page, every criterion, "don't know" allowed."""

    def get(self, slug: str, number: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view = visit[0]
        self._show(view, number)

    def _show(
        self,
        view: WorkshopView,
        number: str,
        *,
        values: dict[str, list[str]] | None = None,
        error: UreshiiError | None = None,
        status: int = 200,
    ) -> None:
        issues = list(view.issues.values())
        index = int(number) - 1 if number.isdigit() else -1
        if not view.scoring_open():
            self.message_page(InvalidInputError("participant_scoring_not_open"), 409, view)
            return
        if not 0 <= index < len(issues):
            self.message_page(NotFoundError("not_found_issue", key=number), 404, view)
            return
        self.render_page(
            "score.html",
            view=view,
            issue=issues[index],
            number=index + 1,
            total=len(issues),
            values=values or {},
            error=error,
            status=status,
        )

    async def post(self, slug: str, number: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view, token, _ = visit
        issues = list(view.issues.values())
        index = int(number) - 1 if number.isdigit() else -1
        form = self.form()
        try:
            self.check_form()
            if not 0 <= index < len(issues):
                raise FormError(NotFoundError("not_found_issue", key=number), 404)
            scores: dict[tuple[str, str], float | None] = {}
            for criterion in view.criteria:
                raw = (form.get(f"c_{criterion.key}") or [""])[0]
                if raw == "dk":
                    scores[(issues[index].key, criterion.key)] = None
                elif raw.lstrip("-").isdigit() and len(raw) < 7:
                    scores[(issues[index].key, criterion.key)] = int(raw)
            if not scores:
                raise FormError(InvalidInputError("participant_choose_one"))
            await self.service.scores(slug, token, scores)
        except (FormError, UreshiiError) as refused:
            error, status = refusal(refused)
            self._show(self.service.view(slug), number, values=form, error=error, status=status)
            return
        following = index + 2
        if following > len(issues):
            self.redirect(f"{self.workshop_path(slug)}?scored=1", status=303)
        else:
            self.redirect(f"{self.workshop_path(slug)}score/{following}", status=303)
