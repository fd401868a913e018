"""A venue's crowd behind one address is never refused; a flood from one address still is;
the facilitator sees a limited address and can lift its limit (issue 20, item 1).

Real servers over loopback (one address: 127.0.0.1, as a venue's Wi-Fi NAT looks to the
server), real SQLite files. The per-address limit grows with the workshop file's
``expected_participants`` (``toolkit.server.limits.address_limit``); without it, the
default holds (tests/trust/test_rate_limits.py).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.participant.conftest import Meeting
from tests.trust import test_rate_limits as rate_limits
from tests.trust.test_rate_limits import ADDRESS_BURST, _flood
from tests.trust.trust_helpers import A, B, C, join_phones, serve_meeting, vote_phones
from toolkit.server.limits import RULES_TTL, WRITES_AT_ONCE, address_limit
from toolkit.store import Store
from toolkit.workshop_file import write_template

BALLOT = "venue"
VENUE_PHONES = 3_000
"""Phones joining and voting at once behind one router (issue 20): 6,000 writes."""


def _meeting(folder: Path, name: str, expected: int | None) -> Meeting:
    spec = write_template(folder / "town.yaml", "town-meeting", "en")
    if expected is not None:
        data = yaml.safe_load(spec.read_text(encoding="utf-8"))
        data["expected_participants"] = expected
        spec.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    database = str(folder / "town.sqlite")
    with Store.open(database) as store:
        slug = store.load_workshop_file(spec).slug
    meeting = serve_meeting(name, database, slug)
    meeting.ballot(BALLOT, "approval", [A, B, C])
    return meeting


def _somaxconn() -> int:
    return int(Path("/proc/sys/net/core/somaxconn").read_text())


def _listen_backlog(port: int) -> int:
    """The backlog of the socket listening on ``port``, as the system reports it (``ss``
    gives a listening socket's backlog in its Send-Q column)."""
    listing = subprocess.run(
        ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert listing and listing[0] == "LISTEN", listing
    return int(listing[2])


def test_the_expected_crowd_behind_one_address_is_never_refused(tmp_path: Path) -> None:
    assert 2 * VENUE_PHONES > ADDRESS_BURST  # the default limit alone would refuse some
    meeting = _meeting(tmp_path, "venue-crowd", expected=VENUE_PHONES)
    try:
        # The phones arrive together: the system may hold 4,096 of them (or its own cap)
        # for the server, not Tornado's 128, which dropped their first packets.
        assert _listen_backlog(meeting.server.port) == min(4096, _somaxconn())
        tokens = join_phones(meeting.server.base, meeting.slug, VENUE_PHONES)
        burst = vote_phones(meeting.server.base, meeting.slug, BALLOT, {t: [A, B] for t in tokens})
        assert burst.statuses() == {201: VENUE_PHONES}
        assert meeting.votes(BALLOT) == VENUE_PHONES
        with meeting.store() as store:
            assert store.counts(meeting.slug)["participants"] == VENUE_PHONES
            assert store.limited_addresses(meeting.slug) == []
    finally:
        meeting.server.stop()


def test_a_flood_is_held_back_the_console_sees_it_and_the_facilitator_lifts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = 200
    meeting = _meeting(tmp_path, "venue-flood", expected=expected)
    try:
        flood = asyncio.run(_flood(meeting.server.base, meeting.slug))
        assert flood.real_joins.get(429), f"no join refused after {flood.sent} writes"
        limit = address_limit(expected)
        assert flood.sent > limit.burst == max(ADDRESS_BURST, WRITES_AT_ONCE * expected)
        # The console reads the refusals from the store: the loopback address, by name.
        time.sleep(0.5)
        with meeting.store() as store:
            [limited] = store.limited_addresses(meeting.slug)
            assert limited.address == "127.0.0.1" and limited.refused >= 1
            assert limited.allowed_until is None
            kinds = [e.kind for e in store.changes(meeting.slug)]
        assert "rate_limited" in kinds

        # The facilitator lifts the address's limit: the same flood again is not cut off.
        with meeting.store() as store:
            until = store.allow_address(meeting.slug, "127.0.0.1", minutes=30)
            assert store.limited_addresses(meeting.slug)[0].allowed_until == until
        time.sleep(RULES_TTL + 0.5)  # every server reads the lifted limits this often
        monkeypatch.setattr(rate_limits, "FLOOD_CAP", limit.burst + 1_000)
        again = asyncio.run(_flood(meeting.server.base, meeting.slug))
        assert again.sent >= limit.burst + 1_000
        assert again.limited == [] and set(again.real_joins) == {201}
        status, joined = meeting.api("POST", "/join", {})
        assert status == 201, joined
        token = joined["token"]
        # The per-phone limit still holds one phone back, lifted address or not.
        statuses = [
            meeting.api("POST", "/cards", {"text": f"card {n}"}, token=token)[0] for n in range(40)
        ]
        assert 201 in statuses and 429 in statuses
        with meeting.store() as store:
            events = [e for e in store.changes(meeting.slug) if e.kind == "address_allowed"]
        assert [e.payload for e in events] == [{"address": "127.0.0.1", "minutes": 30}]
        assert json.dumps(events[0].payload)  # what the console's live feed shows
    finally:
        meeting.server.stop()
