"""Check and load workshop files: every problem with its line, in Japanese or English."""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from toolkit.errors import WorkshopFileError
from toolkit.i18n import LANGUAGES, Lang, catalog, normalize_language
from toolkit.surveys.definition import OptionSpec
from toolkit.workshop_file.cross_checks import Finding, close_match, cross_check
from toolkit.workshop_file.models import DEFER_CROSS_CHECKS, WorkshopSpec
from toolkit.workshop_file.problems import Problem, path_text, show_value, type_name
from toolkit.workshop_file.yaml_reader import Node, ScalarNode, line_of, node_at, read_workshop_yaml

# A broken file can yield thousands of problems; a person reads the first ones, fixes, reruns.
MAX_PROBLEMS = 200

# Japanese field names people are likely to type, and the key each one means.
_JAPANESE_KEYS = {
    "形式": "format",
    "タイトル": "title",
    "題名": "title",
    "名前": "name",
    "名称": "name",
    "言語": "lang",
    "説明": "description",
    "ステークホルダー": "stakeholders",
    "関係者": "stakeholders",
    "テーマ": "themes",
    "評価基準": "criteria",
    "基準": "criteria",
    "重み": "weight",
    "方法": "methods",
    "課題": "issues",
    "施策": "issues",
    "フェーズ": "phases",
    "段階": "phases",
    "タウンミーティング": "town_meeting",
    "投票": "ballots",
    "選択肢": "options",
    "予算": "budget",
    "費用": "cost",
    "コスト": "cost",
    "現状": "current",
    "あるべき姿": "ideal",
    "理想": "ideal",
    "年度": "year",
    "分": "minutes",
    "時間": "minutes",
}
# Values people write for a language or a yes/no, and what they mean.
_VALUE_ALIASES = {
    "jp": "ja",
    "jpn": "ja",
    "japanese": "ja",
    "日本語": "ja",
    "eng": "en",
    "english": "en",
    "英語": "en",
}
_EXPECTED_TYPES = {
    "string_type": "text",
    "int_type": "integer",
    "int_parsing": "integer",
    "int_from_float": "integer",
    "float_type": "number",
    "float_parsing": "number",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "list_type": "list",
    "dict_type": "mapping",
    "model_type": "mapping",
    "model_attributes_type": "mapping",
    "date_type": "date",
}
_LIMITS = {
    "greater_than_equal": ("ge", "wf_too_small"),
    "greater_than": ("gt", "wf_must_be_greater"),
    "less_than_equal": ("le", "wf_too_big"),
    "less_than": ("lt", "wf_must_be_less"),
}


@dataclass(frozen=True)
class WorkshopCheck:
    """Everything one check found: the problems, and the spec when there are none."""

    file: str
    problems: list[Problem]
    spec: WorkshopSpec | None
    lang: Lang | None
    encoding: str | None
    problem_count: int  # all problems found; ``problems`` stops after MAX_PROBLEMS


class WorkshopFileProblems(WorkshopFileError):
    """A workshop file has problems; ``problems`` lists each with its line.

    Its message is a one-line summary followed by the first problems.
    """

    def __init__(self, file: str, problems: list[Problem], count: int | None = None) -> None:
        super().__init__("wf_problems", file=file, count=len(problems) if count is None else count)
        self.file = file
        self.problems = problems
        for language in LANGUAGES:
            details = [problem.format(language) for problem in problems[:10]]
            self.messages[language] = "\n".join([self.messages[language], *details])
        self.args = (self.messages[normalize_language(None)],)


def inspect_workshop_file(path: str | os.PathLike[str], lang: str | None = None) -> WorkshopCheck:
    """Read, validate and cross-check ``path``; never raises for a bad file.

    ``lang`` is the language of the problems' messages when they are shown without one;
    by default the workshop's own ``lang:``, else the process language.
    """
    file = os.fspath(path)
    read = read_workshop_yaml(Path(file), file)
    language: Lang | None = normalize_language(lang) if lang else None
    if language is None and isinstance(read.data, dict) and read.data.get("lang") in LANGUAGES:
        language = read.data["lang"]
    problems = list(read.problems)
    spec: WorkshopSpec | None = None
    if read.root is not None:  # the file parsed; read.data holds its content
        if not isinstance(read.data, dict):
            problems.append(
                Problem(
                    file,
                    read.root.line + 1,
                    "",
                    "wf_root_not_mapping",
                    {"got_type": type_name(read.data)},
                )
            )
        else:
            try:
                spec = WorkshopSpec.model_validate(read.data, context={DEFER_CROSS_CHECKS: True})
            except ValidationError as error:
                problems += pydantic_problems(error, read.root, read.data, file)
            problems += [_from_finding(f, read.root, file) for f in cross_check(read.data)]
    problems.sort(key=lambda problem: problem.line)
    problem_count = len(problems)
    if len(problems) > MAX_PROBLEMS:
        extra = len(problems) - MAX_PROBLEMS
        problems = [
            *problems[:MAX_PROBLEMS],
            Problem(file, problems[MAX_PROBLEMS].line, "", "wf_more_problems", {"count": extra}),
        ]
    problems = [dataclasses.replace(problem, lang=language) for problem in problems]
    return WorkshopCheck(
        file=file,
        problems=problems,
        spec=spec if not problems else None,
        lang=language,
        encoding=read.encoding,
        problem_count=problem_count,
    )


def check_workshop_file(path: str | os.PathLike[str], lang: str | None = None) -> list[Problem]:
    """Every problem in the workshop file at ``path`` (an empty list when it is good).

    >>> import tempfile
    >>> from toolkit.workshop_file.templates import write_template
    >>> path = write_template(Path(tempfile.mkdtemp()) / "w.yaml", "dx-vision", "en")
    >>> check_workshop_file(path)
    []
    >>> text = path.read_text(encoding="utf-8")
    >>> typo = text.replace("category: resident", "category: residents", 1)
    >>> _ = path.write_text(typo, encoding="utf-8")
    >>> for problem in check_workshop_file(path):
    ...     print(problem.line, problem.path, problem.message("ja"))
    36 stakeholders.0.category "residents" は指定できません。指定できる値: ... のことですか？
    """
    return inspect_workshop_file(path, lang).problems


def load_workshop_file(path: str | os.PathLike[str]) -> WorkshopSpec:
    """The validated workshop at ``path``.

    Raises :class:`WorkshopFileProblems` (a :class:`~toolkit.errors.WorkshopFileError`)
    whose ``problems`` attribute lists every problem with its line.
    """
    checked = inspect_workshop_file(path)
    if checked.spec is None:
        raise WorkshopFileProblems(checked.file, checked.problems, checked.problem_count)
    return checked.spec


# -- pydantic errors in our words -------------------------------------------------------


def _from_finding(finding: Finding, root: Node | None, file: str) -> Problem:
    key, params = finding.key, dict(finding.params)
    if finding.related is not None and f"{key}_line" in catalog():
        key = f"{key}_line"
        params["first_line"] = line_of(root, finding.related)
    return Problem(file, line_of(root, finding.loc), path_text(finding.loc), key, params)


def pydantic_problems(
    error: ValidationError,
    root: Node | None,
    data: Any,
    file: str,
    model: type[BaseModel] = WorkshopSpec,
) -> list[Problem]:
    """Each of pydantic's errors as a problem at its line, in our words.

    ``model`` is the model ``data`` was validated against (a whole workshop, or one survey
    pasted in the console: :func:`toolkit.workshop_file.survey_text.survey_from_text`).
    """
    problems = []
    for details in _one_per_text(error.errors(), data):
        loc = tuple(details["loc"])
        key, params = _translate(details, loc, root, model)
        problems.append(Problem(file, line_of(root, loc), path_text(loc), key, params))
    return problems


# A wording is one text or both languages ({ja: …, en: …}): a union, so pydantic reports a
# failure under each member's tag ("text.constrained-str", "text.dict[literal['ja','en'],…]").
# A person wrote one of the two; report only the one the value is (or one plain problem).
_ONE_TEXT_TAG = "constrained-str"
_BOTH_TEXTS_TAG = "dict[literal['ja','en'],"


def _text_member(step: str | int) -> str | None:
    if step == _ONE_TEXT_TAG:
        return "text"
    if isinstance(step, str) and step.startswith(_BOTH_TEXTS_TAG):
        return "both"
    return None


def _value_at(data: Any, loc: Sequence[str | int]) -> Any:
    """The value at ``loc`` in the file's data (None where there is none)."""
    for step in loc:
        if isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
        elif isinstance(data, dict):
            data = data.get(step)
        else:
            return None
    return data


def _one_per_text(errors: list[ErrorDetails], data: Any) -> list[ErrorDetails]:
    kept: list[ErrorDetails] = []
    plain: set[tuple[str | int, ...]] = set()
    for details in errors:
        loc = tuple(details["loc"])
        at = next((k for k, step in enumerate(loc) if _text_member(step)), None)
        if at is None:
            kept.append(details)
            continue
        prefix, member = loc[:at], _text_member(loc[at])
        value = _value_at(data, prefix)
        written = "text" if isinstance(value, str) else "both" if isinstance(value, dict) else None
        if written is None:
            if prefix not in plain:  # neither a text nor a mapping: one problem, once
                plain.add(prefix)
                kept.append({"type": "local_text_type", "loc": prefix, "msg": "", "input": value})
        elif member == written:
            kept.append({**details, "loc": (*prefix, *loc[at + 1 :])})
    return kept


def _translate(
    error: ErrorDetails,
    loc: tuple[str | int, ...],
    root: Node | None,
    model: type[BaseModel] = WorkshopSpec,
) -> tuple[str, dict[str, Any]]:
    kind = error["type"]
    value = error.get("input")
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    is_key = bool(loc) and loc[-1] == "[key]"
    if is_key:
        value = loc[-2]
    shown = _shown_value(value, loc, root, is_key)
    field = str(loc[-1]) if loc else ""

    if kind == "missing":
        if loc == ("format",):
            return "wf_missing_format", {}
        return "wf_missing", {"field": field}
    if kind == "local_text_type":
        if value is None:
            return "wf_value_empty", {"expected_type": "text"}
        if type_name(value) in ("boolean", "integer", "number", "date"):
            return "wf_expected_text_quote", {"value": shown, "got_type": type_name(value)}
        return "wf_expected_local_text", {"got_type": type_name(value), "value": shown}
    if kind == "extra_forbidden":
        allowed = _field_names(loc[:-1], model)
        suggestion = _JAPANESE_KEYS.get(field)
        if suggestion not in allowed:
            suggestion = close_match(field, allowed)
        return "wf_unknown_key", {
            "key": show_value(field),
            "allowed": allowed,
            "suggestion": suggestion,
        }
    if kind == "literal_error":
        allowed_values = _literal_values(loc, model)
        words = [v for v in allowed_values if isinstance(v, str)]
        suggestion = None
        if isinstance(value, str):
            suggestion = _VALUE_ALIASES.get(value.lower())
            if suggestion not in words:
                suggestion = close_match(value.lower(), words)
        return "wf_not_allowed", {
            "value": shown,
            "allowed": allowed_values,
            "suggestion": suggestion,
        }
    if kind in _EXPECTED_TYPES:
        expected = _EXPECTED_TYPES[kind]
        if value is None:
            return "wf_value_empty", {"expected_type": expected}
        if expected == "date" and type_name(value) in ("text", "integer", "number", "date"):
            # "date" here is a date with a time (2026-04-01 10:00): which day depends on a zone
            return "wf_expected_date_text", {"value": shown}
        if expected == "text" and type_name(value) in ("boolean", "integer", "number", "date"):
            return "wf_expected_text_quote", {"value": shown, "got_type": type_name(value)}
        if expected == "mapping" and _unwrap(_annotation_at(loc, model)) is OptionSpec:
            return "wf_survey_option_mapping", {"value": shown}
        return "wf_expected_type", {
            "expected_type": expected,
            "got_type": type_name(value),
            "value": shown,
        }
    if kind == "too_short":
        if ctx.get("field_type") == "Dictionary":
            return "wf_empty_mapping", {}
        return "wf_empty_list", {"min_length": ctx.get("min_length", 1)}
    if kind == "string_too_short":
        return "wf_empty_text", {}
    if kind == "string_too_long":
        return "wf_text_too_long", {
            "length": len(value) if isinstance(value, str) else "?",
            "max_length": ctx.get("max_length"),
        }
    if kind == "string_pattern_mismatch":
        return "wf_bad_id", {"value": shown}
    if kind in _LIMITS:
        name, message = _LIMITS[kind]
        limit = ctx.get(name)
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)  # "at least 0", not "at least 0.0"
        return message, {"value": shown, "limit": limit}
    if kind == "finite_number":
        return "wf_not_finite", {"value": shown}
    return "wf_invalid_value", {"value": shown, "code": kind}


def _shown_value(value: Any, loc: Sequence[str | int], root: Node | None, is_key: bool) -> str:
    """The value as written in the file when we have it (``no``, not ``false``)."""
    if not is_key and not isinstance(value, str):
        node = node_at(root, loc)
        if isinstance(node, ScalarNode) and node.plain and node.value:
            return node.value
    return show_value(value)


def _unwrap(annotation: Any) -> Any:
    """``Annotated[X, ...]`` → X, ``X | None`` → X."""
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _member_for(annotation: Any, step: str | int) -> Any:
    """The member of a union (``Text | {ja: Text, en: Text}``) that ``step`` goes into."""
    if get_origin(annotation) not in (Union, types.UnionType):
        return annotation
    for member in get_args(annotation):
        member = _unwrap(member)
        origin = get_origin(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            if str(step) in member.model_fields:
                return member
        elif (origin is list and isinstance(step, int)) or (
            origin is dict and not isinstance(step, int)
        ):
            return member
    return annotation


def _annotation_at(loc: Sequence[str | int], model: type[BaseModel] = WorkshopSpec) -> Any:
    """The declared type at ``loc`` in ``model`` (``[key]``: a dict's key type)."""
    annotation: Any = model
    container: Any = None
    for step in loc:
        annotation = _member_for(_unwrap(annotation), step)
        if step == "[key]":
            args = get_args(_unwrap(container))
            return args[0] if args else None
        container = annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field_info = annotation.model_fields.get(str(step))
            if field_info is None:
                return None
            annotation = field_info.annotation
            metadata = field_info.metadata
            if metadata:
                annotation = typing.Annotated[annotation, *metadata]
        elif get_origin(annotation) is list:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) is dict:
            annotation = get_args(annotation)[1]
        else:
            return None
    return annotation


def _field_names(loc: Sequence[str | int], model: type[BaseModel] = WorkshopSpec) -> list[str]:
    found = _unwrap(_annotation_at(loc, model))
    if isinstance(found, type) and issubclass(found, BaseModel):
        return list(found.model_fields)
    return []


def _literal_values(loc: Sequence[str | int], model: type[BaseModel] = WorkshopSpec) -> list[Any]:
    """The values allowed at ``loc``, as written (``"device"``, ``5``)."""
    annotation = _unwrap(_annotation_at(loc, model))
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    return []
