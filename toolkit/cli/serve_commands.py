"""`ureshii serve` (owned by the server module)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add this module's commands to the ``ureshii`` group."""
