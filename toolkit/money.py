"""Amounts of money (costs and budgets) as exact fractions, and what an amount may be.

Budget rules compare sums of costs with a budget: in binary floating point 0.1 + 0.2 is more
than 0.3, so a project that fits exactly would be refused, and the Method of Equal Shares
would split a cost of 4.4 into shares that do not add up to 4.4. Every amount is therefore
converted exactly, through its decimal text (``Fraction(str(x))``: the float ``4.4`` becomes
``22/5``, not the binary approximation ``4.4000000000000003552713678800500929355621337890625``).

One rule for every door (workshop file, store, API, console, methods): an amount is a finite
number, not negative, at most :data:`MAX_AMOUNT` and with at most :data:`MAX_DECIMALS`
decimals. :func:`amount_problem` says what is wrong (a catalog key and its parameters) so that
each door raises its own kind of error; :func:`exact_amount` converts a valid amount.

>>> exact_amount(0.1) + exact_amount(0.2) == exact_amount(0.3)
True
>>> amount_problem(float("nan"))
('amount_not_finite', {'value': nan})
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal
from fractions import Fraction
from typing import Any

MAX_AMOUNT = 10**15
"""1,000兆円: ten times Japan's national budget. A larger cost is a typing mistake."""

MAX_DECIMALS = 4
"""Yen has no smaller unit than 1/100 (銭); amounts in 千円 or 億円 may need a few more."""


def amount_problem(value: object, *, allow_zero: bool = True) -> tuple[str, dict[str, Any]] | None:
    """``None`` if ``value`` is a valid amount, else ``(catalog key, parameters)``.

    The keys (``amount_*`` in ``toolkit/i18n/catalog/errors.yaml``) say what was given and
    what is allowed, in ja and en.

    >>> amount_problem(5) is None
    True
    >>> amount_problem(-1)[0]
    'amount_negative'
    >>> amount_problem(0, allow_zero=False)[0]
    'amount_not_positive'
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        return "amount_not_number", {"value": value}
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        return "amount_not_finite", {"value": value}
    exact = _fraction(value)
    if exact < 0:
        return "amount_negative", {"value": value}
    if exact == 0 and not allow_zero:
        return "amount_not_positive", {"value": value}
    if exact > MAX_AMOUNT:
        return "amount_too_large", {"value": value, "limit": f"{MAX_AMOUNT:,}"}
    if (exact * 10**MAX_DECIMALS).denominator != 1:
        return "amount_too_precise", {"value": value, "decimals": MAX_DECIMALS}
    return None


def exact_amount(value: object) -> Fraction:
    """``value`` as an exact fraction, through its decimal text (``4.4`` → ``22/5``).

    The caller checks the value first with :func:`amount_problem`; an invalid value raises
    ``ValueError`` here.

    >>> exact_amount(4.4)
    Fraction(22, 5)
    >>> exact_amount(7.5) / 2
    Fraction(15, 4)
    """
    if amount_problem(value) is not None:
        raise ValueError(f"not an amount of money: {value!r}")
    return _fraction(value)


def _fraction(value: Any) -> Fraction:  # a Real or a Decimal (mypy has no numeric tower)
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(float(value)))  # the shortest decimal that reads back as it
    if isinstance(value, Decimal | Fraction):
        return Fraction(value)
    return Fraction(str(value))  # numpy scalars and other reals: through their text


def amount_text(value: Fraction | float) -> str:
    """An amount as a person reads it: ``1,234`` or ``4.4`` (no binary noise, no ``22/5``).

    >>> amount_text(Fraction(22, 5)), amount_text(1_000_000), amount_text(Fraction(1, 3))
    ('4.4', '1,000,000', '0.33')
    """
    exact = value if isinstance(value, Fraction) else Fraction(repr(float(value)))
    if exact.denominator == 1:
        return f"{exact.numerator:,}"
    text = f"{float(exact):,.{MAX_DECIMALS}f}".rstrip("0").rstrip(".")
    return text if Fraction(text.replace(",", "")) == exact else f"{float(exact):,.2f}"
