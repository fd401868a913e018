"""The backlog in Markdown (GitHub-flavoured tables), for wikis and issue trackers.

The backlog table comes first, then the method that produced it (charter, weights,
consent), the items that divide the group and the roadmap, so a page pasted into a wiki
carries its method with it.
"""

from __future__ import annotations

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


def escape_cell(value: Any) -> str:
    """A table cell: pipes escaped, HTML inert, line breaks as ``<br>``, ``None`` empty.

    Markdown renderers pass raw HTML through, so ``<``, ``>`` and ``&`` are written as
    entities: a card reading ``<script>`` shows as text, never runs.

    >>> escape_cell("FAX|はんこ\\n押印")
    'FAX\\\\|はんこ<br>押印'
    >>> escape_cell("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    if value is None:
        return ""
    text_value = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text_value = text_value.replace("\\", "\\\\").replace("|", "\\|")
    return text_value.replace("\r\n", "\n").replace("\n", "<br>")


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
        f"# {escape_cell(summary['workshop']['title'])}",
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
            lines.append(f"- {label('col_reason', language)}: {escape_cell(charter['reason'])}")
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
            f"- {r['rank']}. {escape_cell(r['title'])} "
            f"({label('agreement_value', language, value=r['agreement_rwg'])})"
            for r in divisive
        ]
    else:
        lines.append(label("disagreement_none", language))
    lines += ["", f"## {label('section_roadmap', language)}", ""]
    for year in summary["roadmap"]:
        lines.append(f"### {year_text(year['year'], language)}")
        lines.append("")
        lines += [f"- {escape_cell(names.issues.get(k, k))}" for k in year["issues"]]
        lines.append("")
    lines += [
        "---",
        "",
        label("privacy_note", language, n=summary["privacy"]["min_group_size"]),
        "",
        label("verify_hint", language),
        "",
    ]
    return "\n".join(lines).encode("utf-8")
