"""The happiness map: stakeholders, themes and the cards people write."""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from toolkit.errors import NotFoundError
from toolkit.model import HappinessCard, Stakeholder, Theme
from toolkit.store import tables as s
from toolkit.store.core import StoreCore, _insert, _required_text, now

CARD_MAX_CHARS = 500


class HappinessStore(StoreCore):
    """Stakeholders, themes and happiness cards."""

    @staticmethod
    def _insert_stakeholder(
        conn: Connection, wid: int, key: str, name: str, category: str, prompt: str
    ) -> int:
        return _insert(
            conn,
            s.stakeholders,
            workshop_id=wid,
            key=key,
            name=name,
            category=category,
            prompt=prompt,
            created_at=now(),
        )

    @staticmethod
    def _insert_theme(conn: Connection, wid: int, key: str, name: str, description: str) -> int:
        return _insert(
            conn,
            s.themes,
            workshop_id=wid,
            key=key,
            name=name,
            description=description,
            created_at=now(),
        )

    def add_stakeholder(
        self,
        slug: str,
        name: str,
        *,
        key: str | None = None,
        category: str = "other",
        prompt: str = "",
        actor: str = "table",
    ) -> Stakeholder:
        """Add a stakeholder (e.g. 子育て世帯) to the happiness map."""
        name = _required_text(name, "name")

        def work(conn: Connection) -> Stakeholder:
            wid = self._workshop_id(conn, slug)
            new_key = key or self._new_key(conn, s.stakeholders, wid, name, "stakeholder")
            sid = self._insert_stakeholder(conn, wid, new_key, name, category, prompt)
            self._event(conn, wid, "stakeholder_added", actor, {"key": new_key})
            return Stakeholder(sid, new_key, name, category, prompt)

        return self._write(work)

    def stakeholders(self, slug: str) -> list[Stakeholder]:
        rows = self._rows(slug, s.stakeholders)
        return [Stakeholder(r.id, r.key, r.name, r.category, r.prompt) for r in rows]

    def add_theme(
        self,
        slug: str,
        name: str,
        *,
        key: str | None = None,
        description: str = "",
        actor: str = "table",
    ) -> Theme:
        """Add a happiness theme that cards can be grouped under."""
        name = _required_text(name, "name")

        def work(conn: Connection) -> Theme:
            wid = self._workshop_id(conn, slug)
            new_key = key or self._new_key(conn, s.themes, wid, name, "theme")
            tid = self._insert_theme(conn, wid, new_key, name, description)
            self._event(conn, wid, "theme_added", actor, {"key": new_key})
            return Theme(tid, new_key, name, description)

        return self._write(work)

    def themes(self, slug: str) -> list[Theme]:
        return [Theme(r.id, r.key, r.name, r.description) for r in self._rows(slug, s.themes)]

    def add_card(
        self,
        slug: str,
        text: str,
        *,
        stakeholder: str | None = None,
        token: str | None = None,
        actor: str = "table",
    ) -> HappinessCard:
        """Post a happiness card: what would make ``stakeholder`` glad (うれしい)."""
        text = _required_text(text, "text", limit=CARD_MAX_CHARS)

        def work(conn: Connection) -> HappinessCard:
            wid = self._workshop_id(conn, slug)
            sid = (
                self._key_id(conn, s.stakeholders, wid, stakeholder, "stakeholder")
                if stakeholder
                else None
            )
            pid = self._participant_id(conn, wid, token) if token else None
            at = now()
            card_id = _insert(
                conn,
                s.cards,
                workshop_id=wid,
                stakeholder_id=sid,
                participant_id=pid,
                text=text,
                created_at=at,
            )
            self._event(
                conn, wid, "card_added", "participant" if token else actor, {"card": card_id}
            )
            return HappinessCard(card_id, text, stakeholder, None, at)

        return self._write(work)

    def group_card(
        self, slug: str, card_id: int, theme: str | None, *, actor: str = "table"
    ) -> None:
        """Put a card under ``theme`` (a theme key), or take it out with ``None``."""

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            tid = self._key_id(conn, s.themes, wid, theme, "theme") if theme else None
            done = conn.execute(
                update(s.cards)
                .where(s.cards.c.id == card_id, s.cards.c.workshop_id == wid)
                .values(theme_id=tid)
            )
            if done.rowcount != 1:
                raise NotFoundError("not_found_card", key=str(card_id))
            self._event(conn, wid, "card_grouped", actor, {"card": card_id, "theme": theme})

        self._write(work)

    def cards(self, slug: str) -> list[HappinessCard]:
        def work(conn: Connection) -> list[HappinessCard]:
            wid = self._workshop_id(conn, slug)
            query = (
                select(
                    s.cards.c.id,
                    s.cards.c.text,
                    s.cards.c.created_at,
                    s.stakeholders.c.key.label("stakeholder"),
                    s.themes.c.key.label("theme"),
                )
                .select_from(
                    s.cards.outerjoin(
                        s.stakeholders, s.cards.c.stakeholder_id == s.stakeholders.c.id
                    ).outerjoin(s.themes, s.cards.c.theme_id == s.themes.c.id)
                )
                .where(s.cards.c.workshop_id == wid)
                .order_by(s.cards.c.id)
            )
            return [
                HappinessCard(r.id, r.text, r.stakeholder, r.theme, r.created_at)
                for r in conn.execute(query)
            ]

        return self._read(work)
