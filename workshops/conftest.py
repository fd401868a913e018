"""When pytest runs the shipped notebooks (``--nbval-lax``), give them a real store.

The apps read ``URESHII_DATABASE_URL`` (see ``widgets/context.py``), as they do under
``ureshii serve``. Here the demo workshop is built once per session in a temporary folder,
unless the variable is already set. nbval cells cannot use fixtures, so this is a hook.
"""

from __future__ import annotations

import os
import tempfile

import pytest


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("URESHII_DATABASE_URL"):
        return
    from toolkit.demo import build_demo

    folder = tempfile.mkdtemp(prefix="ureshii-notebooks-")
    os.environ["URESHII_DATABASE_URL"] = str(build_demo(folder, lang="ja", seed=0).path)
