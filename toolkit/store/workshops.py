"""Workshops: created from a workshop file in one transaction, read, and moved from phase
to phase."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from toolkit import ballots as ballot_rules
from toolkit.errors import InvalidInputError, NotFoundError
from toolkit.model import PHASES, Workshop
from toolkit.store import tables as s
from toolkit.store.ballots import BallotStore
from toolkit.store.core import _insert, now
from toolkit.store.followup import FollowupStore
from toolkit.store.happiness import HappinessStore
from toolkit.store.issues import IssueStore
from toolkit.store.surveys import SurveyStore


class WorkshopStore(HappinessStore, IssueStore, BallotStore, SurveyStore, FollowupStore):
    """Workshops and their phases."""

    def load_workshop_file(self, path: str | os.PathLike[str]) -> Workshop:
        """Validate a workshop YAML file and create its workshop in the store."""
        from toolkit.workshop_file import load_workshop_file

        return self.create_workshop(load_workshop_file(Path(path)))

    def create_workshop(self, spec: Any) -> Workshop:
        """Create a workshop from a validated ``WorkshopSpec`` (or a dict of the same shape).

        Stakeholders, seed themes, criteria, issues (with their links), the town-meeting
        ballots (as drafts) and what the file says of the time after the workshop (each
        issue's roadmap item, its indicators and their measurements) are created in the same
        transaction: a failure leaves no workshop at all.
        """
        data: dict[str, Any] = (
            spec.model_dump(mode="json")
            if hasattr(spec, "model_dump")
            # Kept as JSON: a date (a baseline, a measurement …) as ISO text.
            else json.loads(json.dumps(dict(spec), default=_iso, ensure_ascii=False))
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
            self._load_followup(conn, data)
            self._load_surveys(conn, data)
            return wid

        self._write(work)
        return self.workshop(data["id"])

    def _load_followup(self, conn: Connection, data: dict[str, Any]) -> None:
        """The file's roadmap items, indicators and measurements, written through the
        follow-up methods (their rules, their events) on ``conn``, the transaction that
        creates the workshop."""
        issues = [i for i in data.get("issues") or [] if i.get("roadmap") or i.get("indicators")]
        if not issues:
            return
        slug = data["id"]
        with self._on_connection(conn):
            for issue in issues:
                roadmap = issue.get("roadmap")
                if roadmap:
                    self.set_roadmap_item(
                        slug,
                        issue["id"],
                        roadmap["period"],
                        owner_department=roadmap.get("owner_department") or "",
                        budget_line=roadmap.get("budget_line") or "",
                        review_on=_day(roadmap.get("review_on")),
                        depends_on=roadmap.get("depends_on") or [],
                    )
            for issue in issues:
                for item in issue.get("indicators") or []:
                    self.add_indicator(
                        slug,
                        issue["id"],
                        item["name"],
                        direction=item["direction"],
                        baseline=item["baseline"],
                        baseline_on=_required_day(item["baseline_on"]),
                        target=item["target"],
                        target_on=_required_day(item["target_on"]),
                        unit=item.get("unit") or "",
                        source=item.get("source") or "",
                        key=item["id"],
                    )
                    for measured in item.get("measurements") or []:
                        self.record_measurement(
                            slug,
                            item["id"],
                            measured["value"],
                            _required_day(measured["measured_on"]),
                            entered_by=measured["entered_by"],
                            note=measured.get("note") or "",
                        )

    def _load_surveys(self, conn: Connection, data: dict[str, Any]) -> None:
        """The file's surveys (their waves as drafts) and the indicators a survey question
        measures, written through the survey methods on ``conn``."""
        slug = data["id"]
        with self._on_connection(conn):
            for survey in data.get("surveys") or []:
                self.define_survey(slug, survey, actor="system")
            for issue in data.get("issues") or []:
                for item in issue.get("indicators") or []:
                    linked = item.get("survey")
                    if linked:
                        self.link_indicator_to_survey(
                            slug, item["id"], linked["survey"], linked["question"]
                        )

    @contextmanager
    def _on_connection(self, conn: Connection) -> Iterator[None]:
        """Every write and read of this thread runs on ``conn`` (one transaction, whose own
        uncommitted rows the reads see) until the block ends."""
        batch = getattr(self._batch, "connection", None)
        pinned = getattr(self._snapshot, "connection", None)
        self._batch.connection = conn
        self._snapshot.connection = conn
        try:
            yield
        finally:
            self._batch.connection = batch
            self._snapshot.connection = pinned

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


def _iso(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _day(value: Any) -> date | None:
    """A day from the spec: a ``date``, ISO text (a spec dumped as JSON) or nothing."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _required_day(value: Any) -> date:
    day = _day(value)
    if day is None:
        raise InvalidInputError("date_required", value=value)
    return day


def _workshop(row: Row[Any]) -> Workshop:
    return Workshop(
        row.id, row.slug, row.title, row.lang, row.phase, row.created_at, dict(row.spec)
    )
