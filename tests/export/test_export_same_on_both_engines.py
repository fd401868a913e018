"""The same workshop exports the same document from SQLite and from PostgreSQL.

Before the store had one UTC column type, SQLite's times came out naive
(``2026-12-06T10:00:00``) and PostgreSQL's with an offset in its session's zone, so the
"same" export differed by engine and a time read back from a SQLite export was ambiguous.
Now every time is written in the workshop's zone (Tokyo by default), with its offset."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _fresh_postgres_database
from tests.export.conftest import SLUG, scored_workshop
from toolkit.export.json_export import render_json
from toolkit.store import Store
from toolkit.summary import summarize

ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?$")


def _times_replaced(value: Any, seen: list[str]) -> Any:
    """The document with every ISO time replaced by a marker; the times go to ``seen``."""
    if isinstance(value, dict):
        return {k: _times_replaced(v, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [_times_replaced(v, seen) for v in value]
    if isinstance(value, str) and ISO_TIME.match(value):
        seen.append(value)
        return "<time>"
    return value


def _exported(url: str) -> tuple[dict[str, Any], list[str]]:
    with Store.open(url) as store:
        scored_workshop(store, {"resident": 3, "staff": 2})
        document = json.loads(render_json(summarize(store, SLUG), lang="en"))
    document.pop("generator", None)
    times: list[str] = []
    return _times_replaced(document, times), times


@pytest.mark.postgres
def test_sqlite_and_postgresql_export_the_same_document(
    tmp_path: Path, postgres_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("URESHII_TIME_ZONE", raising=False)
    on_sqlite, sqlite_times = _exported(str(tmp_path / "w.sqlite"))
    on_postgres, postgres_times = _exported(_fresh_postgres_database(postgres_server_url))

    assert len(sqlite_times) == len(postgres_times) > 10
    assert all(t.endswith("+09:00") for t in sqlite_times + postgres_times), {
        t for t in sqlite_times + postgres_times if not t.endswith("+09:00")
    }
    assert on_sqlite == on_postgres
