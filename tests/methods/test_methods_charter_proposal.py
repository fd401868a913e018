"""What the method charter proposes and how one person's comparisons are checked, against
examples worked out by hand (issue 15: these decisions moved out of the method widgets)."""

from __future__ import annotations

import math

import pytest

from toolkit.ballots import tally
from toolkit.methods.charter import (
    DEFAULT_MINUTES,
    default_method,
    method_minutes,
    points_to_weights,
    proposed_weights,
    vote_winner,
)
from toolkit.methods.pairwise import (
    CR_THRESHOLD,
    check_judgements,
    judgement_scale,
    most_inconsistent,
)


def test_three_criteria_in_a_loop_are_inconsistent_by_saatys_formula() -> None:
    # A 2x B, B 2x C, but A only as important as C. For a 3x3 reciprocal matrix
    # lambda_max = 1 + d^(1/3) + d^(-1/3) with d = a_AB * a_BC / a_AC = 4:
    # 1 + 1.5874 + 0.6300 = 3.2174; CI = (3.2174 - 3) / 2 = 0.1087; CR = CI / 0.58 = 0.1874.
    # The weights are the rows' geometric means: 2^(1/3), 1, (1/2)^(1/3) = 1.2599, 1, 0.7937,
    # over their sum 3.0536: 0.4126, 0.3275, 0.2599.
    check = check_judgements({("A", "B"): 2.0, ("B", "C"): 2.0, ("A", "C"): 1.0}, ["A", "B", "C"])
    assert check.consistency_ratio == pytest.approx(0.1874, abs=5e-4)
    assert not check.consistent and check.consistency_ratio > CR_THRESHOLD
    assert check.weights == pytest.approx({"A": 0.4126, "B": 0.3275, "C": 0.2599}, abs=5e-4)
    # 41.26, 32.75, 25.99 points: 41 + 32 + 25 = 98, the two largest remainders (.99, .75) get
    # one more each.
    assert check.points == {"A": 41, "B": 33, "C": 26}
    assert check.worst in {("A", "B"), ("B", "C"), ("A", "C")}


def test_the_judgement_that_breaks_a_consistent_set_is_the_one_named() -> None:
    # Every judgement fits weights 8 : 4 : 2 : 1 except "D is 4x as important as C", which
    # should be "C is 2x D": off by a factor of 8, so it is the one to look at again.
    pairs = {
        ("A", "B"): 2.0, ("A", "C"): 4.0, ("A", "D"): 8.0,
        ("B", "C"): 2.0, ("B", "D"): 4.0, ("C", "D"): 1 / 4,
    }  # fmt: skip
    check = check_judgements(pairs, ["A", "B", "C", "D"])
    assert not check.consistent
    assert check.worst == ("C", "D")
    assert sum(check.points.values()) == 100


def test_consistent_judgements_pass_and_name_nothing() -> None:
    # A 3x B, B 3x C, A 9x C: weights 9/13, 3/13, 1/13 = 0.6923, 0.2308, 0.0769; points
    # 69.23, 23.08, 7.69 -> 69 + 23 + 7 = 99; C's remainder (.69) is the largest: C gets 8.
    check = check_judgements({("A", "B"): 3.0, ("B", "C"): 3.0, ("A", "C"): 9.0}, ["A", "B", "C"])
    assert check.consistent and check.worst is None
    assert check.consistency_ratio == pytest.approx(0.0, abs=1e-9)
    assert check.weights == pytest.approx({"A": 9 / 13, "B": 3 / 13, "C": 1 / 13})
    assert check.points == {"A": 69, "B": 23, "C": 8}


def test_most_inconsistent_uses_the_log_error_of_each_judgement() -> None:
    # weights 0.6, 0.3, 0.1: "A 2x B" fits (2 * 0.3 / 0.6 = 1, error 0); "A 3x C" gives
    # 3 * 0.1 / 0.6 = 0.5, error log 2; "C 2x B" gives 2 * 0.3 / 0.1 = 6, error log 6.
    weights = {"A": 0.6, "B": 0.3, "C": 0.1}
    pairs = {("A", "B"): 2.0, ("A", "C"): 3.0, ("C", "B"): 2.0}
    assert most_inconsistent(pairs, weights) == ("C", "B")
    assert most_inconsistent({("A", "B"): 2.0, ("A", "C"): 3.0}, weights) == ("A", "C")
    assert math.log(6) > math.log(2)


def test_the_judgement_scale_runs_from_nine_to_one_ninth() -> None:
    scale = judgement_scale()
    assert [s.value for s in scale] == [9, 8, 7, 6, 5, 4, 3, 2, 1] + [1 / n for n in range(2, 10)]
    assert [s.strength for s in scale] == [*range(9, 0, -1), *range(2, 10)]
    assert [s.favoured for s in scale] == ["first"] * 8 + [None] + ["second"] * 8


def test_method_minutes_take_the_files_number_else_the_default() -> None:
    assert method_minutes({"id": "ahp", "minutes": 25}) == 25
    assert method_minutes({"id": "ahp"}) == DEFAULT_MINUTES["ahp"] == 60
    assert method_minutes({"id": "ahp", "minutes": None}) == 60
    assert method_minutes({"id": "a-method-from-later"}) == 30


def test_the_method_vote_winner_is_the_most_voted_candidate() -> None:
    # five seats: borda, ahp, borda, schulze, borda -> borda 3, ahp 1, schulze 1
    counted = tally(
        "single", ["ahp", "borda", "schulze"], {}, ["borda", "ahp", "borda", "schulze", "borda"]
    )
    assert vote_winner(counted) == "borda"
    assert default_method(vote_winner(counted), ["ahp", "borda"]) == "borda"
    # the winner is no longer a candidate (the file changed): the first candidate instead
    assert default_method("borda", ["ahp", "schulze"]) == "ahp"
    assert vote_winner(None) is None and default_method(None, []) is None


def test_points_become_weights_summing_to_one() -> None:
    # three seats: (50, 50, 0), (30, 30, 40), (10, 60, 30) -> 90, 140, 70 of 300
    weights = points_to_weights({"cost": 90, "benefit": 140, "risk": 70})
    assert weights == pytest.approx({"cost": 0.3, "benefit": 140 / 300, "risk": 70 / 300})
    assert points_to_weights({}) is None
    assert points_to_weights({"cost": 0, "benefit": 0}) is None


def test_proposed_weights_take_the_first_source_that_has_weights() -> None:
    criteria = ["cost", "benefit", "risk"]
    screen = {"cost": 0.5, "benefit": 0.5, "risk": 0.0}
    mean = {"cost": 0.25, "benefit": 0.75}
    in_file = {"cost": 2, "benefit": 1, "risk": 1}

    first = proposed_weights(
        criteria,
        agreement=screen,
        agreement_rules={"weights_from": "points", "ballot": "weights"},
        ballot_mean=mean,
        allocations=4,
        file_weights=in_file,
    )
    assert (first.source, first.weights) == ("agreement", screen)
    assert first.rules == {"weights_from": "points", "ballot": "weights"}

    second = proposed_weights(criteria, ballot_mean=mean, allocations=4, file_weights=in_file)
    assert second.source == "points" and second.allocations == 4
    assert second.weights == {"cost": 0.25, "benefit": 0.75, "risk": 0.0}
    assert second.rules == {"weights_from": "points", "allocations": 4}

    third = proposed_weights(criteria, ballot_mean=None, file_weights=in_file)
    assert third.source == "workshop_file" and third.rules == {"weights_from": "workshop_file"}
    assert third.weights == {"cost": 0.5, "benefit": 0.25, "risk": 0.25}

    # one criterion of the file has no weight: the file proposes none, so equal weights
    fourth = proposed_weights(criteria, file_weights={"cost": 2, "benefit": None, "risk": 1})
    assert fourth.source == "equal" and fourth.rules == {"weights_from": "equal"}
    assert fourth.weights == pytest.approx({"cost": 1 / 3, "benefit": 1 / 3, "risk": 1 / 3})
