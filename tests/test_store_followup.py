"""The roadmap, indicators and measurements in the store (toolkit/store/followup.py), on a
real SQLite file and a real PostgreSQL server (each test runs on both).

As in tests/test_store.py, rules are tried through the API (a message a person can act on)
and with raw SQL that bypasses it (the database itself refuses).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.workshop_data import small_workshop
from toolkit.errors import InvalidInputError, NotFoundError
from toolkit.fiscal import FiscalPeriod
from toolkit.indicators import assess
from toolkit.model import RecordedMeasurement, RoadmapItem, TrackedIndicator
from toolkit.store import Store

SLUG = "tsuru-dx"
# Issues of small_workshop, in the backlog's order.
MADOGUCHI, SANRES, CHAT = "madoguchi-konzatsu", "sanres", "chat"
# Dates well in the past, so a measurement is never "after today" on any clock.
BASELINE_ON, TARGET_ON, HALF_WAY = date(2024, 4, 1), date(2025, 4, 1), date(2024, 10, 1)


@pytest.fixture
def ws(empty_store: Store) -> Store:
    empty_store.create_workshop(small_workshop(SLUG))
    return empty_store


def raw(store: Store, sql: str, **params: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def kinds_since(store: Store, seq: int) -> list[str]:
    return [event.kind for event in store.changes(SLUG, since=seq)]


def add_wait(store: Store) -> TrackedIndicator:
    return store.add_indicator(
        SLUG,
        MADOGUCHI,
        "窓口待ち時間",
        key="wait",
        unit="分",
        direction="decrease",
        baseline=30,
        baseline_on=BASELINE_ON,
        target=15,
        target_on=TARGET_ON,
        source="市民課 窓口調査",
    )


# ---------------------------------------------------------------- roadmap
def test_a_roadmap_item_round_trips_with_its_event(ws: Store) -> None:
    seq = ws.last_seq(SLUG)
    item = ws.set_roadmap_item(
        SLUG,
        MADOGUCHI,
        "令和8年度 第2四半期",
        owner_department="市民課",
        budget_line="DX推進費（一般会計）",
        review_on=date(2027, 3, 1),
        depends_on=[SANRES, CHAT, SANRES],
    )

    assert isinstance(item, RoadmapItem)
    assert (item.issue, item.period, item.owner_department, item.budget_line) == (
        MADOGUCHI,
        FiscalPeriod(2026, 2),
        "市民課",
        "DX推進費（一般会計）",
    )
    assert item.review_on == date(2027, 3, 1) and type(item.review_on) is date
    assert item.depends_on == (SANRES, CHAT)
    assert item.updated_at.tzinfo is not None
    assert ws.roadmap(SLUG) == [item]
    assert kinds_since(ws, seq) == ["roadmap_item_set"]
    assert ws.changes(SLUG, since=seq)[0].payload == {
        "issue": MADOGUCHI,
        "fiscal_year": 2026,
        "quarter": 2,
        "owner_department": "市民課",
        "budget_line": "DX推進費（一般会計）",
        "review_on": "2027-03-01",
        "depends_on": [SANRES, CHAT],
    }


def test_setting_an_item_again_replaces_it_whole(ws: Store) -> None:
    ws.set_roadmap_item(SLUG, MADOGUCHI, 2026, owner_department="市民課", depends_on=[SANRES])
    seq = ws.last_seq(SLUG)

    item = ws.set_roadmap_item(SLUG, MADOGUCHI, "R9", depends_on=CHAT)  # one key, as a string

    assert ws.roadmap(SLUG) == [item]
    assert (item.period, item.owner_department, item.review_on, item.depends_on) == (
        FiscalPeriod(2027),
        "",
        None,
        (CHAT,),
    )
    assert kinds_since(ws, seq) == ["roadmap_item_set"]


def test_the_roadmap_is_in_the_order_of_its_periods(ws: Store) -> None:
    ws.set_roadmap_item(SLUG, MADOGUCHI, "FY2027")
    ws.set_roadmap_item(SLUG, SANRES, "FY2026 Q3")
    ws.set_roadmap_item(SLUG, CHAT, "令和8年度")

    assert [(i.issue, i.period.label("ja")) for i in ws.roadmap(SLUG)] == [
        (CHAT, "令和8年度"),
        (SANRES, "令和8年度 第3四半期"),
        (MADOGUCHI, "令和9年度"),
    ]


@pytest.mark.parametrize(
    ("call", "error", "key"),
    [
        (lambda s: s.set_roadmap_item(SLUG, "nope", 2026), NotFoundError, "not_found_issue"),
        (
            lambda s: s.set_roadmap_item(SLUG, MADOGUCHI, 2026, depends_on=["nope"]),
            NotFoundError,
            "not_found_issue",
        ),
        (
            lambda s: s.set_roadmap_item(SLUG, MADOGUCHI, "2026年4月"),
            InvalidInputError,
            "fiscal_period_invalid",
        ),
        (
            lambda s: s.set_roadmap_item(SLUG, MADOGUCHI, 2026, review_on=datetime(2027, 3, 1)),
            InvalidInputError,
            "date_required",
        ),
        (
            lambda s: s.set_roadmap_item(SLUG, MADOGUCHI, 2026, owner_department="課" * 201),
            InvalidInputError,
            "text_too_long",
        ),
        (
            lambda s: s.set_roadmap_item(SLUG, MADOGUCHI, 2026, depends_on=[MADOGUCHI]),
            InvalidInputError,
            "roadmap_self_dependency",
        ),
    ],
    ids=["unknown-issue", "unknown-dependency", "bad-period", "datetime", "long-text", "self"],
)
def test_a_bad_roadmap_item_is_refused_and_nothing_is_stored(
    ws: Store, call: object, error: type[Exception], key: str
) -> None:
    seq = ws.last_seq(SLUG)
    with pytest.raises(error) as caught:
        call(ws)  # type: ignore[operator]
    assert caught.value.key == key  # type: ignore[attr-defined]
    assert ws.roadmap(SLUG) == []
    assert kinds_since(ws, seq) == []


def test_a_dependency_cycle_is_refused_and_named(ws: Store) -> None:
    ws.set_roadmap_item(SLUG, MADOGUCHI, 2026, depends_on=[SANRES])
    ws.set_roadmap_item(SLUG, SANRES, 2026, depends_on=[CHAT])
    before, seq = ws.roadmap(SLUG), ws.last_seq(SLUG)

    with pytest.raises(InvalidInputError, match="would go round in a circle") as caught:
        ws.set_roadmap_item(SLUG, CHAT, 2026, depends_on=[MADOGUCHI])

    assert caught.value.params["cycle"] == "chat → madoguchi-konzatsu → sanres → chat"
    assert "循環します（chat → madoguchi-konzatsu → sanres → chat）" in caught.value.message("ja")
    assert ws.roadmap(SLUG) == before
    assert kinds_since(ws, seq) == []
    # Two issues waiting for each other is a circle too.
    with pytest.raises(InvalidInputError, match="circle"):
        ws.set_roadmap_item(SLUG, SANRES, 2026, depends_on=[MADOGUCHI])
    # Dropping a dependency lets the other way round in.
    ws.set_roadmap_item(SLUG, MADOGUCHI, 2026)
    assert ws.set_roadmap_item(SLUG, CHAT, 2026, depends_on=[MADOGUCHI]).depends_on == (MADOGUCHI,)


def test_the_database_refuses_a_self_dependency_and_a_bad_quarter(ws: Store) -> None:
    issue_id = ws.issues(SLUG)[0].id
    with pytest.raises(IntegrityError):
        raw(
            ws,
            "INSERT INTO roadmap_dependencies (workshop_id, issue_id, depends_on_id) "
            "VALUES ((SELECT id FROM workshops), :i, :i)",
            i=issue_id,
        )
    ws.set_roadmap_item(SLUG, MADOGUCHI, "2026Q1")
    with pytest.raises(IntegrityError):
        raw(ws, "UPDATE roadmap_items SET quarter = 5")
    assert ws.roadmap(SLUG)[0].period == FiscalPeriod(2026, 1)


# ---------------------------------------------------------------- indicators
def test_an_indicator_round_trips_with_its_event(ws: Store) -> None:
    seq = ws.last_seq(SLUG)
    wait = add_wait(ws)

    assert isinstance(wait, TrackedIndicator)
    assert (wait.key, wait.issue, wait.name, wait.unit, wait.direction) == (
        "wait",
        MADOGUCHI,
        "窓口待ち時間",
        "分",
        "decrease",
    )
    assert (wait.baseline, wait.baseline_on, wait.target, wait.target_on, wait.source) == (
        30.0,
        BASELINE_ON,
        15.0,
        TARGET_ON,
        "市民課 窓口調査",
    )
    assert type(wait.baseline_on) is date and type(wait.target_on) is date
    assert ws.indicators(SLUG) == [wait]
    assert ws.indicators(SLUG, issue=MADOGUCHI) == [wait]
    assert ws.indicators(SLUG, issue=SANRES) == []
    assert kinds_since(ws, seq) == ["indicator_added"]
    assert ws.changes(SLUG, since=seq)[0].payload == {"key": "wait", "issue": MADOGUCHI}


def test_an_indicator_key_is_made_from_its_name_and_is_unique(ws: Store) -> None:
    fields = {
        "direction": "increase",
        "baseline": 10,
        "baseline_on": BASELINE_ON,
        "target": 50,
        "target_on": TARGET_ON,
        "unit": "%",
    }
    first = ws.add_indicator(SLUG, SANRES, "電子申請の割合", **fields)  # type: ignore[arg-type]
    second = ws.add_indicator(SLUG, SANRES, "Paperless share", **fields)  # type: ignore[arg-type]
    assert (first.key, second.key) == ("indicator", "paperless-share")
    with pytest.raises(InvalidInputError, match="'paperless-share' already exists"):
        ws.add_indicator(SLUG, CHAT, "x", key="paperless-share", **fields)  # type: ignore[arg-type]
    assert [i.key for i in ws.indicators(SLUG)] == ["indicator", "paperless-share"]


def test_an_indicator_that_makes_no_sense_is_refused_and_nothing_is_stored(ws: Store) -> None:
    seq = ws.last_seq(SLUG)
    with pytest.raises(InvalidInputError) as caught:
        ws.add_indicator(
            SLUG,
            MADOGUCHI,
            "窓口待ち時間",
            direction="decrease",
            baseline=30,
            baseline_on=BASELINE_ON,
            target=30,
            target_on=TARGET_ON,
        )
    assert caught.value.key == "indicator_target_equals_baseline"
    with pytest.raises(NotFoundError, match="No issue 'nope'"):
        ws.add_indicator(
            SLUG,
            "nope",
            "窓口待ち時間",
            direction="decrease",
            baseline=30,
            baseline_on=BASELINE_ON,
            target=15,
            target_on=TARGET_ON,
        )
    assert ws.indicators(SLUG) == []
    assert kinds_since(ws, seq) == []


def test_the_database_refuses_a_target_on_the_wrong_side(ws: Store) -> None:
    add_wait(ws)
    with pytest.raises(IntegrityError):
        raw(ws, "UPDATE indicators SET target = 45")
    with pytest.raises(IntegrityError):
        raw(ws, "UPDATE indicators SET target = baseline")
    assert ws.indicators(SLUG)[0].target == 15


# ---------------------------------------------------------------- measurements
def test_measurements_round_trip_in_date_order_with_their_events(ws: Store) -> None:
    add_wait(ws)
    seq = ws.last_seq(SLUG)

    later = ws.record_measurement(
        SLUG, "wait", 22, HALF_WAY, entered_by="市民課 山田", note="新システム稼働後"
    )
    earlier = ws.record_measurement(SLUG, "wait", 27.5, date(2024, 7, 1), entered_by="市民課")

    assert isinstance(later, RecordedMeasurement)
    assert (later.indicator, later.value, later.measured_on, later.note, later.entered_by) == (
        "wait",
        22.0,
        HALF_WAY,
        "新システム稼働後",
        "市民課 山田",
    )
    assert type(later.measured_on) is date and later.created_at.tzinfo is not None
    assert ws.measurements(SLUG) == [earlier, later]
    assert ws.measurements(SLUG, "wait") == [earlier, later]
    assert kinds_since(ws, seq) == ["measurement_recorded", "measurement_recorded"]
    assert ws.changes(SLUG, since=seq)[0].payload == {
        "indicator": "wait",
        "measured_on": "2024-10-01",
        "value": 22.0,
    }


def test_the_status_is_computed_from_what_the_store_holds(ws: Store) -> None:
    wait = add_wait(ws)
    assert assess(wait, ws.measurements(SLUG, "wait"), as_of=HALF_WAY).status == "no_data"
    ws.record_measurement(SLUG, "wait", 24, HALF_WAY, entered_by="市民課")
    assert assess(wait, ws.measurements(SLUG, "wait"), as_of=HALF_WAY).status == "at_risk"
    # A correction is a newer measurement on the same day: the last one recorded counts.
    ws.record_measurement(SLUG, "wait", 22, HALF_WAY, entered_by="市民課", note="訂正")
    assert assess(wait, ws.measurements(SLUG, "wait"), as_of=HALF_WAY).status == "on_track"
    assert assess(wait, ws.measurements(SLUG), as_of=date(2025, 4, 2)).status == "missed"


def test_measurements_of_one_indicator_only(ws: Store) -> None:
    add_wait(ws)
    ws.add_indicator(
        SLUG,
        SANRES,
        "FAX送信枚数",
        key="fax",
        unit="枚/月",
        direction="decrease",
        baseline=1200,
        baseline_on=BASELINE_ON,
        target=0,
        target_on=TARGET_ON,
    )
    ws.record_measurement(SLUG, "fax", 800, HALF_WAY, entered_by="総務課")
    ws.record_measurement(SLUG, "wait", 25, HALF_WAY, entered_by="市民課")
    assert [(m.indicator, m.value) for m in ws.measurements(SLUG, "fax")] == [("fax", 800.0)]
    assert len(ws.measurements(SLUG)) == 2


def test_a_measurement_for_an_unknown_indicator_is_refused_in_both_languages(ws: Store) -> None:
    add_wait(ws)
    seq = ws.last_seq(SLUG)
    with pytest.raises(NotFoundError, match="No indicator 'wiat' in this workshop") as caught:
        ws.record_measurement(SLUG, "wiat", 20, HALF_WAY, entered_by="市民課")
    assert caught.value.message("ja").startswith("このワークショップに指標 'wiat' はありません。")
    with pytest.raises(NotFoundError, match="No indicator 'wiat'"):
        ws.measurements(SLUG, "wiat")
    assert ws.measurements(SLUG) == []
    assert kinds_since(ws, seq) == []


@pytest.mark.parametrize(
    ("value", "measured_on", "entered_by", "key"),
    [
        (20, date(2024, 3, 31), "市民課", "measurement_before_baseline"),
        (20, date.today() + timedelta(days=30), "市民課", "measurement_in_future"),
        (float("nan"), HALF_WAY, "市民課", "indicator_value_invalid"),
        ("20", HALF_WAY, "市民課", "indicator_value_invalid"),
        (20, "2024-10-01", "市民課", "date_required"),
        (20, HALF_WAY, "  ", "text_required"),
    ],
    ids=["before-baseline", "future", "nan", "text-value", "text-date", "nobody"],
)
def test_a_bad_measurement_is_refused_and_nothing_is_stored(
    ws: Store, value: object, measured_on: object, entered_by: str, key: str
) -> None:
    add_wait(ws)
    seq = ws.last_seq(SLUG)
    with pytest.raises(InvalidInputError) as caught:
        ws.record_measurement(SLUG, "wait", value, measured_on, entered_by=entered_by)  # type: ignore[arg-type]
    assert caught.value.key == key
    assert ws.measurements(SLUG) == []
    assert kinds_since(ws, seq) == []


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE measurements SET value = 15",
        "UPDATE measurements SET measured_on = '2024-11-01'",
        "DELETE FROM measurements",
    ],
    ids=["update-value", "update-date", "delete"],
)
def test_measurements_are_append_only_in_the_database_itself(ws: Store, sql: str) -> None:
    add_wait(ws)
    kept = ws.record_measurement(SLUG, "wait", 24, HALF_WAY, entered_by="市民課")
    with pytest.raises(IntegrityError, match="append_only"):
        raw(ws, sql)
    assert ws.measurements(SLUG) == [kept]
