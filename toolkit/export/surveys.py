"""Surveys in every export (issue 19): the tables that CSV, XLSX, Markdown and HTML show.

Nothing here computes a result. The results (distributions, means with their intervals,
by-segment groups, before/after comparisons, gaps) are ``summary["surveys"]``, built once by
:mod:`toolkit.surveys.results`; the anonymous answers are
:func:`toolkit.surveys.results.answer_rows` (segment answers of small groups already
withheld, no participant id, no link key, no time). These helpers only lay them out as
tables with ja/en headings.

The answers are not part of the summary (the summary holds results), so an export that shows
them is given them next to the summary: :func:`survey_data` reads them from the store::

    data = survey_data(store, slug, summary)          # [{"key", "definition", "rows", ...}]
    render(summary, "xlsx", surveys=data)

Each item of ``survey_data``:

* ``key``: the survey;
* ``definition``: the whole definition (``SurveySpec`` as JSON), for the JSON export and
  its import;
* ``rows``: ``answer_rows`` in the summary's language (labels, for people);
* ``answers``: the same responses in their stored form (option ids, numbers; a withheld
  segment answer is ``""``, exactly where ``answer_rows`` withheld it), for the JSON export.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from toolkit.export._common import export_lang, label
from toolkit.i18n import t

if TYPE_CHECKING:
    from toolkit.store import Store

SurveyData = dict[str, Any]
"""One survey's definition and anonymous answers (see the module's notes)."""

#: Who answered, as the answers table shows it.
CHANNELS = ("device", "code", "paper", "table")

#: Columns of the results table before the options' (count, share) groups.
RESULT_COLUMNS = (
    "survey",
    "question_key",
    "question",
    "row",
    "wave",
    "segment",
    "group",
    "n",
    "mean",
    "low",
    "high",
    "sd",
    "difference",
    "p_value",
    "effect",
    "effect_size",
    "sentence",
    "n_from",
    "n_to",
)
#: Column positions of :func:`results_table` that hold numbers (for number formats).
RESULT_NUMBERS = {"n": "int", "mean": "score", "low": "score", "high": "score", "sd": "score"}


def survey_data(
    store: Store, slug: str, summary: Mapping[str, Any], *, lang: str | None = None
) -> list[SurveyData]:
    """The definition and anonymous answers of every survey in ``summary["surveys"]``.

    The answers' words (options, Likert points) are in ``lang``, by default the summary's
    (the workshop's) language, the language of the results they sit beside."""
    surveys = summary.get("surveys") or []
    if not surveys:
        return []
    from toolkit.surveys.results import answer_rows

    language = export_lang(dict(summary), lang)  # lang None: the workshop's
    result: list[SurveyData] = []
    for shown in surveys:
        survey = store.survey(slug, shown["key"])
        order = {w.key: n for n, w in enumerate(survey.waves)}
        responses = sorted(  # the order of answer_rows: wave order, then as answered
            (r for r in store.survey_responses(slug, shown["key"]) if r.wave in order),
            key=lambda r: (order[r.wave], r.id),
        )
        rows = answer_rows(survey, responses, shown["min_group_size"], language)
        if len(rows) != len(responses):  # answer_rows gives one row per response, in order
            raise AssertionError("answer_rows must give one row per response")
        segments = {q.id for q in survey.definition.questions if q.segment}
        answers = []
        for response, row in zip(responses, rows, strict=True):
            stored: dict[str, Any] = {}
            for question in survey.definition.questions:
                value = response.answers.get(question.id)
                if question.id in segments and value is not None and row.get(question.id) == "":
                    value = ""  # withheld by answer_rows: a group under min_group_size
                stored[question.id] = value
            answers.append(
                {
                    "wave": response.wave,
                    "channel": response.channel,
                    "pair": row.get("pair"),
                    "answers": stored,
                }
            )
        result.append(
            {
                "key": survey.key,
                "definition": survey.definition.model_dump(mode="json"),
                "rows": rows,
                "answers": answers,
            }
        )
    return result


def surveys_of(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The surveys' results in the summary (none before surveys existed)."""
    return list(summary.get("surveys") or [])


def private_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """``summary`` with every small group of a segment question's own distribution withheld.

    The results already leave the groups under ``min_group_size`` out of a segment
    question's own distribution (how many people each department has) and count them in the
    wave's ``withheld``; this is the exports' own guard that no format ever shows one,
    whichever summary it is given (an older one, say): what is still there goes through
    :func:`toolkit.surveys.stats.suppress_small` again (options nobody chose are left out,
    they reveal nothing) and what it withholds is added to ``withheld``. Other keys are
    shared, not copied.
    """
    surveys = summary.get("surveys")
    if not surveys:
        return summary
    import copy

    from toolkit.surveys.stats import suppress_small

    def keep(distribution: list[dict[str, Any]], minimum: int) -> tuple[list[Any], int]:
        sizes = {item["key"]: item["count"] for item in distribution if item["count"]}
        kept = suppress_small(sizes, minimum)
        return [d for d in distribution if d["key"] in kept.shown], len(kept.withheld)

    cleaned = copy.deepcopy(surveys)
    for survey in cleaned:
        minimum = int(survey["min_group_size"])
        for question in survey["questions"]:
            if not question.get("segment"):
                continue
            for result in question.get("waves", {}).values():
                result["distribution"], hidden = keep(result.get("distribution", []), minimum)
                result["withheld"] = result.get("withheld", 0) + hidden
                for split in result.get("by_segment", []):
                    for group in split.get("groups", []):
                        group["distribution"], hidden = keep(group.get("distribution", []), minimum)
                        group["withheld"] = group.get("withheld", 0) + hidden
    return {**summary, "surveys": cleaned}


def kind_name(kind: str, lang: str) -> str:
    return label(f"survey_kind_{kind}", lang)


def channel_name(channel: Any, lang: str) -> str:
    if channel in CHANNELS:
        return label(f"survey_channel_{channel}", lang)
    return "" if channel is None else str(channel)


def status_name(status: str, lang: str) -> str:
    return label(f"survey_status_{status}", lang)


def wave_titles(survey: Mapping[str, Any]) -> dict[str, str]:
    return {w["key"]: w["title"] for w in survey["waves"]}


def withheld_text(n: int, survey: Mapping[str, Any], lang: str) -> str:
    """``2 groups withheld (fewer than 5)``: the only way a small group is ever mentioned."""
    return label("survey_withheld", lang, n=n, min=survey["min_group_size"])


def _yes_no(value: bool, lang: str) -> str:
    return label("yes" if value else "no", lang)


# ── tables ────────────────────────────────────────────────────────────────────
def definition_table(survey: Mapping[str, Any], lang: str) -> tuple[list[str], list[list[Any]]]:
    """One row per question: ID, question, kind, required, segment, scale, unit, issue,
    options (``key: label`` joined)."""
    header = [
        label(f"survey_col_{c}", lang)
        for c in (
            "question_key",
            "question",
            "kind",
            "required",
            "segment",
            "scale",
            "unit",
            "issue",
            "options",
        )
    ]
    separator = "、" if lang == "ja" else "; "
    rows = [
        [
            q["key"],
            q["text"],
            kind_name(q["kind"], lang),
            _yes_no(bool(q["required"]), lang),
            _yes_no(bool(q["segment"]), lang),
            q.get("scale"),
            q.get("unit") or None,
            q.get("issue"),
            separator.join(f"{o['key']}: {o['label']}" for o in q.get("options", [])) or None,
        ]
        for q in survey["questions"]
    ]
    return header, rows


def waves_table(survey: Mapping[str, Any], lang: str) -> tuple[list[str], list[list[Any]]]:
    """One row per wave: key, title, state, opened at, closed at, responses."""
    header = [
        label("col_key", lang),
        label("survey_col_wave", lang),
        label("survey_col_status", lang),
        label("survey_col_opened_at", lang),
        label("survey_col_closed_at", lang),
        label("survey_col_responses", lang),
    ]
    rows = [
        [
            w["key"],
            w["title"],
            status_name(w["status"], lang),
            w.get("opened_at"),
            w.get("closed_at"),
            w["responses"],
        ]
        for w in survey["waves"]
    ]
    return header, rows


def answers_table(
    survey: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], lang: str
) -> tuple[list[str], list[list[Any]]]:
    """The anonymous answers: wave, channel, pair, then one column per question (its text)."""
    header = [
        label("survey_col_wave", lang),
        label("survey_col_channel", lang),
        label("survey_col_pair", lang),
        *[q["text"] for q in survey["questions"]],
    ]
    titles = wave_titles(survey)
    table = []
    for row in rows:
        cells: list[Any] = [
            titles.get(row["wave"], row["wave"]),
            channel_name(row.get("channel"), lang),
            row.get("pair"),
        ]
        for q in survey["questions"]:
            value = row.get(q["key"])
            cells.append(None if value == "" else value)
        table.append(cells)
    return header, table


def option_columns(survey: Mapping[str, Any]) -> int:
    """How many (option, count, share) groups the results table needs."""
    return max((len(q.get("options", [])) for q in survey["questions"]), default=0)


def _distribution_cells(distribution: Sequence[Mapping[str, Any]], width: int) -> list[Any]:
    cells: list[Any] = []
    for item in distribution:
        cells += [item["label"], item["count"], item["share"]]
    return cells + [None] * (3 * width - len(cells))


def results_table(survey: Mapping[str, Any], lang: str) -> tuple[list[str], list[list[Any]]]:
    """One row per question × wave × (everyone | each shown group), with n, the mean and its
    95% interval, SD, and each option's label, count and share; a ``withheld`` row says how
    many groups are not shown (never which); then each question's before/after rows
    (everyone, and the same people where answers are linked) with the difference, its
    interval, p, the effect size and the sentence; then the themes of free answers."""
    width = option_columns(survey)
    header = [label(f"survey_col_{c}", lang) for c in RESULT_COLUMNS]
    for n in range(1, width + 1):
        header += [
            label("survey_col_option_n", lang, n=n),
            label("survey_col_count_n", lang, n=n),
            label("survey_col_share_n", lang, n=n),
        ]
    titles = wave_titles(survey)
    title = survey["title"]
    rows: list[list[Any]] = []

    def line(question: Mapping[str, Any], kind: str, **cells: Any) -> list[Any]:
        values: dict[str, Any] = {
            "survey": title,
            "question_key": question["key"],
            "question": question["text"],
            "row": label(f"survey_row_{kind}", lang),
            **cells,
        }
        distribution = values.pop("distribution", [])
        return [values.get(c) for c in RESULT_COLUMNS] + _distribution_cells(distribution, width)

    def mean_cells(mean: Mapping[str, Any] | None) -> dict[str, Any]:
        if not mean:
            return {}
        return {k: mean.get(k) for k in ("mean", "low", "high", "sd")}

    for question in survey["questions"]:
        for wave_key, result in question.get("waves", {}).items():
            wave = titles.get(wave_key, wave_key)
            rows.append(
                line(
                    question,
                    "all",
                    wave=wave,
                    group=label("survey_everyone", lang),
                    n=result.get("answered"),
                    distribution=result.get("distribution", []),
                    **mean_cells(result.get("mean")),
                )
            )
            if result.get("withheld"):
                rows.append(
                    line(
                        question,
                        "withheld",
                        wave=wave,
                        segment=question["text"],
                        group=withheld_text(result["withheld"], survey, lang),
                    )
                )
            for split in result.get("by_segment", []):
                for group in split.get("groups", []):
                    rows.append(
                        line(
                            question,
                            "group",
                            wave=wave,
                            segment=split.get("segment_text"),
                            group=group["label"],
                            n=group.get("n"),
                            distribution=group.get("distribution", []),
                            **mean_cells(group.get("mean")),
                        )
                    )
                if split.get("withheld"):
                    rows.append(
                        line(
                            question,
                            "withheld",
                            wave=wave,
                            segment=split.get("segment_text"),
                            group=withheld_text(split["withheld"], survey, lang),
                        )
                    )
            for theme in result.get("themes", []):
                rows.append(
                    line(
                        question,
                        "theme",
                        wave=wave,
                        group=theme["label"],
                        n=theme["count"],
                        sentence=" / ".join(theme.get("examples", [])),
                    )
                )
        comparison = question.get("comparison")
        if comparison:
            span = label(
                "survey_wave_range",
                lang,
                **{
                    "from": titles.get(comparison["from"], comparison["from"]),
                    "to": titles.get(comparison["to"], comparison["to"]),
                },
            )
            for kind in ("cohort", "paired"):
                found = comparison.get(kind)
                if not found:
                    continue
                rows.append(
                    line(
                        question,
                        kind,
                        wave=span,
                        group=label("survey_everyone", lang),
                        n=found.get("pairs"),
                        low=found.get("low"),
                        high=found.get("high"),
                        difference=found.get("difference"),
                        p_value=found.get("p_value"),
                        effect=found.get("effect"),
                        effect_size=t(f"survey_effect_size_{found['effect_size']}", lang)
                        if found.get("effect_size")
                        else None,
                        sentence=found.get("sentence"),
                        n_from=found.get("n_from"),
                        n_to=found.get("n_to"),
                    )
                )
    return header, rows


def gaps_table(survey: Mapping[str, Any], lang: str) -> tuple[list[str], list[list[Any]]]:
    """The gaps between a surveyed current state and the issue's ideal, largest first."""
    header = [
        label("col_title", lang),
        label("survey_col_question_key", lang),
        label("survey_col_wave", lang),
        label("survey_col_current", lang),
        label("survey_col_ideal", lang),
        label("survey_col_gap", lang),
    ]
    titles = wave_titles(survey)
    rows = [
        [
            g["title"],
            g["question"],
            titles.get(g["wave"], g["wave"]),
            g["current"],
            g["ideal"],
            g["gap"],
        ]
        for g in survey.get("gaps", [])
    ]
    return header, rows


def survey_file_name(stem: str, key: str, table: str) -> str:
    """The CSV beside the backlog's: ``tsuru-dx.survey-staff-dx-answers.csv``."""
    return f"{stem}.survey-{key}-{table}.csv"
