"""The durable store: SQLite by default, PostgreSQL by URL. See :class:`Store`."""

from toolkit.store.engine import ENV_DATABASE_URL, resolve_url
from toolkit.store.store import METHOD_IDS, TIE_BREAKS, Store, hash_token, normalise_weights

__all__ = [
    "ENV_DATABASE_URL",
    "METHOD_IDS",
    "TIE_BREAKS",
    "Store",
    "hash_token",
    "normalise_weights",
    "resolve_url",
]
