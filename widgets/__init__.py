"""Reusable ipywidgets / anywidget components that the Voilà apps in ``workshops/`` assemble.

Widgets import :mod:`toolkit`, never the reverse. Charts are drawn on the server
(:mod:`widgets.chart`), so no app ever loads a script from a CDN.
"""
