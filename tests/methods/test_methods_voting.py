"""Borda, Schulze, approval, dot and quadratic voting."""

from __future__ import annotations

import random
import re

import pytest

from toolkit import methods
from toolkit.methods import MethodInputError

# Wikipedia, "Schulze method", section "Example" (45 voters, candidates A–E). The article
# gives d[X, Y], the strongest paths p[X, Y] (winning votes) and the result E > A > C > B > D.
WIKIPEDIA_SCHULZE = [
    (5, ["A", "C", "B", "E", "D"]),
    (5, ["A", "D", "E", "C", "B"]),
    (8, ["B", "E", "D", "A", "C"]),
    (3, ["C", "A", "B", "E", "D"]),
    (7, ["C", "A", "E", "B", "D"]),
    (2, ["C", "B", "A", "D", "E"]),
    (7, ["D", "C", "E", "B", "A"]),
    (8, ["E", "B", "A", "D", "C"]),
]
WIKIPEDIA_D = {
    "A": {"B": 20, "C": 26, "D": 30, "E": 22},
    "B": {"A": 25, "C": 16, "D": 33, "E": 18},
    "C": {"A": 19, "B": 29, "D": 17, "E": 24},
    "D": {"A": 15, "B": 12, "C": 28, "E": 14},
    "E": {"A": 23, "B": 27, "C": 21, "D": 31},
}
WIKIPEDIA_P = {
    "A": {"B": 28, "C": 28, "D": 30, "E": 24},
    "B": {"A": 25, "C": 28, "D": 33, "E": 24},
    "C": {"A": 25, "B": 29, "D": 29, "E": 24},
    "D": {"A": 25, "B": 28, "C": 28, "E": 24},
    "E": {"A": 25, "B": 28, "C": 28, "D": 31},
}


def test_schulze_wikipedia_example() -> None:
    result = methods.schulze(WIKIPEDIA_SCHULZE)
    assert result.ranking == ["E", "A", "C", "B", "D"]
    assert result.ranks.to_dict() == {"A": 2, "B": 4, "C": 3, "D": 5, "E": 1}
    assert result.winners == ["E"]
    for x, row in WIKIPEDIA_D.items():
        for y, value in row.items():
            assert result.pairwise.loc[x, y] == value, (x, y)
    for x, row in WIKIPEDIA_P.items():
        for y, value in row.items():
            assert result.strongest_paths.loc[x, y] == value, (x, y)


def test_schulze_tie_shares_the_best_rank() -> None:
    result = methods.schulze([(1, ["A", "B"]), (1, ["B", "A"])], options=["A", "B", "C"])
    # A and B split 1:1; both beat the unranked C.
    assert result.ranks.to_dict() == {"A": 1, "B": 1, "C": 3}
    assert result.ranking == ["A", "B", "C"]
    assert result.winners == ["A", "B"]


def test_schulze_partial_ballots_rank_unranked_options_last() -> None:
    d = methods.pairwise_preferences([(3, ["B"]), (1, ["A", "C"])], options=["A", "B", "C"])
    assert d.loc["B", "A"] == 3 and d.loc["A", "B"] == 1
    assert d.loc["A", "C"] == 1 and d.loc["C", "A"] == 0
    assert d.loc["B", "C"] == 3 and d.loc["C", "B"] == 1


# Wikipedia, "Borda count", example "Tennessee and its four major cities" (100 voters): with
# n−1 … 0 points, Nashville 194, Chattanooga 173, Memphis 126, Knoxville 107.
TENNESSEE = [
    (42, ["Memphis", "Nashville", "Chattanooga", "Knoxville"]),
    (26, ["Nashville", "Chattanooga", "Knoxville", "Memphis"]),
    (15, ["Chattanooga", "Knoxville", "Nashville", "Memphis"]),
    (17, ["Knoxville", "Chattanooga", "Nashville", "Memphis"]),
]


def test_borda_wikipedia_tennessee_example() -> None:
    result = methods.borda(TENNESSEE)
    assert result.to_dict() == {
        "Nashville": 194,
        "Chattanooga": 173,
        "Memphis": 126,
        "Knoxville": 107,
    }
    assert list(result.index) == ["Nashville", "Chattanooga", "Memphis", "Knoxville"]


def test_borda_truncated_ballot_gives_unranked_zero() -> None:
    result = methods.borda([(1, ["B"])], options=["A", "B", "C"])
    assert result.to_dict() == {"B": 2, "A": 0, "C": 0}
    assert list(result.index) == ["B", "A", "C"]


def test_approval_counts_and_order() -> None:
    result = methods.approval([(3, {"窓口", "SNS"}), (2, {"3レス"}), (1, set()), (1, ["SNS"])])
    assert result.to_dict() == {"SNS": 4, "窓口": 3, "3レス": 2}
    assert result.name == "approvals"


def test_dot_votes_and_quadratic() -> None:
    dots = methods.dot_votes([{"A": 2, "B": 1}, {"B": 3}, {}], dots_per_person=3)
    assert dots.to_dict() == {"B": 4, "A": 2}
    votes = methods.quadratic([{"A": 2, "B": -1}, {"B": 3}], credits=9)
    assert votes.to_dict() == {"A": 2, "B": 2}
    assert list(votes.index) == ["A", "B"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: methods.borda([]), "ballots=[] holds no ballots"),
        (lambda: methods.schulze([]), "ballots=[] holds no ballots"),
        (lambda: methods.approval([]), "ballots=[] holds no ballots"),
        (lambda: methods.borda([(1, ["A", "B", "A"])]), "ballot 1 ranks 'A' more than once"),
        (lambda: methods.schulze([(2, ["A"]), (1, ["A", "Z"])], options=["A", "B"]),
         "ballot 2 names 'Z', which is not an option; allowed: 'A', 'B'"),
        (lambda: methods.approval([(1, {"X"})], options=["A"]),
         "ballot 1 names 'X', which is not an option"),
        (lambda: methods.borda([(0, ["A"])]), "ballot 1 is (0, ['A']); write each ballot as"),
        (lambda: methods.borda([(1.5, ["A"])]), "ballot 1 is (1.5, ['A'])"),
        (lambda: methods.borda([(1, "AB")]), "ballot 1 is (1, 'AB')"),
        (lambda: methods.borda([(1, [])]), "ballot 1 ranks no option"),
        (lambda: methods.dot_votes([{"A": 2, "B": 2}], dots_per_person=3),
         "participant 1 placed 4 dots in total; the allowance is 3 dots per person"),
        (lambda: methods.dot_votes([{"A": 3}], dots_per_person=5, max_per_option=2),
         "participant 1 placed 3 dots on 'A'; at most 2 dots per option"),
        (lambda: methods.dot_votes([{"A": -1}], dots_per_person=5),
         "participant 1 gave -1 to 'A'; use a whole number of 0 or more"),
        (lambda: methods.dot_votes([{"A": 1}], dots_per_person=0),
         "dots_per_person=0 is not allowed"),
        (lambda: methods.dot_votes([], dots_per_person=3), "allocations=[] holds no ballots"),
        (lambda: methods.quadratic([{"A": 2}, {"A": 2, "B": 2}], credits=6),
         "participant 2 spent 8 credits"),
        (lambda: methods.quadratic([{"A": 1.5}], credits=6), "participant 1 gave 1.5 to 'A'"),
        (lambda: methods.quadratic([["A"]], credits=6), "participant 1 gave ['A']"),
    ],
    ids=[
        "borda-empty", "schulze-empty", "approval-empty", "ranked-twice", "unknown-option",
        "approval-unknown", "zero-count", "fractional-count", "string-ranking",
        "empty-ranking", "dots-over", "dots-per-option", "negative-dots", "no-allowance",
        "no-allocations", "quadratic-over", "quadratic-fraction", "allocation-shape",
    ],
)  # fmt: skip
def test_bad_ballots_are_named(call: object, message: str) -> None:
    with pytest.raises(MethodInputError, match=re.escape(message)):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("distinct_counts", [3, 100], ids=["grouped", "weighted-product"])
def test_pairwise_counts_match_a_direct_count(distinct_counts: int) -> None:
    rnd = random.Random(distinct_counts)
    options = ["A", "B", "C", "D", "E"]
    ballots = []
    for i in range(150):
        ranking = rnd.sample(options, rnd.randint(1, 5))
        ballots.append((1 + i % distinct_counts, ranking))
    d = methods.pairwise_preferences(ballots, options=options)
    for x in options:
        for y in options:
            expected = 0
            for count, ranking in ballots:
                px = ranking.index(x) if x in ranking else len(options)
                py = ranking.index(y) if y in ranking else len(options)
                expected += count if px < py else 0
            assert d.loc[x, y] == expected, (x, y)
