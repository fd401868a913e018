"""Ureshii (うれしい): the engine of the workshop toolkit.

The engine is UI-free: it never imports ipywidgets or IPython (ruff enforces this).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ureshii")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
