"""The backlog in Markdown (GitHub-flavoured tables), for wikis and issue trackers.

The backlog table comes first, then the method that produced it (charter, weights,
consent), the items that divide the group and the roadmap, so a page pasted into a wiki
carries its method with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from toolkit.export._common import (
    Names,
    consent_text,
    export_lang,
    export_zone,
    label,
    tie_break_name,
    year_text,
)
from toolkit.methods.registry import method_name
from toolkit.times import format_time

#: Characters that open inline markup in CommonMark, GFM and Python-Markdown, written so
#: that every renderer shows them as text. Backslash escapes where all three know them;
#: entities for ``& < >`` (raw HTML, entity references, ``<http://…>`` autolinks) and for
#: ``~`` (GFM strikethrough; Python-Markdown has no ``\\~`` and would show the backslash).
_INLINE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "~": "&#126;",
        "\\": "\\\\",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "#": "\\#",
        "|": "\\|",
    }
)
#: What makes a line start a block (list item, setext underline, ordered list) once the
#: inline characters above are escaped: a leading ``-``, ``+`` or ``=``, or ``1.`` / ``1)``.
_BLOCK_START = re.compile(r"^(?:([-+])|(=)|(\d{1,9})([.)]))")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def escape_cell(value: Any) -> str:
    """A table cell: Markdown and HTML inert, pipes escaped, line breaks as ``<br>``.

    Markdown renderers pass raw HTML through, so ``<``, ``>`` and ``&`` are written as
    entities: a card reading ``<script>`` shows as text, never runs. Links, images,
    emphasis, code and strikethrough written in a title stay text too. ``None`` is empty.

    >>> escape_cell("FAX|はんこ\\n押印")
    'FAX\\\\|はんこ<br>押印'
    >>> escape_cell("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> escape_cell("[**窓口**](http://example.com)")
    '\\\\[\\\\*\\\\*窓口\\\\*\\\\*\\\\](http://example.com)'
    """
    if value is None:
        return ""
    return _LINE_BREAK.sub("<br>", str(value).translate(_INLINE))


def escape_text(value: Any, *, indent: str | None = None) -> str:
    """User text for a heading or a list item: shown as written, never as Markdown.

    Inline markup is escaped as in :func:`escape_cell`; each line also loses what would
    start a block (a heading, a list, a quote, a setext underline). A line break becomes a
    hard line break (two spaces) followed by ``indent``, so the text stays inside its list
    item; with ``indent=None`` (a heading) the lines are joined with a space.

    >>> escape_text("1. 窓口の混雑緩和")
    '1\\\\. 窓口の混雑緩和'
    >>> escape_text("# 3レス\\n- FAX", indent="  ")
    '\\\\# 3レス  \\n  \\\\- FAX'
    """
    if value is None:
        return ""
    lines = [_escape_line(line) for line in _LINE_BREAK.split(str(value))]
    lines = [line for line in lines if line] or [""]
    return " ".join(lines) if indent is None else ("  \n" + indent).join(lines)


def _escape_line(line: str) -> str:
    # Leading blanks could make an indented code block; a renderer would not show them.
    escaped = line.lstrip(" \t").translate(_INLINE)
    return _BLOCK_START.sub(_block_escape, escaped, count=1)


def _block_escape(match: re.Match[str]) -> str:
    sign, equals, digits, mark = match.groups()
    if sign:
        return "\\" + sign
    if equals:
        return "&#61;"  # Python-Markdown has no \\=
    return f"{digits}\\{mark}"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric: set[int]) -> list[str]:
    lines = ["| " + " | ".join(escape_cell(h) for h in header) + " |"]
    lines.append(
        "|" + "|".join("---:" if n in numeric else "---" for n in range(len(header))) + "|"
    )
    lines += ["| " + " | ".join(escape_cell(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(summary: dict[str, Any], *, lang: str | None = None) -> bytes:
    """The Markdown document as UTF-8 bytes."""
    language = export_lang(summary, lang)
    names = Names(summary, language)
    charter = summary["charter"]
    lines = [
        f"# {escape_text(summary['workshop']['title'])}",
        "",
        f"## {label('section_ranking', language)}",
        "",
    ]
    if summary["ranking"]:
        descriptions = {i["key"]: i.get("description") for i in summary.get("issues", [])}
        rows = [
            [
                r["rank"],
                r["title"],
                descriptions.get(r["key"]),
                f"{r['score']:.3f}",
                f"{r['robustness']:.0%}",
                label("yes" if r["divides_group"] else "no", language),
                r["raters"],
                names.join([names.theme(k) for k in r["themes"]]),
                year_text(r["year"], language) if r["year"] is not None else "",
            ]
            for r in summary["ranking"]
        ]
        header = [
            label(f"col_{c}", language)
            for c in (
                "rank",
                "title",
                "description",
                "score",
                "robustness",
                "divides",
                "raters",
                "themes",
                "year",
            )
        ]
        lines += _table(header, rows, {0, 3, 4, 6})
    else:
        key = "charter_none" if charter is None else "ranking_none"
        lines.append(label(key, language))
    lines += ["", f"## {label('section_charter', language)}", ""]
    if charter is None:
        lines.append(label("charter_none", language))
    else:
        locked_at = format_time(charter["locked_at"], language, zone=export_zone(summary))
        lines += [
            f"- {label('col_charter_version', language)}: {charter['version']}",
            f"- {label('col_method', language)}: {method_name(charter['method'], language)}",
            f"- {label('col_tie_break', language)}: "
            f"{tie_break_name(charter['tie_break'], language)}",
            f"- {label('col_consent', language)}: {consent_text(charter['consent'], language)}",
            f"- {label('col_locked_at', language)}: {locked_at}",
        ]
        if charter["reason"]:
            reason = escape_text(charter["reason"], indent="  ")
            lines.append(f"- {label('col_reason', language)}: {reason}")
        lines.append("")
        weights = charter["weights"]
        lines += _table(
            [
                label("col_criterion", language),
                label("col_weight", language),
                label("col_direction", language),
            ],
            [
                [
                    c["name"],
                    f"{weights[c['key']]:.1%}",
                    label(f"direction_{c['direction']}", language),
                ]
                for c in summary["criteria"]
                if c["key"] in weights
            ],
            {1},
        )
        lines += ["", f"> {label('scoring_convention', language)}"]
    divisive = [r for r in summary["ranking"] if r["divides_group"]]
    lines += ["", f"## {label('section_disagreement', language)}", ""]
    if divisive:
        lines.append(label("disagreement_note", language))
        lines.append("")
        lines += [
            # "- 1. title" would be an empty item holding an ordered list: escape the dot.
            f"- {r['rank']}\\. {escape_text(r['title'])} "
            f"({label('agreement_value', language, value=r['agreement_rwg'])})"
            for r in divisive
        ]
    else:
        lines.append(label("disagreement_none", language))
    lines += ["", f"## {label('section_roadmap', language)}", ""]
    for year in summary["roadmap"]:
        lines.append(f"### {year_text(year['year'], language)}")
        lines.append("")
        lines += [f"- {escape_text(names.issues.get(k, k))}" for k in year["issues"]]
        lines.append("")
    lines += _surveys(summary, language)
    lines += [
        "---",
        "",
        label("privacy_note", language, n=summary["privacy"]["min_group_size"]),
        "",
        label("verify_hint", language),
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def _surveys(summary: dict[str, Any], lang: str) -> list[str]:
    """A short section per survey: its waves with their counts, then each rating or number
    question's mean per wave and its before/after sentence (the HTML report and the XLSX
    have the distributions and the groups)."""
    from toolkit.export.surveys import private_summary

    surveys = private_summary(summary).get("surveys") or []
    if not surveys:
        return []
    lines = [f"## {label('section_surveys', lang)}", ""]
    for survey in surveys:
        titles = {w["key"]: w["title"] for w in survey["waves"]}
        lines += [f"### {escape_text(survey['title'])}", ""]
        lines += _table(
            [label("survey_col_wave", lang), label("survey_col_responses", lang)],
            [[w["title"], w["responses"]] for w in survey["waves"]],
            {1},
        )
        lines.append("")
        rows = []
        for question in survey["questions"]:
            if question["kind"] not in ("likert", "number"):
                continue
            means = [
                f"{titles.get(k, k)} {r['mean']['mean']:.2f} (n = {r['mean']['n']})"
                for k, r in question.get("waves", {}).items()
                if r.get("mean")
            ]
            comparison = question.get("comparison") or {}
            sentences = [
                f"{label(f'survey_row_{kind}', lang)}: {comparison[kind]['sentence']}"
                for kind in ("cohort", "paired")
                if comparison.get(kind) and comparison[kind].get("sentence")
            ]
            rows.append([question["text"], " / ".join(means), " ".join(sentences)])
        if rows:
            lines += _table(
                [
                    label("survey_col_question", lang),
                    label("survey_col_mean", lang),
                    label("survey_col_sentence", lang),
                ],
                rows,
                set(),
            )
            lines.append("")
        lines += [label("survey_min_group", lang, n=survey["min_group_size"]), ""]
    return lines
