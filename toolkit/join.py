"""The participants' join link, as the server hands it to the app kernels.

``ureshii serve`` (:mod:`toolkit.server.app`) sets :data:`ENV_JOIN_URL` for every app kernel
once it listens; the console and the board (:mod:`widgets.join`) read it to show the link
and its QR code. Kept here, outside :mod:`toolkit.server.app`, so that the apps read the name
without importing Voilà.
"""

from __future__ import annotations

ENV_JOIN_URL = "URESHII_JOIN_URL"
"""Set for the app kernels once the server listens: the participants' join link."""

__all__ = ["ENV_JOIN_URL"]
