"""The ``surveys:`` of a workshop file (issue 19, item 1): every rule reported at its line in
ja and en (through ``ureshii check`` too), one survey pasted as text, and the
``staff-survey`` template loaded into a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from pydantic import ValidationError

from tests.test_workshop_file import BASE, edit, shown, write
from toolkit.cli.workshop_file_commands import init_command
from toolkit.errors import WorkshopFileError
from toolkit.i18n import LANGUAGES
from toolkit.store import Store
from toolkit.surveys.definition import SurveySpec, local
from toolkit.workshop_file import (
    TEMPLATES,
    SurveyTextProblems,
    WorkshopSpec,
    check_workshop_file,
    load_workshop_file,
    survey_from_text,
    survey_templates,
    template_path,
)

URESHII = Path(sys.executable).with_name("ureshii")
DOCS = Path(__file__).resolve().parents[1] / "docs" / "workshop-file.md"

# BASE with an indicator measured by a survey question, and two surveys after everything
# else (from line 57). The town meeting takes phones while the survey takes printed codes:
# codes are per workshop, so that is fine.
SURVEYED = (
    edit(
        BASE,
        (
            "    cost: 300000\n",
            """\
    cost: 300000
    indicators:
      - id: chat-jishin
        name: チャットを使いこなせる自信（平均）
        direction: increase
        baseline: 2.5
        baseline_on: 2026-04-01
        target: 3.5
        target_on: 2027-03-31
        survey: {survey: staff, question: chat-ok}
""",
        ),
    )
    + """\
surveys:
  - id: staff
    title: {ja: 職員アンケート, en: Staff survey}
    identity: codes
    link_code: true
    waves:
      - {id: before, title: 事前}
      - {id: after, title: 事後}
    questions:
      - id: dept
        kind: single
        segment: true
        text: 所属
        options:
          - {id: a, text: 市民課}
          - {id: b, text: 税務課}
      - id: chat-ok
        kind: likert
        text: チャットを使いこなせる
        labels: {1: 全くそう思わない, 5: とてもそう思う}
        issue: chat
      - id: tasks
        kind: multiple
        max_choices: 2
        text: 先にデジタル化したい業務
        options:
          - {id: shinsei, text: 申請}
          - {id: kessai, text: 決裁}
          - {id: kaigi, text: 会議}
      - id: hours
        kind: number
        min: 0
        max: 60
        unit: 時間
        text: 紙の仕事の時間（週）
      - id: comment
        kind: text
        text: ご意見
  - id: after-training
    title: 研修後アンケート
    waves:
      - {id: after, title: 研修の後}
    questions:
      - id: satisfaction
        kind: likert
        scale: 7
        labels: {7: とても満足}
        text: 満足している
"""
)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line of ``text`` that contains ``needle``."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


def test_the_surveys_read_as_written(tmp_path: Path) -> None:
    spec = load_workshop_file(write(tmp_path, SURVEYED))
    staff, after = spec.surveys
    assert (staff.id, staff.identity, staff.link_code) == ("staff", "codes", True)
    assert (
        local(staff.title, "en") == "Staff survey" and local(staff.title, "ja") == "職員アンケート"
    )
    assert [w.id for w in staff.waves] == ["before", "after"]
    assert [(q.id, q.kind) for q in staff.questions] == [
        ("dept", "single"),
        ("chat-ok", "likert"),
        ("tasks", "multiple"),
        ("hours", "number"),
        ("comment", "text"),
    ]
    assert staff.question("dept").segment and staff.question("dept").option_ids == ("a", "b")
    assert staff.question("chat-ok").issue == "chat"
    assert staff.question("chat-ok").labels == {1: "全くそう思わない", 5: "とてもそう思う"}
    assert staff.question("hours").unit == "時間"
    assert (after.questions[0].points, after.questions[0].labels) == (7, {7: "とても満足"})
    assert after.link_code is False and after.identity == "device"
    indicator = spec.issues[1].indicators[0]
    assert indicator.survey is not None
    assert (indicator.survey.survey, indicator.survey.question) == ("staff", "chat-ok")
    assert spec.town_meeting is not None and spec.town_meeting.identity == "device"


# -- each rule at its line: (changes to SURVEYED, exact problems in English) ---------------

SURVEY_CASES: list[tuple[str, list[tuple[str, str]], list[str]]] = [
    (
        "survey-id-twice",
        [("  - id: after-training", "  - id: staff")],
        [
            'w.yaml:95: surveys.1.id: the id "staff" is used twice in surveys (first at line 58, '
            "surveys.0.id); ids must be unique."
        ],
    ),
    (
        "question-id-twice",
        [("      - id: hours", "      - id: tasks")],
        [
            'w.yaml:86: surveys.0.questions.3.id: the id "tasks" is used twice in '
            "surveys.0.questions (first at line 78, surveys.0.questions.2.id); ids must be unique."
        ],
    ),
    (
        "option-id-twice",
        [("{id: kaigi, text: 会議}", "{id: shinsei, text: 会議}")],
        [
            'w.yaml:85: surveys.0.questions.2.options.2.id: the id "shinsei" is used twice in '
            "surveys.0.questions.2.options (first at line 83, surveys.0.questions.2.options.0.id); "
            "ids must be unique."
        ],
    ),
    (
        "wave-id-twice",
        [("{id: after, title: 事後}", "{id: before, title: 事後}")],
        [
            'w.yaml:64: surveys.0.waves.1.id: the id "before" is used twice in surveys.0.waves '
            "(first at line 63, surveys.0.waves.0.id); ids must be unique."
        ],
    ),
    (
        "options-on-likert",
        [
            (
                "        issue: chat\n",
                "        issue: chat\n        options: [{id: x, text: X}, {id: y, text: Y}]\n",
            )
        ],
        [
            'w.yaml:78: surveys.0.questions.1.options: options is only for "single", "multiple" '
            'questions, and this one is "likert". Remove options, or change kind.'
        ],
    ),
    (
        "one-option",
        [("          - {id: b, text: 税務課}\n", "")],
        [
            'w.yaml:70: surveys.0.questions.0.options: a "single" question needs at least 2 '
            'options, and this one has 1. List them under options:, each as "- {id: …, text: …}".'
        ],
    ),
    (
        "no-options-at-all",
        [
            (
                "        options:\n          - {id: a, text: 市民課}\n"
                "          - {id: b, text: 税務課}\n",
                "",
            )
        ],
        [
            'w.yaml:67: surveys.0.questions.0.kind: a "single" question needs at least 2 '
            'options, and this one has 0. List them under options:, each as "- {id: …, text: …}".'
        ],
    ),
    (
        "scale-and-labels-on-single",
        [
            (
                "        segment: true\n",
                "        segment: true\n        scale: 5\n        labels: {1: x}\n",
            )
        ],
        [
            'w.yaml:69: surveys.0.questions.0.scale: scale is only for "likert" questions, and '
            'this one is "single". Remove scale, or change kind.',
            'w.yaml:70: surveys.0.questions.0.labels: labels is only for "likert" questions, and '
            'this one is "single". Remove labels, or change kind.',
        ],
    ),
    (
        "label-outside-the-scale",
        [("{1: 全くそう思わない, 5: とてもそう思う}", "{1: 全くそう思わない, 7: とてもそう思う}")],
        [
            "w.yaml:76: surveys.0.questions.1.labels.7: the label 7 is outside this question's "
            "scale 1–5. Label a point from 1 to 5, or change scale."
        ],
    ),
    (
        "label-zero-on-seven-points",
        [("labels: {7: とても満足}", "labels: {0: 不満, 7: とても満足}")],
        [
            "w.yaml:103: surveys.1.questions.0.labels.0: the label 0 is outside this question's "
            "scale 1–7. Label a point from 1 to 7, or change scale."
        ],
    ),
    (
        "segment-on-multiple",
        [("        max_choices: 2\n", "        max_choices: 2\n        segment: true\n")],
        [
            'w.yaml:81: surveys.0.questions.2.segment: segment is only for "single" questions, '
            'and this one is "multiple". Remove segment, or change kind.'
        ],
    ),
    (
        "max-choices-on-single",
        [("        segment: true\n", "        segment: true\n        max_choices: 1\n")],
        [
            'w.yaml:69: surveys.0.questions.0.max_choices: max_choices is only for "multiple" '
            'questions, and this one is "single". Remove max_choices, or change kind.'
        ],
    ),
    (
        "max-choices-above-the-options",
        [("        max_choices: 2\n", "        max_choices: 4\n")],
        [
            "w.yaml:80: surveys.0.questions.2.max_choices: max_choices is 4, but the question has "
            "only 3 option(s). Make it 3 or less, or add options."
        ],
    ),
    (
        "min-max-unit-on-likert",
        [
            (
                "        issue: chat\n",
                "        issue: chat\n        min: 1\n        max: 5\n        unit: 点\n",
            )
        ],
        [
            'w.yaml:78: surveys.0.questions.1.min: min is only for "number" questions, and this '
            'one is "likert". Remove min, or change kind.',
            'w.yaml:79: surveys.0.questions.1.max: max is only for "number" questions, and this '
            'one is "likert". Remove max, or change kind.',
            'w.yaml:80: surveys.0.questions.1.unit: unit is only for "number" questions, and this '
            'one is "likert". Remove unit, or change kind.',
        ],
    ),
    (
        "min-not-below-max",
        [("        min: 0\n        max: 60\n", "        min: 60\n        max: 60\n")],
        [
            "w.yaml:89: surveys.0.questions.3.max: min (60) must be less than max (60). Swap them, "
            "or correct one of them."
        ],
    ),
    (
        "issue-on-number",
        [("        unit: 時間\n", "        unit: 時間\n        issue: chat\n")],
        [
            'w.yaml:91: surveys.0.questions.3.issue: issue is only for "likert" questions, and '
            'this one is "number". Remove issue, or change kind.'
        ],
    ),
    (
        "issue-unknown",
        [("        issue: chat\n", "        issue: chta\n")],
        [
            'w.yaml:77: surveys.0.questions.1.issue: there is no issue with the id "chta" in this '
            'file. Known ids: "madoguchi-konzatsu", "chat". Did you mean "chat"?'
        ],
    ),
    (
        "indicator-names-no-survey",
        [("{survey: staff, question: chat-ok}", "{survey: staf, question: chat-ok}")],
        [
            'w.yaml:49: issues.1.indicators.0.survey.survey: there is no survey with the id "staf" '
            'in this file. Known ids: "staff", "after-training". Did you mean "staff"?'
        ],
    ),
    (
        "indicator-names-no-question",
        [("{survey: staff, question: chat-ok}", "{survey: staff, question: chatok}")],
        [
            'w.yaml:49: issues.1.indicators.0.survey.question: survey "staff" has no question with '
            'the id "chatok". Its questions: "dept", "chat-ok", "tasks", "hours", "comment". '
            'Did you mean "chat-ok"?'
        ],
    ),
    (
        "indicator-names-a-text-question",
        [("{survey: staff, question: chat-ok}", "{survey: staff, question: comment}")],
        [
            'w.yaml:49: issues.1.indicators.0.survey.question: question "comment" of survey '
            '"staff" is a "text" question, but an indicator is measured by the mean of a likert or '
            'number question. Choose one of: "chat-ok", "hours".'
        ],
    ),
    # pydantic's own field errors, in the same words as the rest of the file
    (
        "kind-misspelt",
        [("        kind: multiple\n", "        kind: multi\n")],
        [
            'w.yaml:79: surveys.0.questions.2.kind: "multi" is not allowed here. Allowed: '
            '"likert", "single", "multiple", "number", "text". Did you mean "multiple"?'
        ],
    ),
    (
        "identity-misspelt",
        [("    identity: codes\n", "    identity: code\n")],
        [
            'w.yaml:60: surveys.0.identity: "code" is not allowed here. Allowed: "device", '
            '"codes". Did you mean "codes"?'
        ],
    ),
    (
        "scale-of-six",
        [("        scale: 7\n", "        scale: 6\n")],
        ["w.yaml:102: surveys.1.questions.0.scale: 6 is not allowed here. Allowed: 5, 7."],
    ),
    (
        "key-misspelt",
        [("        labels: {7: とても満足}\n", "        lables: {7: とても満足}\n")],
        [
            'w.yaml:103: surveys.1.questions.0.lables: unknown key "lables". Allowed here: "id", '
            '"kind", "text", "help", "required", "scale", "labels", "options", "segment", '
            '"max_choices", "min", "max", "unit", "issue". Did you mean "labels"?'
        ],
    ),
    (
        "text-as-a-list",
        [("        text: ご意見\n", "        text: [ご意見]\n")],
        [
            "w.yaml:94: surveys.0.questions.4.text: expected text, or {ja: …, en: …} for both "
            'languages, but this is a list (lines starting with "- "): ["ご意見"].'
        ],
    ),
    (
        "text-in-a-third-language",
        [("{ja: 職員アンケート, en: Staff survey}", "{ja: 職員アンケート, fr: Enquête}")],
        ['w.yaml:59: surveys.0.title.fr: "fr" is not allowed here. Allowed: "ja", "en".'],
    ),
    (
        "text-empty",
        [("        text: ご意見\n", '        text: ""\n')],
        ["w.yaml:94: surveys.0.questions.4.text: this text must not be empty."],
    ),
    (
        "text-a-number",
        [("        text: ご意見\n", "        text: 2026\n")],
        [
            "w.yaml:94: surveys.0.questions.4.text: expected text, but YAML reads 2026 as a whole "
            'number. Put it in quotes: "2026".'
        ],
    ),
    (
        "options-as-plain-ids",
        [
            (
                "          - {id: a, text: 市民課}\n          - {id: b, text: 税務課}\n",
                "          - a\n          - b\n",
            )
        ],
        [
            "w.yaml:71: surveys.0.questions.0.options.0: write each option with its id and its "
            'text, e.g. "- {id: a, text: 市民課}" (this is "a").',
            "w.yaml:72: surveys.0.questions.0.options.1: write each option with its id and its "
            'text, e.g. "- {id: a, text: 市民課}" (this is "b").',
        ],
    ),
    (
        "no-waves",
        [("    waves:\n      - {id: after, title: 研修の後}\n", "    waves: []\n")],
        ["w.yaml:97: surveys.1.waves: this list must not be empty: give at least 1 item(s)."],
    ),
    (
        "question-without-kind",
        [("        kind: text\n", "")],
        ["w.yaml:92: surveys.0.questions.4.kind: the required key kind is missing; add it."],
    ),
]


def test_the_surveyed_base_is_clean(tmp_path: Path) -> None:
    assert shown(write(tmp_path, SURVEYED)) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [(changes, expected) for _, changes, expected in SURVEY_CASES],
    ids=[case_id for case_id, _, _ in SURVEY_CASES],
)
def test_each_rule_is_reported_at_its_line(
    tmp_path: Path, changes: list[tuple[str, str]], expected: list[str]
) -> None:
    assert shown(write(tmp_path, edit(SURVEYED, *changes))) == expected


@pytest.mark.parametrize(
    "changes",
    [changes for _, changes, _ in SURVEY_CASES],
    ids=[case_id for case_id, _, _ in SURVEY_CASES],
)
def test_each_rule_reads_in_japanese_too(tmp_path: Path, changes: list[tuple[str, str]]) -> None:
    problems = check_workshop_file(write(tmp_path, edit(SURVEYED, *changes)))
    assert problems
    for problem in problems:
        japanese, english = problem.message("ja"), problem.message("en")
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", japanese), japanese
        assert japanese != english


def test_japanese_messages_of_the_survey_checks(tmp_path: Path) -> None:
    text = edit(
        SURVEYED,
        ("        kind: multiple\n", "        kind: multi\n"),
        ("        issue: chat\n", "        issue: chat\n        options: [{id: x, text: X}]\n"),
        ("        min: 0\n        max: 60\n", "        min: 60\n        max: 6\n"),
        ("{survey: staff, question: chat-ok}", "{survey: staff, question: comment}"),
    )
    assert shown(write(tmp_path, text), "ja") == [
        'w.yaml:49: issues.1.indicators.0.survey.question: 調査 "staff" の質問 "comment" は '
        '"text" の質問です。指標は likert か number の質問の平均で測ります。次から選んでください: '
        '"chat-ok"、"hours"。',
        'w.yaml:78: surveys.0.questions.1.options: options は "single"、"multiple" の質問でだけ'
        '使えます（この質問は "likert"）。options を消すか、kind を変えてください。',
        'w.yaml:80: surveys.0.questions.2.kind: "multi" は指定できません。指定できる値: '
        '"likert"、"single"、"multiple"、"number"、"text"。"multiple" のことですか？',
        "w.yaml:90: surveys.0.questions.3.max: min（60）は max（6）より小さくしてください。"
        "入れ替えるか、どちらかを直してください。",
    ]


def test_ureshii_check_prints_the_survey_problems(tmp_path: Path) -> None:
    """The real console script on a real file: FILE:LINE: field: message, exit code 1."""
    path = write(
        tmp_path,
        edit(
            SURVEYED,
            ("{id: after, title: 事後}", "{id: before, title: 事後}"),
            ("        max_choices: 2\n", "        max_choices: 4\n"),
        ),
    )
    env = {**os.environ, "URESHII_LANG": "en"}
    done = subprocess.run(
        [str(URESHII), "check", str(path), "--lang", "en"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        f'{path}:64: surveys.0.waves.1.id: the id "before" is used twice in surveys.0.waves '
        "(first at line 63, surveys.0.waves.0.id); ids must be unique.",
        f"{path}:80: surveys.0.questions.2.max_choices: max_choices is 4, but the question has "
        "only 3 option(s). Make it 3 or less, or add options.",
        f"{path}: 2 problem(s) found. Fix them and run `ureshii check {path}` again.",
    ]


def test_a_survey_built_in_python_is_checked_too() -> None:
    data = load_workshop_file_data(SURVEYED)
    data["surveys"][0]["questions"][2]["max_choices"] = 5
    with pytest.raises(
        ValidationError, match=r"surveys\.0\.questions\.2\.max_choices: max_choices is 5"
    ):
        WorkshopSpec.model_validate(data)


def load_workshop_file_data(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


# -- one survey pasted as text -------------------------------------------------------------

PASTED = """\
id: pulse
title: {ja: 職員アンケート, en: Staff pulse}
link_code: true
questions:
  - id: dept
    kind: single
    segment: true
    text: 所属
    options:
      - {id: a, text: 市民課}
      - {id: b, text: 税務課}
  - id: q1
    kind: likert
    required: true
    text: デジタル化に前向きだ
    issue: any-issue
"""


def test_a_pasted_survey_reads_as_written() -> None:
    spec = survey_from_text(PASTED)
    assert isinstance(spec, SurveySpec)
    assert (spec.id, spec.link_code, [w.id for w in spec.waves]) == (
        "pulse",
        True,
        ["before", "after"],
    )
    assert [(q.id, q.kind, q.required) for q in spec.questions] == [
        ("dept", "single", False),
        ("q1", "likert", True),
    ]
    # A survey alone cannot know the workshop's issues: issue: is not checked here.
    assert spec.question("q1").issue == "any-issue"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_survey_pastes_back_as_itself(lang: str) -> None:
    for key, survey in survey_templates(lang).items():
        text = yaml.safe_dump(survey.model_dump(exclude_defaults=True), allow_unicode=True)
        assert survey_from_text(text) == survey, key


PASTE_CASES: list[tuple[str, str, list[str], list[str]]] = [
    (
        "kind-and-segment",
        edit(
            PASTED,
            ("    kind: likert\n", "    kind: likret\n"),
            ("    required: true\n", "    segment: true\n"),
        ),
        [
            'line 13: questions.1.kind: "likret" is not allowed here. Allowed: "likert", '
            '"single", "multiple", "number", "text". Did you mean "likert"?',
        ],
        [
            '13 行目: questions.1.kind: "likret" は指定できません。指定できる値: "likert"、'
            '"single"、"multiple"、"number"、"text"。"likert" のことですか？',
        ],
    ),
    (
        "rules-of-the-survey",
        edit(
            PASTED,
            ("      - {id: b, text: 税務課}\n", "      - {id: a, text: 税務課}\n"),
            ("    issue: any-issue\n", "    issue: any-issue\n    segment: true\n"),
        ),
        [
            'line 11: questions.0.options.1.id: the id "a" is used twice in questions.0.options '
            "(first at line 10, questions.0.options.0.id); ids must be unique.",
            'line 17: questions.1.segment: segment is only for "single" questions, and this one '
            'is "likert". Remove segment, or change kind.',
        ],
        [
            '11 行目: questions.0.options.1.id: ID "a" が questions.0.options の中で 2 回使われて'
            "います（最初は 10 行目、questions.0.options.0.id）。ID は重複できません。",
            '17 行目: questions.1.segment: segment は "single" の質問でだけ使えます（この質問は '
            '"likert"）。segment を消すか、kind を変えてください。',
        ],
    ),
    (
        "missing-questions",
        "id: pulse\ntitle: 調査\n",
        ["line 1: questions: the required key questions is missing; add it."],
        ["1 行目: questions: 必須の項目 questions がありません。追加してください。"],
    ),
    (
        "empty",
        "  \n# only a comment\n",
        [
            "line 1: the survey is empty. Paste a survey (id:, title:, questions: …), or start "
            "from a template."
        ],
        [
            "1 行目: 調査の定義が空です。調査（id:、title:、questions: …）を貼り付けるか、"
            "ひな形から始めてください。"
        ],
    ),
    (
        "a-list-not-a-survey",
        "\n- id: pulse\n- id: other\n",
        [
            'line 2: a survey is a mapping of "key: value" lines (id:, title:, questions: …), but '
            'this text holds a list (lines starting with "- ").'
        ],
        [
            "2 行目: 調査は「キー: 値」の行（id:、title:、questions: …）で書きますが、この内容は"
            "リスト（「- 」で始まる行）です。"
        ],
    ),
    (
        "tab-indent",
        "id: pulse\ntitle: 調査\nquestions:\n\t- id: q\n",
        [
            "line 4: a tab is used for indentation; YAML indents with spaces only. Replace the "
            "tab with spaces."
        ],
        [
            "4 行目: 字下げにタブ文字が使われています。YAML の字下げは半角スペースだけです。"
            "タブを半角スペースに置き換えてください。"
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "english", "japanese"),
    [(text, en, ja) for _, text, en, ja in PASTE_CASES],
    ids=[case_id for case_id, _, _, _ in PASTE_CASES],
)
def test_a_pasted_survey_reports_each_problem_with_its_line(
    text: str, english: list[str], japanese: list[str]
) -> None:
    with pytest.raises(WorkshopFileError) as raised:
        survey_from_text(text, lang="en")
    error = raised.value
    assert isinstance(error, SurveyTextProblems)
    assert [p.line for p in error.problems] == [
        int(re.match(r"line (\d+)", line).group(1))  # type: ignore[union-attr]
        for line in english
    ]
    count = len(english)
    assert error.message("en").splitlines() == [f"The survey has {count} problem(s):", *english]
    assert error.message("ja").splitlines() == [
        f"調査の定義に {count} 件の問題があります:",
        *japanese,
    ]
    assert str(error) == error.message("en")  # the language asked for
    with pytest.raises(WorkshopFileError) as again:
        survey_from_text(text)  # lang="ja" by default
    assert str(again.value) == error.message("ja")


def test_the_docs_example_survey_checks_clean(tmp_path: Path) -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### Surveys / 調査") :]
    block = section[
        section.index("```yaml\n") + 8 : section.index("```\n", section.index("```yaml"))
    ]
    example = yaml.safe_load(block)
    [survey] = example["surveys"]
    spec = survey_from_text(yaml.safe_dump(survey, allow_unicode=True))
    assert [q.kind for q in spec.questions] == [
        "single",
        "likert",
        "likert",
        "multiple",
        "number",
        "text",
    ]
    # And in a file, with its issue and the indicator the survey measures: nothing to report.
    data = load_workshop_file_data(BASE)
    data["issues"] += example["issues"]
    data["surveys"] = example["surveys"]
    whole = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    assert shown(write(tmp_path, whole)) == []


# -- the staff-survey template ---------------------------------------------------------------


def test_the_template_is_listed_by_ureshii_init() -> None:
    [template] = [p for p in init_command.params if p.name == "template"]
    assert list(template.type.choices) == list(TEMPLATES)  # type: ignore[attr-defined]
    assert "staff-survey" in TEMPLATES
    assert isinstance(template, click.Option)
    assert "staff-survey" in (template.help or "")
    assert "--template dx-vision|town-meeting|staff-survey" in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_template_surveys_follow_the_brief(lang: str) -> None:
    surveys = survey_templates(lang)
    assert list(surveys) == ["staff-dx", "post-training"]
    staff, after = surveys["staff-dx"], surveys["post-training"]
    assert local(staff.title, lang) == {"ja": "職員DX意識調査", "en": "Staff DX survey"}[lang]
    assert (
        local(after.title, lang) == {"ja": "研修後アンケート", "en": "After-training survey"}[lang]
    )
    # staff-dx: about 20 questions; department, job type and age band as segments; Likert
    # 1-5 items; one multiple choice, one number (hours a week), free text; before/after.
    assert 18 <= len(staff.questions) <= 24
    assert [q.id for q in staff.segments] == ["dept", "role", "age"]
    assert 4 <= len(staff.question("dept").options) <= 8
    likert = [q for q in staff.questions if q.kind == "likert"]
    assert len(likert) >= 12 and {q.points for q in likert} == {5}
    [multiple] = [q for q in staff.questions if q.kind == "multiple"]
    assert multiple.max_choices is not None and multiple.max_choices < len(multiple.options)
    [number] = [q for q in staff.questions if q.kind == "number"]
    assert (number.min, number.max, local(number.unit, lang)) == (
        0,
        60,
        {"ja": "時間", "en": "hours"}[lang],
    )
    assert [q.kind for q in staff.questions][-1] == "text"
    assert [w.id for w in staff.waves] == ["before", "after"] and staff.link_code is True
    # post-training: satisfaction on 7 points, a concrete picture of one's own work, what to
    # apply first, free text; one wave "after".
    assert [(q.id, q.kind, q.points if q.kind == "likert" else None) for q in after.questions] == [
        ("satisfaction", "likert", 7),
        ("understood", "likert", 7),
        ("concrete-image", "likert", 7),
        ("apply-first", "single", None),
        ("comment", "text", None),
    ]
    assert [w.id for w in after.waves] == ["after"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_template_loads_into_a_store(empty_store: Store, lang: str) -> None:
    spec = load_workshop_file(template_path("staff-survey", lang))
    slug = empty_store.load_workshop_file(template_path("staff-survey", lang)).slug
    stored = {survey.key: survey for survey in empty_store.surveys(slug)}
    assert list(stored) == ["staff-dx", "post-training"]
    for key, expected in survey_templates(lang).items():
        assert stored[key].definition == expected
        assert stored[key].version == 1
        assert [(w.key, w.status) for w in stored[key].waves] == [
            (w.id, "draft") for w in expected.waves
        ]
    # The two links the template shows: an indicator measured by a survey question, and a
    # Likert question measuring an issue's current state.
    assert empty_store.survey_indicators(slug) == {"tool-jishin": ("staff-dx", "tool-new")}
    paperless = stored["staff-dx"].definition.question("paperless-now")
    assert paperless.kind == "likert" and paperless.issue == "three-less"
    assert "three-less" in {issue.id for issue in spec.issues}
    # The survey can be answered as defined: a person in the "before" wave, with a link code.
    empty_store.open_survey_wave(slug, "staff-dx", "before")
    answers: dict[str, Any] = {
        "dept": "shimin",
        "role": "jimu",
        "age": "s30",
        "digitise-first": ["kessai"],
    }
    answers |= {q.id: 4 for q in stored["staff-dx"].definition.questions if q.kind == "likert"}
    answers["paper-hours"] = "6.5"
    response = empty_store.submit_survey(
        slug,
        "staff-dx",
        answers,
        token=empty_store.join(slug),
        link={"mother": "は", "birthday": 7, "school": "あ"},
    )
    assert response.wave == "before" and response.answers["paper-hours"] == 6.5
    assert response.link_key is not None


def test_init_writes_the_template(tmp_path: Path) -> None:
    path = tmp_path / "survey.yaml"
    done = subprocess.run(
        [str(URESHII), "init", str(path), "--template", "staff-survey", "--lang", "ja"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert path.read_bytes() == template_path("staff-survey", "ja").read_bytes()
    assert check_workshop_file(path) == []
