"""The workshop file's sections for after the workshop (issue 18): each issue's ``roadmap:``
and ``indicators:`` (with measurements already kept), their problems at their lines in ja
and en, the commented examples of the templates, and loading them into the store."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from tests.test_workshop_file import BASE, edit, shown, write
from toolkit.errors import InvalidInputError
from toolkit.fiscal import FiscalPeriod
from toolkit.i18n import LANGUAGES
from toolkit.indicators import assess
from toolkit.store import Store
from toolkit.workshop_file import (
    WorkshopSpec,
    check_workshop_file,
    load_workshop_file,
    template_path,
)

# BASE with a roadmap item and an indicator (with one measurement) on each of its issues.
FOLLOW = edit(
    BASE,
    (
        "    cost: 8000000\n",
        """\
    cost: 8000000
    roadmap:
      period: 令和8年度
      owner_department: 市民課
      budget_line: 戸籍住民基本台帳費
      review_on: 2027-03-01
      depends_on: [chat]
    indicators:
      - id: machi-jikan
        name: 窓口の平均待ち時間
        unit: 分
        direction: decrease
        baseline: 30
        baseline_on: 2026-04-01
        target: 15
        target_on: 2027-03-31
        source: 受付システム
        measurements:
          - value: 24
            measured_on: 2026-10-01
            entered_by: 市民課
            note: 予約制を試行
""",
    ),
    (
        "    cost: 300000\n",
        """\
    cost: 300000
    roadmap:
      period: FY2027 Q2
    indicators:
      - id: chat-riyou
        name: チャットを毎日使う職員の割合
        unit: "%"
        direction: increase
        baseline: 25
        baseline_on: "2026-04-01"
        target: 90
        target_on: 2028-03-31
""",
    ),
)


def test_the_sections_read_as_written(tmp_path: Path) -> None:
    spec = load_workshop_file(write(tmp_path, FOLLOW))
    first, chat = spec.issues
    assert first.roadmap is not None and chat.roadmap is not None
    assert first.roadmap.period == "令和8年度" and chat.roadmap.period == "FY2027 Q2"
    assert first.roadmap.owner_department == "市民課"
    assert first.roadmap.budget_line == "戸籍住民基本台帳費"
    assert first.roadmap.review_on == date(2027, 3, 1)
    assert first.roadmap.depends_on == ["chat"] and chat.roadmap.depends_on == []
    [wait] = first.indicators
    assert (wait.id, wait.name, wait.unit, wait.direction) == (
        "machi-jikan",
        "窓口の平均待ち時間",
        "分",
        "decrease",
    )
    assert (wait.baseline, wait.baseline_on, wait.target, wait.target_on) == (
        30,
        date(2026, 4, 1),
        15,
        date(2027, 3, 31),
    )
    [measured] = wait.measurements
    assert (measured.value, measured.measured_on, measured.entered_by, measured.note) == (
        24,
        date(2026, 10, 1),
        "市民課",
        "予約制を試行",
    )
    # A date written as quoted text is the same date.
    assert chat.indicators[0].baseline_on == date(2026, 4, 1)
    assert chat.indicators[0].measurements == []
    # A year written as a number is the same as its text.
    numeric = load_workshop_file(write(tmp_path, edit(FOLLOW, ("FY2027 Q2", "2027")), "n.yaml"))
    assert numeric.issues[1].roadmap is not None and numeric.issues[1].roadmap.period == "2027"
    # Both sections are optional.
    assert load_workshop_file(write(tmp_path, BASE, "plain.yaml")).issues[0].roadmap is None


def test_a_dumped_spec_loads_back_through_yaml_and_json(tmp_path: Path) -> None:
    spec = load_workshop_file(write(tmp_path, FOLLOW))
    dumped = yaml.safe_dump(spec.model_dump(), allow_unicode=True, sort_keys=False)
    assert load_workshop_file(write(tmp_path, dumped, "again.yaml")) == spec
    # The store keeps the spec as JSON (dates as text): it validates back to the same spec.
    assert WorkshopSpec.model_validate(spec.model_dump(mode="json")) == spec


# -- problems: (changes to FOLLOW, exact problems in English) --------------------------------

FOLLOW_CASES: list[tuple[str, list[tuple[str, str]], list[str]]] = [
    (
        "period-unreadable",
        [("period: FY2027 Q2", "period: 2027年4月")],
        [
            "w.yaml:63: issues.1.roadmap.period: '2027年4月' is not a fiscal year or quarter. "
            "Write it like 2026, FY2026, 2026年度, 令和8年度, R8, 2026Q1, FY2026 Q1, "
            "令和8年度 第2四半期."
        ],
    ),
    (
        "period-a-decimal-number",
        [("period: FY2027 Q2", "period: 2027.5")],
        [
            "w.yaml:63: issues.1.roadmap.period: '2027.5' is not a fiscal year or quarter. "
            "Write it like 2026, FY2026, 2026年度, 令和8年度, R8, 2026Q1, FY2026 Q1, "
            "令和8年度 第2四半期."
        ],
    ),
    (
        "period-out-of-range",
        [("period: FY2027 Q2", "period: 1900")],
        [
            "w.yaml:63: issues.1.roadmap.period: Fiscal year 1900 is outside the years "
            "Ureshii handles (FY1989 to FY9998)."
        ],
    ),
    (
        "period-quarter-5",
        [("period: FY2027 Q2", "period: FY2027 Q5")],
        [
            "w.yaml:63: issues.1.roadmap.period: Quarter 5 does not exist: a fiscal year has "
            "quarters 1 to 4 (Q1 = April–June, Q2 = July–September, Q3 = October–December, "
            "Q4 = January–March)."
        ],
    ),
    (
        "depends-on-unknown-issue",
        [("depends_on: [chat]", "depends_on: [chta]")],
        [
            'w.yaml:43: issues.0.roadmap.depends_on.0: there is no issue with the id "chta" '
            'in this file. Known ids: "madoguchi-konzatsu", "chat". Did you mean "chat"?'
        ],
    ),
    (
        "depends-on-itself",
        [("depends_on: [chat]", "depends_on: [madoguchi-konzatsu]")],
        [
            "w.yaml:43: issues.0.roadmap.depends_on.0: "
            "Issue 'madoguchi-konzatsu' cannot depend on itself."
        ],
    ),
    (
        "dependency-circle",
        [("period: FY2027 Q2", "period: FY2027 Q2\n      depends_on: [madoguchi-konzatsu]")],
        [
            "w.yaml:64: issues.1.roadmap.depends_on.0: These dependencies would go round in a "
            "circle (madoguchi-konzatsu → chat → madoguchi-konzatsu): nothing in it could ever "
            "start. Remove one of them."
        ],
    ),
    (
        "review-date-as-slashes",
        [("review_on: 2027-03-01", "review_on: 2027/03/01")],
        [
            "w.yaml:42: issues.0.roadmap.review_on: write the date as year-month-day, like "
            '2026-04-01 (this is "2027/03/01").'
        ],
    ),
    (
        "baseline-date-with-a-time",
        [("baseline_on: 2026-04-01\n", "baseline_on: 2026-04-01 09:00:00\n")],
        [
            "w.yaml:50: issues.0.indicators.0.baseline_on: write the date as year-month-day, "
            "like 2026-04-01 (this is 2026-04-01 09:00:00)."
        ],
    ),
    (
        "duplicate-indicator-id",
        [("id: chat-riyou", "id: machi-jikan")],
        [
            'w.yaml:65: issues.1.indicators.0.id: the indicator id "machi-jikan" is used twice '
            "in this file (first at line 45, issues.0.indicators.0.id); indicator ids must be "
            "unique across all issues, because measurements name them."
        ],
    ),
    (
        "direction-misspelt",
        [("direction: increase", "direction: up")],
        [
            'w.yaml:68: issues.1.indicators.0.direction: "up" is not allowed here. '
            'Allowed: "increase", "decrease".'
        ],
    ),
    (
        "target-equals-baseline",
        [("target: 15", "target: 30")],
        [
            "w.yaml:51: issues.0.indicators.0.target: The target (30) equals the baseline "
            "(30): there is nothing to measure progress towards. Set a target that differs "
            "from the baseline."
        ],
    ),
    (
        "target-on-the-wrong-side",
        [("target: 90", "target: 20")],
        [
            "w.yaml:71: issues.1.indicators.0.target: The indicator should increase, but its "
            "target (20) is below the baseline (25). Make the target higher, or the direction "
            "“decrease”."
        ],
    ),
    (
        "target-date-before-baseline-date",
        [("target_on: 2028-03-31", "target_on: 2026-03-31")],
        [
            "w.yaml:72: issues.1.indicators.0.target_on: The target date (2026-03-31) must "
            "come after the baseline date (2026-04-01)."
        ],
    ),
    (
        "measurement-before-baseline",
        [("measured_on: 2026-10-01", "measured_on: 2026-03-01")],
        [
            "w.yaml:56: issues.0.indicators.0.measurements.0.measured_on: The measurement of "
            "2026-03-01 is earlier than the baseline of 2026-04-01: a measurement shows the "
            "change since the baseline. Check the date, or set an earlier baseline."
        ],
    ),
    (
        "measurement-without-who",
        [("            entered_by: 市民課\n", "")],
        [
            "w.yaml:55: issues.0.indicators.0.measurements.0.entered_by: the required key "
            "entered_by is missing; add it."
        ],
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [(changes, expected) for _, changes, expected in FOLLOW_CASES],
    ids=[case_id for case_id, _, _ in FOLLOW_CASES],
)
def test_problems_are_reported_at_their_line(
    tmp_path: Path, changes: list[tuple[str, str]], expected: list[str]
) -> None:
    assert shown(write(tmp_path, edit(FOLLOW, *changes))) == expected


@pytest.mark.parametrize(
    "changes",
    [changes for _, changes, _ in FOLLOW_CASES],
    ids=[case_id for case_id, _, _ in FOLLOW_CASES],
)
def test_problems_read_in_japanese_too(tmp_path: Path, changes: list[tuple[str, str]]) -> None:
    problems = check_workshop_file(write(tmp_path, edit(FOLLOW, *changes)))
    assert problems
    for problem in problems:
        japanese, english = problem.message("ja"), problem.message("en")
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", japanese), japanese
        assert japanese != english


def test_japanese_messages_of_the_new_checks(tmp_path: Path) -> None:
    text = edit(
        FOLLOW,
        ("period: FY2027 Q2", "period: 令和9年4月\n      depends_on: [madoguchi-konzatsu]"),
        ("id: chat-riyou", "id: machi-jikan"),
    )
    problems = shown(write(tmp_path, text), "ja")
    assert problems == [
        "w.yaml:63: issues.1.roadmap.period: '令和9年4月' は年度または四半期として読めません。"
        "2026, FY2026, 2026年度, 令和8年度, R8, 2026Q1, FY2026 Q1, 令和8年度 第2四半期 "
        "のように書いてください。",
        "w.yaml:64: issues.1.roadmap.depends_on.0: この依存関係は循環します"
        "（madoguchi-konzatsu → chat → madoguchi-konzatsu）。これではどれも始められません。"
        "どれか1つを外してください。",
        'w.yaml:66: issues.1.indicators.0.id: 指標の ID "machi-jikan" がこのファイルで 2 回'
        "使われています（最初は 45 行目、issues.0.indicators.0.id）。測定値が指標を ID で"
        "指すので、指標の ID はすべての課題を通して重複できません。",
    ]


def test_a_measurement_dated_after_today_is_refused(tmp_path: Path) -> None:
    """As the store refuses it: today in the workshop's time zone (any year to come)."""
    text = edit(
        FOLLOW,
        ("measured_on: 2026-10-01", "measured_on: 2999-01-01"),
        ("target_on: 2027-03-31", "target_on: 3000-03-31"),
    )
    [problem] = check_workshop_file(write(tmp_path, text))
    assert (problem.line, problem.path, problem.key) == (
        56,
        "issues.0.indicators.0.measurements.0.measured_on",
        "measurement_in_future",
    )
    assert problem.message("en").startswith("The measurement is dated 2999-01-01, after today")


def test_every_circle_is_reported_once_at_the_link_that_closes_it(tmp_path: Path) -> None:
    three = edit(
        FOLLOW,
        (
            "    cost: 300000\n    roadmap:\n      period: FY2027 Q2\n",
            "    cost: 300000\n    roadmap:\n      period: FY2027 Q2\n      depends_on: [third]\n",
        ),
        (
            "town_meeting:",
            "  - id: third\n    title: 三つ目\n    roadmap:\n      period: R10\n"
            "      depends_on: [madoguchi-konzatsu, madoguchi-konzatsu]\ntown_meeting:",
        ),
    )
    problems = check_workshop_file(write(tmp_path, three))
    assert [(p.line, p.path, p.key) for p in problems] == [
        (78, "issues.2.roadmap.depends_on.1", "wf_duplicate_ref_line"),
        (78, "issues.2.roadmap.depends_on.0", "roadmap_dependency_cycle"),
    ]
    assert problems[1].params["cycle"] == "madoguchi-konzatsu → chat → third → madoguchi-konzatsu"


def test_the_checks_also_guard_specs_built_in_python(tmp_path: Path) -> None:
    data = load_workshop_file(write(tmp_path, FOLLOW)).model_dump()
    data["issues"][1]["roadmap"]["depends_on"] = ["madoguchi-konzatsu"]
    with pytest.raises(ValidationError, match=r"issues\.1\.roadmap\.depends_on\.0: These depend"):
        WorkshopSpec.model_validate(data)
    data["issues"][1]["roadmap"]["depends_on"] = []
    data["issues"][0]["indicators"][0]["target"] = 30
    with pytest.raises(ValidationError, match=r"issues\.0\.indicators\.0\.target: The target"):
        WorkshopSpec.model_validate(data)


# -- the templates' commented examples ------------------------------------------------------


def uncommented(path: Path) -> str:
    """The template with its after-the-workshop examples in use: the commented block under
    each "# 例:" / "# Example:" line, with the "# " after the indentation removed."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    result: list[str] = []
    inside = False
    for line in lines:
        if re.match(r"\s+# (例|Example): ", line):
            inside = True
            continue
        if inside and re.match(r"    # ", line):
            result.append("    " + line[6:])
            continue
        inside = False
        result.append(line)
    return "".join(result)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_templates_examples_check_clean_once_uncommented(tmp_path: Path, lang: str) -> None:
    path = template_path("dx-vision", lang)
    assert load_workshop_file(path).issues[0].roadmap is None  # commented out as shipped
    spec = load_workshop_file(write(tmp_path, uncommented(path)))
    with_roadmap = {i.id: i for i in spec.issues if i.roadmap is not None}
    assert sorted(with_roadmap) == ["madoguchi-konzatsu", "online-shinsei"]
    first = with_roadmap["madoguchi-konzatsu"]
    assert first.roadmap is not None and first.indicators[0].measurements
    expected = {"ja": "令和8年度", "en": "FY2026"}[lang]
    assert first.roadmap.period == expected


def test_the_templates_examples_say_the_same_in_both_languages(tmp_path: Path) -> None:
    def skeleton(lang: str) -> list[Any]:
        spec = load_workshop_file(write(tmp_path, uncommented(template_path("dx-vision", lang))))
        rows: list[Any] = []
        for issue in spec.issues:
            if issue.roadmap is None:
                continue
            period = FiscalPeriod(2026) if issue.roadmap.period in ("令和8年度", "FY2026") else None
            rows.append((issue.id, period, issue.roadmap.review_on, issue.roadmap.depends_on))
            for ind in issue.indicators:
                measured = [(m.value, m.measured_on) for m in ind.measurements]
                rows.append(
                    (ind.id, ind.direction, ind.baseline, ind.baseline_on, ind.target, measured)
                )
                rows.append(ind.target_on)
        return rows

    assert skeleton("ja") == skeleton("en")


# -- loading into the store ---------------------------------------------------------------


def test_the_workshop_is_created_with_its_roadmap_indicators_and_measurements(
    tmp_path: Path, empty_store: Store
) -> None:
    workshop = empty_store.load_workshop_file(write(tmp_path, FOLLOW))
    slug = workshop.slug
    roadmap = {item.issue: item for item in empty_store.roadmap(slug)}
    assert roadmap["madoguchi-konzatsu"].period == FiscalPeriod(2026)
    assert roadmap["madoguchi-konzatsu"].owner_department == "市民課"
    assert roadmap["madoguchi-konzatsu"].budget_line == "戸籍住民基本台帳費"
    assert roadmap["madoguchi-konzatsu"].review_on == date(2027, 3, 1)
    assert roadmap["madoguchi-konzatsu"].depends_on == ("chat",)
    assert roadmap["chat"].period == FiscalPeriod(2027, 2)
    indicators = {i.key: i for i in empty_store.indicators(slug)}
    assert sorted(indicators) == ["chat-riyou", "machi-jikan"]
    wait = indicators["machi-jikan"]
    assert (wait.issue, wait.name, wait.unit, wait.direction, wait.source) == (
        "madoguchi-konzatsu",
        "窓口の平均待ち時間",
        "分",
        "decrease",
        "受付システム",
    )
    assert (wait.baseline, wait.baseline_on, wait.target, wait.target_on) == (
        30,
        date(2026, 4, 1),
        15,
        date(2027, 3, 31),
    )
    [measured] = empty_store.measurements(slug, "machi-jikan")
    assert (measured.value, measured.measured_on, measured.entered_by, measured.note) == (
        24,
        date(2026, 10, 1),
        "市民課",
        "予約制を試行",
    )
    assert assess(wait, [measured], as_of=date(2026, 10, 1)).status == "at_risk"
    assert empty_store.measurements(slug, "chat-riyou") == []
    # The spec the store keeps validates back to the file's spec.
    assert WorkshopSpec.model_validate(workshop.spec) == load_workshop_file(tmp_path / "w.yaml")


def test_a_failure_in_the_followup_sections_leaves_no_workshop(empty_store: Store) -> None:
    """A spec given as a dict is not validated first: the store's own rules refuse it, and
    nothing of the workshop is left (one transaction)."""
    data = yaml.safe_load(FOLLOW)
    data["issues"][0]["indicators"][0]["measurements"][0]["measured_on"] = date(2999, 1, 1)
    with pytest.raises(InvalidInputError) as refused:
        empty_store.create_workshop(data)
    assert refused.value.key == "measurement_in_future"
    assert empty_store.workshops() == []
    data = yaml.safe_load(FOLLOW)
    data["issues"][1]["roadmap"]["depends_on"] = ["madoguchi-konzatsu"]
    with pytest.raises(InvalidInputError) as circle:
        empty_store.create_workshop(data)
    assert circle.value.key == "roadmap_dependency_cycle"
    assert empty_store.workshops() == []
    # The same file without the fault loads (nothing half-made stands in its way).
    assert empty_store.create_workshop(yaml.safe_load(FOLLOW)).slug == "test-ws"
    assert len(empty_store.measurements("test-ws")) == 1
