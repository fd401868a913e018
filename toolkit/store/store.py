"""The public API of the store: every read and write of a workshop goes through :class:`Store`.

Each write method runs in ONE transaction that also appends an ``events`` row (the audit
log and the change feed), and returns only after the commit: a caller that got an answer
knows the write is durable. Rules that matter (one vote per token, locked charters, no
scores before the lock) are checked here for a friendly message *and* enforced by the
database (see ``schema.py``), so a client that skips this layer still cannot break them.

The class is put together from one part per thing stored, each in its own module:
``core`` (engine, transactions, audit log, keys), ``workshops``, ``participants`` (tokens,
seats, codes), ``happiness`` (stakeholders, themes, cards), ``issues`` (and criteria),
``charter`` (and its consent), ``vision``, ``scores``, ``ballots`` (and votes), ``followup``
(roadmap, indicators, measurements), ``cycles`` (the next cycle), ``surveys`` (definitions,
waves, answers), ``limits`` (rate limits lifted) and ``feed``.
Callers only ever see :class:`Store`.

>>> import tempfile, pathlib
>>> from toolkit.workshop_file.templates import template_path
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with Store.open(folder / "doctest.sqlite") as store:
...     ws = store.load_workshop_file(template_path("dx-vision", "ja"))
...     token = store.join(ws.slug)
...     someone = store.stakeholders(ws.slug)[0].key
...     card = store.add_card(ws.slug, "窓口で待たずに済む", stakeholder=someone, token=token)
...     store.counts(ws.slug)["cards"]
1
"""

from __future__ import annotations

from toolkit.store.ballots import BallotStore
from toolkit.store.cycles import CycleStore
from toolkit.store.feed import FeedStore
from toolkit.store.followup import FollowupStore
from toolkit.store.limits import LimitStore
from toolkit.store.participants import ParticipantStore
from toolkit.store.scores import ScoreStore
from toolkit.store.surveys import SurveyStore
from toolkit.store.vision import VisionStore
from toolkit.store.workshops import WorkshopStore


class Store(
    CycleStore,
    WorkshopStore,
    VisionStore,
    ScoreStore,
    BallotStore,
    SurveyStore,
    LimitStore,
    ParticipantStore,
    FollowupStore,
    FeedStore,
):
    """A workshop store on SQLite (a file) or PostgreSQL (a URL)."""
