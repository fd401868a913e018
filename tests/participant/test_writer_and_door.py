"""The writer process and the door, on a real ``ureshii serve``: what a town meeting relies
on when the writer dies mid-vote, when the server stops, and when a crowd arrives at once.

- The writer is a child process (``toolkit/server/participant/writes.py``). A vote waiting in
  it when it dies is answered 503 with a ja/en message and is not stored; the next vote
  starts a new writer and is stored once. The writer never outlives its server, whether the
  server stops or is killed.
- The door (``toolkit/server/participant/door.py``) lets new phones in a few per turn of the
  event loop: with 300 new phones queued at the door, a phone already inside gets its
  ballot page and its vote answered before the queue has gone through, and every phone at
  the door gets its join page in the end.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.participant.conftest import Meeting, start_meeting
from tests.server.server_helpers import wait_until
from toolkit.server.participant.door import Door

OPTIONS = ["madoguchi-konzatsu", "kenshin-henko", "online-shinsei"]


def _start(folder: Path, name: str, **env: str) -> Meeting:
    meeting = start_meeting(folder, str(folder / "town.sqlite"), name, **env)
    meeting.ballot("town", "approval", OPTIONS)
    return meeting


def writer_of(meeting: Meeting) -> psutil.Process:
    """The server's writer process (a spawned multiprocessing child)."""
    found: list[psutil.Process] = []

    def present() -> bool:
        found[:] = [
            child
            for child in psutil.Process(meeting.server.process.pid).children()
            if "spawn_main" in " ".join(child.cmdline())
        ]
        return len(found) == 1

    wait_until(present, deadline_s=30, what="the server's one writer process")
    return found[0]


def ended(process: psutil.Process) -> bool:
    """Gone, or a zombie that its parent has yet to reap (the parent may be busy)."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture
def fresh_meeting(tmp_path: Path) -> Iterator[Meeting]:
    meeting = _start(tmp_path, "writer")
    try:
        yield meeting
    finally:
        meeting.server.stop()


# ---------------------------------------------------------------------- the writer process
def test_a_vote_in_a_writer_that_dies_is_refused_cleanly_and_the_next_vote_is_stored(
    fresh_meeting: Meeting,
) -> None:
    meeting = fresh_meeting
    token = meeting.join()
    writer = writer_of(meeting)
    answer: dict[str, Any] = {}

    # Hold the store's write lock, so the vote waits inside the writer when it is killed.
    lock = sqlite3.connect(meeting.database, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")

    def vote() -> None:
        answer["reply"] = meeting.api(
            "POST", "/ballots/town/votes", {"vote": [OPTIONS[0]]}, token=token
        )

    sender = threading.Thread(target=vote)
    sender.start()
    sender.join(2.0)  # long enough for the vote to reach the writer, which now waits
    assert sender.is_alive(), "the vote was answered while the store was locked"
    writer.send_signal(signal.SIGKILL)
    wait_until(lambda: ended(writer), deadline_s=30, what="the killed writer to end")
    lock.execute("ROLLBACK")
    lock.close()
    sender.join(30)

    status, body = answer["reply"]
    assert status == 503, body
    assert body["error"]["code"] == "store_writer_stopped"
    assert "nothing was stored" in body["error"]["message"]["en"]
    assert "何も保存されていません" in body["error"]["message"]["ja"]
    assert meeting.votes("town") == 0

    status, body = meeting.api("POST", "/ballots/town/votes", {"vote": [OPTIONS[0]]}, token=token)
    assert status == 201, body
    assert meeting.votes("town") == 1
    assert writer_of(meeting).pid != writer.pid
    status, body = meeting.api("POST", "/ballots/town/votes", {"vote": [OPTIONS[1]]}, token=token)
    assert status == 409, body  # one person, one vote, through the new writer as well


def test_the_writer_process_stops_with_its_server(tmp_path: Path) -> None:
    stopped = _start(tmp_path / "stop", "writer-stop")
    writer = writer_of(stopped)
    stopped.server.stop()  # SIGTERM, as Ctrl+C or a service manager does
    wait_until(lambda: ended(writer), deadline_s=30, what="the writer to stop with its server")

    killed = _start(tmp_path / "kill", "writer-kill")
    try:
        token = killed.join()
        assert (
            killed.api("POST", "/ballots/town/votes", {"vote": [OPTIONS[2]]}, token=token)[0] == 201
        )
        writer = writer_of(killed)
        killed.server.process.send_signal(signal.SIGKILL)  # no chance to clean up
        # The writer sees its parent's pipe close, and exits.
        wait_until(lambda: ended(writer), deadline_s=30, what="the orphaned writer to exit")
    finally:
        killed.server.stop()
    assert killed.votes("town") == 1  # the acknowledged vote survived both


# ---------------------------------------------------------------------- the door
class _Client:
    """One phone's keep-alive HTTP/1.1 connection (enough for the pages and the API)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def send(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        if self.streams is None:
            self.streams = await asyncio.open_connection("127.0.0.1", self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        head += f"Content-Length: {len(body)}\r\n\r\n"
        self.streams[1].write(head.encode() + body)
        await self.streams[1].drain()

    async def answer(self) -> tuple[int, str]:
        assert self.streams is not None
        reader = self.streams[0]
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        length = next(
            int(line.split(":", 1)[1]) for line in head if line.lower().startswith("content-length")
        )
        return int(head[0].split()[1]), (await reader.readexactly(length)).decode()

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()


def test_phones_inside_are_served_before_a_crowd_at_the_door(tmp_path: Path) -> None:
    """One new phone let in per turn: the crowd of 300 queues, the phone inside does not."""
    meeting = _start(tmp_path, "door", URESHII_DOOR_PER_TURN="1")
    try:
        token = meeting.join()
        crowd, finished = 300, []

        async def run() -> dict[str, int]:
            visitors = [_Client(meeting.server.port) for _ in range(crowd)]
            inside = _Client(meeting.server.port)
            await inside.send("GET", "/healthz")  # connected before the crowd comes
            await inside.answer()

            async def visit(index: int, client: _Client) -> None:
                await client.send("GET", f"/p/{meeting.slug}/")
                status, page = await client.answer()
                assert status == 200 and 'name="_csrf"' in page
                finished.append(index)

            waiting = [asyncio.create_task(visit(i, c)) for i, c in enumerate(visitors)]
            while len(finished) == 0:  # the crowd is at the door and the first got in
                await asyncio.sleep(0.005)
            seen: dict[str, int] = {}
            auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            await inside.send("GET", f"/api/v1/workshops/{meeting.slug}/ballots/town", headers=auth)
            status, _ = await inside.answer()
            assert status == 200
            seen["ballot"] = len(finished)
            vote = json.dumps({"vote": [OPTIONS[0]]}).encode()
            path = f"/api/v1/workshops/{meeting.slug}/ballots/town/votes"
            await inside.send("POST", path, vote, headers=auth)
            status, body = await inside.answer()
            assert status == 201, body
            seen["vote"] = len(finished)
            await asyncio.gather(*waiting)
            for client in [*visitors, inside]:
                client.close()
            return seen

        seen = asyncio.run(asyncio.wait_for(run(), 120))
        assert sorted(finished) == list(range(crowd))  # everyone at the door got in
        assert seen["ballot"] < crowd // 2, seen  # not behind the queue at the door
        assert seen["vote"] < crowd, seen
        assert meeting.votes("town") == 1
    finally:
        meeting.server.stop()


def test_the_door_lets_in_a_few_per_turn_in_arrival_order() -> None:
    async def scenario() -> tuple[list[int], list[int]]:
        door, order, per_turn = Door(per_turn=3), [], []

        async def phone(index: int) -> None:
            await door.enter()
            order.append(index)

        tasks = [asyncio.create_task(phone(i)) for i in range(10)]
        tasks[4].cancel()  # a phone that gave up does not hold the others
        while len(order) < 9:
            before = len(order)
            await asyncio.sleep(0)
            per_turn.append(len(order) - before)
        assert door.waiting == 0
        return order, per_turn

    order, per_turn = asyncio.run(scenario())
    assert order == [0, 1, 2, 3, 5, 6, 7, 8, 9]
    assert max(per_turn) <= 3


def test_an_open_door_lets_everyone_in_at_once() -> None:
    async def scenario() -> int:
        door = Door(per_turn=0)
        for _ in range(50):
            await door.enter()  # no turn needed: nothing waits
        return door.waiting

    assert asyncio.run(scenario()) == 0
