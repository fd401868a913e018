"""Review dates (見直し日) of decisions in the store (issue 18, item 3): the charter, a
ballot's result and a roadmap item, on a real SQLite file and a real PostgreSQL server.

The dates are picked by hand around the edges of the "due" window
(``REVIEW_DUE_DAYS`` = 14 days, both ends included).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.workshop_data import small_workshop
from toolkit.errors import InvalidInputError, NotFoundError
from toolkit.store import Store
from toolkit.store.followup import REVIEW_DUE_DAYS

SLUG = "tsuru-dx"
WEIGHTS = {"resident": 50, "staff": 30, "cost": 20}
AS_OF = date(2027, 3, 17)  # a Wednesday in the last month of 令和8年度


@pytest.fixture
def ws(empty_store: Store) -> Store:
    empty_store.create_workshop(small_workshop(SLUG))
    empty_store.propose_charter(SLUG, method="weighted_sum", weights=WEIGHTS)
    empty_store.create_ballot(SLUG, "budget", "予算の配分", rule="single", options=["a", "b"])
    return empty_store


def states(store: Store, as_of: date = AS_OF) -> list[tuple[str, str, str, str]]:
    return [
        (r.subject, r.key, r.review_on.isoformat(), r.state)
        for r in store.reviews(SLUG, as_of=as_of)
    ]


def test_the_due_window_is_fourteen_days() -> None:
    assert REVIEW_DUE_DAYS == 14


def test_every_review_date_with_its_state_around_the_window_edges(ws: Store) -> None:
    ws.set_review_date(SLUG, "charter", 1, date(2027, 3, 16), "配点を見直す")  # yesterday
    ws.set_review_date(SLUG, "ballot", "budget", date(2027, 3, 31))  # as_of + 14: last due day
    issues = [issue.key for issue in ws.issues(SLUG)]
    ws.set_roadmap_item(SLUG, issues[0], "令和8年度", review_on=date(2027, 3, 17))  # today
    ws.set_roadmap_item(SLUG, issues[1], "令和9年度", review_on=date(2027, 4, 1))  # as_of + 15
    ws.set_roadmap_item(SLUG, issues[2], "令和9年度")  # no review date: not listed

    assert states(ws) == [
        ("charter", "1", "2027-03-16", "overdue"),
        ("roadmap", issues[0], "2027-03-17", "due"),
        ("ballot", "budget", "2027-03-31", "due"),
        ("roadmap", issues[1], "2027-04-01", "upcoming"),
    ]
    # A day later the window moves with it: today's item is overdue, the 15th day is due.
    assert [state for *_, state in states(ws, AS_OF + timedelta(days=1))] == [
        "overdue",
        "overdue",
        "due",
        "due",
    ]
    charter = ws.reviews(SLUG, as_of=AS_OF)[0]
    assert charter.note == "配点を見直す"


def test_one_date_per_decision_changed_then_cleared(ws: Store) -> None:
    seq = ws.changes(SLUG)[-1].seq
    ws.set_review_date(SLUG, "ballot", "budget", date(2027, 6, 1), "初回")
    changed = ws.set_review_date(SLUG, "ballot", "budget", date(2027, 9, 1), "延期")
    assert changed is not None
    assert (changed.review_on, changed.note) == (date(2027, 9, 1), "延期")
    assert [(r.key, r.note) for r in ws.reviews(SLUG, as_of=AS_OF)] == [("budget", "延期")]

    assert ws.set_review_date(SLUG, "ballot", "budget", None) is None
    assert ws.reviews(SLUG, as_of=AS_OF) == []
    events = [e for e in ws.changes(SLUG, since=seq) if e.kind == "review_date_set"]
    assert [e.payload["review_on"] for e in events] == ["2027-06-01", "2027-09-01", None]


def test_the_charter_version_may_be_given_as_text(ws: Store) -> None:
    review = ws.set_review_date(SLUG, "charter", "1", date(2027, 1, 5))
    assert review is not None and (review.subject, review.key) == ("charter", "1")


@pytest.mark.parametrize(
    ("subject", "key", "message_en", "message_ja"),
    [
        ("charter", 2, "No method charter version 2", "第2版はありません"),
        ("charter", "second", "No method charter version second", "第second版"),
        ("ballot", "nothing", "No ballot 'nothing'", "投票 'nothing' はありません"),
    ],
)
def test_an_unknown_decision_is_refused(
    ws: Store, subject: str, key: str | int, message_en: str, message_ja: str
) -> None:
    with pytest.raises(NotFoundError) as refused:
        ws.set_review_date(SLUG, subject, key, date(2027, 1, 5))
    assert message_en in refused.value.message("en")
    assert message_ja in refused.value.message("ja")
    assert ws.reviews(SLUG, as_of=AS_OF) == []


def test_an_unknown_subject_or_a_non_date_is_refused(ws: Store) -> None:
    with pytest.raises(InvalidInputError) as refused:
        ws.set_review_date(SLUG, "roadmap", "madoguchi-konzatsu", date(2027, 1, 5))
    assert "charter, ballot" in refused.value.message("en")
    assert "見直し日" in refused.value.message("ja")
    with pytest.raises(InvalidInputError, match="2027-01-05"):
        ws.set_review_date(SLUG, "ballot", "budget", "2027-01-05")  # type: ignore[arg-type]
    assert ws.reviews(SLUG, as_of=AS_OF) == []


def test_the_database_keeps_one_date_per_decision(ws: Store) -> None:
    ws.set_review_date(SLUG, "charter", 1, date(2027, 1, 5))
    with pytest.raises(IntegrityError), ws.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO decision_reviews "
                "(workshop_id, subject, subject_key, review_on, note, set_at, actor) "
                "SELECT workshop_id, subject, subject_key, review_on, note, set_at, actor "
                "FROM decision_reviews"
            )
        )
    with pytest.raises(IntegrityError), ws.engine.begin() as conn:
        conn.execute(text("UPDATE decision_reviews SET subject = 'vision'"))
