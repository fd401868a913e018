"""The backlog as CSV that opens correctly in Japanese Excel.

* UTF-8 with a byte-order mark (``utf-8-sig``) by default: Excel then reads Japanese text
  correctly on double-click; ``cp932`` (Shift_JIS as Windows writes it) for older Excel.
* Formula injection: a text cell that begins with ``=``, ``+``, ``-``, ``@`` (or a tab or
  carriage return, which Excel also strips before evaluating) is written with a leading
  apostrophe, so Excel shows it as text instead of running it (OWASP "CSV Injection").
  Numbers are written as numbers and never changed.
* Ids that a spreadsheet would read as a number or a date (``001`` → 1, ``1e3`` → 1000,
  ``4-1`` → 1 April) are written as the text formula ``="001"``, which Excel and
  LibreOffice show as the text ``001`` and save back as it; the issue import reads
  ``="001"`` as ``001`` too, so a backlog opened, edited and saved in a spreadsheet imports
  back with the same ids. Only ids (``[a-z0-9_-]``, no quote possible) are ever written so.
* CRLF line ends, every text cell quoted only when needed (RFC 4180, what Excel writes).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from toolkit.export._common import BACKLOG_ID_COLUMN, ExportError, backlog_table, export_lang
from toolkit.i18n import LANGUAGES, normalize_language, t

ENCODINGS = ("utf-8-sig", "cp932")
#: First characters that make Excel (and LibreOffice, Google Sheets) treat a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Characters that Japanese text uses but CP932 has no code of their own for (the "wave
# dash problem"): Python writes 〜 as the code of ～ (which reads back as ～) and cannot
# write — or – at all. Map them to the look-alike Windows itself uses, explicitly.
#
# Then common characters that reach a backlog from Word, web pages and Macs and that a
# Japanese office reader takes as the same thing: the full-width signs CP932 does have
# (￥ ￤, as ¢ £ ¬ → ￠ ￡ ￢), an ordinary space for the non-breaking ones, 中黒 ・ for a
# bullet, and the ASCII spellings used in Japanese print when the sign is missing ((C),
# (R), (TM)). Ⅺ Ⅻ are written XI XII (CP932 has Ⅰ–Ⅹ only; NFKC gives the same letters)
# and ㋿ as 令和 (CP932 has ㍻ for 平成 but nothing for Reiwa; NFKC gives 令和). Characters
# without an honest look-alike stay errors: 𠮷 and other variants outside JIS X 0208 (a
# person's name must not silently change to 吉), emoji, €. Every cell that holds one is
# reported at once (``CP932UnencodableError``).
_CP932_LOOKALIKES = str.maketrans(
    {
        "\u301c": "\uff5e",  # WAVE DASH → FULLWIDTH TILDE
        "\u2212": "\uff0d",  # MINUS SIGN → FULLWIDTH HYPHEN-MINUS
        "\u2016": "\u2225",  # DOUBLE VERTICAL LINE → PARALLEL TO
        "\u2014": "\u2015",  # EM DASH → HORIZONTAL BAR
        "\u00a2": "\uffe0",  # CENT SIGN → FULLWIDTH CENT SIGN
        "\u00a3": "\uffe1",  # POUND SIGN → FULLWIDTH POUND SIGN
        "\u00ac": "\uffe2",  # NOT SIGN → FULLWIDTH NOT SIGN
        "\u2013": "\u2015",  # EN DASH (used for ranges, e.g. 0–1) → HORIZONTAL BAR
        "\u00a5": "\uffe5",  # YEN SIGN → FULLWIDTH YEN SIGN (0x5C would read back as a backslash)
        "\u00a6": "\uffe4",  # BROKEN BAR → FULLWIDTH BROKEN BAR
        "\u00a0": " ",  # NO-BREAK SPACE → SPACE
        "\u202f": " ",  # NARROW NO-BREAK SPACE (macOS times, French) → SPACE
        "\u2009": " ",  # THIN SPACE → SPACE
        "\u2022": "\u30fb",  # BULLET → KATAKANA MIDDLE DOT (中黒, the Japanese bullet)
        "\u00a9": "(C)",  # COPYRIGHT SIGN
        "\u00ae": "(R)",  # REGISTERED SIGN
        "\u2122": "(TM)",  # TRADE MARK SIGN
        "\u216a": "XI",  # ROMAN NUMERAL ELEVEN
        "\u216b": "XII",  # ROMAN NUMERAL TWELVE
        "\u217a": "xi",  # SMALL ROMAN NUMERAL ELEVEN
        "\u217b": "xii",  # SMALL ROMAN NUMERAL TWELVE
        "\u32ff": "令和",  # SQUARE ERA NAME REIWA
    }
)
#: Ids a spreadsheet opening the CSV would turn into a number or a date: digits (a leading
#: zero is lost, 16 digits or more are rounded), ``1e3``, digit groups joined by ``-`` (a
#: date: ``2026-04``, ``4-1``), or a month name next to a number (``may-5``, ``5-may``).
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_NUMBER_LIKE_ID = re.compile(
    rf"^(?:\d+(?:-\d+)*|\d+e-?\d+|{_MONTH}-?\d+|\d+-?{_MONTH}|true|false)$", re.IGNORECASE
)
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: How many cells a CP932 refusal lists before "… and N more".
MAX_REPORTED_CELLS = 20


def neutralise(value: str) -> str:
    """A text cell made safe from formula injection (a leading apostrophe when needed).

    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("窓口の混雑緩和")
    '窓口の混雑緩和'
    """
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def cell_text(value: Any) -> Any:
    """A cell as written: numbers unchanged, ``None`` empty, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    return neutralise(str(value))


def id_text(value: Any) -> Any:
    """An id cell that a spreadsheet keeps as written: ``="001"`` for an id it would read as
    a number or a date, the id itself otherwise (see the module's notes).

    >>> id_text("001"), id_text("1e3"), id_text("4-1"), id_text("chat-tool")
    ('="001"', '="1e3"', '="4-1"', 'chat-tool')
    """
    if isinstance(value, str) and _ID.match(value) and _NUMBER_LIKE_ID.match(value):
        return f'="{value}"'
    return cell_text(value)


def write_csv(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    encoding: str,
    *,
    id_columns: Sequence[int] = (),
) -> bytes:
    """Any table as CSV bytes in ``encoding`` (``utf-8-sig`` or ``cp932``); the cells of
    ``id_columns`` are written with :func:`id_text`."""
    if encoding not in ENCODINGS:
        raise ExportError("export_unknown_format", value=encoding, allowed=", ".join(ENCODINGS))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    table = [
        [cell_text(c) for c in header],
        *[
            [id_text(c) if n in id_columns else cell_text(c) for n, c in enumerate(row)]
            for row in rows
        ],
    ]
    writer.writerows(table)
    text = buffer.getvalue()
    if encoding == "cp932":
        cells = unencodable_cells(table, header)
        if cells:
            raise CP932UnencodableError(cells)
        return text.translate(_CP932_LOOKALIKES).encode("cp932")
    return text.encode("utf-8-sig")


def unencodable_cells(
    table: Sequence[Sequence[Any]], header: Sequence[str]
) -> list[tuple[int, str, str]]:
    """Every cell that CP932 cannot write, even with look-alikes: ``(row, column, chars)``.

    Rows count from 1 (the header row); ``chars`` holds each missing character once, in order.

    >>> unencodable_cells([["課題", "メモ"], ["¥100 • ©", "笑顔😀𠮷😀"]], ["課題", "メモ"])
    [(2, 'メモ', '😀𠮷')]
    """
    found: list[tuple[int, str, str]] = []
    for row_number, row in enumerate(table, start=1):
        for column, cell in enumerate(row):
            if not isinstance(cell, str):
                continue
            text = cell.translate(_CP932_LOOKALIKES)
            try:
                text.encode("cp932")
            except UnicodeEncodeError:
                missing = dict.fromkeys(c for c in text if not _cp932_can_write(c))
                name = header[column] if column < len(header) else str(column + 1)
                found.append((row_number, name, "".join(missing)))
    return found


def _cp932_can_write(char: str) -> bool:
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


class CP932UnencodableError(ExportError):
    """Cells that CP932 cannot write; ``cells`` lists each as ``(row, column, chars)``.

    The message (ja and en) names the first ``MAX_REPORTED_CELLS`` cells, counts the rest and
    points to the UTF-8 (BOM) export, which writes every character.
    """

    def __init__(self, cells: Sequence[tuple[int, str, str]]) -> None:
        self.cells = list(cells)
        super().__init__("export_cp932_unencodable_head", count=len(self.cells))
        for lang in LANGUAGES:
            lines = [self.messages[lang]]
            for row, column, chars in self.cells[:MAX_REPORTED_CELLS]:
                listed = t("export_cp932_list_separator", lang).join(
                    t("export_cp932_char", lang, char=c, code=f"{ord(c):04X}") for c in chars
                )
                lines.append(
                    t("export_cp932_unencodable", lang, row=row, column=column, chars=listed)
                )
            if len(self.cells) > MAX_REPORTED_CELLS:
                more = len(self.cells) - MAX_REPORTED_CELLS
                lines.append(t("export_cp932_more", lang, count=more))
            lines.append(t("export_cp932_use_utf8", lang))
            self.messages[lang] = "\n".join(lines)
        self.args = (self.messages[normalize_language(None)],)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.cells,))


def render_csv(
    summary: dict[str, Any], *, lang: str | None = None, encoding: str = "utf-8-sig"
) -> bytes:
    """The prioritised backlog (with its charter in the last columns) as CSV bytes."""
    header, rows = backlog_table(summary, export_lang(summary, lang))
    return write_csv(header, rows, encoding, id_columns=(BACKLOG_ID_COLUMN,))


def render_survey_csvs(
    summary: dict[str, Any],
    surveys: Sequence[dict[str, Any]] | None,
    *,
    lang: str | None = None,
    encoding: str = "utf-8-sig",
) -> dict[tuple[str, str], bytes]:
    """Each survey's two CSV files, ``{(survey key, "answers" | "results"): bytes}``.

    ``answers``: one row per response (wave, channel, pair, then each question's text;
    segment answers of small groups empty, no participant, link key or time);
    ``results``: one row per question × wave × (everyone | each shown group) with n, mean,
    95% interval, SD and each option's count and share, then the before/after rows
    (:func:`toolkit.export.surveys.results_table`). ``surveys`` is
    :func:`toolkit.export.surveys.survey_data` (the answers); without it, only the results.
    """
    from toolkit.export.surveys import answers_table, private_summary, results_table

    language = export_lang(summary, lang)
    shown = private_summary(summary)
    answers = {item["key"]: item["rows"] for item in surveys or []}
    files: dict[tuple[str, str], bytes] = {}
    for survey in shown.get("surveys") or []:
        if survey["key"] in answers:
            header, rows = answers_table(survey, answers[survey["key"]], language)
            files[(survey["key"], "answers")] = write_csv(header, rows, encoding)
        header, rows = results_table(survey, language)
        files[(survey["key"], "results")] = write_csv(header, rows, encoding, id_columns=(1,))
    return files
