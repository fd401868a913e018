"""The REST API fuzzed from its own OpenAPI document (schemathesis), then the store checked.

Every operation of the live server's ``/api/v1/openapi.json`` gets valid and invalid
requests generated from the document (positive and negative modes), with the credentials it
needs: a freshly joined participant's token, or the facilitator secret. Path parameters
point at real workshops and ballots most of the time (else nearly every request would be a
404): a town meeting with one open ballot per rule and a proposed charter (so consents are
taken), and a staff workshop with a locked charter (so scores are taken). The facilitator's
open/close/release act on ballots of their own, so the voting ballots stay open.

Checks on every answer: never a 5xx; the status is one the document lists; the body matches
the documented schema and content type. Afterwards the store holds no garbage: every vote
validates against its ballot's rule, every card is 1–500 non-blank characters, every
ballot's settings are valid, every consent is a level 0–5, every score is on its scale.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.participant.conftest import Meeting
from tests.server.server_helpers import TEST_SECRET
from tests.trust.trust_helpers import A, B, C, D, new_town_meeting, serve_meeting
from toolkit.ballots import BALLOT_RULES, check_settings, validate_vote
from toolkit.server.participant.openapi import openapi_document
from toolkit.store import Store
from toolkit.workshop_file import write_template

MAX_EXAMPLES = 25
"""Generated requests per operation and mode: enough to find a crash, bounded in time."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OPTIONS = [A, B, C, D]
COSTS = {A: 8_000_000, B: 3_000_000, C: 2_000_000, D: 1_000_000}
SETTINGS: dict[str, dict[str, Any]] = {
    "approval": {"max_choices": 2},
    "dot_votes": {"dots": 3},
    "points": {"total": 100},
    "score": {"min": 0, "max": 5},
    "quadratic": {"credits": 9},
    "equal_shares": {"budget": 10_000_000, "costs": COSTS},
    "greedy_budget": {"budget": 10_000_000, "costs": COSTS},
}
VOTING = [f"fuzz-{rule}" for rule in BALLOT_RULES]
"""Open ballots, one per rule: participants vote and staff enter paper ballots on them."""
PLAYGROUND = [f"play-{n}" for n in range(6)]
"""Ballots the facilitator's open/close/release requests may act on."""
FACILITATOR_ACTIONS = (
    "/open",
    "/close",
    "/release",
    "/ballots",
    "/codes",
    "/paper",
    "/indicators",
    "/measurements",
)


DOCUMENT = openapi_document()
OPERATIONS = [(path, method) for path, item in DOCUMENT["paths"].items() for method in item]


def _negatable(path: str, method: str) -> bool:
    """Whether an invalid request can be generated: a body, a query or a credential to
    break (path parameters are free strings, so a request with only those is always valid)."""
    operation = DOCUMENT["paths"][path][method]
    query = [p for p in operation["parameters"] if p["in"] != "path"]
    return bool(operation.get("requestBody") or query or operation.get("security"))


def _fuzz_cases() -> list[Any]:
    cases = []
    for path, method in OPERATIONS:
        for mode in ("positive", "negative"):
            if mode == "negative" and not _negatable(path, method):
                continue
            name = f"{method.upper()} {path} {mode}"
            cases.append(pytest.param(path, method, mode, id=name))
    return cases


@dataclass
class Target:
    """The live server, its schema and the workshops the requests aim at."""

    meeting: Meeting
    schema: Any
    town: str
    staff: str
    tokens: dict[str, list[str]] = field(default_factory=dict)
    """Tokens joined so far, by workshop (some requests reuse one: a second vote …)."""

    @property
    def base(self) -> str:
        return self.meeting.server.base

    def join(self, slug: str) -> str:
        status, joined = self.meeting.api("POST", f"/api/v1/workshops/{slug}/join", {})
        assert status == 201, joined
        token: str = joined["token"]
        return token


def _staff_workshop(folder: Path, database: str) -> str:
    """The staff workshop template with its charter locked (scores are taken)."""
    spec = write_template(folder / "dx.yaml", "dx-vision", "en")  # type: ignore[arg-type]
    with Store.open(database) as store:
        slug = store.load_workshop_file(spec).slug
        criteria = [c.key for c in store.criteria(slug)]
        store.propose_charter(
            slug, method="weighted_sum", weights={c: 1 / len(criteria) for c in criteria}
        )
        store.record_consent(slug, store.join(slug), 5)
        store.lock_charter(slug)
    return slug


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    folder = tmp_path_factory.mktemp("fuzz")
    database = str(folder / "fuzz.sqlite")
    town = new_town_meeting(folder, database)
    staff = _staff_workshop(folder, database)
    with Store.open(database) as store:
        criteria = [c.key for c in store.criteria(town)]
        store.propose_charter(
            town, method="weighted_sum", weights={c: 1 / len(criteria) for c in criteria}
        )
    meeting = serve_meeting("fuzz", database, town)
    try:
        for rule, key in zip(BALLOT_RULES, VOTING, strict=True):
            meeting.ballot(key, rule, OPTIONS, **SETTINGS.get(rule, {}))
        for key in PLAYGROUND:
            body = {"key": key, "title": key, "rule": "approval", "options": OPTIONS}
            status, created = meeting.api("POST", "/ballots", body, facilitator=True)
            assert status == 201, created
        schema = schemathesis.openapi.from_url(f"{meeting.server.base}/api/v1/openapi.json")
        yield Target(meeting, schema, town, staff)
    finally:
        meeting.server.stop()


def test_the_live_document_is_the_one_the_operations_come_from(target: Target) -> None:
    status, live = target.meeting.api("GET", "/api/v1/openapi.json")
    assert status == 200
    assert live == json.loads(json.dumps(DOCUMENT))
    assert len(OPERATIONS) >= 15


#: Votes built from the ballots' own option keys (plus one unknown), in every shape a rule
#: may take: near misses that only the rule's validation can tell from a good vote.
NEAR_VOTES = st.one_of(
    st.sampled_from([*OPTIONS, "no-such-option"]),
    st.lists(st.sampled_from([*OPTIONS, "no-such-option"]), max_size=6),
    st.dictionaries(
        st.sampled_from(OPTIONS),
        st.one_of(st.integers(-3, 120), st.floats(allow_nan=True), st.booleans()),
        max_size=4,
    ),
)


def _aim(case: Any, data: st.DataObject, target: Target, path: str) -> None:
    """Point most requests at real workshops and ballots, with the right credentials."""
    facilitator = path.endswith(FACILITATOR_ACTIONS)
    params = case.path_parameters
    if params is not None and "slug" in params and data.draw(st.integers(0, 9)) < 8:
        params["slug"] = data.draw(st.sampled_from([target.town, target.staff]))
    if params is not None and "key" in params and data.draw(st.integers(0, 9)) < 8:
        params["slug"] = target.town
        actions = path.endswith(("/open", "/close", "/release"))
        params["key"] = data.draw(st.sampled_from(PLAYGROUND if actions else VOTING))
        voting = path.endswith(("/votes", "/paper"))
        if voting and isinstance(case.body, dict) and data.draw(st.booleans()):
            case.body = {**case.body, "vote": data.draw(NEAR_VOTES)}
    if not any(op.get("security") for op in DOCUMENT["paths"][path].values()):
        return
    slug = (params or {}).get("slug", target.town)
    who = data.draw(st.sampled_from(["new", "new", "known", "none", "wrong"]))
    headers = dict(case.headers or {})
    headers.pop("Authorization", None)
    if who in ("new", "known"):
        real = slug in (target.town, target.staff)
        if facilitator:
            secret = TEST_SECRET
        elif not real:
            secret = "no-such-token"
        elif who == "known" and target.tokens.get(slug):
            secret = data.draw(st.sampled_from(target.tokens[slug][-5:]))
        else:
            secret = target.join(slug)
            target.tokens.setdefault(slug, []).append(secret)
        headers["Authorization"] = f"Bearer {secret}"
    elif who == "wrong":
        # Printable ASCII: a header with control characters is refused by the HTTP parser
        # itself (400, empty body) before any handler, as it must be.
        printable = st.characters(min_codepoint=33, max_codepoint=126)
        headers["Authorization"] = "Bearer " + data.draw(
            st.text(printable, min_size=1, max_size=40)
        )
    case.headers = headers


@pytest.mark.slow
@pytest.mark.parametrize(("path", "method", "mode"), _fuzz_cases())
def test_no_request_makes_the_api_fail_or_break_its_document(
    target: Target, path: str, method: str, mode: str
) -> None:
    operation = target.schema[path][method.upper()]
    strategy = operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode))

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def fuzz(case: Any, data: st.DataObject) -> None:
        _aim(case, data, target, path)
        case.call_and_validate(base_url=target.base, checks=CHECKS)

    fuzz()


# ---------------------------------------------------------------------- no garbage stored
def test_the_store_holds_no_garbage_after_the_fuzzing(target: Target) -> None:
    with Store.open(target.meeting.database) as store:
        for slug in (target.town, target.staff):
            for ballot in store.ballots(slug):
                check_settings(ballot.rule, ballot.options, ballot.settings)
                for vote in store.votes(slug, ballot.key):
                    clean = validate_vote(
                        ballot.rule, ballot.options, ballot.settings, vote.payload
                    )
                    assert clean == vote.payload, (ballot.key, vote.payload)
            for card in store.cards(slug):
                assert 0 < len(card.text) <= 500 and card.text.strip() == card.text, card
            for charter in store.charters(slug):
                for consent in store.consents(slug, charter.version):
                    assert 0 <= consent.level <= 5
            scales = {c.key: (c.scale_min, c.scale_max) for c in store.criteria(slug)}
            scores = store.scores(slug)
            for row in scores.itertuples():
                if row.score == row.score:  # not NaN ("don't know")
                    low, high = scales[row.criterion]
                    assert low <= row.score <= high, row
        voted = sum(len(store.votes(target.town, key)) for key in VOTING)
        assert voted > 0, "the fuzzing never got a vote through: it aimed at nothing"


# ---------------------------------------------------------------------- found by fuzzing
def test_a_charter_version_beyond_any_database_integer_is_refused(target: Target) -> None:
    """The request the fuzzing found (it answered 500: an integer too large for the
    database), replayed: a 4xx with a ja/en message."""
    token = target.join(target.town)
    reply = target.meeting.server.request(
        f"/api/v1/workshops/{target.town}/consents",
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        data=b'{"version": 95510650893322698752, "level": 3}',
    )
    assert 400 <= reply.status < 500, reply.status
    assert json.loads(reply.body)["error"]["message"]["ja"]


def test_every_api_answer_is_a_json_error_document_even_for_a_wrong_method(
    target: Target,
) -> None:
    """Found by the lockdown walk: 405s were tornado's HTML page labelled as JSON."""
    api = f"/api/v1/workshops/{target.town}"
    for method, path in (
        ("PUT", f"{api}/join"),
        ("GET", f"{api}/join"),
        ("DELETE", f"{api}/ballots/{VOTING[0]}"),
        ("PATCH", "/api/v1/openapi.json"),
    ):
        reply = target.meeting.server.request(path, method=method)
        assert 400 <= reply.status < 500, (method, path, reply.status)
        error = json.loads(reply.body)["error"]
        assert error["code"] and error["message"]["ja"] and error["message"]["en"]
