"""Workshop files: reading, validating and reporting every problem at its line, in ja and en."""

from __future__ import annotations

import codecs
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from toolkit.cli.workshop_file_commands import check_command
from toolkit.errors import InvalidInputError, WorkshopFileError
from toolkit.i18n import LANGUAGES, catalog
from toolkit.workshop_file import (
    MAX_FILE_BYTES,
    MAX_PROBLEMS,
    METHOD_IDS,
    PHASE_ORDER,
    SCHEMA_PATH,
    TEMPLATES,
    Problem,
    WorkshopFileProblems,
    WorkshopSpec,
    check_workshop_file,
    inspect_workshop_file,
    load_workshop_file,
    template_path,
    workshop_json_schema,
    write_template,
)
from toolkit.workshop_file.json_schema import schema_text

# A small valid workshop. Tests change one thing in it and assert the exact line reported.
BASE = """\
format: ureshii-workshop/1
id: test-ws
title: テスト
lang: ja
stakeholders:
  - id: kosodate
    name: 子育て世帯
    category: resident
  - id: madoguchi
    name: 窓口職員
    category: staff
themes:
  - id: no-wait
    name: 待たない
criteria:
  - id: resident-joy
    name: 住民のうれしさ
    scale:
      anchors: {1: 変わらない, 5: とてもうれしい}
    weight: 60
  - id: cost
    name: コスト
    direction: cost
    scale:
      anchors: {1: 安い, 5: 高い}
    weight: 40
methods:
  - id: weighted_sum
    minutes: 30
issues:
  - id: madoguchi-konzatsu
    title: 窓口の混雑緩和
    themes: [no-wait]
    stakeholders: [kosodate, madoguchi]
    current: 2
    ideal: 4
    cost: 8000000
  - id: chat
    title: チャットツールの定着
    cost: 300000
town_meeting:
  ballots:
    - id: top
      title: どれがうれしい？
      rule: dot_votes
      dots: 3
      options: [madoguchi-konzatsu, chat]
"""


def edit(text: str, *changes: tuple[str, str]) -> str:
    """``text`` with each ``old`` (which must occur exactly once) replaced by ``new``."""
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def write(tmp_path: Path, text: str | bytes, name: str = "w.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def shown(path: Path, lang: str = "en") -> list[str]:
    """Problems as printed, with the file name shortened to its base name."""
    return [p.format(lang).removeprefix(str(path.parent) + "/") for p in check_workshop_file(path)]


def test_base_is_valid(tmp_path: Path) -> None:
    spec = load_workshop_file(write(tmp_path, BASE))
    assert spec.id == "test-ws"
    assert [s.id for s in spec.stakeholders] == ["kosodate", "madoguchi"]
    assert spec.criteria[0].scale.anchors == {1: "変わらない", 5: "とてもうれしい"}
    assert spec.criteria[1].direction == "cost"
    assert [p.id for p in spec.phases] == list(PHASE_ORDER)  # the default: all 8, in order
    assert spec.town_meeting is not None
    assert spec.town_meeting.identity == "device"
    assert spec.town_meeting.results == "hidden_until_close"
    assert spec.tie_break == "mean_then_median"


# -- field problems: (changes to BASE, exact problems in English) ---------------------------

FIELD_CASES: list[tuple[str, list[tuple[str, str]], list[str]]] = [
    (
        "number-where-text",
        [("title: テスト", "title: 2026")],
        [
            "w.yaml:3: title: expected text, but YAML reads 2026 as a whole number. "
            'Put it in quotes: "2026".'
        ],
    ),
    (
        "yes-no-is-boolean",
        [("name: 窓口職員", "name: no")],
        [
            "w.yaml:10: stakeholders.1.name: expected text, but YAML reads no as true/false. "
            'Put it in quotes: "no".'
        ],
    ),
    (
        "text-where-integer",
        [("minutes: 30", "minutes: thirty")],
        ['w.yaml:29: methods.0.minutes: expected a whole number, but this is text: "thirty".'],
    ),
    (
        "text-where-list",
        [("themes: [no-wait]", "themes: no-wait")],
        [
            'w.yaml:33: issues.0.themes: expected a list (lines starting with "- "), '
            'but this is text: "no-wait".'
        ],
    ),
    (
        "empty-value",
        [("title: テスト", "title:")],
        ["w.yaml:3: title: no value is given here; write text, or remove the line."],
    ),
    (
        "unknown-top-level-key",
        [("lang: ja\n", "lang: ja\ntitel: x\n")],
        [
            'w.yaml:5: titel: unknown key "titel". Allowed here: "format", "id", "title", '
            '"lang", "description", "time_zone", "expected_participants", "stakeholders", '
            '"happiness_prompts", "themes", '
            '"criteria", "methods", "tie_break", "issues", "phases", "town_meeting", "surveys", '
            '"messages". Did you mean "title"?'
        ],
    ),
    (
        "misspelt-nested-key",
        [("    category: staff", "    categry: staff")],
        [
            "w.yaml:9: stakeholders.1.category: the required key category is missing; add it.",
            'w.yaml:11: stakeholders.1.categry: unknown key "categry". Allowed here: "id", '
            '"name", "category", "prompt". Did you mean "category"?',
        ],
    ),
    (
        "japanese-key-name",
        [("title: テスト", "タイトル: テスト")],
        [
            "w.yaml:1: title: the required key title is missing; add it.",
            'w.yaml:3: タイトル: unknown key "タイトル". Allowed here: "format", "id", "title", '
            '"lang", "description", "time_zone", "expected_participants", "stakeholders", '
            '"happiness_prompts", "themes", '
            '"criteria", "methods", "tie_break", "issues", "phases", "town_meeting", "surveys", '
            '"messages". Did you mean "title"?',
        ],
    ),
    (
        "language-not-allowed",
        [("lang: ja", "lang: jp")],
        ['w.yaml:4: lang: "jp" is not allowed here. Allowed: "ja", "en". Did you mean "ja"?'],
    ),
    (
        "category-not-allowed",
        [("category: resident", "category: residents")],
        [
            'w.yaml:8: stakeholders.0.category: "residents" is not allowed here. Allowed: '
            '"resident", "staff", "business", "visitor", "other". Did you mean "resident"?'
        ],
    ),
    (
        "method-not-allowed",
        [("  - id: weighted_sum", "  - id: weighted-sum")],
        [
            'w.yaml:28: methods.0.id: "weighted-sum" is not allowed here. Allowed: '
            '"weighted_sum", "topsis", "ahp", "dot_votes", "approval", "borda", "schulze", '
            '"quadratic", "equal_shares", "greedy_budget", "moscow", "rice", "ice". '
            'Did you mean "weighted_sum"?'
        ],
    ),
    (
        "missing-format",
        [("format: ureshii-workshop/1\n", "")],
        [
            'w.yaml:1: format: the key format is missing; add "format: ureshii-workshop/1" '
            "as the first line."
        ],
    ),
    (
        "id-not-a-slug",
        [("id: test-ws", "id: Test WS")],
        [
            'w.yaml:2: id: "Test WS" cannot be an id: use lowercase letters a-z, digits, "-" '
            'and "_", starting with a letter or a digit (e.g. madoguchi-konzatsu).'
        ],
    ),
    (
        "empty-required-list",
        [("methods:\n  - id: weighted_sum\n    minutes: 30\n", "methods: []\n")],
        ["w.yaml:27: methods: this list must not be empty: give at least 1 item(s)."],
    ),
    (
        "missing-required-list",
        [("methods:\n  - id: weighted_sum\n    minutes: 30\n", "")],
        ["w.yaml:1: methods: the required key methods is missing; add it."],
    ),
    (
        "empty-text",
        [("name: 待たない", 'name: ""')],
        ["w.yaml:14: themes.0.name: this text must not be empty."],
    ),
    (
        "rating-out-of-range",
        [("current: 2", "current: 7")],
        ["w.yaml:35: issues.0.current: 7 is too large: it must be at most 5."],
    ),
    (
        "negative-cost",
        [("cost: 8000000", "cost: -5")],
        ["w.yaml:37: issues.0.cost: -5 is too small: it must be at least 0."],
    ),
    (
        "infinite-cost",
        [("cost: 8000000", "cost: .inf")],
        ["w.yaml:37: issues.0.cost: .inf is not a finite number."],
    ),
    (
        "anchor-key-not-a-number",
        [("{1: 安い, 5: 高い}", "{low: 安い, 5: 高い}")],
        [
            "w.yaml:25: criteria.1.scale.anchors.low: expected a whole number, "
            'but this is text: "low".'
        ],
    ),
    (
        "message-language-not-allowed",
        [("town_meeting:", "messages:\n  error_prefix: {fr: Erreur}\ntown_meeting:")],
        ['w.yaml:42: messages.error_prefix.fr: "fr" is not allowed here. Allowed: "ja", "en".'],
    ),
    # -- across lists --
    (
        "duplicate-stakeholder-id",
        [("  - id: madoguchi\n    name: 窓口職員", "  - id: kosodate\n    name: 窓口職員")],
        [
            'w.yaml:9: stakeholders.1.id: the id "kosodate" is used twice in stakeholders '
            "(first at line 6, stakeholders.0.id); ids must be unique.",
            'w.yaml:34: issues.0.stakeholders.1: there is no stakeholder with the id "madoguchi" '
            'in this file. Known ids: "kosodate".',
        ],
    ),
    (
        "duplicate-method-id",
        [("    minutes: 30\n", "    minutes: 30\n  - id: weighted_sum\n")],
        [
            'w.yaml:30: methods.1.id: the id "weighted_sum" is used twice in methods '
            "(first at line 28, methods.0.id); ids must be unique."
        ],
    ),
    (
        "duplicate-ballot-id",
        [
            (
                "      options: [madoguchi-konzatsu, chat]\n",
                "      options: [madoguchi-konzatsu, chat]\n    - id: top\n      title: again\n"
                "      rule: approval\n      options: [chat]\n",
            )
        ],
        [
            'w.yaml:48: town_meeting.ballots.1.id: the id "top" is used twice in '
            "town_meeting.ballots (first at line 43, town_meeting.ballots.0.id); ids must be "
            "unique."
        ],
    ),
    (
        "unknown-theme",
        [("themes: [no-wait]", "themes: [no-wiat]")],
        [
            'w.yaml:33: issues.0.themes.0: there is no theme with the id "no-wiat" in this file. '
            'Known ids: "no-wait". Did you mean "no-wait"?'
        ],
    ),
    (
        "theme-listed-twice",
        [("themes: [no-wait]", "themes: [no-wait, no-wait]")],
        [
            'w.yaml:33: issues.0.themes.1: "no-wait" is listed twice (first at line 33, '
            "issues.0.themes.0)."
        ],
    ),
    (
        "unknown-ballot-option",
        [("options: [madoguchi-konzatsu, chat]", "options: [madoguchi-konzatsu, chatt]")],
        [
            "w.yaml:47: town_meeting.ballots.0.options.1: there is no issue with the id "
            '"chatt" in this file. Known ids: "madoguchi-konzatsu", "chat". '
            'Did you mean "chat"?'
        ],
    ),
    (
        "empty-ballot-options",
        [("options: [madoguchi-konzatsu, chat]", "options: []")],
        [
            "w.yaml:47: town_meeting.ballots.0.options: this list must not be empty: "
            "give at least 1 item(s)."
        ],
    ),
    (
        "weights-percent-not-100",
        [("weight: 40", "weight: 30")],
        [
            "w.yaml:15: criteria: the weights add up to 90, but they must add up to exactly 1 "
            "(as fractions) or 100 (as percentages). These look like percentages: make them "
            "add up to 100."
        ],
    ),
    (
        "weights-fractions-not-1",
        [("weight: 60", "weight: 0.6"), ("weight: 40", "weight: 0.3")],
        [
            "w.yaml:15: criteria: the weights add up to 0.9, but they must add up to exactly 1 "
            "(as fractions) or 100 (as percentages). These look like fractions: make them "
            "add up to 1."
        ],
    ),
    (
        "weight-missing-on-one",
        [("    weight: 40\n", "")],
        [
            'w.yaml:21: criteria.1.weight: this criterion ("cost") has no weight, but 1 other '
            "criteria have one. Give every criterion a weight, or none."
        ],
    ),
    (
        "anchor-out-of-scale",
        [("{1: 安い, 5: 高い}", "{1: 安い, 7: 高い}")],
        ["w.yaml:25: criteria.1.scale.anchors.7: the anchor 7 is outside the scale 1–5."],
    ),
    (
        "scale-max-not-above-min",
        [
            (
                "      anchors: {1: 安い, 5: 高い}",
                "      min: 5\n      max: 3\n      anchors: {1: 安い}",
            )
        ],
        ["w.yaml:26: criteria.1.scale.max: the scale's max (3) must be greater than its min (5)."],
    ),
    (
        "dot-votes-without-dots",
        [("      dots: 3\n", "")],
        [
            'w.yaml:43: town_meeting.ballots.0.dots: rule "dot_votes" needs dots: how many dots '
            "each person places (e.g. dots: 3)."
        ],
    ),
    (
        "budget-rule-without-budget",
        [("rule: dot_votes\n      dots: 3", "rule: equal_shares")],
        [
            'w.yaml:43: town_meeting.ballots.0.budget: rule "equal_shares" needs budget: the '
            "total amount in yen to share out (e.g. budget: 30000000)."
        ],
    ),
    (
        "budget-option-without-cost",
        [
            ("rule: dot_votes\n      dots: 3", "rule: greedy_budget\n      budget: 1000000"),
            ("    cost: 300000\n", ""),
        ],
        [
            'w.yaml:46: town_meeting.ballots.0.options.1: rule "greedy_budget" shares out a '
            'budget, so issue "chat" needs a cost of more than 0 yen: add "cost:" to that issue.'
        ],
    ),
    (
        "dots-on-another-rule",
        [("rule: dot_votes", "rule: approval")],
        [
            "w.yaml:46: town_meeting.ballots.0.dots: dots is used only by the rule(s) "
            '"dot_votes", not by "approval". Remove it or change the rule.'
        ],
    ),
    (
        "quadratic-without-credits",  # a rule and its settings come from the registry alone
        [("rule: dot_votes\n      dots: 3", "rule: quadratic")],
        [
            'w.yaml:43: town_meeting.ballots.0.credits: rule "quadratic" needs credits: how '
            "many credits each person spends (e.g. credits: 16)."
        ],
    ),
    (
        "credits-on-dot-votes",
        [("      dots: 3\n", "      dots: 3\n      credits: 9\n")],
        [
            "w.yaml:47: town_meeting.ballots.0.credits: credits is used only by the rule(s) "
            '"quadratic", not by "dot_votes". Remove it or change the rule.'
        ],
    ),
    (
        "score-scale-upside-down",
        [("rule: dot_votes\n      dots: 3", "rule: score\n      min: 4\n      max: 2")],
        [
            "w.yaml:47: town_meeting.ballots.0.max: the score scale goes from min 4 to max 2; "
            "min must be below max."
        ],
    ),
    (
        "max-choices-above-options",
        [("rule: dot_votes\n      dots: 3", "rule: approval\n      max_choices: 3")],
        [
            "w.yaml:46: town_meeting.ballots.0.max_choices: max_choices is 3, but the ballot "
            "has only 2 option(s)."
        ],
    ),
    (
        "phases-out-of-order",
        [("town_meeting:", "phases:\n  - id: scoring\n  - id: method\ntown_meeting:")],
        [
            'w.yaml:43: phases.1.id: phase "method" must come before "scoring". The order is: '
            "happiness → vision → issues → method → scoring → results → town_meeting → export."
        ],
    ),
    (
        "scoring-without-method",
        [("town_meeting:", "phases:\n  - id: issues\n  - id: scoring\ntown_meeting:")],
        [
            "w.yaml:43: phases.1.id: phase scoring needs phase method before it: the group "
            "agrees how to prioritise before anyone scores."
        ],
    ),
    (
        "unknown-message-key",
        [("town_meeting:", "messages:\n  error_prefx: {ja: お知らせ}\ntown_meeting:")],
        [
            'w.yaml:42: messages.error_prefx: "error_prefx" is not a message that a workshop '
            'can reword. Did you mean "error_prefix"?'
        ],
    ),
    (
        "unknown-placeholder",
        [("town_meeting:", 'messages:\n  duplicate_vote: {en: "{who} voted"}\ntown_meeting:')],
        [
            "w.yaml:42: messages.duplicate_vote.en: the wording uses {who}, which this message "
            'does not provide. Available: "{ballot}".'
        ],
    ),
    # -- amounts of money: toolkit.money's rule, as at every door --
    (
        "cost-not-finite",
        [("cost: 8000000", "cost: .nan")],
        ["w.yaml:37: issues.0.cost: .nan is not a finite number."],
    ),
    (
        "cost-negative",
        [("cost: 300000", "cost: -5")],
        ["w.yaml:40: issues.1.cost: -5 is too small: it must be at least 0."],
    ),
    (
        "cost-too-large",
        [("cost: 8000000", "cost: 100000000000000000000")],
        [
            "w.yaml:37: issues.0.cost: 100000000000000000000 yen is more than "
            "1,000,000,000,000,000 yen, the largest amount allowed: check the digits (or write "
            "every amount in 千円)."
        ],
    ),
    (
        "cost-too-precise",
        [("cost: 300000", "cost: 0.12345")],
        [
            "w.yaml:40: issues.1.cost: 0.12345 has more than 4 decimals; round it (yen have at "
            "most 2: 銭)."
        ],
    ),
    (
        "budget-too-large",
        [("rule: dot_votes\n      dots: 3", "rule: equal_shares\n      budget: 1.0e+99")],
        [
            "w.yaml:46: town_meeting.ballots.0.budget: 1e+99 yen is more than "
            "1,000,000,000,000,000 yen, the largest amount allowed: check the digits (or write "
            "every amount in 千円)."
        ],
    ),
    (
        "budget-not-finite",
        [("rule: dot_votes\n      dots: 3", "rule: greedy_budget\n      budget: .inf")],
        ["w.yaml:46: town_meeting.ballots.0.budget: .inf is not a finite number."],
    ),
    # -- YAML-level problems found while reading --
    (
        "duplicate-yaml-key",
        [("lang: ja\n", "lang: ja\ntitle: again\n")],
        [
            'w.yaml:5: title: the key "title" appears twice in the same place (first at line 3); '
            "YAML would silently keep only this one. Remove one of them."
        ],
    ),
    (
        "explicit-tag",
        [("title: テスト", "title: !!binary aGVsbG8=")],
        [
            "w.yaml:3: title: the YAML tag !!binary is not allowed. Workshop files hold only "
            "text, numbers, true/false, lists and mappings."
        ],
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [(changes, expected) for _, changes, expected in FIELD_CASES],
    ids=[case_id for case_id, _, _ in FIELD_CASES],
)
def test_field_problems_are_reported_at_their_line(
    tmp_path: Path, changes: list[tuple[str, str]], expected: list[str]
) -> None:
    assert shown(write(tmp_path, edit(BASE, *changes))) == expected


@pytest.mark.parametrize(
    "changes",
    [changes for _, changes, _ in FIELD_CASES],
    ids=[case_id for case_id, _, _ in FIELD_CASES],
)
def test_field_problems_read_in_japanese_too(
    tmp_path: Path, changes: list[tuple[str, str]]
) -> None:
    problems = check_workshop_file(write(tmp_path, edit(BASE, *changes)))
    assert problems
    for problem in problems:
        japanese, english = problem.message("ja"), problem.message("en")
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", japanese), japanese
        assert japanese != english


def test_every_message_key_the_code_uses_is_in_the_catalog() -> None:
    source = "".join(
        path.read_text(encoding="utf-8")
        for path in (Path(__file__).parents[1] / "toolkit" / "workshop_file").glob("*.py")
    )
    used = set(re.findall(r'"(wf_[a-z_]*[a-z])"', source))
    kinds = ("text", "integer", "number", "boolean", "list", "mapping", "empty", "date", "value")
    used |= {f"wf_type_{kind}" for kind in kinds}
    used |= {f"wf_target_{target}" for target in ("themes", "stakeholders", "issues")}
    used |= {"wf_kind_fraction", "wf_kind_percent", "wf_duplicate_id_line"}
    assert used - set(catalog()) == set()
    assert len(used) > 60


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    text = edit(
        BASE,
        ("lang: ja", "lang: jp"),
        ("themes: [no-wait]", "themes: [no-wiat]"),
        ("weight: 40", "weight: 30"),
        ("current: 2", "current: seven"),
    )
    lines = [p.line for p in check_workshop_file(write(tmp_path, text))]
    assert lines == [4, 15, 33, 35]


def test_problems_read_in_japanese(tmp_path: Path) -> None:
    path = write(tmp_path, edit(BASE, ("lang: ja", "lang: jp"), ("weight: 40", "weight: 30")))
    assert shown(path, "ja") == [
        'w.yaml:4: lang: "jp" は指定できません。指定できる値: "ja"、"en"。"ja" のことですか？',
        "w.yaml:15: criteria: 重みの合計が 90 になっています。合計はちょうど 1（割合）か 100"
        "（パーセント）にしてください。この重みはパーセントで書かれているようなので、合計を 100 "
        "にしてください。",
    ]


def test_problems_default_to_the_workshops_language(tmp_path: Path) -> None:
    path = write(tmp_path, edit(BASE, ("current: 2", "current: 9")))
    (problem,) = check_workshop_file(path)  # URESHII_LANG is "en" in tests; the file says ja
    assert problem.lang == "ja"
    assert problem.message() == "9 は大きすぎます。5 以下にしてください。"
    (problem,) = check_workshop_file(path, lang="en")
    assert problem.message() == "9 is too large: it must be at most 5."


def test_problem_is_a_frozen_dataclass_with_both_languages() -> None:
    problem = Problem("w.yaml", 7, "issues.0.current", "wf_too_big", {"value": "9", "limit": 5})
    assert (
        problem.format("en") == "w.yaml:7: issues.0.current: 9 is too large: it must be at most 5."
    )
    assert (
        problem.format("ja")
        == "w.yaml:7: issues.0.current: 9 は大きすぎます。5 以下にしてください。"
    )
    with pytest.raises(AttributeError):
        problem.line = 8  # type: ignore[misc]
    whole_file = Problem("w.yaml", 1, "", "wf_empty", {})
    assert whole_file.format("en").startswith("w.yaml:1: the file is empty.")


# -- reading the file ------------------------------------------------------------------------

READ_CASES: list[tuple[str, bytes, list[str]]] = [
    (
        "empty-file",
        b"",
        [
            "w.yaml:1: the file is empty. Start from a template: "
            "`ureshii init FILE --template dx-vision`."
        ],
    ),
    (
        "only-comments",
        b"# nothing yet\n\n   \n",
        [
            "w.yaml:1: the file is empty. Start from a template: "
            "`ureshii init FILE --template dx-vision`."
        ],
    ),
    (
        "only-document-marker",
        b"---\n",
        [
            "w.yaml:1: the file is empty. Start from a template: "
            "`ureshii init FILE --template dx-vision`."
        ],
    ),
    (
        "tab-indentation",
        b"format: ureshii-workshop/1\nid: x\n\ttitle: y\n",
        [
            "w.yaml:3: a tab is used for indentation; YAML indents with spaces only. "
            "Replace the tab with spaces."
        ],
    ),
    (
        "colon-in-value",
        b"format: ureshii-workshop/1\ntitle: DX: vision\n",
        [
            'w.yaml:2: column 10: ": " is not allowed here. If this line starts a new key, check '
            'its indentation; if the value itself contains ": ", put the whole value in quotes '
            '("…").'
        ],
    ),
    (
        "unclosed-quote",
        b'format: ureshii-workshop/1\ntitle: "DX vision\nid: x\n',
        ["w.yaml:2: a quoted value starts here but its closing quote is missing."],
    ),
    (
        "unclosed-bracket",
        b"format: ureshii-workshop/1\nthemes: [a, b\nid: x\n",
        [
            "w.yaml:3: the [ … ] or { … } that starts at line 2 is not closed properly: check the "
            "commas and the closing bracket."
        ],
    ),
    (
        "missing-colon",
        b"format: ureshii-workshop/1\ntitle DX\nid: x\n",
        [
            'w.yaml:2: this line has no ":" after its key. Write "key: value", or "- value" for a '
            "list item."
        ],
    ),
    (
        "bad-indentation",
        b"format: x\nstakeholders:\n  - id: a\n name: b\n",
        [
            "w.yaml:4: column 2: the indentation does not line up with the lines above. Indent "
            "items of the same level with the same number of spaces."
        ],
    ),
    (
        "reserved-character",
        b"format: ureshii-workshop/1\ntitle: @home\n",
        [
            'w.yaml:2: column 8: a value cannot start with "@" in YAML. Put the whole value in '
            "quotes."
        ],
    ),
    (
        "control-character",
        b"format: ureshii-workshop/1\ntitle: a\x00b\n",
        [
            "w.yaml:2: the file contains the control character U+0000, which YAML does not "
            "allow; delete it."
        ],
    ),
    (
        "alias",
        b"format: ureshii-workshop/1\ntitle: &t DX\ndescription: *t\n",
        [
            "w.yaml:3: anchors and aliases (&name, *name) are not allowed in workshop files. "
            "Write the value out in full."
        ],
    ),
    (
        "two-documents",
        b"format: ureshii-workshop/1\n---\nid: x\n",
        ['w.yaml:2: a second YAML document ("---") starts here. Put one workshop in each file.'],
    ),
    (
        "python-tag-on-mapping",
        b"format: ureshii-workshop/1\ntown_meeting: !!python/object:os.system {}\n",
        [
            "w.yaml:2: the YAML tag !!python/object:os.system is not allowed. Workshop files hold "
            "only text, numbers, true/false, lists and mappings."
        ],
    ),
    (
        "root-is-a-list",
        b"- format: ureshii-workshop/1\n",
        [
            'w.yaml:1: a workshop file is a mapping of "key: value" lines (format:, id:, '
            'title: …), but this file holds a list (lines starting with "- ").'
        ],
    ),
    (
        "root-is-text",
        b"\n\nhello\n",
        [
            'w.yaml:3: a workshop file is a mapping of "key: value" lines (format:, id:, '
            "title: …), but this file holds text."
        ],
    ),
    (
        "complex-key",
        BASE.encode() + b"? [a, b]\n: c\n",
        ["w.yaml:48: a key must be plain text, not a list or a mapping."],
    ),
    (
        "not-utf8-nor-cp932",
        b"format: ureshii-workshop/1\nid: x\ntitle: \x85\x40\n",
        [
            "w.yaml:3: the file is not text in UTF-8 or Shift_JIS (CP932) from this line on. Save "
            "it as UTF-8 text (in Notepad: Save As → Encoding: UTF-8)."
        ],
    ),
]


@pytest.mark.parametrize(
    ("content", "expected"),
    [(content, expected) for _, content, expected in READ_CASES],
    ids=[case_id for case_id, _, _ in READ_CASES],
)
def test_reading_problems(tmp_path: Path, content: bytes, expected: list[str]) -> None:
    assert shown(write(tmp_path, content)) == expected


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (b"", "wf_empty"),
        (b"format: x\n\ttitle: y\n", "wf_tab_indent"),
        (b"a: &x 1\nb: *x\n", "wf_yaml_alias"),
        (b"title: a: b\n", "wf_yaml_colon"),
    ],
    ids=["empty", "tab", "alias", "colon"],
)
def test_reading_problems_in_japanese(tmp_path: Path, content: bytes, key: str) -> None:
    (problem,) = check_workshop_file(write(tmp_path, content), lang="ja")
    assert problem.key == key
    assert re.search(r"[\u3040-\u30ff]", problem.message("ja"))  # kana: really Japanese
    assert problem.message("ja") != problem.message("en")


def test_every_tab_indented_line_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, b"format: x\nstakeholders:\n\t- id: a\n\t  name: b\n")
    assert [(p.line, p.key) for p in check_workshop_file(path)] == [
        (3, "wf_tab_indent"),
        (4, "wf_tab_indent"),
    ]


def test_a_tab_inside_a_value_is_fine(tmp_path: Path) -> None:
    spec = load_workshop_file(write(tmp_path, edit(BASE, ("title: テスト", 'title: "a\tb"'))))
    assert spec.title == "a\tb"


def test_missing_file_and_folder(tmp_path: Path) -> None:
    (missing,) = check_workshop_file(tmp_path / "nope.yaml")
    assert missing.key == "wf_not_found"
    assert missing.format("en").endswith(
        "nope.yaml:1: file not found. Check the name, or "
        "create one with `ureshii init FILE --template "
        "dx-vision`."
    )
    (folder,) = check_workshop_file(tmp_path)
    assert folder.key == "wf_not_a_file"


def test_a_10_mb_file_is_refused_quickly_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"title: " + b"a" * (10 * 1024 * 1024) + b"\n")
    started = time.perf_counter()
    problems = check_workshop_file(path)
    assert time.perf_counter() - started < 2
    assert [p.format("en").split(": ", 1)[1] for p in problems] == [
        "the file is 10,485,768 bytes; a workshop file may be at most 2,097,152 bytes. "
        "Check that this is the right file."
    ]


def test_a_file_just_under_the_limit_is_parsed(tmp_path: Path) -> None:
    text = BASE + "description: " + "a" * 9_000 + "\n"
    padding = "#" * 1000 + "\n"
    text = padding * ((MAX_FILE_BYTES - len(text.encode())) // len(padding)) + text
    assert len(text.encode()) <= MAX_FILE_BYTES
    assert check_workshop_file(write(tmp_path, text)) == []


def test_a_yaml_bomb_is_refused_quickly_with_bounded_memory(tmp_path: Path) -> None:
    # "Billion laughs": 9 levels of 9 aliases each would expand to 9**9 strings.
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        refs = ",".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    started = time.perf_counter()
    problems = check_workshop_file(path)
    assert time.perf_counter() - started < 2
    assert [(p.line, p.key) for p in problems] == [(2, "wf_yaml_alias")]


def test_deep_nesting_is_refused_without_recursion_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert [p.key for p in check_workshop_file(path)] == ["wf_yaml_too_deep"]


def test_too_many_values_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "a: [" + "1," * 250_000 + "1]\n")
    assert [p.key for p in check_workshop_file(path)] == ["wf_yaml_too_many_values"]


def test_problems_are_capped(tmp_path: Path) -> None:
    text = BASE + "".join(f"extra{i}: 1\n" for i in range(MAX_PROBLEMS + 50))
    checked = inspect_workshop_file(write(tmp_path, text))
    assert checked.problem_count == MAX_PROBLEMS + 50
    problems = checked.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert (
        problems[-1]
        .format("en")
        .endswith("50 more problem(s) not shown: fix the ones above and check again.")
    )


# -- encodings -------------------------------------------------------------------------------


def test_shift_jis_file_is_read_transparently(tmp_path: Path) -> None:
    utf8 = load_workshop_file(write(tmp_path, BASE, "utf8.yaml"))
    path = write(tmp_path, BASE.encode("cp932"), "sjis.yaml")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8
    checked = inspect_workshop_file(path)
    assert checked.problems == []
    assert checked.encoding == "cp932"
    assert load_workshop_file(path) == utf8
    assert load_workshop_file(path).stakeholders[0].name == "子育て世帯"


def test_shift_jis_file_problems_keep_their_lines(tmp_path: Path) -> None:
    text = edit(BASE, ("current: 2", "current: 9"))
    (problem,) = check_workshop_file(write(tmp_path, text.encode("cp932")))
    assert (problem.line, problem.path) == (35, "issues.0.current")


@pytest.mark.parametrize(
    "encoded",
    [
        codecs.BOM_UTF8 + BASE.encode("utf-8"),
        BASE.encode("utf-16"),  # with BOM, as Windows Notepad's "Unicode"
        BASE.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8-bom", "utf16-bom", "crlf"],
)
def test_other_text_encodings(tmp_path: Path, encoded: bytes) -> None:
    assert load_workshop_file(write(tmp_path, encoded)) == load_workshop_file(
        write(tmp_path, BASE, "plain.yaml")
    )
    broken = encoded.decode("utf-16" if encoded.startswith(codecs.BOM_UTF16_LE) else "utf-8-sig")
    broken = broken.replace("current: 2", "current: 9")
    encoding = "utf-16" if encoded.startswith(codecs.BOM_UTF16_LE) else "utf-8"
    (problem,) = check_workshop_file(write(tmp_path, broken.encode(encoding), "b.yaml"))
    assert problem.line == 35


# -- the loader's error ----------------------------------------------------------------------


def test_load_raises_workshop_file_error_with_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, edit(BASE, ("lang: ja", "lang: jp"), ("current: 2", "current: 9")))
    with pytest.raises(WorkshopFileError, match=r"^2 problem\(s\) in .*w\.yaml\.\n") as info:
        load_workshop_file(path)
    error = info.value
    assert isinstance(error, WorkshopFileProblems)
    assert [(p.line, p.path) for p in error.problems] == [(4, "lang"), (35, "issues.0.current")]
    assert error.message("ja").startswith(f"{path} に 2 件の問題があります。\n")
    assert error.to_json()["key"] == "wf_problems"


def test_amounts_that_are_not_money_are_findings_never_a_traceback(tmp_path: Path) -> None:
    text = edit(
        BASE,
        ("cost: 8000000", "cost: .nan"),
        ("cost: 300000", "cost: -5"),
        ("town_meeting:", "  - id: big\n    title: 大きな事業\n    cost: 1e20\ntown_meeting:"),
        ("rule: dot_votes\n      dots: 3", "rule: equal_shares\n      budget: 1e99"),
        ("      options: [madoguchi-konzatsu, chat]", "      options: [big]"),
    )
    path = write(tmp_path, text)
    # YAML 1.1 (the reader's rules) reads 1e20 and 1e99 as text: a number needs a dot and a
    # signed exponent (1.0e+20), so these two are type findings; digits are range-checked.
    expected = [
        "w.yaml:37: issues.0.cost: .nan is not a finite number.",
        "w.yaml:40: issues.1.cost: -5 is too small: it must be at least 0.",
        'w.yaml:43: issues.2.cost: expected a number, but this is text: "1e20".',
        'w.yaml:49: town_meeting.ballots.0.budget: expected a number, but this is text: "1e99".',
    ]
    assert shown(path) == expected
    result = CliRunner().invoke(check_command, [str(path), "--lang", "en"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.replace(f"{tmp_path}/", "").splitlines() == [
        *expected,
        "w.yaml: 4 problem(s) found. Fix them and run `ureshii check w.yaml` again.",
    ]
    written_out = edit(text, ("cost: 1e20", "cost: 100000000000000000000"), ("1e99", "1.0e+99"))
    assert shown(write(tmp_path, written_out))[2:] == [
        "w.yaml:43: issues.2.cost: 100000000000000000000 yen is more than 1,000,000,000,000,000 "
        "yen, the largest amount allowed: check the digits (or write every amount in 千円).",
        "w.yaml:49: town_meeting.ballots.0.budget: 1e+99 yen is more than 1,000,000,000,000,000 "
        "yen, the largest amount allowed: check the digits (or write every amount in 千円).",
    ]
    japanese = [p.format("ja") for p in check_workshop_file(path)]
    assert japanese[0].endswith("issues.0.cost: .nan は有限の数値ではありません。")
    with pytest.raises(WorkshopFileProblems):
        load_workshop_file(path)


def test_the_largest_and_the_finest_amounts_are_allowed(tmp_path: Path) -> None:
    text = edit(
        BASE,
        ("cost: 8000000", "cost: 1000000000000000"),
        ("cost: 300000", "cost: 0.0001"),
        ("rule: dot_votes\n      dots: 3", "rule: greedy_budget\n      budget: 1000000000000000"),
    )
    assert check_workshop_file(write(tmp_path, text)) == []


# -- the models ------------------------------------------------------------------------------


def _base_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(BASE)
    return data


def test_models_are_frozen_and_forbid_unknown_fields() -> None:
    spec = WorkshopSpec.model_validate(_base_data())
    with pytest.raises(ValidationError):
        spec.title = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError, match=r"Extra inputs are not permitted"):
        WorkshopSpec.model_validate({**_base_data(), "colour": "red"})


def test_cross_checks_also_guard_specs_built_in_python() -> None:
    data = _base_data()
    data["issues"][0]["themes"] = ["no-wiat"]
    with pytest.raises(
        ValidationError,
        match=r'issues\.0\.themes\.0: there is no theme with the id "no-wiat" in this file',
    ):
        WorkshopSpec.model_validate(data)


def test_the_amount_rule_also_guards_specs_built_in_python() -> None:
    data = _base_data()
    data["issues"][1]["cost"] = 12.34567
    with pytest.raises(
        ValidationError, match=r"issues\.1\.cost: 12\.34567 has more than 4 decimals; round it"
    ):
        WorkshopSpec.model_validate(data)


def test_model_dump_loads_back_equal_through_yaml(tmp_path: Path) -> None:
    spec = load_workshop_file(write(tmp_path, BASE))
    dumped = yaml.safe_dump(spec.model_dump(), allow_unicode=True, sort_keys=False)
    assert load_workshop_file(write(tmp_path, dumped, "again.yaml")) == spec


# -- templates -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_passes_check(tmp_path: Path, template: str, lang: str) -> None:
    path = write_template(tmp_path / "w.yaml", template, lang)  # type: ignore[arg-type]
    assert check_workshop_file(path) == []
    spec = load_workshop_file(path)
    assert spec.lang == lang
    assert path.read_bytes() == template_path(template, lang).read_bytes()
    # Comments explain each section in the file's own language.
    comments = [line for line in path.read_text("utf-8").splitlines() if line.startswith("#")]
    japanese = [line for line in comments if re.search(r"[\u3040-\u30ff]", line)]
    assert len(japanese) > 10 if lang == "ja" else len(japanese) <= 2


def test_dx_vision_template_is_a_realistic_municipal_workshop() -> None:
    spec = load_workshop_file(template_path("dx-vision", "ja"))
    assert [c.name for c in spec.criteria] == [
        "住民のうれしさ",
        "職員のうれしさ",
        "緊急度",
        "実現可能性",
        "コスト",
        "データ連携",
    ]
    assert sum(c.weight or 0 for c in spec.criteria) == 100
    assert len(spec.issues) == 12
    titles = {i.title for i in spec.issues}
    assert {"窓口の混雑緩和", "公用車運転日報の電子化", "チャットツールの定着"} <= titles
    assert {s.name for s in spec.stakeholders} >= {"子育て世帯", "高齢者", "窓口職員", "保健師"}
    assert all(s.prompt.endswith("うれしい？") for s in spec.stakeholders)
    assert [p.id for p in spec.phases] == list(PHASE_ORDER)


@pytest.mark.parametrize("template", TEMPLATES)
def test_japanese_and_english_templates_describe_the_same_workshop(template: str) -> None:
    ja = load_workshop_file(template_path(template, "ja"))
    en = load_workshop_file(template_path(template, "en"))

    def skeleton(spec: WorkshopSpec) -> dict[str, Any]:
        data = spec.model_dump()
        for stakeholder in data["stakeholders"]:
            stakeholder.pop("name"), stakeholder.pop("prompt")
        for issue in data["issues"]:
            for indicator in issue["indicators"]:  # the wording of an indicator
                indicator.pop("name"), indicator.pop("source")
        return {
            "ids": [[x["id"] for x in data[k]] for k in ("stakeholders", "themes", "criteria")],
            "issues": [
                {k: v for k, v in i.items() if k not in ("title", "description")}
                for i in data["issues"]
            ],
            "surveys": [_survey_skeleton(survey) for survey in data["surveys"]],
            "weights": [c["weight"] for c in data["criteria"]],
            "methods": [m["id"] for m in data["methods"]],
            "phases": data["phases"],
            "ballots": [
                {k: v for k, v in b.items() if k != "title"}
                for b in (data["town_meeting"] or {}).get("ballots", [])
            ],
        }

    assert skeleton(ja) == skeleton(en)


def _survey_skeleton(survey: dict[str, Any]) -> dict[str, Any]:
    """A survey without its wording: ids, kinds, settings, waves, option ids, label points."""
    wording = ("title", "description", "text", "help", "unit")
    return {
        **{k: v for k, v in survey.items() if k not in (*wording, "questions", "waves")},
        "waves": [wave["id"] for wave in survey["waves"]],
        "questions": [
            {
                **{k: v for k, v in q.items() if k not in (*wording, "options", "labels")},
                "options": [option["id"] for option in q["options"]],
                "labels": sorted(q["labels"]),
                "unit": q["unit"] is not None,
            }
            for q in survey["questions"]
        ],
    }


def test_write_template_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("mine", encoding="utf-8")
    with pytest.raises(WorkshopFileError, match=r"w\.yaml already exists\. .*--force"):
        write_template(path, "dx-vision", "en")
    assert path.read_text(encoding="utf-8") == "mine"
    write_template(path, "dx-vision", "en", force=True)
    assert load_workshop_file(path).lang == "en"


def test_write_template_creates_folders_and_rejects_unknown_templates(tmp_path: Path) -> None:
    path = write_template(tmp_path / "2026" / "w.yaml", "town-meeting", "ja")
    assert load_workshop_file(path).town_meeting is not None
    with pytest.raises(InvalidInputError, match=r"There is no template 'nope'\. Templates: "):
        write_template(tmp_path / "x.yaml", "nope", "ja")  # type: ignore[arg-type]


# -- JSON Schema -----------------------------------------------------------------------------


def test_committed_schema_is_up_to_date() -> None:
    # Regenerate with: .venv/bin/python -m toolkit.workshop_file schema
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()


def test_schema_describes_the_format() -> None:
    schema = workshop_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == set(WorkshopSpec.model_fields)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {
        "format",
        "id",
        "title",
        "lang",
        "stakeholders",
        "criteria",
        "methods",
    }
    methods = schema["$defs"]["MethodSpec"]["properties"]["id"]["enum"]
    assert methods == list(METHOD_IDS)


# -- properties ------------------------------------------------------------------------------


@settings(max_examples=8, deadline=None)
@given(template=st.sampled_from(TEMPLATES), lang=st.sampled_from(LANGUAGES))
def test_templates_round_trip(template: str, lang: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_template(Path(folder) / "w.yaml", template, lang)  # type: ignore[arg-type]
        spec = load_workshop_file(path)
        again = Path(folder) / "again.yaml"
        again.write_text(yaml.safe_dump(spec.model_dump(), allow_unicode=True), encoding="utf-8")
        assert load_workshop_file(again) == spec


_SLUG = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,11}", fullmatch=True)
# PyYAML's emitter, with allow_unicode=True, writes NEL / LS / PS raw inside quoted scalars,
# where YAML folds them into a space (yaml.safe_load gives the same): a dumper limitation,
# so those characters are left out here and covered by the escaped-dump test below.
_CHARS = st.characters(
    codec="utf-8",
    exclude_categories=("Cs", "Cc", "Co", "Cn"),
    exclude_characters="\x85\u2028\u2029\ufeff",
)
_TEXT = st.text(alphabet=_CHARS, min_size=1, max_size=20)


@st.composite
def workshop_data(draw: st.DrawFn) -> dict[str, Any]:
    """A valid workshop: ids unique, links point at things that exist, weights add up."""
    ids = draw(st.lists(_SLUG, min_size=6, max_size=12, unique=True))
    stakeholder_ids, theme_ids, issue_ids = ids[:2], ids[2:3], ids[3:]
    weights = draw(st.one_of(st.none(), st.integers(0, 100)))
    criteria = [
        {
            "id": f"c{k}",
            "name": draw(_TEXT),
            "direction": draw(st.sampled_from(["benefit", "cost"])),
            "scale": {"min": 1, "max": 5, "anchors": {1: draw(_TEXT), 5: draw(_TEXT)}},
            "weight": None if weights is None else (weights if k == 0 else 100 - weights),
        }
        for k in range(2)
    ]
    issues = [
        {
            "id": issue_id,
            "title": draw(_TEXT),
            "description": draw(st.text(alphabet=_CHARS, max_size=30)),
            "themes": draw(st.lists(st.sampled_from(theme_ids), max_size=1)),
            "stakeholders": draw(st.lists(st.sampled_from(stakeholder_ids), unique=True)),
            "current": draw(st.none() | st.integers(1, 5)),
            "ideal": draw(st.none() | st.integers(1, 5)),
            "cost": float(draw(st.integers(1, 10**9))),  # > 0: budget ballots need it
            "year": draw(st.none() | st.integers(2000, 2100)),
        }
        for issue_id in issue_ids
    ]
    return {
        "format": "ureshii-workshop/1",
        "id": draw(_SLUG),
        "title": draw(_TEXT),
        "lang": draw(st.sampled_from(LANGUAGES)),
        "stakeholders": [
            {"id": s, "name": draw(_TEXT), "category": "resident", "prompt": draw(_TEXT)}
            for s in stakeholder_ids
        ],
        "happiness_prompts": draw(st.lists(_TEXT, max_size=3)),
        "themes": [{"id": t, "name": draw(_TEXT)} for t in theme_ids],
        "criteria": criteria,
        "methods": [
            {"id": m} for m in draw(st.lists(st.sampled_from(METHOD_IDS), min_size=1, unique=True))
        ],
        "issues": issues,
        "phases": [{"id": p} for p in PHASE_ORDER if draw(st.booleans()) or p == "method"],
        "town_meeting": {
            "ballots": [
                {
                    "id": "b1",
                    "title": draw(_TEXT),
                    "rule": "equal_shares",
                    "budget": 1e8,
                    "options": issue_ids,
                }
            ]
        },
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=workshop_data())
def test_a_valid_spec_dumped_to_yaml_loads_back_equal(data: dict[str, Any]) -> None:
    spec = WorkshopSpec.model_validate(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.yaml"
        path.write_text(yaml.safe_dump(spec.model_dump(), allow_unicode=True), encoding="utf-8")
        assert check_workshop_file(path) == []
        assert load_workshop_file(path) == spec


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))))
def test_any_text_written_with_escapes_loads_back_equal(text: str) -> None:
    data = {**_base_data(), "description": text}
    dumped = yaml.safe_dump(data, allow_unicode=False)  # every odd character as an escape
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.yaml"
        path.write_text(dumped, encoding="utf-8")
        assert load_workshop_file(path).description == text
