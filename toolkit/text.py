"""What free text may contain, wherever it comes from (a phone, a CSV, a workshop file).

Control characters (other than tab and line break) and lone surrogates are invisible, cannot
be typed on a phone, and break things downstream: PostgreSQL refuses NUL, Excel files
refuse C0 characters, the chart renderer aborts the process on them, and the pabulib
format splits lines at some of them. The store removes them from every text it writes
(``toolkit.store.tables``), so no screen or export ever meets one.
"""

from __future__ import annotations

import re
from typing import Any

_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(value: str) -> str:
    r"""``value`` without control characters (tab and line breaks stay; ``\r\n`` → ``\n``).

    >>> clean_text("bell\x07ring\r\nnext\tcolumn\x00")
    'bellring\nnext\tcolumn'
    """
    return _UNWANTED.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def clean_data(value: Any) -> Any:
    """``clean_text`` on every string (keys too) inside lists and dicts (JSON data)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_data(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_data(v) for v in value]
    return value
