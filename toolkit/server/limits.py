"""Rate limits on the participants' writes: per token, and (generously) per address.

A town meeting puts hundreds of phones behind ONE venue address (the Wi-Fi's NAT), so the
per-address limit only stops a flood; the per-token limit stops one phone (or script) from
hammering the store. Reads are not limited (pages and results are cached). Limits are
token buckets kept in memory per server process (a replica counts its own requests).

The check runs as a routing rule before any handler (like the facilitator gate), so a
limited request costs no store access. The facilitator's API calls (bearer = the secret,
e.g. staff entering paper ballots) are not limited.

The per-address limit is **per workshop** and grows with the workshop's
``expected_participants`` (the workshop file): :func:`address_limit`. When it refuses an
address anyway, the server appends a ``rate_limited`` event (at most every
:data:`REPORT_EVERY` seconds per address), which the console shows; the facilitator can lift
that address's limit for a while (``Store.allow_address``), read by every replica from the
store (:class:`VenueRules`). The per-token limit still holds one phone back.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tornado import httputil, routing

from toolkit.errors import UreshiiError
from toolkit.server.access import FacilitatorAccess

if TYPE_CHECKING:
    from toolkit.store import Store

log = logging.getLogger(__name__)

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
#: Writes per expected person: at once (a join, a vote or an answer, a retry) and per minute.
WRITES_AT_ONCE, WRITES_PER_MINUTE = 4, 8
RULES_TTL = 5.0
"""Seconds a workshop's limit and lifted addresses are reused before the store is read again."""
REPORT_EVERY = 5.0
"""Seconds between two ``rate_limited`` events of the same address."""


def address_limit(expected: int | None) -> Limit:
    """The per-address limit of a workshop expecting ``expected`` people at most: room for
    all of them behind one address (a venue's Wi-Fi), never less than :data:`ADDRESS_LIMIT`.

    >>> address_limit(None) == ADDRESS_LIMIT, address_limit(3000)
    (True, Limit(burst=12000, per_minute=24000))
    """
    if not expected:
        return ADDRESS_LIMIT
    return Limit(
        burst=max(ADDRESS_LIMIT.burst, WRITES_AT_ONCE * expected),
        per_minute=max(ADDRESS_LIMIT.per_minute, WRITES_PER_MINUTE * expected),
    )


def address_label(address: str, key: bytes) -> str:
    """How the store and the console name an address: a LAN address (the venue's router, a
    laptop) as written; a public one only by a digest keyed with the workshop's key, so no
    resident's home address is ever stored.

    >>> address_label("192.168.10.1", b"k"), address_label("93.184.216.34", b"k")[:7]
    ('192.168.10.1', 'public-')
    """
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        parsed = None
    if parsed is not None and (parsed.is_private or parsed.is_loopback or parsed.is_link_local):
        return address
    digest = hmac.new(key, address.encode("utf-8"), hashlib.sha256).hexdigest()
    return "public-" + digest[:12]


class VenueRules:
    """What the store says of each workshop's limits, read at most every :data:`RULES_TTL`
    seconds: its expected size, its key for address labels and the addresses the facilitator
    lifted; and the refusals, reported to the store as ``rate_limited`` events."""

    def __init__(self, store: Callable[[], Store]) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[float, Limit, dict[str, float]]] = {}
        self._keys: dict[str, bytes] = {}
        self._refused: dict[tuple[str, str], tuple[int, float]] = {}

    def _read(self, slug: str, now: float) -> tuple[Limit, dict[str, float]]:
        found = self._rules.get(slug)
        if found is not None and now - found[0] < RULES_TTL:
            return found[1], found[2]
        limit, allowed = ADDRESS_LIMIT, {}
        try:
            store = self._store()
            spec = store.workshop(slug).spec
            expected = spec.get("expected_participants")
            limit = address_limit(expected if isinstance(expected, int) else None)
            wall = time.time()
            allowed = {
                label: now + (until.timestamp() - wall)
                for label, until in store.allowed_addresses(slug).items()
            }
        except UreshiiError:
            pass  # an unknown workshop (its pages say so): the default limit
        with self._lock:
            self._rules[slug] = (now, limit, allowed)
        return limit, allowed

    def limit(self, slug: str, now: float) -> Limit:
        return self._read(slug, now)[0]

    def label(self, slug: str, address: str) -> str:
        key = self._keys.get(slug)
        if key is None:
            try:
                key = self._store().address_key(slug)
            except UreshiiError:
                key = b""
            self._keys[slug] = key
        return address_label(address, key)

    def allowed(self, slug: str, label: str, now: float) -> bool:
        until = self._read(slug, now)[1].get(label)
        return until is not None and until > now

    def refused(self, slug: str, label: str, now: float) -> None:
        """Count one refusal; report the count to the store every :data:`REPORT_EVERY` s."""
        with self._lock:
            count, since = self._refused.get((slug, label), (0, now))
            count += 1
            due = now - since >= REPORT_EVERY or count == 1
            self._refused[(slug, label)] = (0, now) if due else (count, since)
        if due:
            try:
                self._store().record_rate_limited(slug, label, count)
            except UreshiiError as error:  # never let the report stop the refusal
                log.warning("could not record a rate limit: %s", error)


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


def workshop_of(path: str, prefixes: tuple[str, ...]) -> str:
    """The workshop a participant path names (``/p/<slug>/…``, ``…/workshops/<slug>/…``),
    or "" for none.

    >>> prefixes = ("/p/", "/api/v1/")
    >>> workshop_of("/p/tsuru/b/top", prefixes), workshop_of("/api/v1/openapi.json", prefixes)
    ('tsuru', '')
    """
    for prefix in prefixes:
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            if prefix.endswith("/api/v1/") or prefix.endswith("/api/v1"):
                if not rest.startswith("workshops/"):
                    return ""
                rest = rest[len("workshops/") :]
            return rest.split("/", 1)[0]
    return ""


class RateGate(routing.Matcher):
    """Matches a write under ``prefixes`` that is over its limit (→ the 429 handler)."""

    def __init__(
        self,
        prefixes: tuple[str, ...],
        access: FacilitatorAccess,
        *,
        token_limit: Limit = TOKEN_LIMIT,
        address_limit: Limit = ADDRESS_LIMIT,
        rules: VenueRules | None = None,
    ) -> None:
        self.prefixes = prefixes
        self.access = access
        self.tokens = Buckets(token_limit)
        self.default_limit = address_limit
        self.rules = rules
        # One set of buckets per workshop, each with that workshop's limit.
        self.addresses: dict[str, Buckets] = {}

    def _address_buckets(self, slug: str, now: float) -> Buckets:
        limit = self.rules.limit(slug, now) if self.rules and slug else self.default_limit
        buckets = self.addresses.get(slug)
        if buckets is None or buckets.limit != limit:
            if len(self.addresses) >= MAX_KEYS:
                self.addresses.pop(next(iter(self.addresses)))
            # A new limit keeps what each address has already spent.
            buckets = Buckets(limit, buckets._state if buckets is not None else {})
            self.addresses[slug] = buckets
        return buckets

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, Any] | None:
        if request.method not in WRITE_METHODS or not request.path.startswith(self.prefixes):
            return None
        credential = _credential(request)
        if credential is not None and self.access.check_secret(credential):
            return None  # the facilitator (e.g. staff entering paper ballots)
        now = time.monotonic()
        slug = workshop_of(request.path, self.prefixes)
        address = request.remote_ip or "?"
        wait = self._address_buckets(slug, now).take(address, now)
        if wait and self.rules is not None and slug:
            label = self.rules.label(slug, address)
            if self.rules.allowed(slug, label, now):
                wait = 0.0  # the facilitator lifted this address's limit
            else:
                self.rules.refused(slug, label, now)
        if not wait and credential is not None:
            wait = self.tokens.take(credential)
        if not wait:
            return None
        request.ureshii_retry_after = max(1, int(wait + 0.999))  # type: ignore[attr-defined]
        return {}
