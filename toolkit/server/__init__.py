"""The HTTP side of Ureshii: one Tornado server for the facilitator apps and the participants.

- :mod:`toolkit.server.app`: :func:`~toolkit.server.app.run_server`, the Voilà subclass that
  ``ureshii serve`` starts.
- :mod:`toolkit.server.routes`: the one route table (who may reach what).
- :mod:`toolkit.server.access`: the facilitator secret and its cookie.
- :mod:`toolkit.server.bilingual_pages`: the small pages in both languages at once (403,
  "opening the console", "opening table N"); no JavaScript.
- :mod:`toolkit.server.table_links`: the links that open one table's apps on a table laptop.
- :mod:`toolkit.server.participant`: the phone pages (``pages.py``, ``*_pages.py``, Jinja in
  ``page_templates/``) and the participant API.

Importing this package is cheap; Voilà is imported only by :mod:`toolkit.server.app`.
See ``docs/serving.md``.
"""

from __future__ import annotations

from toolkit.errors import UreshiiError
from toolkit.lean_imports import skip_unused_imports

skip_unused_imports()  # before Jupyter Server (through jupyter-events) imports jsonschema


class ServerError(UreshiiError):
    """The server cannot start as asked (port in use, no notebooks, weak secret …)."""


__all__ = ["ServerError"]
