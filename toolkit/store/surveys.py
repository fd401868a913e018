"""Surveys (issue 19): definitions, waves and answers.

* A **survey** keeps its whole definition (``toolkit.surveys.definition.SurveySpec``) as
  JSON, with a version: :meth:`SurveyStore.define_survey` creates it or, while nobody has
  answered yet, replaces it (a new version). Once answers exist the questions stay as they
  were answered.
* Its **waves** (before, after …) are draft until opened; one wave of a survey is open at a
  time. A closed wave may be opened again (someone came late); answers are never removed.
* A **response** is one person's answers in one wave: one per participant and wave,
  enforced by the database; append-only, like votes. The answers are checked against the
  definition by :func:`toolkit.surveys.definition.check_answers` (one home for the rules).
  No name is stored. With ``identity: codes`` only printed codes (and paper) may answer.
* A **link code** (``link_code: true``): the person answers a few questions only they know
  (``LINK_QUESTIONS``); the store keeps only an HMAC of the answers with the survey's own
  secret salt, so the same person's waves can be paired without anyone learning who it is.
* A follow-up **indicator** can be measured by a survey question
  (:meth:`SurveyStore.link_indicator_to_survey`): each wave's mean becomes a measurement.

Every write appends an ``events`` row in the same transaction (``survey_defined``,
``survey_wave_opened``, ``survey_wave_closed``, ``survey_answered`` (which says a response
came in, never what it said), ``survey_indicator_linked``).

>>> import tempfile, pathlib
>>> from toolkit.store import Store
>>> from toolkit.workshop_file.templates import template_path
>>> with Store.open(pathlib.Path(tempfile.mkdtemp()) / "s.sqlite") as store:
...     slug = store.load_workshop_file(template_path("dx-vision", "ja")).slug
...     survey = store.define_survey(slug, {"id": "pulse", "title": "職員アンケート",
...         "questions": [{"id": "q1", "kind": "likert", "text": "前向きだ", "required": True}]})
...     _ = store.open_survey_wave(slug, "pulse", "before")
...     token = store.join(slug)
...     answered = store.submit_survey(slug, "pulse", {"q1": "4"}, token=token)
...     [(r.wave, r.answers) for r in store.survey_responses(slug, "pulse")]
[('before', {'q1': 4})]
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from toolkit.errors import AlreadyAnsweredError, InvalidInputError, NotFoundError
from toolkit.model import Channel, Survey, SurveyResponse, SurveyWave
from toolkit.store import tables as s
from toolkit.store.core import now
from toolkit.store.followup import FollowupStore
from toolkit.store.participants import ParticipantStore, normalize_code
from toolkit.surveys.definition import SurveySpec, check_answers, link_code_text, local

CODE_CHANNELS = ("code", "paper")
"""Who may answer a survey with ``identity: codes``."""


class SurveyStore(ParticipantStore, FollowupStore):
    """Surveys, their waves and their answers."""

    # ------------------------------------------------------------ definitions
    def define_survey(
        self, slug: str, definition: SurveySpec | Mapping[str, Any], *, actor: str = "facilitator"
    ) -> Survey:
        """Create a survey, or replace its definition while nobody has answered it.

        ``definition`` is a :class:`SurveySpec` or a mapping of the same shape (checked
        here). Replacing keeps the state of the waves whose keys stay.
        """
        spec = _spec(definition)
        data = spec.model_dump(mode="json")
        at = now()

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            issues = set(
                conn.execute(select(s.issues.c.key).where(s.issues.c.workshop_id == wid)).scalars()
            )
            for question in spec.questions:
                if question.issue is not None and question.issue not in issues:
                    raise InvalidInputError(
                        "survey_issue_unknown", question=question.id, issue=question.issue
                    )
            row = conn.execute(
                select(s.surveys).where(s.surveys.c.workshop_id == wid, s.surveys.c.key == spec.id)
            ).first()
            if row is None:
                sid = int(
                    conn.execute(
                        insert(s.surveys).values(
                            workshop_id=wid,
                            key=spec.id,
                            definition=data,
                            link_salt=secrets.token_hex(32),
                            version=1,
                            created_at=at,
                            updated_at=at,
                        )
                    ).inserted_primary_key[0]  # type: ignore[index]
                )
                version, states = 1, {}
            else:
                sid = int(row.id)
                if _answered(conn, sid):
                    raise InvalidInputError("survey_has_answers", survey=spec.id)
                version = int(row.version) + 1
                conn.execute(
                    update(s.surveys)
                    .where(s.surveys.c.id == sid)
                    .values(definition=data, version=version, updated_at=at)
                )
                states = {
                    w.key: w for w in conn.execute(_WAVES.where(s.survey_waves.c.survey_id == sid))
                }
                conn.execute(delete(s.survey_waves).where(s.survey_waves.c.survey_id == sid))
            for position, wave in enumerate(spec.waves, start=1):
                old = states.get(wave.id)
                conn.execute(
                    insert(s.survey_waves).values(
                        survey_id=sid,
                        key=wave.id,
                        position=position,
                        status=old.status if old is not None else "draft",
                        opened_at=old.opened_at if old is not None else None,
                        closed_at=old.closed_at if old is not None else None,
                    )
                )
            self._event(conn, wid, "survey_defined", actor, {"survey": spec.id, "version": version})

        self._write(work)
        return self.survey(slug, spec.id)

    def surveys(self, slug: str) -> list[Survey]:
        """Every survey of the workshop, in the order they were created."""

        def work(conn: Connection) -> list[Survey]:
            wid = self._workshop_id(conn, slug)
            rows = list(
                conn.execute(
                    select(s.surveys).where(s.surveys.c.workshop_id == wid).order_by(s.surveys.c.id)
                )
            )
            waves: dict[int, list[SurveyWave]] = {}
            if rows:
                for w in conn.execute(
                    _WAVES.where(s.survey_waves.c.survey_id.in_([r.id for r in rows])).order_by(
                        s.survey_waves.c.survey_id, s.survey_waves.c.position
                    )
                ):
                    waves.setdefault(int(w.survey_id), []).append(
                        SurveyWave(w.key, w.status, w.opened_at, w.closed_at)
                    )
            return [
                Survey(
                    int(r.id),
                    r.key,
                    _definition(int(r.id), int(r.version), r.definition),
                    int(r.version),
                    tuple(waves.get(int(r.id), [])),
                    r.created_at,
                )
                for r in rows
            ]

        return self._read(work)

    def survey(self, slug: str, key: str) -> Survey:
        for survey in self.surveys(slug):
            if survey.key == key:
                return survey
        raise NotFoundError("not_found_survey", key=key)

    # ------------------------------------------------------------ waves
    def open_survey_wave(self, slug: str, key: str, wave: str) -> Survey:
        """Open ``wave`` for answers. Another open wave of the same survey is refused: a
        person must know which round they are answering."""
        return self._set_wave(slug, key, wave, "open")

    def close_survey_wave(self, slug: str, key: str, wave: str) -> Survey:
        """Close ``wave``: phones can no longer answer it (paper can still be entered)."""
        return self._set_wave(slug, key, wave, "closed")

    def _set_wave(self, slug: str, key: str, wave: str, status: str) -> Survey:
        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            sid = self._key_id(conn, s.surveys, wid, key, "survey")
            rows = {w.key: w for w in conn.execute(_WAVES.where(s.survey_waves.c.survey_id == sid))}
            row = rows.get(wave)
            if row is None:
                raise NotFoundError("not_found_survey_wave", survey=key, wave=wave)
            if status == "open":
                other = next((w.key for w in rows.values() if w.status == "open"), None)
                if other is not None and other != wave:
                    raise InvalidInputError("survey_other_wave_open", survey=key, wave=other)
                values: dict[str, Any] = {"status": "open", "opened_at": now(), "closed_at": None}
                kind = "survey_wave_opened"
            else:
                if row.status != "open":
                    raise InvalidInputError("survey_wave_not_open", survey=key, wave=wave)
                values, kind = {"status": "closed", "closed_at": now()}, "survey_wave_closed"
            conn.execute(
                update(s.survey_waves).where(s.survey_waves.c.id == row.id).values(**values)
            )
            self._event(conn, wid, kind, "facilitator", {"survey": key, "wave": wave})

        self._write(work)
        return self.survey(slug, key)

    # ------------------------------------------------------------ answers
    def submit_survey(
        self,
        slug: str,
        key: str,
        answers: Mapping[str, Any],
        *,
        token: str,
        wave: str | None = None,
        link: Mapping[str, Any] | None = None,
        channel: str | None = None,
    ) -> SurveyResponse:
        """Store one person's answers; returns only once they are durably stored.

        ``wave`` defaults to the open wave; a phone may answer only an open wave, paper
        (``channel="paper"``) also a closed one. ``link`` holds the answers to the link
        questions when the survey asks them (optional for the person). A second answer by
        the same person to the same wave raises ``AlreadyAnsweredError``.
        """

        def work(conn: Connection) -> SurveyResponse:
            # Few, prebuilt statements: a room of staff sends hundreds of these in one batch.
            row = conn.execute(_SURVEY_BY_KEY, {"slug": slug, "key": key}).first()
            if row is None:
                self._workshop_id(conn, slug)  # an unknown workshop says so
                raise NotFoundError("not_found_survey", key=key)
            wid = int(row.workshop_id)
            spec = _definition(int(row.id), int(row.version), row.definition)
            waves = {w.key: w for w in conn.execute(_WAVES_OF, {"survey_id": row.id})}
            person = self._participant_row(conn, wid, token)
            how = channel or person.channel
            if wave is None:
                target = next((w for w in waves.values() if w.status == "open"), None)
                if target is None:
                    raise InvalidInputError("survey_not_open", survey=_title(spec))
            else:
                target = waves.get(wave)
                if target is None:
                    raise NotFoundError("not_found_survey_wave", survey=key, wave=wave)
                if target.status != "open" and not (how == "paper" and target.status == "closed"):
                    raise InvalidInputError("survey_not_open", survey=_title(spec))
            if spec.identity == "codes" and how not in CODE_CHANNELS:
                raise InvalidInputError("survey_codes_only", survey=_title(spec))
            clean = check_answers(spec, answers)
            link_key = None
            if link is not None and spec.link_code:
                link_key = _link_key(row.link_salt, link_code_text(link))
            at = now()
            try:
                result = conn.execute(
                    _INSERT_RESPONSE,
                    {
                        "wave_id": target.id,
                        "participant_id": person.id,
                        "answers": clean,
                        "channel": how,
                        "link_key": link_key,
                        "created_at": at,
                    },
                )
            except IntegrityError:
                raise AlreadyAnsweredError("survey_already_answered", survey=_title(spec)) from None
            self._event(
                conn,
                wid,
                "survey_answered",
                "paper" if how == "paper" else "participant",
                {"survey": key, "wave": target.key},
            )
            return SurveyResponse(
                int(result.inserted_primary_key[0]),  # type: ignore[index]
                key,
                target.key,
                clean,
                cast(Channel, how),
                link_key,
                at,
            )

        return self._write(work)

    def enter_paper_survey(
        self,
        slug: str,
        key: str,
        answers: Mapping[str, Any],
        *,
        wave: str,
        code: str | None = None,
        link: Mapping[str, Any] | None = None,
    ) -> SurveyResponse:
        """A paper questionnaire typed in by staff, marked ``paper``: under its printed
        ``code`` (as printed or typed) when it has one (so that code cannot answer that wave
        again), else as a new anonymous paper respondent. The respondent and the answers are
        stored together or not at all."""

        def item(store: SurveyStore) -> SurveyResponse:
            token = normalize_code(code) if code else store.join(slug, channel="paper")
            return store.submit_survey(
                slug, key, answers, token=token, wave=wave, link=link, channel="paper"
            )

        return self._together(item)

    def survey_responses(
        self, slug: str, key: str, *, wave: str | None = None
    ) -> list[SurveyResponse]:
        """The answers of a survey (of one wave, or all of them in wave order), oldest first."""

        def work(conn: Connection) -> list[SurveyResponse]:
            wid = self._workshop_id(conn, slug)
            sid = self._key_id(conn, s.surveys, wid, key, "survey")
            query = (
                select(
                    s.survey_responses.c.id,
                    s.survey_waves.c.key.label("wave"),
                    s.survey_responses.c.answers,
                    s.survey_responses.c.channel,
                    s.survey_responses.c.link_key,
                    s.survey_responses.c.created_at,
                )
                .join(s.survey_waves, s.survey_responses.c.wave_id == s.survey_waves.c.id)
                .where(s.survey_waves.c.survey_id == sid)
                .order_by(s.survey_waves.c.position, s.survey_responses.c.id)
            )
            if wave is not None:
                query = query.where(s.survey_waves.c.key == wave)
            return [
                SurveyResponse(
                    int(r.id), key, r.wave, dict(r.answers), r.channel, r.link_key, r.created_at
                )
                for r in conn.execute(query)
            ]

        return self._read(work)

    def survey_answered_waves(self, slug: str, key: str, token: str) -> set[str]:
        """The waves of a survey this participant has answered (for "thank you, already
        answered" on a phone that comes back)."""

        def work(conn: Connection) -> set[str]:
            wid = self._workshop_id(conn, slug)
            sid = self._key_id(conn, s.surveys, wid, key, "survey")
            pid = self._participant_id(conn, wid, token)
            return set(
                conn.execute(
                    select(s.survey_waves.c.key)
                    .join(s.survey_responses, s.survey_responses.c.wave_id == s.survey_waves.c.id)
                    .where(
                        s.survey_waves.c.survey_id == sid,
                        s.survey_responses.c.participant_id == pid,
                    )
                ).scalars()
            )

        return self._read(work)

    def survey_response_counts(self, slug: str) -> dict[str, dict[str, int]]:
        """How many answered each wave of each survey: ``{survey: {wave: n}}`` (every wave
        listed, 0 included), one query for the console and the board."""

        def work(conn: Connection) -> dict[str, dict[str, int]]:
            wid = self._workshop_id(conn, slug)
            counts: dict[str, dict[str, int]] = {}
            query = (
                select(
                    s.surveys.c.key,
                    s.survey_waves.c.key.label("wave"),
                    func.count(s.survey_responses.c.id),
                )
                .join(s.survey_waves, s.survey_waves.c.survey_id == s.surveys.c.id)
                .join(
                    s.survey_responses,
                    s.survey_responses.c.wave_id == s.survey_waves.c.id,
                    isouter=True,
                )
                .where(s.surveys.c.workshop_id == wid)
                .group_by(
                    s.surveys.c.id, s.surveys.c.key, s.survey_waves.c.position, s.survey_waves.c.key
                )
                .order_by(s.surveys.c.id, s.survey_waves.c.position)
            )
            for survey, wave, n in conn.execute(query):
                counts.setdefault(survey, {})[wave] = int(n)
            return counts

        return self._read(work)

    # ------------------------------------------------------------ follow-up indicators
    def link_indicator_to_survey(
        self, slug: str, indicator: str, survey: str, question: str
    ) -> None:
        """Measure follow-up ``indicator`` by ``question`` of ``survey`` (a Likert or number
        question): :meth:`record_survey_measurement` then records a wave's mean."""

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            iid = self._key_id(conn, s.indicators, wid, indicator, "indicator")
            row = conn.execute(
                select(s.surveys).where(s.surveys.c.workshop_id == wid, s.surveys.c.key == survey)
            ).first()
            if row is None:
                raise NotFoundError("not_found_survey", key=survey)
            spec = _definition(int(row.id), int(row.version), row.definition)
            try:
                kind = spec.question(question).kind
            except KeyError:
                raise InvalidInputError("survey_unknown_question", question=question) from None
            if kind not in ("likert", "number"):
                raise InvalidInputError("survey_indicator_kind", question=question, kind=kind)
            conn.execute(
                delete(s.survey_indicators).where(s.survey_indicators.c.indicator_id == iid)
            )
            conn.execute(
                insert(s.survey_indicators).values(
                    indicator_id=iid, survey_id=row.id, question_key=question
                )
            )
            self._event(
                conn,
                wid,
                "survey_indicator_linked",
                "facilitator",
                {"indicator": indicator, "survey": survey, "question": question},
            )

        self._write(work)

    def survey_indicators(self, slug: str) -> dict[str, tuple[str, str]]:
        """``{indicator key: (survey key, question key)}`` of the indicators a survey measures."""

        def work(conn: Connection) -> dict[str, tuple[str, str]]:
            wid = self._workshop_id(conn, slug)
            rows = conn.execute(
                select(
                    s.indicators.c.key,
                    s.surveys.c.key.label("survey"),
                    s.survey_indicators.c.question_key,
                )
                .join(s.survey_indicators, s.survey_indicators.c.indicator_id == s.indicators.c.id)
                .join(s.surveys, s.surveys.c.id == s.survey_indicators.c.survey_id)
                .where(s.indicators.c.workshop_id == wid)
            )
            return {r.key: (r.survey, r.question_key) for r in rows}

        return self._read(work)

    def record_survey_measurement(
        self, slug: str, indicator: str, wave: str, *, measured_on: date, entered_by: str
    ) -> float:
        """Record the mean answer of ``wave`` to the question that measures ``indicator`` as
        a measurement of it (a note names the survey, the wave and how many answered).
        Returns the value recorded."""
        linked = self.survey_indicators(slug).get(indicator)
        if linked is None:
            raise InvalidInputError("survey_indicator_not_linked", indicator=indicator)
        survey, question = linked
        values = [
            float(r.answers[question])
            for r in self.survey_responses(slug, survey, wave=wave)
            if isinstance(r.answers.get(question), int | float)
        ]
        if not values:
            raise InvalidInputError("survey_indicator_no_answers", survey=survey, wave=wave)
        mean = sum(values) / len(values)
        self.record_measurement(
            slug,
            indicator,
            mean,
            measured_on,
            entered_by=entered_by,
            note=f"survey {survey} / {wave} / {question}: n={len(values)}",
        )
        return mean


_WAVES = select(s.survey_waves)
_WAVES_OF = _WAVES.where(s.survey_waves.c.survey_id == bindparam("survey_id"))
_SURVEY_BY_KEY = (
    select(s.surveys)
    .join(s.workshops, s.surveys.c.workshop_id == s.workshops.c.id)
    .where(s.workshops.c.slug == bindparam("slug"), s.surveys.c.key == bindparam("key"))
)
_INSERT_RESPONSE = insert(s.survey_responses)


@lru_cache(maxsize=64)
def _cached_definition(survey_id: int, version: int, text: str) -> SurveySpec:
    return SurveySpec.model_validate_json(text, strict=False)


def _definition(survey_id: int, version: int, data: Mapping[str, Any]) -> SurveySpec:
    """A stored definition, parsed once per survey version (a submit reuses it: parsing a
    20-question definition costs about 1 ms)."""
    return _cached_definition(survey_id, version, json.dumps(data, sort_keys=True))


def _spec(definition: SurveySpec | Mapping[str, Any]) -> SurveySpec:
    if isinstance(definition, SurveySpec):
        return definition
    try:
        return SurveySpec.model_validate(dict(definition), strict=False)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInputError(
            "survey_definition_invalid", where=where, problem=first["msg"]
        ) from None


def _answered(conn: Connection, survey_id: int) -> bool:
    return (
        conn.execute(
            select(s.survey_responses.c.id)
            .join(s.survey_waves, s.survey_responses.c.wave_id == s.survey_waves.c.id)
            .where(s.survey_waves.c.survey_id == survey_id)
            .limit(1)
        ).first()
        is not None
    )


def _title(spec: SurveySpec) -> str:
    return local(spec.title, None)


def _link_key(salt: str, text: str) -> str:
    return hmac.new(bytes.fromhex(salt), text.encode("utf-8"), hashlib.sha256).hexdigest()
