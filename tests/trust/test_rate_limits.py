"""Rate limits on participants' writes: tight per token, generous per address.

One phone (or a script holding one token) may not hammer the store; a flood from one
address is cut off; but a whole town meeting behind ONE venue address (the Wi-Fi's NAT)
is never blocked. A refused write answers 429 with ``Retry-After`` and a ja/en message
(JSON ``rate_limited`` under ``/api/v1/``, a page under ``/p/``) and stores nothing. Reads
and the facilitator's own calls (staff entering paper ballots) are not limited.

The limits assumed here are the constants below; ``toolkit/server/limits.py`` must agree
(checked by the first test), so a change of limit is a change of this file too.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.participant.conftest import Meeting
from tests.trust.trust_helpers import (
    A,
    B,
    C,
    join_phones,
    new_town_meeting,
    serve_meeting,
    vote_phones,
)
from toolkit.server.participant.pages import CSRF_COOKIE, CSRF_FIELD, TOKEN_COOKIE_PREFIX

WRITES_PER_TOKEN = 30
"""Writes one token may make at once (then 30 a minute): a phone's whole workshop fits."""
WRITES_PER_TOKEN_PER_MINUTE = 30
ADDRESS_BURST = 3_000
"""Writes one address may make at once: 1,000 phones behind one NAT join and vote (2,000)."""
WRITES_PER_ADDRESS_PER_MINUTE = 6_000
VENUE_PHONES = 1_000
FLOOD_CAP = 20_000
"""Requests at most in the flood test (it stops at the first refusal)."""
FLOOD_SECONDS = 120
BALLOT = "limits"


def test_the_server_has_the_limits_this_file_assumes() -> None:
    from toolkit.server.limits import ADDRESS_LIMIT, TOKEN_LIMIT

    assert (TOKEN_LIMIT.burst, TOKEN_LIMIT.per_minute) == (
        WRITES_PER_TOKEN,
        WRITES_PER_TOKEN_PER_MINUTE,
    )
    assert (ADDRESS_LIMIT.burst, ADDRESS_LIMIT.per_minute) == (
        ADDRESS_BURST,
        WRITES_PER_ADDRESS_PER_MINUTE,
    )
    assert ADDRESS_BURST >= 2 * VENUE_PHONES, "a venue's phones join and vote at once"


def _meeting(folder: Path, name: str) -> Meeting:
    database = str(folder / "town.sqlite")
    meeting = serve_meeting(name, database, new_town_meeting(folder, database))
    meeting.ballot(BALLOT, "approval", [A, B, C])
    return meeting


@pytest.fixture(scope="module")
def meeting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Meeting]:
    running = _meeting(tmp_path_factory.mktemp("limits"), "rate-limits")
    yield running
    running.server.stop()


def _cards(meeting: Meeting) -> int:
    with meeting.store() as store:
        return store.counts(meeting.slug)["cards"]


def _assert_rate_limited_json(status: int, body: dict[str, object], retry_after: str) -> None:
    assert status == 429
    error = body["error"]
    assert isinstance(error, dict) and error["code"] == "rate_limited"
    assert error["message"]["ja"] and error["message"]["en"]  # type: ignore[index]
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 60, retry_after


def test_a_whole_town_meeting_behind_one_address_is_not_blocked(meeting: Meeting) -> None:
    """1,000 phones on the venue Wi-Fi (one NAT address here: loopback) join and vote."""
    tokens = join_phones(meeting.server.base, meeting.slug, VENUE_PHONES)
    burst = vote_phones(meeting.server.base, meeting.slug, BALLOT, {t: [A, B] for t in tokens})
    assert burst.statuses() == {201: VENUE_PHONES}
    assert meeting.votes(BALLOT) == VENUE_PHONES


def test_one_token_that_writes_too_often_is_told_to_wait(meeting: Meeting) -> None:
    token = meeting.join()
    before = _cards(meeting)
    statuses = []
    last: tuple[int, dict[str, object], str] | None = None
    for n in range(WRITES_PER_TOKEN + 10):
        reply = meeting.server.request(
            f"/api/v1/workshops/{meeting.slug}/cards",
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            data=json.dumps({"text": f"card {n}"}).encode(),
        )
        statuses.append(reply.status)
        if reply.status == 429:
            last = (reply.status, json.loads(reply.body), reply.header("Retry-After"))
    assert statuses[:WRITES_PER_TOKEN] == [201] * WRITES_PER_TOKEN
    assert 429 in statuses[WRITES_PER_TOKEN:], statuses
    assert last is not None
    _assert_rate_limited_json(*last)
    assert _cards(meeting) - before == statuses.count(201), "a refused write stored nothing"

    # A vote from the limited token is refused too, and not stored …
    status, body = meeting.api("POST", f"/ballots/{BALLOT}/votes", {"vote": [A]}, token=token)
    assert (status, body["error"]["code"]) == (429, "rate_limited")
    with meeting.store() as store:
        assert BALLOT not in store.participant_votes(meeting.slug, token)
    # … while another phone at the same address writes as usual: the limit is per token.
    status, _ = meeting.api("POST", f"/ballots/{BALLOT}/votes", {"vote": [A]}, token=meeting.join())
    assert status == 201


def test_a_phone_page_that_posts_too_often_gets_a_page_saying_when_to_retry(
    meeting: Meeting,
) -> None:
    token = meeting.join()
    cookie = f"{TOKEN_COOKIE_PREFIX}{meeting.slug}={token}"
    page = meeting.server.request(f"/p/{meeting.slug}/card", headers={"Cookie": cookie})
    seed = re.search(rf"{CSRF_COOKIE}=([^;]+)", page.header("Set-Cookie"))
    csrf = re.search(rf'name="{CSRF_FIELD}" value="([0-9a-f]+)"', page.body)
    assert seed and csrf
    headers = {
        "Cookie": f"{cookie}; {CSRF_COOKIE}={seed.group(1)}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    before = _cards(meeting)
    replies = []
    for n in range(WRITES_PER_TOKEN + 5):
        form = urlencode({CSRF_FIELD: csrf.group(1), "text": f"page card {n}"}).encode()
        replies.append(
            meeting.server.request(
                f"/p/{meeting.slug}/card", method="POST", headers=headers, data=form
            )
        )
    statuses = [r.status for r in replies]
    assert statuses[:WRITES_PER_TOKEN] == [303] * WRITES_PER_TOKEN
    limited = [r for r in replies if r.status == 429]
    assert limited, statuses
    reply = limited[0]
    assert reply.header("Retry-After").isdigit()
    assert reply.header("Content-Type").startswith("text/html")
    assert "frame-ancestors 'none'" in reply.header("Content-Security-Policy")
    assert re.search(r"[ぁ-んァ-ン一-龥]", reply.body), "a Japanese message"
    assert re.search(r"\b(try|wait|again)\b", reply.body, re.IGNORECASE), "an English message"
    assert _cards(meeting) - before == statuses.count(303)


def test_reads_and_the_facilitators_writes_are_not_limited(meeting: Meeting) -> None:
    token = meeting.join()
    for _ in range(3 * WRITES_PER_TOKEN):
        status, _ = meeting.api("GET", f"/ballots/{BALLOT}/results", token=token)
        assert status == 200
    # Staff typing in a pile of paper ballots with the facilitator secret.
    for _ in range(WRITES_PER_TOKEN + 10):
        status, body = meeting.api(
            "POST", f"/ballots/{BALLOT}/paper", {"vote": [C]}, facilitator=True
        )
        assert status == 201, body


# ---------------------------------------------------------------------- a flood
@dataclass
class Flood:
    sent: int
    real_joins: dict[int, int]
    """status → how many of the genuine joins (JSON bodies) mixed into the flood got it."""
    limited: list[tuple[int, str, str]]
    """(status, Retry-After, body) of refused requests."""


async def _flood(base: str, slug: str) -> Flood:
    """Writes from one address until refused: mostly cheap ones (a 415 that touches no
    store), with a genuine join every 10th request."""
    url = f"{base}/api/v1/workshops/{slug}/join"
    connector = aiohttp.TCPConnector(limit=50)
    timeout = aiohttp.ClientTimeout(total=60)
    flood = Flood(0, {}, [])
    deadline = time.monotonic() + FLOOD_SECONDS
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(n: int) -> None:
            real = n % 10 == 0
            kwargs: dict[str, object] = (
                {"json": {}} if real else {"data": b"x", "headers": {"Content-Type": "text/plain"}}
            )
            async with session.post(url, **kwargs) as reply:  # type: ignore[arg-type]
                body = await reply.text()
                if real:
                    flood.real_joins[reply.status] = flood.real_joins.get(reply.status, 0) + 1
                if reply.status == 429:
                    flood.limited.append((reply.status, reply.headers.get("Retry-After", ""), body))

        while flood.sent < FLOOD_CAP and time.monotonic() < deadline:
            batch = range(flood.sent, flood.sent + 500)
            await asyncio.gather(*(one(n) for n in batch))
            flood.sent += len(batch)
            if flood.real_joins.get(429):
                break
    return flood


def test_a_flood_from_one_address_is_cut_off_and_the_server_stays_healthy(
    tmp_path: Path,
) -> None:
    meeting = _meeting(tmp_path, "rate-limits-flood")
    try:
        participants_before = _participants(meeting)
        flood = asyncio.run(_flood(meeting.server.base, meeting.slug))
        assert flood.real_joins.get(429), f"no join refused after {flood.sent} writes"
        assert flood.sent > ADDRESS_BURST
        status, retry_after, body = flood.limited[0]
        _assert_rate_limited_json(status, json.loads(body), retry_after)
        # Refused joins stored nothing: exactly the acknowledged ones are participants.
        assert _participants(meeting) - participants_before == flood.real_joins.get(201, 0)
        # Reads still answer (the projector and the phones' result pages keep working).
        assert meeting.server.request("/healthz").status == 200
        status, _ = meeting.api("GET", f"/ballots/{BALLOT}/results")
        assert status == 200
    finally:
        meeting.server.stop()


def _participants(meeting: Meeting) -> int:
    with meeting.store() as store:
        return store.counts(meeting.slug)["participants"]
