"""Known-answer and property tests for the survey statistics (issue 19, item 3).

The expected numbers come from hand arithmetic (written next to each), from a published
data set (Student's sleep data, with the results R prints for it) and from scipy.stats'
own t-tests — never from toolkit.surveys.stats itself.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from toolkit.surveys.stats import (
    compare_independent,
    compare_paired,
    distribution,
    effect_size_label,
    effect_words,
    mean_ci,
    suppress_small,
)

LIKERT5 = {
    1: "そう思わない",
    2: "あまりそう思わない",
    3: "どちらでもない",
    4: "ややそう思う",
    5: "そう思う",
}

# Student (1908) / Cushny & Peebles: extra hours of sleep with two drugs, ten patients.
# R: t.test(extra ~ group, data = sleep) and t.test(..., paired = TRUE) print the values
# used below.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

scores = st.lists(st.integers(min_value=1, max_value=7), min_size=2, max_size=40)


# ── distribution ──────────────────────────────────────────────────────────────


def test_distribution_counts_shares_and_missing_by_hand() -> None:
    # 8 answers: 1×1, 2×0, 3×2, 4×3, 5×2; plus 2 skipped → shares /8
    answers = [4, 3, None, 5, 4, 1, 3, None, 4, 5]
    d = distribution(answers, LIKERT5)
    assert [(o.value, o.label, o.count) for o in d.options] == [
        (1, "そう思わない", 1),
        (2, "あまりそう思わない", 0),
        (3, "どちらでもない", 2),
        (4, "ややそう思う", 3),
        (5, "そう思う", 2),
    ]
    assert [o.share for o in d.options] == [0.125, 0.0, 0.25, 0.375, 0.25]
    assert (d.answered, d.missing) == (8, 2)


def test_distribution_of_a_seven_point_scale_given_as_values() -> None:
    d = distribution([7, 7, 1], range(1, 8))
    assert [o.count for o in d.options] == [1, 0, 0, 0, 0, 0, 2]
    assert d.options[6].label == "7"


def test_distribution_with_nobody_answering_has_no_shares() -> None:
    d = distribution([None, None], LIKERT5)
    assert (d.answered, d.missing) == (0, 2)
    assert all(o.share is None for o in d.options)


def test_distribution_refuses_an_answer_off_the_scale() -> None:
    with pytest.raises(ValueError, match="not on the scale"):
        distribution([6], LIKERT5)


# ── mean with a confidence interval ──────────────────────────────────────────


def test_mean_ci_by_hand() -> None:
    # values 3, 4, 5, 4: mean 4; deviations -1, 0, 1, 0 → s² = 2/3, s = 0.8165
    # se = s/√4 = 0.40825; t(0.975, 3) = 3.182446 → half-width 1.29923
    r = mean_ci([3, 4, None, 5, 4])
    assert r.n == 4
    assert r.mean == 4.0
    assert r.sd == pytest.approx(math.sqrt(2 / 3))
    assert r.low == pytest.approx(4 - 1.29923, abs=1e-5)
    assert r.high == pytest.approx(4 + 1.29923, abs=1e-5)


def test_mean_ci_of_sleep_group_2_matches_r() -> None:
    # mean 2.33, s = 2.002249, se = s/√10 = 0.633167, t(0.975, 9) = 2.262157
    # → half-width 1.432322: 95% CI 0.8976775 3.7623225 (as R's t.test prints)
    r = mean_ci(SLEEP_2)
    assert r.mean == pytest.approx(2.33)
    assert r.low == pytest.approx(0.8976775, abs=1e-6)
    assert r.high == pytest.approx(3.7623225, abs=1e-6)


def test_mean_ci_with_no_value_and_one_value() -> None:
    empty = mean_ci([None])
    assert (empty.n, empty.mean, empty.low, empty.high) == (0, None, None, None)
    one = mean_ci([4])
    assert (one.n, one.mean, one.low, one.high) == (1, 4.0, None, None)


def test_a_wider_confidence_gives_a_wider_interval() -> None:
    narrow, wide = mean_ci([1, 2, 4, 5], 0.80), mean_ci([1, 2, 4, 5], 0.99)
    assert wide.low is not None and narrow.low is not None
    assert wide.low < narrow.low < 3 < narrow.high  # type: ignore[operator]


@given(scores)
def test_property_ci_contains_the_mean(values: list[int]) -> None:
    r = mean_ci(values)
    assert r.mean is not None and r.low is not None and r.high is not None
    assert r.low <= r.mean <= r.high
    assert r.mean == pytest.approx(sum(values) / len(values))


# ── cohort comparison (Welch, Hedges' g) ─────────────────────────────────────


def test_compare_independent_by_hand() -> None:
    # before 1,2,3 (mean 2, s² 1); after 3,4,5 (mean 4, s² 1); diff = 2
    # se = √(1/3 + 1/3) = 0.81650; t = 2.44949
    # df = (2/3)² / ((1/3)²/2 + (1/3)²/2) = (4/9) / (1/9) = 4
    # t(0.975, 4) = 2.776445 → half-width 2.776445 · 0.81650 = 2.26696
    # Hedges: s_pooled = 1, d = 2, J = 1 - 3/(4·6 - 9) = 0.8 → g = 1.6
    c = compare_independent([1, 2, 3], [3, 4, 5])
    assert (c.mean_before, c.mean_after, c.difference) == (2.0, 4.0, 2.0)
    assert c.df == pytest.approx(4.0)
    assert c.low == pytest.approx(2 - 2.26696, abs=1e-5)
    assert c.high == pytest.approx(2 + 2.26696, abs=1e-5)
    assert c.effect == pytest.approx(1.6)
    expected = scipy_stats.ttest_ind([3, 4, 5], [1, 2, 3], equal_var=False)
    assert c.p_value == pytest.approx(expected.pvalue, rel=1e-12)


def test_compare_independent_on_student_sleep_matches_r_welch() -> None:
    # R: t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776,
    # p-value = 0.07939, 95% CI -3.3654832 0.2054832 (group 1 - group 2)
    c = compare_independent(SLEEP_1, SLEEP_2)
    assert c.difference == pytest.approx(1.58)
    assert c.df == pytest.approx(17.776, abs=1e-3)
    assert c.p_value == pytest.approx(0.07939, abs=1e-5)
    assert c.low == pytest.approx(-0.2054832, abs=1e-6)
    assert c.high == pytest.approx(3.3654832, abs=1e-6)


def test_compare_independent_with_too_few_or_no_spread() -> None:
    few = compare_independent([3], [4, 5])
    assert few.difference == 1.5 and few.p_value is None and few.low is None
    flat = compare_independent([3, 3, 3], [4, 4])
    assert (flat.difference, flat.low, flat.high) == (1.0, 1.0, 1.0)
    assert flat.p_value is None and flat.effect is None
    none = compare_independent([], [4, 5])
    assert none.difference is None


@pytest.mark.filterwarnings("ignore:Precision loss occurred:RuntimeWarning")  # scipy's own
@given(scores, scores)
def test_property_welch_p_value_agrees_with_scipy(before: list[int], after: list[int]) -> None:
    c = compare_independent(before, after)
    if c.p_value is None:  # no spread in either group: scipy gives nan
        assert len(set(before)) == 1 and len(set(after)) == 1
        return
    expected = scipy_stats.ttest_ind(after, before, equal_var=False)
    assert c.p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-12)


@given(scores, scores)
def test_property_swapping_before_and_after_negates_the_difference(
    before: list[int], after: list[int]
) -> None:
    ab, ba = compare_independent(before, after), compare_independent(after, before)
    assert ab.difference is not None and ba.difference is not None
    assert ab.difference == pytest.approx(-ba.difference)
    if ab.effect is not None and ba.effect is not None:
        assert ab.effect == pytest.approx(-ba.effect)
        assert ab.p_value == pytest.approx(ba.p_value)
    if ab.low is not None and ba.high is not None:
        assert ab.low == pytest.approx(-ba.high)


# ── paired comparison (paired t, d_z) ────────────────────────────────────────


def test_compare_paired_by_hand() -> None:
    # differences 1, 2, 3 (one pair incomplete, left out): mean 2, s = 1, se = 1/√3
    # t = 2√3 = 3.4641, df 2; t(0.975, 2) = 4.302653 → half-width 2.48414; d_z = 2/1
    c = compare_paired([(1, 2), (2, 4), (None, 5), (3, 6)])
    assert c.n == 3
    assert (c.mean_difference, c.sd_difference, c.effect) == (2.0, 1.0, 2.0)
    assert c.low == pytest.approx(2 - 2.48414, abs=1e-5)
    assert c.high == pytest.approx(2 + 2.48414, abs=1e-5)
    expected = scipy_stats.ttest_rel([2, 4, 6], [1, 2, 3])
    assert c.p_value == pytest.approx(expected.pvalue, rel=1e-12)


def test_compare_paired_on_student_sleep_matches_r() -> None:
    # R: t.test(extra ~ group, data = sleep, paired = TRUE): t = -4.0621, df = 9,
    # p-value = 0.002833, 95% CI -2.4598858 -0.7001142, mean difference -1.58
    c = compare_paired(list(zip(SLEEP_1, SLEEP_2, strict=True)))
    assert c.mean_difference == pytest.approx(1.58)
    assert c.p_value == pytest.approx(0.002833, abs=1e-6)
    assert c.low == pytest.approx(0.7001142, abs=1e-6)
    assert c.high == pytest.approx(2.4598858, abs=1e-6)
    # d_z = t / √n = 4.0621 / √10 = 1.2845
    assert c.effect == pytest.approx(4.0621 / math.sqrt(10), abs=1e-4)


@given(st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=30))
def test_property_identical_pairs_give_zero_difference(values: list[int]) -> None:
    c = compare_paired([(v, v) for v in values])
    assert c.n == len(values)
    assert c.mean_difference == 0.0
    assert c.effect is None and c.p_value is None


@given(st.lists(st.tuples(st.integers(1, 7), st.integers(1, 7)), min_size=2, max_size=30))
def test_property_paired_p_value_agrees_with_scipy(pairs: list[tuple[int, int]]) -> None:
    c = compare_paired(pairs)
    before, after = [b for b, _ in pairs], [a for _, a in pairs]
    assert c.mean_difference == pytest.approx((sum(after) - sum(before)) / len(pairs))
    if c.p_value is None:  # every difference equal: scipy gives nan
        assert len({a - b for b, a in pairs}) == 1
        return
    assert c.low is not None and c.high is not None
    assert c.low <= c.mean_difference <= c.high  # type: ignore[operator]
    expected = scipy_stats.ttest_rel(after, before)
    assert c.p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-12)


# ── plain-language sentence ─────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("d", "name"),
    [(0.0, "negligible"), (0.19, "negligible"), (0.2, "small"), (-0.49, "small"),
     (0.5, "medium"), (0.79, "medium"), (0.8, "large"), (-2.0, "large")],
)  # fmt: skip
def test_cohen_conventions(d: float, name: str) -> None:
    assert effect_size_label(d) == name


def test_effect_words_up_in_japanese_and_english() -> None:
    # diffs 1, 0, 1, 1: mean 0.75; deviations .25, -.75, .25, .25 → s² = .75/3, s = 0.5
    # d_z = 0.75 / 0.5 = 1.5 → large
    c = compare_paired([(2, 3), (3, 3), (2, 3), (3, 4)])
    assert effect_words(c, "ja") == "前後で平均が 0.75 上がりました（効果量 1.5: 大きい）"
    assert effect_words(c, "en") == (
        "The mean went up by 0.75 from before to after (effect size 1.5: large)."
    )


def test_effect_words_down_small() -> None:
    # before 1..5 (mean 3, s² 2.5), after 0.5..4.5 shifted by -0.5 (mean 2.5, s² 2.5)
    # d = -0.5 / √2.5 = -0.31623; J = 1 - 3/(40 - 9) = 0.90323 → g = -0.28563: small
    c = compare_independent([1, 2, 3, 4, 5], [0.5, 1.5, 2.5, 3.5, 4.5])
    assert c.effect == pytest.approx(-0.28563, abs=1e-5)
    assert effect_words(c, "ja") == "前後で平均が 0.5 下がりました（効果量 0.29: 小さい）"


def test_effect_words_without_an_effect_size() -> None:
    flat = compare_independent([3, 3], [4, 4])
    assert "上がりました" in effect_words(flat, "ja")
    assert effect_words(compare_paired([(3, 3), (4, 4)]), "en") == (
        "The mean did not change from before to after."
    )


# ── small-segment suppression ───────────────────────────────────────────────


def test_suppression_of_small_segments() -> None:
    s = suppress_small({"20代": 2, "30代": 4, "40代": 9, "50代": 11}, 5)
    assert s.shown == {"40代": 9, "50代": 11}
    assert s.withheld == ("20代", "30代")
    assert not s.total_reveals_withheld


def test_one_small_segment_takes_the_next_smallest_with_it() -> None:
    # total 30 shown: hiding only 税務課 (3) would leave 30 - 12 - 8 - 7 = 3 recoverable
    s = suppress_small({"総務課": 12, "税務課": 3, "福祉課": 8, "企画課": 7}, 5)
    assert s.withheld == ("税務課", "企画課")
    assert s.shown == {"総務課": 12, "福祉課": 8}


def test_one_small_segment_alone_when_no_total_is_shown() -> None:
    s = suppress_small({"a": 3, "b": 8, "c": 7}, 5, total_shown=False)
    assert s.withheld == ("a",)


def test_suppression_of_results_by_a_count_function() -> None:
    results = {"職員": mean_ci([4, 5, 3, 4, 4, 5]), "管理職": mean_ci([2, 3])}
    s = suppress_small(results, 5, count=lambda r: r.n)
    # one segment alone would be recoverable from the total: both go
    assert s.shown == {} and set(s.withheld) == {"職員", "管理職"}


def test_a_single_small_segment_flags_the_total() -> None:
    s = suppress_small({"only": 3}, 5)
    assert s.withheld == ("only",) and s.total_reveals_withheld


@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 30), min_size=2),
    st.integers(0, 12),
)
def test_property_suppression_is_safe(segments: dict[str, int], k: int) -> None:
    s = suppress_small(segments, k)
    assert all(n >= k for n in s.shown.values())  # type: ignore[operator]
    assert set(s.shown) | set(s.withheld) == set(segments)
    assert not set(s.shown) & set(s.withheld)
    # never exactly one hidden segment, which total - shown would reveal
    assert len(s.withheld) != 1
    # nothing withheld that did not need to be: at most one segment ≥ k joins the small ones
    needed = [name for name, n in segments.items() if n < k]
    assert len(s.withheld) - len(needed) == (1 if len(needed) == 1 else 0)
