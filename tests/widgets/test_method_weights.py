"""Criteria and weights: 100 points per seat, typed in or from AHP comparisons (with their CR)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workshop_data import small_workshop
from toolkit import methods
from toolkit.methods.pairwise import most_inconsistent
from toolkit.store import Store
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.method import CharterPanel, WeightAgreement
from widgets.seats import TableSeats

SLUG = "tsuru-dx"


@pytest.fixture
def agreement(small_workshop_store: Store) -> WeightAgreement:
    ctx = AppContext.for_store(small_workshop_store, SLUG, "en", table=1)
    widget = WeightAgreement(
        ctx, LiveFeed(small_workshop_store, SLUG), TableSeats(ctx), facilitator=True
    )
    widget.controls.open_button.click()
    return widget


def allocate(widget: WeightAgreement, seat: int, **points: int) -> None:
    widget.seats.buttons.value = seat
    for key, value in points.items():
        widget.points[key].value = value
    widget.points_submit.click()


def test_an_allocation_of_90_is_refused_and_nothing_is_stored(
    small_workshop_store: Store, agreement: WeightAgreement
) -> None:
    participants = small_workshop_store.counts(SLUG)["participants"]
    allocate(agreement, 1, resident=30, staff=30, cost=30)
    assert "Total: 90 of 100 points" in agreement.points_total.value
    assert "10 points still to give" in agreement.points_total.value
    assert "add up to 90; they must add up to exactly 100" in agreement.messages.value
    assert "Nothing was saved" in agreement.messages.value
    assert small_workshop_store.votes(SLUG, agreement.ballot.key) == []
    assert small_workshop_store.counts(SLUG)["participants"] == participants  # no seat even joined


def test_an_allocation_of_100_is_stored_as_a_vote_and_the_form_clears(
    small_workshop_store: Store, agreement: WeightAgreement
) -> None:
    allocate(agreement, 1, resident=50, staff=30, cost=20)
    assert "Seat 1: your 100 points are stored." in agreement.messages.value
    (vote,) = small_workshop_store.votes(SLUG, agreement.ballot.key)
    assert vote.payload == {"cost": 20, "resident": 50, "staff": 30}
    assert agreement.allocation() == {"resident": 0, "staff": 0, "cost": 0}
    # hidden until the facilitator closes the vote; then the mean is the proposal
    assert agreement.proposal == {}
    assert "allocations so far: 1" in agreement.proposal_view.value
    allocate(agreement, 2, resident=30, staff=30, cost=40)
    agreement.controls.close_button.click()
    agreement.controls.closer.yes.click()
    agreement.controls.closer.yes.click()  # closing is final: it asks first
    assert agreement.proposal == pytest.approx({"resident": 0.4, "staff": 0.3, "cost": 0.3})
    assert (
        "<td>40%</td>"
        in agreement.proposal_view.value.replace(agreement.proposal_view.value[:0], "")
        or "40%" in agreement.proposal_view.value
    )
    assert agreement.proposal_rules["weights_from"] == "points"


def test_criteria_left_out_get_no_points_and_no_weight(
    small_workshop_store: Store, agreement: WeightAgreement
) -> None:
    agreement.chosen_boxes["cost"].value = False
    assert [w.description for w in agreement.points_list.children] == [
        "住民のうれしさ",
        "職員のうれしさ",
    ]
    agreement.points["cost"].value = 40  # hidden field: not part of the allocation
    allocate(agreement, 1, resident=60, staff=40)
    (vote,) = small_workshop_store.votes(SLUG, agreement.ballot.key)
    assert vote.payload == {"resident": 60, "staff": 40}


def judge(widget: WeightAgreement, pairs: dict[tuple[str, str], float]) -> None:
    widget.mode.value = "ahp"
    for pair, value in pairs.items():
        widget.sliders[pair].value = value


def test_ahp_consistent_judgements_show_the_cr_and_the_100_points_to_submit(
    agreement: WeightAgreement,
) -> None:
    pairs = {("resident", "staff"): 2.0, ("resident", "cost"): 4.0, ("staff", "cost"): 2.0}
    judge(agreement, pairs)
    expected = methods.ahp_from_pairs(pairs, labels=["resident", "staff", "cost"])
    assert expected.consistency_ratio < 0.1
    assert f"CR = {expected.consistency_ratio:.2f}: 0.10 or less" in agreement.ahp_status.value
    # 4/7, 2/7, 1/7 = 57.14, 28.57, 14.29: the 100th point goes to the largest remainder
    assert agreement.ahp_allocation() == {"resident": 57, "staff": 29, "cost": 14}
    preview = agreement.ahp_points.value
    assert "Your comparisons as 100 points (what will be submitted)" in preview
    assert "住民のうれしさ</td><td>" in preview and "57</td>" in preview
    # nothing is proposed from one screen: the proposal is the group's mean, none yet
    assert agreement.proposal == {}
    assert "No allocations yet." in agreement.proposal_view.value
    assert "sent nowhere" not in agreement.proposal_view.value
    assert "not sent anywhere" not in agreement.proposal_view.value
    # each slider says the judgement in words
    label = agreement._slider_labels[("resident", "cost")].value
    assert "住民のうれしさ is moderately to much more important than コスト (4×)" in label


def test_each_comparison_names_one_criterion_at_each_end_of_its_slider(
    agreement: WeightAgreement,
) -> None:
    agreement.mode.value = "ahp"
    row = agreement.pairs_box.children[1]  # resident ⟷ cost
    line, judgement = row.children
    left, slider, right = line.children
    assert slider is agreement.sliders[("resident", "cost")]
    assert slider.description == ""  # no label squeezed in front of the slider to be cut off
    assert "住民のうれしさ" in left.value and "ureshii-ahp-end-left" in left._dom_classes
    assert "コスト" in right.value and "ureshii-ahp-end-right" in right._dom_classes
    assert "are equally important" in judgement.value
    # the left end is the first criterion: the leftmost step makes it 9 times as important
    slider.index = 0
    assert "住民のうれしさ is extremely more important than コスト (9×)" in judgement.value
    slider.index = len(slider.options) - 1
    assert "コスト is extremely more important than 住民のうれしさ (9×)" in judgement.value


def test_an_ahp_submission_is_stored_once_as_100_points_for_the_seat(
    small_workshop_store: Store, agreement: WeightAgreement
) -> None:
    judge(agreement, {("resident", "staff"): 3.0, ("resident", "cost"): 3.0})
    agreement.seats.buttons.value = 2
    agreement.ahp_submit.click()
    # equal staff and cost, resident 3 times each: 3/5, 1/5, 1/5
    assert (
        "Seat 2: your comparisons are stored as 100 points "
        "(住民のうれしさ 60, 職員のうれしさ 20, コスト 20; CR = 0.00)." in agreement.messages.value
    )
    (vote,) = small_workshop_store.votes(SLUG, agreement.ballot.key)
    assert vote.payload == {"resident": 60, "staff": 20, "cost": 20}
    assert vote.participant_id == small_workshop_store.participant(SLUG, agreement.seats.token()).id
    # the form starts again from "equal" for the next person
    assert all(slider.value == 1.0 for slider in agreement.sliders.values())

    # the same person cannot submit again, by AHP or by points: the store refuses it
    judge(
        agreement, {("resident", "staff"): 2.0, ("resident", "cost"): 4.0, ("staff", "cost"): 2.0}
    )
    agreement.ahp_submit.click()
    # the ballot by its title, never by its key ("weights")
    assert (
        "has already voted in “Criteria weights (100-point allocation)”: one person, one vote."
        in agreement.messages.value
    )
    agreement.mode.value = "points"
    allocate(agreement, 2, resident=10, staff=10, cost=80)
    assert "already voted" in agreement.messages.value
    assert [v.payload for v in small_workshop_store.votes(SLUG, agreement.ballot.key)] == [
        {"resident": 60, "staff": 20, "cost": 20}
    ]


def test_ahp_cannot_be_submitted_before_the_vote_opens(small_workshop_store: Store) -> None:
    ctx = AppContext.for_store(small_workshop_store, SLUG, "ja", table=1)
    widget = WeightAgreement(ctx, LiveFeed(small_workshop_store, SLUG), TableSeats(ctx))
    widget.mode.value = "ahp"
    assert widget.ahp_submit.disabled
    assert widget.ahp_submit.description == "比較を100点配分として送る"
    small_workshop_store.open_ballot(SLUG, widget.ballot.key)
    widget.refresh()
    assert not widget.ahp_submit.disabled


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


def test_ahp_needs_two_criteria_and_says_so_in_japanese(small_workshop_store: Store) -> None:
    ctx = AppContext.for_store(small_workshop_store, SLUG, "ja", table=1)
    widget = WeightAgreement(ctx, LiveFeed(small_workshop_store, SLUG), TableSeats(ctx))
    widget.mode.value = "ahp"
    assert len(widget.pairs_box.children) == 3
    widget.chosen_boxes["staff"].value = False
    widget.chosen_boxes["cost"].value = False
    assert "2つ以上選んでください" in widget.ahp_status.value
    assert widget.proposal == {} and widget.pairs_box.children == ()


def test_the_facilitator_opens_and_closes_the_vote_from_either_form(
    agreement: WeightAgreement,
) -> None:
    assert agreement.controls in agreement.children
    agreement.mode.value = "ahp"
    assert agreement.ahp_panel in agreement.method_area.children
    assert agreement.controls in agreement.children  # not hidden inside the points form
    assert "Voting is open: 0 votes so far." in agreement.ballot_status.value
    agreement.controls.close_button.click()
    agreement.controls.closer.yes.click()
    agreement.controls.closer.yes.click()
    assert agreement.ballot.status == "closed" and agreement.ahp_submit.disabled


def test_inconsistent_comparisons_are_submitted_only_on_a_second_click(
    small_workshop_store: Store, agreement: WeightAgreement
) -> None:
    # resident 2x staff and staff 2x cost, yet cost 4x resident: a contradiction
    pairs = {("resident", "staff"): 2.0, ("resident", "cost"): 1 / 4, ("staff", "cost"): 2.0}
    judge(agreement, pairs)
    result = methods.ahp_from_pairs(pairs, labels=["resident", "staff", "cost"])
    assert result.consistency_ratio > 0.1
    cr = f"{result.consistency_ratio:.2f}"
    agreement.seats.buttons.value = 1
    agreement.ahp_submit.click()
    assert f"Not submitted yet: the consistency ratio is CR = {cr}, above 0.10" in (
        agreement.messages.value
    )
    assert small_workshop_store.votes(SLUG, agreement.ballot.key) == []
    assert agreement.ahp_submit.description == f"Submit anyway (CR = {cr})"

    # another person (seat) is warned afresh: the second click is per person and answers
    agreement.seats.buttons.value = 2
    assert agreement.ahp_submit.description == "Submit my comparisons as 100 points"
    agreement.ahp_submit.click()
    assert small_workshop_store.votes(SLUG, agreement.ballot.key) == []
    agreement.seats.buttons.value = 1
    agreement.ahp_submit.click()
    assert small_workshop_store.votes(SLUG, agreement.ballot.key) == []

    # changing a comparison withdraws the warning: the new answers are checked again
    agreement.sliders[("staff", "cost")].value = 3.0
    assert agreement.ahp_submit.description == "Submit my comparisons as 100 points"
    agreement.sliders[("staff", "cost")].value = 2.0
    agreement.ahp_submit.click()
    assert small_workshop_store.votes(SLUG, agreement.ballot.key) == []

    agreement.ahp_submit.click()  # the second click on the same answers: stored
    (vote,) = small_workshop_store.votes(SLUG, agreement.ballot.key)
    assert vote.payload == methods.allocate_points(result)
    assert sum(vote.payload.values()) == 100
    assert f"CR = {cr})." in agreement.messages.value


def test_ahp_and_points_submissions_reach_the_charter_proposal_alike(
    small_workshop_store: Store,
) -> None:
    # the facilitator's screen: the weights (with the ballot's buttons) and the charter
    console = AppContext.for_store(small_workshop_store, SLUG, "en")
    feed = LiveFeed(small_workshop_store, SLUG)
    weights = WeightAgreement(console, feed, TableSeats(console), facilitator=True)
    panel = CharterPanel(console, feed, TableSeats(console), agreement=weights)
    # a table laptop, its own kernel and feed
    at_table = AppContext.for_store(small_workshop_store, SLUG, "en", table=2)
    table_feed = LiveFeed(small_workshop_store, SLUG)
    table = WeightAgreement(at_table, table_feed, TableSeats(at_table))

    weights.controls.open_button.click()
    table_feed.poll_once()
    # seat 1 compares in pairs: resident 3x staff and 3x cost, staff = cost -> 60 / 20 / 20
    judge(table, {("resident", "staff"): 3.0, ("resident", "cost"): 3.0})
    table.seats.buttons.value = 1
    table.ahp_submit.click()
    assert "Seat 1: your comparisons are stored as 100 points" in table.messages.value
    # seat 2 types 100 points
    table.mode.value = "points"
    allocate(table, 2, resident=20, staff=40, cost=40)
    assert "Seat 2: your 100 points are stored." in table.messages.value

    small_workshop_store.close_ballot(
        SLUG, weights.ballot.key
    )  # (closing asks first on the screen)
    feed.poll_once()
    # by hand: resident (60 + 20) / 2 = 40, staff (20 + 40) / 2 = 30, cost (20 + 40) / 2 = 30
    expected = {"resident": 0.40, "staff": 0.30, "cost": 0.30}
    assert weights.proposal == pytest.approx(expected)
    assert panel.weights == pytest.approx(expected)
    assert "the mean of the 100-point allocations (people: 2)" in panel.weights_view.value
    panel.propose_button.click()
    draft = small_workshop_store.charters(SLUG)[-1]
    assert draft.weights == pytest.approx(expected)
    assert draft.rules["weights_from"] == "points" and draft.rules["allocations"] == 2

    # the facilitator's own screen in AHP mode still proposes the group's mean, not its sliders
    weights.mode.value = "ahp"
    weights.sliders[("resident", "staff")].value = 9.0
    assert panel.weights == pytest.approx(expected)


def test_the_comparisons_are_built_only_once_ahp_is_chosen(small_workshop_store: Store) -> None:
    # a table laptop that only uses the 100 points never receives the sliders' widgets
    ctx = AppContext.for_store(small_workshop_store, SLUG, "en", table=1)
    widget = WeightAgreement(ctx, LiveFeed(small_workshop_store, SLUG), TableSeats(ctx))
    assert widget.sliders == {} and widget.pairs_box.children == ()
    widget.mode.value = "ahp"
    assert set(widget.sliders) == {("resident", "staff"), ("resident", "cost"), ("staff", "cost")}
    assert "CR = 0.00" in widget.ahp_status.value
