"""Rate limits on the participants' writes: per token, and (generously) per address.

A town meeting puts hundreds of phones behind ONE venue address (the Wi-Fi's NAT), so the
per-address limit only stops a flood; the per-token limit stops one phone (or script) from
hammering the store. Reads are not limited (pages and results are cached). Limits are
token buckets kept in memory per server process (a replica counts its own requests).

The check runs as a routing rule before any handler (like the facilitator gate), so a
limited request costs no store access. The facilitator's API calls (bearer = the secret,
e.g. staff entering paper ballots) are not limited.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tornado import httputil, routing

from toolkit.server.access import FacilitatorAccess

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Limit:
    """``burst`` requests at once, refilled at ``per_minute`` a minute."""

    burst: int
    per_minute: float

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0


#: One phone: a join, a card or two, a consent, a dozen score pages and a few votes fit.
TOKEN_LIMIT = Limit(burst=30, per_minute=30)
#: One address: a whole venue behind one NAT (1,000 phones joining and voting at once).
ADDRESS_LIMIT = Limit(burst=3000, per_minute=6000)
MAX_KEYS = 100_000


@dataclass
class Buckets:
    """Token buckets by key; forgets the oldest keys beyond ``MAX_KEYS``."""

    limit: Limit
    _state: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str, now: float | None = None) -> float:
        """Take one request; 0 if allowed, else the seconds until one is allowed again."""
        now = time.monotonic() if now is None else now
        tokens, last = self._state.get(key, (float(self.limit.burst), now))
        tokens = min(float(self.limit.burst), tokens + (now - last) * self.limit.rate)
        if tokens < 1.0:
            self._state[key] = (tokens, now)
            return (1.0 - tokens) / self.limit.rate
        if len(self._state) >= MAX_KEYS and key not in self._state:
            self._state.pop(next(iter(self._state)))
        self._state[key] = (tokens - 1.0, now)
        return 0.0


def _credential(request: httputil.HTTPServerRequest) -> str | None:
    """The participant credential of a request: its bearer token or participant cookie."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    for name, morsel in request.cookies.items():
        if name.startswith("ureshii_p_"):
            return morsel.value
    return None


class RateGate(routing.Matcher):
    """Matches a write under ``prefixes`` that is over its limit (→ the 429 handler)."""

    def __init__(
        self,
        prefixes: tuple[str, ...],
        access: FacilitatorAccess,
        *,
        token_limit: Limit = TOKEN_LIMIT,
        address_limit: Limit = ADDRESS_LIMIT,
    ) -> None:
        self.prefixes = prefixes
        self.access = access
        self.tokens = Buckets(token_limit)
        self.addresses = Buckets(address_limit)

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, Any] | None:
        if request.method not in WRITE_METHODS or not request.path.startswith(self.prefixes):
            return None
        credential = _credential(request)
        if credential is not None and self.access.check_secret(credential):
            return None  # the facilitator (e.g. staff entering paper ballots)
        wait = self.addresses.take(request.remote_ip or "?")
        if not wait and credential is not None:
            wait = self.tokens.take(credential)
        if not wait:
            return None
        request.ureshii_retry_after = max(1, int(wait + 0.999))  # type: ignore[attr-defined]
        return {}
