"""The facilitator's export panel: the prioritised backlog in every format, as downloads.

Each download renders the workshop's one results summary (``toolkit.export.export``), so
hidden ballot results never leave before the vote closes or is released. The file is handed
to the browser as a ``data:`` link: nothing is written next to the store, nothing goes
through the network, and the link works on an offline laptop.
"""

from __future__ import annotations

import base64
from html import escape
from typing import Any

import ipywidgets

from toolkit.i18n import t
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.ui import WIDE_LABEL, heading_html, paragraph

#: (choice id, format, render options, media type, file suffix)
CHOICES: tuple[tuple[str, str, dict[str, str], str, str], ...] = (
    (
        "xlsx",
        "xlsx",
        {},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    ("csv", "csv", {"encoding": "utf-8-sig"}, "text/csv", "csv"),
    ("csv_cp932", "csv", {"encoding": "cp932"}, "text/csv", "sjis.csv"),
    ("html", "html", {}, "text/html", "html"),
    ("json", "json", {}, "application/json", "json"),
    ("md", "md", {}, "text/markdown", "md"),
    ("png", "png", {"chart": "ranking"}, "image/png", "png"),
    ("svg", "svg", {"chart": "ranking"}, "image/svg+xml", "svg"),
    ("pb", "pb", {}, "text/plain", "pb"),
)


class ExportPanel(ipywidgets.VBox):
    """Choose a format, prepare it, download it."""

    def __init__(self, ctx: AppContext, **kwargs: Any) -> None:
        self.ctx = ctx
        self.message = MessageArea()
        self.choice = ipywidgets.Dropdown(
            options=[(t(f"export_panel_{choice}", ctx.lang), choice) for choice, *_ in CHOICES],
            value="xlsx",
            description=t("export_panel_format", ctx.lang),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="32em"),
        )
        self.prepare = ipywidgets.Button(
            description=t("export_panel_prepare", ctx.lang),
            button_style="primary",
            icon="download",
            layout=ipywidgets.Layout(width="auto"),  # the default width cuts the label off
        )
        self.prepare.on_click(guarded(self.message, ctx.lang)(self._prepare))
        self.link = ipywidgets.HTML()
        self.choice.observe(self._forget, names=["value"])
        super().__init__(
            children=[
                ipywidgets.HTML(
                    heading_html(t("export_panel_heading", ctx.lang))
                    + paragraph(t("export_panel_hint", ctx.lang))
                ),
                ipywidgets.HBox([self.choice, self.prepare]),
                self.link,
                self.message,
            ],
            **kwargs,
        )
        self.add_class("ureshii-export-panel")

    def _forget(self, _change: object = None) -> None:
        self.link.value = ""
        self.message.clear()

    def _prepare(self, _button: object = None) -> None:
        from toolkit.export import export

        _, fmt, options, media, suffix = next(c for c in CHOICES if c[0] == self.choice.value)
        self.link.value = ""
        self.message.show(t("export_panel_preparing", self.ctx.lang), "info")
        data = export(self.ctx.store, self.ctx.slug, fmt, lang=self.ctx.lang, **options)
        name = (
            f"{self.ctx.slug}-backlog.{suffix}"
            if fmt not in ("png", "svg")
            else (f"{self.ctx.slug}-ranking.{suffix}")
        )
        encoded = base64.b64encode(data).decode("ascii")
        label = t("export_panel_download", self.ctx.lang, name=name, size=_size(len(data)))
        self.link.value = (
            f'<a class="ureshii-download" download="{escape(name, quote=True)}" '
            f'href="data:{media};base64,{encoded}" '
            'style="font-size:1.2em;font-weight:600">'
            f"⬇ {escape(label)}</a>"
        )
        self.message.show(t("export_panel_ready", self.ctx.lang, name=name), "success")


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1024 / 1024:.1f} MB"
