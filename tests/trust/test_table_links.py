"""Table links: a table laptop reaches its own table's apps and nothing else.

A real ``ureshii serve`` on a town meeting. The table link's cookie is walked over every
route of the real route table with several methods: a route a table may use (its apps'
static files and kernel connections) passes the gate, every other facilitator route answers
the 403 page, no kernel starts, and the facilitator's API refuses the cookie. Another
table's app, the console, the kernel list and the file tree stay closed; a forged or
revoked cookie opens nothing; and in Chromium the link opens the table app, whose console
link answers 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.participant.conftest import Meeting
from tests.server.server_helpers import (
    TEST_SECRET,
    Response,
    build_app_in_test_process,
    wait_until,
)
from tests.trust.trust_helpers import copy_apps, new_town_meeting, serve_meeting
from toolkit.server.access import FacilitatorAccess
from toolkit.server.routes import Route
from toolkit.server.table_links import TABLE_COOKIE, TableAccess, table_link, table_link_key

METHODS = ("GET", "POST", "DELETE")
KEY = table_link_key(TEST_SECRET)
KERNEL_START_MS = 120_000


class Room:
    """The server, its route table and helpers to act as table laptop ``n``."""

    def __init__(self, meeting: Meeting, routes: list[Route]) -> None:
        self.meeting = meeting
        self.routes = routes
        self.server = meeting.server

    def generation(self, table: int) -> int:
        with self.meeting.store() as store:
            return store.table_link_generation(self.meeting.slug, table)

    def link(self, table: int) -> str:
        return table_link(KEY, "/", self.meeting.slug, table, self.generation(table))

    def cookie(self, table: int) -> str:
        """Open table ``table``'s link as its laptop would; the cookie it sets."""
        reply = self.server.request(self.link(table))
        assert reply.status == 200, reply.body[:300]
        set_cookie = reply.header("Set-Cookie")
        assert set_cookie.startswith(f"{TABLE_COOKIE}=")
        return set_cookie.split(";", 1)[0]

    def as_table(self, path: str, cookie: str, method: str = "GET") -> Response:
        return self.server.request(path, method=method, headers={"Cookie": cookie})


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    folder = copy_apps(tmp_path_factory.mktemp("tables") / "apps")
    database = str(folder / "town.sqlite")
    slug = new_town_meeting(folder, database)
    app = build_app_in_test_process(
        notebook_dir=folder, access=FacilitatorAccess(TEST_SECRET), port=0
    )
    routes = app.describe_routes()
    meeting = serve_meeting("tables", database, slug, folder=folder)
    try:
        yield Room(meeting, routes)
    finally:
        meeting.server.stop()


def _forbidden(reply: Response) -> bool:
    return reply.status == 403 and "Facilitator link needed" in reply.body


def test_the_link_sets_a_strict_table_cookie_and_opens_the_table_app(room: Room) -> None:
    reply = room.server.request(room.link(1))
    assert reply.status == 200
    assert 'url=/voila/render/table.ipynb?table=1"' in reply.body
    assert "1番テーブル" in reply.body and "table 1" in reply.body
    cookie = reply.header("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert TEST_SECRET not in cookie and KEY not in cookie


@pytest.mark.parametrize(
    "path",
    [
        "/t/{slug}/1?key=guess",
        "/t/{slug}/1",
        "/t/{slug}/2?key={key1}",  # table 1's key is not table 2's
        "/t/no-such-town/1?key={key1}",
    ],
    ids=["wrong-key", "no-key", "other-table", "other-workshop"],
)
def test_a_wrong_link_opens_nothing(room: Room, path: str) -> None:
    key1 = room.link(1).split("key=")[1]
    reply = room.server.request(path.format(slug=room.meeting.slug, key1=key1))
    assert _forbidden(reply) and "Set-Cookie" not in reply.headers


def test_the_walk_a_table_cookie_passes_only_its_apps_resources(room: Room) -> None:
    cookie = room.cookie(1)
    before = room.server.kernel_pids()
    passed, refused = [], []
    for route in room.routes:
        if route.access != "facilitator":
            continue
        for method in METHODS:
            reply = room.as_table(route.probe, cookie, method)
            assert reply.status < 500, (method, route.probe, reply.status)
            if TableAccess.allows(route.probe.split("?")[0], "", 1, method=method):
                assert not _forbidden(reply), (method, route.probe)
                passed.append(route.probe)
            else:
                assert _forbidden(reply), (method, route.probe, reply.status)
                refused.append(route.probe)
    assert room.server.kernel_pids() <= before, "the walk started a kernel"
    assert any("/channels" in p for p in passed) and any("voila.js" in p for p in passed)
    assert any("console.ipynb" in p for p in refused) and any(p == "/voila/tree" for p in refused)
    assert any(p.startswith("/api/kernels/") and "/channels" not in p for p in refused)


@pytest.mark.parametrize(
    "path",
    [
        "/voila/render/table.ipynb?table=2",  # another table's app
        "/voila/render/table.ipynb",  # no table: the laptop could pose as any
        "/voila/render/console.ipynb?table=1",
        "/voila/render/method.ipynb?table=1",  # the facilitator's method app
        "/voila/render/board.ipynb?table=1",
        "/voila/render/paper.ipynb?table=1",
        "/api/kernels",
        "/api/sessions",
        "/voila/tree",
        "/voila/api/contents",
        "/voila/files/town.sqlite",
    ],
)
def test_a_table_cannot_open_what_is_not_its_own(room: Room, path: str) -> None:
    before = room.server.kernel_pids()
    assert _forbidden(room.as_table(path, room.cookie(1)))
    assert room.server.kernel_pids() <= before


def test_the_facilitator_api_refuses_a_table_cookie(room: Room) -> None:
    cookie = room.cookie(1)
    api = f"/api/v1/workshops/{room.meeting.slug}"
    for suffix in ("/ballots", "/codes", "/ballots/x/open", "/ballots/x/close"):
        reply = room.as_table(api + suffix, cookie, "POST")
        assert reply.status in (401, 403), (suffix, reply.status)


@pytest.mark.parametrize("forge", ["table", "generation", "mac", "workshop"])
def test_a_forged_table_cookie_opens_nothing(room: Room, forge: str) -> None:
    name, value = room.cookie(1).split("=", 1)
    slug, table, generation, mac = value.split(".")
    if forge == "table":
        table = "2"
    elif forge == "generation":
        generation = str(int(generation) + 1)
    elif forge == "mac":
        mac = ("0" if mac[0] != "0" else "1") + mac[1:]
    else:
        slug = "other-town"
    forged = f"{name}={slug}.{table}.{generation}.{mac}"
    assert _forbidden(room.as_table("/voila/static/voila.js", forged))
    assert _forbidden(room.as_table(f"/voila/render/table.ipynb?table={table}", forged))


def test_a_revoked_link_and_its_cookie_stop_working(room: Room) -> None:
    old_link, cookie = room.link(3), room.cookie(3)
    assert not _forbidden(room.as_table("/voila/static/voila.js", cookie))
    with room.meeting.store() as store:
        assert store.revoke_table_link(room.meeting.slug, 3) == 1
    wait_until(
        lambda: _forbidden(room.as_table("/voila/static/voila.js", cookie)),
        deadline_s=15,
        what="the revoked table cookie to be refused",
    )
    assert _forbidden(room.server.request(old_link))
    assert not _forbidden(room.as_table("/voila/static/voila.js", room.cookie(3)))
    # Other tables are not touched.
    assert not _forbidden(room.as_table("/voila/static/voila.js", room.cookie(4)))


def test_in_a_browser_the_link_opens_the_table_app_and_not_the_console(
    room: Room, browser: Any, tmp_path: Path
) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.goto(room.server.base + room.link(5))
        page.wait_for_url("**/voila/render/table.ipynb?table=5", timeout=KERNEL_START_MS)
        expect(page.get_by_text("Table 5", exact=True)).to_be_visible(timeout=KERNEL_START_MS)
        expect(page.get_by_text("Loading widget...")).to_have_count(0, timeout=KERNEL_START_MS)
        expect(page.get_by_text("Error displaying widget")).to_have_count(0)
        # The table's number comes from its link: no table choice is offered.
        expect(page.get_by_text("This laptop's table")).to_have_count(0)
        console = context.new_page()
        reply = console.goto(room.server.base + "/voila/render/console.ipynb")
        assert reply is not None and reply.status == 403
        expect(console.get_by_text("Facilitator link needed")).to_be_visible()
    except BaseException:
        page.screenshot(path=str(tmp_path / "table-link.png"))
        raise
    finally:
        context.close()
