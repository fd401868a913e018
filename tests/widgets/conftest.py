"""Widget tests: a real SQLite file with the small workshop (``tests/workshop_data.py``).

Widgets are tested without a browser on one engine; the store's behaviour on PostgreSQL is
tested in ``tests/test_store.py``. ``small_workshop_store`` holds the small workshop; a
test module that needs other data defines its own store fixture, named for what it holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.workshop_data import small_workshop
from toolkit.store import Store

SLUG = "tsuru-dx"


@pytest.fixture
def small_workshop_store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "w.sqlite") as opened:
        opened.create_workshop(small_workshop(SLUG))
        yield opened
