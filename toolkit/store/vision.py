"""The vision: drafts and the consent each draft got."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select

from toolkit.errors import InvalidInputError, NotFoundError
from toolkit.model import Consent, Vision
from toolkit.store import tables as s
from toolkit.store.charter import CharterStore
from toolkit.store.core import _check_level, _insert, _required_text, now


class VisionStore(CharterStore):
    """Vision drafts and their consent."""

    def draft_vision(
        self, slug: str, text: str, *, themes: Sequence[str] = (), actor: str = "table"
    ) -> Vision:
        """Record the next draft of the vision statement, drawn from ``themes`` (keys).

        Drafts are never overwritten: each is a new version, so the record shows how the
        group's wording moved.
        """
        text = _required_text(text, "text", limit=2000)

        def work(conn: Connection) -> Vision:
            wid = self._workshop_id(conn, slug)
            for key in themes:
                self._key_id(conn, s.themes, wid, key, "theme")
            latest = conn.execute(
                select(func.max(s.visions.c.version)).where(s.visions.c.workshop_id == wid)
            ).scalar()
            version, at = int(latest or 0) + 1, now()
            vid = _insert(
                conn,
                s.visions,
                workshop_id=wid,
                version=version,
                text=text,
                themes=list(themes),
                created_at=at,
            )
            self._event(conn, wid, "vision_drafted", actor, {"version": version})
            return Vision(vid, version, text, tuple(themes), at)

        return self._write(work)

    def visions(self, slug: str) -> list[Vision]:
        """Every vision draft, oldest first (the last one is the current vision)."""
        return [
            Vision(r.id, r.version, r.text, tuple(r.themes), r.created_at)
            for r in self._rows(slug, s.visions)
        ]

    def record_vision_consent(
        self, slug: str, token: str, level: int, *, version: int | None = None
    ) -> None:
        """Consent (fist of five) to a vision draft; once per person and draft.

        ``version`` is the draft the person read (a phone sends it with its answer); without
        it, the newest draft. An answer to a draft that is no longer the newest is refused
        (``vision_changed``): the person has not seen what the table now proposes.
        """
        _check_level(level)
        if version is not None and (
            isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 2**31
        ):
            raise NotFoundError("not_found_vision")

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            row = conn.execute(
                select(s.visions)
                .where(s.visions.c.workshop_id == wid)
                .order_by(s.visions.c.version.desc())
                .limit(1)
            ).first()
            if row is None:
                raise NotFoundError("not_found_vision")
            if version is not None and row.version != version:
                raise InvalidInputError("vision_changed", version=version, newest=row.version)
            self._insert_consent(conn, wid, token, level, {"vision_id": row.id}, row.version)
            self._event(
                conn,
                wid,
                "vision_consent_given",
                "participant",
                {"version": row.version, "level": level},
            )

        self._write(work)

    def vision_consents(self, slug: str, version: int) -> list[Consent]:
        def work(conn: Connection) -> list[Consent]:
            wid = self._workshop_id(conn, slug)
            query = (
                select(s.consents.c.participant_id, s.consents.c.level)
                .join(s.visions, s.consents.c.vision_id == s.visions.c.id)
                .where(s.visions.c.workshop_id == wid, s.visions.c.version == version)
                .order_by(s.consents.c.id)
            )
            return [Consent(r.participant_id, r.level) for r in conn.execute(query)]

        return self._read(work)
