"""Checks that look across lists: duplicate ids, links to ids that do not exist, weights …

They run on plain data (what the YAML reader produced, or ``WorkshopSpec.model_dump()``)
and are defensive: a value of the wrong type is left to pydantic's own error, so a file with
type errors still gets every cross-list problem reported in the same run.

The amount rule (:mod:`toolkit.money`, shared by every door that takes money) is checked here
too, for what pydantic's field limits cannot say: a cost or budget above
:data:`~toolkit.money.MAX_AMOUNT` or with more than :data:`~toolkit.money.MAX_DECIMALS`
decimals. Text, non-finite and negative amounts are pydantic's (``ge``, ``allow_inf_nan``).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.ballots import BALLOT_RULES as BALLOT_RULE_REGISTRY
from toolkit.ballots import SETTING_NAMES, BallotRule
from toolkit.i18n import Lang, catalog
from toolkit.money import amount_problem
from toolkit.workshop_file.models import PHASE_ORDER
from toolkit.workshop_file.problems import Problem, path_text, show_value

Loc = tuple[str | int, ...]

_ID_LISTS = ("stakeholders", "themes", "criteria", "methods", "issues", "phases", "surveys")
_WEIGHT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Finding:
    """A cross-list problem at ``loc``; ``related`` points at the other place involved."""

    loc: Loc
    key: str
    params: dict[str, Any]
    related: Loc | None = field(default=None)


def cross_check(data: Mapping[str, Any]) -> list[Finding]:
    """Every cross-list problem in a workshop's data, in file order of the lists."""
    findings: list[Finding] = []
    findings += _duplicate_ids(data)
    findings += _issue_links(data)
    findings += _criteria(data)
    findings += _phases(data)
    findings += _ballots(data)
    findings += _amounts(data)
    findings += _messages(data)
    findings += _time_zone(data)
    findings += _roadmap(data)
    findings += _indicators(data)
    findings += _surveys(data)
    return findings


def describe_findings(findings: Sequence[Finding], lang: Lang) -> str:
    """All findings as one text (for a spec built in Python, which has no file lines)."""
    lines = [
        Problem("<WorkshopSpec>", 0, path_text(f.loc), f.key, f.params).message(lang)
        for f in findings
    ]
    return "; ".join(f"{path_text(f.loc)}: {text}" for f, text in zip(findings, lines, strict=True))


def close_match(value: str, candidates: Sequence[str]) -> str | None:
    """The candidate closest to ``value`` (difflib, else the one id containing it), or None."""
    found = difflib.get_close_matches(value, list(candidates), n=1, cutoff=0.6)
    if found:
        return found[0]
    # A shortened id ("info" for "info-reach") is too short for difflib's ratio.
    containing = [c for c in candidates if len(value) >= 3 and value in c]
    return containing[0] if len(containing) == 1 else None


# -- helpers -------------------------------------------------------------------------


def _mappings(value: Any) -> list[tuple[int, Mapping[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _first_index_by_id(items: list[tuple[int, Mapping[str, Any]]]) -> dict[str, int]:
    first: dict[str, int] = {}
    for i, item in items:
        ident = item.get("id")
        if isinstance(ident, str) and ident not in first:
            first[ident] = i
    return first


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ref_findings(refs: Any, loc: Loc, known: Mapping[str, int], target: str) -> list[Finding]:
    """Links in ``refs`` (a list of ids) that name nothing, or name the same thing twice."""
    if not isinstance(refs, list):
        return []
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for j, ref in enumerate(refs):
        if not isinstance(ref, str):
            continue
        if ref not in known:
            findings.append(
                Finding(
                    (*loc, j),
                    "wf_unknown_ref",
                    {
                        "value": show_value(ref),
                        "target": target,
                        "known": list(known),
                        "suggestion": close_match(ref, list(known)),
                    },
                )
            )
        elif ref in seen:
            findings.append(
                Finding(
                    (*loc, j),
                    "wf_duplicate_ref",
                    {"value": show_value(ref), "first_path": path_text((*loc, seen[ref]))},
                    related=(*loc, seen[ref]),
                )
            )
        seen.setdefault(ref, j)
    return findings


# -- the checks ----------------------------------------------------------------------


def _duplicate_ids(data: Mapping[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    lists: list[tuple[Loc, Any]] = [((name,), data.get(name)) for name in _ID_LISTS]
    town_meeting = data.get("town_meeting")
    if isinstance(town_meeting, Mapping):
        lists.append((("town_meeting", "ballots"), town_meeting.get("ballots")))
    for loc, value in lists:
        findings += _duplicates_in(value, loc)
    return findings


def _duplicates_in(value: Any, loc: Loc) -> list[Finding]:
    """Items of the list ``value`` (at ``loc``) whose id an earlier item has."""
    findings: list[Finding] = []
    first: dict[str, int] = {}
    for i, item in _mappings(value):
        ident = item.get("id")
        if not isinstance(ident, str):
            continue
        if ident in first:
            findings.append(
                Finding(
                    (*loc, i, "id"),
                    "wf_duplicate_id",
                    {
                        "id": show_value(ident),
                        "list": path_text(loc),
                        "first_path": path_text((*loc, first[ident], "id")),
                    },
                    related=(*loc, first[ident], "id"),
                )
            )
        else:
            first[ident] = i
    return findings


def _issue_links(data: Mapping[str, Any]) -> list[Finding]:
    themes = _first_index_by_id(_mappings(data.get("themes")))
    stakeholders = _first_index_by_id(_mappings(data.get("stakeholders")))
    findings: list[Finding] = []
    for i, issue in _mappings(data.get("issues")):
        findings += _ref_findings(issue.get("themes"), ("issues", i, "themes"), themes, "themes")
        findings += _ref_findings(
            issue.get("stakeholders"), ("issues", i, "stakeholders"), stakeholders, "stakeholders"
        )
    return findings


def _anchor_value(key: Any) -> int | None:
    if _is_int(key):
        return int(key)
    if isinstance(key, str):
        try:
            return int(key)
        except ValueError:
            return None
    return None


def _criteria(data: Mapping[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    criteria = _mappings(data.get("criteria"))
    for i, criterion in criteria:
        scale = criterion.get("scale")
        if not isinstance(scale, Mapping):
            continue
        low, high = scale.get("min", 1), scale.get("max", 5)
        if not (_is_int(low) and _is_int(high)):
            continue
        if low >= high:
            findings.append(
                Finding(
                    ("criteria", i, "scale", "max"),
                    "wf_scale_range",
                    {"min": low, "max": high},
                )
            )
            continue
        anchors = scale.get("anchors")
        if not isinstance(anchors, Mapping):
            continue
        for key in anchors:
            point = _anchor_value(key)
            if point is not None and not low <= point <= high:
                findings.append(
                    Finding(
                        ("criteria", i, "scale", "anchors", str(key)),
                        "wf_anchor_out_of_scale",
                        {"anchor": point, "min": low, "max": high},
                    )
                )
    findings += _weights(criteria)
    return findings


def _weights(criteria: list[tuple[int, Mapping[str, Any]]]) -> list[Finding]:
    weighted = [(i, c.get("weight")) for i, c in criteria if c.get("weight") is not None]
    if not weighted:
        return []
    if len(weighted) < len(criteria):
        with_weight = {i for i, _ in weighted}
        return [
            Finding(
                ("criteria", i, "weight"),
                "wf_weight_missing",
                {"id": show_value(c.get("id")), "count": len(weighted)},
            )
            for i, c in criteria
            if i not in with_weight
        ]
    if not all(_is_number(w) for _, w in weighted):
        return []  # pydantic reports the value that is not a number
    values = [float(w) for _, w in weighted if w is not None]
    total = math.fsum(values)
    if abs(total - 1) <= _WEIGHT_TOLERANCE or abs(total - 100) <= 100 * _WEIGHT_TOLERANCE:
        return []
    # Weights written like 25, 20 … are percentages; 0.25, 0.2 … are fractions.
    percent = total > 2 or any(w > 1 for w in values)
    return [
        Finding(
            ("criteria",),
            "wf_weight_sum",
            {
                "total": format(total, ".10g"),
                "target": 100 if percent else 1,
                "kind": "percent" if percent else "fraction",
            },
        )
    ]


def _phases(data: Mapping[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    phases = [
        (i, phase.get("id"))
        for i, phase in _mappings(data.get("phases"))
        if phase.get("id") in PHASE_ORDER
    ]
    latest: tuple[int, Any] | None = None  # the furthest phase seen so far
    for i, phase_id in phases:
        rank = PHASE_ORDER.index(phase_id)
        if latest is not None and rank < PHASE_ORDER.index(latest[1]):
            findings.append(
                Finding(
                    ("phases", i, "id"),
                    "wf_phase_order",
                    {
                        "phase": show_value(phase_id),
                        "later": show_value(latest[1]),
                        "order": " → ".join(PHASE_ORDER),
                    },
                    related=("phases", latest[0], "id"),
                )
            )
        elif latest is None or rank > PHASE_ORDER.index(latest[1]):
            latest = (i, phase_id)
    ids = [phase_id for _, phase_id in phases]
    if "scoring" in ids and "method" not in ids:
        scoring_at = phases[ids.index("scoring")][0]
        findings.append(Finding(("phases", scoring_at, "id"), "wf_phase_requires_method", {}))
    return findings


def _ballots(data: Mapping[str, Any]) -> list[Finding]:
    town_meeting = data.get("town_meeting")
    if not isinstance(town_meeting, Mapping):
        return []
    issues = _mappings(data.get("issues"))
    issue_ids = _first_index_by_id(issues)
    issue_at = dict(issues)
    issue_by_id = {ident: issue_at[index] for ident, index in issue_ids.items()}
    findings: list[Finding] = []
    for k, ballot in _mappings(town_meeting.get("ballots")):
        loc: Loc = ("town_meeting", "ballots", k)
        rule = ballot.get("rule")
        options = ballot.get("options")
        findings += _ref_findings(options, (*loc, "options"), issue_ids, "issues")
        found = BALLOT_RULE_REGISTRY.get(rule) if isinstance(rule, str) else None
        if found is None:
            continue  # pydantic says which rules exist
        takes = {setting.name for setting in found.settings}
        for setting in found.settings:
            if setting.required and ballot.get(setting.name) is None:
                example = setting.suggested if setting.suggested is not None else setting.minimum
                findings.append(
                    Finding(
                        (*loc, setting.name),
                        "wf_setting_required",
                        {
                            "rule": show_value(rule),
                            "field": setting.name,
                            "meaning": setting.name,
                            "example": example,
                        },
                    )
                )
        for name in SETTING_NAMES:
            if name not in takes and ballot.get(name) is not None:
                users = [r.id for r in BALLOT_RULE_REGISTRY.values() if name in _names(r)]
                findings.append(
                    Finding(
                        (*loc, name),
                        "wf_not_for_rule",
                        {"field": name, "rules": users, "rule": show_value(rule)},
                    )
                )
        if found.needs_costs and isinstance(options, list):
            for j, option in enumerate(options):
                if not (isinstance(option, str) and option in issue_ids):
                    continue
                cost = issue_by_id[option].get("cost")
                if cost is None or cost == 0:
                    findings.append(
                        Finding(
                            (*loc, "options", j),
                            "wf_option_needs_cost",
                            {"rule": show_value(rule), "value": show_value(option)},
                            related=("issues", issue_ids[option]),
                        )
                    )
        if found.form == "scale":
            low, high = found.value(ballot, "min"), found.value(ballot, "max")
            if isinstance(low, int) and isinstance(high, int) and low >= high:
                findings.append(
                    Finding((*loc, "max"), "wf_scale_upside_down", {"low": low, "high": high})
                )
        max_choices = ballot.get("max_choices")
        if (
            isinstance(max_choices, int)
            and not isinstance(max_choices, bool)
            and isinstance(options, list)
            and max_choices > len(options)
        ):
            findings.append(
                Finding(
                    (*loc, "max_choices"),
                    "wf_max_choices_too_many",
                    {"value": max_choices, "count": len(options)},
                )
            )
    return findings


def _names(rule: BallotRule) -> set[str]:
    return {setting.name for setting in rule.settings}


# The amount problems a pydantic field limit cannot express; the others (not a number, not
# finite, negative) are reported by pydantic, once.
_AMOUNT_FINDINGS = {
    "amount_too_large": "wf_amount_too_large",
    "amount_too_precise": "wf_amount_too_precise",
}


def _amount_findings(value: Any, loc: Loc) -> list[Finding]:
    if not _is_number(value):
        return []  # pydantic says it is not a number, or not finite
    problem = amount_problem(value)
    if problem is None or problem[0] not in _AMOUNT_FINDINGS:
        return []
    key, params = problem
    return [Finding(loc, _AMOUNT_FINDINGS[key], {**params, "value": show_value(value)})]


def _amounts(data: Mapping[str, Any]) -> list[Finding]:
    """Issue costs and ballot budgets that are not amounts of money (:mod:`toolkit.money`)."""
    findings: list[Finding] = []
    for i, issue in _mappings(data.get("issues")):
        findings += _amount_findings(issue.get("cost"), ("issues", i, "cost"))
    town_meeting = data.get("town_meeting")
    if isinstance(town_meeting, Mapping):
        for k, ballot in _mappings(town_meeting.get("ballots")):
            findings += _amount_findings(
                ballot.get("budget"), ("town_meeting", "ballots", k, "budget")
            )
    return findings


def _placeholders(text: str) -> set[str] | None:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return None


def _messages(data: Mapping[str, Any]) -> list[Finding]:
    messages = data.get("messages")
    if not isinstance(messages, Mapping):
        return []
    known = catalog()
    findings: list[Finding] = []
    for key, texts in messages.items():
        if not isinstance(key, str):
            continue
        if key not in known:
            findings.append(
                Finding(
                    ("messages", key),
                    "wf_unknown_message_key",
                    {"key": show_value(key), "suggestion": close_match(key, list(known))},
                )
            )
            continue
        if not isinstance(texts, Mapping):
            continue
        for lang, text in texts.items():
            if lang not in ("ja", "en") or not isinstance(text, str):
                continue
            used = _placeholders(text)
            provided = _placeholders(known[key][lang]) or set()
            available = sorted("{" + name + "}" for name in provided)
            if used is None:
                findings.append(
                    Finding(("messages", key, lang), "wf_bad_braces", {"available": available})
                )
                continue
            for name in sorted(used - provided):
                findings.append(
                    Finding(
                        ("messages", key, lang),
                        "wf_unknown_placeholder",
                        {"placeholder": "{" + name + "}", "available": available},
                    )
                )
    return findings


def _time_zone(data: Mapping[str, Any]) -> list[Finding]:
    """``time_zone`` must be a zone this computer knows (an IANA name, or UTC)."""
    from toolkit.errors import InvalidInputError
    from toolkit.times import time_zone

    name = data.get("time_zone")
    if not isinstance(name, str) or not name.strip():
        return []
    try:
        time_zone(name)
    except InvalidInputError:
        return [Finding(("time_zone",), "wf_time_zone_unknown", {"value": name})]
    return []


# -- after the workshop: roadmap and indicators (issue 18) -------------------------------


def _error_finding(loc: Loc, error: Exception) -> Finding:
    """A finding that says what the engine's own rule says (its catalog key and values)."""
    from toolkit.errors import UreshiiError

    assert isinstance(error, UreshiiError)
    return Finding(loc, error.key, dict(error.params))


def _as_day(value: Any) -> _dt.date | None:
    """A calendar day from a YAML date or ISO text; None for anything else (pydantic's)."""
    if isinstance(value, _dt.datetime):
        return None
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _roadmap(data: Mapping[str, Any]) -> list[Finding]:
    """Periods the fiscal parser cannot read; dependencies on unknown issues, on the issue
    itself, twice, or in a circle (reported once, at the link that closes it)."""
    from toolkit.errors import InvalidInputError
    from toolkit.fiscal import parse_fiscal_period

    issues = _mappings(data.get("issues"))
    issue_ids = _first_index_by_id(issues)
    findings: list[Finding] = []
    graph: dict[str, list[tuple[str, Loc]]] = {}
    for i, issue in issues:
        roadmap = issue.get("roadmap")
        if not isinstance(roadmap, Mapping):
            continue
        period = roadmap.get("period")
        if isinstance(period, str | int | float) and not isinstance(period, bool):
            try:  # a number is read as the model reads it: as its text
                parse_fiscal_period(period if isinstance(period, str) else str(period))
            except InvalidInputError as error:
                findings.append(_error_finding(("issues", i, "roadmap", "period"), error))
        loc: Loc = ("issues", i, "roadmap", "depends_on")
        refs = roadmap.get("depends_on")
        findings += _ref_findings(refs, loc, issue_ids, "issues")
        ident = issue.get("id")
        if not isinstance(ident, str) or not isinstance(refs, list):
            continue
        for j, ref in enumerate(refs):
            if ref == ident:
                findings.append(Finding((*loc, j), "roadmap_self_dependency", {"issue": ident}))
            elif isinstance(ref, str) and ref in issue_ids and issue_ids[ident] == i:
                links = graph.setdefault(ident, [])
                if all(ref != linked for linked, _ in links):  # twice: wf_duplicate_ref
                    links.append((ref, (*loc, j)))
    findings += _dependency_circles(graph)
    return findings


def _dependency_circles(graph: Mapping[str, Sequence[tuple[str, Loc]]]) -> list[Finding]:
    """One finding per circle of dependencies, at the link that closes it (in file order).

    >>> links = {"a": [("b", ("a",))], "b": [("c", ("b",))], "c": [("a", ("c",))]}
    >>> [(f.loc, f.params["cycle"]) for f in _dependency_circles(links)]
    [(('c',), 'a → b → c → a')]
    """
    findings: list[Finding] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in graph:
        if state.get(start):
            continue
        path: list[str] = [start]
        state[start] = 1
        stack = [iter(graph.get(start, ()))]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                state[path.pop()] = 2
                continue
            target, loc = step
            if state.get(target) == 1:
                circle = [*path[path.index(target) :], target]
                findings.append(
                    Finding(loc, "roadmap_dependency_cycle", {"cycle": " → ".join(circle)})
                )
            elif not state.get(target):
                state[target] = 1
                path.append(target)
                stack.append(iter(graph.get(target, ())))
    return findings


def _indicators(data: Mapping[str, Any]) -> list[Finding]:
    """Indicator ids used twice in the file (measurements name them), the rules of
    :class:`toolkit.indicators.Indicator` (a target equal to the baseline or on the wrong
    side, a target date not after the baseline date) and measurements dated before the
    baseline or after today (in the workshop's time zone, as the store refuses them)."""
    from toolkit.errors import InvalidInputError
    from toolkit.indicators import Indicator, Measurement, check_measurement

    findings: list[Finding] = []
    first: dict[str, Loc] = {}
    today = _today(data)
    for i, issue in _mappings(data.get("issues")):
        for k, item in _mappings(issue.get("indicators")):
            loc: Loc = ("issues", i, "indicators", k)
            ident = item.get("id")
            if isinstance(ident, str):
                if ident in first:
                    findings.append(
                        Finding(
                            (*loc, "id"),
                            "wf_duplicate_indicator",
                            {"id": show_value(ident), "first_path": path_text(first[ident])},
                            related=first[ident],
                        )
                    )
                else:
                    first[ident] = (*loc, "id")
            baseline_on, target_on = (
                _as_day(item.get("baseline_on")),
                _as_day(item.get("target_on")),
            )
            direction = item.get("direction")
            baseline: Any = item.get("baseline")
            target: Any = item.get("target")
            if (
                baseline_on is None
                or target_on is None
                or direction not in ("increase", "decrease")
                or not (_is_number(baseline) and _is_number(target))
            ):
                continue  # pydantic reports the missing or mistyped field
            try:
                indicator = Indicator("", "", direction, baseline, baseline_on, target, target_on)
            except InvalidInputError as error:
                field = "target_on" if error.key == "indicator_dates_order" else "target"
                findings.append(_error_finding((*loc, field), error))
                continue
            for m, measured in _mappings(item.get("measurements")):
                day = _as_day(measured.get("measured_on"))
                if day is None or not _is_number(measured.get("value")):
                    continue
                where: Loc = (*loc, "measurements", m, "measured_on")
                try:
                    check_measurement(indicator, Measurement(measured["value"], day))
                except InvalidInputError as error:
                    findings.append(_error_finding(where, error))
                    continue
                if today is not None and day > today:
                    findings.append(
                        Finding(
                            where,
                            "measurement_in_future",
                            {"measured_on": day.isoformat(), "today": today.isoformat()},
                        )
                    )
    return findings


def _today(data: Mapping[str, Any]) -> _dt.date | None:
    """Today in the workshop's time zone (None when the zone is unknown: reported apart)."""
    from toolkit.errors import InvalidInputError
    from toolkit.times import workshop_time_zone

    name = data.get("time_zone")
    try:
        zone = workshop_time_zone(name if isinstance(name, str) else None)
    except InvalidInputError:
        return None
    return _dt.datetime.now(zone).date()


# -- surveys (issue 19) ----------------------------------------------------------------

# The fields each kind of question takes (toolkit.surveys.definition's table of kinds).
_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "options": ("single", "multiple"),
    "scale": ("likert",),
    "labels": ("likert",),
    "segment": ("single",),
    "max_choices": ("multiple",),
    "min": ("number",),
    "max": ("number",),
    "unit": ("number",),
    "issue": ("likert",),
}
_KINDS = ("likert", "single", "multiple", "number", "text")
_MEASURED_KINDS = ("likert", "number")  # an indicator is their mean


def _given(value: Any) -> bool:
    """A field that says something: ``segment: false``, ``labels: {}`` or null say nothing."""
    return value is not None and value is not False and value != {} and value != []


def _surveys(data: Mapping[str, Any]) -> list[Finding]:
    """Every survey's own rules (:func:`survey_findings`), its ``issue:`` links, and the
    survey questions the indicators name."""
    issue_ids = _first_index_by_id(_mappings(data.get("issues")))
    surveys = _mappings(data.get("surveys"))
    findings: list[Finding] = []
    for i, survey in surveys:
        findings += survey_findings(survey, ("surveys", i), issue_ids)
    findings += _survey_indicators(data, surveys)
    return findings


def survey_findings(
    survey: Mapping[str, Any], loc: Loc = (), issue_ids: Mapping[str, int] | None = None
) -> list[Finding]:
    """The rules of one survey at ``loc``: ids unique among its questions, each question's
    options and waves; each field on the kinds of question that take it; at least 2
    options; Likert labels within the scale; ``max_choices`` within the options; ``min``
    below ``max``. ``issue:`` must name one of ``issue_ids`` (not checked when None: a
    survey on its own, pasted in the console).

    >>> survey = {"id": "s", "questions": [
    ...     {"id": "q", "kind": "likert", "text": "…", "scale": 5, "labels": {6: "…"}},
    ...     {"id": "q", "kind": "text", "text": "…", "options": [{"id": "a", "text": "A"}]}]}
    >>> for finding in survey_findings(survey):
    ...     print(path_text(finding.loc), finding.key)
    questions.1.id wf_duplicate_id
    questions.0.labels.6 wf_survey_label_out_of_scale
    questions.1.options wf_survey_field_not_for_kind
    """
    findings = _duplicates_in(survey.get("questions"), (*loc, "questions"))
    findings += _duplicates_in(survey.get("waves"), (*loc, "waves"))
    for j, question in _mappings(survey.get("questions")):
        findings += _question_findings(question, (*loc, "questions", j), issue_ids)
    return findings


def _question_findings(
    question: Mapping[str, Any], loc: Loc, issue_ids: Mapping[str, int] | None
) -> list[Finding]:
    kind = question.get("kind")
    if kind not in _KINDS:
        return []  # pydantic lists the kinds
    findings: list[Finding] = []
    options = question.get("options")
    findings += _duplicates_in(options, (*loc, "options"))
    for name, kinds in _KIND_FIELDS.items():
        if kind not in kinds and _given(question.get(name)):
            findings.append(
                Finding(
                    (*loc, name),
                    "wf_survey_field_not_for_kind",
                    {"field": name, "kinds": list(kinds), "question_kind": show_value(kind)},
                )
            )
    if kind in ("single", "multiple"):
        count = len(options) if isinstance(options, list) else 0
        if count < 2 and (options is None or isinstance(options, list)):
            findings.append(
                Finding(
                    (*loc, "options" if "options" in question else "kind"),
                    "wf_survey_too_few_options",
                    {"question_kind": show_value(kind), "count": count},
                )
            )
        max_choices: Any = question.get("max_choices")
        if kind == "multiple" and _is_int(max_choices) and 2 <= count < max_choices:
            findings.append(
                Finding(
                    (*loc, "max_choices"),
                    "wf_survey_max_choices_too_many",
                    {"value": max_choices, "count": count},
                )
            )
    if kind == "likert":
        findings += _label_findings(question, loc)
        issue = question.get("issue")
        if issue_ids is not None and isinstance(issue, str) and issue not in issue_ids:
            findings.append(
                Finding(
                    (*loc, "issue"),
                    "wf_unknown_ref",
                    {
                        "value": show_value(issue),
                        "target": "issues",
                        "known": list(issue_ids),
                        "suggestion": close_match(issue, list(issue_ids)),
                    },
                )
            )
    if kind == "number":
        low: Any = question.get("min")
        high: Any = question.get("max")
        if _is_number(low) and _is_number(high) and low >= high:
            findings.append(Finding((*loc, "max"), "wf_survey_min_max", {"min": low, "max": high}))
    return findings


def _label_findings(question: Mapping[str, Any], loc: Loc) -> list[Finding]:
    scale = question.get("scale")
    if scale is None:
        scale = 5
    labels = question.get("labels")
    if scale not in (5, 7) or isinstance(scale, bool) or not isinstance(labels, Mapping):
        return []  # pydantic says which scales exist
    findings: list[Finding] = []
    for key in labels:
        point = _anchor_value(key)
        if point is not None and not 1 <= point <= scale:
            findings.append(
                Finding(
                    (*loc, "labels", str(key)),
                    "wf_survey_label_out_of_scale",
                    {"point": point, "scale": scale},
                )
            )
    return findings


def _survey_indicators(
    data: Mapping[str, Any], surveys: list[tuple[int, Mapping[str, Any]]]
) -> list[Finding]:
    """An indicator's ``survey: {survey, question}`` names a survey of the file and a
    Likert or number question of it (each wave's mean becomes a measurement)."""
    survey_ids = _first_index_by_id(surveys)
    by_id = dict(surveys)
    findings: list[Finding] = []
    for i, issue in _mappings(data.get("issues")):
        for k, item in _mappings(issue.get("indicators")):
            link = item.get("survey")
            if not isinstance(link, Mapping):
                continue
            loc: Loc = ("issues", i, "indicators", k, "survey")
            survey, question = link.get("survey"), link.get("question")
            if not isinstance(survey, str):
                continue
            if survey not in survey_ids:
                findings.append(
                    Finding(
                        (*loc, "survey"),
                        "wf_unknown_ref",
                        {
                            "value": show_value(survey),
                            "target": "surveys",
                            "known": list(survey_ids),
                            "suggestion": close_match(survey, list(survey_ids)),
                        },
                    )
                )
                continue
            if not isinstance(question, str):
                continue
            kinds: dict[str, Any] = {}
            for _, asked in _mappings(by_id[survey_ids[survey]].get("questions")):
                if isinstance(asked.get("id"), str):
                    kinds.setdefault(asked["id"], asked.get("kind"))
            measured = [key for key, kind in kinds.items() if kind in _MEASURED_KINDS]
            if question not in kinds:
                findings.append(
                    Finding(
                        (*loc, "question"),
                        "wf_survey_unknown_question",
                        {
                            "survey": show_value(survey),
                            "value": show_value(question),
                            "known": list(kinds),
                            "suggestion": close_match(question, list(kinds)),
                        },
                    )
                )
            elif kinds[question] in _KINDS and kinds[question] not in _MEASURED_KINDS:
                findings.append(
                    Finding(
                        (*loc, "question"),
                        "wf_survey_indicator_kind",
                        {
                            "survey": show_value(survey),
                            "value": show_value(question),
                            "question_kind": show_value(kinds[question]),
                            "known": measured,
                        },
                    )
                )
    return findings
