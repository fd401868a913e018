"""After the workshop (issue 18): the roadmap, indicators and their measurements.

* **Roadmap** (ロードマップ): each issue of the backlog may get one roadmap item, its fiscal
  year or quarter (``toolkit.fiscal``), owner department (担当課), budget line, review date
  (見直し日) and the issues it waits for. Dependencies never go round in a circle (checked
  here, so the message can name the circle).
* **Indicators** (指標): per issue, what is measured, which way is better, baseline and
  target (``toolkit.indicators.Indicator``, whose rules refuse a target equal to the
  baseline or on the wrong side of it).
* **Measurements** (測定値) are records: append-only, enforced by database triggers like
  votes. A correction is a newer measurement. The status of an indicator is never stored: it
  is computed from them (``toolkit.indicators.assess``).

* **Review dates** (見直し日) of decisions: the charter and ballot results keep theirs in
  ``decision_reviews`` (:meth:`FollowupStore.set_review_date`); a roadmap item carries its
  own. :meth:`FollowupStore.reviews` lists them all as overdue, due or upcoming.

Every write appends an ``events`` row in the same transaction (``roadmap_item_set``,
``indicator_added``, ``measurement_recorded``, ``review_date_set``).

>>> import tempfile, pathlib
>>> from datetime import date
>>> from toolkit.indicators import assess
>>> from toolkit.store import Store
>>> from toolkit.workshop_file.templates import template_path
>>> with Store.open(pathlib.Path(tempfile.mkdtemp()) / "s.sqlite") as store:
...     slug = store.load_workshop_file(template_path("dx-vision", "ja")).slug
...     issue = store.issues(slug)[0].key
...     item = store.set_roadmap_item(slug, issue, "令和8年度 第2四半期", owner_department="市民課")
...     wait = store.add_indicator(
...         slug, issue, "窓口待ち時間", key="wait", unit="分", direction="decrease",
...         baseline=30, baseline_on=date(2026, 4, 1), target=15, target_on=date(2027, 4, 1))
...     _ = store.record_measurement(slug, "wait", 22, date(2026, 10, 1), entered_by="市民課")
...     status = assess(wait, store.measurements(slug, "wait"), as_of=date(2026, 10, 1)).status
...     item.period.label("en"), status
('FY2026 Q2', 'on_track')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, insert, select, text, update

from toolkit.errors import InvalidInputError, NotFoundError
from toolkit.fiscal import FiscalPeriod, parse_fiscal_period
from toolkit.indicators import Direction, Indicator, Measurement, check_measurement
from toolkit.model import (
    DecisionReview,
    RecordedMeasurement,
    ReviewState,
    RoadmapItem,
    TrackedIndicator,
)
from toolkit.store import tables as s
from toolkit.store.core import StoreCore, _insert, _required_text, now
from toolkit.text import clean_text
from toolkit.times import workshop_time_zone

#: Longest owner department, budget line, indicator name/source, and who entered a value.
TEXT_LIMIT = 200
#: Longest note on a measurement or a review date.
NOTE_LIMIT = 1000
#: A review date is "due" from the day itself back to this many days before it (both days
#: included); earlier it is "upcoming", after it "overdue".
REVIEW_DUE_DAYS = 14
#: The decisions whose review date is kept apart (a roadmap item carries its own).
REVIEWED_DECISIONS = ("charter", "ballot")


class FollowupStore(StoreCore):
    """The roadmap, indicators and measurements of a workshop's issues."""

    # ------------------------------------------------------------------ roadmap
    def set_roadmap_item(
        self,
        slug: str,
        issue: str,
        period: FiscalPeriod | str | int,
        *,
        owner_department: str = "",
        budget_line: str = "",
        review_on: date | None = None,
        depends_on: Sequence[str] = (),
        actor: str = "facilitator",
    ) -> RoadmapItem:
        """Put issue ``issue`` (its key) on the roadmap, or change its place there.

        The item is set whole, as given: ``period`` is a fiscal year or quarter in any form
        :func:`toolkit.fiscal.parse_fiscal_period` reads (``"令和8年度 第2四半期"``,
        ``"FY2026"``, ``2026``, a :class:`~toolkit.fiscal.FiscalPeriod`); ``depends_on``
        replaces the issues it waits for (keys; an issue cannot wait for itself, and no
        dependency may close a circle). ``review_on`` is the day to review the decision.
        """
        fiscal = parse_fiscal_period(period)
        department = _optional_text(owner_department, "owner_department")
        budget = _optional_text(budget_line, "budget_line")
        review = None if review_on is None else _day(review_on)
        # One key given as a plain string is one dependency, not one per character.
        waits_for = list(dict.fromkeys([depends_on] if isinstance(depends_on, str) else depends_on))
        if issue in waits_for:
            raise InvalidInputError("roadmap_self_dependency", issue=issue)

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            if conn.dialect.name == "postgresql":
                # The workshop's writer lock (as `_event` takes) before the graph is read:
                # two screens adding one half of a circle each must not both pass the check.
                # (SQLite's BEGIN IMMEDIATE already lets one writer in at a time.)
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": wid})
            iid = self._key_id(conn, s.issues, wid, issue, "issue")
            dep_ids = [self._key_id(conn, s.issues, wid, key, "issue") for key in waits_for]
            graph = _dependency_graph(conn, wid)
            graph[issue] = waits_for
            cycle = _find_cycle(graph, issue)
            if cycle is not None:
                raise InvalidInputError("roadmap_dependency_cycle", cycle=" → ".join(cycle))
            values = {
                "fiscal_year": fiscal.year,
                "quarter": fiscal.quarter,
                "owner_department": department,
                "budget_line": budget,
                "review_on": review,
                "updated_at": now(),
            }
            existing = conn.execute(
                select(s.roadmap_items.c.id).where(s.roadmap_items.c.issue_id == iid)
            ).scalar()
            if existing is None:
                _insert(conn, s.roadmap_items, workshop_id=wid, issue_id=iid, **values)
            else:
                conn.execute(
                    update(s.roadmap_items).where(s.roadmap_items.c.id == existing).values(values)
                )
            deps = s.roadmap_dependencies
            conn.execute(deps.delete().where(deps.c.issue_id == iid))
            for dep_id in dep_ids:
                conn.execute(
                    insert(deps).values(workshop_id=wid, issue_id=iid, depends_on_id=dep_id)
                )
            self._event(
                conn,
                wid,
                "roadmap_item_set",
                actor,
                {
                    "issue": issue,
                    "fiscal_year": fiscal.year,
                    "quarter": fiscal.quarter,
                    "owner_department": department,
                    "budget_line": budget,
                    "review_on": None if review is None else review.isoformat(),
                    "depends_on": waits_for,
                },
            )

        self._write(work)
        return next(item for item in self.roadmap(slug) if item.issue == issue)

    def roadmap(self, slug: str) -> list[RoadmapItem]:
        """The roadmap items, by period (earliest first; a year before its own Q2 …), then in
        the backlog's order."""

        def work(conn: Connection) -> list[RoadmapItem]:
            wid = self._workshop_id(conn, slug)
            keys = _issue_keys(conn, wid)
            waits: dict[int, list[str]] = {}
            deps = s.roadmap_dependencies
            for issue_id, dep_id in conn.execute(
                select(deps.c.issue_id, deps.c.depends_on_id)
                .where(deps.c.workshop_id == wid)
                .order_by(deps.c.depends_on_id)
            ):
                waits.setdefault(issue_id, []).append(keys[dep_id])
            rows = conn.execute(
                select(s.roadmap_items).where(s.roadmap_items.c.workshop_id == wid)
            ).all()
            items = [
                (
                    r.issue_id,
                    RoadmapItem(
                        keys[r.issue_id],
                        FiscalPeriod(r.fiscal_year, r.quarter),
                        r.owner_department,
                        r.budget_line,
                        r.review_on,
                        tuple(waits.get(r.issue_id, ())),
                        r.updated_at,
                    ),
                )
                for r in rows
            ]
            items.sort(key=lambda pair: (pair[1].period.start, pair[1].period.end, pair[0]))
            return [item for _, item in items]

        return self._read(work)

    # ------------------------------------------------------------------ indicators
    def add_indicator(
        self,
        slug: str,
        issue: str,
        name: str,
        *,
        direction: Direction,
        baseline: float,
        baseline_on: date,
        target: float,
        target_on: date,
        unit: str = "",
        source: str = "",
        key: str | None = None,
        actor: str = "facilitator",
    ) -> TrackedIndicator:
        """Add an indicator (指標) to issue ``issue`` (its key): what is measured, which way
        is better, the baseline and the target (rules: :class:`toolkit.indicators.Indicator`).
        ``key`` names it for its measurements (default: made from the name)."""
        name = _required_text(name, "name", limit=TEXT_LIMIT)
        spec = Indicator(
            name,
            _optional_text(unit, "unit", limit=32),
            direction,
            baseline,
            baseline_on,
            target,
            target_on,
            _optional_text(source, "source"),
        )
        given_key = None if key is None else _required_text(key, "key", limit=64)

        def work(conn: Connection) -> str:
            wid = self._workshop_id(conn, slug)
            iid = self._key_id(conn, s.issues, wid, issue, "issue")
            new_key = given_key or self._new_key(conn, s.indicators, wid, name, "indicator")
            taken = conn.execute(
                select(s.indicators.c.id).where(
                    s.indicators.c.workshop_id == wid, s.indicators.c.key == new_key
                )
            ).first()
            if taken is not None:
                raise InvalidInputError("indicator_exists", key=new_key)
            _insert(
                conn,
                s.indicators,
                workshop_id=wid,
                issue_id=iid,
                key=new_key,
                name=spec.name,
                unit=spec.unit,
                direction=spec.direction,
                baseline=float(spec.baseline),
                baseline_on=spec.baseline_on,
                target=float(spec.target),
                target_on=spec.target_on,
                source=spec.source,
                created_at=now(),
            )
            self._event(conn, wid, "indicator_added", actor, {"key": new_key, "issue": issue})
            return new_key

        new_key = self._write(work)
        return next(i for i in self.indicators(slug) if i.key == new_key)

    def indicators(self, slug: str, issue: str | None = None) -> list[TrackedIndicator]:
        """The workshop's indicators (of one issue, by its key, when given), oldest first."""

        def work(conn: Connection) -> list[TrackedIndicator]:
            wid = self._workshop_id(conn, slug)
            keys = _issue_keys(conn, wid)
            query = select(s.indicators).where(s.indicators.c.workshop_id == wid)
            if issue is not None:
                query = query.where(
                    s.indicators.c.issue_id == self._key_id(conn, s.issues, wid, issue, "issue")
                )
            rows = conn.execute(query.order_by(s.indicators.c.id))
            return [_indicator(r, keys[r.issue_id]) for r in rows]

        return self._read(work)

    # ------------------------------------------------------------------ measurements
    def record_measurement(
        self,
        slug: str,
        indicator: str,
        value: float,
        measured_on: date,
        *,
        entered_by: str,
        note: str = "",
        actor: str = "facilitator",
    ) -> RecordedMeasurement:
        """Record a measurement of indicator ``indicator`` (its key): the value observed on
        ``measured_on``, who entered it and an optional note. Refused: an unknown indicator,
        a date before the indicator's baseline or after today (in the workshop's time zone),
        a value that is not a finite number. Never changed afterwards (append-only)."""
        measurement = _measurement(value, measured_on, note, entered_by)
        mid = self._write(lambda conn: self._record(conn, slug, indicator, measurement, actor))
        return next(m for m in self.measurements(slug, indicator) if m.id == mid)

    def record_measurements(
        self,
        slug: str,
        rows: Sequence[tuple[str, Measurement]],
        *,
        actor: str = "facilitator",
    ) -> list[RecordedMeasurement]:
        """Record several measurements (``(indicator key, measurement)`` pairs) in ONE
        transaction: every one or, if any is refused, none (the first refusal is raised).
        The rules are :meth:`record_measurement`'s; an import checks every row first
        (``toolkit.export.measurement_import``)."""
        checked = [
            (key, _measurement(m.value, m.measured_on, m.note, m.entered_by)) for key, m in rows
        ]

        def work(conn: Connection) -> list[int]:
            return [self._record(conn, slug, key, m, actor) for key, m in checked]

        ids = set(self._write(work))
        return [m for m in self.measurements(slug) if m.id in ids]

    def _record(
        self, conn: Connection, slug: str, indicator: str, measurement: Measurement, actor: str
    ) -> int:
        wid = self._workshop_id(conn, slug)
        row = conn.execute(
            select(s.indicators).where(
                s.indicators.c.workshop_id == wid, s.indicators.c.key == indicator
            )
        ).first()
        if row is None:
            raise NotFoundError("not_found_indicator", key=indicator)
        check_measurement(_indicator(row, ""), measurement)
        today = _today(conn, wid)
        if measurement.measured_on > today:
            raise InvalidInputError(
                "measurement_in_future",
                measured_on=measurement.measured_on.isoformat(),
                today=today.isoformat(),
            )
        mid = _insert(
            conn,
            s.measurements,
            workshop_id=wid,
            indicator_id=row.id,
            value=float(measurement.value),
            measured_on=measurement.measured_on,
            note=measurement.note,
            entered_by=measurement.entered_by,
            created_at=now(),
        )
        self._event(
            conn,
            wid,
            "measurement_recorded",
            actor,
            {
                "indicator": indicator,
                "measured_on": measurement.measured_on.isoformat(),
                "value": float(measurement.value),
            },
        )
        return mid

    def measurements(self, slug: str, indicator: str | None = None) -> list[RecordedMeasurement]:
        """Measurements (of one indicator, by its key, when given), by date, then in the
        order they were recorded."""

        def work(conn: Connection) -> list[RecordedMeasurement]:
            wid = self._workshop_id(conn, slug)
            ind = s.indicators
            query = (
                select(s.measurements, ind.c.key.label("indicator_key"))
                .join(ind, s.measurements.c.indicator_id == ind.c.id)
                .where(s.measurements.c.workshop_id == wid)
            )
            if indicator is not None:
                query = query.where(
                    ind.c.id == self._key_id(conn, ind, wid, indicator, "indicator")
                )
            rows = conn.execute(query.order_by(s.measurements.c.measured_on, s.measurements.c.id))
            return [
                RecordedMeasurement(
                    r.value,
                    r.measured_on,
                    r.note,
                    r.entered_by,
                    id=r.id,
                    indicator=r.indicator_key,
                    created_at=r.created_at,
                )
                for r in rows
            ]

        return self._read(work)

    # ------------------------------------------------------------------ review dates
    def set_review_date(
        self,
        slug: str,
        subject: str,
        key: str | int,
        review_on: date | None,
        note: str = "",
        *,
        actor: str = "facilitator",
    ) -> DecisionReview | None:
        """Set the review date (見直し日) of a decision: ``subject`` ``"charter"`` with its
        version as ``key`` (``2`` or ``"2"``), or ``"ballot"`` with the ballot's key; ``note``
        says what to review. ``review_on=None`` clears it. Refused: an unknown subject,
        charter version or ballot. (A roadmap item's review date is part of the item:
        :meth:`set_roadmap_item`.) Returns the review as :meth:`reviews` lists it today in the
        workshop's time zone, or ``None`` once cleared."""
        if subject not in REVIEWED_DECISIONS:
            raise InvalidInputError(
                "review_subject_invalid", subject=subject, allowed=", ".join(REVIEWED_DECISIONS)
            )
        review = None if review_on is None else _day(review_on)
        text_note = _optional_text(note, "note", limit=NOTE_LIMIT)

        def work(conn: Connection) -> str:
            wid = self._workshop_id(conn, slug)
            subject_key = _decision_key(conn, wid, subject, key)
            reviews = s.decision_reviews
            where = (
                reviews.c.workshop_id == wid,
                reviews.c.subject == subject,
                reviews.c.subject_key == subject_key,
            )
            existing = conn.execute(select(reviews.c.id).where(*where)).scalar()
            if review is None:
                if existing is not None:
                    conn.execute(reviews.delete().where(reviews.c.id == existing))
            else:
                values = {"review_on": review, "note": text_note, "set_at": now(), "actor": actor}
                if existing is None:
                    _insert(
                        conn,
                        reviews,
                        workshop_id=wid,
                        subject=subject,
                        subject_key=subject_key,
                        **values,
                    )
                else:
                    conn.execute(update(reviews).where(reviews.c.id == existing).values(values))
            self._event(
                conn,
                wid,
                "review_date_set",
                actor,
                {
                    "subject": subject,
                    "key": subject_key,
                    "review_on": None if review is None else review.isoformat(),
                    "note": text_note,
                },
            )
            return subject_key

        subject_key = self._write(work)
        if review is None:
            return None
        today = self._read(lambda conn: _today(conn, self._workshop_id(conn, slug)))
        return next(
            r
            for r in self.reviews(slug, as_of=today)
            if r.subject == subject and r.key == subject_key
        )

    def reviews(self, slug: str, *, as_of: date) -> list[DecisionReview]:
        """Every review date of the workshop (the charter's, ballots' and roadmap items'),
        each with its state on ``as_of``: ``overdue`` (before ``as_of``), ``due`` (from
        ``as_of`` to :data:`REVIEW_DUE_DAYS` days after it, both included) or ``upcoming``
        (later); by date, then charter, ballots, roadmap, then key."""
        day = _day(as_of)

        def work(conn: Connection) -> list[DecisionReview]:
            wid = self._workshop_id(conn, slug)
            found: list[tuple[str, str, date, str, datetime]] = [
                (r.subject, r.subject_key, r.review_on, r.note, r.set_at)
                for r in conn.execute(
                    select(s.decision_reviews).where(s.decision_reviews.c.workshop_id == wid)
                )
            ]
            keys = _issue_keys(conn, wid)
            items = s.roadmap_items
            found += [
                ("roadmap", keys[r.issue_id], r.review_on, "", r.updated_at)
                for r in conn.execute(
                    select(items).where(items.c.workshop_id == wid, items.c.review_on.is_not(None))
                )
            ]
            return [
                DecisionReview(subj, key, on, note, review_state(on, day), at)  # type: ignore[arg-type]
                for subj, key, on, note, at in found
            ]

        order = {"charter": 0, "ballot": 1, "roadmap": 2}
        return sorted(
            self._read(work),
            key=lambda r: (r.review_on, order[r.subject], r.key.zfill(12), r.key),
        )


def review_state(review_on: date, as_of: date) -> ReviewState:
    """The state on ``as_of`` of a decision to review on ``review_on``.

    >>> from datetime import date
    >>> today = date(2026, 4, 1)
    >>> [review_state(date(2026, 3, 31), today), review_state(today, today),
    ...  review_state(date(2026, 4, 15), today), review_state(date(2026, 4, 16), today)]
    ['overdue', 'due', 'due', 'upcoming']
    """
    if review_on < as_of:
        return "overdue"
    if review_on <= as_of + timedelta(days=REVIEW_DUE_DAYS):
        return "due"
    return "upcoming"


# ---------------------------------------------------------------------- helpers
def _measurement(value: Any, measured_on: Any, note: Any, entered_by: Any) -> Measurement:
    """A measurement as it will be stored: texts cleaned and checked, value and date too."""
    who = _required_text(entered_by, "entered_by", limit=TEXT_LIMIT)
    return Measurement(value, measured_on, _optional_text(note, "note", limit=NOTE_LIMIT), who)


def _today(conn: Connection, wid: int) -> date:
    """Today in the workshop's time zone."""
    spec = conn.execute(select(s.workshops.c.spec).where(s.workshops.c.id == wid)).scalar_one()
    return datetime.now(workshop_time_zone((spec or {}).get("time_zone"))).date()


def _decision_key(conn: Connection, wid: int, subject: str, key: str | int) -> str:
    """The stored key of the decision ``key`` of ``subject``, refused if it does not exist."""
    if subject == "charter":
        text_key = str(key).strip()
        version = int(text_key) if text_key.isascii() and text_key.isdigit() else None
        if isinstance(key, bool) or version is None or not 1 <= version < 2**31:
            raise NotFoundError("not_found_charter", version=key)
        found = conn.execute(
            select(s.charters.c.id).where(
                s.charters.c.workshop_id == wid, s.charters.c.version == version
            )
        ).first()
        if found is None:
            raise NotFoundError("not_found_charter", version=version)
        return str(version)
    if not isinstance(key, str):
        raise NotFoundError("not_found_ballot", key=key)
    StoreCore._key_id(conn, s.ballots, wid, key, "ballot")
    return key


def _optional_text(value: Any, field: str, *, limit: int = TEXT_LIMIT) -> str:
    """``value`` cleaned and trimmed; may be empty."""
    if not isinstance(value, str):
        raise InvalidInputError("text_required", field=field)
    cleaned = clean_text(value).strip()
    if len(cleaned) > limit:
        raise InvalidInputError("text_too_long", field=field, length=len(cleaned), limit=limit)
    return cleaned


def _day(value: Any) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInputError("date_required", value=value)
    return value


def _issue_keys(conn: Connection, wid: int) -> dict[int, str]:
    return {
        int(iid): str(key)
        for iid, key in conn.execute(
            select(s.issues.c.id, s.issues.c.key).where(s.issues.c.workshop_id == wid)
        )
    }


def _indicator(row: Row[Any], issue: str) -> TrackedIndicator:
    return TrackedIndicator(
        row.name,
        row.unit,
        row.direction,
        row.baseline,
        row.baseline_on,
        row.target,
        row.target_on,
        row.source,
        id=row.id,
        key=row.key,
        issue=issue,
        created_at=row.created_at,
    )


def _dependency_graph(conn: Connection, wid: int) -> dict[str, list[str]]:
    """issue key → the keys of the issues it waits for, for the whole workshop."""
    keys = _issue_keys(conn, wid)
    deps = s.roadmap_dependencies
    graph: dict[str, list[str]] = {}
    for issue_id, dep_id in conn.execute(
        select(deps.c.issue_id, deps.c.depends_on_id)
        .where(deps.c.workshop_id == wid)
        .order_by(deps.c.issue_id, deps.c.depends_on_id)
    ):
        graph.setdefault(keys[issue_id], []).append(keys[dep_id])
    return graph


def _find_cycle(graph: Mapping[str, Sequence[str]], start: str) -> list[str] | None:
    """A circle of dependencies through ``start`` (``[start, …, start]``), or ``None``.

    Only circles through ``start`` are looked for: the graph had none before its edges
    changed, so a new circle must pass through it.

    >>> _find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}, "a")
    ['a', 'b', 'c', 'a']
    >>> _find_cycle({"a": ["b"], "b": ["c"], "c": []}, "a") is None
    True
    """
    path = [start]
    seen = {start}
    # Depth-first without recursion (a long chain must not hit Python's recursion limit).
    stack = [iter(graph.get(start, ()))]
    while stack:
        nxt = next(stack[-1], None)
        if nxt is None:
            stack.pop()
            path.pop()
            continue
        if nxt == start:
            return [*path, start]
        if nxt not in seen:
            seen.add(nxt)
            path.append(nxt)
            stack.append(iter(graph.get(nxt, ())))
    return None
