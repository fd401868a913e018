"""One problem found in a workshop file, and how it reads in Japanese and English.

A :class:`Problem` keeps a catalog key and language-neutral parameters; its text is built
when it is shown, so the same list can be printed in either language.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.i18n import Lang, normalize_language, t

# Parameters whose value is itself a message key suffix: translated when shown.
_TRANSLATED_PARAMS = {
    "expected_type": "wf_type_",
    "got_type": "wf_type_",
    "target": "wf_target_",
    "kind": "wf_kind_",
    "meaning": "ballot_setting_",
}
# Parameters holding a list of allowed / known values: joined when shown.
_LIST_PARAMS = ("allowed", "known", "available", "rules", "kinds")
_MAX_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """A problem at ``file:line`` in the field ``path`` (``issues.3.themes.0``).

    ``key`` names a message in ``toolkit/i18n/catalog/workshop_file.yaml``; ``params`` fill
    it. ``lang`` is the language the file's author reads (the workshop's ``lang:``), used
    when :meth:`message` is called without one.

    >>> params = {"value": '"jp"', "allowed": ["ja", "en"]}
    >>> p = Problem("w.yaml", 3, "lang", "wf_not_allowed", params)
    >>> p.format("en")
    'w.yaml:3: lang: "jp" is not allowed here. Allowed: "ja", "en".'
    """

    file: str
    line: int
    path: str
    key: str
    params: dict[str, Any]
    lang: Lang | None = field(default=None, compare=False)

    def message(self, lang: str | None = None) -> str:
        """The message alone, in ``lang`` (default: the workshop's, then the process's)."""
        language = normalize_language(lang or self.lang)
        params = _localized_params(self.params, language)
        suggestion = params.pop("suggestion", None)
        text = t(self.key, language, **params)
        if suggestion:
            # Japanese sentences follow each other without a space.
            text += ("" if language == "ja" else " ") + t(
                "wf_did_you_mean", language, suggestion=suggestion
            )
        return text

    def format(self, lang: str | None = None) -> str:
        """``FILE:LINE: field.path: message`` (the path is left out for whole-file problems)."""
        where = f"{self.file}:{self.line}:"
        if self.path:
            where += f" {self.path}:"
        return f"{where} {self.message(lang)}"

    def __str__(self) -> str:
        return self.format()


def _localized_params(params: Mapping[str, Any], lang: Lang) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for name, value in params.items():
        if name in _TRANSLATED_PARAMS and isinstance(value, str):
            shown[name] = t(_TRANSLATED_PARAMS[name] + value, lang)
        elif name in _LIST_PARAMS and isinstance(value, list | tuple):
            shown[name] = join_values(value, lang)
        elif name == "suggestion" and value:
            shown[name] = show_value(value) if not isinstance(value, list) else value
        else:
            shown[name] = value
    return shown


def join_values(values: Sequence[Any], lang: Lang) -> str:
    """``"a", "b", "c"`` (at most 20, then "…"); "(none)" for an empty list."""
    if not values:
        return t("wf_none", lang)
    shown = [show_value(v) for v in values[:_MAX_SHOWN]]
    if len(values) > _MAX_SHOWN:
        shown.append("…")
    return t("wf_list_separator", lang).join(shown)


def show_value(value: Any, limit: int = 60) -> str:
    """A value as a person would write it in YAML: ``"text"``, ``3``, ``true``, ``null``."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, _dt.date):
        text = value.isoformat()
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def type_name(value: Any) -> str:
    """The kind of a YAML value, as a ``wf_type_*`` key suffix."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, _dt.date):
        return "date"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, Mapping):
        return "mapping"
    return "value"


def path_text(loc: Sequence[str | int]) -> str:
    """``("issues", 3, "themes")`` → ``issues.3.themes``."""
    return ".".join(str(step) for step in loc if step != "[key]")
