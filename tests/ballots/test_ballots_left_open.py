"""Which open ballots a phase change would leave open (the console's warning)."""

from __future__ import annotations

import pytest

from toolkit.ballots.purposes import ballots_left_open
from toolkit.model import Ballot


def ballot(key: str, purpose: str, status: str = "open") -> Ballot:
    return Ballot(0, key, key.title(), purpose, "single", ("a",), {}, "live", status, False)  # type: ignore[arg-type]


BALLOTS = [
    ballot("dots", "themes"),
    ballot("method", "method"),
    ballot("weights", "weights", "draft"),
    ballot("town", "town_meeting", "closed"),
    ballot("poll", "other"),
]


@pytest.mark.parametrize(
    ("phase", "left"),
    [
        ("happiness", ["method", "poll"]),
        ("vision", ["dots", "method", "poll"]),
        ("method", ["dots", "poll"]),
        ("town_meeting", ["dots", "method", "poll"]),
    ],
    ids=["happiness", "vision", "method", "town-meeting"],
)
def test_only_open_ballots_that_do_not_serve_the_phase_are_left_open(
    phase: str, left: list[str]
) -> None:
    assert [b.key for b in ballots_left_open(BALLOTS, phase)] == left


def test_a_draft_or_closed_ballot_is_never_left_open() -> None:
    quiet = [ballot("w", "weights", "draft"), ballot("t", "town_meeting", "closed")]
    assert ballots_left_open(quiet, "export") == []
