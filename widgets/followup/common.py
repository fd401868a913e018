"""What the follow-up app's panels share: the summary they show, reading a form's numbers
and dates, and the status badge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any

import ipywidgets

from toolkit.errors import InvalidInputError
from toolkit.i18n import t
from toolkit.indicators import status_name
from widgets.ui import WIDE_LABEL

#: A form's controls: long enough for a Japanese label and its answer, never cut off.
FIELD_LAYOUT = {"width": "36em", "max_width": "100%"}


def text_field(label: str, placeholder: str = "") -> ipywidgets.Text:
    """A labelled text box (the label as wide as its words)."""
    return ipywidgets.Text(
        description=label,
        placeholder=placeholder,
        style=WIDE_LABEL,
        layout=ipywidgets.Layout(**FIELD_LAYOUT),
    )


def date_field(label: str, value: date | None = None) -> ipywidgets.DatePicker:
    """A labelled date picker."""
    return ipywidgets.DatePicker(
        description=label,
        value=value,
        style=WIDE_LABEL,
        layout=ipywidgets.Layout(width="auto", align_self="flex-start"),
    )


def dropdown(label: str) -> ipywidgets.Dropdown:
    """A labelled choice."""
    return ipywidgets.Dropdown(
        description=label, options=[], style=WIDE_LABEL, layout=ipywidgets.Layout(**FIELD_LAYOUT)
    )


def read_number(text: str, field: str) -> float:
    """A number typed in a form (full-width digits and a comma for thousands allowed).

    >>> read_number("１,２００.５", "value")
    1200.5
    >>> try:
    ...     read_number("約20", "値")
    ... except InvalidInputError as error:
    ...     print(error.message("en"))
    値: "約20" is not a number. Type digits only, e.g. 23 or 23.5.
    """
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", str(text)).replace(",", "").strip()
    try:
        return float(cleaned)
    except ValueError:
        raise InvalidInputError("followup_number_invalid", field=field, value=text) from None


def status_badge(status: str, lang: str) -> str:
    """The status as words in a badge (the colour only repeats what the words say).

    >>> status_badge("at_risk", "ja")
    '<span class="ureshii-status ureshii-status-at_risk">遅れ気味</span>'
    """
    return (
        f'<span class="ureshii-status ureshii-status-{escape(status, quote=True)}">'
        f"{escape(status_name(status, lang))}</span>"  # type: ignore[arg-type]
    )


def issue_choices(summary: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """The backlog as a form offers it: the ranked issues first, in the agreed order
    (``"1. Title"``), then the others as the backlog lists them (``"– Title"``)."""
    ranked = [(f"{row['rank']}. {row['title']}", str(row["key"])) for row in summary["ranking"]]
    seen = {key for _, key in ranked}
    rest = [
        (t("followup_issue_unranked", lang, title=issue["title"]), str(issue["key"]))
        for issue in summary["issues"]
        if str(issue["key"]) not in seen
    ]
    return ranked + rest


Refresher = Callable[[], None]
