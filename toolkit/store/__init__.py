"""The durable store: SQLite by default, PostgreSQL by URL. See :class:`Store`."""

from toolkit.store.engine import ENV_DATABASE_URL, resolve_url
from toolkit.store.store import (
    METHOD_IDS,
    TIE_BREAKS,
    Store,
    format_code,
    hash_token,
    normalise_weights,
    normalize_code,
)

__all__ = [
    "ENV_DATABASE_URL",
    "METHOD_IDS",
    "TIE_BREAKS",
    "Store",
    "format_code",
    "hash_token",
    "normalise_weights",
    "normalize_code",
    "resolve_url",
]
