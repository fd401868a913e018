"""One survey as YAML text: what a facilitator pastes in the console, checked like a file.

:func:`survey_from_text` reads the text with the workshop file's YAML reader (the same
limits: no aliases, no tags, no tabs …), validates it with the same model
(:class:`~toolkit.surveys.definition.SurveySpec`, strictly, as in a file) and runs the
survey's own cross checks (:func:`~toolkit.workshop_file.cross_checks.survey_findings`).
The checks that need the rest of a workshop file are not made here: that an ``issue:``
names an issue of the workshop, and that an indicator names a question of the survey.

Every problem is reported with its line in the text, in Japanese and English:

>>> survey_from_text('''
... id: pulse
... title: 職員アンケート
... questions:
...   - id: q1
...     kind: likret
...     text: デジタル化に前向きだ
... ''', lang="en")
Traceback (most recent call last):
...
toolkit.workshop_file.survey_text.SurveyTextProblems: The survey has 1 problem(s):
line 6: questions.0.kind: "likret" is not allowed here. Allowed: "likert", "single", \
"multiple", "number", "text". Did you mean "likert"?

:func:`survey_templates` gives the ready surveys of the ``staff-survey`` template (a staff
DX survey before and after a training, and a short after-training survey), to start from.
"""

from __future__ import annotations

import dataclasses

import yaml
from pydantic import ValidationError

from toolkit.errors import WorkshopFileError
from toolkit.i18n import LANGUAGES, Lang, normalize_language, t
from toolkit.surveys.definition import SurveySpec
from toolkit.workshop_file.cross_checks import survey_findings
from toolkit.workshop_file.loader import _from_finding, load_workshop_file, pydantic_problems
from toolkit.workshop_file.problems import Problem, type_name
from toolkit.workshop_file.templates import template_path
from toolkit.workshop_file.yaml_reader import (
    MAX_FILE_BYTES,
    Refused,
    ScalarNode,
    compose,
    refused_problem,
    syntax_problems,
    to_data,
)

SURVEY_TEMPLATE = "staff-survey"
"""The workshop template whose surveys :func:`survey_templates` returns."""
_TEXT = "<survey>"  # the "file" name of problems in pasted text (never shown)


class SurveyTextProblems(WorkshopFileError):
    """A survey pasted as text has problems; ``problems`` lists each with its line.

    The message is a summary line followed by one ``line N: field: message`` per problem.
    """

    def __init__(self, problems: list[Problem], lang: str | None = None) -> None:
        super().__init__("wf_survey_text_problems", count=len(problems))
        self.problems = problems
        for language in LANGUAGES:
            details = [problem_line(problem, language) for problem in problems]
            self.messages[language] = "\n".join([self.messages[language], *details])
        self.args = (self.messages[normalize_language(lang)],)


def problem_line(problem: Problem, lang: Lang) -> str:
    """``line 6: questions.0.kind: …`` (``6 行目: …`` in Japanese)."""
    where = t("wf_survey_text_line", lang, line=problem.line)
    if problem.path:
        where += f": {problem.path}"
    return f"{where}: {problem.message(lang)}"


def check_survey_text(text: str) -> tuple[SurveySpec | None, list[Problem]]:
    """The survey in ``text`` and every problem found in it (the survey only when none).

    Lines count from 1 at the text's first line, as an editor shows them.
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_FILE_BYTES:
        params = {"size": size, "limit": MAX_FILE_BYTES}
        return None, [Problem(_TEXT, 1, "", "wf_survey_text_too_large", params)]
    if not text.strip():
        return None, [Problem(_TEXT, 1, "", "wf_survey_text_empty", {})]
    problems: list[Problem] = []
    try:
        root = compose(text)
    except Refused as refused:
        return None, [refused_problem(refused, _TEXT)]
    except yaml.YAMLError as error:
        return None, syntax_problems(error, text, _TEXT)
    if root is None or (isinstance(root, ScalarNode) and root.tag.endswith(":null")):
        return None, [Problem(_TEXT, 1, "", "wf_survey_text_empty", {})]
    data = to_data(root, _TEXT, problems)
    if not isinstance(data, dict):
        got = {"got_type": type_name(data)}
        return None, [Problem(_TEXT, root.line + 1, "", "wf_survey_text_not_mapping", got)]
    spec: SurveySpec | None = None
    try:
        spec = SurveySpec.model_validate(data)
    except ValidationError as error:
        problems += pydantic_problems(error, root, data, _TEXT, SurveySpec)
    problems += [_from_finding(finding, root, _TEXT) for finding in survey_findings(data)]
    problems.sort(key=lambda problem: problem.line)
    return (spec if not problems else None), problems


def survey_from_text(text: str, *, lang: str = "ja") -> SurveySpec:
    """The survey written in ``text`` (YAML, as in a workshop file's ``surveys:`` list).

    Raises :class:`SurveyTextProblems` (a :class:`~toolkit.errors.WorkshopFileError`)
    whose message, in ``lang``, lists every problem as ``line N: field: message``
    (``.message("ja")`` / ``.message("en")`` give either language; ``.problems`` the list).

    >>> spec = survey_from_text('''
    ... id: pulse
    ... title: {ja: 職員アンケート, en: Staff pulse}
    ... questions:
    ...   - {id: q1, kind: likert, text: デジタル化に前向きだ, required: true}
    ... ''')
    >>> spec.id, [q.kind for q in spec.questions], [w.id for w in spec.waves]
    ('pulse', ['likert'], ['before', 'after'])
    """
    language = normalize_language(lang)
    spec, problems = check_survey_text(text)
    if spec is None:
        shown = [dataclasses.replace(problem, lang=language) for problem in problems]
        raise SurveyTextProblems(shown, language)
    return spec


def survey_templates(lang: str) -> dict[str, SurveySpec]:
    """The surveys of the ``staff-survey`` template in ``lang`` ("ja" or "en"), by id:
    ``staff-dx`` (職員DX意識調査, before and after, with a link code) and
    ``post-training`` (研修後アンケート).

    >>> sorted(survey_templates("ja"))
    ['post-training', 'staff-dx']
    >>> from toolkit.surveys.definition import local
    >>> local(survey_templates("en")["staff-dx"].title, "en")
    'Staff DX survey'
    """
    language = normalize_language(lang)
    workshop = load_workshop_file(template_path(SURVEY_TEMPLATE, language))
    return {survey.id: survey for survey in workshop.surveys}
