"""Exports of the prioritised backlog and the workshop report, and imports.

Every format renders ONE results summary (``toolkit.summary.summarize(store, slug)``,
never with hidden results), so no format recomputes anything::

    from toolkit.export import export
    export(store, "dx-vision-2026", "xlsx", "backlog.xlsx")        # or csv json md html png svg pb

========  =====================================================  =========================
format    what                                                    module
========  =====================================================  =========================
csv       backlog for Excel (UTF-8 BOM or CP932, formula-safe)    ``csv_export``
xlsx      workbook: backlog, charter, scores, votes, map, log     ``xlsx``
json      ``ureshii-export/1`` + JSON Schema; ``ureshii verify``  ``json_export``, ``verify``
md        backlog for wikis and issue trackers                    ``markdown``
html      self-contained report (inline SVG, A4 print)            ``html_report``
png, svg  chart images (ranking or happiness map)                 ``images``
pb        pabulib votes of one ballot                             ``pabulib``
========  =====================================================  =========================

Surveys (issue 19) are in every format when a workshop has them (``surveys``: the tables;
CSV: each survey's answers and results files beside the backlog).

Imports (``imports``): issues from CSV/XLSX (all or nothing) and JSON exports into a store.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.export._common import BINARY_FORMATS, FORMATS, ExportError

if TYPE_CHECKING:  # the store and the summary load SQLAlchemy and pandas: only on use
    from toolkit.store import Store

__all__ = ["BINARY_FORMATS", "FORMATS", "ExportError", "export", "render"]


def render(
    summary: dict[str, Any],
    fmt: str,
    *,
    lang: str | None = None,
    encoding: str = "utf-8-sig",
    chart: str = "ranking",
    ballot: str | None = None,
    surveys: list[dict[str, Any]] | None = None,
) -> bytes:
    """One format of a results summary, as bytes.

    ``surveys`` (``toolkit.export.surveys.survey_data``) gives the surveys' definitions and
    anonymous answers to the formats that carry them (xlsx, json); the surveys' results come
    from the summary. Small segment groups are withheld in every format
    (``toolkit.export.surveys.private_summary``).
    """
    from toolkit.export.surveys import private_summary

    summary = private_summary(summary)
    if fmt == "csv":
        from toolkit.export.csv_export import render_csv

        return render_csv(summary, lang=lang, encoding=encoding)
    if fmt == "xlsx":
        from toolkit.export.xlsx import render_xlsx

        return render_xlsx(summary, lang=lang, surveys=surveys)
    if fmt == "json":
        from toolkit.export.json_export import render_json

        return render_json(summary, lang=lang, surveys=surveys)
    if fmt == "md":
        from toolkit.export.markdown import render_markdown

        return render_markdown(summary, lang=lang)
    if fmt == "html":
        from toolkit.export.html_report import render_html

        return render_html(summary, lang=lang)
    if fmt in ("png", "svg"):
        from toolkit.export.images import render_chart

        return render_chart(summary, fmt=fmt, chart=chart, lang=lang)
    if fmt == "pb":
        from toolkit.export.pabulib import render_pabulib

        return render_pabulib(summary, ballot=ballot, lang=lang)
    raise ExportError("export_unknown_format", value=fmt, allowed=", ".join(FORMATS))


def export(
    store: Store,
    slug: str,
    fmt: str,
    out: str | os.PathLike[str] | None = None,
    **options: Any,
) -> bytes:
    """Summarise workshop ``slug`` (hidden results stay hidden) and render it as ``fmt``.

    Writes the bytes to ``out`` when given, and returns them. ``options``: ``lang``,
    ``encoding`` (csv), ``chart`` (png/svg), ``ballot`` (pb). A CSV written to ``out`` has
    each survey's answers and results beside it (:func:`write_survey_csvs`).
    """
    if fmt not in FORMATS:
        raise ExportError("export_unknown_format", value=fmt, allowed=", ".join(FORMATS))
    from toolkit.export.surveys import survey_data
    from toolkit.summary import summarize

    summary = summarize(store, slug)
    surveys = survey_data(store, slug, summary)  # in the summary's language, as its results
    data = render(summary, fmt, surveys=surveys, **options)
    if out is not None:
        Path(out).write_bytes(data)
        if fmt == "csv":
            write_survey_csvs(
                summary,
                surveys,
                Path(out),
                lang=options.get("lang"),
                encoding=options.get("encoding", "utf-8-sig"),
            )
    return data


def write_survey_csvs(
    summary: dict[str, Any],
    surveys: list[dict[str, Any]] | None,
    backlog: Path,
    *,
    lang: str | None = None,
    encoding: str = "utf-8-sig",
) -> list[tuple[Path, str, str]]:
    """Write each survey's answers and results CSV beside the backlog CSV ``backlog``
    (``tsuru-dx.csv`` → ``tsuru-dx.survey-staff-dx-answers.csv``, ``…-results.csv``).
    Returns ``(path, survey, table)`` of each file written."""
    from toolkit.export.csv_export import render_survey_csvs
    from toolkit.export.surveys import survey_file_name

    written = []
    for (key, table), data in render_survey_csvs(
        summary, surveys, lang=lang, encoding=encoding
    ).items():
        path = backlog.with_name(survey_file_name(backlog.stem, key, table))
        path.write_bytes(data)
        written.append((path, key, table))
    return written
