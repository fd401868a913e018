"""One survey's results (issue 19, items 3 and 4): built once, rendered by every view.

:func:`survey_results` turns a survey's definition and its answers into the JSON-safe dict
that ``toolkit.summary`` puts in ``summary["surveys"]`` and that the exports, charts
(``toolkit.surveys.charts``) and widgets render. Every statistic comes from
``toolkit.surveys.stats`` (one home for the maths):

* per wave and question: how many answered, the distribution of the answers (Likert points
  in order with their words; single and multiple choices; a share of a multiple-choice
  option is the share of the people who answered that question and chose it), the mean with
  a t-based 95 % confidence interval (Likert and number questions), the same split by every
  segment question (groups under the minimum group size withheld, with complementary
  suppression, and only counted), and free text grouped into themes
  (``toolkit.theme_suggestions.suggest_themes``; texts shown as written);
* a before/after comparison between the first and the last wave with answers: the cohort
  difference (Welch's t, Hedges' g) and, when the survey asks the link code, the paired
  difference of the people whose waves are linked (paired t, d_z), each with a sentence;
* the gaps: a Likert question linked to an issue (``issue:``) measures that issue's current
  state (現状): the mean of the latest wave with answers, rescaled linearly from
  1 … scale onto the issues' 1 … 5; the gap is the issue's ideal minus that current state,
  largest first.

:func:`answer_rows` gives the anonymous answers for exports, :func:`apply_current_states`
writes the survey's current states onto the issues, :func:`record_wave_measurements`
records the indicators a survey measures.

Privacy: besides the split by segment, a segment question's own distribution leaves out
the small groups (it would tell how many people each has), a segment question is not split
by another (segment × segment cells are small), and :func:`answer_rows` blanks the segment
answer of a group that is small in any wave (linked rows would show it in the others).

Beyond the shape documented in ``docs/surveys.md`` (the contract with the exports and
widgets), each question's wave entry carries its ``title`` (the wave's) and ``withheld``
(segment questions: groups left out of the distribution; else 0), and the free-text group of
answers like no other is the last theme, marked ``"other": True``.

Rounding: every float in the results is rounded to 4 decimals (after the statistics are
computed on the raw answers).

>>> from toolkit.surveys.definition import SurveySpec
>>> from toolkit.model import Survey, SurveyResponse, SurveyWave
>>> from datetime import datetime, timezone
>>> at = datetime(2026, 5, 1, tzinfo=timezone.utc)
>>> spec = SurveySpec.model_validate({"id": "pulse", "title": "職員アンケート",
...     "questions": [{"id": "q1", "kind": "likert", "text": "前向きだ"}]})
>>> survey = Survey(1, "pulse", spec, 1, (SurveyWave("before", "open", at, None),
...                                       SurveyWave("after", "draft", None, None)), at)
>>> answers = [SurveyResponse(i, "pulse", "before", {"q1": v}, "device", None, at)
...            for i, v in enumerate([2, 4, 4, 5], start=1)]
>>> result = survey_results(survey, answers, lang="en", zone=timezone.utc, min_group_size=5)
>>> result["questions"][0]["waves"]["before"]["mean"]  # 3.75 ± t(0.975, 3)·s/2
{'mean': 3.75, 'low': 1.7478, 'high': 5.7522, 'n': 4, 'sd': 1.2583}
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any

from toolkit.i18n import t
from toolkit.model import Issue, Survey, SurveyResponse
from toolkit.surveys import stats
from toolkit.surveys.definition import QuestionSpec, SurveySpec, likert_labels, local
from toolkit.times import local_iso

if TYPE_CHECKING:
    from toolkit.store import Store

#: Questions whose answers have a mean (and so a confidence interval and a comparison).
NUMERIC_KINDS = ("likert", "number")
#: Questions whose answers fall into options (and so have a distribution).
CHOICE_KINDS = ("likert", "single", "multiple")
#: The issues' scale of current and ideal states (``toolkit.store.issues``).
ISSUE_SCALE = (1, 5)
#: Examples shown for a theme of free text.
THEME_EXAMPLES = 3
#: Themes proposed for one question's free text (the rest is "other").
MAX_THEMES = 8
#: Free-text answers clustered at once (see :func:`_themes_json`).
MAX_CLUSTERED = 250
#: A similarity no two texts reach (cosine ≤ 1): each text alone, matched to a theme.
_NO_MERGING = 2.0
#: Joins the choices of a multiple-choice answer in :func:`answer_rows`.
CHOICE_SEPARATOR = "; "


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


# ── reading answers ───────────────────────────────────────────────────────────


def _numeric(question: QuestionSpec, value: Any) -> float | None:
    """A Likert point or a number, or ``None`` (no answer, or not one this question takes)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if question.kind == "likert" and (
        not float(value).is_integer() or not 1 <= value <= question.points
    ):
        return None
    return float(value) if math.isfinite(float(value)) else None


def _choices(question: QuestionSpec, value: Any) -> list[str] | None:
    """The option ids of a single or multiple answer (definition order), else ``None``."""
    chosen = [value] if isinstance(value, str) else value
    if not isinstance(chosen, list | tuple):
        return None
    picked = [o for o in question.option_ids if o in chosen]
    return picked or None


def _answered(question: QuestionSpec, value: Any) -> bool:
    if question.kind in NUMERIC_KINDS:
        return _numeric(question, value) is not None
    if question.kind in ("single", "multiple"):
        return _choices(question, value) is not None
    return isinstance(value, str) and bool(value.strip())


def _option_labels(question: QuestionSpec, lang: str) -> list[tuple[str, str]]:
    """``[(key, label)]``: the points of a Likert question, the options of a choice."""
    if question.kind == "likert":
        return [(str(point), label) for point, label in likert_labels(question, lang).items()]
    if question.kind in ("single", "multiple"):
        return [(o.id, local(o.text, lang)) for o in question.options]
    return []


# ── statistics as JSON ──────────────────────────────────────────────────────────


def _mean_json(values: Sequence[float]) -> dict[str, Any] | None:
    result = stats.mean_ci(values)
    if result.mean is None:
        return None
    return {
        "mean": _round(result.mean),
        "low": _round(result.low),
        "high": _round(result.high),
        "n": result.n,
        "sd": _round(result.sd),
    }


def _distribution_json(
    question: QuestionSpec, values: Sequence[Any], lang: str
) -> list[dict[str, Any]]:
    """Counts and shares per option; ``[]`` when nobody answered or the kind has none."""
    if question.kind not in CHOICE_KINDS or not values:
        return []
    options = _option_labels(question, lang)
    position = {key: index for index, (key, _label) in enumerate(options)}
    scale = {index: label for index, (_key, label) in enumerate(options)}
    if question.kind == "likert":
        picks = [position[str(int(v))] for v in values]
    else:  # a multiple choice counts every option chosen; shares are of the people
        picks = [position[c] for v in values for c in _choices(question, v) or ()]
    counted = stats.distribution(picks, scale)
    people = len(values)
    return [
        {
            "key": options[o.value][0],
            "label": o.label,
            "count": o.count,
            "share": _round(o.count / people),
        }
        for o in counted.options
    ]


def _themes_json(texts: Sequence[str], lang: str) -> list[dict[str, Any]]:
    """Free text grouped into suggested themes (largest first), then the texts like no other.

    Up to ``MAX_CLUSTERED`` texts are clustered together (``suggest_themes``, whose
    clustering grows with the cube of the texts). Beyond that, an evenly spaced sample of
    that many is clustered and every other text joins the theme it resembles (the same
    function's ``existing`` themes), a chunk at a time, so a resident survey with thousands
    of comments stays quick and every text is still counted once.
    """
    if not texts:
        return []
    from toolkit.theme_suggestions import suggest_themes

    n = len(texts)
    sample = (
        list(range(n))
        if n <= MAX_CLUSTERED
        else sorted({i * n // MAX_CLUSTERED for i in range(MAX_CLUSTERED)})
    )
    groups: list[tuple[str, int, list[int]]] = []  # label, representative, members
    for suggestion in suggest_themes([texts[i] for i in sample], max_themes=MAX_THEMES):
        members = [sample[i] for i in suggestion.cards]
        groups.append((suggestion.label, sample[suggestion.representative], members))
    rest = sorted(set(range(n)) - set(sample))
    if rest and groups:
        existing = {k: [texts[i] for i in members] for k, (_, _, members) in enumerate(groups)}
        for start in range(0, len(rest), MAX_CLUSTERED):
            chunk = rest[start : start + MAX_CLUSTERED]
            for joined in suggest_themes(
                [texts[i] for i in chunk],
                existing=existing,
                max_themes=len(chunk),
                threshold=_NO_MERGING,
            ):
                if isinstance(joined.theme, int):  # the index of the sample's theme
                    groups[joined.theme][2].extend(chunk[i] for i in joined.cards)
    themes: list[dict[str, Any]] = []
    grouped: set[int] = set()
    for label, representative, members in sorted(groups, key=lambda g: -len(g[2])):
        grouped.update(members)
        order = [representative, *sorted(i for i in members if i != representative)]
        themes.append(
            {
                "label": label,
                "count": len(members),
                "examples": _examples(texts[i] for i in order),
            }
        )
    others = [text for i, text in enumerate(texts) if i not in grouped]
    if others:
        themes.append(
            {
                "label": t("survey_results_other_texts", lang),
                "count": len(others),
                "examples": _examples(others),
                "other": True,
            }
        )
    return themes


def _examples(texts: Iterable[str]) -> list[str]:
    """Up to ``THEME_EXAMPLES`` different texts, in the order given."""
    return list(dict.fromkeys(texts))[:THEME_EXAMPLES]


def _comparison_json(
    comparison: stats.IndependentComparison | stats.PairedComparison, lang: str
) -> dict[str, Any]:
    return {
        "difference": _round(comparison.difference),
        "low": _round(comparison.low),
        "high": _round(comparison.high),
        "p_value": _round(comparison.p_value),
        "effect": _round(comparison.effect),
        "effect_size": (
            None if comparison.effect is None else stats.effect_size_label(comparison.effect)
        ),
        "sentence": stats.effect_words(comparison, lang),
    }


# ── segments ────────────────────────────────────────────────────────────────────


def _segment_groups(
    segment: QuestionSpec, responses: Sequence[SurveyResponse]
) -> dict[str, list[SurveyResponse]]:
    """The responses of each option of ``segment`` (definition order; empty options left out)."""
    groups: dict[str, list[SurveyResponse]] = {}
    for option in segment.option_ids:
        members = [r for r in responses if _choices(segment, r.answers.get(segment.id)) == [option]]
        if members:
            groups[option] = members
    return groups


def _by_segment(
    spec: SurveySpec,
    question: QuestionSpec,
    responses: Sequence[SurveyResponse],
    min_group_size: int,
    lang: str,
) -> list[dict[str, Any]]:
    """The question's results in every group of every segment question. A group's size is
    the number of its people who answered this question; groups with none are left out
    (they reveal nothing), groups under ``min_group_size`` are withheld together with the
    complementary ones (``stats.suppress_small``) and only counted."""
    if question.kind == "text":
        return []
    split: list[dict[str, Any]] = []
    for segment in spec.segments:
        if segment.id == question.id:
            continue
        labels = dict(_option_labels(segment, lang))
        answered = {
            option: [
                r.answers[question.id]
                for r in members
                if _answered(question, r.answers.get(question.id))
            ]
            for option, members in _segment_groups(segment, responses).items()
        }
        answered = {option: values for option, values in answered.items() if values}
        kept = stats.suppress_small(answered, min_group_size, count=len)
        groups = []
        for option, values in answered.items():
            if option not in kept.shown:
                continue
            numbers = [v for v in (_numeric(question, v) for v in values) if v is not None]
            groups.append(
                {
                    "key": option,
                    "label": labels[option],
                    "n": len(values),
                    "mean": _mean_json(numbers) if question.kind in NUMERIC_KINDS else None,
                    "distribution": _distribution_json(question, values, lang),
                }
            )
        split.append(
            {
                "segment": segment.id,
                "segment_text": local(segment.text, lang),
                "groups": groups,
                "withheld": len(kept.withheld),
            }
        )
    return split


def _unique_links(responses: Iterable[SurveyResponse]) -> dict[str, SurveyResponse]:
    """``{link key: response}`` of one wave; a key given twice in a wave (two people who
    happen to share a code) links nobody, since we cannot tell whose is whose."""
    responses = list(responses)
    seen = Counter(r.link_key for r in responses if r.link_key)
    return {r.link_key: r for r in responses if r.link_key and seen[r.link_key] == 1}


# ── the whole survey ────────────────────────────────────────────────────────────


def survey_results(
    survey: Survey,
    responses: Sequence[SurveyResponse],
    *,
    lang: str,
    zone: tzinfo,
    min_group_size: int,
    issues: Sequence[Issue] | None = None,
) -> dict[str, Any]:
    """The results of ``survey`` from its ``responses`` (any order, any waves of it), in the
    shape of ``summary["surveys"][i]`` (see ``docs/surveys.md`` and the module docstring).

    ``lang`` picks the wording, ``zone`` the time zone of the wave times, ``min_group_size``
    the smallest segment group shown; ``issues`` (the workshop's) give the gaps.
    """
    spec = survey.definition
    wave_keys = [w.key for w in survey.waves] or [w.id for w in spec.waves]
    by_wave: dict[str, list[SurveyResponse]] = {key: [] for key in wave_keys}
    for response in sorted(responses, key=lambda r: r.id):
        if response.wave in by_wave:
            by_wave[response.wave].append(response)
    waves = []
    for key in wave_keys:
        state = next((w for w in survey.waves if w.key == key), None)
        waves.append(
            {
                "key": key,
                "title": _wave_title(spec, key, lang),
                "status": state.status if state is not None else "draft",
                "opened_at": local_iso(state.opened_at, zone) if state is not None else None,
                "closed_at": local_iso(state.closed_at, zone) if state is not None else None,
                "responses": len(by_wave[key]),
            }
        )
    questions = [
        _question_results(spec, question, wave_keys, by_wave, min_group_size, lang)
        for question in spec.questions
    ]
    return {
        "key": survey.key,
        "title": local(spec.title, lang),
        "version": survey.version,
        "identity": spec.identity,
        "link_code": spec.link_code,
        "min_group_size": min_group_size,
        "waves": waves,
        "questions": questions,
        "gaps": _gaps(spec, wave_keys, by_wave, issues or ()),
    }


def _wave_title(spec: SurveySpec, key: str, lang: str) -> str:
    try:
        return local(spec.wave(key).title, lang)
    except KeyError:
        return key


def _question_results(
    spec: SurveySpec,
    question: QuestionSpec,
    wave_keys: Sequence[str],
    by_wave: Mapping[str, Sequence[SurveyResponse]],
    min_group_size: int,
    lang: str,
) -> dict[str, Any]:
    per_wave: dict[str, dict[str, Any]] = {}
    numbers: dict[str, list[float]] = {}
    for key in wave_keys:
        responses = by_wave[key]
        values = [
            r.answers[question.id]
            for r in responses
            if _answered(question, r.answers.get(question.id))
        ]
        entry: dict[str, Any] = {
            "title": _wave_title(spec, key, lang),
            "answered": len(values),
            "distribution": _distribution_json(question, values, lang),
            "mean": None,
            "by_segment": [],
            "themes": [],
            "withheld": 0,
        }
        if question.segment:
            _withhold_small_options(entry, min_group_size)
        if question.kind in NUMERIC_KINDS:
            numbers[key] = [v for v in (_numeric(question, v) for v in values) if v is not None]
            entry["mean"] = _mean_json(numbers[key])
        if question.kind == "text":
            entry["themes"] = _themes_json([str(v).strip() for v in values], lang)
        if values and not question.segment:  # segment × segment would show small cells
            entry["by_segment"] = _by_segment(spec, question, responses, min_group_size, lang)
        per_wave[key] = entry
    return {
        "key": question.id,
        "kind": question.kind,
        "text": local(question.text, lang),
        "required": question.required,
        "segment": question.segment,
        "scale": question.points if question.kind == "likert" else None,
        "issue": question.issue if question.kind == "likert" else None,
        "unit": local(question.unit, lang) or None,
        "options": [{"key": k, "label": label} for k, label in _option_labels(question, lang)],
        "waves": per_wave,
        "comparison": _comparison(question, wave_keys, numbers, by_wave, spec.link_code, lang),
    }


def _withhold_small_options(entry: dict[str, Any], min_group_size: int) -> None:
    """A segment question's own distribution tells how many people each group has: the
    groups under ``min_group_size`` (and the complementary ones) are left out of it and
    only counted in ``withheld``; the shares stay shares of everyone who answered."""
    sizes = {d["key"]: d["count"] for d in entry["distribution"] if d["count"]}
    kept = stats.suppress_small(sizes, min_group_size)
    entry["distribution"] = [d for d in entry["distribution"] if d["key"] not in kept.withheld]
    entry["withheld"] = len(kept.withheld)


def _comparison(
    question: QuestionSpec,
    wave_keys: Sequence[str],
    numbers: Mapping[str, Sequence[float]],
    by_wave: Mapping[str, Sequence[SurveyResponse]],
    link_code: bool,
    lang: str,
) -> dict[str, Any] | None:
    """First against last wave with answers (Likert and number questions)."""
    answered = [key for key in wave_keys if numbers.get(key)]
    if question.kind not in NUMERIC_KINDS or len(answered) < 2:
        return None
    first, last = answered[0], answered[-1]
    cohort = stats.compare_independent(numbers[first], numbers[last])
    result: dict[str, Any] = {
        "from": first,
        "to": last,
        "cohort": {
            **_comparison_json(cohort, lang),
            "n_from": cohort.n_before,
            "n_to": cohort.n_after,
        },
        "paired": None,
    }
    if link_code:
        before, after = _unique_links(by_wave[first]), _unique_links(by_wave[last])
        pairs = [
            (
                _numeric(question, before[key].answers.get(question.id)),
                _numeric(question, after[key].answers.get(question.id)),
            )
            for key in before
            if key in after
        ]
        paired = stats.compare_paired(pairs)
        if paired.n:
            result["paired"] = {**_comparison_json(paired, lang), "pairs": paired.n}
    return result


# ── current states and gaps ──────────────────────────────────────────────────


def rescale_to_issue(mean: float, points: int) -> float:
    """A mean on a 1 … ``points`` Likert scale as a state on the issues' 1 … 5 scale
    (linear: 1 stays 1, ``points`` becomes 5).

    >>> rescale_to_issue(4.0, 7), rescale_to_issue(3.0, 5)
    (3.0, 3.0)
    """
    low, high = ISSUE_SCALE
    return low + (mean - 1.0) * (high - low) / (points - 1)


def _current_states(
    spec: SurveySpec,
    wave_keys: Sequence[str],
    by_wave: Mapping[str, Sequence[SurveyResponse]],
    wave: str | None = None,
) -> list[dict[str, Any]]:
    """Each Likert question linked to an issue, with the wave measured (``wave``, else the
    latest with answers), its mean and the current state on the issue's 1 … 5 scale
    (computed from the unrounded mean)."""
    states = []
    for question in spec.questions:
        if question.kind != "likert" or not question.issue:
            continue
        for key in [wave] if wave is not None else list(wave_keys)[::-1]:
            values = [_numeric(question, r.answers.get(question.id)) for r in by_wave.get(key, ())]
            mean = stats.mean_ci(values)
            if mean.mean is not None:
                states.append(
                    {
                        "issue": question.issue,
                        "question": question.id,
                        "wave": key,
                        "mean": mean.mean,
                        "n": mean.n,
                        "current": rescale_to_issue(mean.mean, question.points),
                    }
                )
                break
    return states


def _gaps(
    spec: SurveySpec,
    wave_keys: Sequence[str],
    by_wave: Mapping[str, Sequence[SurveyResponse]],
    issues: Sequence[Issue],
) -> list[dict[str, Any]]:
    by_key = {issue.key: issue for issue in issues}
    gaps = []
    for state in _current_states(spec, wave_keys, by_wave):
        issue = by_key.get(state["issue"])
        if issue is None or issue.ideal is None:
            continue
        gaps.append(
            {
                "issue": issue.key,
                "title": issue.title,
                "question": state["question"],
                "wave": state["wave"],
                "current": _round(state["current"]),
                "ideal": issue.ideal,
                "gap": _round(issue.ideal - state["current"]),
            }
        )
    gaps.sort(key=lambda g: -g["gap"])  # stable: equal gaps keep the questions' order
    return gaps


# ── anonymous answers for exports ────────────────────────────────────────────


def answer_rows(
    survey: Survey,
    responses: Sequence[SurveyResponse],
    min_group_size: int,
    lang: str,
) -> list[dict[str, Any]]:
    """One anonymous row per response, in wave order then as answered: ``wave``,
    ``channel``, ``pair`` (a number 1 … shared by one person's linked waves, else ``None``)
    and one entry per question key (a choice by its words, a multiple choice joined with
    ``"; "``, ``""`` for no answer).

    No participant, no link key, no time. A segment answer of a group smaller than
    ``min_group_size`` in any wave (with the complementary group, ``stats.suppress_small``)
    is replaced by ``""`` in every wave: linked rows would otherwise show it.
    """
    spec = survey.definition
    order = {w.key: i for i, w in enumerate(survey.waves)} or {
        w.id: i for i, w in enumerate(spec.waves)
    }
    rows_in = sorted((r for r in responses if r.wave in order), key=lambda r: (order[r.wave], r.id))
    withheld: dict[str, set[str]] = {}
    for segment in spec.segments:
        hidden: set[str] = set()
        for wave in order:
            groups = _segment_groups(segment, [r for r in rows_in if r.wave == wave])
            hidden.update(stats.suppress_small(groups, min_group_size, count=len).withheld)
        withheld[segment.id] = hidden
    pair_of = _pair_numbers(rows_in, order)
    labels = {q.id: dict(_option_labels(q, lang)) for q in spec.questions}
    rows = []
    for response in rows_in:
        row: dict[str, Any] = {
            "wave": response.wave,
            "channel": response.channel,
            "pair": pair_of.get(response.id),
        }
        for question in spec.questions:
            value = response.answers.get(question.id)
            if not _answered(question, value):
                row[question.id] = ""
            elif question.kind in NUMERIC_KINDS:
                number = _numeric(question, value)
                row[question.id] = (
                    int(number) if number is not None and number.is_integer() else number
                )
            elif question.kind in ("single", "multiple"):
                chosen = _choices(question, value) or []
                if question.segment and set(chosen) & withheld.get(question.id, set()):
                    row[question.id] = ""
                else:
                    row[question.id] = CHOICE_SEPARATOR.join(labels[question.id][c] for c in chosen)
            else:
                row[question.id] = str(value).strip()
        rows.append(row)
    return rows


def _pair_numbers(responses: Sequence[SurveyResponse], order: Mapping[str, int]) -> dict[int, int]:
    """``{response id: pair number}`` for link keys that are unique within every wave and
    appear in two waves or more; numbered 1 … in order of first appearance."""
    per_wave: dict[str, dict[str, SurveyResponse]] = {
        wave: _unique_links(r for r in responses if r.wave == wave) for wave in order
    }
    ambiguous = {r.link_key for r in responses if r.link_key and r.link_key not in per_wave[r.wave]}
    waves_of: Counter[str] = Counter(
        key for links in per_wave.values() for key in links if key not in ambiguous
    )
    numbers: dict[str, int] = {}
    pair_of: dict[int, int] = {}
    for response in responses:
        key = response.link_key
        if key and key not in ambiguous and waves_of[key] >= 2:
            pair_of[response.id] = numbers.setdefault(key, len(numbers) + 1)
    return pair_of


# ── writing back to the store ─────────────────────────────────────────────────


def apply_current_states(
    store: Store, slug: str, survey_key: str, *, wave: str | None = None
) -> list[dict[str, Any]]:
    """Set the current state (現状) of every issue a Likert question of the survey
    measures: the mean of ``wave`` (default: the latest wave with answers) rescaled onto
    1 … 5 and rounded to the nearest whole state (halves up); the ideal is kept.

    Returns what changed: ``[{"issue", "question", "wave", "mean", "n", "previous",
    "current"}]``; an issue already at that state, or not in the workshop, is left alone.
    The store records each change as an ``issue_rated`` event by the ``system``.
    """
    survey = store.survey(slug, survey_key)
    wave_keys = [w.key for w in survey.waves]
    by_wave: dict[str, list[SurveyResponse]] = {key: [] for key in wave_keys}
    for response in store.survey_responses(slug, survey_key, wave=wave):
        by_wave.setdefault(response.wave, []).append(response)
    issues = {issue.key: issue for issue in store.issues(slug)}
    changed = []
    for state in _current_states(survey.definition, wave_keys, by_wave, wave):
        issue = issues.get(state["issue"])
        if issue is None:
            continue
        low, high = ISSUE_SCALE
        current = min(high, max(low, math.floor(state["current"] + 0.5)))
        if current == issue.current:
            continue
        store.rate_issue(slug, issue.key, current=current, ideal=issue.ideal, actor="system")
        changed.append(
            {
                "issue": issue.key,
                "question": state["question"],
                "wave": state["wave"],
                "mean": _round(state["mean"]),
                "n": state["n"],
                "previous": issue.current,
                "current": current,
            }
        )
        issues[issue.key] = _with_current(issue, current)
    return changed


def _with_current(issue: Issue, current: int) -> Issue:
    from dataclasses import replace

    return replace(issue, current=current)


def record_wave_measurements(
    store: Store,
    slug: str,
    survey_key: str,
    wave: str,
    *,
    measured_on: date,
    entered_by: str,
) -> list[dict[str, Any]]:
    """Record, for every follow-up indicator this survey measures, the mean answer of
    ``wave`` as a measurement (``store.record_survey_measurement``). Indicators whose
    question nobody answered in that wave are skipped. Returns ``[{"indicator",
    "question", "value"}]`` of what was recorded."""
    linked = {
        indicator: question
        for indicator, (survey, question) in store.survey_indicators(slug).items()
        if survey == survey_key
    }
    if not linked:
        return []
    spec = store.survey(slug, survey_key).definition
    responses = store.survey_responses(slug, survey_key, wave=wave)
    recorded = []
    for indicator, question in sorted(linked.items()):
        try:
            asked = spec.question(question)
        except KeyError:
            continue
        if not any(_numeric(asked, r.answers.get(question)) is not None for r in responses):
            continue
        value = store.record_survey_measurement(
            slug, indicator, wave, measured_on=measured_on, entered_by=entered_by
        )
        recorded.append({"indicator": indicator, "question": question, "value": value})
    return recorded
