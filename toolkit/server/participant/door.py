"""The door: new phones come in at the pace the server keeps up with; phones inside go first.

When a thousand phones scan the QR code at once, one event loop cannot answer everyone's
next step at the same moment: served strictly in arrival order, every step of every phone
(the join page, the ballot, the vote) waits behind the whole crowd's, and a vote's
acknowledgement comes last of all. A polling station does it the other way: the queue is at
the door, and whoever is inside votes without waiting. :class:`Door` does that for the
one request that brings a new phone in (the join page of a phone that has not joined):
each turn of the event loop lets at most :data:`PER_TURN` new phones in, in arrival order,
after the requests of phones already inside. An idle server lets everyone in at once (the
next turn comes at once); a busy one lets them in as fast as it finishes the work inside,
without any timing threshold to tune. Nobody is refused and nobody is overtaken.

Measured with ``bench/town_meeting.py`` (1,000 phones at once, 2 cores): the wait moves to
the first page, the ballot page and the vote's acknowledgement come back in a fraction of
the time (docs/benchmarks.md). ``URESHII_DOOR_PER_TURN=0`` opens the door wide (strict
arrival order, for comparison).
"""

from __future__ import annotations

import asyncio
import collections
import os

PER_TURN = 8
"""New phones let in per turn of the event loop while others wait."""

PER_TURN_ENV = "URESHII_DOOR_PER_TURN"


def per_turn_setting() -> int:
    """:data:`PER_TURN`, or the ``URESHII_DOOR_PER_TURN`` environment variable (0 = no door)."""
    raw = os.environ.get(PER_TURN_ENV, "").strip()
    return max(0, int(raw)) if raw.isdigit() else PER_TURN


class Door:
    """A queue at the door, served a few per turn of the event loop (see the module).

    Five phones arrive at once and come in two per turn, in the order they arrived:

    >>> import asyncio
    >>> door = Door(per_turn=2)
    >>> async def arrive(phones: int) -> list[int]:
    ...     inside: list[int] = []
    ...     async def phone(number: int) -> None:
    ...         await door.enter()  # returns when it is this phone's turn
    ...         inside.append(number)
    ...     await asyncio.gather(*(phone(number) for number in range(phones)))
    ...     return inside
    >>> asyncio.run(arrive(5))
    [0, 1, 2, 3, 4]
    >>> door.waiting
    0
    """

    def __init__(self, per_turn: int | None = None) -> None:
        self.per_turn = per_turn_setting() if per_turn is None else per_turn
        self._queues: dict[asyncio.AbstractEventLoop, collections.deque[asyncio.Future[None]]]
        self._queues = {}

    @property
    def waiting(self) -> int:
        """Phones waiting at the door now."""
        return sum(len(queue) for queue in self._queues.values())

    async def enter(self) -> None:
        """Wait for this phone's turn (no wait while the door is open wide)."""
        if self.per_turn <= 0:
            return
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = collections.deque()
            loop.call_soon(self._let_in, loop)  # next turn: after what is ready now
        future: asyncio.Future[None] = loop.create_future()
        queue.append(future)
        await future

    def _let_in(self, loop: asyncio.AbstractEventLoop) -> None:
        queue = self._queues[loop]
        for _ in range(self.per_turn):
            if not queue:
                break
            future = queue.popleft()
            if not future.done():  # a cancelled visitor gave up its place
                future.set_result(None)
        if queue:
            loop.call_soon(self._let_in, loop)
        else:
            del self._queues[loop]
