"""A small registry of the methods for the method-agreement screen.

Each rule has an id, the kind of input participants give, the function that computes it and a
catalog key for its name in Japanese and English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from toolkit.i18n import t

InputKind = Literal[
    "criteria_scores", "ranking", "approval", "allocation", "budget_approval", "pairwise",
    "category", "estimates",
]  # fmt: skip


@dataclass(frozen=True)
class Rule:
    """One prioritisation method the group can agree on."""

    id: str
    input: InputKind
    function: str  # name of the function in toolkit.methods

    @property
    def name_key(self) -> str:
        """Catalog key of the method's display name."""
        return f"methods_rule_{self.id}"

    def name(self, lang: str | None = None) -> str:
        """Display name in ``lang`` ("ja" or "en"; default: the process language)."""
        return t(self.name_key, lang)


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("weighted_sum", "criteria_scores", "rank_issues"),
        Rule("topsis", "criteria_scores", "topsis"),
        Rule("borda", "ranking", "borda"),
        Rule("schulze", "ranking", "schulze"),
        Rule("approval", "approval", "approval"),
        Rule("dot_votes", "allocation", "dot_votes"),
        Rule("quadratic", "allocation", "quadratic"),
        Rule("equal_shares", "budget_approval", "equal_shares"),
        Rule("greedy_budget", "budget_approval", "greedy_budget"),
        Rule("ahp", "pairwise", "ahp_from_pairs"),
        Rule("moscow", "category", "moscow"),
        Rule("rice", "estimates", "rice"),
        Rule("ice", "estimates", "ice"),
    )
}
