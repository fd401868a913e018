"""The console's held-back addresses (issue 20, item 1): what a server refused shows in the
console, and the facilitator lifts one address's limit, asked first.

A real SQLite store (``tests/widgets/conftest.py``); the refusals are recorded the way the
server records them (``store.record_rate_limited`` with an address label). Times are checked
against the standard library's own conversion to the workshop's zone (``URESHII_TIME_ZONE``
set to Europe/Berlin here, so a time left in UTC or in Tokyo cannot pass).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.widgets.conftest import SLUG
from toolkit.server.limits import address_label
from toolkit.store import Store
from toolkit.times import ENV_TIME_ZONE
from widgets.console.limits import LimitsPanel
from widgets.context import AppContext
from widgets.live import LiveFeed

BERLIN = ZoneInfo("Europe/Berlin")
ROUTER = "192.168.10.1"


@pytest.fixture(autouse=True)
def _berlin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_TIME_ZONE, "Europe/Berlin")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _rows(panel: LimitsPanel) -> list[list[str]]:
    """The table's body rows as text cells."""
    body = panel.table.value.split("<tbody>")[1]
    return [
        [_text(cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def _clock(moment: datetime) -> str:
    """``HH:MM`` of a UTC moment in Berlin, by the standard library."""
    return moment.astimezone(BERLIN).strftime("%H:%M")


def _zone(moment: datetime, lang: str = "en") -> str:
    """`` (CET, UTC+1)`` / ``（CET、UTC+1）`` of a UTC moment in Berlin (always ahead of UTC)."""
    local = moment.astimezone(BERLIN)
    offset = local.utcoffset()
    assert offset is not None
    hours = int(offset.total_seconds()) // 3600
    if lang == "ja":
        return f"（{local.tzname()}、UTC+{hours}）"
    return f" ({local.tzname()}, UTC+{hours})"


def _shown(panel: LimitsPanel) -> bool:
    return panel.details.layout.display != "none"


def test_nothing_held_back_is_one_calm_line(small_workshop_store: Store) -> None:
    for lang, words in (
        ("ja", "制限されたアドレスはありません"),
        ("en", "No address held back"),
    ):
        panel = LimitsPanel(AppContext.for_store(small_workshop_store, SLUG, lang))
        assert _text(panel.calm.value) == words
        assert panel.calm.layout.display != "none" and not _shown(panel)
        assert panel.lifters == {} and panel.table.value == ""


def test_held_back_addresses_are_listed_and_one_is_lifted_after_a_question(
    small_workshop_store: Store,
) -> None:
    store = small_workshop_store
    public = address_label("93.184.216.34", store.address_key(SLUG))
    assert public.startswith("public-") and "93.184" not in public
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    for refused in (5, 7, 11):  # three reports from the venue's router: 23 writes
        store.record_rate_limited(SLUG, ROUTER, refused)
    store.record_rate_limited(SLUG, public, 2_000)
    after = datetime.now(UTC)
    panel = LimitsPanel(AppContext.for_store(store, SLUG, "en"))

    assert _shown(panel) and panel.calm.layout.display == "none"
    assert "Wi-Fi router" in panel.details.children[1].value
    assert "expected_participants" in panel.details.children[1].value
    rows = _rows(panel)
    assert [r[:2] for r in rows] == [[public, "2,000"], [ROUTER, "23"]]  # most refused first
    for row in rows:
        assert row[2] in {f"{_clock(m)}{_zone(m)}" for m in (before, after)}
        assert row[3] == "held back"
    assert "public-…: an address on the internet side" in panel.public_note.value
    assert set(panel.lifters) == {public, ROUTER}

    lifter = panel.lifters[ROUTER]
    assert lifter.button.description == "Lift for 2 hours"
    seen = len(store.changes(SLUG))
    lifter.button.click()  # asks first: nothing lifted yet
    assert lifter.asking and ROUTER in lifter.question.value
    assert store.allowed_addresses(SLUG) == {} and len(store.changes(SLUG)) == seen
    lifter.cancel.click()
    assert not lifter.asking and store.allowed_addresses(SLUG) == {}
    assert len(store.changes(SLUG)) == seen

    lifter.button.click()
    lifter.yes.click()
    allowed = store.allowed_addresses(SLUG)
    assert list(allowed) == [ROUTER]
    until = allowed[ROUTER]
    assert before + timedelta(minutes=120) <= until <= datetime.now(UTC) + timedelta(minutes=120)
    router_row = next(r for r in _rows(panel) if r[0] == ROUTER)
    assert router_row[3] == f"lifted until {_clock(until)}{_zone(until)}"
    assert list(panel.lifters) == [public]  # the unknown public address stays held back
    assert next(r for r in _rows(panel) if r[0] == public)[3] == "held back"
    day = until.astimezone(BERLIN).strftime("%Y-%m-%d")
    said = f"{ROUTER} may write again until {day} {_clock(until)}{_zone(until)}."
    assert _text(panel.message.value) == f"✓ {said}"


def test_the_panel_follows_the_live_feed(small_workshop_store: Store) -> None:
    store = small_workshop_store
    feed = LiveFeed(store, SLUG)
    panel = LimitsPanel(AppContext.for_store(store, SLUG, "ja"), feed)
    assert not _shown(panel)

    store.record_rate_limited(SLUG, ROUTER, 40)
    assert not _shown(panel)  # not before the feed reports it
    feed.poll_once()
    assert _shown(panel) and panel.calm.layout.display == "none"
    assert [r[:2] + r[3:] for r in _rows(panel)] == [[ROUTER, "40", "制限中"]]
    assert "public-…" not in panel.public_note.value  # only a LAN address: no note

    store.record_rate_limited(SLUG, ROUTER, 60)
    feed.poll_once()
    assert _rows(panel)[0][1] == "100"

    until = store.allow_address(SLUG, ROUTER)  # lifted on another screen
    feed.poll_once()
    assert _rows(panel)[0][3] == f"{_clock(until)}{_zone(until, 'ja')} まで解除中"
    assert panel.lifters == {}


def test_the_console_shows_the_panel_after_the_surveys(small_workshop_store: Store) -> None:
    from widgets.console import FacilitatorConsole

    ctx = AppContext.for_store(small_workshop_store, SLUG, "en")
    console = FacilitatorConsole(ctx, LiveFeed(ctx.store, SLUG))
    children = list(console.children)
    assert children.index(console.limits) == children.index(console.surveys) + 1
    small_workshop_store.record_rate_limited(SLUG, ROUTER, 3)
    console.feed.poll_once()
    assert _rows(console.limits) and _rows(console.limits)[0][:2] == [ROUTER, "3"]
