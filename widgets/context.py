"""Which store, workshop and language an app works on.

``ureshii serve`` and ``ureshii demo`` start every app kernel with ``URESHII_DATABASE_URL``
(the store), optionally ``URESHII_WORKSHOP`` (a workshop slug; default: the newest workshop
in the store) and ``URESHII_LANG``. A table laptop's app is opened with its table number in
the address (``…/table.ipynb?table=3``; Voilà hands the query to the kernel as
``QUERY_STRING``), so its seats are that table's people in every app; ``?lang=en`` or
``?lang=ja`` in the address (the heading's language switch) chooses the language. A notebook's first
cell is just::

    ctx = AppContext.from_environment()

Widgets receive the context in their constructor; none opens a database of its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, parse_qsl, urlencode

from toolkit.errors import NotFoundError
from toolkit.i18n import LANGUAGES, Lang, normalize_language
from toolkit.store import Store
from toolkit.store.tables import MAX_TABLES
from toolkit.times import format_time, workshop_time_zone

ENV_WORKSHOP = "URESHII_WORKSHOP"


@dataclass(frozen=True)
class AppContext:
    """The store, the workshop slug and the language of one app (one kernel)."""

    store: Store
    slug: str
    lang: Lang
    table: int | None = None
    """The table laptop's table number (``?table=N``); None: the seats ask for it."""

    @classmethod
    def from_environment(cls) -> AppContext:
        """Open the store named by the environment and choose the workshop and language."""
        store = Store.open(None)
        query = os.environ.get("QUERY_STRING", "")
        table = table_from_query(query)
        slug = os.environ.get(ENV_WORKSHOP) or None
        return cls.for_store(store, slug, language_from_query(query), table=table)

    @classmethod
    def for_store(
        cls,
        store: Store,
        slug: str | None = None,
        lang: str | None = None,
        *,
        table: int | None = None,
    ) -> AppContext:
        """A context on an open store: ``slug`` or the newest workshop; ``lang`` or the
        workshop's own language (``URESHII_LANG`` overrides it when set); ``table`` for a
        table laptop."""
        if slug is None:
            workshops = store.workshops()
            if not workshops:
                raise NotFoundError("not_found_any_workshop")
            slug = workshops[-1].slug
        workshop = store.workshop(slug)
        chosen = lang or os.environ.get("URESHII_LANG") or workshop.lang
        return cls(store, slug, normalize_language(chosen), table)

    def format_time(self, value: datetime | str | None, *, date: bool = True) -> str:
        """A stored time in the workshop's time zone, with the zone and its offset
        (:func:`toolkit.times.format_time`): ``2026-03-01 14:05 (JST, UTC+9)``."""
        zone = workshop_time_zone(self.store.workshop(self.slug).time_zone)
        return format_time(value, self.lang, zone=zone, date=date)


def language_from_query(query: str) -> Lang | None:
    """The language a page address asks for (``lang=en``, ``lang=ja``), if any.

    The heading's language switch links to the same page with ``lang=`` (Voilà hands the
    query to the kernel as ``QUERY_STRING``); it wins over ``URESHII_LANG`` and the
    workshop's language.

    >>> language_from_query("table=3&lang=en"), language_from_query("lang=xx")
    ('en', None)
    """
    values = parse_qs(query.lstrip("?")).get("lang") or [""]
    raw = values[0].strip().lower()
    return raw if raw in LANGUAGES else None


def language_switch_href(query: str, lang: str) -> str:
    """A relative link to the same page in ``lang``: the page's query with ``lang=`` set
    (the facilitator secret, if still in the address, is left out).

    >>> language_switch_href("table=3&lang=ja", "en")
    '?table=3&lang=en'
    """
    pairs = [
        (name, value)
        for name, value in parse_qsl(query.lstrip("?"), keep_blank_values=True)
        if name not in {"lang", "secret"}
    ]
    return "?" + urlencode([*pairs, ("lang", normalize_language(lang))])


def table_from_query(query: str) -> int | None:
    """The table number in a page address's query (``table=3``), if it is a valid one.

    >>> table_from_query("table=3"), table_from_query("table=0"), table_from_query("x=1")
    (3, None, None)
    """
    values = parse_qs(query.lstrip("?")).get("table") or [""]
    raw = values[0].strip()
    if raw.isdigit() and 1 <= int(raw) <= MAX_TABLES:
        return int(raw)
    return None
