"""Helpers for the trust tests: town-meeting servers and a burst of phones.

A phone here is an HTTP client that does what the phone page does through the REST API:
join (a device token), then vote once. :func:`join_phones` and :func:`vote_phones` run a
burst of them with bounded concurrency (aiohttp), and record, per phone, what the server
acknowledged: a vote counts as acknowledged only with a 201 and a receipt, exactly what a
phone shows its owner.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from tests.participant.conftest import Meeting
from tests.server.server_helpers import TEST_SECRET, WORKSHOPS, ServerProcess, start_server
from toolkit.model import Vote
from toolkit.server.participant.service import ParticipantService
from toolkit.store import Store
from toolkit.workshop_file import write_template

#: The town-meeting template's issues (the options of the ballots the tests create).
A, B, C, D = "madoguchi-konzatsu", "kenshin-henko", "online-shinsei", "kosodate-push"
#: Concurrent requests in a burst: a few dozen phones pressing "vote" in the same instant.
CONCURRENCY = 50
#: Seconds one request of a burst may take before it counts as lost (never reached).
REQUEST_TIMEOUT_S = 60


def new_town_meeting(folder: Path, database: str, lang: str = "en") -> str:
    """Write the town-meeting template to ``folder`` and load it into ``database``; its slug."""
    spec = write_template(folder / "town.yaml", "town-meeting", lang)  # type: ignore[arg-type]
    with Store.open(database) as store:
        return store.load_workshop_file(spec).slug


def copy_apps(folder: Path) -> Path:
    """The shipped notebooks copied into ``folder`` (to serve a folder that holds more)."""
    folder.mkdir(parents=True, exist_ok=True)
    for notebook in WORKSHOPS.glob("*.ipynb"):
        shutil.copy(notebook, folder / notebook.name)
    return folder


def serve(name: str, *, folder: Path = WORKSHOPS, env: dict[str, str]) -> ServerProcess:
    """``start_server``, but a server that never became healthy is not left running."""
    before = {child.pid for child in psutil.Process().children()}
    try:
        return start_server(name, folder=folder, env=env)
    except BaseException:
        for child in psutil.Process().children():
            if child.pid not in before and "serve" in child.cmdline():
                child.kill()
        raise


def serve_meeting(name: str, database: str, slug: str, *, folder: Path = WORKSHOPS) -> Meeting:
    """``ureshii serve FOLDER`` on ``database`` (the facilitator secret is ``TEST_SECRET``)."""
    running = serve(name, folder=folder, env={"URESHII_DATABASE_URL": database})
    return Meeting(running, database, slug)


def receipt_of(vote: Vote) -> str:
    """The receipt a server started with ``TEST_SECRET`` shows for ``vote``."""
    return ParticipantService(None, secret=TEST_SECRET).receipt(vote)


# ---------------------------------------------------------------------- bursts of phones
@dataclass
class Outcome:
    """What one phone's request got: a status and JSON body, or the transport error."""

    status: int | None = None
    body: Any = None
    error: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.status == 201 and isinstance(self.body, dict) and "receipt" in self.body


@dataclass
class Burst:
    """The outcome of every phone of a burst, by token."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def acknowledged(self) -> dict[str, str]:
        """token → receipt of every vote the server acknowledged."""
        return {t: o.body["receipt"] for t, o in self.outcomes.items() if o.acknowledged}

    def statuses(self) -> dict[int | None, int]:
        counts: dict[int | None, int] = {}
        for outcome in self.outcomes.values():
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return counts


def _api(base: str, slug: str) -> str:
    return f"{base}/api/v1/workshops/{slug}"


async def _post(
    session: aiohttp.ClientSession, url: str, body: Any, token: str | None = None
) -> Outcome:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with session.post(url, json=body, headers=headers) as reply:
            text = await reply.text()
            try:
                parsed: Any = await reply.json(content_type=None) if text else None
            except ValueError:
                parsed = text
            return Outcome(reply.status, parsed)
    except (aiohttp.ClientError, TimeoutError) as error:
        return Outcome(error=f"{type(error).__name__}: {error}")


def _session(concurrency: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    return aiohttp.ClientSession(connector=connector, timeout=timeout)


async def _join_phones(base: str, slug: str, count: int, concurrency: int) -> list[Outcome]:
    async with _session(concurrency) as session:
        url = _api(base, slug) + "/join"
        return list(await asyncio.gather(*(_post(session, url, {}) for _ in range(count))))


def join_phones(base: str, slug: str, count: int, *, concurrency: int = CONCURRENCY) -> list[str]:
    """``count`` phones join at once; their device tokens (every join must succeed)."""
    outcomes = asyncio.run(_join_phones(base, slug, count, concurrency))
    failed = [o for o in outcomes if o.status != 201]
    assert not failed, f"{len(failed)} joins failed, e.g. {failed[0]}"
    return [o.body["token"] for o in outcomes]


async def _vote_phones(
    base: str,
    slug: str,
    ballot: str,
    votes: dict[str, Any],
    concurrency: int,
    on_acknowledged: Callable[[int], None] | None,
) -> Burst:
    burst = Burst()
    acknowledged = 0
    url = f"{_api(base, slug)}/ballots/{ballot}/votes"
    async with _session(concurrency) as session:

        async def one(token: str, vote: Any) -> None:
            nonlocal acknowledged
            outcome = await _post(session, url, {"vote": vote}, token)
            burst.outcomes[token] = outcome
            if outcome.acknowledged:
                acknowledged += 1
                if on_acknowledged is not None:
                    on_acknowledged(acknowledged)

        await asyncio.gather(*(one(token, vote) for token, vote in votes.items()))
    return burst


def vote_phones(
    base: str,
    slug: str,
    ballot: str,
    votes: dict[str, Any],
    *,
    concurrency: int = CONCURRENCY,
    on_acknowledged: Callable[[int], None] | None = None,
) -> Burst:
    """Every token votes once on ``ballot`` at the same time (``votes``: token → vote).

    ``on_acknowledged(n)`` is called in the client's event loop after the n-th
    acknowledgement (the crash test kills the server from there).
    """
    return asyncio.run(_vote_phones(base, slug, ballot, votes, concurrency, on_acknowledged))
