"""The ballot rules, each declared once: what a vote is, its settings, its check, its count,
its name and the form a phone page or a paper entry shows for it.

Every screen asks this registry (:data:`BALLOT_RULES`): the store checks votes with
``rule.check``, the summary, the board, the phone results and the exports count them with
``rule.count``, the phone page and the paper entry draw ``rule.form``, and the workshop file
takes the settings in ``rule.settings``. A new rule is one :class:`BallotRule` here plus its
catalog entries in ``toolkit/i18n/catalog/ballots.yaml`` (``ballot_rule_<id>``,
``ballot_hint_<id>``, ``ballot_paper_<id>``).

Counting conventions, shared by every rule:

- A tally counts over the ballot's **full option list**: an option nobody chose is in it with
  0 points.
- ``order`` is best first; options with equal points keep the ballot's option order (never the
  order of the votes, never the alphabet).
- Money is exact: costs and budgets are compared as fractions (:mod:`toolkit.money`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from toolkit.errors import InvalidInputError
from toolkit.i18n import t
from toolkit.money import amount_problem, amount_text, exact_amount

Payload = Literal["option", "options", "ranking", "counts"]
"""What one vote is: ``"A"``; ``["A", "C"]``; ``["C", "A", "B"]`` best first; ``{"A": 3}``."""

Form = Literal["radio", "checkboxes", "ranks", "numbers", "scale"]
"""What a phone page and a paper entry draw: one choice; ticks; a rank per option; a number
per option (blank = 0); a score per option from a scale (blank = not scored)."""

Tally = dict[str, Any]
"""``{"order": [best first], "points": {option: float}}`` (+ ``"selected"`` for budgets)."""

CheckVote = Callable[[Sequence[str], Mapping[str, Any], Any], Any]
CountVotes = Callable[[Sequence[str], Mapping[str, Any], list[Any]], Tally]


@dataclass(frozen=True)
class Setting:
    """One setting of a ballot rule (also a field of a workshop file's ballot)."""

    name: str
    kind: Literal["whole", "amount"]
    """``whole``: a whole number from ``minimum`` to ``maximum``; ``amount``: money > 0."""
    required: bool = False
    default: int | None = None
    minimum: int = 1
    maximum: int = 10_000
    description: str = ""
    """For the workshop file's JSON Schema (developers read it; people read the catalog)."""
    suggested: int | None = None
    """What a form offers first for a required setting (no default: the file must say)."""

    def problem(self, value: Any) -> tuple[str, dict[str, Any]] | None:
        """``None`` if ``value`` is allowed, else ``(catalog key, parameters)``."""
        if self.kind == "amount":
            return amount_problem(value, allow_zero=False)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not self.minimum <= value <= self.maximum
        ):
            return "ballot_bad_setting", {
                "setting": self.name,
                "value": _short(value),
                "low": self.minimum,
                "high": self.maximum,
            }
        return None


@dataclass(frozen=True)
class BallotRule:
    """One way to vote on a ballot, declared once for every screen."""

    id: str
    payload: Payload
    form: Form
    check: CheckVote
    """The vote in canonical form (sorted, without zeros…), or ``InvalidInputError``."""
    count: CountVotes
    settings: tuple[Setting, ...] = ()
    counter: Literal["dots", "points", "budget", "credits"] | None = None
    """What a phone shows as "left" while voting (the form's live counter)."""
    pabulib: tuple[str, str] = ("approval", "unknown")
    """pabulib's ``vote_type`` and ``rule`` for the ``.pb`` export. ``rule`` is one of the
    names the pabulib format lists (``greedy``, ``equalshares``…; plain Equal Shares, no
    completion, is ``equalshares``), ``unknown`` for a rule that is not a budget rule."""

    @property
    def needs_costs(self) -> bool:
        """Budget rules: every option has a cost, and a vote stays within the budget."""
        return self.counter == "budget"

    @property
    def ranked(self) -> bool:
        """Whether a vote is an ordered list (shown as a numbered list on a receipt)."""
        return self.payload == "ranking"

    def name(self, lang: str | None = None) -> str:
        """The rule's name for people (ja or en): ``ボルダ得点`` / ``Borda count``."""
        return t(f"ballot_rule_{self.id}", lang)

    def hint(self, lang: str | None, settings: Mapping[str, Any], options: int) -> str:
        """How to vote, in one sentence for the voter (phone page)."""
        return t(f"ballot_hint_{self.id}", lang, **self.numbers(settings, options))

    def paper_hint(self, lang: str | None = None) -> str:
        """How staff type a paper ballot of this rule."""
        return t(f"ballot_paper_{self.id}", lang)

    def value(self, settings: Mapping[str, Any], name: str) -> Any:
        """A setting's value, or its default."""
        for setting in self.settings:
            if setting.name == name:
                return settings.get(name, setting.default)
        raise KeyError(name)

    def numbers(self, settings: Mapping[str, Any], options: int) -> dict[str, Any]:
        """The numbers a person reads about this ballot (for hints and counters)."""
        numbers: dict[str, Any] = {"count": options}
        for setting in self.settings:
            value = settings.get(setting.name, setting.default)
            if value is not None:
                numbers[setting.name] = (
                    amount_text(exact_amount(value)) if setting.kind == "amount" else value
                )
        if self.counter is not None:
            numbers["total"] = numbers.get(COUNTER_SETTING[self.counter], 0)
        return numbers

    def counter_total(self, settings: Mapping[str, Any]) -> float:
        """The amount the form's counter starts from (dots, points, yen or credits)."""
        if self.counter is None:
            return 0
        return float(self.value(settings, COUNTER_SETTING[self.counter]) or 0)

    def field_range(self, settings: Mapping[str, Any], options: int) -> tuple[int, int]:
        """The lowest and highest number a form field of this rule takes."""
        if self.form == "ranks":
            return 1, options
        if self.form == "scale":
            return int(self.value(settings, "min")), int(self.value(settings, "max"))
        if self.id == "quadratic":
            return 0, math.isqrt(int(self.value(settings, "credits")))
        if self.counter is not None:
            top = self.value(settings, "max_per_option") if self.id == "dot_votes" else None
            return 0, int(top or self.counter_total(settings))
        return 0, 10_000


COUNTER_SETTING = {"dots": "dots", "points": "total", "budget": "budget", "credits": "credits"}
"""Which setting each counter counts down from."""


# ---------------------------------------------------------------------- checks
def _check_single(options: Sequence[str], settings: Mapping[str, Any], payload: Any) -> Any:
    _check_options([payload], options)
    return payload


def _check_approval(options: Sequence[str], settings: Mapping[str, Any], payload: Any) -> Any:
    chosen = _as_option_list(payload, options)
    limit = settings.get("max_choices")
    if limit is not None and len(chosen) > limit:
        raise InvalidInputError("vote_too_many_choices", count=len(chosen), limit=limit)
    return sorted(chosen)


def _check_budget(options: Sequence[str], settings: Mapping[str, Any], payload: Any) -> Any:
    chosen = _check_approval(options, settings, payload)
    costs = settings["costs"]
    total = sum((exact_amount(costs[o]) for o in chosen), Fraction(0))
    budget = exact_amount(settings["budget"])
    if total > budget:
        raise InvalidInputError(
            "vote_over_budget", total=amount_text(total), budget=amount_text(budget)
        )
    return chosen


def _check_ranking(options: Sequence[str], settings: Mapping[str, Any], payload: Any) -> Any:
    ranking = _as_option_list(payload, options)
    if not ranking:
        raise InvalidInputError("vote_empty")
    return ranking


def _check_dots(options: Sequence[str], settings: Mapping[str, Any], payload: Any) -> Any:
    counts = _as_counts(payload, options)
    dots = int(settings["dots"])
    if sum(counts.values()) > dots:
        raise InvalidInputError("vote_too_many_dots", used=sum(counts.values()), dots=dots)
    per_option = settings.get("max_per_option")
    over = [o for o, n in counts.items() if per_option is not None and n > per_option]
    if over:
        raise InvalidInputError(
            "vote_too_many_per_option", options=", ".join(over), limit=per_option
        )
    return _without_zeros(counts)


def _check_points(options: Sequence[str], settings: Mapping[str, Any], payload: Any) -> Any:
    counts = _as_counts(payload, options)
    total = int(settings.get("total", 100))
    if sum(counts.values()) != total:
        raise InvalidInputError("vote_points_total", used=sum(counts.values()), total=total)
    return _without_zeros(counts)


def _check_score(options: Sequence[str], settings: Mapping[str, Any], payload: Any) -> Any:
    counts = _as_counts(payload, options)
    low, high = int(settings.get("min", 0)), int(settings.get("max", 5))
    bad = [o for o, n in counts.items() if not low <= n <= high]
    if bad:
        raise InvalidInputError("vote_score_range", options=", ".join(bad), low=low, high=high)
    return dict(sorted(counts.items()))  # 0 is a score, not a blank


def _check_quadratic(options: Sequence[str], settings: Mapping[str, Any], payload: Any) -> Any:
    counts = _as_counts(payload, options)
    credits = int(settings["credits"])
    spent = sum(n * n for n in counts.values())
    if spent > credits:
        raise InvalidInputError("vote_over_credits", spent=spent, credits=credits)
    return _without_zeros(counts)


# ---------------------------------------------------------------------- counts
def _ordered(options: Sequence[str], points: Mapping[str, float]) -> Tally:
    """Best first; equal points keep the ballot's option order."""
    position = {o: i for i, o in enumerate(options)}
    order = sorted(options, key=lambda o: (-points[o], position[o]))
    return {"order": order, "points": {o: float(points[o]) for o in options}}


def _count_single(options: Sequence[str], settings: Mapping[str, Any], votes: list[Any]) -> Tally:
    counts = Counter(votes)
    return _ordered(options, {o: counts[o] for o in options})


def _count_chosen(options: Sequence[str], settings: Mapping[str, Any], votes: list[Any]) -> Tally:
    counts = Counter(o for vote in votes for o in vote)
    return _ordered(options, {o: counts[o] for o in options})


def _count_sums(options: Sequence[str], settings: Mapping[str, Any], votes: list[Any]) -> Tally:
    total: Counter[str] = Counter()
    for vote in votes:
        total.update(vote)
    return _ordered(options, {o: total[o] for o in options})


def _count_borda(options: Sequence[str], settings: Mapping[str, Any], votes: list[Any]) -> Tally:
    from toolkit import methods  # pandas: only where a ranked ballot is counted

    if not votes:
        return _ordered(options, dict.fromkeys(options, 0))
    series = methods.borda([(1, list(v)) for v in votes], options=list(options))
    return _ordered(options, {o: float(series[o]) for o in options})


def _count_schulze(options: Sequence[str], settings: Mapping[str, Any], votes: list[Any]) -> Tally:
    """Points = how many other options do not beat this one (n − 1 for a Schulze winner), so
    options that no path separates get equal points."""
    from toolkit import methods

    top = len(options) - 1
    if not votes:
        return _ordered(options, dict.fromkeys(options, top))
    result = methods.schulze([(1, list(v)) for v in votes], options=list(options))
    return _ordered(options, {o: top - (int(result.ranks[o]) - 1) for o in options})


def _count_budget(
    choose: Callable[..., list[str]],
) -> CountVotes:
    def count(options: Sequence[str], settings: Mapping[str, Any], votes: list[Any]) -> Tally:
        supporters = Counter(o for vote in votes for o in vote)
        selected: list[str] = []
        if votes:
            approvals: dict[Hashable, set[str]] = {i: set(v) for i, v in enumerate(votes)}
            costs = {o: exact_amount(settings["costs"][o]) for o in options}
            selected = choose(costs, approvals, exact_amount(settings["budget"]))
        rest = _ordered(options, {o: supporters[o] for o in options})["order"]
        return {
            "order": [*selected, *(o for o in rest if o not in selected)],
            "points": {o: float(supporters[o]) for o in options},
            "selected": list(selected),
        }

    return count


def _equal_shares(costs: Any, approvals: Any, budget: Any) -> list[str]:
    from toolkit.methods import equal_shares

    return equal_shares(costs, approvals, budget)


def _greedy_budget(costs: Any, approvals: Any, budget: Any) -> list[str]:
    from toolkit.methods import greedy_budget

    return greedy_budget(costs, approvals, budget)


# ---------------------------------------------------------------------- the registry
_MAX_CHOICES = Setting("max_choices", "whole", maximum=1_000, description="At most this many")
_BUDGET = Setting(
    "budget", "amount", required=True, suggested=30_000_000, description="Budget in yen"
)

BALLOT_RULES: dict[str, BallotRule] = {
    rule.id: rule
    for rule in (
        BallotRule(
            "single", "option", "radio", _check_single, _count_single,
            pabulib=("choose-1", "unknown"),
        ),
        BallotRule(
            "approval", "options", "checkboxes", _check_approval, _count_chosen,
            settings=(_MAX_CHOICES,), pabulib=("approval", "unknown"),
        ),
        BallotRule(
            "dot_votes", "counts", "numbers", _check_dots, _count_sums,
            settings=(
                Setting(
                    "dots", "whole", required=True, maximum=100, suggested=3,
                    description="Dots each",
                ),
                Setting("max_per_option", "whole", maximum=100, description="Dots on one"),
            ),
            counter="dots", pabulib=("cumulative", "unknown"),
        ),
        BallotRule(
            "points", "counts", "numbers", _check_points, _count_sums,
            settings=(Setting("total", "whole", default=100, description="Points each"),),
            counter="points", pabulib=("cumulative", "unknown"),
        ),
        BallotRule(
            "borda", "ranking", "ranks", _check_ranking, _count_borda,
            pabulib=("ordinal", "unknown"),
        ),
        BallotRule(
            "schulze", "ranking", "ranks", _check_ranking, _count_schulze,
            pabulib=("ordinal", "unknown"),
        ),
        BallotRule(
            "score", "counts", "scale", _check_score, _count_sums,
            settings=(
                Setting("min", "whole", default=0, minimum=0, maximum=10, description="Lowest"),
                Setting("max", "whole", default=5, minimum=1, maximum=10, description="Highest"),
            ),
            pabulib=("scoring", "unknown"),
        ),
        BallotRule(
            "quadratic", "counts", "numbers", _check_quadratic, _count_sums,
            settings=(
                Setting(
                    "credits", "whole", required=True, suggested=16, description="Credits each"
                ),
            ),
            counter="credits", pabulib=("cumulative", "unknown"),
        ),
        BallotRule(
            "equal_shares", "options", "checkboxes", _check_budget,
            _count_budget(_equal_shares),
            settings=(_BUDGET, _MAX_CHOICES), counter="budget",
            pabulib=("approval", "equalshares"),
        ),
        BallotRule(
            "greedy_budget", "options", "checkboxes", _check_budget,
            _count_budget(_greedy_budget),
            settings=(_BUDGET, _MAX_CHOICES), counter="budget",
            pabulib=("approval", "greedy"),
        ),
    )
}  # fmt: skip


# ---------------------------------------------------------------------- shapes
def _check_options(chosen: Sequence[Any], allowed: Sequence[str]) -> None:
    unknown = [c for c in chosen if c not in allowed]
    if unknown:
        raise InvalidInputError("vote_unknown_option", value=unknown[0], allowed=", ".join(allowed))


def _as_option_list(payload: Any, allowed: Sequence[str]) -> list[str]:
    if not isinstance(payload, list | tuple) or not all(isinstance(p, str) for p in payload):
        raise InvalidInputError("vote_expected_list", value=_short(payload))
    _check_options(payload, allowed)
    if len(set(payload)) != len(payload):
        raise InvalidInputError("vote_repeated_option")
    return list(payload)


def _as_counts(payload: Any, allowed: Sequence[str]) -> dict[str, int]:
    if not isinstance(payload, Mapping):
        raise InvalidInputError("vote_expected_counts", value=_short(payload))
    _check_options(list(payload), allowed)
    counts: dict[str, int] = {}
    for option, value in payload.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise InvalidInputError("vote_bad_count", option=option, value=_short(value))
        if isinstance(value, float) and (math.isnan(value) or not value.is_integer()):
            raise InvalidInputError("vote_bad_count", option=option, value=_short(value))
        counts[option] = int(value)
    return counts


def _without_zeros(counts: Mapping[str, int]) -> dict[str, int]:
    return {o: n for o, n in sorted(counts.items()) if n}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
