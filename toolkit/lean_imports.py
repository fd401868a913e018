"""Optional packages that Ureshii's processes mark absent before they are imported.

jsonschema's format checkers import the optional ``rfc3987-syntax`` package when it is
installed (jupyter-events installs it, through ``jsonschema[format-nongpl]``), and that
package compiles 38 Lark grammars at import: about 2 s of CPU, on every server start and
every app kernel's. It checks only the ``iri`` and ``iri-reference`` formats, which none of
the schemas these processes validate use (Vega-Lite's, Jupyter Server's events, Ureshii's
own files). Marked absent, jsonschema leaves those two formats unchecked and the rest as
before. The upstream threads: python-jsonschema/jsonschema#1392 and #1521.
"""

from __future__ import annotations

import sys

SKIPPED = ("rfc3987_syntax",)


def skip_unused_imports() -> None:
    """Mark :data:`SKIPPED` absent (``import`` then raises ImportError), unless a module of
    that name was imported already (then nothing changes)."""
    for name in SKIPPED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
