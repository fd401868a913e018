"""What a valid vote looks like for each ballot rule, checked before anything is stored.

One function, :func:`validate_vote`, serves the notebooks, the phone pages and the API, so a
vote is judged by the same rule wherever it comes from. It returns the vote in a canonical
JSON form (sorted, de-duplicated) or raises :class:`~toolkit.errors.InvalidInputError`
with a message in ja and en that says what is allowed.

=============  ==============================================  ============================
rule           payload                                         settings
=============  ==============================================  ============================
single         ``"A"`` (one option)                            –
approval       ``["A", "C"]``                                  ``max_choices`` (optional)
dot_votes      ``{"A": 3, "B": 2}``                            ``dots``, ``max_per_option``
points         ``{"A": 60, "B": 40}`` summing to ``total``     ``total`` (default 100)
borda/schulze  ``["C", "A", "B"]`` best first, no repeats      –
score          ``{"A": 4, "B": 2}`` within the scale           ``min``, ``max`` (0–5)
equal_shares,  ``["A", "C"]`` within the budget                ``budget``, ``costs``
greedy_budget
=============  ==============================================  ============================

Any rule may also have ``eligible``: the channels whose votes it takes (e.g. ``["code",
"paper"]`` for a formal vote with printed one-time codes); every channel when absent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from toolkit.errors import InvalidInputError
from toolkit.i18n import catalog, t
from toolkit.model import CHANNELS, Criterion, Issue, Theme
from toolkit.text import clean_text

RULES = (
    "single",
    "approval",
    "dot_votes",
    "points",
    "borda",
    "schulze",
    "score",
    "equal_shares",
    "greedy_budget",
)
BUDGET_RULES = ("equal_shares", "greedy_budget")


def check_settings(rule: str, options: Sequence[str], settings: Mapping[str, Any]) -> None:
    """Refuse a ballot whose settings cannot be voted on (before it is created)."""
    if rule not in RULES:
        raise InvalidInputError("ballot_unknown_rule", value=rule, allowed=", ".join(RULES))
    if not options:
        raise InvalidInputError("ballot_no_options")
    bad = [o for o in options if not _option_key(o)]
    if bad:
        raise InvalidInputError("ballot_bad_option", value=_short(bad[0]))
    if len(set(options)) != len(options):
        raise InvalidInputError("ballot_duplicate_options")
    if rule == "dot_votes" and not _positive_int(settings.get("dots")):
        raise InvalidInputError("ballot_needs_setting", rule=rule, setting="dots")
    eligible = settings.get("eligible")
    if eligible is not None and (
        not isinstance(eligible, list) or not eligible or not set(eligible) <= set(CHANNELS)
    ):
        raise InvalidInputError(
            "ballot_bad_eligible", value=_short(eligible), allowed=", ".join(CHANNELS)
        )
    if rule in BUDGET_RULES:
        budget = settings.get("budget")
        costs = settings.get("costs") or {}
        if not isinstance(budget, int | float) or budget <= 0:
            raise InvalidInputError("ballot_needs_setting", rule=rule, setting="budget")
        missing = [o for o in options if not isinstance(costs.get(o), int | float)]
        if missing:
            raise InvalidInputError("ballot_missing_costs", options=", ".join(missing))


def validate_vote(
    rule: str, options: Sequence[str], settings: Mapping[str, Any], payload: Any
) -> Any:
    """Return ``payload`` in canonical form, or raise ``InvalidInputError``.

    >>> validate_vote("approval", ["A", "B", "C"], {}, ["C", "A"])
    ['A', 'C']
    """
    allowed = list(options)
    if rule == "single":
        _check_options([payload], allowed)
        return payload
    if rule in ("approval", *BUDGET_RULES):
        chosen = _as_option_list(payload, allowed)
        if len(set(chosen)) != len(chosen):
            raise InvalidInputError("vote_repeated_option")
        limit = settings.get("max_choices")
        if limit is not None and len(chosen) > limit:
            raise InvalidInputError("vote_too_many_choices", count=len(chosen), limit=limit)
        if rule in BUDGET_RULES:
            costs = settings["costs"]
            total = sum(float(costs[o]) for o in chosen)
            if total > float(settings["budget"]) + 1e-9:
                raise InvalidInputError(
                    "vote_over_budget", total=_num(total), budget=_num(settings["budget"])
                )
        return sorted(chosen)
    if rule in ("borda", "schulze"):
        ranking = _as_option_list(payload, allowed)
        if not ranking:
            raise InvalidInputError("vote_empty")
        if len(set(ranking)) != len(ranking):
            raise InvalidInputError("vote_repeated_option")
        return ranking
    if rule in ("dot_votes", "points", "score"):
        counts = _as_counts(payload, allowed)
        if rule == "dot_votes":
            dots = int(settings["dots"])
            if sum(counts.values()) > dots:
                raise InvalidInputError("vote_too_many_dots", used=sum(counts.values()), dots=dots)
            per_option = settings.get("max_per_option")
            over = [o for o, n in counts.items() if per_option is not None and n > per_option]
            if over:
                raise InvalidInputError(
                    "vote_too_many_per_option", options=", ".join(over), limit=per_option
                )
        elif rule == "points":
            total = int(settings.get("total", 100))
            if sum(counts.values()) != total:
                raise InvalidInputError("vote_points_total", used=sum(counts.values()), total=total)
        else:
            low, high = int(settings.get("min", 0)), int(settings.get("max", 5))
            bad = [o for o, n in counts.items() if not low <= n <= high]
            if bad:
                raise InvalidInputError(
                    "vote_score_range", options=", ".join(bad), low=low, high=high
                )
        return {o: n for o, n in sorted(counts.items()) if n or rule == "score"}
    raise InvalidInputError("ballot_unknown_rule", value=rule, allowed=", ".join(RULES))


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
    key = f"methods_rule_{option}"
    if purpose in ("method", "weights") and key in catalog():
        return t(key, lang)
    return names.get(option, option)


def _check_options(chosen: Sequence[Any], allowed: Sequence[str]) -> None:
    unknown = [c for c in chosen if c not in allowed]
    if unknown:
        raise InvalidInputError("vote_unknown_option", value=unknown[0], allowed=", ".join(allowed))


def _as_option_list(payload: Any, allowed: Sequence[str]) -> list[str]:
    if not isinstance(payload, list | tuple) or not all(isinstance(p, str) for p in payload):
        raise InvalidInputError("vote_expected_list", value=_short(payload))
    _check_options(payload, allowed)
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


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _num(value: Any) -> str:
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
