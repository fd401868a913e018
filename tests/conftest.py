"""Shared fixtures. Store fixtures (SQLite file, real PostgreSQL) live in tests/store_fixtures.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read messages in English unless they ask for a language explicitly."""
    monkeypatch.setenv("URESHII_LANG", "en")
