"""The fist-of-five answer: one form for every consent check (vision and method charter).

The levels, their words and their order come from :mod:`toolkit.consent`, as on the phones
(``toolkit/server/participant/page_templates/consent_form.html``) and in the exports.
"""

from __future__ import annotations

from typing import Any

import ipywidgets

from toolkit import consent


class ConsentLevels(ipywidgets.RadioButtons):
    """Radio buttons "5 — Full support …" down to "0 — Block …", none chosen at first.

    >>> [label for label, _ in ConsentLevels("en").options][:2]
    ['5 — Full support: I will help make it work', '4 — Support: I think it is good']
    """

    def __init__(self, lang: str, *, description: str = "", **kwargs: Any) -> None:
        super().__init__(
            options=consent.choices(lang),
            value=None,
            description=description,
            style={"description_width": "initial"},
            layout=ipywidgets.Layout(width="auto"),
            **kwargs,
        )
        self.add_class("ureshii-consent-levels")
