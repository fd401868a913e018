"""Errors keep their class, key, parameters and both messages across a process boundary
(the server's writer process sends them back to the request that waits)."""

from __future__ import annotations

import pickle

import pytest

from toolkit.errors import (
    AlreadyAnsweredError,
    BallotClosedError,
    DuplicateVoteError,
    InvalidInputError,
    NotEligibleError,
    NotFoundError,
    StoreError,
    UreshiiError,
)
from toolkit.export.imports import ImportProblem, ImportProblemsError


@pytest.mark.parametrize(
    "error",
    [
        DuplicateVoteError("duplicate_vote", ballot="town"),
        BallotClosedError("ballot_not_open", ballot="town", status="closed"),
        NotEligibleError("vote_not_eligible", ballot="town", channel="device"),
        NotFoundError("not_found_participant"),
        InvalidInputError("invalid_category", value="x", allowed="resident"),
        AlreadyAnsweredError("consent_already_given", version=2),
        StoreError("store_writer_stopped"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_an_error_survives_pickling_whole(error: UreshiiError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.key, copy.params, copy.messages) == (error.key, error.params, error.messages)
    assert str(copy) == str(error)
    assert copy.messages["ja"] and copy.messages["en"]


def test_an_import_error_keeps_its_problems() -> None:
    error = ImportProblemsError([ImportProblem(3, "cost", "import_not_a_number", {"value": "x"})])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems
    assert copy.messages == error.messages
