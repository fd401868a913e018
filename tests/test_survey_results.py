"""A survey's results (toolkit/surveys/results.py): known answers, privacy, pairing, gaps,
writing back to a real store, and properties.

Every expected number is worked out here by hand (exact fractions) or by scipy.stats'
own functions (``t.interval``, ``ttest_ind``, ``ttest_rel``), never by
toolkit.surveys.stats or the code under test. Floats in the results are rounded to 4
decimals, so they are compared with ``pytest.approx(abs=5e-5)``.
"""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from tests.workshop_data import small_workshop
from toolkit.model import Issue, Survey, SurveyResponse, SurveyWave
from toolkit.store import Store
from toolkit.summary import summarize
from toolkit.surveys.definition import SurveySpec
from toolkit.surveys.results import (
    answer_rows,
    apply_current_states,
    record_wave_measurements,
    survey_results,
)

AT = datetime(2026, 5, 1, 1, 30, tzinfo=UTC)
TOKYO = __import__("zoneinfo").ZoneInfo("Asia/Tokyo")
ROUNDED = 5e-5

DEFINITION: dict[str, Any] = {
    "id": "dx",
    "title": {"ja": "職員DX意識調査", "en": "Staff DX survey"},
    "link_code": True,
    "questions": [
        {
            "id": "dept",
            "kind": "single",
            "segment": True,
            "text": {"ja": "所属", "en": "Department"},
            "options": [
                {"id": "a", "text": {"ja": "市民課", "en": "Residents"}},
                {"id": "b", "text": {"ja": "税務課", "en": "Tax"}},
                {"id": "c", "text": {"ja": "福祉課", "en": "Welfare"}},
            ],
        },
        {
            "id": "q1",
            "kind": "likert",
            "text": {"ja": "デジタル化に前向きだ", "en": "I am positive about going digital"},
            "issue": "madoguchi-konzatsu",
        },
        {"id": "q7", "kind": "likert", "scale": 7, "text": "業務は効率的だ", "issue": "sanres"},
        {
            "id": "tools",
            "kind": "multiple",
            "text": "使っている道具",
            "options": [
                {"id": "x", "text": "チャット"},
                {"id": "y", "text": "電子決裁"},
                {"id": "z", "text": "Web会議"},
            ],
        },
        {"id": "hours", "kind": "number", "text": "紙の作業（時間/週）", "unit": "時間"},
        {"id": "note", "kind": "text", "text": "ひとこと"},
    ],
}
SPEC = SurveySpec.model_validate(DEFINITION, strict=False)

# id, wave, dept, q1, q7, tools, hours, link key
ANSWERS = [
    (1, "before", "a", 4, 5, ["x"], 10, "k1"),
    (2, "before", "a", 3, 4, ["x", "y"], 8, "k2"),
    (3, "before", "a", 5, 6, ["y"], 12, "k3"),
    (4, "before", "a", 2, 3, [], 6, "k4"),
    (5, "before", "a", 4, 5, ["x", "z"], 9, "k5"),
    (6, "before", "b", 3, 2, ["z"], 7, "k6"),
    (7, "before", "b", 1, 1, ["x"], 5, None),
    (8, "before", "c", 4, 7, [], 4, "k8"),
    (9, "after", "a", 5, 6, ["x", "y"], 7, "k1"),
    (10, "after", "a", 4, 5, ["y"], 6, "k2"),
    (11, "after", "a", 5, 7, ["x", "y", "z"], 9, "k3"),
    (12, "after", "a", 3, 4, ["x"], 5, "k4"),
    (13, "after", "b", 4, 3, ["z"], 6, "k6"),
    (14, "after", "c", 5, 7, ["y"], 3, "k9"),
]
NOTES = {1: "窓口で待たない", 2: "待ち時間がない", 3: "紙の申請をなくす", 4: "FAXをなくす"}

BEFORE_Q1 = [4, 3, 5, 2, 4, 3, 1, 4]
AFTER_Q1 = [5, 4, 5, 3, 4, 5]


def response(
    rid: int, wave: str, answers: dict[str, Any], link: str | None = None, channel: str = "device"
) -> SurveyResponse:
    return SurveyResponse(rid, "dx", wave, answers, channel, link, AT)  # type: ignore[arg-type]


def responses() -> list[SurveyResponse]:
    found = []
    for rid, wave, dept, q1, q7, tools, hours, link in ANSWERS:
        answers: dict[str, Any] = {"dept": dept, "q1": q1, "q7": q7, "hours": hours}
        if tools:
            answers["tools"] = tools
        if rid in NOTES:
            answers["note"] = NOTES[rid]
        found.append(response(rid, wave, answers, link))
    return found


def survey(spec: SurveySpec = SPEC) -> Survey:
    waves = (
        SurveyWave("before", "closed", AT, AT.replace(hour=3)),
        SurveyWave("after", "open", AT.replace(day=20), None),
    )
    return Survey(1, spec.id, spec, 1, waves, AT)


ISSUES = [
    Issue(1, "madoguchi-konzatsu", "窓口の混雑緩和", current=2, ideal=5),
    Issue(2, "sanres", "3レス", current=None, ideal=5),
]


def results(lang: str = "ja", min_group_size: int = 5, **kwargs: Any) -> dict[str, Any]:
    given = kwargs.pop("responses", None)
    return survey_results(
        kwargs.pop("survey", survey()),
        responses() if given is None else given,
        lang=lang,
        zone=TOKYO,
        min_group_size=min_group_size,
        issues=kwargs.pop("issues", ISSUES),
    )


def question(result: dict[str, Any], key: str) -> dict[str, Any]:
    return next(q for q in result["questions"] if q["key"] == key)


def fraction_mean(values: list[int]) -> Fraction:
    return Fraction(sum(values), len(values))


def fraction_variance(values: list[int]) -> Fraction:
    m = fraction_mean(values)
    return sum(((Fraction(v) - m) ** 2 for v in values), Fraction(0)) / (len(values) - 1)


# ── the survey, its waves and questions ─────────────────────────────────────────


def test_the_survey_waves_and_questions_in_the_workshop_language() -> None:
    result = results("ja")
    assert {k: result[k] for k in ("key", "title", "version", "identity", "link_code")} == {
        "key": "dx",
        "title": "職員DX意識調査",
        "version": 1,
        "identity": "device",
        "link_code": True,
    }
    assert result["min_group_size"] == 5
    assert result["waves"] == [
        {
            "key": "before",
            "title": "事前",
            "status": "closed",
            "opened_at": "2026-05-01T10:30:00+09:00",
            "closed_at": "2026-05-01T12:30:00+09:00",
            "responses": 8,
        },
        {
            "key": "after",
            "title": "事後",
            "status": "open",
            "opened_at": "2026-05-20T10:30:00+09:00",
            "closed_at": None,
            "responses": 6,
        },
    ]
    q1 = question(result, "q1")
    assert (q1["kind"], q1["text"], q1["scale"], q1["issue"], q1["segment"]) == (
        "likert",
        "デジタル化に前向きだ",
        5,
        "madoguchi-konzatsu",
        False,
    )
    assert q1["options"][0] == {"key": "1", "label": "全くそう思わない"}
    assert [o["key"] for o in question(result, "q7")["options"]] == [str(p) for p in range(1, 8)]
    assert question(result, "hours")["unit"] == "時間"
    assert question(result, "hours")["options"] == []
    assert question(results("en"), "q1")["text"] == "I am positive about going digital"
    json.dumps(result)  # JSON-safe


def test_likert_distribution_and_mean_by_hand() -> None:
    before = question(results(), "q1")["waves"]["before"]
    # 4,3,5,2,4,3,1,4: one 1, one 2, two 3s, three 4s, one 5 of 8
    assert before["answered"] == 8
    assert [(d["key"], d["count"], d["share"]) for d in before["distribution"]] == [
        ("1", 1, 0.125),
        ("2", 1, 0.125),
        ("3", 2, 0.25),
        ("4", 3, 0.375),
        ("5", 1, 0.125),
    ]
    mean = fraction_mean(BEFORE_Q1)  # 26/8
    assert mean == Fraction(13, 4)
    sd = math.sqrt(fraction_variance(BEFORE_Q1))  # (Σ(x-m)² = 11.5) / 7
    assert fraction_variance(BEFORE_Q1) == Fraction(23, 14)
    low, high = scipy_stats.t.interval(0.95, 7, loc=float(mean), scale=sd / math.sqrt(8))
    assert before["mean"] == {
        "mean": 3.25,
        "low": pytest.approx(low, abs=ROUNDED),
        "high": pytest.approx(high, abs=ROUNDED),
        "n": 8,
        "sd": pytest.approx(sd, abs=ROUNDED),
    }


def test_multiple_choice_shares_are_of_the_people_who_answered() -> None:
    before = question(results(), "tools")["waves"]["before"]
    # six people chose something: x 4 (1, 2, 5, 7), y 2 (2, 3), z 2 (5, 6)
    assert before["answered"] == 6
    assert [(d["label"], d["count"], d["share"]) for d in before["distribution"]] == [
        ("チャット", 4, pytest.approx(4 / 6, abs=ROUNDED)),
        ("電子決裁", 2, pytest.approx(2 / 6, abs=ROUNDED)),
        ("Web会議", 2, pytest.approx(2 / 6, abs=ROUNDED)),
    ]
    assert before["mean"] is None


def test_number_question_mean_and_no_distribution() -> None:
    after = question(results(), "hours")["waves"]["after"]
    values = [7, 6, 9, 5, 6, 3]
    assert after["distribution"] == []
    assert after["mean"]["mean"] == pytest.approx(float(fraction_mean(values)), abs=ROUNDED)
    assert after["mean"]["sd"] == pytest.approx(math.sqrt(fraction_variance(values)), abs=ROUNDED)


def test_free_text_is_grouped_into_themes_shown_as_written() -> None:
    before = question(results(), "note")["waves"]["before"]
    assert before["answered"] == 4
    assert before["distribution"] == [] and before["mean"] is None
    themes = before["themes"]
    assert sum(theme["count"] for theme in themes) == 4
    grouped = sorted(sorted(theme["examples"]) for theme in themes)
    # waiting (待) and paper/fax (なくす) — the suggestion's grouping of the four texts
    assert grouped == [["FAXをなくす", "紙の申請をなくす"], ["待ち時間がない", "窓口で待たない"]]
    assert all(theme["label"] for theme in themes)
    assert question(results(), "note")["waves"]["after"]["themes"] == []


def test_at_most_three_different_examples_per_theme() -> None:
    texts = ["窓口で待たない", "窓口で待たない", "待ち時間がない", "窓口の待ち時間", "待たずに済む"]
    given = [response(i, "before", {"note": text}) for i, text in enumerate(texts, start=1)]
    themes = question(results(responses=given), "note")["waves"]["before"]["themes"]
    for theme in themes:
        assert len(theme["examples"]) <= 3
        assert len(set(theme["examples"])) == len(theme["examples"])
        assert set(theme["examples"]) <= set(texts)


def test_many_texts_are_each_counted_once_in_a_theme_or_other() -> None:
    # 600 comments (more than are clustered at once): two kinds, and a few like no other
    rnd = random.Random(7)
    kinds = [
        ["窓口の待ち時間が長い", "窓口で待たされる", "待ち時間を短くしてほしい"],
        ["紙の申請をなくしてほしい", "申請書の紙が多い", "紙をやめて電子申請に"],
    ]
    texts = [rnd.choice(kinds[i % 2]) for i in range(594)] + [f"観光{i}" for i in range(6)]
    given = [response(i, "before", {"note": text}) for i, text in enumerate(texts, start=1)]
    themes = question(results(responses=given), "note")["waves"]["before"]["themes"]
    assert sum(theme["count"] for theme in themes) == 600
    main = [theme for theme in themes if not theme.get("other")]
    assert sorted(theme["count"] for theme in main)[-2:] == [297, 297]
    kind_of = {text: n for n, kind in enumerate(kinds) for text in kind}
    first, second = ({kind_of.get(text) for text in theme["examples"]} for theme in main[:2])
    assert {frozenset(first), frozenset(second)} == {frozenset({0}), frozenset({1})}


# ── before and after ─────────────────────────────────────────────────────────────


def test_cohort_comparison_against_scipy_welch() -> None:
    comparison = question(results("en"), "q1")["comparison"]
    assert (comparison["from"], comparison["to"]) == ("before", "after")
    cohort = comparison["cohort"]
    welch = scipy_stats.ttest_ind(AFTER_Q1, BEFORE_Q1, equal_var=False)
    interval = welch.confidence_interval(0.95)
    difference = fraction_mean(AFTER_Q1) - fraction_mean(BEFORE_Q1)  # 13/3 - 13/4 = 13/12
    assert difference == Fraction(13, 12)
    pooled = math.sqrt((5 * fraction_variance(AFTER_Q1) + 7 * fraction_variance(BEFORE_Q1)) / 12)
    hedges = (1 - 3 / (4 * 14 - 9)) * float(difference) / pooled
    assert cohort["difference"] == pytest.approx(13 / 12, abs=ROUNDED)
    assert cohort["low"] == pytest.approx(interval.low, abs=ROUNDED)
    assert cohort["high"] == pytest.approx(interval.high, abs=ROUNDED)
    assert cohort["p_value"] == pytest.approx(welch.pvalue, abs=ROUNDED)
    assert cohort["effect"] == pytest.approx(hedges, abs=ROUNDED)
    assert hedges > 0.8 and cohort["effect_size"] == "large"
    assert (cohort["n_from"], cohort["n_to"]) == (8, 6)
    assert cohort["sentence"] == (
        f"The mean went up by 1.08 from before to after (effect size {hedges:.2f}: large)."
    )


def test_paired_comparison_links_the_same_code_across_waves() -> None:
    paired = question(results("ja"), "q1")["comparison"]["paired"]
    # k1 4→5, k2 3→4, k3 5→5, k4 2→3, k6 3→4; k5 and k8 did not answer after, k9 not before,
    # and response 7 gave no code.
    before, after = [4, 3, 5, 2, 3], [5, 4, 5, 3, 4]
    rel = scipy_stats.ttest_rel(after, before)
    interval = rel.confidence_interval(0.95)
    differences = [a - b for a, b in zip(after, before, strict=True)]  # 1, 1, 0, 1, 1
    d_z = float(fraction_mean(differences)) / math.sqrt(fraction_variance(differences))
    assert paired["pairs"] == 5
    assert paired["difference"] == 0.8
    assert paired["low"] == pytest.approx(interval.low, abs=ROUNDED)
    assert paired["high"] == pytest.approx(interval.high, abs=ROUNDED)
    assert paired["p_value"] == pytest.approx(rel.pvalue, abs=ROUNDED)
    assert paired["effect"] == pytest.approx(d_z, abs=ROUNDED)  # 0.8 / √0.2
    assert paired["effect_size"] == "large"
    assert paired["sentence"].startswith("前後で平均が 0.8 上がりました")


def test_a_code_given_twice_in_one_wave_links_nobody() -> None:
    given = [
        response(1, "before", {"q1": 2}, "same"),
        response(2, "before", {"q1": 4}, "same"),
        response(3, "after", {"q1": 5}, "same"),
        response(4, "before", {"q1": 1}, "k"),
        response(5, "after", {"q1": 3}, "k"),
    ]
    paired = question(results(responses=given), "q1")["comparison"]["paired"]
    assert paired["pairs"] == 1 and paired["difference"] == 2.0
    rows = answer_rows(survey(), given, 5, "ja")
    assert [row["pair"] for row in rows] == [None, None, 1, None, 1]


def test_no_paired_comparison_without_the_link_code() -> None:
    spec = SurveySpec.model_validate({**DEFINITION, "link_code": False}, strict=False)
    comparison = question(results(survey=survey(spec)), "q1")["comparison"]
    assert comparison["paired"] is None and comparison["cohort"]["n_from"] == 8


def test_comparison_is_first_and_last_wave_with_answers() -> None:
    spec = SurveySpec.model_validate(
        {
            **DEFINITION,
            "waves": [
                {"id": "w1", "title": "1回目"},
                {"id": "w2", "title": "2回目"},
                {"id": "w3", "title": "3回目"},
                {"id": "w4", "title": "4回目"},
            ],
        },
        strict=False,
    )
    waves = tuple(SurveyWave(w.id, "closed", AT, AT) for w in spec.waves)
    three = Survey(1, "dx", spec, 1, waves, AT)
    given = [
        response(1, "w2", {"q1": 2}),
        response(2, "w2", {"q1": 3}),
        response(3, "w3", {"q1": 5}),
        response(4, "w1", {"hours": 3}),
    ]
    result = results(survey=three, responses=given)
    comparison = question(result, "q1")["comparison"]
    assert (comparison["from"], comparison["to"]) == ("w2", "w3")
    assert comparison["cohort"]["difference"] == 2.5
    assert question(result, "hours")["comparison"] is None  # one wave only
    assert question(result, "tools")["comparison"] is None  # no mean
    assert list(question(result, "q1")["waves"]) == ["w1", "w2", "w3", "w4"]


# ── privacy: segments ───────────────────────────────────────────────────────────


def test_groups_under_the_minimum_are_withheld_and_only_counted() -> None:
    q1 = question(results("ja"), "q1")
    [split] = q1["waves"]["before"]["by_segment"]
    # before: 市民課 5 people, 税務課 2, 福祉課 1 → the last two withheld
    assert (split["segment"], split["segment_text"], split["withheld"]) == ("dept", "所属", 2)
    [group] = split["groups"]
    assert (group["key"], group["label"], group["n"]) == ("a", "市民課", 5)
    assert group["mean"]["mean"] == pytest.approx(float(fraction_mean([4, 3, 5, 2, 4])))
    assert [d["count"] for d in group["distribution"]] == [0, 1, 1, 2, 1]
    # after: 市民課 4, 税務課 1, 福祉課 1: everything withheld
    [after] = q1["waves"]["after"]["by_segment"]
    assert after["groups"] == [] and after["withheld"] == 3


def test_a_three_person_department_never_appears_complementary_suppression() -> None:
    # 市民課 6, 税務課 3, 福祉課 7: 税務課 alone would be total − the others, so the smallest
    # shown group (市民課) is withheld with it.
    given = []
    for rid, dept in enumerate(["a"] * 6 + ["b"] * 3 + ["c"] * 7, start=1):
        given.append(response(rid, "before", {"dept": dept, "q1": 1 + rid % 5, "hours": rid}))
    result = results("ja", responses=given)
    for key in ("q1", "hours", "tools"):
        for split in question(result, key)["waves"]["before"]["by_segment"]:
            assert [g["key"] for g in split["groups"]] == ["c"]
            assert split["withheld"] == 2
    dept = question(result, "dept")["waves"]["before"]
    assert [d["key"] for d in dept["distribution"]] == ["c"]  # its own counts too
    assert dept["withheld"] == 2 and dept["by_segment"] == []
    for key in ("q1", "hours", "tools"):
        assert "税務課" not in json.dumps(question(result, key), ensure_ascii=False)
    rows = answer_rows(survey(), given, 5, "ja")
    assert {row["dept"] for row in rows} == {"", "福祉課"}
    assert [row["dept"] for row in rows].count("") == 9


def test_answer_rows_are_anonymous_and_numbered_by_pair() -> None:
    rows = answer_rows(survey(), list(reversed(responses())), 5, "ja")
    assert [row["wave"] for row in rows] == ["before"] * 8 + ["after"] * 6
    # pairs in order of first appearance: k1 1, k2 2, k3 3, k4 4, k6 5
    assert [row["pair"] for row in rows] == [1, 2, 3, 4, None, 5, None, None, 1, 2, 3, 4, 5, None]
    assert rows[0] == {
        "wave": "before",
        "channel": "device",
        "pair": 1,
        "dept": "",  # withheld (below)
        "q1": 4,
        "q7": 5,
        "tools": "チャット",
        "hours": 10,
        "note": "窓口で待たない",
    }
    assert rows[1]["tools"] == "チャット; 電子決裁" and rows[3]["tools"] == ""
    # 税務課 and 福祉課 are under 5 before; 市民課 is under 5 after and linked rows would
    # show it: every department is withheld in every wave.
    assert {row["dept"] for row in rows} == {""}
    assert {row["dept"] for row in answer_rows(survey(), responses(), 1, "en")} == {
        "Residents",
        "Tax",
        "Welfare",
    }
    for row in rows:
        assert set(row) == {"wave", "channel", "pair", *(q.id for q in SPEC.questions)}
        assert "k1" not in json.dumps(row)


# ── gaps ────────────────────────────────────────────────────────────────────────


def test_gap_rescales_a_seven_point_mean_onto_one_to_five() -> None:
    gaps = results("ja")["gaps"]
    # q7 after: 6, 5, 7, 4, 3, 7 → 32/6 = 16/3; on 1–5: 1 + (16/3 − 1)·4/6 = 35/9
    current_7 = 1 + (Fraction(16, 3) - 1) * Fraction(4, 6)
    assert current_7 == Fraction(35, 9)
    # q1 after: 5, 4, 5, 3, 4, 5 → 26/6 = 13/3 (already 1–5)
    current_5 = Fraction(13, 3)
    assert gaps == [
        {
            "issue": "sanres",
            "title": "3レス",
            "question": "q7",
            "wave": "after",
            "current": pytest.approx(float(current_7), abs=ROUNDED),
            "ideal": 5,
            "gap": pytest.approx(float(5 - current_7), abs=ROUNDED),  # 10/9
        },
        {
            "issue": "madoguchi-konzatsu",
            "title": "窓口の混雑緩和",
            "question": "q1",
            "wave": "after",
            "current": pytest.approx(float(current_5), abs=ROUNDED),
            "ideal": 5,
            "gap": pytest.approx(float(5 - current_5), abs=ROUNDED),  # 2/3
        },
    ]


def test_gap_uses_the_latest_wave_with_answers_and_needs_an_ideal() -> None:
    before_only = [r for r in responses() if r.wave == "before"]
    issues = [Issue(1, "madoguchi-konzatsu", "窓口", ideal=4), Issue(2, "sanres", "3レス")]
    [gap] = results(responses=before_only, issues=issues)["gaps"]
    assert (gap["issue"], gap["wave"]) == ("madoguchi-konzatsu", "before")
    assert gap["gap"] == pytest.approx(4 - 3.25)
    assert results(issues=[])["gaps"] == []


# ── writing back to a real store (SQLite and PostgreSQL) ─────────────────────────

SLUG = "tsuru-dx"
LETTERS = "あいうえおかきくけこさしすせそ"


def stored(store: Store) -> Store:
    """The known-answer survey, answered through the store as phones would."""
    store.create_workshop(small_workshop(SLUG))
    store.define_survey(SLUG, DEFINITION)
    tokens: dict[str, str] = {}
    for wave in ("before", "after"):
        store.open_survey_wave(SLUG, "dx", wave)
        for _rid, at_wave, dept, q1, q7, tools, hours, link in ANSWERS:
            if at_wave != wave:
                continue
            answers: dict[str, Any] = {"dept": dept, "q1": q1, "q7": q7, "hours": hours}
            if tools:
                answers["tools"] = tools
            code = None
            if link is not None:
                n = int(link[1:])
                code = {"mother": LETTERS[n], "birthday": str(n), "school": "あ"}
            token = tokens.get(link or "") if link else None
            if token is None:
                token = store.join(SLUG)
                if link:
                    tokens[link] = token
            store.submit_survey(SLUG, "dx", answers, token=token, link=code)
        store.close_survey_wave(SLUG, "dx", wave)
    return store


def test_apply_current_states_rounds_the_rescaled_mean_and_keeps_the_ideal(
    empty_store: Store,
) -> None:
    store = stored(empty_store)
    changed = apply_current_states(store, SLUG, "dx")
    # q1 after 13/3 → 4 (madoguchi was 2, ideal 5); q7 after 35/9 = 3.89 → 4 (sanres unrated)
    assert changed == [
        {
            "issue": "madoguchi-konzatsu",
            "question": "q1",
            "wave": "after",
            "mean": pytest.approx(13 / 3, abs=ROUNDED),
            "n": 6,
            "previous": 2,
            "current": 4,
        },
        {
            "issue": "sanres",
            "question": "q7",
            "wave": "after",
            "mean": pytest.approx(16 / 3, abs=ROUNDED),
            "n": 6,
            "previous": None,
            "current": 4,
        },
    ]
    issues = {i.key: i for i in store.issues(SLUG)}
    assert (issues["madoguchi-konzatsu"].current, issues["madoguchi-konzatsu"].ideal) == (4, 5)
    assert (issues["sanres"].current, issues["sanres"].ideal) == (4, None)
    assert apply_current_states(store, SLUG, "dx") == []  # nothing left to change
    # before: q1 13/4 → 3; q7 33/8 → 1 + (33/8 − 1)·4/6 = 37/12 = 3.08 → 3
    again = apply_current_states(store, SLUG, "dx", wave="before")
    assert [(c["issue"], c["previous"], c["current"]) for c in again] == [
        ("madoguchi-konzatsu", 4, 3),
        ("sanres", 4, 3),
    ]
    summary = summarize(store, SLUG)
    rated = [e for e in summary["audit_log"] if e["kind"] == "issue_rated"]
    assert [(e["actor"], e["payload"]["key"], e["payload"]["current"]) for e in rated] == [
        ("system", "madoguchi-konzatsu", 4),
        ("system", "sanres", 4),
        ("system", "madoguchi-konzatsu", 3),
        ("system", "sanres", 3),
    ]


def test_apply_current_states_rounds_halves_up(empty_store: Store) -> None:
    empty_store.create_workshop(small_workshop(SLUG))
    empty_store.define_survey(
        SLUG,
        {
            "id": "half",
            "title": "半分",
            "questions": [
                {"id": "q", "kind": "likert", "text": "?", "issue": "chat"},
            ],
        },
    )
    empty_store.open_survey_wave(SLUG, "half", "before")
    for value in (2, 3):  # mean 2.5: halves go up (3), not to the even 2
        empty_store.submit_survey(SLUG, "half", {"q": value}, token=empty_store.join(SLUG))
    [change] = apply_current_states(empty_store, SLUG, "half")
    assert change["current"] == 3
    assert next(i for i in empty_store.issues(SLUG) if i.key == "chat").current == 3


def test_record_wave_measurements_records_every_linked_indicator(empty_store: Store) -> None:
    store = stored(empty_store)
    for key, issue in (("positive", "madoguchi-konzatsu"), ("paper", "sanres")):
        store.add_indicator(
            SLUG,
            issue,
            key,
            key=key,
            direction="increase",
            baseline=1,
            baseline_on=date(2026, 1, 1),
            target=5,
            target_on=date(2027, 3, 31),
        )
    store.link_indicator_to_survey(SLUG, "positive", "dx", "q1")
    store.link_indicator_to_survey(SLUG, "paper", "dx", "hours")
    today = date.today()
    recorded = record_wave_measurements(
        store, SLUG, "dx", "before", measured_on=today, entered_by="調査担当"
    )
    hours_before = [10, 8, 12, 6, 9, 7, 5, 4]
    assert recorded == [
        {
            "indicator": "paper",
            "question": "hours",
            "value": pytest.approx(float(fraction_mean(hours_before))),
        },
        {"indicator": "positive", "question": "q1", "value": 3.25},
    ]
    [measured] = store.measurements(SLUG, "positive")
    assert (measured.value, measured.measured_on, measured.entered_by) == (3.25, today, "調査担当")
    assert (
        record_wave_measurements(store, SLUG, "other", "before", measured_on=today, entered_by="x")
        == []
    )


# ── the workshop summary ──────────────────────────────────────────────────────────


def test_summary_has_surveys_only_when_the_workshop_has_one(empty_store: Store) -> None:
    empty_store.create_workshop(small_workshop(SLUG))
    assert "surveys" not in summarize(empty_store, SLUG)
    empty_store.define_survey(SLUG, DEFINITION)
    [shown] = summarize(empty_store, SLUG)["surveys"]
    assert shown["key"] == "dx" and shown["min_group_size"] == 5
    assert [w["responses"] for w in shown["waves"]] == [0, 0]
    json.dumps(shown)


def test_summary_min_group_size_the_survey_s_then_the_town_meeting_s(
    empty_store: Store,
) -> None:
    workshop = small_workshop(SLUG)
    workshop["town_meeting"]["min_group_size"] = 3
    empty_store.create_workshop(workshop)
    empty_store.define_survey(SLUG, DEFINITION)
    empty_store.define_survey(SLUG, {**DEFINITION, "id": "own", "min_group_size": 8})
    sizes = {s["key"]: s["min_group_size"] for s in summarize(empty_store, SLUG)["surveys"]}
    assert sizes == {"dx": 3, "own": 8}


def test_summary_survey_results_from_the_store(empty_store: Store) -> None:
    store = stored(empty_store)
    summary = summarize(store, SLUG)
    [shown] = summary["surveys"]
    assert shown["title"] == "職員DX意識調査"  # the workshop's language
    q1 = question(shown, "q1")
    assert q1["waves"]["before"]["mean"]["mean"] == 3.25
    assert q1["comparison"]["paired"]["pairs"] == 5
    assert [g["issue"] for g in shown["gaps"]] == ["madoguchi-konzatsu"]  # sanres has no ideal
    assert shown["waves"][0]["opened_at"].endswith("+09:00")


# ── properties ──────────────────────────────────────────────────────────────────

answer = st.tuples(
    st.sampled_from(["a", "b", "c", None]),
    st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
    st.sampled_from(["before", "after"]),
    st.one_of(st.none(), st.sampled_from(["k1", "k2", "k3", "k4"])),
)


def generated(items: list[tuple[Any, ...]]) -> list[SurveyResponse]:
    found = []
    for rid, (dept, q1, wave, link) in enumerate(items, start=1):
        answers = {k: v for k, v in (("dept", dept), ("q1", q1)) if v is not None}
        found.append(response(rid, wave, answers, link))
    return found


@settings(max_examples=60, deadline=None)
@given(st.lists(answer, max_size=40), st.integers(min_value=1, max_value=8))
def test_properties_of_the_results(items: list[tuple[Any, ...]], min_group: int) -> None:
    given_responses = generated(items)
    result = results("en", min_group, responses=given_responses)
    for wave, entry in question(result, "q1")["waves"].items():
        if entry["answered"]:
            assert sum(d["share"] for d in entry["distribution"]) == pytest.approx(1, abs=1e-3)
            mean = entry["mean"]
            if mean["low"] is not None:
                assert mean["low"] - 1e-4 <= mean["mean"] <= mean["high"] + 1e-4
        for split in entry["by_segment"]:
            sizes = people_per_department(given_responses, wave, "q1")
            small = {k for k, n in sizes.items() if 0 < n < min_group}
            for group in split["groups"]:
                assert group["n"] >= min_group
                assert group["key"] not in small
            if len(small) == 1 and len([k for k, n in sizes.items() if n]) > 1:
                assert split["withheld"] >= 2
    small_anywhere = {
        {"a": "Residents", "b": "Tax", "c": "Welfare"}[k]
        for wave in ("before", "after")
        for k, n in people_per_department(given_responses, wave, None).items()
        if n < min_group
    }
    for row in answer_rows(survey(), given_responses, min_group, "en"):
        assert set(row) == {"wave", "channel", "pair", *(q.id for q in SPEC.questions)}
        assert row["dept"] not in small_anywhere
    shuffled = list(given_responses)
    random.Random(len(items)).shuffle(shuffled)
    assert results("en", min_group, responses=shuffled) == result
    assert answer_rows(survey(), shuffled, min_group, "en") == answer_rows(
        survey(), given_responses, min_group, "en"
    )


def people_per_department(
    given_responses: list[SurveyResponse], wave: str, answered: str | None
) -> dict[str, int]:
    """People per department in ``wave`` (who answered question ``answered``, if given)."""
    sizes: dict[str, int] = {}
    for r in given_responses:
        if r.wave == wave and (answered is None or answered in r.answers) and "dept" in r.answers:
            sizes[r.answers["dept"]] = sizes.get(r.answers["dept"], 0) + 1
    return sizes
