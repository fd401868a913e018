"""The phone pages of a survey (issue 19): ``/p/<slug>/surveys/<key>``.

The survey's definition (``toolkit.surveys.definition``) draws the form: every question on
one page (``layout: one_page``), or one question per screen (``one_per_screen``) with Back
and Next buttons that work without JavaScript. A screen's form carries the answers of the
other screens in hidden fields, so nothing is kept on the server between screens and
nothing is stored until the last screen is sent. Next checks the question on its screen
(:func:`~toolkit.surveys.definition.check_answer`, the store's own rule); the send goes
through :meth:`ParticipantService.submit_survey` (the write queue), and the store checks
everything again. A refusal brings back the screen of the refused question with every
answer kept, the message naming the question by its text.

A survey with ``identity: codes`` asks a phone for its printed code first (the code form
leads back here with ``?next=``). The page also says "not open right now" when no wave is
open, and "already answered this round" to a phone that comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from toolkit.errors import AlreadyAnsweredError, InvalidInputError, NotFoundError, UreshiiError
from toolkit.model import Participant, Survey
from toolkit.server.participant.pages import FormError, PageHandler, answer_here, refusal
from toolkit.server.participant.service import WorkshopView
from toolkit.store.surveys import CODE_CHANNELS
from toolkit.surveys.definition import LINK_QUESTIONS, QuestionSpec, SurveySpec, check_answer

ANSWER_PREFIX = "q_"
"""A question's form field is ``q_<question id>`` (a multiple choice sends it once per tick)."""
LINK_PREFIX = "link_"
"""The link questions' fields: ``link_mother``, ``link_birthday``, ``link_school``."""
SCREEN_FIELD = "_screen"
GO_FIELD = "_go"
STALE = frozenset({"survey_not_open", "not_found_survey", "not_found_survey_wave"})
"""Refusals that mean this process's cached view of the survey is out of date."""


@dataclass(frozen=True)
class Screen:
    """What one screen of the form shows: some questions, and perhaps the link code."""

    questions: tuple[QuestionSpec, ...]
    link: bool = False


def screens(spec: SurveySpec) -> list[Screen]:
    """The survey's screens: one with everything, or one per question (then the link code
    on a last screen of its own when the survey asks for it)."""
    if spec.layout == "one_page":
        return [Screen(tuple(spec.questions), spec.link_code)]
    parts = [Screen((question,)) for question in spec.questions]
    if spec.link_code:
        parts.append(Screen((), link=True))
    return parts


def answers_from(spec: SurveySpec, form: dict[str, list[str]]) -> dict[str, Any]:
    """The answers a form sent, by question id: text as typed, a list for a multiple
    choice; unanswered questions left out (the store's check says which are required)."""
    answers: dict[str, Any] = {}
    for question in spec.questions:
        sent = form.get(ANSWER_PREFIX + question.id, [])
        if question.kind == "multiple":
            chosen = [value for value in sent if value]
            if chosen:
                answers[question.id] = chosen
        elif sent and sent[0].strip():
            answers[question.id] = sent[0]
    return answers


def link_from(spec: SurveySpec, form: dict[str, list[str]]) -> dict[str, str] | None:
    """The link answers, or None when the survey asks none or all three were left blank."""
    if not spec.link_code:
        return None
    link = {key: (form.get(LINK_PREFIX + key) or [""])[0].strip() for key, _ in LINK_QUESTIONS}
    return link if any(link.values()) else None


def screen_of(spec: SurveySpec, error: UreshiiError, current: int) -> int:
    """The screen to show for a refusal: the refused question's, the link code's, or the
    one the person is on."""
    parts = screens(spec)
    question = error.params.get("question")
    for index, screen in enumerate(parts):
        if question is not None and any(q.id == question for q in screen.questions):
            return index
        if screen.link and error.key.startswith("survey_link_"):
            return index
    return current


class SurveyPage(PageHandler):
    """``/p/<slug>/surveys/<key>``: the survey's form; posts Next, Back and the answers."""

    def _survey(self, slug: str, key: str) -> tuple[WorkshopView, Survey] | None:
        view = self.view_or_404(slug)
        if view is None:
            return None
        try:
            return self.service.looked_up(slug, lambda fresh: fresh.survey(key))
        except NotFoundError as error:
            self.message_page(error, 404, view)
            return None

    def _address(self, slug: str, key: str) -> str:
        return f"{self.workshop_path(slug)}surveys/{quote(key)}"

    def get(self, slug: str, key: str) -> None:
        found = self._survey(slug, key)
        if found is None:
            return
        view, survey = found
        token = self.token(slug)
        participant = self.service.participant(slug, token)
        if survey.open_wave is None:
            self._state(view, survey, "closed")
            return
        if not self._may_answer(survey, participant):
            self._state(view, survey, "codes")
            return
        if token is None or participant is None:
            self.redirect(self.workshop_path(slug), status=303)  # join first, then answer
            return
        if survey.open_wave in self.service.answered_waves(slug, key, token):
            sent = self.get_query_argument("sent", "") == "1"
            self._state(view, survey, "sent" if sent else "answered")
            return
        self._form(view, survey, screen=0)

    async def post(self, slug: str, key: str) -> None:
        found = self._survey(slug, key)
        if found is None:
            return
        view, survey = found
        token = self.token(slug)
        participant = self.service.participant(slug, token)
        spec = survey.definition
        form = self.form()
        parts = screens(spec)
        raw_screen = (form.get(SCREEN_FIELD) or ["0"])[0]
        screen = int(raw_screen) if raw_screen.isdigit() else 0
        screen = min(screen, len(parts) - 1)
        go = (form.get(GO_FIELD) or ["send"])[0]
        try:
            self.check_form()
            if survey.open_wave is None:
                raise FormError(InvalidInputError("survey_not_open", survey=key), 409)
            if not self._may_answer(survey, participant):
                raise FormError(InvalidInputError("survey_codes_only", survey=key), 403)
            if token is None or participant is None:
                self.redirect(self.workshop_path(slug), status=303)
                return
            if go == "back":
                self._form(view, survey, screen=max(screen - 1, 0), values=form)
                return
            if go == "next" and screen < len(parts) - 1:
                for question in parts[screen].questions:  # the question on this screen only
                    check_answer(question, answers_from(spec, form).get(question.id))
                self._form(view, survey, screen=screen + 1, values=form)
                return
            await self.service.submit_survey(
                slug, key, token, answers_from(spec, form), link_from(spec, form)
            )
        except AlreadyAnsweredError as refused:
            self._state(view, survey, "answered", error=refused, status=409)
            return
        except (FormError, UreshiiError) as refused:
            error, status = refusal(refused)
            if error.key in STALE:
                self.service.forget(slug)  # the wave closed meanwhile: show it as it is
            fresh = self.service.view(slug)
            current = fresh.surveys.get(key, survey)
            status = {"survey_codes_only": 403, "survey_not_open": 409}.get(error.key, status)
            self._form(
                fresh,
                current,
                screen=screen_of(spec, error, screen),
                values=form,
                error=error,
                status=status,
            )
            return
        sent = self._address(slug, key) + "?sent=1"
        if answer_here(form):  # the page's script runs: the thanks here, its address shown
            self._state(view, survey, "sent", address=sent)
        else:
            self.redirect(sent, status=303)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _may_answer(survey: Survey, participant: Participant | None) -> bool:
        """Whether this phone may answer: anyone joined, or only printed codes."""
        if survey.definition.identity != "codes":
            return True
        return participant is not None and participant.channel in CODE_CHANNELS

    def _state(
        self,
        view: WorkshopView,
        survey: Survey,
        state: str,
        *,
        error: UreshiiError | None = None,
        status: int = 200,
        address: str | None = None,
    ) -> None:
        """A page without the questions: closed, codes needed, sent, already answered.
        ``address``: the page's own, which its script puts in the address bar (the thanks
        given as the answer to the form's post)."""
        self.render_page(
            "survey.html",
            view=view,
            survey=survey,
            state=state,
            address=address,
            wave=self._wave(survey),
            action=self._address(view.slug, survey.key),
            next=f"surveys/{survey.key}",
            error=error,
            status=status,
        )

    def _form(
        self,
        view: WorkshopView,
        survey: Survey,
        *,
        screen: int,
        values: dict[str, list[str]] | None = None,
        error: UreshiiError | None = None,
        status: int = 200,
    ) -> None:
        spec = survey.definition
        parts = screens(spec)
        screen = max(0, min(screen, len(parts) - 1))
        shown = parts[screen]
        codes_needed = spec.identity == "codes" and error is not None and status == 403
        self.render_page(
            "survey.html",
            view=view,
            survey=survey,
            # A screen as it first opens is the same for everyone (but the CSRF token): one
            # rendering per snapshot serves a room told "please answer now".
            cache_key=("form", screen) if values is None and error is None else None,
            state="codes_form" if codes_needed else "form",
            wave=self._wave(survey),
            action=self._address(view.slug, survey.key),
            next=f"surveys/{survey.key}",
            screens=parts,
            screen=screen,
            shown=shown,
            hidden=[q for q in spec.questions if q not in shown.questions],
            refused=str(error.params.get("question", "")) if error is not None else "",
            link_refused=error is not None and error.key.startswith("survey_link_"),
            values=values or {},
            error=error,
            status=status,
        )

    @staticmethod
    def _wave(survey: Survey) -> Any:
        """The open wave's definition (its title), or None."""
        key = survey.open_wave
        if key is None:
            return None
        try:
            return survey.definition.wave(key)
        except KeyError:
            return None
