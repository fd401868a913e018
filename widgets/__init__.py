"""Reusable ipywidgets components that the Voilà apps in ``workshops/`` assemble.

Widgets import :mod:`toolkit`, never the reverse. Charts are drawn on the server
(:mod:`widgets.chart`), so no app ever loads a script from a CDN.
"""

from toolkit.lean_imports import skip_unused_imports

# Every app kernel imports this package first: before Altair brings in jsonschema, whose
# optional rfc3987-syntax costs 1.6 s of CPU per kernel, times every laptop of a room
# opening at once (docs/benchmarks.md, "Workshop day at the tables").
skip_unused_imports()
