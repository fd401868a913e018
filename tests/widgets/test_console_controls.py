"""The facilitator console without a browser: set what the front end would set (values,
clicks), then check the store and what the console shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.workshop_data import small_workshop
from toolkit.ballots import BALLOT_RULES
from toolkit.ballots.purposes import start_theme_dot_vote
from toolkit.i18n import t
from toolkit.model import join_code
from toolkit.server.table_links import TableAccess, table_link_key
from toolkit.store import Store
from toolkit.workshop_file.templates import template_path
from widgets.chart import ChartView
from widgets.console import (
    DEFAULT_TABLES,
    BallotControls,
    CharterControls,
    ConsoleUnavailable,
    FacilitatorConsole,
    LiveCounts,
    PhaseStepper,
    ProjectorCheck,
    TableLinks,
    latest_phase_change,
    open_console,
    phase_timer,
)
from widgets.context import AppContext
from widgets.join import JoinPanel
from widgets.live import LiveFeed

SLUG = "tsuru-dx"
WEIGHTS = {"resident": 50, "staff": 30, "cost": 20}


def _spec() -> dict[str, Any]:
    spec = small_workshop(SLUG)
    spec["phases"] = [
        {"id": "happiness", "minutes": 30},
        {"id": "vision", "minutes": 20},
        {"id": "method", "minutes": 25},
        {"id": "scoring"},
    ]
    return spec


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "console.sqlite"


@pytest.fixture
def timed_phases_store(path: Path) -> Iterator[Store]:
    with Store.open(path) as opened:
        opened.create_workshop(_spec())
        yield opened


@pytest.fixture
def ctx(timed_phases_store: Store) -> AppContext:
    return AppContext.for_store(timed_phases_store, SLUG, "en")


@pytest.fixture
def feed(timed_phases_store: Store) -> LiveFeed:
    return LiveFeed(timed_phases_store, SLUG)


def _events(store: Store, kind: str) -> list[Any]:
    return [e for e in store.changes(SLUG) if e.kind == kind]


def test_next_previous_and_jump_move_the_workshop_and_are_recorded(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    stepper = PhaseStepper(ctx, feed)
    assert stepper.phase == "happiness" and stepper.previous_button.disabled
    stepper.next_button.click()
    assert timed_phases_store.workshop(SLUG).phase == "vision"
    assert [e.payload for e in _events(timed_phases_store, "phase_changed")] == [
        {"phase": "vision"}
    ]
    assert 'aria-current="step">2. Vision' in stepper.steps.value
    stepper.jump.value = "scoring"
    stepper.jump_button.click()
    assert timed_phases_store.workshop(SLUG).phase == "scoring" and stepper.next_button.disabled
    stepper.previous_button.click()
    assert timed_phases_store.workshop(SLUG).phase == "method"
    assert len(_events(timed_phases_store, "phase_changed")) == 3
    assert "Now in phase: How to prioritise" in stepper.message.value


def test_moving_on_with_a_vote_of_another_phase_open_asks_and_closes_it_in_one_click(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    start_theme_dot_vote(timed_phases_store, SLUG, "Dots on themes")
    stepper = PhaseStepper(ctx, feed)
    stepper.next_button.click()  # to the vision: the dot vote on themes would stay open
    assert timed_phases_store.workshop(SLUG).phase == "happiness"  # not yet: it asks first
    assert stepper.left_open.layout.display == "flex"
    warning = stepper.left_open_text.value
    assert "Before moving to “Vision”" in warning and "“Dots on themes”" in warning
    assert "theme-dots" not in warning  # titles, never raw keys
    stepper.close_and_go.click()
    assert timed_phases_store.workshop(SLUG).phase == "vision"
    assert timed_phases_store.ballot(SLUG, "theme-dots").status == "closed"
    assert stepper.left_open.layout.display == "none"
    assert "Now in phase: Vision" in stepper.message.value
    assert "Closed: “Dots on themes”" in stepper.message.value
    stepper.next_button.click()  # nothing left open: it just moves
    assert (
        timed_phases_store.workshop(SLUG).phase == "method"
        and stepper.left_open.layout.display == "none"
    )


def test_moving_on_may_keep_a_vote_open_or_stay(timed_phases_store: Store, feed: LiveFeed) -> None:
    ctx = AppContext.for_store(timed_phases_store, SLUG, "ja")
    timed_phases_store.open_ballot(SLUG, "town")  # a town-meeting vote opened early, on purpose
    stepper = PhaseStepper(ctx, feed)
    stepper.restart_button.click()  # restarting the timer moves nobody: no question
    assert stepper.left_open.layout.display == "none"
    stepper.jump.value = "method"
    stepper.jump_button.click()
    assert "「どれを先にやる？」" in stepper.left_open_text.value
    assert "「決め方の合意」に進む前に" in stepper.left_open_text.value
    stepper.cancel_go.click()  # stay
    assert timed_phases_store.workshop(SLUG).phase == "happiness"
    assert stepper.left_open.layout.display == "none"
    stepper.next_button.click()
    stepper.keep_and_go.click()
    assert timed_phases_store.workshop(SLUG).phase == "vision"
    assert timed_phases_store.ballot(SLUG, "town").status == "open"
    assert stepper.close_and_go.description == "締め切ってから進む"


def test_timer_runs_from_the_phase_change_event_on_every_screen(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    stepper = PhaseStepper(ctx, feed)
    assert "timer not started" in stepper.timer.value
    stepper.next_button.click()  # vision: 20 minutes
    started = latest_phase_change(timed_phases_store, SLUG)
    assert started is not None
    stepper.render(now=started.at + timedelta(minutes=5, seconds=30))
    assert "Now: Vision — 14:30 left" in stepper.timer.value
    # Another kernel (a restart, or the board's laptop) computes the same timer.
    again = PhaseStepper(
        AppContext.for_store(timed_phases_store, SLUG, "ja"), LiveFeed(timed_phases_store, SLUG)
    )
    moment = started.at + timedelta(minutes=23)
    assert again.timer_state(moment).remaining_s == stepper.timer_state(moment).remaining_s == -180
    again.render(now=moment)
    assert "03:00 超過" in again.timer.value and "over" in again.timer.value


def test_timer_arithmetic() -> None:
    start = phase_timer(None, 30, datetime(2026, 1, 1))
    assert start.remaining_s is None and not start.over
    timer = phase_timer(
        datetime(2026, 1, 1, 9, 0, tzinfo=UTC), 30, datetime(2026, 1, 1, 9, 31, tzinfo=UTC)
    )
    assert (timer.elapsed_s, timer.remaining_s, timer.over) == (1860, -60, True)
    assert (
        phase_timer(datetime(2026, 1, 1, 9, 0), None, datetime(2026, 1, 1, 9, 1)).remaining_s
        is None
    )


def test_another_screen_changing_the_phase_reaches_the_stepper(
    ctx: AppContext, feed: LiveFeed, path: Path
) -> None:
    stepper = PhaseStepper(ctx, feed)
    with Store.open(path) as other:
        other.set_phase(SLUG, "method")
    feed.poll_once()
    assert stepper.phase == "method" and stepper.started is not None
    stepper.render(now=stepper.started + timedelta(minutes=1))
    assert "Now: How to prioritise — 24:00 left" in stepper.timer.value


def test_restart_timer_records_a_new_start(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    stepper = PhaseStepper(ctx, feed)
    stepper.restart_button.click()
    assert [e.payload for e in _events(timed_phases_store, "phase_changed")] == [
        {"phase": "happiness"}
    ]
    assert stepper.started == _events(timed_phases_store, "phase_changed")[-1].at


def test_lock_refused_with_a_block_shows_the_stores_message(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    charter = CharterControls(ctx, feed)
    assert charter.lock_button.disabled  # nothing proposed yet
    assert "No method charter" in charter.state.value
    timed_phases_store.propose_charter(SLUG, method="weighted_sum", weights=WEIGHTS)
    timed_phases_store.record_consent(SLUG, timed_phases_store.join(SLUG), 0)
    timed_phases_store.record_consent(SLUG, timed_phases_store.join(SLUG), 4)
    feed.poll_once()
    assert not charter.lock_button.disabled
    assert "2 answers, 1 blocks" in charter.state.value
    charter.lock_button.click()
    charter.locker.yes.click()
    assert timed_phases_store.locked_charter(SLUG) is None
    assert "blocked" in charter.message.value and "⚠" in charter.message.value


def test_lock_then_unlock_needs_a_reason(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    timed_phases_store.propose_charter(SLUG, method="weighted_sum", weights=WEIGHTS)
    timed_phases_store.record_consent(SLUG, timed_phases_store.join(SLUG), 5)
    charter = CharterControls(ctx, feed)
    charter.lock_button.click()  # asks first: scoring will rely on the lock
    assert (
        timed_phases_store.locked_charter(SLUG) is None
        and "Lock the charter?" in charter.locker.question.value
    )
    charter.locker.yes.click()
    locked = timed_phases_store.locked_charter(SLUG)
    assert locked is not None and locked.version == 1
    assert "Locked v1" in charter.state.value and charter.lock_button.disabled
    charter.change_button.click()
    assert charter.change_form.layout.display == "flex"
    charter.reason.value = "   "
    charter.confirm_change.click()
    assert [c.version for c in timed_phases_store.charters(SLUG)] == [1]
    assert "reason" in charter.message.value.lower() and "⚠" in charter.message.value
    charter.reason.value = "コストを重視する"
    charter.confirm_change.click()
    latest = timed_phases_store.charters(SLUG)[-1]
    assert (latest.version, latest.reason, latest.locked) == (2, "コストを重視する", False)
    assert "Draft v2" in charter.state.value and "コストを重視する" in charter.state.value
    assert charter.change_form.layout.display == "none"


def test_ballots_open_close_with_confirmation_and_release(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    ballots = BallotControls(ctx, feed)
    row = ballots.row("town")
    assert "not opened yet" in row.info.value and "窓口の混雑緩和" in row.info.value
    assert row.close_button.disabled and not row.open_button.disabled
    row.open_button.click()
    assert timed_phases_store.ballot(SLUG, "town").status == "open"
    timed_phases_store.cast_vote(SLUG, "town", timed_phases_store.join(SLUG), ["sanres"])
    feed.poll_once()
    assert "1 votes" in row.info.value and "hidden until the vote closes" in row.info.value
    row.release_button.click()
    assert timed_phases_store.ballot(SLUG, "town").released and row.release_button.disabled
    row.close_button.click()  # asks first: closing is final
    assert timed_phases_store.ballot(SLUG, "town").status == "open"
    assert row.confirm.layout.display == "flex" and "final" in row.confirm_text.value
    row.cancel_close.click()
    assert (
        row.confirm.layout.display == "none"
        and timed_phases_store.ballot(SLUG, "town").status == "open"
    )
    row.close_button.click()
    row.confirm_close.click()
    assert timed_phases_store.ballot(SLUG, "town").status == "closed"
    assert row.open_button.disabled and row.close_button.disabled
    assert [
        e.kind
        for e in timed_phases_store.changes(SLUG)
        if e.kind.startswith(("ballot_", "results"))
    ] == [
        "ballot_opened",
        "results_released",
        "ballot_closed",
    ]


def test_a_refused_ballot_action_is_shown_not_raised(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    ballots = BallotControls(ctx, feed)
    row = ballots.row("town")
    timed_phases_store.open_ballot(SLUG, "town")
    timed_phases_store.close_ballot(
        SLUG, "town"
    )  # closed on another screen; this one has not polled yet
    row.open_button.click()
    assert "cannot be reopened" in row.message.value
    assert timed_phases_store.ballot(SLUG, "town").status == "closed"


def test_counts_follow_another_screen(ctx: AppContext, feed: LiveFeed, path: Path) -> None:
    counts = LiveCounts(ctx, feed)
    assert counts.counts["cards"] == 0
    with Store.open(path) as other:
        other.add_card(SLUG, "窓口で待たずに済む", stakeholder="kosodate", token=other.join(SLUG))
    feed.poll_once()
    assert (counts.counts["cards"], counts.counts["participants"]) == (1, 1)
    assert "<b>1</b>happiness cards" in counts.view.value


def test_join_panel_shows_the_link_and_its_qr_code(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("URESHII_JOIN_URL", "http://192.168.10.23:8866/p/")
    panel = JoinPanel(ctx)
    assert "http://192.168.10.23:8866/p/" in panel.view.value
    assert "<svg" in panel.view.value and 'aria-label="QR code of the join link' in panel.view.value
    assert f"Join code: {join_code(ctx.slug)}" in panel.view.value  # typed on /p/ instead
    monkeypatch.delenv("URESHII_JOIN_URL")
    missing = JoinPanel(AppContext.for_store(ctx.store, SLUG, "ja"))
    assert "<svg" not in missing.view.value and "参加用リンクが不明です" in missing.view.value


def test_workshop_file_problems_are_listed_with_their_lines(
    ctx: AppContext, feed: LiveFeed, tmp_path: Path
) -> None:
    console = FacilitatorConsole(ctx, feed)
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: ureshii-workshop/1\nid: bad\ntitle: x\nlang: jp\n", encoding="utf-8")
    console.picker.path.value = str(bad)
    console.picker.open_button.click()
    assert f"{bad}:4: lang:" in console.picker.problems.value
    assert console.ctx.slug == SLUG and "⚠" in console.picker.message.value
    console.picker.path.value = ""
    console.picker.open_button.click()
    assert "path of a workshop file" in console.picker.message.value


def test_opening_a_workshop_file_switches_the_console(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    console = FacilitatorConsole(ctx, feed)
    assert console.picker.chooser.layout.display == "none"  # one workshop: nothing to choose
    console.picker.path.value = str(template_path("dx-vision", "en"))
    console.picker.open_button.click()
    created = timed_phases_store.workshops()[-1]
    assert console.ctx.slug == created.slug != SLUG
    assert created.title in console.header.value
    assert console.picker.chooser.layout.display == "flex"
    console.picker.chooser.value = SLUG
    assert console.ctx.slug == SLUG and console.stepper.ctx.slug == SLUG


def test_console_reads_in_japanese(timed_phases_store: Store, feed: LiveFeed) -> None:
    console = FacilitatorConsole(AppContext.for_store(timed_phases_store, SLUG, "ja"), feed)
    assert console.stepper.next_button.description == "次の段階へ"
    assert console.charter.lock_button.description == "憲章をロック"
    assert t("console_ballot_open", "ja") == console.ballots.row("town").open_button.description
    for button in (console.stepper.jump, console.picker.path, console.charter.reason):
        assert button.description  # every control has a label


def test_without_a_store_the_console_says_how_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("URESHII_DATABASE_URL", raising=False)
    console = open_console("en")
    assert isinstance(console, ConsoleUnavailable)
    text = " ".join(getattr(child, "value", "") for child in console.children)
    assert "ureshii serve my-town.sqlite" in text
    check = next(c for c in console.children if isinstance(c, ProjectorCheck))
    assert any(isinstance(c, ChartView) for c in check.children)  # charts draw offline


def test_an_empty_store_offers_the_workshop_file_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("URESHII_DATABASE_URL", str(tmp_path / "empty.sqlite"))
    console = open_console("ja")
    assert isinstance(console, ConsoleUnavailable) and console.store is not None
    assert "まだワークショップがありません" in console.children[1].value
    assert console.picker.open_button.description == "ファイルからワークショップを作成"


def test_the_projector_check_draws_only_when_asked(ctx: AppContext, feed: LiveFeed) -> None:
    check = FacilitatorConsole(ctx, feed).children[-1]
    assert isinstance(check, ProjectorCheck)
    assert not any(isinstance(c, ChartView) for c in check.children)
    check.show_button.click()
    chart = next(c for c in check.children if isinstance(c, ChartView))
    assert "<svg" in chart._image.value and "<table" in chart._table.value


def test_a_town_meeting_vote_is_created_from_the_issues(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    ballots = BallotControls(ctx, feed)
    form = ballots.new_ballot
    form.create_button.click()  # no issue chosen: the store's message, nothing created
    assert [b.key for b in timed_phases_store.ballots(SLUG)] == ["town"]
    assert "⚠" in form.message.value
    form.rule.value = "dot_votes"
    assert list(form.inputs) == ["dots"]  # the rule's settings, from the registry
    form.inputs["dots"].value = 2
    form.hidden.value = False
    form.options.value = ("sanres", "chat")
    form.create_button.click()
    created = timed_phases_store.ballot(SLUG, "town-1")
    assert (created.rule, created.options, created.settings) == (
        "dot_votes",
        ("sanres", "chat"),
        {"dots": 2},
    )
    assert (created.visibility, created.status, created.purpose) == (
        "live",
        "draft",
        "town_meeting",
    )
    assert "town-1" in ballots.rows and "チャットツールの定着" in ballots.row("town-1").info.value


def test_every_ballot_rule_can_be_chosen_and_a_bad_budget_is_refused_in_words(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    timed_phases_store.add_issue(SLUG, "公用車運転日報の電子化", key="nippo", cost=2_000_000.5)
    timed_phases_store.add_issue(SLUG, "学校園の修繕報告の一元管理", key="shuzen", cost=1_000_000)
    form = BallotControls(ctx, feed).new_ballot
    assert {value for _, value in form.rule.options} == set(BALLOT_RULES)
    assert dict(form.rule.options)["quadratic voting"] == "quadratic"
    form.rule.value = "quadratic"
    assert [(n, w.value) for n, w in form.inputs.items()] == [("credits", 16)]
    form.rule.value = "equal_shares"
    assert list(form.inputs) == ["budget"]
    form.options.value = ("nippo", "shuzen")
    for bad in (float("nan"), float("inf"), -5.0, 1e20):
        form.inputs["budget"].value = bad
        form.create_button.click()
        assert "⚠" in form.message.value and "amount" in form.message.value, bad
    assert [b.key for b in timed_phases_store.ballots(SLUG)] == ["town"]
    form.inputs["budget"].value = 3_000_000.5
    form.create_button.click()
    created = timed_phases_store.ballot(SLUG, "town-1")
    assert created.settings == {
        "budget": 3_000_000.5,
        "costs": {"nippo": 2_000_000.5, "shuzen": 1_000_000},
    }


def test_table_links_open_one_table_each_and_a_revoked_link_changes(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    key = table_link_key("a-facilitator-secret-for-tests")
    panel = TableLinks(ctx, feed, join_url="http://192.0.2.10:8866/p/tsuru-dx/", key=key)
    assert len(panel.rows.children) == DEFAULT_TABLES
    panel.count.value = 3
    assert len(panel.rows.children) == 3
    first = panel.link(1)
    assert first.startswith("http://192.0.2.10:8866/t/tsuru-dx/1?key=")
    assert "<svg" in panel.rows.children[0].children[0].value
    # The server accepts exactly this link for table 1, and not for table 2.
    server = TableAccess(key, timed_phases_store.table_link_generation)
    given = first.split("key=")[1]
    assert server.check_link(SLUG, 1, given) and not server.check_link(SLUG, 2, given)

    revoke = panel.rows.children[0].children[1]
    revoke.button.click()  # asks first: the old link cannot be brought back
    assert timed_phases_store.table_link_generation(SLUG, 1) == 0
    assert "Revoke table 1's link?" in revoke.question.value
    revoke.yes.click()
    assert "old link no longer works" in panel.message.value
    assert timed_phases_store.table_link_generation(SLUG, 1) == 1
    assert panel.link(1) != first and panel.link(2) == panel.link(2)
    server.forget(SLUG, 1)
    assert not server.check_link(SLUG, 1, given)
    assert server.check_link(SLUG, 1, panel.link(1).split("key=")[1])
    assert [
        e.payload
        for e in timed_phases_store.changes(SLUG, since=0)
        if e.kind == "table_link_revoked"
    ] == [{"table": 1}]


def test_without_a_server_the_table_links_say_how_to_get_them(ctx: AppContext) -> None:
    panel = TableLinks(ctx, join_url="", key="")
    assert "ureshii serve" in panel.rows.children[0].value


def test_the_console_opens_the_tables_dot_vote_on_themes_once(
    ctx: AppContext, feed: LiveFeed, timed_phases_store: Store
) -> None:
    themes = len(timed_phases_store.themes(SLUG))
    assert themes >= 1
    controls = BallotControls(ctx, feed)
    assert not controls.theme_dots.disabled
    controls.theme_dots.click()
    (ballot,) = [b for b in timed_phases_store.ballots(SLUG) if b.purpose == "themes"]
    assert (ballot.rule, ballot.status, ballot.settings) == ("dot_votes", "open", {"dots": 3})
    assert f"The dot vote is open: {themes} themes, 3 dots each." in controls.theme_message.value
    assert controls.theme_dots.disabled and ballot.key in controls.rows
