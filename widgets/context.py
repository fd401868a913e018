"""Which store, workshop and language an app works on.

``ureshii serve`` and ``ureshii demo`` start every app kernel with ``URESHII_DATABASE_URL``
(the store), optionally ``URESHII_WORKSHOP`` (a workshop slug; default: the newest workshop
in the store) and ``URESHII_LANG``. A notebook's first cell is just::

    ctx = AppContext.from_environment()

Widgets receive the context in their constructor; none opens a database of its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from toolkit.errors import NotFoundError
from toolkit.i18n import Lang, normalize_language
from toolkit.store import Store

ENV_WORKSHOP = "URESHII_WORKSHOP"


@dataclass(frozen=True)
class AppContext:
    """The store, the workshop slug and the language of one app (one kernel)."""

    store: Store
    slug: str
    lang: Lang

    @classmethod
    def from_environment(cls) -> AppContext:
        """Open the store named by the environment and choose the workshop and language."""
        store = Store.open(None)
        return cls.for_store(store, os.environ.get(ENV_WORKSHOP) or None)

    @classmethod
    def for_store(
        cls, store: Store, slug: str | None = None, lang: str | None = None
    ) -> AppContext:
        """A context on an open store: ``slug`` or the newest workshop; ``lang`` or the
        workshop's own language (``URESHII_LANG`` overrides it when set)."""
        if slug is None:
            workshops = store.workshops()
            if not workshops:
                raise NotFoundError("not_found_any_workshop")
            slug = workshops[-1].slug
        workshop = store.workshop(slug)
        chosen = lang or os.environ.get("URESHII_LANG") or workshop.lang
        return cls(store, slug, normalize_language(chosen))
