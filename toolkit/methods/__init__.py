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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the real imports, for type checkers and readers
    from toolkit.methods._errors import MethodInputError
    from toolkit.methods.agreement import item_disagreement, kendall_w, krippendorff_alpha
    from toolkit.methods.budgeting import equal_shares, greedy_budget
    from toolkit.methods.pairwise import (
        RANDOM_INDICES,
        AhpResult,
        ahp,
        ahp_from_pairs,
        allocate_points,
    )
    from toolkit.methods.registry import METHODS, Method, method_name
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

# Each name is imported from its module on first use (PEP 562), so that importing the
# registry (as every app does, for method names) does not load pandas, scipy and pabutools.
_LAZY = {
    "AhpResult": "toolkit.methods.pairwise",
    "MOSCOW_POINTS": "toolkit.methods.simple_scores",
    "MethodInputError": "toolkit.methods._errors",
    "RANDOM_INDICES": "toolkit.methods.pairwise",
    "METHODS": "toolkit.methods.registry",
    "Method": "toolkit.methods.registry",
    "SchulzeResult": "toolkit.methods.voting",
    "aggregate_scores": "toolkit.methods.scoring",
    "ahp": "toolkit.methods.pairwise",
    "ahp_from_pairs": "toolkit.methods.pairwise",
    "allocate_points": "toolkit.methods.pairwise",
    "approval": "toolkit.methods.voting",
    "borda": "toolkit.methods.voting",
    "dot_votes": "toolkit.methods.voting",
    "equal_shares": "toolkit.methods.budgeting",
    "greedy_budget": "toolkit.methods.budgeting",
    "ice": "toolkit.methods.simple_scores",
    "item_disagreement": "toolkit.methods.agreement",
    "kendall_w": "toolkit.methods.agreement",
    "method_name": "toolkit.methods.registry",
    "krippendorff_alpha": "toolkit.methods.agreement",
    "moscow": "toolkit.methods.simple_scores",
    "pairwise_preferences": "toolkit.methods.voting",
    "quadratic": "toolkit.methods.voting",
    "rank_acceptability": "toolkit.methods.robustness",
    "rank_issues": "toolkit.methods.scoring",
    "rice": "toolkit.methods.simple_scores",
    "schulze": "toolkit.methods.voting",
    "topsis": "toolkit.methods.scoring",
    "weighted_sum": "toolkit.methods.scoring",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'toolkit.methods' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "METHODS",
    "MOSCOW_POINTS",
    "RANDOM_INDICES",
    "AhpResult",
    "Method",
    "MethodInputError",
    "SchulzeResult",
    "aggregate_scores",
    "ahp",
    "ahp_from_pairs",
    "allocate_points",
    "approval",
    "borda",
    "dot_votes",
    "equal_shares",
    "greedy_budget",
    "ice",
    "item_disagreement",
    "kendall_w",
    "krippendorff_alpha",
    "method_name",
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
