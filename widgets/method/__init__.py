"""Method agreement: agree *how* to prioritise before anyone scores (優先順位の決め方から決める).

Four widgets, used in this order on ``workshops/method.ipynb``:

- :class:`MethodCards` explains each candidate method of the workshop in plain words (what
  participants do, time needed, strengths, risks; wording from ``docs/methods.md``).
- :class:`MethodVote` is the vote on the method: a ballot with purpose "method", rule
  "single", one vote per seat; its tally shows when the ballot's results are visible.
- :class:`WeightAgreement` chooses the criteria and their weights, by a 100-point allocation
  per seat (a "points" ballot), typed in or from pairwise comparisons (AHP, consistency
  ratio live, submitted as 100 points to the same ballot).
- :class:`CharterPanel` (facilitator) proposes the charter, runs the consent check
  (fist of five, :class:`ConsentCheck`), locks it, and records later changes as new
  versions with a reason.

Table laptops use ``workshops/table_method.ipynb``: the same cards, vote and weights without
the facilitator's buttons, and a :class:`ConsentCheck` with ``show_charter=True``, which shows
the charter the table is asked to consent to and follows the facilitator's proposal live.

These widgets show and ask; what they propose (the vote's winner, the weights' source, a
method's minutes, Saaty's scale and the consistency check) is decided in
:mod:`toolkit.methods.charter` and :mod:`toolkit.methods.pairwise`. The modules: ``vote``
(cards and the vote), ``weights`` (criteria and weights), ``charter`` (consent and charter),
``common`` (what they share).

Every write goes through :class:`toolkit.store.Store`; every widget re-reads the store when
the app's :class:`~widgets.live.LiveFeed` reports a change, so a vote or a consent given at a
table laptop appears on the projector within the feed's interval.
"""

from __future__ import annotations

from widgets.method.charter import CharterPanel, ConsentCheck
from widgets.method.vote import MethodCards, MethodVote
from widgets.method.weights import WeightAgreement

__all__ = ["CharterPanel", "ConsentCheck", "MethodCards", "MethodVote", "WeightAgreement"]
