"""A real ``ureshii serve`` on a town-meeting workshop, and a small JSON client for its API.

``meeting`` is one server per module on a fresh store made from the town-meeting template
(SQLite, or PostgreSQL for the tests that ask for ``pg_meeting``). Phones are plain HTTP
clients here; the browser tests drive Chromium against the same kind of server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.server.server_helpers import ServerProcess, start_server
from toolkit.store import Store
from toolkit.workshop_file import write_template

#: The town-meeting template's issues used as ballot options, their English titles, and a
#: budget ballot's settings (Equal Shares over them).
A, B, C, D = "madoguchi-konzatsu", "kenshin-henko", "online-shinsei", "kosodate-push"
TITLES = {
    A: "Shorter queues at the front desk",
    B: "Reschedule health checks online",
    C: "Childcare procedures from your phone",
    D: "Childcare support notices",
}
BUDGET = {"budget": 10_000_000, "costs": {A: 8_000_000, B: 3_000_000, C: 2_000_000, D: 1}}


@dataclass
class Meeting:
    """A server, its store and the workshop's slug."""

    server: ServerProcess
    database: str
    slug: str

    def store(self) -> Store:
        return Store.open(self.database)

    def api(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        facilitator: bool = False,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any]:
        """``(status, parsed JSON)`` of one API call under ``/api/v1/workshops/<slug>``."""
        headers = {"Content-Type": content_type}
        if facilitator:
            token = self.server.secret
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        full = path if path.startswith("/api/") else f"/api/v1/workshops/{self.slug}{path}"
        reply = self.server.request(full, method=method, headers=headers, data=data)
        return reply.status, json.loads(reply.body) if reply.body else None

    def join(self, **body: Any) -> str:
        status, joined = self.api("POST", "/join", body)
        assert status == 201, joined
        token: str = joined["token"]
        return token

    def ballot(self, key: str, rule: str, options: list[str], **settings: Any) -> None:
        """Create and open a ballot through the facilitator API."""
        status, created = self.api(
            "POST",
            "/ballots",
            {
                "key": key,
                "title": f"Ballot {key}",
                "rule": rule,
                "options": options,
                "settings": settings,
            },
            facilitator=True,
        )
        assert status == 201, created
        status, opened = self.api("POST", f"/ballots/{key}/open", facilitator=True)
        assert status == 200 and opened["status"] == "open", opened

    def new_phones_vote(self, key: str, choices: list[Any]) -> None:
        """One new phone per choice joins and votes it on ballot ``key``."""
        for choice in choices:
            status, body = self.api(
                "POST", f"/ballots/{key}/votes", {"vote": choice}, token=self.join()
            )
            assert status == 201, body

    def votes(self, key: str) -> int:
        with self.store() as store:
            return len(store.votes(self.slug, key))


def start_meeting(folder: Path, database: str, name: str, lang: str = "en", **env: str) -> Meeting:
    """A server on a fresh town-meeting workshop in ``database`` (``env``: more variables for
    the server). The caller stops it: ``meeting.server.stop()``."""
    spec = write_template(folder / "town.yaml", "town-meeting", lang)  # type: ignore[arg-type]
    with Store.open(database) as store:
        slug = store.load_workshop_file(spec).slug
    running = start_server(name, env={"URESHII_DATABASE_URL": database, **env})
    return Meeting(running, database, slug)


def _meeting(folder: Path, database: str, name: str, lang: str = "en") -> Iterator[Meeting]:
    meeting = start_meeting(folder, database, name, lang)
    try:
        yield meeting
    finally:
        meeting.server.stop()


@pytest.fixture(scope="module")
def meeting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Meeting]:
    folder = tmp_path_factory.mktemp("meeting")
    yield from _meeting(folder, str(folder / "town.sqlite"), "participant")


@pytest.fixture(scope="module")
def pg_meeting(
    tmp_path_factory: pytest.TempPathFactory, postgres_server_url: str
) -> Iterator[Meeting]:
    from tests.conftest import _fresh_postgres_database

    folder = tmp_path_factory.mktemp("pg-meeting")
    yield from _meeting(folder, _fresh_postgres_database(postgres_server_url), "participant-pg")
