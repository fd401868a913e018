"""The facilitator secret and the cookie that proves a browser was given it.

The secret is generated per server start (``secrets.token_urlsafe(24)``, 192 bits) unless
one is given. Opening ``/?secret=…`` once sets an HttpOnly, SameSite=Strict cookie; the
cookie holds an HMAC of the secret, never the secret itself, so it cannot be turned back
into a facilitator link. Nothing is stored on the server: a second replica started with the
same secret accepts the same cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie

from toolkit.server import ServerError

COOKIE_NAME = "ureshii_facilitator"
SECRET_QUERY_ARGUMENT = "secret"
MIN_SECRET_LENGTH = 16
_COOKIE_PURPOSE = b"ureshii facilitator cookie v1"


def new_secret() -> str:
    """A fresh facilitator secret (URL-safe, 32 characters)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class FacilitatorAccess:
    """Checks the facilitator secret and the cookie derived from it.

    >>> access = FacilitatorAccess("correct-horse-battery-staple")
    >>> access.check_secret("correct-horse-battery-staple"), access.check_secret("guess")
    (True, False)
    >>> access.check_cookie(access.cookie_value)
    True
    """

    secret: str = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_SECRET_LENGTH:
            raise ServerError(
                "serve_secret_too_short", min_length=MIN_SECRET_LENGTH, length=len(self.secret)
            )

    @property
    def cookie_value(self) -> str:
        """The value of the facilitator cookie: HMAC-SHA256 of a fixed purpose string."""
        key = self.secret.encode("utf-8")
        return hmac.new(key, _COOKIE_PURPOSE, hashlib.sha256).hexdigest()

    def check_secret(self, given: str | None) -> bool:
        """Whether ``given`` is the secret (constant-time comparison)."""
        if not given:
            return False
        return hmac.compare_digest(given.encode("utf-8"), self.secret.encode("utf-8"))

    def check_cookie(self, value: str | None) -> bool:
        """Whether ``value`` is the facilitator cookie of this secret (constant time)."""
        if not value:
            return False
        return hmac.compare_digest(value.encode("utf-8"), self.cookie_value.encode("utf-8"))

    def check_cookie_header(self, header: str | None) -> bool:
        """Whether a raw ``Cookie:`` request header carries the facilitator cookie."""
        if not header:
            return False
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(header)
        except CookieError:
            return False
        morsel = jar.get(COOKIE_NAME)
        return morsel is not None and self.check_cookie(morsel.value)
