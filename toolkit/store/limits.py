"""Rate limits in the store (issue 20): what was limited, and the limits the facilitator lifted.

The limits themselves run in each server process (``toolkit/server/limits.py``); the store
keeps what every replica and the console must share:

* **Limited addresses**: a server that refuses an address's writes appends a
  ``rate_limited`` event (at most every few seconds per address, with how many it refused),
  so the console, on the live feed, can say "the venue's address is being held back".
* **Allowances**: the facilitator lifts the per-address limit of one address for a while
  (:meth:`LimitStore.allow_address`, event ``address_allowed``); every replica reads them.
  The per-phone (token) limit still applies, so one phone cannot flood the store.

Addresses are kept as their *label* (``toolkit.server.limits.address_label``): a venue's LAN
address as written (the Wi-Fi router, not a person), a public address only as a digest
keyed with the workshop's own secret key, so the store holds no resident's home address.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select

from toolkit.errors import InvalidInputError
from toolkit.store import tables as s
from toolkit.store.core import now
from toolkit.store.participants import ParticipantStore

ALLOW_MINUTES = 120
"""How long a lift lasts unless the facilitator says otherwise: the rest of the event."""
MAX_ALLOW_MINUTES = 24 * 60


@dataclass(frozen=True)
class LimitedAddress:
    """An address whose writes were refused recently: how many, when last, and until when
    the facilitator lifted its limit (None: not lifted)."""

    address: str
    refused: int
    last_at: datetime
    allowed_until: datetime | None


class LimitStore(ParticipantStore):
    """Limited addresses and the facilitator's allowances."""

    def address_key(self, slug: str) -> bytes:
        """The workshop's key for address digests (the same on every replica)."""

        def work(conn: Connection) -> str:
            return self._seat_key(conn, self._workshop_id(conn, slug))

        seat_key = self._write(work)
        return hmac.new(bytes.fromhex(seat_key), b"address-label", hashlib.sha256).digest()

    def record_rate_limited(self, slug: str, address: str, refused: int) -> None:
        """A server refused ``refused`` writes from ``address`` (a label) just now."""

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            payload = {"address": address, "refused": int(refused)}
            self._event(conn, wid, "rate_limited", "system", payload)

        self._write(work)

    def allow_address(self, slug: str, address: str, *, minutes: int = ALLOW_MINUTES) -> datetime:
        """Let ``address`` (a label) write past the per-address limit for ``minutes``;
        returns until when."""
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise InvalidInputError("allow_minutes", value=minutes, limit=MAX_ALLOW_MINUTES)
        if not 1 <= minutes <= MAX_ALLOW_MINUTES:
            raise InvalidInputError("allow_minutes", value=minutes, limit=MAX_ALLOW_MINUTES)
        if not isinstance(address, str) or not address or len(address) > 64:
            raise InvalidInputError("allow_address_unknown", value=str(address)[:64])
        at = now()
        until = at + timedelta(minutes=minutes)

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            conn.execute(
                insert(s.address_allowances).values(
                    workshop_id=wid, address=address, until=until, created_at=at
                )
            )
            payload = {"address": address, "minutes": minutes}
            self._event(conn, wid, "address_allowed", "facilitator", payload)

        self._write(work)
        return until

    def allowed_addresses(self, slug: str) -> dict[str, datetime]:
        """The addresses (labels) whose per-address limit is lifted now, and until when."""

        def work(conn: Connection) -> dict[str, datetime]:
            wid = self._workshop_id(conn, slug)
            rows = conn.execute(
                select(s.address_allowances.c.address, s.address_allowances.c.until).where(
                    s.address_allowances.c.workshop_id == wid,
                    s.address_allowances.c.until > now(),
                )
            )
            allowed: dict[str, datetime] = {}
            for address, until in rows:
                allowed[address] = max(until, allowed.get(address, until))
            return allowed

        return self._read(work)

    def limited_addresses(self, slug: str, *, minutes: int = 60) -> list[LimitedAddress]:
        """Addresses refused in the last ``minutes``, the most refused first."""
        since = now() - timedelta(minutes=minutes)

        def work(conn: Connection) -> list[tuple[str, int, datetime]]:
            wid = self._workshop_id(conn, slug)
            rows = conn.execute(
                select(s.events.c.at, s.events.c.payload).where(
                    s.events.c.workshop_id == wid,
                    s.events.c.kind == "rate_limited",
                    s.events.c.at >= since,
                )
            )
            return [(r.payload["address"], int(r.payload["refused"]), r.at) for r in rows]

        totals: dict[str, tuple[int, datetime]] = {}
        for address, refused, at in self._read(work):
            count, last = totals.get(address, (0, at))
            totals[address] = (count + refused, max(last, at))
        allowed = self.allowed_addresses(slug)
        return sorted(
            (
                LimitedAddress(address, count, last, allowed.get(address))
                for address, (count, last) in totals.items()
            ),
            key=lambda a: (-a.refused, a.address),
        )
