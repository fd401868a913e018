"""The workshop report as ONE self-contained HTML file (ja/en), ready to print to A4 PDF.

Charts are inline SVG (rendered offline by ``toolkit.charts``), styles are inline, there is
no script, font, image or link to anything outside the file: it opens on an isolated
municipal network, and a browser's "Print → Save as PDF" gives A4 pages (``@page`` rules,
table headers repeated on each page, sections kept together where they fit).

Sections: the happiness map, the vision, the method charter, the ranking with its
robustness, where the group disagrees, per-category rankings (small categories suppressed), votes
and town-meeting results, and the roadmap by year; then, when the workshop has surveys, each
survey's results (charts from ``toolkit.surveys.charts``; small groups only counted).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from toolkit import __version__
from toolkit.ballots import rule_name
from toolkit.charts import to_svg
from toolkit.export._common import (
    Names,
    consent_text,
    export_lang,
    export_zone,
    label,
    measured_by_text,
    review_subject,
    tie_break_name,
    year_text,
)
from toolkit.export.images import RANKING_CHART_TOP, summary_chart
from toolkit.indicators import status_name
from toolkit.methods.registry import method_name
from toolkit.model import category_name
from toolkit.summary_charts import indicator_chart, roadmap_chart
from toolkit.times import format_time

_CSS = """
:root { --accent: #e07a5f; --ink: #222; --muted: #666; --line: #ddd; --calm: #3d405b; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic",
  Meiryo, sans-serif; color: var(--ink); margin: 0 auto; max-width: 60rem; padding: 1.5rem;
  line-height: 1.6; }
h1 { font-size: 1.6rem; border-bottom: 4px solid var(--accent); padding-bottom: .3rem; }
h2 { font-size: 1.25rem; border-left: 6px solid var(--accent); padding-left: .5rem;
  margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
.meta, .note { color: var(--muted); font-size: .9rem; }
nav ol { columns: 2; font-size: .95rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .88rem; }
th, td { border: 1px solid var(--line); padding: .25rem .45rem; text-align: left;
  vertical-align: top; white-space: pre-line; }
th { background: #fce8e0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.divides td { background: #fff3ee; }
.vision { font-size: 1.2rem; font-weight: bold; border: 2px solid var(--accent);
  padding: .8rem 1rem; border-radius: .4rem; }
figure { margin: .5rem 0; } figure svg { max-width: 100%; height: auto; }
.badge { display: inline-block; background: var(--accent); color: #fff; border-radius: .3rem;
  padding: 0 .4rem; font-size: .8rem; }
footer { margin-top: 2rem; border-top: 1px solid var(--line); padding-top: .5rem; }
@page { size: A4; margin: 15mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { break-inside: auto; }
  figure, tr, .vision { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""

#: Indicators drawn as charts in the report: each takes vl-convert about 0.2–0.3 s (drawn
#: together in one spec they take as long), so 6 keep a report of many indicators under
#: the 5 s export target; the table lists every indicator, the follow-up app charts them all.
INDICATOR_CHARTS = 6

_SECTIONS = (
    "happiness",
    "vision",
    "charter",
    "ranking",
    "disagreement",
    "categories",
    "town_meeting",
    "roadmap",
    "indicators",
    "reviews",
    "previous_cycle",
)
#: The survey section comes last and only when the workshop has surveys.
_SURVEY_SECTION = "surveys"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, numeric: Sequence[int] = ()
) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = []
    for row in rows:
        css = ""
        if row and isinstance(row[-1], _RowClass):
            css = f' class="{row[-1].name}"'
            row = row[:-1]
        cells = "".join(
            f'<td class="num">{_e(v)}</td>' if n in numeric else f"<td>{_e(v)}</td>"
            for n, v in enumerate(row)
        )
        body.append(f"<tr{css}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class _RowClass:
    def __init__(self, name: str) -> None:
        self.name = name


def _figure(svg: str, caption: str) -> str:
    return f'<figure role="img" aria-label="{_e(caption)}">{svg}</figure>'


def _time(value: str | None, summary: dict[str, Any], lang: str) -> str:
    """A stored time in the workshop's zone, with its offset (people read the report)."""
    return format_time(value, lang, zone=export_zone(summary)) if value else ""


def _pct(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:.{digits}%}"


def _num(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def render_html(summary: dict[str, Any], *, lang: str | None = None, charts: bool = True) -> bytes:
    """The report as UTF-8 HTML bytes. ``charts=False`` leaves the SVG charts out."""
    language = export_lang(summary, lang)
    names = Names(summary, language)
    workshop = summary["workshop"]
    title = f"{workshop['title']} — {label('report_title', language)}"
    parts = [
        "<!doctype html>",
        f'<html lang="{language}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{_e(workshop['title'])}</h1>",
        f"<p><strong>{_e(label('report_title', language))}</strong></p>",
        '<p class="meta">'
        + _e(
            label(
                "generated",
                language,
                at=format_time(datetime.now(UTC), language, zone=export_zone(summary)),
                version=__version__,
                format="html",
            )
        )
        + "<br>"
        + _e(label("label_counts", language, **summary["counts"]))
        + "</p></header>",
        f'<nav aria-label="{_e(label("skip_link", language))}"><ol>'
        + "".join(
            f'<li><a href="#{key}">{_e(label(f"section_{key}", language))}</a></li>'
            for key in ((*_SECTIONS, _SURVEY_SECTION) if summary.get("surveys") else _SECTIONS)
        )
        + "</ol></nav>",
        _happiness(summary, language, names, charts),
        _vision(summary, language, names),
        _charter(summary, language, names),
        _ranking(summary, language, names, charts),
        _disagreement(summary, language),
        _categories(summary, language, names),
        _town_meeting(summary, language, names),
        _roadmap(summary, language, names, charts),
        _indicators(summary, language, names, charts),
        _reviews(summary, language, names),
        _previous_cycle(summary, language, names),
        _surveys(summary, language, charts),
        "<footer><p class='note'>"
        + _e(label("privacy_note", language, n=summary["privacy"]["min_group_size"]))
        + "<br>"
        + _e(label("verify_hint", language))
        + "</p></footer></body></html>",
    ]
    return "\n".join(parts).encode("utf-8")


def _section(key: str, lang: str, body: str) -> str:
    return f'<section id="{key}"><h2>{_e(label(f"section_{key}", lang))}</h2>{body}</section>'


def _happiness(summary: dict[str, Any], lang: str, names: Names, charts: bool) -> str:
    grid = summary["happiness_map"]
    body = ""
    if charts and grid["themes"] and grid["stakeholders"]:
        body += _figure(
            to_svg(summary_chart(summary, "happiness", lang=lang)), label("section_happiness", lang)
        )
    body += _table(
        [label("col_stakeholder", lang), *[names.theme(k) for k in grid["themes"]]],
        [
            [names.stakeholder(k), *counts]
            for k, counts in zip(grid["stakeholders"], grid["counts"], strict=True)
        ],
        numeric=range(1, len(grid["themes"]) + 1),
    )
    body += f"<h3>{_e(label('section_top_themes', lang))}</h3>"
    body += _table(
        [label("col_theme", lang), label("col_cards", lang), label("col_dots", lang)],
        [[th["name"], th["cards"], th["dots"]] for th in summary["themes"]],
        numeric=(1, 2),
    )
    return _section("happiness", lang, body)


def _vision(summary: dict[str, Any], lang: str, names: Names) -> str:
    vision = summary["vision"]
    if vision is None:
        return _section("vision", lang, f"<p>{_e(label('vision_none', lang))}</p>")
    body = f'<p class="vision">{_e(vision["text"])}</p>'
    body += (
        f"<p>{_e(label('col_themes', lang))}: "
        + _e(names.join([names.theme(k) for k in vision["themes"]]))
        + "</p>"
    )
    body += (
        f"<p>{_e(label('vision_consent', lang, version=vision['version']))}: "
        + _e(consent_text(vision["consent"], lang))
        + "</p>"
    )
    return _section("vision", lang, body)


def _charter(summary: dict[str, Any], lang: str, names: Names) -> str:
    charter = summary["charter"]
    if charter is None:
        return _section("charter", lang, f"<p>{_e(label('charter_none', lang))}</p>")
    facts = [
        (label("col_charter_version", lang), charter["version"]),
        (label("col_method", lang), method_name(charter["method"], lang)),
        (label("col_tie_break", lang), tie_break_name(charter["tie_break"], lang)),
        (label("col_consent", lang), consent_text(charter["consent"], lang)),
        (label("col_locked_at", lang), _time(charter["locked_at"], summary, lang)),
    ]
    if charter["reason"]:
        facts.append((label("col_reason", lang), charter["reason"]))
    body = _table([label("col_item", lang), label("col_value", lang)], facts)
    weights = charter["weights"]
    body += _table(
        [
            label("col_criterion", lang),
            label("col_weight", lang),
            label("col_direction", lang),
            label("col_scale", lang),
        ],
        [
            [
                c["name"],
                _pct(weights.get(c["key"]), 1),  # 18.5%, as in every other format
                label(f"direction_{c['direction']}", lang),
                f"{c['scale'][0]}–{c['scale'][1]}",
            ]
            for c in summary["criteria"]
            if c["key"] in weights
        ],
        numeric=(1,),
    )
    body += f'<p class="note">{_e(label("scoring_convention", lang))}</p>'
    if len(summary["charter_history"]) > 1:
        body += f"<h3>{_e(label('section_history', lang))}</h3>"
        body += _table(
            [
                label("col_version", lang),
                label("col_method", lang),
                label("col_locked_at", lang),
                label("col_reason", lang),
            ],
            [
                [
                    v["version"],
                    method_name(v["method"], lang),
                    _time(v["locked_at"], summary, lang),
                    v["reason"],
                ]
                for v in summary["charter_history"]
            ],
        )
    return _section("charter", lang, body)


def _ranking(summary: dict[str, Any], lang: str, names: Names, charts: bool) -> str:
    ranking = summary["ranking"]
    if not ranking:
        key = "charter_none" if summary["charter"] is None else "ranking_none"
        return _section("ranking", lang, f"<p>{_e(label(key, lang))}</p>")
    body = ""
    if charts:
        body += _figure(
            to_svg(summary_chart(summary, "ranking", lang=lang)), label("section_ranking", lang)
        )
        if len(ranking) > RANKING_CHART_TOP:
            body += (
                '<p class="note">'
                + _e(label("top_n_note", lang, n=RANKING_CHART_TOP, total=len(ranking)))
                + "</p>"
            )
        body += f'<p class="note legend">{_e(label("robustness_legend_chart", lang))}</p>'
    descriptions = {i["key"]: i.get("description") for i in summary.get("issues", [])}
    rows: list[list[Any]] = []
    for r in ranking:
        row: list[Any] = [
            r["rank"],
            r["title"],
            descriptions.get(r["key"]),
            _num(r["score"]),
            _pct(r["robustness"]),
            _num(r["agreement_rwg"], 2),
            label("yes" if r["divides_group"] else "no", lang),
            r["raters"],
            names.join([names.theme(k) for k in r["themes"]]),
        ]
        if r["divides_group"]:
            row.append(_RowClass("divides"))
        rows.append(row)
    body += _table(
        [
            label("col_rank", lang),
            label("col_title", lang),
            label("col_description", lang),
            label("col_score", lang),
            label("col_robustness", lang),
            label("col_agreement", lang),
            label("col_divides", lang),
            label("col_raters", lang),
            label("col_themes", lang),
        ],
        rows,
        numeric=(0, 3, 4, 5, 7),
    )
    body += f'<p class="note legend">{_e(label("robustness_legend", lang))}</p>'
    return _section("ranking", lang, body)


def _disagreement(summary: dict[str, Any], lang: str) -> str:
    divisive = [r for r in summary["ranking"] if r["divides_group"]]
    if not divisive:
        return _section("disagreement", lang, f"<p>{_e(label('disagreement_none', lang))}</p>")
    items = "".join(
        f"<li>{_e(r['rank'])}. {_e(r['title'])} "
        f'<span class="badge">'
        f"{_e(label('agreement_value', lang, value=_num(r['agreement_rwg'], 2)))}</span></li>"
        for r in divisive
    )
    body = f"<p>{_e(label('disagreement_note', lang))}</p><ul>{items}</ul>"
    return _section("disagreement", lang, body)


def _categories(summary: dict[str, Any], lang: str, names: Names) -> str:
    """The ranking per category (立場); the summary's published key for it is ``by_group``."""
    minimum = summary["privacy"]["min_group_size"]
    rows = []
    for category, entry in sorted(summary["by_group"].items()):
        name = category_name(category, lang)
        if entry["suppressed"]:
            rows.append([name, label("category_suppressed", lang, n=minimum), ""])
            continue
        top = [f"{g['rank']}. {names.issues.get(g['key'], g['key'])}" for g in entry["ranking"][:5]]
        raters = label("category_raters", lang, n=entry["raters"])
        rows.append([name, raters, " / ".join(top)])
    if not rows:
        return _section("categories", lang, f"<p>{_e(label('none', lang))}</p>")
    columns = ["col_category", "col_raters", "col_category_ranking"]
    body = _table([label(c, lang) for c in columns], rows)
    return _section("categories", lang, body)


def _town_meeting(summary: dict[str, Any], lang: str, names: Names) -> str:
    parts = []
    for ballot in summary["ballots"]:
        status = label("status_" + ballot["status"], lang)
        head = (
            f"<h3>{_e(ballot['title'])}</h3><p class='meta'>"
            f"{_e(rule_name(ballot['rule'], lang))} · {_e(status)}"
            f" · {_e(label('col_votes', lang))} {ballot['votes']}</p>"
        )
        tally = ballot["tally"]
        if tally is None:
            note = (
                label("hidden_results", lang, votes=ballot["votes"])
                if not ballot["results_visible"]
                else label("none", lang)
            )
            parts.append(f"{head}<p>{_e(note)}</p>")
            continue
        selected = tally.get("selected")
        ordered = list(tally["order"]) + [o for o in tally["points"] if o not in tally["order"]]
        rows = [
            [
                place if option in tally["order"] else "",
                names.option(option),
                f"{tally['points'].get(option, 0):g}",
            ]
            for place, option in enumerate(ordered, start=1)
        ]
        table = _table(
            [label("col_order", lang), label("col_option", lang), label("col_points", lang)],
            rows,
            numeric=(0, 2),
        )
        if selected is not None:
            chosen = names.join([names.option(o) for o in selected])
            table += f"<p>{_e(label('ballot_selected', lang, items=chosen))}</p>"
        parts.append(head + table)
    return _section("town_meeting", lang, "".join(parts) or f"<p>{_e(label('none', lang))}</p>")


def _roadmap(summary: dict[str, Any], lang: str, names: Names, charts: bool) -> str:
    """The roadmap items by fiscal period (chart and table, with the agreed rank, owner,
    budget line, review date and dependencies), then every issue by year."""
    ranks = {r["key"]: r["rank"] for r in summary["ranking"]}
    if not summary["roadmap"]:
        return _section("roadmap", lang, f"<p>{_e(label('roadmap_none', lang))}</p>")
    body = ""
    followup = summary.get("followup") or {}
    items = followup.get("roadmap", [])
    if items:
        if charts:
            chart = roadmap_chart(followup, lang=lang, size="report")
            body += _figure(to_svg(chart), label("section_roadmap", lang))
        body += _table(
            [
                label(f"col_{c}", lang)
                for c in (
                    "period",
                    "rank",
                    "title",
                    "owner_department",
                    "budget_line",
                    "review_on",
                    "depends_on",
                )
            ],
            [
                [
                    item["period"][lang],
                    item["rank"],
                    item["title"],
                    item["owner_department"],
                    item["budget_line"],
                    item["review_on"],
                    names.join([names.issues.get(k, k) for k in item["depends_on"]]),
                ]
                for item in items
            ],
            numeric=[1],
        )
    for year in summary["roadmap"]:
        items = "".join(
            f"<li>{_e(names.issues.get(k, k))}"
            + (f" <span class='meta'>#{ranks[k]}</span>" if k in ranks else "")
            + "</li>"
            for k in year["issues"]
        )
        body += f"<h3>{_e(year_text(year['year'], lang))}</h3><ol>{items}</ol>"
    return _section("roadmap", lang, body)


def _indicators(summary: dict[str, Any], lang: str, names: Names, charts: bool) -> str:
    """Each indicator against its target (效果測定): baseline, target, latest value and the
    computed status as of the summary's day, with a chart per indicator."""
    followup = summary.get("followup") or {}
    found = followup.get("indicators", [])
    if not found:
        return _section("indicators", lang, f"<p>{_e(label('none', lang))}</p>")
    body = f"<p class='note'>{_e(label('indicators_as_of', lang, day=followup['as_of']))}</p>"

    def value(number: float | None, unit: str, day: str | None) -> str:
        if number is None:
            return ""
        shown = f"{number:g}{unit}" if lang == "ja" else f"{number:g} {unit}".strip()
        return f"{shown} ({day})" if day else shown

    # The survey question column only when a survey measures one of them.
    surveyed = any(row.get("measured_by") for row in found)
    columns = ["title", "indicator", "baseline", "target", "latest", "indicator_status"]
    body += _table(
        [label(f"col_{c}", lang) for c in columns + ["measured_by"] * surveyed],
        [
            [
                names.issues.get(row["issue"], row["issue"]),
                row["name"],
                value(row["baseline"], row["unit"], row["baseline_on"]),
                value(row["target"], row["unit"], row["target_on"]),
                value(
                    (row["latest"] or {}).get("value"),
                    row["unit"],
                    (row["latest"] or {}).get("measured_on"),
                ),
                status_name(row["status"], lang),
                *[measured_by_text(row, summary, lang)] * surveyed,
            ]
            for row in found
        ],
    )
    if charts:
        # One chart costs vl-convert about 0.3 s: the first INDICATOR_CHARTS, then a note.
        for row in found[:INDICATOR_CHARTS]:
            chart = indicator_chart(row, lang=lang, size="report")
            body += _figure(to_svg(chart), f"{row['name']}: {status_name(row['status'], lang)}")
        if len(found) > INDICATOR_CHARTS:
            note = label("indicator_charts_note", lang, n=INDICATOR_CHARTS, total=len(found))
            body += f"<p class='note'>{_e(note)}</p>"
    return _section("indicators", lang, body)


def _reviews(summary: dict[str, Any], lang: str, names: Names) -> str:
    """The review dates (見直し日) of decisions, earliest first, with their state."""
    reviews = (summary.get("followup") or {}).get("reviews", [])
    if not reviews:
        return _section("reviews", lang, f"<p>{_e(label('none', lang))}</p>")
    return _section(
        "reviews",
        lang,
        _table(
            [label(f"col_{c}", lang) for c in ("review_on", "subject", "review_state", "note")],
            [
                [
                    r["review_on"],
                    review_subject(r, names),
                    label(f"review_state_{r['state']}", lang),
                    r["note"],
                    *([_RowClass("divides")] if r["state"] == "overdue" else []),
                ]
                for r in reviews
            ],
        ),
    )


def _previous_cycle(summary: dict[str, Any], lang: str, names: Names) -> str:
    """Since the last cycle (``summary["previous_cycle"]``, toolkit/cycles.py): the small wins
    (indicators achieved), the last cycle's roadmap items whose period has ended, and how
    the ranking moved."""
    from toolkit.cycles import move_text, number_text
    from toolkit.i18n import t

    cycle = summary.get("previous_cycle")
    if not cycle:
        return _section("previous_cycle", lang, f"<p>{_e(t('cycle_none', lang))}</p>")
    body = f"<p>{_e(t('cycle_since_intro', lang, title=cycle['title'], slug=cycle['slug']))}</p>"
    body += f"<h3>{_e(t('cycle_wins_title', lang))}</h3>"
    if cycle["achieved"]:
        body += _table(
            [
                t(f"cycle_col_{c}", lang)
                for c in ("indicator", "issue", "baseline", "latest", "measured_on")
            ],
            [
                [
                    f"{w['name']} ({w['unit']})" if w["unit"] else w["name"],
                    names.issues.get(w["issue"], w["issue"]),
                    number_text(w["baseline"]),
                    number_text(w["latest"]),
                    w["measured_on"],
                ]
                for w in cycle["achieved"]
            ],
            numeric=(2, 3),
        )
    else:
        body += f"<p>{_e(t('cycle_wins_none', lang))}</p>"
    body += f"<h3>{_e(t('cycle_done_title', lang))}</h3>"
    if cycle["done"]:
        body += _table(
            [t(f"cycle_col_{c}", lang) for c in ("issue", "period", "owner")],
            [[d["title"], d["period"][lang], d["owner_department"]] for d in cycle["done"]],
        )
    else:
        body += f"<p>{_e(t('cycle_done_none', lang))}</p>"
    body += f"<h3>{_e(t('cycle_moves_title', lang))}</h3>"
    if cycle["moves"]:
        body += _table(
            [t(f"cycle_col_{c}", lang) for c in ("issue", "previous_rank", "rank", "change")],
            [
                [m["title"], m["previous_rank"], m["rank"], move_text(m, lang)[0]]
                for m in cycle["moves"]
            ],
            numeric=(1, 2),
        )
    else:
        body += f"<p>{_e(t('cycle_moves_none', lang))}</p>"
    return _section("previous_cycle", lang, body)


def _surveys(summary: dict[str, Any], lang: str, charts: bool) -> str:
    """Each survey: its waves with their counts; per question the distribution (chart and
    table), the mean with its 95% interval, the results by segment (withheld groups only
    counted), the themes of free answers and the before/after sentences; then the gaps."""
    from toolkit.export.surveys import gaps_table, kind_name, private_summary, waves_table

    surveys = private_summary(summary).get("surveys") or []
    if not surveys:
        return ""
    parts: list[str] = []
    for survey in surveys:
        parts.append(f"<h3>{_e(survey['title'])}</h3>")
        notes = [
            label(f"survey_identity_{survey['identity']}", lang),
            label("survey_min_group", lang, n=survey["min_group_size"]),
        ]
        if survey.get("link_code"):
            notes.append(label("survey_link_code", lang))
        parts.append('<p class="note">' + "<br>".join(_e(n) for n in notes) + "</p>")
        header, rows = waves_table(survey, lang)
        parts.append(
            _table(
                header[1:],
                [
                    [r[1], r[2], _time(r[3], summary, lang), _time(r[4], summary, lang), r[5]]
                    for r in rows
                ],
                numeric=(4,),
            )
        )
        titles = {w["key"]: w["title"] for w in survey["waves"]}
        for question in survey["questions"]:
            parts.append(
                f"<h4>{_e(question['text'])} "
                f'<span class="note">({_e(kind_name(question["kind"], lang))})</span></h4>'
            )
            answered = {k: v for k, v in question.get("waves", {}).items() if v.get("answered")}
            if not answered:
                parts.append(f'<p class="note">{_e(label("survey_none", lang))}</p>')
                continue
            if charts:
                parts.append(_survey_chart(survey, question, lang))
            for wave_key, result in answered.items():
                parts.append(_survey_wave(survey, titles.get(wave_key, wave_key), result, lang))
            comparison = question.get("comparison")
            if comparison:
                sentences = [
                    f"{label(f'survey_row_{kind}', lang)}: {comparison[kind]['sentence']}"
                    for kind in ("cohort", "paired")
                    if comparison.get(kind) and comparison[kind].get("sentence")
                ]
                parts.append(
                    '<p class="comparison"><strong>'
                    + "<br>".join(_e(s) for s in sentences)
                    + "</strong></p>"
                )
        gap_header, gap_rows = gaps_table(survey, lang)
        if gap_rows:
            parts.append(f"<h4>{_e(label('survey_gaps', lang))}</h4>")
            if charts:
                parts.append(_survey_gap_chart(survey, lang))
            parts.append(_table(gap_header, gap_rows, numeric=(3, 4, 5)))
    return _section(_SURVEY_SECTION, lang, "".join(parts))


def _survey_wave(survey: dict[str, Any], wave: str, result: dict[str, Any], lang: str) -> str:
    from toolkit.export.surveys import withheld_text

    parts = [f"<p><strong>{_e(wave)}</strong> — n = {_e(result['answered'])}"]
    mean = result.get("mean")
    if mean:
        parts.append(
            "<br>"
            + _e(
                label(
                    "survey_mean_ci",
                    lang,
                    mean=_num(mean["mean"], 2),
                    low=_num(mean.get("low"), 2),
                    high=_num(mean.get("high"), 2),
                    n=mean["n"],
                )
            )
        )
    parts.append("</p>")
    distribution = result.get("distribution") or []
    if distribution:
        parts.append(
            _table(
                [
                    label("col_option", lang),
                    label("survey_col_count", lang),
                    label("survey_col_share", lang),
                ],
                [[d["label"], d["count"], _pct(d["share"], 1)] for d in distribution],
                numeric=(1, 2),
            )
        )
    if result.get("withheld"):
        parts.append(f'<p class="note">{_e(withheld_text(result["withheld"], survey, lang))}</p>')
    for split in result.get("by_segment", []):
        rows = [
            [
                g["label"],
                g["n"],
                _num((g.get("mean") or {}).get("mean"), 2),
                " / ".join(f"{d['label']} {d['count']}" for d in g.get("distribution", [])),
            ]
            for g in split.get("groups", [])
        ]
        parts.append(f"<p>{_e(split['segment_text'])}</p>")
        if rows:
            parts.append(
                _table(
                    [
                        label("survey_col_group", lang),
                        label("survey_col_n", lang),
                        label("survey_col_mean", lang),
                        label("survey_col_distribution", lang),
                    ],
                    rows,
                    numeric=(1, 2),
                )
            )
        if split.get("withheld"):
            parts.append(
                f'<p class="note">{_e(withheld_text(split["withheld"], survey, lang))}</p>'
            )
    themes = result.get("themes") or []
    if themes:
        parts.append(
            "<ul>"
            + "".join(
                f"<li>{_e(th['label'])} ({_e(th['count'])}): "
                + _e(" / ".join(th.get("examples", [])))
                + "</li>"
                for th in themes
            )
            + "</ul>"
        )
    return "".join(parts)


def _survey_chart(survey: dict[str, Any], question: dict[str, Any], lang: str) -> str:
    """The question's charts (``toolkit.surveys.charts``) as inline SVG: the distribution of
    a rating or choice question (every wave with answers), and the mean of each wave with
    its 95% interval when the question has a before/after comparison."""
    from toolkit.surveys import charts as survey_charts

    figures = []
    if question["kind"] in ("likert", "single", "multiple"):
        shown = question
        if question.get("segment"):  # list only the groups that may be shown
            labels = {
                d["label"] for wave in question["waves"].values() for d in wave["distribution"]
            }
            shown = {
                **question,
                "options": [o for o in question["options"] if o["label"] in labels],
            }
        chart = survey_charts.distribution_chart(shown, lang=lang, size="report")
        figures.append(_figure(to_svg(chart), question["text"]))
    if question.get("comparison"):
        chart = survey_charts.before_after_chart(question, lang=lang, size="report")
        figures.append(_figure(to_svg(chart), question["text"]))
    return "".join(figures)


def _survey_gap_chart(survey: dict[str, Any], lang: str) -> str:
    from toolkit.surveys import charts as survey_charts

    chart = survey_charts.gap_chart(survey, lang=lang, size="report")
    return _figure(to_svg(chart), label("survey_gaps", lang))
