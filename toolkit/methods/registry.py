"""The prioritisation methods a group can agree on in its method charter.

Each method has an id, the kind of input participants give, the function that computes it and
a catalog key for its name in Japanese and English. (Ballot rules, the ways to vote on a
ballot, are a different registry: :data:`toolkit.ballots.BALLOT_RULES`.)
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
class Method:
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


METHODS: dict[str, Method] = {
    method.id: method
    for method in (
        Method("weighted_sum", "criteria_scores", "rank_issues"),
        Method("topsis", "criteria_scores", "topsis"),
        Method("borda", "ranking", "borda"),
        Method("schulze", "ranking", "schulze"),
        Method("approval", "approval", "approval"),
        Method("dot_votes", "allocation", "dot_votes"),
        Method("quadratic", "allocation", "quadratic"),
        Method("equal_shares", "budget_approval", "equal_shares"),
        Method("greedy_budget", "budget_approval", "greedy_budget"),
        Method("ahp", "pairwise", "ahp_from_pairs"),
        Method("moscow", "category", "moscow"),
        Method("rice", "estimates", "rice"),
        Method("ice", "estimates", "ice"),
    )
}


def method_name(method: str, lang: str | None = None) -> str:
    """A method's name for people; the id itself for a method this version does not know
    (a charter written by a later version).

    >>> method_name("weighted_sum", "ja"), method_name("someday", "en")
    ('重みづけ評価（加重和）', 'someday')
    """
    found = METHODS.get(method)
    return found.name(lang) if found else method
