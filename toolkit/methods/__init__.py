"""Prioritisation methods: pure functions over pandas/numpy, used by every screen and export.

Conventions shared by every method:

- Every rank is 1 = best; tied items share the best rank (scores within 1e-9 of the largest
  absolute score count as tied). Results are sorted best first.
- Bad input raises :class:`MethodInputError` (a ``UreshiiError`` and a ``ValueError``) whose
  message, in Japanese and English, names the argument, the value and what is allowed.
  Nothing returns NaN silently.
- ``schulze`` uses winning votes as link strength; ``weighted_sum`` and ``topsis``
  normalisations are described in their docstrings; ``equal_shares`` uses cost utilities as on
  equalshares.net (computed by pabutools).

See ``docs/methods.md`` for a guide to each method written for facilitators.
"""

from __future__ import annotations

from toolkit.methods._errors import MethodInputError
from toolkit.methods.agreement import item_disagreement, kendall_w, krippendorff_alpha
from toolkit.methods.ahp import RANDOM_INDICES, AhpResult, ahp, ahp_from_pairs
from toolkit.methods.budgeting import equal_shares, greedy_budget
from toolkit.methods.registry import RULES, Rule
from toolkit.methods.robustness import rank_acceptability
from toolkit.methods.scoring import aggregate_scores, rank_issues, topsis, weighted_sum
from toolkit.methods.simple_scores import MOSCOW_POINTS, ice, moscow, rice
from toolkit.methods.voting import (
    SchulzeResult,
    approval,
    borda,
    dot_votes,
    pairwise_preferences,
    quadratic,
    schulze,
)

__all__ = [
    "MOSCOW_POINTS",
    "RANDOM_INDICES",
    "RULES",
    "AhpResult",
    "MethodInputError",
    "Rule",
    "SchulzeResult",
    "aggregate_scores",
    "ahp",
    "ahp_from_pairs",
    "approval",
    "borda",
    "dot_votes",
    "equal_shares",
    "greedy_budget",
    "ice",
    "item_disagreement",
    "kendall_w",
    "krippendorff_alpha",
    "moscow",
    "pairwise_preferences",
    "quadratic",
    "rank_acceptability",
    "rank_issues",
    "rice",
    "schulze",
    "topsis",
    "weighted_sum",
]
