"""Table links: a table laptop reaches its table's apps, and nothing else.

The facilitator's secret opens everything (the console, charter locks, ballots, exports),
so it is never typed on a table laptop. Instead the console shows one link per table,
``/t/<workshop>/<table>?key=…``. Opening it sets a table cookie and opens the table app
with its table number (``/voila/render/table.ipynb?table=N``). With that cookie the gate
(:class:`toolkit.server.routes.AnonymousGate`) lets a request through only if it is one of
:data:`TABLE_APPS` for the cookie's own table, or the static files and kernel connections
those pages need; the console, the facilitator's notebooks and API, the file listing and the
kernel list answer 403.

Keys and cookies are HMACs under a key derived from the facilitator secret
(:func:`table_link_key`), so the server stores nothing and a second replica with the same
secret accepts them; ``URESHII_TABLE_LINK_KEY`` gives the console's kernel the derived key
(never the secret) so it can show the links. A link is valid for its table's current
*generation*, the number of times the facilitator revoked it (kept in the store,
``Store.revoke_table_link``): revoking makes the old link and every cookie it set useless
at the next request, whichever replica answers it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, quote

TABLE_COOKIE = "ureshii_table"
ENV_TABLE_LINK_KEY = "URESHII_TABLE_LINK_KEY"
TABLE_APPS = ("table.ipynb", "table_method.ipynb", "scoring.ipynb", "results.ipynb")
"""The notebooks a table laptop may open (each with its own ``?table=N``)."""

_PURPOSE = b"ureshii table links v1"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# What a table app's page needs besides the page itself: Voilà's and the widgets' static
# files, and its own kernel's channels (the kernel id is known only to the page that
# started it). Not the kernel list, not the contents API, not the file tree.
_TABLE_RESOURCES = re.compile(
    r"/(?:voila/(?:static|templates|api/themes|labextensions)/.+"
    rf"|api/kernels/{_UUID}/channels"
    rf"|voila/(?:api/shutdown|query|execution)/{_UUID})"
)
# Read-only: the page asks for its kernel's model (status) before connecting.
_TABLE_READS = re.compile(rf"/api/kernels/{_UUID}")
_RENDER = re.compile(r"/voila/render/(" + "|".join(re.escape(a) for a in TABLE_APPS) + ")")
GENERATION_CACHE_SECONDS = 3.0
"""How long the gate trusts a table's generation before asking the store again."""


def table_link_key(secret: str) -> str:
    """The key of table links and cookies, derived from the facilitator secret (hex)."""
    return hmac.new(secret.encode("utf-8"), _PURPOSE, hashlib.sha256).hexdigest()


def _mac(key: str, *parts: object) -> str:
    message = ":".join(str(p) for p in parts).encode("utf-8")
    return hmac.new(key.encode("ascii"), message, hashlib.sha256).hexdigest()[:32]


def table_link(key: str, base_url: str, slug: str, table: int, generation: int) -> str:
    """The path of ``table``'s link (append it to the server's address).

    >>> table_link("k" * 64, "/", "tsuru-dx", 3, 0).startswith("/t/tsuru-dx/3?key=")
    True
    """
    token = _mac(key, "link", slug, table, generation)
    return f"{base_url.rstrip('/')}/t/{quote(slug)}/{table}?key={token}"


@dataclass
class TableAccess:
    """Checks table links and table cookies against the store's current generations."""

    key: str = field(repr=False)
    generation: Callable[[str, int], int]
    """(workshop slug, table) → how many times its link was revoked (the store)."""
    _cache: dict[tuple[str, int], tuple[float, int]] = field(default_factory=dict, repr=False)

    def current(self, slug: str, table: int) -> int | None:
        """The table's current generation (cached briefly); None for an unknown workshop."""
        now = time.monotonic()
        cached = self._cache.get((slug, table))
        if cached is not None and now - cached[0] < GENERATION_CACHE_SECONDS:
            return cached[1]
        try:
            value = self.generation(slug, table)
        except Exception:  # an unknown workshop, a store that cannot answer: no access
            return None
        self._cache[(slug, table)] = (now, value)
        return value

    def forget(self, slug: str, table: int) -> None:
        """Ask the store again next time (after a revocation on this server)."""
        self._cache.pop((slug, table), None)

    def check_link(self, slug: str, table: int, given: str | None) -> bool:
        """Whether ``given`` is the current key of ``table``'s link."""
        generation = self.current(slug, table)
        if not given or generation is None:
            return False
        expected = _mac(self.key, "link", slug, table, generation)
        return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))

    def cookie_value(self, slug: str, table: int) -> str:
        """The table cookie for the current generation: ``slug.table.generation.mac``."""
        generation = self.current(slug, table) or 0
        return f"{slug}.{table}.{generation}.{_mac(self.key, 'cookie', slug, table, generation)}"

    def table_of_cookie(self, value: str | None) -> tuple[str, int] | None:
        """The (workshop, table) a valid, current table cookie is for; else None."""
        parts = (value or "").split(".")
        if len(parts) != 4 or not parts[1].isdigit() or not parts[2].isdigit():
            return None
        slug, table, generation, mac = parts[0], int(parts[1]), int(parts[2]), parts[3]
        expected = _mac(self.key, "cookie", slug, table, generation)
        if not hmac.compare_digest(mac.encode("utf-8"), expected.encode("utf-8")):
            return None
        if self.current(slug, table) != generation:
            return None  # revoked since
        return slug, table

    def table_of_header(self, header: str | None) -> tuple[str, int] | None:
        """The table of a raw ``Cookie:`` header's table cookie, if valid and current."""
        if not header or TABLE_COOKIE not in header:
            return None
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(header)
        except CookieError:
            return None
        morsel = jar.get(TABLE_COOKIE)
        return None if morsel is None else self.table_of_cookie(morsel.value)

    @staticmethod
    def allows(path: str, query: str, table: int, base_url: str = "/", method: str = "GET") -> bool:
        """Whether a table laptop of ``table`` may request ``path`` (default deny).

        >>> TableAccess.allows("/voila/render/table.ipynb", "table=3", 3)
        True
        >>> TableAccess.allows("/voila/render/table.ipynb", "table=4", 3)
        False
        >>> TableAccess.allows("/voila/render/console.ipynb", "table=3", 3)
        False
        >>> TableAccess.allows("/api/kernels", "", 3)
        False
        >>> zero = "/api/kernels/00000000-0000-0000-0000-000000000000"
        >>> TableAccess.allows(zero, "", 3), TableAccess.allows(zero, "", 3, method="DELETE")
        (True, False)
        """
        prefix = base_url.rstrip("/")
        if prefix:
            if not path.startswith(prefix + "/"):
                return False
            path = path[len(prefix) :]
        if _RENDER.fullmatch(path):
            asked = parse_qs(query).get("table") or [""]
            return asked == [str(table)]
        if method in ("GET", "HEAD") and _TABLE_READS.fullmatch(path):
            return True
        return _TABLE_RESOURCES.fullmatch(path) is not None
