"""The backlog as CSV that opens correctly in Japanese Excel.

* UTF-8 with a byte-order mark (``utf-8-sig``) by default: Excel then reads Japanese text
  correctly on double-click; ``cp932`` (Shift_JIS as Windows writes it) for older Excel.
* Formula injection: a text cell that begins with ``=``, ``+``, ``-``, ``@`` (or a tab or
  carriage return, which Excel also strips before evaluating) is written with a leading
  apostrophe, so Excel shows it as text instead of running it (OWASP "CSV Injection").
  Numbers are written as numbers and never changed.
* CRLF line ends, every text cell quoted only when needed (RFC 4180, what Excel writes).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from toolkit.export._common import ExportError, backlog_table, export_lang

ENCODINGS = ("utf-8-sig", "cp932")
#: First characters that make Excel (and LibreOffice, Google Sheets) treat a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Characters that Japanese text uses but CP932 has no code of their own for (the "wave
# dash problem"): Python writes 〜 as the code of ～ (which reads back as ～) and cannot
# write — or – at all. Map them to the look-alike Windows itself uses, explicitly.
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
    }
)


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


def write_csv(header: Sequence[str], rows: Sequence[Sequence[Any]], encoding: str) -> bytes:
    """Any table as CSV bytes in ``encoding`` (``utf-8-sig`` or ``cp932``)."""
    if encoding not in ENCODINGS:
        raise ExportError("export_unknown_format", value=encoding, allowed=", ".join(ENCODINGS))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    table = [[cell_text(c) for c in header], *[[cell_text(c) for c in row] for row in rows]]
    writer.writerows(table)
    text = buffer.getvalue()
    if encoding == "cp932":
        text = text.translate(_CP932_LOOKALIKES)
        try:
            return text.encode("cp932")
        except UnicodeEncodeError as error:
            raise _unencodable(table, text[error.start], header) from None
    return text.encode("utf-8-sig")


def _unencodable(table: list[list[Any]], char: str, header: Sequence[str]) -> ExportError:
    """Where the first character that CP932 lacks is: row (header = 1) and column name."""
    code = f"{ord(char):04X}"
    for row_number, row in enumerate(table, start=1):
        for column, cell in enumerate(row):
            if isinstance(cell, str) and char in cell.translate(_CP932_LOOKALIKES):
                name = header[column] if column < len(header) else str(column + 1)
                return ExportError(
                    "export_cp932_unencodable", row=row_number, column=name, char=char, code=code
                )
    return ExportError("export_cp932_unencodable", row="?", column="?", char=char, code=code)


def render_csv(
    summary: dict[str, Any], *, lang: str | None = None, encoding: str = "utf-8-sig"
) -> bytes:
    """The prioritised backlog (with its charter in the last columns) as CSV bytes."""
    header, rows = backlog_table(summary, export_lang(summary, lang))
    return write_csv(header, rows, encoding)
