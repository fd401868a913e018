"""Writing a benchmark's figures into its own section of docs/benchmarks.md."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from pathlib import Path


def median_range(values: Sequence[float], unit: str, digits: int = 3) -> str:
    """A figure of several runs as this file prints it: ``"0.541 ms (0.391–0.617)"``."""
    return (
        f"{statistics.median(values):.{digits}f} {unit} "
        f"({min(values):.{digits}f}–{max(values):.{digits}f})"
    )


def write_section(path: Path, heading: str, text: str) -> None:
    """Replace the section under ``heading`` (up to the next ``## ``) with ``text``, or append
    it at the end when the file has no such section yet."""
    body = text.rstrip("\n") + "\n"
    content = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(content):
        content = pattern.sub(lambda _m: body + "\n", content)
    else:
        content = content.rstrip("\n") + "\n\n" + body
    path.write_text(content, encoding="utf-8")
