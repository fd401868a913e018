"""The OpenAPI 3 description of ``/api/v1/``, served at ``/api/v1/openapi.json``.

Written by hand next to the handlers (:mod:`.api`) and checked against them by the API tests
and by the schemathesis fuzz test, which generate requests from this very document.
"""

from __future__ import annotations

from typing import Any

from toolkit import __version__
from toolkit.ballots import BALLOT_RULES
from toolkit.model import CATEGORIES

_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
_KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": ["ja", "en"]},
}
_PARTICIPANT: list[dict[str, list[str]]] = [{"participant": []}]
_FACILITATOR: list[dict[str, list[str]]] = [{"facilitator": []}]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {
        str(status): {"description": _ERROR_TEXT[status], **_json(_ref("Error"))}
        for status in statuses
    }


_ERROR_TEXT = {
    400: (
        "Malformed JSON or not a JSON object; for measurements also a missing field, a value "
        "that is not a finite number or a date that is not YYYY-MM-DD or is after today"
    ),
    401: "No or unknown bearer token",
    403: (
        "Not allowed (facilitator only, or not eligible for this ballot or survey: printed "
        "codes only)"
    ),
    404: "Unknown workshop, ballot, survey, code, issue, criterion or indicator",
    409: (
        "Conflict: already voted or answered this round, ballot or survey not open, charter "
        "locked or not locked, a measurement dated before its indicator's baseline"
    ),
    413: "Request body too large",
    415: "Content-Type must be application/json",
    422: "A value is not allowed (the message says what is)",
    429: "Too many writes from this token or address: wait Retry-After seconds",
}


def _op(
    summary: str,
    *,
    ok: tuple[int, dict[str, Any]],
    errors: tuple[int, ...],
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    security: list[dict[str, list[str]]] | None = None,
    tag: str = "participant",
) -> dict[str, Any]:
    status, schema = ok
    operation: dict[str, Any] = {
        "summary": summary,
        "tags": [tag],
        "parameters": params or [_SLUG],
        "responses": {str(status): {"description": "OK", **_json(schema)}, **_errors(*errors)},
    }
    if body is not None:
        operation["requestBody"] = {"required": True, **_json(body)}
        operation["responses"].update(_errors(400, 413, 415, 429))
    operation["security"] = security if security is not None else []
    return operation


def _object(
    properties: dict[str, Any], required: tuple[str, ...] = (), *, extra: bool = False
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if not extra:
        schema["additionalProperties"] = False
    return schema


_VOTE_PAYLOAD = {
    "description": (
        "The vote, by the ballot's rule: single: an option key; approval, equal_shares, "
        "greedy_budget: a list of option keys; borda, schulze: option keys best first; "
        "dot_votes, points, score: an object option key → whole number."
    ),
    "oneOf": [
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}},
        {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
    ],
}

SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "error": _object(
                {
                    "code": {"type": "string"},
                    "message": _object(
                        {"ja": {"type": "string"}, "en": {"type": "string"}}, ("ja", "en")
                    ),
                },
                ("code", "message"),
            )
        },
        ("error",),
    ),
    "Option": _object(
        {
            "key": {"type": "string"},
            "label": {"type": "string"},
            "cost": {"type": "number", "nullable": True},
        },
        ("key", "label", "cost"),
    ),
    "Ballot": _object(
        {
            "key": {"type": "string"},
            "title": {"type": "string"},
            "purpose": {"type": "string"},
            "rule": {"type": "string", "enum": list(BALLOT_RULES)},
            "status": {"type": "string", "enum": ["draft", "open", "closed"]},
            "visibility": {"type": "string", "enum": ["live", "hidden_until_close"]},
            "results_visible": {"type": "boolean"},
            "settings": {"type": "object"},
            "options": {"type": "array", "items": _ref("Option")},
        },
        (
            "key",
            "title",
            "purpose",
            "rule",
            "status",
            "visibility",
            "results_visible",
            "settings",
            "options",
        ),
    ),
    "Workshop": _object(
        {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "lang": {"type": "string", "enum": ["ja", "en"]},
            "phase": {"type": "string"},
            "join_code": {"type": "string", "pattern": "^[0-9]{6}$"},
            "categories": {"type": "array", "items": {"type": "string"}},
            "stakeholders": {"type": "array", "items": {"type": "object"}},
            "ballots": {"type": "array", "items": _ref("Ballot")},
            "charter": {"type": "object", "nullable": True},
            "criteria": {"type": "array", "items": {"type": "object"}},
            "issues": {"type": "array", "items": {"type": "object"}},
        },
        ("slug", "title", "lang", "phase", "join_code", "ballots", "charter"),
    ),
    "JoinRequest": _object(
        {
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "code": {"type": "string", "description": "A printed one-time code"},
        }
    ),
    "Joined": _object(
        {"token": {"type": "string"}, "channel": {"type": "string"}}, ("token", "channel")
    ),
    "VoteRequest": _object({"vote": _VOTE_PAYLOAD}, ("vote",)),
    "PaperVoteRequest": _object(
        {"vote": _VOTE_PAYLOAD, "code": {"type": "string"}},
        ("vote",),
    ),
    "Receipt": _object(
        {
            "ballot": {"type": "string"},
            "receipt": {"type": "string"},
            "vote": {},
            "channel": {"type": "string"},
            "at": {"type": "string", "format": "date-time"},
        },
        ("ballot", "receipt", "vote", "channel", "at"),
    ),
    "Me": _object(
        {
            "channel": {"type": "string"},
            "category": {"type": "string", "nullable": True},
            "votes": {"type": "object", "additionalProperties": _ref("Receipt")},
        },
        ("channel", "category", "votes"),
    ),
    "Results": _object(
        {
            "ballot": {"type": "string"},
            "status": {"type": "string"},
            "visible": {"type": "boolean"},
            "votes": {"type": "integer", "minimum": 0},
            "order": {"type": "array", "items": {"type": "string"}},
            "points": {"type": "object", "additionalProperties": {"type": "number"}},
            "selected": {"type": "array", "items": {"type": "string"}},
        },
        ("ballot", "status", "visible", "votes", "order", "points"),
    ),
    "CardRequest": _object(
        {
            "text": {"type": "string", "minLength": 1, "maxLength": 500},
            "stakeholder": {"type": "string"},
        },
        ("text",),
    ),
    "Card": _object(
        {
            "id": {"type": "integer"},
            "text": {"type": "string"},
            "stakeholder": {"type": "string", "nullable": True},
        },
        ("id", "text", "stakeholder"),
    ),
    "ConsentRequest": _object(
        {
            "level": {"type": "integer", "minimum": 0, "maximum": 5},
            "version": {"type": "integer", "minimum": 1, "maximum": 2147483647},
        },
        ("level",),
    ),
    "Consented": _object({"level": {"type": "integer"}}, ("level",)),
    "ScoresRequest": _object(
        {
            "scores": {
                "type": "array",
                "minItems": 1,
                "maxItems": 500,
                "items": _object(
                    {
                        "issue": {"type": "string"},
                        "criterion": {"type": "string"},
                        "score": {
                            "type": "number",
                            "nullable": True,
                            "description": "null = don't know",
                        },
                    },
                    ("issue", "criterion", "score"),
                ),
            }
        },
        ("scores",),
    ),
    "Stored": _object({"stored": {"type": "integer"}}, ("stored",)),
    "CreateBallotRequest": _object(
        {
            "key": {
                "type": "string",
                "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
            },
            "title": {"type": "string", "minLength": 1, "maxLength": 200},
            "rule": {"type": "string", "enum": list(BALLOT_RULES)},
            "options": {
                "type": "array",
                "minItems": 1,
                "maxItems": 200,
                "items": {"type": "string", "minLength": 1, "maxLength": 64},
            },
            "settings": {"type": "object"},
            "visibility": {"type": "string", "enum": ["live", "hidden_until_close"]},
            "purpose": {
                "type": "string",
                "enum": ["method", "weights", "themes", "town_meeting", "other"],
            },
        },
        ("key", "title", "rule", "options"),
    ),
    "CodesRequest": _object(
        {"count": {"type": "integer", "minimum": 1, "maximum": 5000}}, ("count",)
    ),
    "Codes": _object(
        {"codes": {"type": "array", "items": {"type": "string"}}},
        ("codes",),
    ),
    "MeasurementRequest": _object(
        {
            "value": {"type": "number", "description": "A finite number"},
            "measured_on": {"type": "string", "format": "date", "example": "2026-10-01"},
            "note": {"type": "string", "maxLength": 1000},
            "entered_by": {"type": "string", "minLength": 1, "maxLength": 200},
        },
        ("value", "measured_on", "entered_by"),
    ),
    "Measurement": _object(
        {
            "indicator": {"type": "string"},
            "value": {"type": "number"},
            "measured_on": {"type": "string", "format": "date"},
            "note": {"type": "string"},
            "entered_by": {"type": "string"},
        },
        ("indicator", "value", "measured_on", "note", "entered_by"),
    ),
    "Indicator": _object(
        {
            "key": {"type": "string"},
            "issue": {"type": "string"},
            "name": {"type": "string"},
            "unit": {"type": "string"},
            "direction": {"type": "string", "enum": ["increase", "decrease"]},
            "baseline": {"type": "number"},
            "baseline_on": {"type": "string", "format": "date"},
            "target": {"type": "number"},
            "target_on": {"type": "string", "format": "date"},
            "source": {"type": "string"},
            "status": {
                "type": "string",
                "enum": ["achieved", "on_track", "at_risk", "missed", "no_data"],
                "description": "Computed from the baseline, the target and the measurements",
            },
            "status_label": {"type": "string"},
            "progress": {"type": "number", "nullable": True},
            "expected": {"type": "number", "nullable": True},
            "latest": {
                **_object(
                    {
                        "value": {"type": "number"},
                        "measured_on": {"type": "string", "format": "date"},
                        "note": {"type": "string"},
                        "entered_by": {"type": "string"},
                    },
                    ("value", "measured_on", "note", "entered_by"),
                ),
                "nullable": True,
            },
            "measurements": {"type": "integer", "minimum": 0},
        },
        (
            "key",
            "issue",
            "name",
            "unit",
            "direction",
            "baseline",
            "baseline_on",
            "target",
            "target_on",
            "source",
            "status",
            "status_label",
            "progress",
            "expected",
            "latest",
            "measurements",
        ),
    ),
    "Survey": _object(
        {
            "key": {"type": "string"},
            "title": {"type": "string", "description": "In the language asked for"},
            "description": {"type": "string", "nullable": True},
            "version": {"type": "integer", "minimum": 1},
            "identity": {
                "type": "string",
                "enum": ["device", "codes"],
                "description": "codes: only printed one-time codes may answer",
            },
            "layout": {"type": "string", "enum": ["one_page", "one_per_screen"]},
            "link_code": {"type": "boolean"},
            "open_wave": {
                **_object(
                    {"key": {"type": "string"}, "title": {"type": "string"}}, ("key", "title")
                ),
                "nullable": True,
                "description": "The round answers go to now; null when none is open",
            },
            "definition": {
                "type": "object",
                "description": (
                    "The whole survey definition (questions with kind, text, required, scale, "
                    "labels, options, max_choices, min, max, unit; waves), as in the workshop "
                    "file"
                ),
            },
            "link_questions": {
                "type": "array",
                "items": _object(
                    {"key": {"type": "string"}, "text": {"type": "string"}}, ("key", "text")
                ),
            },
        },
        (
            "key",
            "title",
            "description",
            "version",
            "identity",
            "layout",
            "link_code",
            "open_wave",
            "definition",
            "link_questions",
        ),
    ),
    "Surveys": _object(
        {"surveys": {"type": "array", "items": _ref("Survey")}},
        ("surveys",),
    ),
    "SurveyResponseRequest": _object(
        {
            "answers": {
                "type": "object",
                "description": (
                    "Question id → answer: likert a whole number 1 … scale; single an option "
                    "id; multiple a list of option ids; number a number; text a string "
                    "(at most 2000 characters). Unanswered questions may be left out."
                ),
                "additionalProperties": {
                    "oneOf": [
                        {"type": "number"},
                        {"type": "string"},
                        {"type": "array", "items": {"type": "string"}},
                    ],
                    "nullable": True,
                },
            },
            "link": {
                "type": "object",
                "nullable": True,
                "description": (
                    "Optional answers to the link questions (mother, birthday, school) when the "
                    "survey has link_code; only a keyed hash of them is stored"
                ),
                "properties": {
                    "mother": {"type": "string"},
                    "birthday": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                    "school": {"type": "string"},
                },
            },
        },
        ("answers",),
    ),
    "SurveyAnswered": _object(
        {
            "survey": {"type": "string"},
            "wave": {"type": "string"},
            "answers": {"type": "object", "description": "The answers as stored (cleaned)"},
            "channel": {"type": "string"},
            "linked": {"type": "boolean", "description": "A link code was given"},
            "at": {"type": "string", "format": "date-time"},
        },
        ("survey", "wave", "answers", "channel", "linked", "at"),
    ),
    "Indicators": _object(
        {
            "as_of": {"type": "string", "format": "date"},
            "indicators": {"type": "array", "items": _ref("Indicator")},
        },
        ("as_of", "indicators"),
    ),
}


def openapi_document(base_url: str = "/") -> dict[str, Any]:
    """The whole document; ``servers`` points at this server's base URL."""
    ballot_params = [_SLUG, _KEY]
    w = "/api/v1/workshops/{slug}"
    paths: dict[str, Any] = {
        w: {
            "get": _op(
                "A workshop as participants see it (open ballots, charter, criteria)",
                ok=(200, _ref("Workshop")),
                errors=(404,),
                params=[_SLUG, _LANG],
            )
        },
        f"{w}/join": {
            "post": _op(
                "Join anonymously (a new device token) or with a printed code",
                ok=(201, _ref("Joined")),
                errors=(404, 422),
                body=_ref("JoinRequest"),
            )
        },
        f"{w}/me": {
            "get": _op(
                "This participant's votes and receipts",
                ok=(200, _ref("Me")),
                errors=(401, 404),
                security=_PARTICIPANT,
            )
        },
        f"{w}/ballots/{{key}}": {
            "get": _op(
                "One ballot with its options, labels and costs",
                ok=(200, _ref("Ballot")),
                errors=(404,),
                params=[*ballot_params, _LANG],
            )
        },
        f"{w}/ballots/{{key}}/votes": {
            "post": _op(
                "Vote (once per participant and ballot)",
                ok=(201, _ref("Receipt")),
                errors=(401, 403, 404, 409, 422),
                params=ballot_params,
                body=_ref("VoteRequest"),
                security=_PARTICIPANT,
            )
        },
        f"{w}/ballots/{{key}}/results": {
            "get": _op(
                "The tally when results are visible (else only the number of votes)",
                ok=(200, _ref("Results")),
                errors=(404,),
                params=ballot_params,
            )
        },
        f"{w}/cards": {
            "post": _op(
                "Add a happiness card (what would make a stakeholder glad)",
                ok=(201, _ref("Card")),
                errors=(401, 404, 422),
                body=_ref("CardRequest"),
                security=_PARTICIPANT,
            )
        },
        f"{w}/consents": {
            "post": _op(
                "Consent to the proposed method charter (fist of five: 0 = block … 5)",
                ok=(201, _ref("Consented")),
                errors=(401, 404, 409, 422),
                body=_ref("ConsentRequest"),
                security=_PARTICIPANT,
            )
        },
        f"{w}/scores": {
            "post": _op(
                "Score issues per criterion (only once the charter is locked)",
                ok=(201, _ref("Stored")),
                errors=(401, 404, 409, 422),
                body=_ref("ScoresRequest"),
                security=_PARTICIPANT,
            )
        },
        f"{w}/ballots": {
            "post": _op(
                "Create a ballot (a draft until opened)",
                ok=(201, _ref("Ballot")),
                errors=(401, 403, 404, 422),
                body=_ref("CreateBallotRequest"),
                security=_FACILITATOR,
                tag="facilitator",
            )
        },
        f"{w}/codes": {
            "post": _op(
                "Issue printed one-time codes (shown once)",
                ok=(201, _ref("Codes")),
                errors=(401, 403, 404, 422),
                body=_ref("CodesRequest"),
                security=_FACILITATOR,
                tag="facilitator",
            )
        },
        f"{w}/ballots/{{key}}/paper": {
            "post": _op(
                "Enter a paper ballot (staff), under its printed code if it has one",
                ok=(201, _ref("Receipt")),
                errors=(401, 403, 404, 409, 422),
                params=ballot_params,
                body=_ref("PaperVoteRequest"),
                security=_FACILITATOR,
                tag="facilitator",
            )
        },
    }
    paths[f"{w}/surveys"] = {
        "get": _op(
            "The workshop's surveys with their open wave and definition",
            ok=(200, _ref("Surveys")),
            errors=(400, 404),
            params=[_SLUG, _LANG],
        )
    }
    paths[f"{w}/surveys/{{key}}/responses"] = {
        "post": _op(
            "Answer the open wave of a survey (once per participant and wave)",
            ok=(201, _ref("SurveyAnswered")),
            errors=(401, 403, 404, 409, 422),
            params=[_SLUG, _KEY],
            body=_ref("SurveyResponseRequest"),
            security=_PARTICIPANT,
        )
    }
    paths[f"{w}/indicators"] = {
        "get": _op(
            "The indicators with their status today in the workshop's time zone",
            ok=(200, _ref("Indicators")),
            errors=(400, 401, 403, 404),
            params=[_SLUG, _LANG],
            security=_FACILITATOR,
            tag="facilitator",
        )
    }
    paths[f"{w}/indicators/{{key}}/measurements"] = {
        "post": _op(
            "Record a measurement of an indicator (append-only; a correction is a newer one)",
            ok=(201, _ref("Measurement")),
            errors=(401, 403, 404, 409),
            params=[_SLUG, _KEY],
            body=_ref("MeasurementRequest"),
            security=_FACILITATOR,
            tag="facilitator",
        )
    }
    for action, summary in (
        ("open", "Open a ballot for votes"),
        ("close", "Close a ballot for good (its result is frozen)"),
        ("release", "Show a hidden-until-close ballot's results now"),
    ):
        paths[f"{w}/ballots/{{key}}/{action}"] = {
            "post": _op(
                summary,
                ok=(200, _ref("Ballot")),
                errors=(401, 403, 404, 409),
                params=ballot_params,
                security=_FACILITATOR,
                tag="facilitator",
            )
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Ureshii participant API",
            "version": __version__,
            "description": (
                "Everything a participant's phone page does, as JSON. Errors carry a message "
                "in Japanese and English."
            ),
        },
        "servers": [{"url": base_url.rstrip("/") or "/"}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "participant": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The token from POST /join, or a printed code",
                },
                "facilitator": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The facilitator secret that `ureshii serve` prints",
                },
            },
        },
    }
