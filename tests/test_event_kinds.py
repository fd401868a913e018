"""One list of event kinds (toolkit.model.EVENT_KINDS): the store writes no other, and every
kind a screen listens for is on it, so a misspelt kind cannot leave a screen silently deaf."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection

import widgets.ui
from tests.workshop_data import small_workshop
from toolkit.model import EVENT_KINDS
from toolkit.store import Store


def test_every_kind_a_screen_listens_for_is_one_the_store_writes() -> None:
    listened = {name: kinds for name, kinds in vars(widgets.ui).items() if name.endswith("_EVENTS")}
    assert len(listened) >= 6
    assert {name: set(kinds) - EVENT_KINDS for name, kinds in listened.items()} == {
        name: set() for name in listened
    }


def test_the_store_refuses_an_event_kind_not_on_the_list(empty_store: Store) -> None:
    empty_store.create_workshop(small_workshop("tsuru-dx"))

    def misspelt(conn: Connection) -> None:
        wid = empty_store._workshop_id(conn, "tsuru-dx")
        empty_store._event(conn, wid, "card_aded", "table", {})

    with pytest.raises(ValueError, match="card_aded"):
        empty_store._write(misspelt)
    assert all(e.kind in EVENT_KINDS for e in empty_store.changes("tsuru-dx"))
