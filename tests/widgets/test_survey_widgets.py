"""The survey widgets (issue 19) on a real SQLite store: the console's Surveys panel
(define from a template, pasted YAML with its line numbers, open and close waves, live
counts), paper questionnaires typed in by staff, and the results view (withheld groups only
counted, current states set with confirmation, a wave recorded as a measurement).

Numbers are checked against hand-worked values, not against the code under test."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from tests.widgets.conftest import SLUG
from toolkit.store import Store
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.surveys import PaperSurveyEntry, SurveyPanel
from widgets.surveys.results import SurveyResults

PULSE: dict[str, Any] = {
    "id": "pulse",
    "title": {"ja": "職員アンケート", "en": "Staff pulse"},
    "link_code": True,
    "questions": [
        {
            "id": "dept",
            "kind": "single",
            "segment": True,
            "required": True,
            "text": {"ja": "所属", "en": "Division"},
            "options": [
                {"id": "a", "text": {"ja": "市民課", "en": "Citizens"}},
                {"id": "b", "text": {"ja": "税務課", "en": "Taxation"}},
                {"id": "c", "text": {"ja": "議会事務局", "en": "Assembly"}},
            ],
        },
        {
            "id": "q1",
            "kind": "likert",
            "required": True,
            "issue": "madoguchi-konzatsu",
            "text": {"ja": "窓口はすぐ手続きできる", "en": "The counter serves people quickly"},
        },
        {"id": "minutes", "kind": "number", "min": 0, "max": 480, "text": "紙の作業（分）"},
        {
            "id": "tools",
            "kind": "multiple",
            "text": "使う道具",
            "options": [{"id": "chat", "text": "チャット"}, {"id": "fax", "text": "FAX"}],
        },
    ],
}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _ctx(store: Store, lang: str = "ja") -> AppContext:
    return AppContext.for_store(store, SLUG, lang)


def _answer(store: Store, answers: dict[str, Any], **kwargs: Any) -> None:
    store.submit_survey(SLUG, "pulse", answers, token=store.join(SLUG), **kwargs)


# ---------------------------------------------------------------------- the console
def test_a_template_survey_is_defined_from_the_console(small_workshop_store: Store) -> None:
    panel = SurveyPanel(_ctx(small_workshop_store), join_url="http://10.0.0.5:8866/p/tsuru-dx")
    assert "まだアンケートがありません" in panel.empty.value
    templates = {key for _label, key in panel.define.template.options}
    assert {"staff-dx", "post-training"} <= templates

    panel.define.template.value = "post-training"
    panel.define.use_template.click()

    [survey] = small_workshop_store.surveys(SLUG)
    assert survey.key == "post-training" and {w.status for w in survey.waves} == {"draft"}
    row = panel.rows["post-training"]
    assert "未開始" in _text(row.table.value) and "追加しました" in panel.message.value
    # The phone link on the server's address, with its QR code (drawn here, no network).
    assert "http://10.0.0.5:8866/p/tsuru-dx/surveys/post-training" in row.link.value
    assert "<svg" in row.link.value and panel.empty.value == ""


def test_a_template_copied_into_the_text_box_is_changed_then_saved(
    small_workshop_store: Store,
) -> None:
    """The staff DX template measures issues of the dx-vision workshop; this workshop has
    other issues, so the store refuses it as it is, and staff edit a copy."""
    panel = SurveyPanel(_ctx(small_workshop_store, "en"))
    panel.define.template.value = "staff-dx"
    panel.define.use_template.click()
    assert small_workshop_store.surveys(SLUG) == [] and "⚠" in panel.message.value

    panel.define.edit_template.click()
    text = panel.define.yaml.value
    assert text.startswith("id: staff-dx\n") and "\n  issue: " in text
    kept = [line for line in text.splitlines() if not line.strip().startswith("issue:")]
    panel.define.yaml.value = "\n".join(kept)
    panel.define.save_yaml.click()
    [survey] = small_workshop_store.surveys(SLUG)
    assert survey.key == "staff-dx" and all(q.issue is None for q in survey.definition.questions)
    assert survey.definition.questions[0].id == "dept"
    assert len(survey.definition.questions) == len(panel.define.templates["staff-dx"].questions)


PASTED_BAD = """id: pulse
title: 職員アンケート
questions:
  - id: q1
    text: 前向きだ
    kind: likret
"""


def test_pasted_yaml_with_a_mistake_shows_its_line_and_saves_nothing(
    small_workshop_store: Store,
) -> None:
    panel = SurveyPanel(_ctx(small_workshop_store))
    panel.define.yaml.value = PASTED_BAD
    panel.define.save_yaml.click()

    problems = _text(panel.define.problems.value)
    assert "6 行目" in problems and "likret" in problems  # "kind: likret" is the 6th line
    assert "保存されていません" in panel.message.value
    assert small_workshop_store.surveys(SLUG) == []

    panel.define.yaml.value = PASTED_BAD.replace("likret", "likert")
    panel.define.save_yaml.click()
    assert [s.key for s in small_workshop_store.surveys(SLUG)] == ["pulse"]
    assert panel.define.problems.value == "" and list(panel.rows) == ["pulse"]


def test_waves_open_and_close_with_a_question_first_and_counts_follow_the_feed(
    small_workshop_store: Store,
) -> None:
    store = small_workshop_store
    store.define_survey(SLUG, PULSE)
    feed = LiveFeed(store, SLUG)
    panel = SurveyPanel(_ctx(store, "en"), feed)
    row = panel.rows["pulse"]
    assert not row.open_buttons["before"].disabled and row.closers["before"].button.disabled

    row.open_buttons["before"].click()
    assert store.survey(SLUG, "pulse").open_wave == "before"
    assert row.open_buttons["after"].disabled  # one open wave at a time
    assert not row.closers["before"].button.disabled

    _answer(store, {"dept": "a", "q1": 4})
    _answer(store, {"dept": "b", "q1": 2})
    feed.poll_once()  # the console's live feed reports the answers
    assert "Before open 2" in _text(row.table.value)

    row.closers["before"].button.click()  # asks first: nothing closed yet
    assert row.closers["before"].asking
    assert store.survey(SLUG, "pulse").waves[0].status == "open"
    row.closers["before"].yes.click()
    assert [w.status for w in store.survey(SLUG, "pulse").waves] == ["closed", "draft"]
    assert "Before closed 2" in _text(row.table.value)
    assert not row.open_buttons["after"].disabled


def test_the_console_has_the_surveys_panel(small_workshop_store: Store) -> None:
    from widgets.console import FacilitatorConsole

    small_workshop_store.define_survey(SLUG, PULSE)
    ctx = _ctx(small_workshop_store)
    console = FacilitatorConsole(ctx, LiveFeed(ctx.store, SLUG))
    assert console.surveys in console.children
    assert list(console.surveys.rows) == ["pulse"]


# ---------------------------------------------------------------------- paper
def _paper(store: Store) -> PaperSurveyEntry:
    store.define_survey(SLUG, PULSE)
    store.open_survey_wave(SLUG, "pulse", "before")
    return PaperSurveyEntry(_ctx(store))


def test_paper_questionnaires_are_stored_as_paper_with_a_running_count(
    small_workshop_store: Store,
) -> None:
    store = small_workshop_store
    form = _paper(store)
    assert list(form.controls) == ["dept", "q1", "minutes", "tools"]
    assert set(form.link_controls) == {"mother", "birthday", "school"}
    form.controls["dept"].value = "a"
    form.controls["q1"].value = 5
    form.controls["minutes"].value = "９０"  # typed in full-width digits
    form.controls["tools"].value = ("fax", "chat")
    form.enter.click()
    form.controls["dept"].value = "b"
    form.controls["q1"].value = 3
    form.link_controls["mother"].value = "ハナコ"
    form.link_controls["birthday"].value = "7"
    form.link_controls["school"].value = "あおば"
    form.enter.click()

    first, second = store.survey_responses(SLUG, "pulse", wave="before")
    assert first.answers == {"dept": "a", "q1": 5, "minutes": 90, "tools": ["chat", "fax"]}
    assert second.answers == {"dept": "b", "q1": 3}
    assert (first.channel, second.channel) == ("paper", "paper")
    assert first.link_key is None and second.link_key is not None
    assert "2 件目" in form.message.value
    assert "回答 2 件（うち紙 2 件）" in form.counter.value
    # A clean form for the next paper.
    assert [c.value for c in form.controls.values()] == [None, None, "", ()]

    _answer(store, {"dept": "a", "q1": 1})  # a phone answer counts in the total only
    form.refresh()
    assert "回答 3 件（うち紙 2 件）" in form.counter.value


def test_a_refused_paper_keeps_what_was_typed_and_stores_nothing(
    small_workshop_store: Store,
) -> None:
    store = small_workshop_store
    form = _paper(store)
    people = store.counts(SLUG)["participants"]
    form.controls["dept"].value = "a"
    form.controls["minutes"].value = "900"  # over the maximum, and q1 (required) left empty
    form.enter.click()

    assert "⚠" in form.message.value
    assert store.survey_responses(SLUG, "pulse") == []
    assert store.counts(SLUG)["participants"] == people  # no paper respondent left behind
    assert (form.controls["dept"].value, form.controls["minutes"].value) == ("a", "900")

    form.controls["q1"].value = 2
    form.controls["minutes"].value = "90"
    form.enter.click()
    [response] = store.survey_responses(SLUG, "pulse")
    assert response.answers == {"dept": "a", "q1": 2, "minutes": 90}


def test_a_printed_code_answers_a_wave_once(small_workshop_store: Store) -> None:
    store = small_workshop_store
    form = _paper(store)
    [code] = store.issue_codes(SLUG, 1)
    for _ in range(2):
        form.code.value = code.lower()
        form.controls["dept"].value = "a"
        form.controls["q1"].value = 4
        form.enter.click()
    assert len(store.survey_responses(SLUG, "pulse")) == 1
    assert "今回すでに回答いただいています" in form.message.value  # the database refused it
    assert form.code.value == code.lower()  # kept for staff to check


def test_paper_can_be_entered_for_a_closed_wave_but_not_a_draft(
    small_workshop_store: Store,
) -> None:
    store = small_workshop_store
    form = _paper(store)
    store.close_survey_wave(SLUG, "pulse", "before")
    form.refresh()
    assert [key for _label, key in form.wave.options] == ["before"]  # "after" is a draft
    assert "締切" in form.wave.options[0][0]
    form.controls["dept"].value = "b"
    form.controls["q1"].value = 3
    form.enter.click()
    assert [r.channel for r in store.survey_responses(SLUG, "pulse")] == ["paper"]


# ---------------------------------------------------------------------- results
@pytest.fixture
def answered(small_workshop_store: Store) -> Store:
    """Before: 市民課 7, 税務課 6, 議会事務局 2 (q1 all 2); after: the same people, q1 all 4
    but one 5 (mean 4.0667 → state 4)."""
    store = small_workshop_store
    store.define_survey(SLUG, PULSE)
    people = ["a"] * 7 + ["b"] * 6 + ["c"] * 2
    tokens = [store.join(SLUG) for _ in people]
    for wave, points in (("before", [2] * 15), ("after", [5] + [4] * 14)):
        store.open_survey_wave(SLUG, "pulse", wave)
        for token, dept, point in zip(tokens, people, points, strict=True):
            store.submit_survey(SLUG, "pulse", {"dept": dept, "q1": point}, token=token)
        store.close_survey_wave(SLUG, "pulse", wave)
    return store


def test_results_show_small_groups_only_as_a_count(answered: Store) -> None:
    view = SurveyResults(_ctx(answered))
    section = view.sections["pulse"]
    shown = " ".join(
        getattr(w, "value", "") or w._image.value + w._table.value for w in section.body.children
    )
    # 議会事務局 (2) is under 5; hiding it alone would leave it as total − the others, so the
    # next smallest (税務課, 6) is withheld too: 2 groups, only counted.
    assert "議会事務局" not in shown and "税務課" not in shown
    assert "市民課" in shown
    assert "5 人未満の 2 グループは表示していません" in _text(shown)
    # Charts are drawn offline, as SVG, with their data as a table.
    assert "<svg" in shown
    # Mean of the after wave: (5 + 14 × 4) / 15 = 61 / 15 = 4.07.
    assert "平均 4.07" in _text(shown)


def test_current_states_are_set_only_after_a_question_and_say_what_changed(
    answered: Store,
) -> None:
    store = answered
    view = SurveyResults(_ctx(store, "en"), charts=False)
    section = view.sections["pulse"]
    # The gap: ideal 5 − the after wave's mean 61/15 (on 1–5 already) = 0.93.
    assert "0.9" in _text(section.gaps.value)
    section.applier.button.click()
    assert section.applier.asking
    assert store.issues(SLUG)[0].current == 2  # nothing yet
    section.applier.yes.click()

    issue = next(i for i in store.issues(SLUG) if i.key == "madoguchi-konzatsu")
    assert (issue.current, issue.ideal) == (4, 5)  # 4.07 rounds to 4; the ideal is kept
    assert "窓口の混雑緩和 2 4 4.07 (n=15)" in _text(section.changes.value)
    section.applier.button.click()
    section.applier.yes.click()
    assert "Nothing changed" in section.message.value


def test_a_wave_is_recorded_as_an_indicator_measurement(answered: Store) -> None:
    store = answered
    store.add_indicator(
        SLUG,
        "madoguchi-konzatsu",
        "窓口の満足度",
        direction="increase",
        baseline=2,
        baseline_on=date(2026, 4, 1),
        target=4,
        target_on=date(2027, 3, 31),
        key="counter-score",
    )
    view = SurveyResults(_ctx(store), charts=False)
    section = view.sections["pulse"]
    assert section.record_button.disabled  # not linked yet
    store.link_indicator_to_survey(SLUG, "counter-score", "pulse", "q1")
    view.refresh()  # as the live feed does on "survey_indicator_linked"
    assert not section.record_button.disabled and "窓口の満足度" in section.record_note.value

    section.wave.value = "before"
    section.measured_on.value = date(2026, 5, 1)
    section.record_button.click()
    [measurement] = store.measurements(SLUG, "counter-score")
    assert (measurement.value, measurement.measured_on) == (2.0, date(2026, 5, 1))
    assert "窓口の満足度 = 2.00" in section.message.value


def test_answers_redraw_the_results_at_most_every_few_seconds_other_changes_at_once(
    answered: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from widgets.surveys import results as results_module

    monkeypatch.setattr(results_module, "ANSWERS_REDRAW_SECONDS", 0.5)
    ctx = _ctx(answered)
    feed = LiveFeed(answered, SLUG)
    feed.poll_once()  # what came before the view

    def answered_after(view: SurveyResults) -> int:
        q1 = next(q for q in view.results[0]["questions"] if q["key"] == "q1")
        return int(q1["waves"]["after"]["answered"])

    async def room() -> list[int]:
        view = SurveyResults(ctx, feed, charts=False)
        answered.open_survey_wave(SLUG, "pulse", "after")  # opened again: latecomers
        feed.poll_once()  # a wave opened: at once
        seen = [answered_after(view)]
        for _ in range(3):  # three batches of answers within the interval
            answered.submit_survey(SLUG, "pulse", {"dept": "a", "q1": 3}, token=answered.join(SLUG))
            feed.poll_once()
            seen.append(answered_after(view))
        await asyncio.sleep(0.8)  # the one redraw that was put off
        seen.append(answered_after(view))
        answered.close_survey_wave(SLUG, "pulse", "after")
        answered.enter_paper_survey(SLUG, "pulse", {"dept": "a", "q1": 1}, wave="after")
        feed.poll_once()  # a wave closed: at once, with the paper answer too
        seen.append(answered_after(view))
        return seen

    assert asyncio.run(room()) == [15, 15, 15, 15, 18, 19]
