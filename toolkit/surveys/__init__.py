"""Surveys (issue 19): staff and resident questionnaires, answered before and after.

``toolkit.surveys.stats`` is the statistics engine for results: distributions of Likert
answers, means with t-based confidence intervals, before/after comparisons (cohort level
with Welch's t-test and Hedges' g, paired with Cohen's d_z), a plain-language sentence for
an effect, and suppression of segments smaller than the workshop's ``min_group_size``.
"""

from toolkit.surveys.stats import (
    Distribution,
    IndependentComparison,
    MeanCI,
    OptionCount,
    PairedComparison,
    Suppression,
    compare_independent,
    compare_paired,
    distribution,
    effect_size_label,
    effect_words,
    mean_ci,
    suppress_small,
)

__all__ = [
    "Distribution",
    "IndependentComparison",
    "MeanCI",
    "OptionCount",
    "PairedComparison",
    "Suppression",
    "compare_independent",
    "compare_paired",
    "distribution",
    "effect_size_label",
    "effect_words",
    "mean_ci",
    "suppress_small",
]
