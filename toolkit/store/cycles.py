"""The next cycle (issue 18, item 4): a new workshop started from a previous one.

:meth:`CycleStore.start_next_cycle` creates, in ONE transaction, a workshop from the
previous one: its stored settings (``Workshop.spec``: criteria, candidate methods, phases,
town-meeting settings, time zone …), its stakeholders and themes and every current issue as
the store holds them (issues added or imported at the workshop included), each issue's
roadmap item and its indicators with their measurements so far (the history goes on; new
measurements are the new cycle's). Votes, scores, cards, charters and consent are not
carried: the new cycle agrees its method and scores again. The link is kept in
``workshop_cycles`` and a ``cycle_started`` event in the new workshop's log names the
previous one.

The new workshop is made by :meth:`WorkshopStore.create_workshop` (its rules, its events;
the roadmap items go through the spec it reads), then the indicators and measurements are
added by the follow-up methods in their original order, all on the same connection as the
link: a refusal anywhere leaves nothing. A carried measurement keeps its value, date, note
and who entered it; its ``created_at`` is the moment the cycle started.

>>> import tempfile, pathlib
>>> from toolkit.store import Store
>>> from toolkit.workshop_file.templates import template_path
>>> with Store.open(pathlib.Path(tempfile.mkdtemp()) / "s.sqlite") as store:
...     old = store.load_workshop_file(template_path("dx-vision", "en")).slug
...     new = store.start_next_cycle(old, "dx-2027", title="DX 2027")
...     (new.title, store.previous_cycle("dx-2027") == old, len(store.issues("dx-2027")) > 0)
('DX 2027', True, True)
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

from sqlalchemy import Connection, select

from toolkit.errors import InvalidInputError, NotFoundError
from toolkit.model import Workshop
from toolkit.store import tables as s
from toolkit.store.core import _insert, now
from toolkit.store.workshops import WorkshopStore
from toolkit.workshop_file.models import SLUG_PATTERN


class CycleStore(WorkshopStore):
    """Workshops started from a previous one, and the link between them."""

    def start_next_cycle(
        self,
        previous_slug: str,
        new_slug: str,
        *,
        title: str | None = None,
        actor: str = "facilitator",
    ) -> Workshop:
        """Start workshop ``new_slug`` as the next cycle of ``previous_slug`` (see the module
        docstring for what is carried). ``title`` defaults to the previous title. Refused:
        an unknown previous workshop, a new id that is taken or not a valid id."""
        if not isinstance(new_slug, str) or not re.fullmatch(SLUG_PATTERN, new_slug):
            raise InvalidInputError("cycle_slug_invalid", slug=new_slug)
        if len(new_slug) > 64:
            raise InvalidInputError("cycle_slug_invalid", slug=new_slug)
        if title is not None and (not isinstance(title, str) or not title.strip()):
            raise InvalidInputError("text_required", field="title")

        def work(conn: Connection) -> Workshop:
            previous = conn.execute(
                select(s.workshops).where(s.workshops.c.slug == previous_slug)
            ).first()
            if previous is None:
                raise NotFoundError("cycle_previous_unknown", slug=previous_slug)
            if conn.execute(select(s.workshops.c.id).where(s.workshops.c.slug == new_slug)).first():
                raise InvalidInputError("workshop_exists", slug=new_slug)
            with self._on_connection(conn):
                data = self._next_spec(previous_slug, dict(previous.spec))
                data["id"] = new_slug
                data["title"] = title.strip() if title is not None else previous.title
                created = self.create_workshop(data)
                # The indicators in the order they were added, then their measurements in
                # the order they were taken (create_workshop would group them by issue).
                for ind in self.indicators(previous_slug):
                    self.add_indicator(
                        new_slug,
                        ind.issue,
                        ind.name,
                        direction=ind.direction,
                        baseline=float(ind.baseline),
                        baseline_on=ind.baseline_on,
                        target=float(ind.target),
                        target_on=ind.target_on,
                        unit=ind.unit,
                        source=ind.source,
                        key=ind.key,
                        actor=actor,
                    )
                for m in self.measurements(previous_slug):
                    self.record_measurement(
                        new_slug,
                        m.indicator,
                        m.value,
                        m.measured_on,
                        entered_by=m.entered_by,
                        note=m.note,
                        actor=actor,
                    )
            _insert(
                conn,
                s.workshop_cycles,
                workshop_id=created.id,
                previous_workshop_id=previous.id,
                created_at=now(),
            )
            self._event(
                conn,
                created.id,
                "cycle_started",
                actor,
                {"previous": previous_slug, "title": previous.title},
            )
            return created

        return self._write(work)

    def previous_cycle(self, slug: str) -> str | None:
        """The slug of the workshop ``slug`` continues, or ``None`` (refused: unknown slug)."""

        def work(conn: Connection) -> str | None:
            wid = self._workshop_id(conn, slug)
            cycles, workshops = s.workshop_cycles, s.workshops
            found = conn.execute(
                select(workshops.c.slug)
                .join(cycles, cycles.c.previous_workshop_id == workshops.c.id)
                .where(cycles.c.workshop_id == wid)
            ).scalar()
            return None if found is None else str(found)

        return self._read(work)

    def _next_spec(self, slug: str, spec: dict[str, Any]) -> dict[str, Any]:
        """The previous workshop's spec with its stakeholders, themes and issues as the store
        holds them now, each issue with its roadmap item (the indicators and measurements are
        added after, in their own order)."""
        data = deepcopy(spec)
        data["stakeholders"] = [
            {"id": p.key, "name": p.name, "category": p.category, "prompt": p.prompt}
            for p in self.stakeholders(slug)
        ]
        data["themes"] = [
            {"id": t.key, "name": t.name, "description": t.description} for t in self.themes(slug)
        ]
        roadmap = {item.issue: item for item in self.roadmap(slug)}
        issues = []
        for issue in self.issues(slug):
            item: dict[str, Any] = {
                "id": issue.key,
                "title": issue.title,
                "description": issue.description,
                "current": issue.current,
                "ideal": issue.ideal,
                "cost": issue.cost,
                "year": issue.year,
                "themes": list(issue.themes),
                "stakeholders": list(issue.stakeholders),
            }
            place = roadmap.get(issue.key)
            if place is not None:
                period = place.period
                item["roadmap"] = {
                    "period": f"FY{period.year}"
                    + ("" if period.quarter is None else f" Q{period.quarter}"),
                    "owner_department": place.owner_department,
                    "budget_line": place.budget_line,
                    "review_on": place.review_on,
                    "depends_on": list(place.depends_on),
                }
            issues.append(item)
        data["issues"] = issues
        return data
