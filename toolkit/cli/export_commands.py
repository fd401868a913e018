"""`ureshii export`, `ureshii import-issues`, `ureshii verify` (owned by the export module)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add this module's commands to the ``ureshii`` group."""
