"""Statistics for survey results (issue 19, item 3): pure Python plus ``scipy.stats.t``.

Every function takes plain numbers and returns a frozen dataclass; nothing here reads a
store or draws a widget. Conventions:

* before/after differences are always ``after - before`` (a positive difference means
  the mean went up);
* an interval or test that cannot be computed (too few answers, no spread at all) is
  ``None``, never ``nan``;
* effect sizes are named by Cohen's conventions (|d| < 0.2 negligible, < 0.5 small,
  < 0.8 medium, else large).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

from scipy import stats as _scipy_stats

from toolkit.i18n import t

V = TypeVar("V")
EffectSize = Literal["negligible", "small", "medium", "large"]


def _t_quantile(p: float, df: float) -> float:
    return float(_scipy_stats.t.ppf(p, df))


def _t_two_sided_p(t_stat: float, df: float) -> float:
    return float(2.0 * _scipy_stats.t.sf(abs(t_stat), df))


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _sample_variance(values: Sequence[float], mean: float) -> float:
    """Unbiased variance (n - 1 in the denominator); needs at least two values."""
    return math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)


def _clean(values: Iterable[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and not math.isnan(float(v))]


# ── distribution ──────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class OptionCount:
    """One option of a Likert question: its value, label, count and share of answers."""

    value: int
    label: str
    count: int
    share: float | None  # count / answered; None when nobody answered


@dataclass(frozen=True)
class Distribution:
    """How the answers of one question fall on its scale."""

    options: tuple[OptionCount, ...]
    answered: int
    missing: int  # None (skipped) answers, not part of the shares


def distribution(
    answers: Iterable[int | None], scale: Mapping[int, str] | Sequence[int]
) -> Distribution:
    """Count the answers per option of ``scale`` (values in order, or ``{value: label}``).

    Missing answers (``None``) are counted apart and left out of the shares; a value
    outside the scale is an error (the answer was stored against another question).

    >>> d = distribution([1, 2, 2, None, 5], {1: "no", 2: "rather no", 3: "neutral",
    ...                                       4: "rather yes", 5: "yes"})
    >>> [(o.value, o.count, o.share) for o in d.options]
    [(1, 1, 0.25), (2, 2, 0.5), (3, 0, 0.0), (4, 0, 0.0), (5, 1, 0.25)]
    >>> d.answered, d.missing
    (4, 1)
    """
    labels: dict[int, str] = (
        {int(k): str(v) for k, v in scale.items()}
        if isinstance(scale, Mapping)
        else {int(v): str(v) for v in scale}
    )
    counts = dict.fromkeys(labels, 0)
    missing = 0
    for answer in answers:
        if answer is None:
            missing += 1
            continue
        if answer not in counts:
            raise ValueError(f"answer {answer!r} is not on the scale {sorted(counts)}")
        counts[answer] += 1
    answered = sum(counts.values())
    options = tuple(
        OptionCount(
            value=value,
            label=labels[value],
            count=counts[value],
            share=counts[value] / answered if answered else None,
        )
        for value in labels
    )
    return Distribution(options=options, answered=answered, missing=missing)


# ── mean with a confidence interval ──────────────────────────────────────────


@dataclass(frozen=True)
class MeanCI:
    """A mean with its t-based confidence interval."""

    n: int
    mean: float | None  # None when n == 0
    sd: float | None  # sample standard deviation; None when n < 2
    low: float | None  # None when n < 2
    high: float | None
    confidence: float


def mean_ci(values: Iterable[float | None], confidence: float = 0.95) -> MeanCI:
    """The mean of ``values`` (``None`` ignored) with a t-based confidence interval.

    mean ± t(1 - α/2, n - 1) · s / √n. With no value there is no mean; with one value
    there is a mean but no interval.

    >>> r = mean_ci([2, 4, 6])  # mean 4, s = 2, t(0.975, 2) = 4.3027 → 4 ± 4.968
    >>> r.mean, round(r.low, 3), round(r.high, 3)
    (4.0, -0.968, 8.968)
    >>> mean_ci([]).mean is None, mean_ci([3]).mean, mean_ci([3]).low is None
    (True, 3.0, True)
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    data = _clean(values)
    n = len(data)
    if n == 0:
        return MeanCI(n=0, mean=None, sd=None, low=None, high=None, confidence=confidence)
    mean = _mean(data)
    if n == 1:
        return MeanCI(n=1, mean=mean, sd=None, low=None, high=None, confidence=confidence)
    sd = math.sqrt(_sample_variance(data, mean))
    half = _t_quantile(0.5 + confidence / 2.0, n - 1) * sd / math.sqrt(n)
    return MeanCI(n=n, mean=mean, sd=sd, low=mean - half, high=mean + half, confidence=confidence)


# ── before/after comparisons ────────────────────────────────────────────────


@dataclass(frozen=True)
class IndependentComparison:
    """Cohort-level before/after: two groups of answers, not linked person to person."""

    n_before: int
    n_after: int
    mean_before: float | None
    mean_after: float | None
    difference: float | None  # mean_after - mean_before
    low: float | None  # Welch confidence interval of the difference
    high: float | None
    df: float | None  # Welch–Satterthwaite degrees of freedom
    p_value: float | None  # two-sided Welch t-test
    effect: float | None  # Hedges' g (pooled SD, small-sample corrected)
    confidence: float


def compare_independent(
    before: Iterable[float | None],
    after: Iterable[float | None],
    confidence: float = 0.95,
) -> IndependentComparison:
    """Compare two cohorts: Welch's t-test of ``after - before`` and Hedges' g.

    Welch: se = √(s₁²/n₁ + s₂²/n₂), df by Welch–Satterthwaite, CI = diff ± t·se.
    Hedges' g = J · (diff / s_pooled) with J = 1 - 3 / (4(n₁ + n₂) - 9). Each group needs
    two answers for a test; when neither group varies, the difference is exact and there
    is no p-value or effect size.

    >>> c = compare_independent([1, 2, 3], [3, 4, 5])
    >>> c.difference, round(c.effect, 3)  # d = 2 / 1 = 2, J = 1 - 3/15 = 0.8
    (2.0, 1.6)
    >>> compare_independent([3, 3], [4, 4]).p_value is None
    True
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    b, a = _clean(before), _clean(after)
    n1, n2 = len(b), len(a)
    m1 = _mean(b) if n1 else None
    m2 = _mean(a) if n2 else None
    diff = m2 - m1 if m1 is not None and m2 is not None else None
    empty = IndependentComparison(
        n_before=n1,
        n_after=n2,
        mean_before=m1,
        mean_after=m2,
        difference=diff,
        low=None,
        high=None,
        df=None,
        p_value=None,
        effect=None,
        confidence=confidence,
    )
    if m1 is None or m2 is None or diff is None or n1 < 2 or n2 < 2:
        return empty
    v1, v2 = _sample_variance(b, m1), _sample_variance(a, m2)
    q1, q2 = v1 / n1, v2 / n2
    se = math.sqrt(q1 + q2)
    if se == 0.0:
        return replace(empty, low=diff, high=diff)
    df = (q1 + q2) ** 2 / (q1**2 / (n1 - 1) + q2**2 / (n2 - 1))
    half = _t_quantile(0.5 + confidence / 2.0, df) * se
    pooled = math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
    correction = 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0)
    return IndependentComparison(
        n_before=n1,
        n_after=n2,
        mean_before=m1,
        mean_after=m2,
        difference=diff,
        low=diff - half,
        high=diff + half,
        df=df,
        p_value=_t_two_sided_p(diff / se, df),
        effect=correction * diff / pooled,
        confidence=confidence,
    )


@dataclass(frozen=True)
class PairedComparison:
    """Paired before/after: each person's two answers linked by a self-generated code."""

    n: int  # complete pairs
    mean_difference: float | None  # mean of (after - before)
    sd_difference: float | None
    low: float | None
    high: float | None
    p_value: float | None  # two-sided paired t-test, df = n - 1
    effect: float | None  # Cohen's d_z = mean difference / SD of the differences
    confidence: float

    @property
    def difference(self) -> float | None:
        """The mean of the differences (the same name as for a cohort comparison)."""
        return self.mean_difference


def compare_paired(
    pairs: Iterable[tuple[float | None, float | None]], confidence: float = 0.95
) -> PairedComparison:
    """Compare linked ``(before, after)`` answers: paired t-test and Cohen's d_z.

    Pairs with a missing side are left out. When every difference is the same, the mean
    difference is exact and there is no p-value or effect size.

    >>> p = compare_paired([(1, 2), (2, 4), (3, 6)])  # differences 1, 2, 3
    >>> p.mean_difference, p.sd_difference, p.effect  # d_z = 2 / 1
    (2.0, 1.0, 2.0)
    >>> compare_paired([(3, 3), (4, 4)]).mean_difference
    0.0
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    diffs = [
        float(a) - float(b)
        for b, a in pairs
        if b is not None and a is not None and not math.isnan(float(b) - float(a))
    ]
    n = len(diffs)
    if n == 0:
        return PairedComparison(0, None, None, None, None, None, None, confidence)
    mean = _mean(diffs)
    if n == 1:
        return PairedComparison(1, mean, None, None, None, None, None, confidence)
    sd = math.sqrt(_sample_variance(diffs, mean))
    if sd == 0.0:
        return PairedComparison(n, mean, 0.0, mean, mean, None, None, confidence)
    se = sd / math.sqrt(n)
    half = _t_quantile(0.5 + confidence / 2.0, n - 1) * se
    return PairedComparison(
        n=n,
        mean_difference=mean,
        sd_difference=sd,
        low=mean - half,
        high=mean + half,
        p_value=_t_two_sided_p(mean / se, n - 1),
        effect=mean / sd,
        confidence=confidence,
    )


# ── plain-language sentence ─────────────────────────────────────────────────


def effect_size_label(effect: float) -> EffectSize:
    """Cohen's name for an effect size (its sign ignored).

    >>> [effect_size_label(d) for d in (0.1, -0.3, 0.5, 0.8)]
    ['negligible', 'small', 'medium', 'large']
    """
    size = abs(effect)
    if size < 0.2:
        return "negligible"
    if size < 0.5:
        return "small"
    if size < 0.8:
        return "medium"
    return "large"


def _number(x: float) -> str:
    """Two decimals at most, trailing zeros dropped: 0.60 → "0.6", 0.452 → "0.45"."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def effect_words(effect: IndependentComparison | PairedComparison, lang: str | None) -> str:
    """A plain-language sentence for a before/after comparison, in ``lang``.

    The direction comes from the difference (rounded to two decimals), the size from the
    effect size by Cohen's conventions.

    >>> c = compare_paired([(2, 3), (3, 3), (2, 3), (3, 4)])  # diffs 1, 0, 1, 1
    >>> effect_words(c, "en")
    'The mean went up by 0.75 from before to after (effect size 1.5: large).'
    >>> effect_words(c, "ja")
    '前後で平均が 0.75 上がりました（効果量 1.5: 大きい）'
    """
    diff = effect.difference
    if diff is None:
        raise ValueError("no difference to describe: one side has no answers")
    rounded = _number(diff)
    direction = "same" if rounded == "0" else ("up" if diff > 0 else "down")
    if effect.effect is None:
        return t(f"survey_effect_{direction}_no_size", lang, difference=_number(abs(diff)))
    size = t(f"survey_effect_size_{effect_size_label(effect.effect)}", lang)
    return t(
        f"survey_effect_{direction}",
        lang,
        difference=_number(abs(diff)),
        effect=_number(abs(effect.effect)),
        size=size,
    )


# ── small-segment suppression ───────────────────────────────────────────────


@dataclass(frozen=True)
class Suppression:
    """What may be shown of per-segment results, and which segments are withheld."""

    shown: dict[str, object]
    withheld: tuple[str, ...]  # smallest first
    total_reveals_withheld: bool  # one segment withheld and nothing left to hide with it


def suppress_small(
    segments: Mapping[str, V],
    min_group_size: int,
    *,
    count: Callable[[V], int] | None = None,
    total_shown: bool = True,
) -> Suppression:
    """Withhold every segment with fewer than ``min_group_size`` respondents.

    ``segments`` maps a segment name to its count, or to any result when ``count`` tells
    how many respondents a result holds. When the total is shown and exactly one segment
    would be withheld, its count is the total minus the shown ones: the smallest shown
    segment is withheld too (complementary suppression; ties by name). If there is no
    other segment to withhold, ``total_reveals_withheld`` tells the caller to hide the
    total as well.

    >>> s = suppress_small({"総務課": 12, "税務課": 3, "福祉課": 8, "企画課": 20}, 5)
    >>> s.shown, s.withheld
    ({'総務課': 12, '企画課': 20}, ('税務課', '福祉課'))
    >>> suppress_small({"a": 2, "b": 3, "c": 9}, 5).withheld
    ('a', 'b')
    """
    if min_group_size < 0:
        raise ValueError(f"min_group_size must not be negative, not {min_group_size!r}")

    def size(value: V) -> int:
        n = count(value) if count is not None else value
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"a segment count must be a whole number ≥ 0, not {n!r}")
        return n

    sizes = {name: size(value) for name, value in segments.items()}
    withheld = {name for name, n in sizes.items() if n < min_group_size}
    if total_shown and len(withheld) == 1:
        others = sorted((n, name) for name, n in sizes.items() if name not in withheld)
        if others:
            withheld.add(others[0][1])
    order = sorted(withheld, key=lambda name: (sizes[name], name))
    return Suppression(
        shown={name: value for name, value in segments.items() if name not in withheld},
        withheld=tuple(order),
        total_reveals_withheld=total_shown and len(withheld) == 1,
    )
