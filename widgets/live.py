"""Live updates: one poller of the store's change feed per app, shared by its widgets.

Every screen — console, board, table laptops, phones — writes to the same store, which
numbers each change (``events.seq``). :class:`LiveFeed` asks the store for "everything
since the last number I saw" every ``interval`` seconds on the kernel's event loop and hands
new events to the widgets that subscribed, so a change made anywhere reaches every screen
within about one interval, and no state lives only in one kernel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass

from toolkit.model import Event
from toolkit.store import Store

log = logging.getLogger(__name__)
Subscriber = Callable[[list[Event]], None]


@dataclass
class _Subscription:
    callback: Subscriber
    kinds: frozenset[str] | None


class LiveFeed:
    """Polls ``store.changes(slug, since=last)``; calls subscribers with the new events.

    ``poll_once()`` does one round synchronously (tests call it directly); ``start()`` polls
    every ``interval`` seconds on the running event loop (the kernel's, in Voilà).
    """

    def __init__(self, store: Store, slug: str, *, interval: float = 1.0) -> None:
        self.store = store
        self.slug = slug
        self.interval = interval
        self.last_seq = store.last_seq(slug)
        self._subscriptions: list[_Subscription] = []
        self._task: asyncio.Task[None] | None = None

    def subscribe(self, callback: Subscriber, kinds: Collection[str] | None = None) -> None:
        """Call ``callback(events)`` when events arrive (only of ``kinds``, if given)."""
        self._subscriptions.append(_Subscription(callback, frozenset(kinds) if kinds else None))

    def poll_once(self) -> list[Event]:
        """Fetch the events since the last poll and deliver them; returns them."""
        events = self.store.changes(self.slug, since=self.last_seq)
        if not events:
            return []
        self.last_seq = events[-1].seq
        for subscription in list(self._subscriptions):
            wanted = [
                e for e in events if subscription.kinds is None or e.kind in subscription.kinds
            ]
            if wanted:
                try:
                    subscription.callback(wanted)
                except Exception:  # one broken view must not stop the others' updates
                    log.exception("live update failed in %r", subscription.callback)
        return events

    def start(self) -> None:
        """Poll in the background on the running event loop until :meth:`stop`."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_event_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while True:
            try:
                self.poll_once()
            except Exception:  # a passing database error: try again next round
                log.exception("polling the change feed failed")
            await asyncio.sleep(self.interval)
