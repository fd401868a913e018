"""The store on a real SQLite file and a real PostgreSQL server (each test runs on both).

Rules are tested twice: through the public API (a friendly, typed error) and with raw SQL
that bypasses the API (the database itself refuses), because "integrity lives in the
database" (STYLE.md §4).
"""

from __future__ import annotations

import math

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.workshop_data import small_workshop
from toolkit.errors import (
    BallotClosedError,
    CharterNotLockedError,
    ConsentBlockedError,
    DuplicateVoteError,
    InvalidInputError,
    MethodLockedError,
    NotFoundError,
    UreshiiError,
)
from toolkit.store import Store
from toolkit.store.engine import schema_revision
from toolkit.store.tables import metadata

SLUG = "tsuru-dx"
WEIGHTS = {"resident": 50, "staff": 30, "cost": 20}


@pytest.fixture
def ws(empty_store: Store) -> Store:
    empty_store.create_workshop(small_workshop(SLUG))
    return empty_store


def locked(store: Store, participants: int = 3) -> list[str]:
    """Propose, consent and lock charter v1; return the participants' tokens."""
    tokens = [store.join(SLUG) for _ in range(participants)]
    store.propose_charter(SLUG, method="weighted_sum", weights=WEIGHTS)
    for token in tokens:
        store.record_consent(SLUG, token, 4)
    store.lock_charter(SLUG)
    return tokens


def raw(store: Store, sql: str, **params: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


# ---------------------------------------------------------------- schema and migrations
def test_migrations_reach_head_and_match_the_tables(empty_store: Store) -> None:
    assert schema_revision(empty_store.engine) == "0007"
    with empty_store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_reopening_a_store_keeps_its_data(database_url: str) -> None:
    with Store.open(database_url) as first:
        first.create_workshop(small_workshop(SLUG))
    with Store.open(database_url) as again:
        assert [w.slug for w in again.workshops()] == [SLUG]


def test_missing_folder_is_a_clear_error(tmp_path: object) -> None:
    with pytest.raises(UreshiiError, match="does not exist: create it first"):
        Store.open(f"{tmp_path}/no/such/folder/w.sqlite")


# ---------------------------------------------------------------- loading a workshop
def test_workshop_is_loaded_with_its_links(ws: Store) -> None:
    workshop = ws.workshop(SLUG)
    assert workshop.title == "鶴見町 DX ビジョンワークショップ" and workshop.phase == "happiness"
    assert [s.key for s in ws.stakeholders(SLUG)] == ["kosodate", "madoguchi"]
    issue = ws.issues(SLUG)[0]
    assert (issue.themes, issue.stakeholders, issue.gap) == (("matanai",), ("kosodate",), 3)
    assert [c.direction for c in ws.criteria(SLUG)] == ["benefit", "benefit", "cost"]
    assert ws.criteria(SLUG)[0].anchors == {1: "低", 5: "高"}
    ballot = ws.ballot(SLUG, "town")
    assert (ballot.status, ballot.visibility, ballot.results_visible) == (
        "draft",
        "hidden_until_close",
        False,
    )


def test_same_workshop_twice_is_refused(ws: Store) -> None:
    with pytest.raises(InvalidInputError, match="already exists in this store"):
        ws.create_workshop(small_workshop(SLUG))
    assert len(ws.workshops()) == 1


# ---------------------------------------------------------------- happiness map
def test_cards_are_grouped_into_themes(ws: Store) -> None:
    token = ws.join(SLUG)
    card = ws.add_card(SLUG, "  窓口で待たずに済む  ", stakeholder="kosodate", token=token)
    theme = ws.add_theme(SLUG, "Paperless office")
    ws.group_card(SLUG, card.id, theme.key)
    [stored] = ws.cards(SLUG)
    assert (stored.text, stored.stakeholder, stored.theme) == (
        "窓口で待たずに済む",
        "kosodate",
        "paperless-office",
    )


@pytest.mark.parametrize(
    ("text_value", "message"),
    [("", "must not be empty"), ("あ" * 501, "501 characters long; at most 500")],
    ids=["empty", "too-long"],
)
def test_bad_card_is_refused_and_nothing_is_stored(
    ws: Store, text_value: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        ws.add_card(SLUG, text_value)
    assert ws.cards(SLUG) == []


def test_card_for_unknown_stakeholder_says_so(ws: Store) -> None:
    with pytest.raises(NotFoundError, match="No stakeholder 'kosodat'"):
        ws.add_card(SLUG, "うれしい", stakeholder="kosodat")
    assert ws.cards(SLUG) == []


# ---------------------------------------------------------------- method charter
def test_charter_locks_only_after_consent_without_blocks(ws: Store) -> None:
    a, b = ws.join(SLUG), ws.join(SLUG)
    draft = ws.propose_charter(SLUG, method="weighted_sum", weights=WEIGHTS)
    assert draft.weights == {"resident": 0.5, "staff": 0.3, "cost": 0.2} and not draft.locked
    with pytest.raises(ConsentBlockedError, match="Nobody has answered the consent check"):
        ws.lock_charter(SLUG)
    ws.record_consent(SLUG, a, 0)
    ws.record_consent(SLUG, b, 5)
    with pytest.raises(ConsentBlockedError, match="1 participant\\(s\\) blocked it"):
        ws.lock_charter(SLUG)
    assert not ws.charter(SLUG, 1).locked


def test_lock_records_time_and_consent(ws: Store) -> None:
    locked(ws, participants=3)
    charter = ws.locked_charter(SLUG)
    assert charter is not None and charter.version == 1 and charter.locked_at is not None
    assert charter.consent == {
        "responses": 3,
        "blocks": 0,
        "levels": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 3, "5": 0},
    }


def test_locked_charter_cannot_change_through_the_api(ws: Store) -> None:
    locked(ws)
    with pytest.raises(MethodLockedError, match="v1 is locked and cannot change"):
        ws.amend_charter(SLUG, 1, weights={"resident": 1.0})
    assert ws.charter(SLUG, 1).weights == {"resident": 0.5, "staff": 0.3, "cost": 0.2}


@pytest.mark.parametrize(
    "sql",
    ["UPDATE charters SET weights = '{}'", "DELETE FROM charters", "DELETE FROM charter_locks"],
    ids=["update", "delete", "unlock"],
)
def test_locked_charter_cannot_change_even_with_raw_sql(ws: Store, sql: str) -> None:
    locked(ws)
    with pytest.raises(IntegrityError, match=r"charter_locked|append_only"):
        raw(ws, sql)
    assert ws.locked_charter(SLUG) is not None


def test_change_after_lock_is_a_new_version_with_a_reason(ws: Store) -> None:
    locked(ws)
    with pytest.raises(InvalidInputError, match="give the reason"):
        ws.revise_charter(SLUG, reason="  ")
    v2 = ws.revise_charter(
        SLUG, reason="コストの重みを上げる", weights={"resident": 40, "staff": 30, "cost": 30}
    )
    assert (v2.version, v2.reason, v2.locked) == (2, "コストの重みを上げる", False)
    assert [c.version for c in ws.charters(SLUG)] == [1, 2]
    assert ws.locked_charter(SLUG).version == 1  # type: ignore[union-attr]
    kinds = [e.kind for e in ws.changes(SLUG)]
    assert kinds.count("charter_proposed") == 2 and "charter_locked" in kinds


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"resident": 0.5, "staff": 0.3}, "add up to 0.8; they must add up to 1"),
        ({"resident": 0.5, "speed": 0.5}, "unknown criterion 'speed'"),
        ({"resident": -0.5, "staff": 1.5}, "must be numbers, 0 or more"),
        ({"resident": math.nan, "staff": 1.0}, "must be numbers, 0 or more"),
    ],
    ids=["sum", "unknown", "negative", "nan"],
)
def test_bad_weights_are_refused(ws: Store, weights: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        ws.propose_charter(SLUG, method="weighted_sum", weights=weights)
    assert ws.charters(SLUG) == []


# ---------------------------------------------------------------- scoring
def test_scores_are_refused_before_the_lock(ws: Store) -> None:
    token = ws.join(SLUG)
    ws.propose_charter(SLUG, method="weighted_sum", weights=WEIGHTS)
    with pytest.raises(CharterNotLockedError, match="lock the method charter first"):
        ws.record_scores(SLUG, token, {("sanres", "resident"): 4})
    assert ws.scores(SLUG).empty


def test_scores_are_refused_before_the_lock_even_with_raw_sql(ws: Store) -> None:
    ws.join(SLUG)
    ws.propose_charter(SLUG, method="weighted_sum", weights=WEIGHTS)
    with pytest.raises(IntegrityError):
        raw(
            ws,
            "INSERT INTO scores"
            " (charter_id, participant_id, issue_id, criterion_id, value, created_at)"
            " SELECT c.id, p.id, i.id, k.id, 3, CURRENT_TIMESTAMP FROM charters c, participants p,"
            " issues i, criteria k LIMIT 1",
        )


def test_scores_after_the_lock_keep_the_latest_and_dont_know(ws: Store) -> None:
    token, other, _ = locked(ws)
    ws.record_scores(SLUG, token, {("sanres", "resident"): 2, ("sanres", "staff"): None})
    ws.record_scores(SLUG, token, {("sanres", "resident"): 5})  # changed their mind
    ws.record_scores(SLUG, other, {("sanres", "resident"): 3})
    frame = ws.scores(SLUG)
    mine = frame[frame.rater == frame.rater.min()].set_index("criterion")["score"]
    assert mine["resident"] == 5.0 and math.isnan(mine["staff"])
    assert len(frame) == 3
    assert ws.counts(SLUG)["scores"] == 4  # the superseded score stays on record


def test_score_outside_the_scale_is_refused(ws: Store) -> None:
    token = locked(ws)[0]
    with pytest.raises(InvalidInputError, match="outside its scale 1–5"):
        ws.record_scores(SLUG, token, {("sanres", "resident"): 4, ("chat", "staff"): 9})
    assert ws.scores(SLUG).empty  # all or nothing


# ---------------------------------------------------------------- ballots and votes
def test_one_person_one_vote(ws: Store) -> None:
    ws.open_ballot(SLUG, "town")
    token = ws.join(SLUG)
    vote = ws.cast_vote(SLUG, "town", token, ["chat", "sanres"])
    assert vote.payload == ["chat", "sanres"]
    with pytest.raises(DuplicateVoteError, match="one person, one vote"):
        ws.cast_vote(SLUG, "town", token, ["chat"])
    assert len(ws.votes(SLUG, "town")) == 1


def test_duplicate_vote_is_refused_by_the_database_itself(ws: Store) -> None:
    ws.open_ballot(SLUG, "town")
    ws.cast_vote(SLUG, "town", ws.join(SLUG), ["chat"])
    with pytest.raises(IntegrityError):
        raw(
            ws,
            "INSERT INTO votes (ballot_id, participant_id, payload, channel, created_at)"
            " SELECT ballot_id, participant_id, payload, channel, created_at FROM votes",
        )
    assert len(ws.votes(SLUG, "town")) == 1


def test_closed_ballot_is_final(ws: Store) -> None:
    ws.open_ballot(SLUG, "town")
    early, late = ws.join(SLUG), ws.join(SLUG)
    ws.cast_vote(SLUG, "town", early, ["chat"])
    ws.close_ballot(SLUG, "town")
    closed = "The vote “どれを先にやる？” is not open for votes now"  # its title, not its key
    with pytest.raises(BallotClosedError, match=closed):
        ws.cast_vote(SLUG, "town", late, ["sanres"])
    with pytest.raises(BallotClosedError, match="cannot be reopened"):
        ws.open_ballot(SLUG, "town")
    with pytest.raises(IntegrityError, match="ballot_closed_final"):
        raw(ws, "UPDATE ballots SET status = 'open'")
    assert [v.payload for v in ws.votes(SLUG, "town")] == [["chat"]]
    assert ws.ballot(SLUG, "town").results_visible


def test_vote_on_a_draft_ballot_is_refused_even_with_raw_sql(ws: Store) -> None:
    ws.join(SLUG)
    with pytest.raises(IntegrityError, match="ballot_not_open"):
        raw(
            ws,
            "INSERT INTO votes (ballot_id, participant_id, payload, channel, created_at)"
            " SELECT b.id, p.id, '[]', 'device', CURRENT_TIMESTAMP FROM ballots b, participants p",
        )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (["chat", "nope"], "'nope' is not an option of this ballot"),
        (["chat", "chat"], "same option appears twice"),
        ("chat", "Expected a list of options"),
    ],
    ids=["unknown-option", "repeated", "wrong-type"],
)
def test_bad_vote_is_refused_and_the_voter_can_still_vote(
    ws: Store, payload: object, message: str
) -> None:
    ws.open_ballot(SLUG, "town")
    token = ws.join(SLUG)
    with pytest.raises(InvalidInputError, match=message):
        ws.cast_vote(SLUG, "town", token, payload)
    assert ws.votes(SLUG, "town") == []
    ws.cast_vote(SLUG, "town", token, ["chat"])  # nothing was half-stored
    assert len(ws.votes(SLUG, "town")) == 1


def test_budget_ballot_refuses_an_over_budget_selection(ws: Store) -> None:
    ws.create_ballot(
        SLUG,
        "pb",
        "予算",
        rule="greedy_budget",
        options=["madoguchi-konzatsu", "sanres", "chat"],
        settings={
            "budget": 3_500_000,
            "costs": {"madoguchi-konzatsu": 3_000_000, "sanres": 1_000_000, "chat": 500_000},
        },
    )
    ws.open_ballot(SLUG, "pb")
    with pytest.raises(
        InvalidInputError, match="cost 4,000,000 yen, more than the budget of 3,500,000"
    ):
        ws.cast_vote(SLUG, "pb", ws.join(SLUG), ["madoguchi-konzatsu", "sanres"])
    ws.cast_vote(SLUG, "pb", ws.join(SLUG), ["madoguchi-konzatsu", "chat"])
    assert len(ws.votes(SLUG, "pb")) == 1


def test_unknown_token_cannot_vote(ws: Store) -> None:
    ws.open_ballot(SLUG, "town")
    with pytest.raises(NotFoundError, match="Unknown participant token"):
        ws.cast_vote(SLUG, "town", "forged-token", ["chat"])


def test_tokens_are_stored_only_as_hashes(ws: Store) -> None:
    token = ws.join(SLUG)
    with ws.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM participants")).scalars().all()
    assert token not in stored and len(stored[0]) == 64


# ---------------------------------------------------------------- audit log and change feed
@pytest.mark.parametrize(
    "sql", ["UPDATE events SET kind = 'x'", "DELETE FROM events"], ids=["update", "delete"]
)
def test_audit_log_is_append_only(ws: Store, sql: str) -> None:
    with pytest.raises(IntegrityError, match="append_only"):
        raw(ws, sql)
    assert ws.changes(SLUG)[0].kind == "workshop_created"


def test_change_feed_returns_everything_since_n_in_order(ws: Store) -> None:
    start = ws.last_seq(SLUG)
    ws.set_phase(SLUG, "vision")
    ws.add_theme(SLUG, "つながる")
    changes = ws.changes(SLUG, since=start)
    assert [e.kind for e in changes] == ["phase_changed", "theme_added"]
    assert changes[0].seq > start and changes[1].seq > changes[0].seq
    assert ws.changes(SLUG, since=changes[-1].seq) == []
    assert ws.last_seq(SLUG) == changes[-1].seq


def test_vote_events_do_not_reveal_the_vote(ws: Store) -> None:
    ws.open_ballot(SLUG, "town")
    ws.cast_vote(SLUG, "town", ws.join(SLUG), ["sanres"])
    event = ws.changes(SLUG)[-1]
    assert event.kind == "vote_cast" and event.payload == {"ballot": "town"}


def test_unknown_phase_is_refused(ws: Store) -> None:
    with pytest.raises(InvalidInputError, match="Unknown phase 'voting'; allowed: happiness"):
        ws.set_phase(SLUG, "voting")


# ---------------------------------------------------------------- vision
def test_vision_drafts_are_versions_with_their_own_consent(ws: Store) -> None:
    a, b = ws.join(SLUG), ws.join(SLUG)
    ws.draft_vision(SLUG, "待たずに、つながる町", themes=["matanai"])
    ws.record_vision_consent(SLUG, a, 2)
    v2 = ws.draft_vision(SLUG, "だれも待たずに、つながる町", themes=["matanai"])
    ws.record_vision_consent(SLUG, a, 5)  # a new draft is a new consent check
    ws.record_vision_consent(SLUG, b, 4)
    with pytest.raises(InvalidInputError, match="already answered the consent check for vision"):
        ws.record_vision_consent(SLUG, b, 1)
    assert [v.version for v in ws.visions(SLUG)] == [1, v2.version] == [1, 2]
    assert [c.level for c in ws.vision_consents(SLUG, 1)] == [2]
    assert [c.level for c in ws.vision_consents(SLUG, 2)] == [5, 4]
    with pytest.raises(IntegrityError, match="append_only"):
        raw(ws, "UPDATE visions SET text = 'x'")


def test_vision_from_an_unknown_theme_is_refused(ws: Store) -> None:
    with pytest.raises(NotFoundError, match="No theme 'matanaii'"):
        ws.draft_vision(SLUG, "町の未来", themes=["matanaii"])
    assert ws.visions(SLUG) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"channel": "fax"}, "Unknown channel 'fax'"),
        ({"category": "mayor"}, "Unknown category 'mayor'"),
    ],
    ids=["channel", "category"],
)
def test_join_refuses_unknown_channel_or_group(
    ws: Store, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        ws.join(SLUG, **kwargs)
    assert ws.counts(SLUG)["participants"] == 0


def test_issue_links_can_be_changed_and_the_change_is_recorded(ws: Store) -> None:
    ws.add_theme(SLUG, "つながる", key="tsunagaru")
    issue = ws.link_issue(
        SLUG, "sanres", themes=["tsunagaru", "matanai"], stakeholders=["madoguchi"]
    )
    assert (issue.themes, issue.stakeholders) == (("matanai", "tsunagaru"), ("madoguchi",))
    issue = ws.link_issue(SLUG, "sanres", themes=[])  # stakeholders kept
    assert (issue.themes, issue.stakeholders) == ((), ("madoguchi",))
    assert ws.changes(SLUG)[-1].payload == {"key": "sanres", "themes": [], "stakeholders": None}
    with pytest.raises(NotFoundError, match="No theme 'nope'"):
        ws.link_issue(SLUG, "sanres", themes=["nope"])
    assert ws.issues(SLUG)[1].stakeholders == ("madoguchi",)


def test_keys_for_japanese_names_are_readable(ws: Store) -> None:
    assert ws.add_theme(SLUG, "3レス").key == "theme"
    assert ws.add_theme(SLUG, "待たない").key == "theme-2"
    assert ws.add_theme(SLUG, "Paperless office").key == "paperless-office"


def test_after_a_block_an_amended_draft_gets_a_fresh_consent_round(ws: Store) -> None:
    blocker, supporter = ws.join(SLUG), ws.join(SLUG)
    ws.propose_charter(SLUG, method="weighted_sum", weights=WEIGHTS)
    ws.record_consent(SLUG, blocker, 0)
    ws.record_consent(SLUG, supporter, 5)
    with pytest.raises(ConsentBlockedError, match="blocked it"):
        ws.lock_charter(SLUG)
    # The group discusses the concern and amends the draft: everyone answers again.
    ws.amend_charter(SLUG, 1, weights={"resident": 40, "staff": 40, "cost": 20})
    assert ws.consents(SLUG, 1) == []
    with pytest.raises(ConsentBlockedError, match="Nobody has answered"):
        ws.lock_charter(SLUG)
    ws.record_consent(SLUG, blocker, 3)
    ws.record_consent(SLUG, supporter, 4)
    with pytest.raises(InvalidInputError, match="already answered"):
        ws.record_consent(SLUG, supporter, 5)  # still once per person per round
    charter = ws.lock_charter(SLUG)
    assert charter.consent["responses"] == 2 and charter.consent["blocks"] == 0  # type: ignore[index]
    assert ws.counts(SLUG)["participants"] == 2
    with ws.engine.connect() as conn:  # the first round's answers, the block too, stay on record
        assert conn.execute(text("SELECT COUNT(*) FROM consents")).scalar() == 4
