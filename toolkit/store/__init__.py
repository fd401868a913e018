"""The durable store: SQLite by default, PostgreSQL by URL. See :class:`Store`."""

from toolkit.store.charter import METHOD_IDS, TIE_BREAKS, normalise_weights
from toolkit.store.core import hash_token
from toolkit.store.engine import ENV_DATABASE_URL, resolve_url
from toolkit.store.participants import format_code, normalize_code
from toolkit.store.store import Store

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
