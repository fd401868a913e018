"""The REST API under /api/v1/ against a real server and store: every rule, every refusal.

A refused request must answer 4xx with a ja/en message and store nothing; a vote is stored
once whatever the client repeats. The same checks run on PostgreSQL at the end.
"""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.participant.conftest import A, B, C, D, Meeting

# rule, settings, a good vote, a bad vote (and the error code it must give)
RULES: list[tuple[str, dict[str, Any], Any, Any, str]] = [
    ("single", {}, B, "nope", "vote_unknown_option"),
    ("approval", {"max_choices": 2}, [A, C], [A, B, C], "vote_too_many_choices"),
    ("dot_votes", {"dots": 3}, {A: 2, C: 1}, {A: 3, B: 1}, "vote_too_many_dots"),
    ("points", {"total": 100}, {A: 60, B: 40}, {A: 60}, "vote_points_total"),
    ("borda", {}, [C, A, B], [A, A], "vote_repeated_option"),
    ("schulze", {}, [B, C], "B", "vote_expected_list"),
    ("score", {"min": 0, "max": 5}, {A: 5, B: 0}, {A: 9}, "vote_score_range"),
    ("quadratic", {"credits": 9}, {A: 2, B: 2, C: 1}, {A: 3, B: 1}, "vote_over_credits"),
    (
        "equal_shares",
        {"budget": 10_000_000, "costs": {A: 8_000_000, B: 3_000_000, C: 2_000_000, D: 1}},
        [B, C],
        [A, B],
        "vote_over_budget",
    ),
    (
        "greedy_budget",
        {"budget": 10_000_000, "costs": {A: 8_000_000, B: 3_000_000, C: 2_000_000, D: 1}},
        [A, D],
        [A, B, C],
        "vote_over_budget",
    ),
]


def error_of(reply: Any) -> str:
    """The error code, after checking the message is there in both languages."""
    message = reply["error"]["message"]
    assert message["ja"] and message["en"] and message["ja"] != message["en"]
    code: str = reply["error"]["code"]
    return code


def test_the_openapi_document_is_valid_and_lists_every_api_route(meeting: Meeting) -> None:
    status, document = meeting.api("GET", "/api/v1/openapi.json")
    assert status == 200
    validate(document)  # raises on an invalid OpenAPI 3 document
    paths = set(document["paths"])
    assert "/api/v1/workshops/{slug}/ballots/{key}/votes" in paths
    assert "/api/v1/workshops/{slug}/ballots/{key}/release" in paths
    assert "/api/v1/workshops/{slug}/indicators/{key}/measurements" in paths
    assert len(paths) == 19


def test_a_workshop_is_described_without_drafts_or_votes(meeting: Meeting) -> None:
    status, workshop = meeting.api("GET", "")
    assert status == 200
    assert workshop["slug"] == meeting.slug
    assert len(workshop["join_code"]) == 6 and workshop["join_code"].isdigit()
    # The template's ballots are drafts until the facilitator opens them.
    assert all(b["status"] != "draft" for b in workshop["ballots"])


def test_a_ballot_opened_elsewhere_a_moment_ago_is_found_at_once(meeting: Meeting) -> None:
    """The server keeps its snapshot of a workshop for a second. A ballot made and opened
    meanwhile by another process (the console's kernel, another replica) is read again the
    moment a phone names it: its page, its API and the vote answer at once, never 404."""
    token = meeting.join()
    status, before = meeting.api("GET", "")  # the server has just read the workshop
    assert status == 200 and "elsewhere" not in {b["key"] for b in before["ballots"]}
    with meeting.store() as store:  # written to the store, not through this server
        store.create_ballot(meeting.slug, "elsewhere", "Elsewhere", rule="approval", options=[A, B])
        store.open_ballot(meeting.slug, "elsewhere")
    # The phone's ballot page, first to name it.
    cookie = {"Cookie": f"ureshii_p_{meeting.slug}={token}"}
    page = meeting.server.request(f"/p/{meeting.slug}/b/elsewhere", headers=cookie)
    assert page.status == 200 and "Elsewhere" in page.body, page.status
    with meeting.store() as store:
        store.create_ballot(meeting.slug, "then", "Then", rule="approval", options=[A, B])
        store.open_ballot(meeting.slug, "then")
    status, found = meeting.api("GET", "/ballots/then")
    assert status == 200 and found["status"] == "open", found
    status, voted = meeting.api("POST", "/ballots/then/votes", {"vote": [B]}, token=token)
    assert status == 201, voted
    with meeting.store() as store:
        assert [v.payload for v in store.votes(meeting.slug, "then")] == [[B]]
    # A key that exists nowhere is still not found, in both languages.
    status, missing = meeting.api("POST", "/ballots/nowhere/votes", {"vote": [A]}, token=token)
    assert status == 404 and error_of(missing) == "not_found_ballot"


@pytest.mark.parametrize(("rule", "settings", "good", "bad", "code"), RULES)
def test_each_rule_takes_one_good_vote_per_person_and_refuses_the_rest(
    meeting: Meeting, rule: str, settings: dict[str, Any], good: Any, bad: Any, code: str
) -> None:
    key = f"api-{rule}"
    meeting.ballot(key, rule, [A, B, C, D], **settings)
    token = meeting.join()

    status, refused = meeting.api("POST", f"/ballots/{key}/votes", {"vote": bad}, token=token)
    assert (status, error_of(refused)) == (422, code)
    assert meeting.votes(key) == 0

    status, receipt = meeting.api("POST", f"/ballots/{key}/votes", {"vote": good}, token=token)
    assert status == 201, receipt
    assert receipt["ballot"] == key and len(receipt["receipt"]) == 9
    # The same request again (a double tap, a replay) is refused by the database.
    status, again = meeting.api("POST", f"/ballots/{key}/votes", {"vote": good}, token=token)
    assert (status, error_of(again)) == (409, "duplicate_vote")
    assert meeting.votes(key) == 1

    status, me = meeting.api("GET", "/me", token=token)
    assert status == 200 and me["votes"][key]["receipt"] == receipt["receipt"]


def test_results_stay_hidden_until_release_and_closing_freezes_them(meeting: Meeting) -> None:
    key = "api-hidden"
    meeting.ballot(key, "approval", [A, B, C])
    meeting.new_phones_vote(key, [[A, B], [B], [B, C]])

    status, hidden = meeting.api("GET", f"/ballots/{key}/results")
    assert status == 200
    assert hidden["visible"] is False and hidden["votes"] == 3
    assert hidden["order"] == [] and hidden["points"] == {}

    status, _ = meeting.api("POST", f"/ballots/{key}/release", facilitator=True)
    assert status == 200
    status, shown = meeting.api("GET", f"/ballots/{key}/results")
    assert shown["visible"] is True and shown["order"][0] == B and shown["points"][B] == 3

    status, _ = meeting.api("POST", f"/ballots/{key}/close", facilitator=True)
    late = meeting.join()
    status, refused = meeting.api("POST", f"/ballots/{key}/votes", {"vote": [A]}, token=late)
    assert (status, error_of(refused)) == (409, "ballot_not_open")
    status, reopened = meeting.api("POST", f"/ballots/{key}/open", facilitator=True)
    assert (status, error_of(reopened)) == (409, "ballot_closed")
    status, final = meeting.api("GET", f"/ballots/{key}/results")
    assert final["votes"] == 3 and final["status"] == "closed"


def test_bad_requests_are_refused_with_a_clear_message_and_store_nothing(
    meeting: Meeting,
) -> None:
    key = "api-bad"
    meeting.ballot(key, "dot_votes", [A, B], dots=2)
    token = meeting.join()
    path = f"/ballots/{key}/votes"
    cases = [
        (meeting.api("POST", path, {"vote": {A: 1}}), 401, "api_token_required"),
        (meeting.api("POST", path, {"vote": {A: 1}}, token="made-up"), 401, "api_token_unknown"),
        (meeting.api("POST", path, raw=b"{not json", token=token), 400, "api_bad_json"),
        (meeting.api("POST", path, raw=b"[1]", token=token), 400, "api_expected_object"),
        (
            meeting.api("POST", path, {"vote": {A: 1}}, token=token, content_type="text/plain"),
            415,
            "api_json_required",
        ),
        (meeting.api("POST", path, {"choice": A}, token=token), 422, "api_missing_field"),
        (meeting.api("POST", path, {"vote": {A: 3}}, token=token), 422, "vote_too_many_dots"),
        (meeting.api("POST", path, {"vote": {"x": 1}}, token=token), 422, "vote_unknown_option"),
        (meeting.api("POST", path, {"vote": {A: -1}}, token=token), 422, "vote_bad_count"),
        (
            meeting.api("POST", "/ballots/nope/votes", {"vote": {A: 1}}, token=token),
            404,
            "not_found_ballot",
        ),
        (
            meeting.api("POST", path, raw=b'{"vote": "' + b"x" * 70_000 + b'"}', token=token),
            413,
            "api_body_too_large",
        ),
        (meeting.api("POST", "/join", {"code": "7KQ4M-XH2RD"}), 404, "participant_code_unknown"),
        (meeting.api("POST", "/join", {"category": "mayor"}), 422, "invalid_category"),
        (meeting.api("GET", "/api/v1/workshops/nope"), 404, "not_found_workshop"),
        (meeting.api("GET", "/api/v1/kernels"), 404, "api_not_found"),
    ]
    for (status, reply), expected_status, expected_code in cases:
        assert (status, error_of(reply)) == (expected_status, expected_code)
    assert meeting.votes(key) == 0


def test_facilitator_endpoints_need_the_facilitator_secret(meeting: Meeting) -> None:
    token = meeting.join()
    body = {"key": "sneaky", "title": "x", "rule": "single", "options": [A]}
    for credentials in ({}, {"token": token}, {"token": "wrong-secret-xxxxxxxxxxx"}):
        status, reply = meeting.api("POST", "/ballots", body, **credentials)
        assert status in (401, 403)
        assert error_of(reply) in ("api_token_required", "api_facilitator_only")
        status, _ = meeting.api("POST", "/codes", {"count": 5}, **credentials)
        assert status in (401, 403)
    with meeting.store() as store:
        assert "sneaky" not in [b.key for b in store.ballots(meeting.slug)]


def test_a_codes_only_ballot_takes_printed_codes_and_paper_not_phones(meeting: Meeting) -> None:
    key = "ureshii-top3"  # from the template: identity "codes", dot_votes with 3 dots
    status, _ = meeting.api("POST", f"/ballots/{key}/open", facilitator=True)
    assert status == 200
    status, issued = meeting.api("POST", "/codes", {"count": 3}, facilitator=True)
    assert status == 201
    first, second, third = issued["codes"]

    phone = meeting.join()
    status, refused = meeting.api("POST", f"/ballots/{key}/votes", {"vote": {A: 3}}, token=phone)
    assert (status, error_of(refused)) == (403, "vote_not_eligible")

    # A phone that typed the code (any case, with or without the dash) votes once.
    status, joined = meeting.api("POST", "/join", {"code": first.lower()})
    assert status == 200 and joined["channel"] == "code"
    status, _ = meeting.api(
        "POST", f"/ballots/{key}/votes", {"vote": {A: 3}}, token=joined["token"]
    )
    assert status == 201
    # The same code from a new browser, typed differently: still one vote.
    status, again = meeting.api(
        "POST", f"/ballots/{key}/votes", {"vote": {B: 1}}, token=first.replace("-", "")
    )
    assert (status, error_of(again)) == (409, "duplicate_vote")
    # Staff enter a paper ballot under a code that already voted: refused; another code: taken.
    status, paper = meeting.api(
        "POST", f"/ballots/{key}/paper", {"vote": {B: 1}, "code": first}, facilitator=True
    )
    assert (status, error_of(paper)) == (409, "duplicate_vote")
    status, paper = meeting.api(
        "POST", f"/ballots/{key}/paper", {"vote": {B: 2}, "code": second}, facilitator=True
    )
    assert status == 201 and paper["channel"] == "paper"
    # A paper ballot without a code is a new paper voter.
    status, paper = meeting.api("POST", f"/ballots/{key}/paper", {"vote": {C: 1}}, facilitator=True)
    assert status == 201
    status, wrong = meeting.api(
        "POST", f"/ballots/{key}/paper", {"vote": {C: 1}, "code": "22222-22222"}, facilitator=True
    )
    assert (status, error_of(wrong)) == (404, "participant_code_unknown")

    with meeting.store() as store:
        votes = store.votes(meeting.slug, key)
    assert sorted(v.channel for v in votes) == ["code", "paper", "paper"]
    assert third  # unused codes stay usable
    assert meeting.votes(key) == 3


def test_cards_consent_and_scores_follow_the_charter(meeting: Meeting) -> None:
    token = meeting.join(category="resident")
    status, card = meeting.api(
        "POST", "/cards", {"text": "夜でも申請できる", "stakeholder": "kosodate"}, token=token
    )
    assert status == 201 and card["text"] == "夜でも申請できる"
    status, _refused = meeting.api("POST", "/cards", {"text": "   "}, token=token)
    assert status == 422

    with meeting.store() as store:
        criteria = [c.key for c in store.criteria(meeting.slug)]
        weights = {c: 100 / len(criteria) for c in criteria}
        store.propose_charter(meeting.slug, method="weighted_sum", weights=weights)
    row = [{"issue": A, "criterion": criteria[0], "score": 3}]
    status, early = meeting.api("POST", "/scores", {"scores": row}, token=token)
    assert (status, error_of(early)) == (409, "charter_not_locked")

    status, _consent = meeting.api("POST", "/consents", {"level": 4}, token=token)
    assert status == 201
    status, _twice = meeting.api("POST", "/consents", {"level": 5}, token=token)
    assert status == 409
    status, _bad = meeting.api("POST", "/consents", {"level": 9}, token=meeting.join())
    assert status == 422

    with meeting.store() as store:
        store.lock_charter(meeting.slug)
    dont_know = {"issue": B, "criterion": criteria[0], "score": None}
    status, stored = meeting.api("POST", "/scores", {"scores": [*row, dont_know]}, token=token)
    assert status == 201 and stored["stored"] == 2
    status, out = meeting.api(
        "POST",
        "/scores",
        {"scores": [{"issue": A, "criterion": criteria[0], "score": 99}]},
        token=token,
    )
    assert (status, error_of(out)) == (422, "score_out_of_scale")


def test_votes_on_postgresql_are_once_per_person_too(pg_meeting: Meeting) -> None:
    meeting = pg_meeting
    meeting.ballot("pg", "approval", [A, B])
    tokens = [meeting.join() for _ in range(5)]
    for token in tokens:
        status, _ = meeting.api("POST", "/ballots/pg/votes", {"vote": [A]}, token=token)
        assert status == 201
        status, _ = meeting.api("POST", "/ballots/pg/votes", {"vote": [B]}, token=token)
        assert status == 409
    assert meeting.votes("pg") == 5
