"""Reusable ipywidgets components that the Voilà apps in ``workshops/`` assemble.

Widgets import :mod:`toolkit`, never the reverse. Charts are drawn on the server
(:mod:`widgets.chart`), so no app ever loads a script from a CDN.
"""

import sys

# Every app kernel imports this package first. Altair imports jsonschema, whose format
# checkers import the optional rfc3987-syntax package if it is installed (jupyter-events
# installs it), and that package compiles 38 Lark grammars at import: 1.6 s of CPU per
# kernel, times every laptop of a room opening at once (docs/benchmarks.md, "Workshop day at
# the tables"). It checks only the "iri" formats, which the Vega-Lite schema never uses, so
# the kernels mark it absent and jsonschema skips it. Nothing else imports it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
