"""Moments come back from the store the same on every engine: aware, in UTC.

SQLite keeps no time zone and PostgreSQL answers in its session's zone; without one column
type for both, a screen or an export would show a different time (or a naive one) depending
on where the workshop is stored."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import text

from tests.workshop_data import small_workshop
from toolkit.store import Store

SLUG = "tsuru-dx"


def test_every_moment_read_back_is_utc(empty_store: Store) -> None:
    empty_store.create_workshop(small_workshop(SLUG))
    empty_store.set_phase(SLUG, "vision")
    empty_store.draft_vision(SLUG, "窓口に行かなくても済むまち", themes=[])

    moments = [e.at for e in empty_store.changes(SLUG)] + [
        v.created_at for v in empty_store.visions(SLUG)
    ]
    assert moments
    assert all(m.tzinfo is UTC for m in moments), moments


def test_a_tokyo_session_reads_the_same_instant_in_utc(database_url: str) -> None:
    with Store.open(database_url) as store:
        store.create_workshop(small_workshop(SLUG))
        written = store.changes(SLUG)[0].at
        if store.engine.dialect.name != "postgresql":
            assert written.tzinfo is UTC
            return
    tokyo = (
        database_url + ("&" if "?" in database_url else "?") + "options=-c%20TimeZone%3DAsia/Tokyo"
    )
    with Store.open(tokyo) as store:
        with store.engine.connect() as conn:
            assert conn.execute(text("SHOW TimeZone")).scalar() == "Asia/Tokyo"
            raw = conn.execute(text("SELECT at FROM events ORDER BY seq LIMIT 1")).scalar()
        read = store.changes(SLUG)[0].at

    assert raw.utcoffset() == timedelta(hours=9)  # what the driver alone would hand over
    assert read == written and read.tzinfo is UTC and read.isoformat() == written.isoformat()
