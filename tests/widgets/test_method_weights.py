"""Criteria and weights: 100-point allocation per seat, and AHP with its consistency ratio."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workshop_data import small_workshop
from toolkit import methods
from toolkit.store import Store
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.method import WeightAgreement, most_inconsistent
from widgets.seats import TableSeats

SLUG = "tsuru-dx"


@pytest.fixture
def agreement(store: Store) -> WeightAgreement:
    ctx = AppContext.for_store(store, SLUG, "en", table=1)
    widget = WeightAgreement(ctx, LiveFeed(store, SLUG), TableSeats(ctx), facilitator=True)
    widget.controls.open_button.click()
    return widget


def allocate(widget: WeightAgreement, seat: int, **points: int) -> None:
    widget.seats.buttons.value = seat
    for key, value in points.items():
        widget.points[key].value = value
    widget.points_submit.click()


def test_an_allocation_of_90_is_refused_and_nothing_is_stored(
    store: Store, agreement: WeightAgreement
) -> None:
    participants = store.counts(SLUG)["participants"]
    allocate(agreement, 1, resident=30, staff=30, cost=30)
    assert "Total: 90 of 100 points" in agreement.points_total.value
    assert "10 points still to give" in agreement.points_total.value
    assert "add up to 90; they must add up to exactly 100" in agreement.messages.value
    assert "Nothing was saved" in agreement.messages.value
    assert store.votes(SLUG, agreement.ballot.key) == []
    assert store.counts(SLUG)["participants"] == participants  # no seat even joined


def test_an_allocation_of_100_is_stored_as_a_vote_and_the_form_clears(
    store: Store, agreement: WeightAgreement
) -> None:
    allocate(agreement, 1, resident=50, staff=30, cost=20)
    assert "Seat 1: your 100 points are stored." in agreement.messages.value
    (vote,) = store.votes(SLUG, agreement.ballot.key)
    assert vote.payload == {"cost": 20, "resident": 50, "staff": 30}
    assert agreement.allocation() == {"resident": 0, "staff": 0, "cost": 0}
    # hidden until the facilitator closes the vote; then the mean is the proposal
    assert agreement.proposal == {}
    assert "allocations so far: 1" in agreement.proposal_view.value
    allocate(agreement, 2, resident=30, staff=30, cost=40)
    agreement.controls.close_button.click()
    assert agreement.proposal == pytest.approx({"resident": 0.4, "staff": 0.3, "cost": 0.3})
    assert (
        "<td>40%</td>"
        in agreement.proposal_view.value.replace(agreement.proposal_view.value[:0], "")
        or "40%" in agreement.proposal_view.value
    )
    assert agreement.proposal_rules["weights_from"] == "points"


def test_criteria_left_out_get_no_points_and_no_weight(
    store: Store, agreement: WeightAgreement
) -> None:
    agreement.chosen_boxes["cost"].value = False
    assert [w.description for w in agreement.points_list.children] == [
        "住民のうれしさ",
        "職員のうれしさ",
    ]
    agreement.points["cost"].value = 40  # hidden field: not part of the allocation
    allocate(agreement, 1, resident=60, staff=40)
    (vote,) = store.votes(SLUG, agreement.ballot.key)
    assert vote.payload == {"resident": 60, "staff": 40}


def judge(widget: WeightAgreement, pairs: dict[tuple[str, str], float]) -> None:
    widget.mode.value = "ahp"
    for pair, value in pairs.items():
        widget.sliders[pair].value = value


def test_ahp_consistent_judgements_show_the_cr_and_weights(agreement: WeightAgreement) -> None:
    pairs = {("resident", "staff"): 2.0, ("resident", "cost"): 4.0, ("staff", "cost"): 2.0}
    judge(agreement, pairs)
    expected = methods.ahp_from_pairs(pairs, labels=["resident", "staff", "cost"])
    assert expected.consistency_ratio < 0.1
    assert f"CR = {expected.consistency_ratio:.2f}: 0.10 or less" in agreement.ahp_status.value
    assert agreement.proposal == pytest.approx(expected.weights.to_dict())
    assert agreement.proposal_rules["ahp_cr"] == pytest.approx(expected.consistency_ratio, abs=1e-4)
    # each slider says the judgement in words
    label = agreement._slider_labels[("resident", "cost")].value
    assert "住民のうれしさ is moderately to much more important than コスト (4×)" in label


def test_ahp_inconsistent_judgements_get_a_hint_naming_the_worst_comparison(
    tmp_path: Path,
) -> None:
    spec = small_workshop(SLUG)
    spec["criteria"].append(
        {"id": "urgency", "name": "緊急度", "scale": {"min": 1, "max": 5, "anchors": {1: "低"}}}
    )
    with Store.open(tmp_path / "four.sqlite") as store:
        store.create_workshop(spec)
        ctx = AppContext.for_store(store, SLUG, "en", table=1)
        widget = WeightAgreement(ctx, LiveFeed(store, SLUG), TableSeats(ctx))
        # consistent with 8 : 4 : 2 : 1, except staff vs urgency, turned round
        pairs = {
            ("resident", "staff"): 2.0,
            ("resident", "cost"): 4.0,
            ("resident", "urgency"): 8.0,
            ("staff", "cost"): 2.0,
            ("staff", "urgency"): 1 / 4,
            ("cost", "urgency"): 2.0,
        }
        judge(widget, pairs)
        result = methods.ahp_from_pairs(pairs, labels=["resident", "staff", "cost", "urgency"])
        assert result.consistency_ratio > 0.1
        assert most_inconsistent(pairs, result.weights.to_dict()) == ("staff", "urgency")
        status = widget.ahp_status.value
        assert f"CR = {result.consistency_ratio:.2f}: above 0.10" in status
        assert "Look again first at “職員のうれしさ ⟷ 緊急度”" in status
        # turning that comparison back removes the contradiction
        widget.sliders[("staff", "urgency")].value = 4.0
        assert "CR = 0.00: 0.10 or less" in widget.ahp_status.value


def test_ahp_needs_two_criteria_and_says_so_in_japanese(store: Store) -> None:
    ctx = AppContext.for_store(store, SLUG, "ja", table=1)
    widget = WeightAgreement(ctx, LiveFeed(store, SLUG), TableSeats(ctx))
    widget.mode.value = "ahp"
    assert len(widget.pairs_box.children) == 3
    widget.chosen_boxes["staff"].value = False
    widget.chosen_boxes["cost"].value = False
    assert "2つ以上選んでください" in widget.ahp_status.value
    assert widget.proposal == {} and widget.pairs_box.children == ()
