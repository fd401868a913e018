"""Paper questionnaires typed in by staff (issue 19): one form per survey, every question.

Staff choose the survey and the wave (an open one, or a closed one: paper handed in late
still counts), type the printed code when the paper has one, and the answers. Each paper is
:meth:`toolkit.store.Store.enter_paper_survey`, marked ``paper``; the rules of an answer
are the definition's (:func:`toolkit.surveys.definition.check_answers`), so a refused paper
says why and the form keeps what was typed, for staff to correct.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets

from toolkit.errors import InvalidInputError, NotFoundError
from toolkit.i18n import t
from toolkit.model import Survey
from toolkit.store import normalize_code
from toolkit.surveys.definition import LINK_QUESTIONS, QuestionSpec, likert_labels, local
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed
from widgets.surveys.common import state_text, survey_title, wave_title
from widgets.ui import SURVEY_EVENTS, WIDE_LABEL, button, fit, heading_html, set_options

NONE = "–"
_WIDE = ipywidgets.Layout(width="40em", max_width="100%")


def question_control(question: QuestionSpec, lang: str) -> Any:
    """The control staff fill in for one question, empty."""
    label = local(question.text, lang) + (" *" if question.required else "")
    if question.kind == "likert":
        labels = likert_labels(question, lang)
        return ipywidgets.Dropdown(
            options=[(NONE, None), *((f"{p}: {labels[p]}", p) for p in labels)],
            value=None,
            description=label,
            style=WIDE_LABEL,
            layout=_WIDE,
        )
    if question.kind == "single":
        return ipywidgets.Dropdown(
            options=[(NONE, None), *((local(o.text, lang), o.id) for o in question.options)],
            value=None,
            description=label,
            style=WIDE_LABEL,
            layout=_WIDE,
        )
    if question.kind == "multiple":
        return ipywidgets.SelectMultiple(
            options=[(local(o.text, lang), o.id) for o in question.options],
            value=(),
            description=label,
            style=WIDE_LABEL,
            rows=min(8, max(2, len(question.options))),
            layout=_WIDE,
        )
    if question.kind == "number":
        unit = local(question.unit, lang)
        return ipywidgets.Text(
            description=f"{label} ({unit})" if unit else label, style=WIDE_LABEL, layout=_WIDE
        )
    return ipywidgets.Textarea(description=label, style=WIDE_LABEL, layout=_WIDE)


def _empty(control: Any) -> Any:
    if isinstance(control, ipywidgets.SelectMultiple):
        return ()
    if isinstance(control, ipywidgets.Dropdown):
        return None
    return ""


class PaperSurveyEntry(ipywidgets.VBox):
    """Choose a survey and a wave, type a paper's code (if any) and its answers, enter it.

    ``controls[question id]`` is each question's control; ``link_controls`` the link-code
    questions' (when the survey asks them); ``entered`` counts this screen's papers.
    """

    def __init__(self, ctx: AppContext, feed: LiveFeed | None = None, **kwargs: Any) -> None:
        self.ctx = ctx
        lang = ctx.lang
        self.message = MessageArea()
        self.survey = ipywidgets.Dropdown(
            description=t("surveys_paper_survey", lang), style=WIDE_LABEL, layout=_WIDE
        )
        self.wave = ipywidgets.Dropdown(
            description=t("surveys_paper_wave", lang), style=WIDE_LABEL, layout=_WIDE
        )
        self.code = ipywidgets.Text(
            description=t("surveys_paper_code", lang), placeholder="7KQ4M-XH2RD", style=WIDE_LABEL
        )
        self.questions = ipywidgets.VBox()
        self.link_box = ipywidgets.VBox()
        self.enter = fit(
            button(t("surveys_paper_enter", lang), icon="check", button_style="primary")
        )
        self.enter.on_click(guarded(self.message, lang)(self._enter))
        self.counter = ipywidgets.HTML()
        self.entered = 0
        self.controls: dict[str, Any] = {}
        self.link_controls: dict[str, ipywidgets.Text] = {}
        self._surveys: dict[str, Survey] = {}
        self._version = 0
        self.survey.observe(self._survey_chosen, names=["value"])
        self.wave.observe(lambda _change: self._count(), names=["value"])
        super().__init__(
            children=[
                ipywidgets.HTML(heading_html(t("surveys_paper_heading", lang), level=2)),
                ipywidgets.HTML(f"<p>{escape(t('surveys_paper_hint', lang))}</p>"),
                self.survey,
                self.wave,
                self.code,
                self.questions,
                self.link_box,
                self.enter,
                self.message,
                self.counter,
            ],
            **kwargs,
        )
        self.add_class("ureshii-paper-survey")
        self.refresh()
        if feed is not None:
            feed.subscribe(lambda _events: self.refresh(), kinds=SURVEY_EVENTS)

    # ------------------------------------------------------------------ choosing
    def refresh(self) -> None:
        """Re-read the surveys and their waves; keep what is chosen and typed."""
        lang = self.ctx.lang
        surveys = self.ctx.store.surveys(self.ctx.slug)
        self._surveys = {s.key: s for s in surveys}
        chosen, version = self.survey.value, self._version
        set_options(self.survey, [(survey_title(s, lang), s.key) for s in surveys])
        current = self._current()
        changed = current is not None and current.version != version
        if self.survey.value != chosen or changed or not self.controls:
            self._survey_chosen()
        else:
            self._waves()
        if not surveys:
            self.message.show(t("surveys_paper_none", lang))

    def _current(self) -> Survey | None:
        return self._surveys.get(self.survey.value) if self.survey.value else None

    def _waves(self) -> None:
        survey, lang = self._current(), self.ctx.lang
        waves = [w for w in survey.waves if w.status != "draft"] if survey else []
        set_options(
            self.wave,
            [
                (f"{wave_title(survey, w.key, lang)} ({state_text(w.status, lang)})", w.key)
                for w in waves
            ]
            if survey
            else [],
        )
        if survey and not waves:
            self.wave.value = None
            self.message.show(t("surveys_paper_no_wave", lang))
        self.enter.disabled = not waves
        self._count()

    def _survey_chosen(self, _change: object = None) -> None:
        survey, lang = self._current(), self.ctx.lang
        self.controls, self.link_controls = {}, {}
        if survey is None:
            self.questions.children = self.link_box.children = ()
            self._waves()
            return
        spec, self._version = survey.definition, survey.version
        for question in spec.questions:
            self.controls[question.id] = question_control(question, lang)
        self.questions.children = tuple(self.controls.values())
        if spec.link_code:
            for key, words in LINK_QUESTIONS:
                self.link_controls[key] = ipywidgets.Text(
                    description=words["ja" if lang == "ja" else "en"],
                    style=WIDE_LABEL,
                    layout=_WIDE,
                )
            self.link_box.children = (
                ipywidgets.HTML(f"<p><b>{escape(t('surveys_paper_link_hint', lang))}</b></p>"),
                *self.link_controls.values(),
            )
        else:
            self.link_box.children = ()
        self._waves()

    # ------------------------------------------------------------------ entering
    def answers(self) -> dict[str, Any]:
        """What staff typed, as the store takes it (empty controls left out)."""
        answers: dict[str, Any] = {}
        for key, control in self.controls.items():
            value = control.value
            if isinstance(value, tuple):
                value = list(value)
            if value is None or value == "" or value == []:
                continue
            answers[key] = value
        return answers

    def link(self) -> dict[str, str] | None:
        """The link-code answers, or None when the paper leaves them all empty."""
        typed = {key: c.value.strip() for key, c in self.link_controls.items()}
        return typed if any(typed.values()) else None

    def _enter(self, _button: object = None) -> None:
        survey = self._current()
        if survey is None or self.wave.value is None:
            raise InvalidInputError("surveys_paper_no_wave")
        typed = self.code.value.strip()
        code = normalize_code(typed) if typed else None
        store, slug = self.ctx.store, self.ctx.slug
        if typed and (not code or store.workshop_of_token(code) != slug):
            raise NotFoundError("participant_code_unknown")
        store.enter_paper_survey(
            slug, survey.key, self.answers(), wave=self.wave.value, code=code, link=self.link()
        )
        self.entered += 1
        self.message.show(t("surveys_paper_entered", self.ctx.lang, n=self.entered), "success")
        self.clear()
        self._count()

    def clear(self) -> None:
        """An empty form for the next paper (the survey and the wave stay chosen)."""
        self.code.value = ""
        for control in self.controls.values():
            control.value = _empty(control)
        for control in self.link_controls.values():
            control.value = ""

    def _count(self) -> None:
        survey, wave = self._current(), self.wave.value
        if survey is None or wave is None:
            self.counter.value = ""
            return
        responses = self.ctx.store.survey_responses(self.ctx.slug, survey.key, wave=wave)
        paper = sum(1 for r in responses if r.channel == "paper")
        self.counter.value = (
            '<p role="status" class="ureshii-paper-survey-count">'
            f"{t('surveys_paper_count', self.ctx.lang, paper=paper, total=len(responses))}</p>"
        )
