"""The backlog: issues, their links to themes and stakeholders, ratings and criteria."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, update

from toolkit.errors import InvalidInputError
from toolkit.model import Criterion, Issue
from toolkit.money import amount_problem, exact_amount
from toolkit.store import tables as s
from toolkit.store.core import StoreCore, _insert, _required_text, now


class IssueStore(StoreCore):
    """Issues and the criteria they are scored on."""

    def _insert_issue(
        self,
        conn: Connection,
        wid: int,
        item: Mapping[str, Any],
        theme_ids: Mapping[str, int] | None = None,
        stakeholder_ids: Mapping[str, int] | None = None,
    ) -> int:
        _check_rating(item.get("current"), "current")
        _check_rating(item.get("ideal"), "ideal")
        cost = item.get("cost")
        problem = None if cost is None else amount_problem(cost)
        if problem is not None:  # toolkit.money's rule, as at every door that takes money
            key, params = problem
            key = {
                "amount_too_large": "invalid_cost_too_large",
                "amount_too_precise": "invalid_cost_too_precise",
            }.get(key, "invalid_cost")  # not a number, not finite, negative
            raise InvalidInputError(key, issue=item.get("id"), **params)
        if cost is not None and type(cost) not in (int, float):
            cost = float(exact_amount(cost))  # Decimal, Fraction, numpy: the column is a float
        iid = _insert(
            conn,
            s.issues,
            workshop_id=wid,
            key=item["id"],
            title=item["title"],
            description=item.get("description", ""),
            current=item.get("current"),
            ideal=item.get("ideal"),
            cost=cost,
            year=item.get("year"),
            created_at=now(),
        )
        for key in item.get("themes", []):
            tid = (theme_ids or {}).get(key) or self._key_id(conn, s.themes, wid, key, "theme")
            conn.execute(insert(s.issue_themes).values(issue_id=iid, theme_id=tid))
        for key in item.get("stakeholders", []):
            sid = (stakeholder_ids or {}).get(key) or self._key_id(
                conn, s.stakeholders, wid, key, "stakeholder"
            )
            conn.execute(insert(s.issue_stakeholders).values(issue_id=iid, stakeholder_id=sid))
        return iid

    def add_issue(
        self,
        slug: str,
        title: str,
        *,
        key: str | None = None,
        description: str = "",
        current: int | None = None,
        ideal: int | None = None,
        cost: float | None = None,
        year: int | None = None,
        themes: Sequence[str] = (),
        stakeholders: Sequence[str] = (),
        actor: str = "table",
    ) -> Issue:
        """Add a candidate issue / initiative (課題・施策), linked to the happiness it serves."""
        title = _required_text(title, "title")

        def work(conn: Connection) -> str:
            wid = self._workshop_id(conn, slug)
            new_key = key or self._new_key(conn, s.issues, wid, title, "issue")
            self._insert_issue(
                conn,
                wid,
                {
                    "id": new_key,
                    "title": title,
                    "description": description,
                    "current": current,
                    "ideal": ideal,
                    "cost": cost,
                    "year": year,
                    "themes": list(themes),
                    "stakeholders": list(stakeholders),
                },
            )
            self._event(conn, wid, "issue_added", actor, {"key": new_key})
            return new_key

        new_key = self._write(work)
        return next(i for i in self.issues(slug) if i.key == new_key)

    def add_issues(
        self,
        slug: str,
        items: Sequence[Mapping[str, Any]],
        *,
        actor: str = "facilitator",
        source: str | None = None,
    ) -> list[str]:
        """Add many issues in ONE transaction: all of them, or none if any is refused.

        ``items`` have the shape of a workshop file's issues (``id``, ``title``, optional
        ``description``, ``current``, ``ideal``, ``cost``, ``year``, ``themes``,
        ``stakeholders``). Each gets an ``issue_added`` event (with ``source``, e.g.
        ``"import"``). Returns the keys in order.
        """

        def work(conn: Connection) -> list[str]:
            wid = self._workshop_id(conn, slug)
            keys = []
            for item in items:
                self._insert_issue(conn, wid, item)
                payload = {"key": item["id"]} | ({"source": source} if source else {})
                self._event(conn, wid, "issue_added", actor, payload)
                keys.append(str(item["id"]))
            return keys

        return self._write(work)

    def link_issue(
        self,
        slug: str,
        key: str,
        *,
        themes: Sequence[str] | None = None,
        stakeholders: Sequence[str] | None = None,
        actor: str = "table",
    ) -> Issue:
        """Set which happiness themes and stakeholders an issue serves (``None`` keeps a
        list as it is). The change is recorded as an event with the new links."""

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            iid = self._key_id(conn, s.issues, wid, key, "issue")
            if themes is not None:
                theme_ids = [self._key_id(conn, s.themes, wid, k, "theme") for k in themes]
                conn.execute(s.issue_themes.delete().where(s.issue_themes.c.issue_id == iid))
                for tid in dict.fromkeys(theme_ids):
                    conn.execute(insert(s.issue_themes).values(issue_id=iid, theme_id=tid))
            if stakeholders is not None:
                holder_ids = [
                    self._key_id(conn, s.stakeholders, wid, k, "stakeholder") for k in stakeholders
                ]
                conn.execute(
                    s.issue_stakeholders.delete().where(s.issue_stakeholders.c.issue_id == iid)
                )
                for sid in dict.fromkeys(holder_ids):
                    conn.execute(
                        insert(s.issue_stakeholders).values(issue_id=iid, stakeholder_id=sid)
                    )
            self._event(
                conn,
                wid,
                "issue_linked",
                actor,
                {
                    "key": key,
                    "themes": None if themes is None else list(themes),
                    "stakeholders": None if stakeholders is None else list(stakeholders),
                },
            )

        self._write(work)
        return next(i for i in self.issues(slug) if i.key == key)

    def rate_issue(
        self, slug: str, key: str, *, current: int | None, ideal: int | None, actor: str = "table"
    ) -> None:
        """Rate the current and the ideal state (1–5) of an issue; the gap is ideal − current."""
        _check_rating(current, "current")
        _check_rating(ideal, "ideal")

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            iid = self._key_id(conn, s.issues, wid, key, "issue")
            conn.execute(
                update(s.issues).where(s.issues.c.id == iid).values(current=current, ideal=ideal)
            )
            self._event(
                conn, wid, "issue_rated", actor, {"key": key, "current": current, "ideal": ideal}
            )

        self._write(work)

    def issues(self, slug: str) -> list[Issue]:
        def work(conn: Connection) -> list[Issue]:
            wid = self._workshop_id(conn, slug)
            links: dict[int, dict[str, list[str]]] = {}
            for issue_id, theme in conn.execute(
                select(s.issue_themes.c.issue_id, s.themes.c.key)
                .join(s.themes, s.issue_themes.c.theme_id == s.themes.c.id)
                .where(s.themes.c.workshop_id == wid)
                .order_by(s.themes.c.id)
            ):
                links.setdefault(issue_id, {"themes": [], "stakeholders": []})["themes"].append(
                    theme
                )
            for issue_id, holder in conn.execute(
                select(s.issue_stakeholders.c.issue_id, s.stakeholders.c.key)
                .join(s.stakeholders, s.issue_stakeholders.c.stakeholder_id == s.stakeholders.c.id)
                .where(s.stakeholders.c.workshop_id == wid)
                .order_by(s.stakeholders.c.id)
            ):
                links.setdefault(issue_id, {"themes": [], "stakeholders": []})[
                    "stakeholders"
                ].append(holder)
            rows = conn.execute(
                select(s.issues).where(s.issues.c.workshop_id == wid).order_by(s.issues.c.id)
            )
            return [
                Issue(
                    r.id,
                    r.key,
                    r.title,
                    r.description,
                    r.current,
                    r.ideal,
                    r.cost,
                    r.year,
                    tuple(links.get(r.id, {}).get("themes", ())),
                    tuple(links.get(r.id, {}).get("stakeholders", ())),
                )
                for r in rows
            ]

        return self._read(work)

    def criteria(self, slug: str) -> list[Criterion]:
        return [
            Criterion(
                r.id,
                r.key,
                r.name,
                r.direction,
                r.scale_min,
                r.scale_max,
                {int(k): v for k, v in r.anchors.items()},
                r.description,
            )
            for r in self._rows(slug, s.criteria)
        ]


def _check_rating(value: Any, field: str) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
    ):
        raise InvalidInputError("rating_range", field=field, value=value)
