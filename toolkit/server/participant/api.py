"""The REST API under ``/api/v1/``: everything a phone page does, as JSON.

Described by :func:`~toolkit.server.participant.openapi.openapi_document`, served at
``/api/v1/openapi.json``. Participants authenticate with ``Authorization: Bearer <token>``
(the token ``POST …/join`` returned, or a printed one-time code); facilitator endpoints
with ``Authorization: Bearer <facilitator secret>``. Bearer credentials are never sent by a
browser on its own, so these endpoints need no CSRF token.

Every error is ``{"error": {"code": …, "message": {"ja": …, "en": …}}}`` with a 4xx status;
nothing is stored when a request is refused.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from datetime import date, datetime
from typing import Any, ClassVar

from tornado import web

from toolkit.errors import (
    AlreadyAnsweredError,
    BallotClosedError,
    CharterNotLockedError,
    ConsentBlockedError,
    DuplicateVoteError,
    InvalidInputError,
    MethodLockedError,
    NotEligibleError,
    NotFoundError,
    StoreError,
    UreshiiError,
)
from toolkit.i18n import LANGUAGES, both, t
from toolkit.indicators import Measurement, assess
from toolkit.model import (
    CATEGORIES,
    Ballot,
    RecordedMeasurement,
    Survey,
    SurveyResponse,
    TrackedIndicator,
    Vote,
)
from toolkit.server.access import FacilitatorAccess
from toolkit.server.participant.openapi import openapi_document
from toolkit.server.participant.service import ParticipantService, WorkshopView
from toolkit.store import Store, normalize_code
from toolkit.surveys.definition import LINK_QUESTIONS, local
from toolkit.text import clean_text
from toolkit.times import workshop_time_zone

API_PREFIX = "/api/v1/"
BALLOT_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
"""A ballot key that can be part of a URL (the pages' and the API's routes take these)."""
MAX_API_BODY = 64 * 1024
"""Bytes a JSON request body may have: a vote, a card or a page of scores fits easily."""

_STATUS: tuple[tuple[type[UreshiiError], int], ...] = (
    (NotEligibleError, 403),
    (NotFoundError, 404),
    (DuplicateVoteError, 409),
    (AlreadyAnsweredError, 409),
    (BallotClosedError, 409),
    (CharterNotLockedError, 409),
    (MethodLockedError, 409),
    (ConsentBlockedError, 409),
    (InvalidInputError, 422),
    (StoreError, 503),  # the writer stopped or the store failed: nothing stored, send again
)


def status_of(error: UreshiiError) -> int:
    """The HTTP status of a refused request (401 for an unknown participant token)."""
    if error.key == "not_found_participant":
        return 401
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400


class ApiError(Exception):
    """A refusal decided by the API layer itself (no token, bad JSON …)."""

    def __init__(self, status: int, key: str, /, **params: Any) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.params = params


class ApiHandler(web.RequestHandler):
    """JSON in, JSON out; errors as ja/en messages; security headers as on the pages."""

    def initialize(
        self, service: ParticipantService, access: FacilitatorAccess, base_url: str
    ) -> None:
        self.service = service
        self.access = access
        self.base_url = base_url

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")

    def check_xsrf_cookie(self) -> None:
        return None  # bearer credentials only: a browser never sends them by itself

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Every refusal as the API's JSON error: a handler's ``ApiError`` or
        ``UreshiiError`` with its own status, and Tornado's own refusals (a method a route
        does not take, an unexpected error), never an HTML page and never a traceback."""
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, ApiError):
            self.send_error_json(error.status, error.key, **error.params)
            return
        if isinstance(error, UreshiiError):
            self.send_error_json(status_of(error), error.key, **error.params)
            return
        self.clear_header("WWW-Authenticate")
        key = "api_method_not_allowed" if status_code == 405 else "api_server_error"
        if status_code < 500 and status_code != 405:
            key = "api_bad_request"
        body = {"error": {"code": key, "message": both(key)}}
        self.finish(json.dumps(body, ensure_ascii=False))

    # -------------------------------------------------------------- helpers
    def send_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(data, ensure_ascii=False, default=str))

    def send_error_json(self, status: int, code: str, /, **params: Any) -> None:
        self.set_status(status)
        if status == 401:
            self.set_header("WWW-Authenticate", 'Bearer realm="ureshii"')
        body = {"error": {"code": code, "message": both(code, **params)}}
        self.finish(json.dumps(body, ensure_ascii=False, default=str))

    def json_body(self) -> dict[str, Any]:
        content_type = self.request.headers.get("Content-Type", "").split(";")[0].strip()
        if content_type != "application/json":
            raise ApiError(415, "api_json_required")
        if len(self.request.body) > MAX_API_BODY:
            raise ApiError(413, "api_body_too_large", limit=MAX_API_BODY)
        try:
            data = json.loads(self.request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "api_bad_json") from None
        if not isinstance(data, dict):
            raise ApiError(400, "api_expected_object")
        return data

    def bearer(self) -> str:
        header = self.request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(401, "api_token_required")
        return value.strip()

    def participant_token(self, slug: str) -> str:
        token = self.bearer()
        if self.service.participant(slug, token) is None:
            normal = normalize_code(token)  # a printed code as typed, with its dash
            if normal and self.service.participant(slug, normal) is not None:
                return normal
            raise ApiError(401, "api_token_unknown")
        return token

    def require_facilitator(self) -> None:
        if not self.access.check_secret(self.bearer()):
            raise ApiError(403, "api_facilitator_only")

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, ApiError | UreshiiError):
            return  # a refusal answered by `write_error`, not a fault of the server
        super().log_exception(typ, value, tb)

    def view(self, slug: str) -> WorkshopView:
        return self.service.view(slug)


def ballot_json(view: WorkshopView, ballot: Ballot, lang: str) -> dict[str, Any]:
    settings = {k: v for k, v in ballot.settings.items() if k != "costs"}
    return {
        "key": ballot.key,
        "title": ballot.title,
        "purpose": ballot.purpose,
        "rule": ballot.rule,
        "status": ballot.status,
        "visibility": ballot.visibility,
        "results_visible": ballot.results_visible,
        "settings": settings,
        "options": [
            {
                "key": option,
                "label": view.option_label(ballot, option, lang),
                "cost": view.option_cost(ballot, option),
            }
            for option in ballot.options
        ],
    }


def vote_json(service: ParticipantService, vote: Vote) -> dict[str, Any]:
    return {
        "ballot": vote.ballot,
        "receipt": service.receipt(vote),
        "vote": vote.payload,
        "channel": vote.channel,
        "at": vote.created_at.isoformat(),
    }


class OpenApiHandler(ApiHandler):
    def get(self) -> None:
        self.send_json(openapi_document(self.base_url))


class WorkshopApiHandler(ApiHandler):
    async def get(self, slug: str) -> None:
        view = self.view(slug)
        lang = self.get_query_argument("lang", view.workshop.lang)
        charter = view.charter
        self.send_json(
            {
                "slug": slug,
                "title": view.workshop.title,
                "lang": view.workshop.lang,
                "phase": view.workshop.phase,
                "join_code": view.join_code,
                "categories": list(CATEGORIES),
                "stakeholders": [{"key": s.key, "name": s.name} for s in view.stakeholders],
                "ballots": [ballot_json(view, b, lang) for b in view.visible_ballots()],
                "charter": None
                if charter is None
                else {
                    "version": charter.version,
                    "method": charter.method,
                    "weights": charter.weights,
                    "tie_break": charter.tie_break,
                    "locked": charter.locked,
                },
                "criteria": [
                    {
                        "key": c.key,
                        "name": c.name,
                        "min": c.scale_min,
                        "max": c.scale_max,
                        "anchors": {str(k): v for k, v in c.anchors.items()},
                    }
                    for c in view.criteria
                ],
                "issues": [{"key": i.key, "title": i.title} for i in view.issues.values()],
            }
        )


class JoinApiHandler(ApiHandler):
    async def post(self, slug: str) -> None:
        body = self.json_body()
        self.view(slug)
        await self.service.door.enter()  # new phones queue here (see .door)
        code = body.get("code")
        if code is not None:
            found = self.service.find_code(code) if isinstance(code, str) else None
            if found is None or found[0] != slug or found[1] is None:
                raise ApiError(404, "participant_code_unknown")
            self.send_json({"token": found[1], "channel": "code"}, status=200)
            return
        category = body.get("category")
        if category is not None and category not in CATEGORIES:
            raise InvalidInputError(
                "invalid_category", value=category, allowed=", ".join(CATEGORIES)
            )
        token = await self.service.join(slug, category=category)
        self.send_json({"token": token, "channel": "device"}, status=201)


class MeApiHandler(ApiHandler):
    async def get(self, slug: str) -> None:
        token = self.participant_token(slug)
        participant = self.service.participant(slug, token)
        assert participant is not None
        votes = self.service.my_votes(slug, token)
        self.send_json(
            {
                "channel": participant.channel,
                "category": participant.category,
                "votes": {key: vote_json(self.service, v) for key, v in votes.items()},
            }
        )


class BallotApiHandler(ApiHandler):
    async def get(self, slug: str, key: str) -> None:
        view, ballot = self.service.looked_up(slug, lambda fresh: fresh.ballot(key))
        lang = self.get_query_argument("lang", view.workshop.lang)
        self.send_json(ballot_json(view, ballot, lang))


class VoteApiHandler(ApiHandler):
    async def post(self, slug: str, key: str) -> None:
        body = self.json_body()
        token = self.participant_token(slug)
        if "vote" not in body:
            raise ApiError(422, "api_missing_field", field="vote")
        vote = await self.service.vote(slug, key, token, body["vote"])
        self.send_json(vote_json(self.service, vote), status=201)


class ResultsApiHandler(ApiHandler):
    async def get(self, slug: str, key: str) -> None:
        self.service.looked_up(slug, lambda fresh: fresh.ballot(key))
        self.send_json(self.service.results(slug, key))


class CardsApiHandler(ApiHandler):
    async def post(self, slug: str) -> None:
        body = self.json_body()
        token = self.participant_token(slug)
        text, stakeholder = body.get("text"), body.get("stakeholder")
        if not isinstance(text, str):
            raise ApiError(422, "api_missing_field", field="text")
        if stakeholder is not None and not isinstance(stakeholder, str):
            raise ApiError(422, "api_bad_field", field="stakeholder")
        card = await self.service.add_card(slug, token, text, stakeholder)
        self.send_json({"id": card.id, "text": card.text, "stakeholder": card.stakeholder}, 201)


class ConsentsApiHandler(ApiHandler):
    async def post(self, slug: str) -> None:
        body = self.json_body()
        token = self.participant_token(slug)
        level, version = body.get("level"), body.get("version")
        if version is not None and (
            isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 2**31
        ):
            raise ApiError(422, "api_bad_field", field="version")
        if isinstance(level, bool) or not isinstance(level, int):
            raise ApiError(422, "api_bad_field", field="level")
        await self.service.consent(slug, token, level, version)
        self.send_json({"level": level}, status=201)


class ScoresApiHandler(ApiHandler):
    async def post(self, slug: str) -> None:
        body = self.json_body()
        token = self.participant_token(slug)
        rows = body.get("scores")
        if not isinstance(rows, list) or not rows or len(rows) > 500:
            raise ApiError(422, "api_bad_field", field="scores")
        scores: dict[tuple[str, str], float | None] = {}
        for row in rows:
            if not isinstance(row, dict):
                raise ApiError(422, "api_bad_field", field="scores")
            issue, criterion, value = row.get("issue"), row.get("criterion"), row.get("score")
            if not isinstance(issue, str) or not isinstance(criterion, str):
                raise ApiError(422, "api_bad_field", field="scores")
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise ApiError(422, "api_bad_field", field="score")
            scores[(issue, criterion)] = value
        stored = await self.service.scores(slug, token, scores)
        self.send_json({"stored": stored}, status=201)


# ---------------------------------------------------------------------- surveys (issue 19)
SURVEY_STATUS = {"survey_codes_only": 403, "survey_not_open": 409}
"""Survey refusals the API answers with a status of their own: a device on a codes-only
survey is not allowed (like a codes-only ballot), a closed round is a conflict."""


def survey_json(survey: Survey, lang: str) -> dict[str, Any]:
    """A survey as a phone's client needs it: the wording in ``lang``, the open wave, the
    whole definition (questions, options, scales, limits) and the link questions."""
    spec = survey.definition
    wave = survey.open_wave
    return {
        "key": survey.key,
        "title": local(spec.title, lang),
        "description": local(spec.description, lang) or None,
        "version": survey.version,
        "identity": spec.identity,
        "layout": spec.layout,
        "link_code": spec.link_code,
        "open_wave": None
        if wave is None
        else {"key": wave, "title": local(spec.wave(wave).title, lang)},
        "definition": spec.model_dump(mode="json"),
        "link_questions": [{"key": key, "text": wording[lang]} for key, wording in LINK_QUESTIONS]
        if spec.link_code
        else [],
    }


def survey_response_json(response: SurveyResponse) -> dict[str, Any]:
    """A stored answer as its sender sees it (never the link key)."""
    return {
        "survey": response.survey,
        "wave": response.wave,
        "answers": response.answers,
        "channel": response.channel,
        "linked": response.link_key is not None,
        "at": response.created_at.isoformat(),
    }


def _beyond_float(value: Any) -> bool:
    """A JSON integer too large for any float (Python reads them exactly)."""
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, int) and not isinstance(v, bool) and not _finite(v) for v in values)


class SurveysApiHandler(ApiHandler):
    """The workshop's surveys with their open wave and definition."""

    async def get(self, slug: str) -> None:
        view = self.view(slug)
        lang = self.get_query_argument("lang", None) or view.workshop.lang
        if lang not in LANGUAGES:
            raise ApiError(400, "api_bad_field", field="lang")
        self.send_json({"surveys": [survey_json(s, lang) for s in view.surveys.values()]})


class SurveyResponsesApiHandler(ApiHandler):
    """One person's answers to the open wave of a survey (once per person and wave)."""

    async def post(self, slug: str, key: str) -> None:
        body = self.json_body()
        token = self.participant_token(slug)
        if "answers" not in body:
            raise ApiError(422, "api_missing_field", field="answers")
        answers, link = body["answers"], body.get("link")
        if not isinstance(answers, dict) or any(_beyond_float(v) for v in answers.values()):
            raise ApiError(422, "api_bad_field", field="answers")
        if link is not None and not isinstance(link, dict):
            raise ApiError(422, "api_bad_field", field="link")
        try:
            response = await self.service.submit_survey(slug, key, token, answers, link)
        except InvalidInputError as refused:
            status = SURVEY_STATUS.get(refused.key)
            if status is None:
                raise
            raise ApiError(status, refused.key, **refused.params) from None
        self.send_json(survey_response_json(response), status=201)


# ---------------------------------------------------------------------- facilitator
class CreateBallotApiHandler(ApiHandler):
    async def post(self, slug: str) -> None:
        self.require_facilitator()
        body = self.json_body()
        self.view(slug)
        key: Any = body.get("key")
        title: Any = body.get("title")
        rule: Any = body.get("rule")
        options: Any = body.get("options")
        settings = body.get("settings") or {}
        visibility = body.get("visibility", "hidden_until_close")
        purpose = body.get("purpose", "town_meeting")
        checks = {
            "key": isinstance(key, str) and BALLOT_KEY.fullmatch(key) is not None,
            "title": isinstance(title, str) and 0 < len(clean_text(title).strip()) <= 200,
            "rule": isinstance(rule, str),
            "options": isinstance(options, list)
            and 0 < len(options) <= 200
            and all(isinstance(o, str) and 0 < len(o) <= 64 for o in options),
            "settings": isinstance(settings, dict),
            "visibility": visibility in ("live", "hidden_until_close"),
            "purpose": purpose in ("method", "weights", "themes", "town_meeting", "other"),
        }
        for name, ok in checks.items():
            if not ok:
                raise ApiError(422, "api_bad_field", field=name)
        ballot = await self.service.facilitator(
            slug,
            lambda store: store.create_ballot(
                slug,
                key,
                title,
                rule=rule,
                options=options,
                settings=settings,
                purpose=purpose,
                visibility=visibility,
            ),
        )
        self.send_json(ballot_json(self.view(slug), ballot, self.view(slug).workshop.lang), 201)


class BallotActionApiHandler(ApiHandler):
    ACTIONS: ClassVar[dict[str, str]] = {
        "open": "open_ballot",
        "close": "close_ballot",
        "release": "release_results",
    }

    async def post(self, slug: str, key: str, action: str) -> None:
        self.require_facilitator()
        method = self.ACTIONS[action]
        ballot = await self.service.facilitator(
            slug, lambda store: getattr(store, method)(slug, key)
        )
        self.send_json(ballot_json(self.view(slug), ballot, self.view(slug).workshop.lang))


class PaperVoteApiHandler(ApiHandler):
    async def post(self, slug: str, key: str) -> None:
        self.require_facilitator()
        body = self.json_body()
        if "vote" not in body:
            raise ApiError(422, "api_missing_field", field="vote")
        code = body.get("code")
        token = None
        if code is not None:
            token = normalize_code(code) if isinstance(code, str) else ""
            if not token or self.service.participant(slug, token) is None:
                raise ApiError(404, "participant_code_unknown")
        self.service.looked_up(slug, lambda fresh: fresh.ballot(key))
        vote = await self.service.paper_vote(slug, key, body["vote"], token)
        self.send_json(vote_json(self.service, vote), status=201)


class CodesApiHandler(ApiHandler):
    async def post(self, slug: str) -> None:
        self.require_facilitator()
        body = self.json_body()
        self.view(slug)
        count: Any = body.get("count")
        codes = await self.service.facilitator(slug, lambda store: store.issue_codes(slug, count))
        self.send_json({"codes": codes}, status=201)


# ---------------------------------------------------------------------- follow-up (issue 18)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""A measurement's date as the API takes it: ``2026-04-01`` (no time)."""


def _api_date(value: Any) -> date:
    """``value`` (``"2026-04-01"``) as a date, or a 400 with the ja/en message."""
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ApiError(400, "date_required", value=value)


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond any float (JSON allows it)
        return False


def _workshop_today(store: Store, slug: str) -> date:
    """Today in the workshop's time zone."""
    return datetime.now(workshop_time_zone(store.workshop(slug).time_zone)).date()


def measurement_json(measurement: Measurement) -> dict[str, Any]:
    return {
        "value": float(measurement.value),
        "measured_on": measurement.measured_on.isoformat(),
        "note": measurement.note,
        "entered_by": measurement.entered_by,
    }


def indicator_json(
    indicator: TrackedIndicator, measurements: list[RecordedMeasurement], as_of: date, lang: str
) -> dict[str, Any]:
    assessment = assess(indicator, measurements, as_of=as_of)
    return {
        "key": indicator.key,
        "issue": indicator.issue,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "baseline": float(indicator.baseline),
        "baseline_on": indicator.baseline_on.isoformat(),
        "target": float(indicator.target),
        "target_on": indicator.target_on.isoformat(),
        "source": indicator.source,
        "status": assessment.status,
        "status_label": t(f"indicator_status_{assessment.status}", lang),
        "progress": assessment.progress,
        "expected": assessment.expected,
        "latest": None if assessment.latest is None else measurement_json(assessment.latest),
        "measurements": len(measurements),
    }


class IndicatorsApiHandler(ApiHandler):
    """The workshop's indicators with their status today (facilitator only)."""

    async def get(self, slug: str) -> None:
        self.require_facilitator()
        lang = self.get_query_argument("lang", None) or self.view(slug).workshop.lang
        if lang not in ("ja", "en"):
            raise ApiError(400, "api_bad_field", field="lang")

        def read(store: Store) -> dict[str, Any]:
            with store.snapshot(slug) as snap:
                as_of = _workshop_today(snap, slug)
                by_key: dict[str, list[RecordedMeasurement]] = {}
                for m in snap.measurements(slug):
                    by_key.setdefault(m.indicator, []).append(m)
                rows = [
                    indicator_json(i, by_key.get(i.key, []), as_of, lang)
                    for i in snap.indicators(slug)
                ]
            return {"as_of": as_of.isoformat(), "indicators": rows}

        data = await asyncio.get_running_loop().run_in_executor(None, read, self.service.store)
        self.send_json(data)


class MeasurementsApiHandler(ApiHandler):
    """Record a measurement of an indicator (facilitator only; append-only, like votes).

    Refusals: 400 for a value that is not a finite number, a date that is not
    ``YYYY-MM-DD`` or is after today, a missing ``entered_by`` or text too long; 404 for an
    unknown workshop or indicator; 409 for a date before the indicator's baseline (the
    stored indicator says where change is counted from)."""

    async def post(self, slug: str, key: str) -> None:
        self.require_facilitator()
        body = self.json_body()
        self.view(slug)
        for name in ("value", "measured_on", "entered_by"):
            if name not in body:
                raise ApiError(400, "api_missing_field", field=name)
        value = body["value"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
            raise ApiError(400, "indicator_value_invalid", field="value", value=value)
        measured_on = _api_date(body["measured_on"])
        note, entered_by = body.get("note", ""), body["entered_by"]
        for name, given in (("note", note), ("entered_by", entered_by)):
            if not isinstance(given, str):
                raise ApiError(400, "api_bad_field", field=name)
        try:
            recorded = await self.service.facilitator(
                slug,
                lambda store: store.record_measurement(
                    slug, key, value, measured_on, entered_by=entered_by, note=note
                ),
            )
        except InvalidInputError as refused:
            status = 409 if refused.key == "measurement_before_baseline" else 400
            raise ApiError(status, refused.key, **refused.params) from None
        self.send_json({"indicator": key, **measurement_json(recorded)}, status=201)


class ApiNotFoundHandler(ApiHandler):
    """Any other path under ``/api/v1/``: a JSON 404 (never Jupyter's API)."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")

    def prepare(self) -> None:
        self.send_error_json(404, "api_not_found")
