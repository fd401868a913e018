"""Workshops: created from a workshop file in one transaction, read, and moved from phase
to phase."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from toolkit import ballots as ballot_rules
from toolkit.errors import InvalidInputError, NotFoundError
from toolkit.model import PHASES, Workshop
from toolkit.store import tables as s
from toolkit.store.ballots import BallotStore
from toolkit.store.core import _insert, now
from toolkit.store.happiness import HappinessStore
from toolkit.store.issues import IssueStore


class WorkshopStore(HappinessStore, IssueStore, BallotStore):
    """Workshops and their phases."""

    def load_workshop_file(self, path: str | os.PathLike[str]) -> Workshop:
        """Validate a workshop YAML file and create its workshop in the store."""
        from toolkit.workshop_file import load_workshop_file

        return self.create_workshop(load_workshop_file(Path(path)))

    def create_workshop(self, spec: Any) -> Workshop:
        """Create a workshop from a validated ``WorkshopSpec`` (or a dict of the same shape).

        Stakeholders, seed themes, criteria, issues (with their links) and the town-meeting
        ballots (as drafts) are created in the same transaction.
        """
        data: dict[str, Any] = (
            spec.model_dump(mode="json") if hasattr(spec, "model_dump") else dict(spec)
        )
        phases = [p["id"] for p in data.get("phases") or []] or list(PHASES)

        def work(conn: Connection) -> int:
            if conn.execute(
                select(s.workshops.c.id).where(s.workshops.c.slug == data["id"])
            ).first():
                raise InvalidInputError("workshop_exists", slug=data["id"])
            at = now()
            wid = _insert(
                conn,
                s.workshops,
                slug=data["id"],
                title=data["title"],
                lang=data["lang"],
                phase=phases[0],
                spec=data,
                created_at=at,
            )
            ids: dict[str, dict[str, int]] = {"stakeholders": {}, "themes": {}}
            for item in data.get("stakeholders", []):
                ids["stakeholders"][item["id"]] = self._insert_stakeholder(
                    conn,
                    wid,
                    item["id"],
                    item["name"],
                    item.get("category", "other"),
                    item.get("prompt", ""),
                )
            for item in data.get("themes", []):
                ids["themes"][item["id"]] = self._insert_theme(
                    conn, wid, item["id"], item["name"], item.get("description", "")
                )
            for item in data.get("criteria", []):
                scale = item.get("scale") or {}
                conn.execute(
                    insert(s.criteria).values(
                        workshop_id=wid,
                        key=item["id"],
                        name=item["name"],
                        description=item.get("description", ""),
                        direction=item.get("direction", "benefit"),
                        scale_min=scale.get("min", 1),
                        scale_max=scale.get("max", 5),
                        anchors={str(k): v for k, v in (scale.get("anchors") or {}).items()},
                        created_at=at,
                    )
                )
            for item in data.get("issues", []):
                self._insert_issue(conn, wid, item, ids["themes"], ids["stakeholders"])
            meeting = data.get("town_meeting") or {}
            costs = {i["id"]: i.get("cost") for i in data.get("issues", [])}
            for item in meeting.get("ballots", []):
                settings = {
                    k: item[k] for k in ballot_rules.SETTING_NAMES if item.get(k) is not None
                }
                if ballot_rules.ballot_rule(item["rule"]).needs_costs:
                    settings["costs"] = {o: costs.get(o) for o in item["options"]}
                if meeting.get("identity") == "codes":  # printed codes, or paper entered by staff
                    settings["eligible"] = ["code", "paper"]
                self._insert_ballot(
                    conn,
                    wid,
                    item["id"],
                    item["title"],
                    "town_meeting",
                    item["rule"],
                    item["options"],
                    settings,
                    meeting.get("results", "hidden_until_close"),
                )
            self._event(conn, wid, "workshop_created", "facilitator", {"slug": data["id"]})
            return wid

        self._write(work)
        return self.workshop(data["id"])

    def workshop(self, slug: str) -> Workshop:
        row = self._read(
            lambda c: c.execute(select(s.workshops).where(s.workshops.c.slug == slug)).first()
        )
        if row is None:
            raise NotFoundError("not_found_workshop", slug=slug)
        return _workshop(row)

    def workshops(self) -> list[Workshop]:
        rows = self._read(lambda c: c.execute(select(s.workshops).order_by(s.workshops.c.id)).all())
        return [_workshop(r) for r in rows]

    def set_phase(self, slug: str, phase: str) -> Workshop:
        """Move the workshop to ``phase`` (one of ``model.PHASES``)."""
        if phase not in PHASES:
            raise InvalidInputError("invalid_phase", value=phase, allowed=", ".join(PHASES))

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            conn.execute(update(s.workshops).where(s.workshops.c.id == wid).values(phase=phase))
            self._event(conn, wid, "phase_changed", "facilitator", {"phase": phase})

        self._write(work)
        return self.workshop(slug)


def _workshop(row: Row[Any]) -> Workshop:
    return Workshop(
        row.id, row.slug, row.title, row.lang, row.phase, row.created_at, dict(row.spec)
    )
