"""The console's Surveys panel (issue 19): every survey of the workshop with each wave's
state and live answer count, open / close a wave, the phone link and its QR code, and a
form to define a survey from a template or from pasted YAML.

Every button writes through the store (``open_survey_wave``, ``close_survey_wave``,
``define_survey``); the panel re-reads the store when the live feed reports a survey event
(:data:`widgets.ui.SURVEY_EVENTS`), so an answer sent from a phone shows in the count.
Closing a wave asks first (:class:`~widgets.confirm.ConfirmButton`), like closing a vote.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets

from toolkit.errors import InvalidInputError, UreshiiError, WorkshopFileError
from toolkit.i18n import t
from toolkit.join import ENV_JOIN_URL
from toolkit.model import Survey
from widgets.confirm import ConfirmButton
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.join import qr_svg
from widgets.live import LiveFeed
from widgets.surveys.common import phone_path, state_text, survey_title, wave_title
from widgets.ui import SURVEY_EVENTS, WIDE_LABEL, LivePanel, button, fit, heading, html_table

if TYPE_CHECKING:
    from toolkit.surveys.definition import SurveySpec

log = logging.getLogger(__name__)


def _origin(join_url: str | None) -> str:
    from widgets.console.room import server_origin

    return server_origin(join_url if join_url is not None else os.environ.get(ENV_JOIN_URL, ""))


class SurveyRow(ipywidgets.VBox):
    """One survey: its waves (state, answers), open / close buttons per wave, phone link.

    ``open_buttons[wave]`` opens a wave; ``closers[wave]`` is the wave's
    :class:`ConfirmButton` (``closers[wave].yes`` closes it).
    """

    def __init__(
        self,
        ctx: AppContext,
        survey: Survey,
        message: MessageArea,
        on_change: Callable[[], Any],
        *,
        origin: str = "",
    ) -> None:
        self.ctx, self.key, self.message, self._on_change = ctx, survey.key, message, on_change
        lang = ctx.lang
        act = guarded(message, lang)
        self.waves = tuple(w.key for w in survey.waves)
        self.version = survey.version
        self.title = ipywidgets.HTML()
        self.table = ipywidgets.HTML()
        self.open_buttons: dict[str, ipywidgets.Button] = {}
        self.closers: dict[str, ConfirmButton] = {}
        controls = []
        for wave in self.waves:
            name = wave_title(survey, wave, lang)
            opener = fit(button(t("surveys_console_open", lang, wave=name), icon="play"))
            opener.button_style = "success"
            opener.on_click(act(self._opener(wave)))
            closer = ConfirmButton(
                t("surveys_console_close", lang, wave=name),
                question=t(
                    "surveys_console_close_confirm",
                    lang,
                    survey=survey_title(survey, lang),
                    wave=name,
                ),
                confirm=t("surveys_console_close_yes", lang),
                lang=lang,
                on_confirm=act(self._closer(wave)),
                icon="stop",
            )
            self.open_buttons[wave], self.closers[wave] = opener, closer
            controls.append(ipywidgets.HBox([opener, closer]))
        path = phone_path(ctx.slug, survey.key)
        self.link = ipywidgets.HTML(self._link_html(origin + path if origin else path, origin))
        super().__init__(
            children=[self.title, self.table, *controls, self.link],
            layout=ipywidgets.Layout(border="1px solid #ccc", padding=".4em", margin=".4em 0"),
        )
        self.add_class("ureshii-survey-row")
        self.show(survey, {})

    def _link_html(self, url: str, origin: str) -> str:
        lang = self.ctx.lang
        # In a read-only box: easy to copy into an e-mail to staff.
        words = t("surveys_console_phone_link", lang)
        text = (
            f"<p><label>{escape(words)} "
            f'<input type="text" readonly class="ureshii-survey-url" value="{escape(url)}" '
            f'size="{min(len(url) + 2, 70)}"></label></p>'
        )
        if not origin:
            return text + f'<p role="note">{escape(t("surveys_console_no_server", lang))}</p>'
        label = escape(t("surveys_console_qr_label", lang, url=url), quote=True)
        return (
            text + f'<figure role="img" aria-label="{label}" style="margin:0">'
            f"{qr_svg(url, 3)}</figure>"
        )

    def show(self, survey: Survey, counts: dict[str, int]) -> None:
        """Show the survey as last read and its answer counts; enable the buttons that fit."""
        lang = self.ctx.lang
        spec = survey.definition
        identity = t(f"surveys_identity_{spec.identity}", lang)
        self.title.value = (
            f"<h3>{escape(survey_title(survey, lang))} "
            f"<small>({escape(survey.key)}, v{survey.version})</small></h3>"
            f"<p>{escape(t('surveys_console_about', lang, questions=len(spec.questions), identity=identity))}</p>"  # noqa: E501
        )
        rows = [
            (
                wave_title(survey, w.key, lang),
                state_text(w.status, lang),
                counts.get(w.key, 0),
            )
            for w in survey.waves
        ]
        columns = [t(k, lang) for k in ("surveys_col_wave", "surveys_col_state", "surveys_col_n")]
        self.table.value = html_table(columns, rows, t("surveys_waves_caption", lang))
        open_wave = survey.open_wave
        for wave in survey.waves:
            self.open_buttons[wave.key].disabled = wave.status == "open" or (
                open_wave is not None and open_wave != wave.key
            )
            self.closers[wave.key].button.disabled = wave.status != "open"

    def _opener(self, wave: str) -> Callable[[object], None]:
        def open_wave(_button: object = None) -> None:
            survey = self.ctx.store.open_survey_wave(self.ctx.slug, self.key, wave)
            name = wave_title(survey, wave, self.ctx.lang)
            self.message.show(t("surveys_console_opened", self.ctx.lang, wave=name), "success")
            self._on_change()

        return open_wave

    def _closer(self, wave: str) -> Callable[[object], None]:
        def close_wave(_button: object = None) -> None:
            survey = self.ctx.store.close_survey_wave(self.ctx.slug, self.key, wave)
            name = wave_title(survey, wave, self.ctx.lang)
            self.message.show(t("surveys_console_closed", self.ctx.lang, wave=name), "success")
            self._on_change()

        return close_wave


class SurveyDefineForm(ipywidgets.VBox):
    """Define a survey: from one of the templates, or from one survey's YAML pasted in.

    The YAML is read by :func:`toolkit.workshop_file.survey_from_text`; its problems are
    listed with their line numbers (``problems``) and nothing is saved.
    """

    def __init__(
        self, ctx: AppContext, message: MessageArea, on_defined: Callable[[], Any]
    ) -> None:
        self.ctx, self.message, self._on_defined = ctx, message, on_defined
        lang = ctx.lang
        act = guarded(message, lang)
        self.templates: dict[str, SurveySpec] = _templates(lang)
        self.template = ipywidgets.Dropdown(
            options=[(_spec_title(spec, lang), key) for key, spec in self.templates.items()],
            description=t("surveys_console_template", lang),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="36em", max_width="100%"),
        )
        self.use_template = fit(button(t("surveys_console_use_template", lang), icon="plus"))
        self.use_template.disabled = not self.templates
        self.use_template.on_click(act(self.define_from_template))
        self.edit_template = fit(button(t("surveys_console_edit_template", lang), icon="edit"))
        self.edit_template.disabled = not self.templates
        self.edit_template.on_click(act(self.copy_template))
        self.yaml = ipywidgets.Textarea(
            placeholder=t("surveys_console_yaml_hint", lang),
            layout=ipywidgets.Layout(width="40em", max_width="100%", height="14em"),
        )
        self.save_yaml = fit(button(t("surveys_console_save_yaml", lang), icon="save"))
        self.save_yaml.on_click(act(self.define_from_yaml))
        self.problems = ipywidgets.HTML()
        super().__init__(
            children=[
                heading(t("surveys_console_define_heading", lang), 3),
                ipywidgets.HTML(f"<p>{escape(t('surveys_console_define_hint', lang))}</p>"),
                ipywidgets.HBox([self.template, self.use_template, self.edit_template]),
                ipywidgets.HTML(f"<p>{escape(t('surveys_console_paste', lang))}</p>"),
                self.yaml,
                self.save_yaml,
                self.problems,
            ]
        )
        self.add_class("ureshii-survey-define")

    def define_from_template(self, _button: object = None) -> None:
        key = self.template.value
        if key is None:
            raise InvalidInputError("surveys_console_no_template")
        self._define(self.templates[key])

    def copy_template(self, _button: object = None) -> None:
        """Put the chosen template's YAML in the text box, to change it before saving (e.g.
        the departments, or an ``issue:`` this workshop does not have)."""
        key = self.template.value
        if key is None:
            raise InvalidInputError("surveys_console_no_template")
        self.yaml.value = survey_yaml(self.templates[key])
        self.problems.value = ""
        self.message.show(t("surveys_console_template_copied", self.ctx.lang), "info")

    def define_from_yaml(self, _button: object = None) -> None:
        from toolkit.workshop_file import survey_from_text

        self.problems.value = ""
        text = self.yaml.value
        if not text.strip():
            raise InvalidInputError("surveys_console_yaml_empty")
        try:
            spec = survey_from_text(text, lang=self.ctx.lang)
        except WorkshopFileError as error:
            self.problems.value = problems_html(error, self.ctx.lang)
            self.message.show(t("surveys_console_yaml_problems", self.ctx.lang), "error")
            return
        self._define(spec)

    def _define(self, spec: SurveySpec) -> None:
        store, slug, lang = self.ctx.store, self.ctx.slug, self.ctx.lang
        existed = any(s.key == spec.id for s in store.surveys(slug))
        survey = store.define_survey(slug, spec, actor="facilitator")
        key = "surveys_console_replaced" if existed else "surveys_console_defined"
        self.message.show(
            t(key, lang, title=survey_title(survey, lang), version=survey.version), "success"
        )
        self._on_defined()


def survey_yaml(spec: SurveySpec) -> str:
    """A survey as the YAML a person pastes (defaults left out, keys in the model's order).

    >>> from toolkit.surveys.definition import SurveySpec
    >>> spec = SurveySpec.model_validate({"id": "p", "title": "調査",
    ...     "questions": [{"id": "q1", "kind": "likert", "text": "前向きだ"}]})
    >>> print(survey_yaml(spec), end="")
    id: p
    title: 調査
    questions:
    - id: q1
      kind: likert
      text: 前向きだ
    """
    import yaml

    data = spec.model_dump(mode="json", exclude_defaults=True)
    text: str = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return text


def problems_html(error: WorkshopFileError, lang: str) -> str:
    """The problems of pasted YAML as a list, each with its line number (the error's
    message is a summary line, then one ``line N: field: problem`` per problem)."""
    lines = error.message(lang).splitlines()
    lines = lines[1:] or lines
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f'<ul role="alert" class="ureshii-file-problems">{items}</ul>'


def _templates(lang: str) -> dict[str, SurveySpec]:
    """The template surveys; none (and a log line) when the templates cannot be read, so
    the console still opens and pasting YAML still works."""
    from toolkit.workshop_file import survey_templates

    try:
        return dict(survey_templates(lang))
    except UreshiiError:
        log.exception("the survey templates could not be read")
        return {}


def _spec_title(spec: SurveySpec, lang: str) -> str:
    from toolkit.surveys.definition import local

    return f"{local(spec.title, lang)} ({spec.id})"


class SurveyPanel(LivePanel):
    """The console's Surveys panel (see the module docstring).

    ``rows[key]`` is each survey's :class:`SurveyRow`; ``define`` the
    :class:`SurveyDefineForm`.
    """

    LIVE_KINDS = SURVEY_EVENTS

    def __init__(
        self, ctx: AppContext, feed: LiveFeed | None = None, *, join_url: str | None = None
    ) -> None:
        super().__init__(ctx, feed)
        self.origin = _origin(join_url)
        self.rows: dict[str, SurveyRow] = {}
        self.list_box = ipywidgets.VBox()
        self.empty = ipywidgets.HTML()
        self.define = SurveyDefineForm(ctx, self.message, self.refresh)
        self.children = (
            heading(
                t("surveys_console_heading", ctx.lang), hint=t("surveys_console_hint", ctx.lang)
            ),
            self.empty,
            self.list_box,
            self.message,
            self.define,
        )
        self.add_class("ureshii-surveys-panel")
        self.refresh()

    def refresh(self) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        surveys = store.surveys(slug)
        counts = store.survey_response_counts(slug)
        rows: dict[str, SurveyRow] = {}
        for survey in surveys:
            row = self.rows.get(survey.key)
            if row is None or row.version != survey.version:  # new wording, maybe new waves
                row = SurveyRow(self.ctx, survey, self.message, self.refresh, origin=self.origin)
            row.show(survey, counts.get(survey.key, {}))
            rows[survey.key] = row
        self.rows = rows
        self.list_box.children = tuple(rows.values())
        self.empty.value = (
            "" if surveys else f'<p role="note">{escape(self._("surveys_console_none"))}</p>'
        )
