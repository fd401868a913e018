"""Ballots: what a vote is for each rule, how a ballot's settings and votes are checked, and
how its votes are counted, in one place for every screen.

The registry :data:`BALLOT_RULES` (``toolkit/ballots/rules.py``) declares each rule once;
the functions here are what the store, the summary, the phone pages, the paper entry, the
console and the exports call:

- :func:`check_settings` before a ballot is created,
- :func:`validate_vote` before a vote is stored (it returns the vote in canonical form or
  raises :class:`~toolkit.errors.InvalidInputError` in ja and en),
- :func:`tally` to count the stored votes,
- :func:`rule_name` and :func:`option_label` for what a person reads.

=============  ==============================================  ============================
rule           payload                                         settings
=============  ==============================================  ============================
single         ``"A"`` (one option)                            –
approval       ``["A", "C"]``                                  ``max_choices`` (optional)
dot_votes      ``{"A": 3, "B": 2}``                            ``dots``, ``max_per_option``
points         ``{"A": 60, "B": 40}`` summing to ``total``     ``total`` (default 100)
borda/schulze  ``["C", "A", "B"]`` best first, no repeats      –
score          ``{"A": 4, "B": 2}`` within the scale           ``min``, ``max`` (0–5)
quadratic      ``{"A": 3, "B": 1}``, Σ votes² ≤ ``credits``    ``credits``
equal_shares,  ``["A", "C"]`` within the budget                ``budget``, ``costs``
greedy_budget
=============  ==============================================  ============================

Any rule may also have ``eligible``: the channels whose votes it takes (e.g. ``["code",
"paper"]`` for a formal vote with printed one-time codes); every channel when absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from toolkit.ballots.rules import BALLOT_RULES, BallotRule, Setting, Tally
from toolkit.errors import InvalidInputError
from toolkit.methods.registry import METHODS, method_name
from toolkit.model import CHANNELS, Criterion, Issue, Theme
from toolkit.money import amount_problem
from toolkit.text import clean_text

__all__ = [
    "BALLOT_RULES",
    "BUDGET_RULES",
    "SETTING_NAMES",
    "BallotRule",
    "Setting",
    "Tally",
    "ballot_rule",
    "check_settings",
    "option_label",
    "option_names",
    "rule_name",
    "tally",
    "validate_vote",
]

BUDGET_RULES: tuple[str, ...] = tuple(r.id for r in BALLOT_RULES.values() if r.needs_costs)
"""The rules whose options carry costs and whose votes stay within a budget."""

SETTING_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(s.name for r in BALLOT_RULES.values() for s in r.settings)
)
"""Every setting any rule takes (the fields a workshop file's ballot may have)."""


def ballot_rule(rule: str) -> BallotRule:
    """The registered rule ``rule``, or ``InvalidInputError`` naming the rules that exist."""
    found = BALLOT_RULES.get(rule) if isinstance(rule, str) else None
    if found is None:
        raise InvalidInputError("ballot_unknown_rule", value=rule, allowed=", ".join(BALLOT_RULES))
    return found


def rule_name(rule: str, lang: str | None = None) -> str:
    """A ballot rule's name for people (the id itself for a rule this version lacks).

    >>> rule_name("borda", "ja"), rule_name("single", "en")
    ('ボルダ得点', 'one choice')
    """
    found = BALLOT_RULES.get(rule)
    return found.name(lang) if found else rule


def check_settings(rule: str, options: Sequence[str], settings: Mapping[str, Any]) -> None:
    """Refuse a ballot whose settings cannot be voted on (before it is created)."""
    found = ballot_rule(rule)
    if not options:
        raise InvalidInputError("ballot_no_options")
    bad = [o for o in options if not _option_key(o)]
    if bad:
        raise InvalidInputError("ballot_bad_option", value=_short(bad[0]))
    if len(set(options)) != len(options):
        raise InvalidInputError("ballot_duplicate_options")
    for setting in found.settings:
        value = settings.get(setting.name)
        if value is None:
            if setting.required:
                raise InvalidInputError("ballot_needs_setting", rule=rule, setting=setting.name)
            continue
        problem = setting.problem(value)
        if problem is not None:
            key, params = problem
            raise InvalidInputError(key, **params)
    if found.form == "scale" and found.value(settings, "min") >= found.value(settings, "max"):
        raise InvalidInputError(
            "ballot_bad_scale", low=found.value(settings, "min"), high=found.value(settings, "max")
        )
    eligible = settings.get("eligible")
    if eligible is not None and (
        not isinstance(eligible, list) or not eligible or not set(eligible) <= set(CHANNELS)
    ):
        raise InvalidInputError(
            "ballot_bad_eligible", value=_short(eligible), allowed=", ".join(CHANNELS)
        )
    if found.needs_costs:
        costs = settings.get("costs") or {}
        missing = [o for o in options if costs.get(o) is None]
        if missing:
            raise InvalidInputError("ballot_missing_costs", options=", ".join(missing))
        for option in options:
            if amount_problem(costs[option], allow_zero=False) is not None:
                raise InvalidInputError("ballot_bad_cost", option=option, value=costs[option])


def validate_vote(
    rule: str, options: Sequence[str], settings: Mapping[str, Any], payload: Any
) -> Any:
    """Return ``payload`` in canonical form, or raise ``InvalidInputError``.

    >>> validate_vote("approval", ["A", "B", "C"], {}, ["C", "A"])
    ['A', 'C']
    """
    return ballot_rule(rule).check(options, settings, payload)


def tally(
    rule: str, options: Sequence[str], settings: Mapping[str, Any], payloads: list[Any]
) -> Tally:
    """Count a ballot's votes by its rule, over all of its options.

    Returns ``{"order": [best first], "points": {option: n}}``; budget rules add
    ``"selected"`` (the projects funded, in order of selection). Options with equal points
    keep the ballot's order.

    >>> tally("borda", ("A", "B"), {}, [["B"]])
    {'order': ['B', 'A'], 'points': {'A': 0.0, 'B': 1.0}}
    """
    return ballot_rule(rule).count(tuple(options), settings, list(payloads))


def option_names(
    issues: Iterable[Issue], themes: Iterable[Theme], criteria: Iterable[Criterion]
) -> dict[str, str]:
    """Option key → name for :func:`option_label`: issue titles over theme names over
    criterion names (the keys a ballot's options may stand for)."""
    names = {c.key: c.name for c in criteria}
    names.update({th.key: th.name for th in themes})
    names.update({i.key: i.title for i in issues})
    return names


def option_label(purpose: str, option: str, lang: str, names: Mapping[str, str]) -> str:
    """What a person reads for a ballot option: a method's name on a method (or weights)
    vote, else the name in ``names`` (issue titles over theme names over criterion names),
    else the key itself.

    >>> option_label("town_meeting", "kenshin", "ja", {"kenshin": "健診の予約変更"})
    '健診の予約変更'
    """
    if purpose in ("method", "weights") and option in METHODS:
        return method_name(option, lang)
    return names.get(option, option)


def _option_key(value: Any) -> bool:
    """An option is a key (an issue's, a theme's, a method's id): short, visible text."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= 64
        and value.strip() == value
        and clean_text(value) == value
        and "\n" not in value
        and "\t" not in value
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
