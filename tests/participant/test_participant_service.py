"""What the phone pages' service keeps between requests, on a real SQLite store: a workshop
snapshot is read again every ``VIEW_TTL`` seconds, and a read that finds the same
definitions keeps the snapshot, and the pages rendered from it, until something a page
shows has changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.server.participant import service as service_module
from toolkit.server.participant.pages import rendered_pages
from toolkit.server.participant.service import ParticipantService
from toolkit.store import Store
from toolkit.workshop_file import write_template

OPTIONS = ["madoguchi-konzatsu", "kenshin-henko"]


def test_a_snapshot_lives_while_its_definitions_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = str(tmp_path / "town.sqlite")
    with Store.open(url) as store:
        slug = store.load_workshop_file(
            write_template(tmp_path / "town.yaml", "town-meeting", "ja")
        ).slug
        store.create_ballot(slug, "q", "どちら", rule="approval", options=OPTIONS)
        store.open_ballot(slug, "q")
    service = ParticipantService(url, secret="s" * 32)
    monkeypatch.setattr(service_module, "VIEW_TTL", 0.0)  # read the store on every call
    try:
        first = service.view(slug)
        rendered_pages(service, first)["join page"] = "<html>…</html>"
        with Store.open(url) as store:
            store.join(slug)  # people and votes are not definitions
        again = service.view(slug)
        assert again is first, "nothing a page shows changed: the same snapshot"
        assert rendered_pages(service, again) == {"join page": "<html>…</html>"}

        with Store.open(url) as store:
            store.close_ballot(slug, "q")
        changed = service.view(slug)
        assert changed is not first and changed.ballots["q"].status == "closed"
        assert rendered_pages(service, changed) == {}, "no page outlives its definitions"

        with Store.open(url) as store:
            store.set_phase(slug, "town_meeting")
        assert service.view(slug).workshop.phase == "town_meeting"
    finally:
        service.close()


def test_a_miss_reads_again_but_a_flood_of_misses_does_not_read_on_every_request(
    tmp_path: Path,
) -> None:
    """A ballot opened in the store after the snapshot was read is found by the first
    request that names it (one more read); requests for a ballot that exists nowhere read
    the workshop at most ``REREADS_PER_SECOND`` times a second, however many come."""
    from toolkit.errors import NotFoundError

    url = str(tmp_path / "town.sqlite")
    with Store.open(url) as store:
        slug = store.load_workshop_file(
            write_template(tmp_path / "town.yaml", "town-meeting", "ja")
        ).slug
    service = ParticipantService(url, secret="s" * 32)
    reads: list[str] = []
    ballots = service.store.ballots

    def counted(slug: str) -> object:  # the real read, written down
        reads.append(slug)
        return ballots(slug)

    service.store.ballots = counted  # type: ignore[method-assign]
    try:
        service.view(slug)
        assert len(reads) == 1
        with Store.open(url) as store:
            store.create_ballot(slug, "new", "新しい", rule="approval", options=OPTIONS)
            store.open_ballot(slug, "new")
        _, ballot = service.looked_up(slug, lambda view: view.ballot("new"))
        assert ballot.status == "open" and len(reads) == 2
        service.looked_up(slug, lambda view: view.ballot("new"))
        assert len(reads) == 2, "found in the snapshot: no read"
        for _ in range(50):
            with pytest.raises(NotFoundError):
                service.looked_up(slug, lambda view: view.ballot("nowhere"))
        # the read for "new" and those for "nowhere" share the second's allowance
        assert len(reads) == 1 + service_module.REREADS_PER_SECOND
    finally:
        service.close()
