"""A survey's definition (issue 19, item 1): the ``surveys:`` of a workshop file, and what
the console saves. One home for every rule of what a survey asks and what an answer may be:

* :class:`SurveySpec` and its parts are pydantic models (frozen, strict, unknown keys
  refused), the contract of the workshop file, the store and the console;
* :func:`check_answer` and :func:`check_answers` clean one person's answers against the
  definition, with a message in ja and en for each refusal. The store, the phone pages, the
  API and paper entry all call them, so a rule has one home.

Wording is either one text (in the workshop's language) or both languages
(``{ja: …, en: …}``); :func:`local` picks the one a screen shows.

Kinds of question:

===========  ===============================================  =============================
kind         answer                                           fields
===========  ===============================================  =============================
likert       a whole number 1 … ``scale`` (5 or 7)            ``scale``, ``labels``
single       one option's id                                  ``options``, ``segment``
multiple     a list of option ids (no repeats)                ``options``, ``max_choices``
number       a number between ``min`` and ``max``             ``min``, ``max``, ``unit``
text         free text, at most ``MAX_TEXT`` characters       (none)
===========  ===============================================  =============================

A ``segment`` question (department, role, age band, category …) is a single-choice
question whose answers split the results; segments smaller than the minimum group size are
never shown (``toolkit.surveys.stats.suppress_small``).

>>> spec = SurveySpec.model_validate({
...     "id": "staff-dx", "title": {"ja": "職員DX意識調査", "en": "Staff DX survey"},
...     "questions": [
...         {"id": "dept", "kind": "single", "segment": True, "text": "所属",
...          "options": [{"id": "a", "text": "市民課"}, {"id": "b", "text": "税務課"}]},
...         {"id": "q1", "kind": "likert", "required": True,
...          "text": {"ja": "デジタル化に前向きだ", "en": "I am positive about going digital"}},
...     ]})
>>> local(spec.title, "en"), [w.id for w in spec.waves]
('Staff DX survey', ['before', 'after'])
>>> check_answers(spec, {"dept": "a", "q1": "4"})
{'dept': 'a', 'q1': 4}
>>> check_answers(spec, {"dept": "a"})
Traceback (most recent call last):
...
toolkit.errors.InvalidInputError: ...
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import Strict as _Strict

from toolkit.errors import InvalidInputError
from toolkit.i18n import normalize_language
from toolkit.text import clean_text

SURVEY_SLUG = r"^[a-z0-9][a-z0-9_-]*$"
Slug = Annotated[str, StringConstraints(pattern=SURVEY_SLUG, min_length=1, max_length=64)]
Words = Annotated[str, StringConstraints(min_length=1, max_length=500)]
SurveyLanguage = Literal["ja", "en"]
LocalText = Words | Annotated[dict[SurveyLanguage, Words], Field(min_length=1)]
"""One text in the workshop's language, or ``{ja: …, en: …}``."""
AnchorKey = Annotated[int, _Strict(False)]

QuestionKind = Literal["likert", "single", "multiple", "number", "text"]
QUESTION_KINDS: tuple[str, ...] = ("likert", "single", "multiple", "number", "text")
MAX_QUESTIONS = 100
MAX_OPTIONS = 50
MAX_TEXT = 2000
"""Longest free-text answer, in characters."""
LIKERT_SCALES = (5, 7)


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class OptionSpec(_Spec):
    """One option of a single- or multiple-choice question."""

    id: Slug
    text: LocalText


class QuestionSpec(_Spec):
    """One question of a survey (see the module's table of kinds)."""

    id: Slug = Field(description="Unique in the survey; answers and exports name it")
    kind: QuestionKind
    text: LocalText = Field(description="The question as people read it")
    help: LocalText | None = Field(default=None, description="A line under the question")
    required: bool = Field(default=False, description="An answer cannot be sent without it")
    scale: Literal[5, 7] | None = Field(default=None, description="likert: 5 (default) or 7")
    labels: dict[AnchorKey, LocalText] = Field(
        default={},
        description="likert: words for the points, e.g. {1: 全くそう思わない, 5: とてもそう思う}",
        json_schema_extra={"propertyNames": {"pattern": "^[0-9]+$"}},
    )
    options: list[OptionSpec] = Field(default=[], description="single / multiple: the options")
    segment: bool = Field(
        default=False,
        description="single: the answers split the results (department, role, age band …)",
    )
    max_choices: int | None = Field(default=None, ge=1, description="multiple: at most this many")
    min: float | None = Field(default=None, description="number: the smallest allowed")
    max: float | None = Field(default=None, description="number: the largest allowed")
    unit: LocalText | None = Field(default=None, description="number: e.g. 分, 件, 時間")
    issue: Slug | None = Field(
        default=None,
        description="likert: the issue whose current state (現状) this question measures",
    )

    @property
    def points(self) -> int:
        """The number of points of a Likert question (5 unless the definition says 7)."""
        return self.scale or 5

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options)


class WaveSpec(_Spec):
    """One round of answering (before the training, after it …)."""

    id: Slug
    title: LocalText


DEFAULT_WAVES = (
    WaveSpec(id="before", title={"ja": "事前", "en": "Before"}),
    WaveSpec(id="after", title={"ja": "事後", "en": "After"}),
)


class SurveySpec(_Spec):
    """A whole survey: its questions, its waves and how people answer it."""

    id: Slug
    title: LocalText
    description: LocalText | None = None
    identity: Literal["device", "codes"] = Field(
        default="device",
        description="device: one answer per phone and wave; codes: printed one-time codes",
    )
    layout: Literal["one_page", "one_per_screen"] = Field(
        default="one_page", description="Phones show every question on one page, or one a screen"
    )
    waves: list[WaveSpec] = Field(
        default=list(DEFAULT_WAVES),
        min_length=1,
        max_length=12,
        description="Rounds of answering, in order (default: before, after)",
    )
    link_code: bool = Field(
        default=False,
        description=(
            "Ask a few questions only the respondent knows, to link their answers across waves "
            "without storing who they are"
        ),
    )
    min_group_size: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        description="Smallest segment shown (default: the town meeting's, else 5)",
    )
    questions: list[QuestionSpec] = Field(min_length=1, max_length=MAX_QUESTIONS)

    def question(self, key: str) -> QuestionSpec:
        for question in self.questions:
            if question.id == key:
                return question
        raise KeyError(key)

    @property
    def segments(self) -> list[QuestionSpec]:
        """The segment questions, in order."""
        return [q for q in self.questions if q.segment]

    def wave(self, key: str) -> WaveSpec:
        for wave in self.waves:
            if wave.id == key:
                return wave
        raise KeyError(key)


def local(text: LocalText | None, lang: str | None) -> str:
    """The wording a screen in ``lang`` shows: that language, else the other one.

    >>> local({"ja": "はい", "en": "Yes"}, "en"), local("はい", "en"), local(None, "ja")
    ('Yes', 'はい', '')
    """
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    language = normalize_language(lang)
    return text.get(language) or next(iter(text.values()), "")


# ── Likert words ──────────────────────────────────────────────────────────────
_AGREE_5 = {
    1: {"ja": "全くそう思わない", "en": "Strongly disagree"},
    2: {"ja": "そう思わない", "en": "Disagree"},
    3: {"ja": "どちらともいえない", "en": "Neither agree nor disagree"},
    4: {"ja": "そう思う", "en": "Agree"},
    5: {"ja": "とてもそう思う", "en": "Strongly agree"},
}
_AGREE_7 = {
    1: {"ja": "全くそう思わない", "en": "Strongly disagree"},
    2: {"ja": "そう思わない", "en": "Disagree"},
    3: {"ja": "あまりそう思わない", "en": "Somewhat disagree"},
    4: {"ja": "どちらともいえない", "en": "Neither agree nor disagree"},
    5: {"ja": "ややそう思う", "en": "Somewhat agree"},
    6: {"ja": "そう思う", "en": "Agree"},
    7: {"ja": "とてもそう思う", "en": "Strongly agree"},
}


def likert_labels(question: QuestionSpec, lang: str | None) -> dict[int, str]:
    """The words of every point of a Likert question: the definition's own where it has
    them, the agree/disagree words elsewhere.

    >>> q = QuestionSpec(id="q", kind="likert", text="…", labels={5: "大満足"})
    >>> likert_labels(q, "ja")[5], likert_labels(q, "en")[1]
    ('大満足', 'Strongly disagree')
    """
    base = _AGREE_7 if question.points == 7 else _AGREE_5
    return {
        point: local(question.labels[point], lang)
        if point in question.labels
        else local(base[point], lang)  # type: ignore[arg-type]
        for point in range(1, question.points + 1)
    }


# ── answers ───────────────────────────────────────────────────────────────────
Answer = int | float | str | list[str]


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple) and not value)


def check_answer(question: QuestionSpec, value: Any) -> Answer | None:
    """One answer cleaned to its stored form, or ``None`` for no answer.

    Text from a form (``"4"``, ``"3.5"``) is read as the number it says; a multiple choice
    may come as a list or as one id. A refusal is an ``InvalidInputError`` whose message
    names the question.
    """
    if isinstance(value, str):
        value = value.strip()
    if _empty(value):
        if question.required:
            raise InvalidInputError("survey_answer_required", question=question.id)
        return None
    kind = question.kind
    if kind == "likert":
        number = _whole_number(question, value)
        if not 1 <= number <= question.points:
            raise InvalidInputError(
                "survey_answer_scale", question=question.id, value=value, high=question.points
            )
        return number
    if kind == "single":
        if not isinstance(value, str) or value not in question.option_ids:
            raise InvalidInputError(
                "survey_answer_option", question=question.id, value=_shown(value)
            )
        return value
    if kind == "multiple":
        chosen = [value] if isinstance(value, str) else value
        if not isinstance(chosen, list | tuple) or not all(isinstance(c, str) for c in chosen):
            raise InvalidInputError(
                "survey_answer_option", question=question.id, value=_shown(value)
            )
        unknown = [c for c in chosen if c not in question.option_ids]
        if unknown:
            raise InvalidInputError(
                "survey_answer_option", question=question.id, value=_shown(unknown[0])
            )
        if len(set(chosen)) != len(chosen):
            raise InvalidInputError("survey_answer_repeated", question=question.id)
        if question.max_choices is not None and len(chosen) > question.max_choices:
            raise InvalidInputError(
                "survey_answer_too_many", question=question.id, limit=question.max_choices
            )
        return [o for o in question.option_ids if o in chosen]  # the definition's order
    if kind == "number":
        amount = _number(question, value)
        low, high = question.min, question.max
        if (low is not None and amount < low) or (high is not None and amount > high):
            raise InvalidInputError(
                "survey_answer_range",
                question=question.id,
                value=_shown(value),
                low="" if low is None else _plain(low),
                high="" if high is None else _plain(high),
            )
        return int(amount) if amount.is_integer() and abs(amount) < 2**53 else amount
    # text
    if not isinstance(value, str):
        raise InvalidInputError("survey_answer_text", question=question.id)
    text = clean_text(value)
    if len(text) > MAX_TEXT:
        raise InvalidInputError("survey_answer_text_long", question=question.id, limit=MAX_TEXT)
    if not text and question.required:
        raise InvalidInputError("survey_answer_required", question=question.id)
    return text or None


def check_answers(spec: SurveySpec, answers: Mapping[str, Any]) -> dict[str, Answer]:
    """One person's answers cleaned (see :func:`check_answer`); the unanswered are left out.

    An answer to a question the survey does not ask is refused, so nothing a person typed
    is silently dropped.
    """
    if not isinstance(answers, Mapping):
        raise InvalidInputError("survey_answers_not_a_mapping")
    asked = {q.id for q in spec.questions}
    for key in answers:
        if key not in asked:
            raise InvalidInputError("survey_unknown_question", question=_shown(key))
    clean: dict[str, Answer] = {}
    for question in spec.questions:
        value = check_answer(question, answers.get(question.id))
        if value is not None:
            clean[question.id] = value
    return clean


def _shown(value: Any) -> str:
    return str(value)[:80]


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _whole_number(question: QuestionSpec, value: Any) -> int:
    number = _number(question, value)
    if not number.is_integer():
        raise InvalidInputError(
            "survey_answer_scale", question=question.id, value=_shown(value), high=question.points
        )
    return int(number)


def _number(question: QuestionSpec, value: Any) -> float:
    if isinstance(value, bool):
        raise InvalidInputError("survey_answer_number", question=question.id, value=value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).replace(",", "").strip()
        try:
            return _finite(question, float(text), value)
        except ValueError:
            raise InvalidInputError(
                "survey_answer_number", question=question.id, value=_shown(value)
            ) from None
    if not isinstance(value, int | float):
        raise InvalidInputError("survey_answer_number", question=question.id, value=_shown(value))
    try:
        number = float(value)
    except OverflowError:  # a whole number too large for a float (JSON allows 10**400)
        raise InvalidInputError(
            "survey_answer_number", question=question.id, value=_shown(value)
        ) from None
    return _finite(question, number, value)


def _finite(question: QuestionSpec, number: float, given: Any) -> float:
    if not math.isfinite(number):
        raise InvalidInputError("survey_answer_number", question=question.id, value=_shown(given))
    return number


# ── the self-generated code that links a person's waves ───────────────────────
LINK_QUESTIONS: tuple[tuple[str, dict[str, str]], ...] = (
    (
        "mother",
        {
            "ja": "お母さん（または育ての親）の名前の最初の1文字（ひらがな）",
            "en": "The first letter of your mother's (or guardian's) first name",
        },
    ),
    (
        "birthday",
        {
            "ja": "あなたの誕生日の「日」（1〜31）",
            "en": "The day of the month you were born (1–31)",
        },
    ),
    (
        "school",
        {
            "ja": "卒業した小学校の名前の最初の1文字（ひらがな）",
            "en": "The first letter of the primary school you went to",
        },
    ),
)
"""Questions only the respondent knows the answers to: the same person gives the same
answers before and after, and nobody else can tell who they are from them."""


def _kana(text: str) -> str:
    """Katakana as hiragana, so ア and あ are the same answer."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def link_code_text(answers: Mapping[str, Any]) -> str:
    """The normal form of the link answers: letters folded (NFKC, lower case, katakana as
    hiragana, the first letter only), the day as a number 1–31. Refuses missing or odd
    answers, because a wrong code would link nobody.

    >>> link_code_text({"mother": "ハナコ", "birthday": "０７", "school": "Aoba"})
    'は|7|a'
    >>> link_code_text({"mother": "はなこ", "birthday": 7, "school": "あおば"}) == 'は|7|あ'
    True
    """
    parts: list[str] = []
    for key, _wording in LINK_QUESTIONS:
        value = answers.get(key)
        if key == "birthday":
            text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
            if not text.isdigit() or not 1 <= int(text) <= 31:
                raise InvalidInputError("survey_link_day", value=_shown(text))
            parts.append(str(int(text)))
            continue
        text = _kana(unicodedata.normalize("NFKC", str(value or "")).strip().lower())
        if not text:
            raise InvalidInputError("survey_link_letter")
        parts.append(text[0])
    return "|".join(parts)
