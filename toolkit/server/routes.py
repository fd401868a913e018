"""The route table: every path the server answers, and who may reach it.

One list, built by :func:`build_route_table`, drives the Tornado application *and* the
security tests that walk it (``tests/server/test_server_routes.py``). The rule is default
deny:

1. The first rule is a gate (:class:`AnonymousGate`): any request that is neither for a
   public route nor carries the facilitator cookie is answered by
   :class:`~toolkit.server.handlers.ForbiddenHandler` (403) before Voilà or Jupyter code
   runs, so an anonymous visitor can never start a kernel.
2. Public routes come next, before every facilitator route, so that a path matching a
   public pattern can only ever reach the public handler (Tornado takes the first match).
3. Voilà's own routes follow, all facilitator-only. Voilà's directory listing on ``/`` is
   replaced by :class:`~toolkit.server.handlers.EntryHandler`.

Each route carries a ``probe``: an example path that reaches it. A new route without one
fails the route test, so nothing is added without being checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from tornado import httputil, routing, web

from toolkit.server.access import COOKIE_NAME, FacilitatorAccess
from toolkit.server.handlers import (
    EntryHandler,
    ForbiddenHandler,
    HealthHandler,
    TableLinkHandler,
    TooManyRequestsHandler,
)
from toolkit.server.light_handler import LightHandler, LightRoute
from toolkit.server.limits import RateGate, VenueRules
from toolkit.server.participant import answer_pages, ballot_pages, join_pages, survey_pages
from toolkit.server.participant import api as api_module
from toolkit.server.participant.api import API_PREFIX
from toolkit.server.participant.service import ParticipantService
from toolkit.server.table_links import TableAccess

Access = Literal["public", "facilitator"]

PARTICIPANT_PREFIX = "/p/"
TABLE_PREFIX = "/t/"
HEALTH_PATH = "/healthz"
SLUG = r"([a-z0-9][a-z0-9_-]{0,63})"
KEY = r"([A-Za-z0-9][A-Za-z0-9_.-]{0,63})"

# Example paths for Voilà's routes (relative to the base URL). A route is given the first
# one its pattern matches in full; see `_probe_for`.
_ZERO_UUID = "00000000-0000-0000-0000-000000000000"
VOILA_PROBE_PATHS: tuple[str, ...] = (
    f"/api/kernels/{_ZERO_UUID}",
    f"/api/kernels/{_ZERO_UUID}/channels",
    "/voila/templates/lab/static/index.css",
    "/voila/static/voila.js",
    "/voila/api/themes/@jupyterlab/theme-light-extension/index.css",
    f"/voila/api/shutdown/{_ZERO_UUID}",
    f"/voila/query/{_ZERO_UUID}",
    f"/voila/execution/{_ZERO_UUID}",
    "/voila/labextensions/@jupyter-widgets/jupyterlab-manager/package.json",
    "/voila/files/example.svg",
    "/voila/tree",
    "/voila/render/console.ipynb",
    "/voila/api/contents",
    "/login",
    "/logout",
)


@dataclass(frozen=True)
class Route:
    """One entry of the route table."""

    pattern: str
    handler: type[web.RequestHandler] | type[LightHandler]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    access: Access = "facilitator"
    probe: str = ""
    """An example path (with the base URL) that this route answers; "" if none is known."""

    def to_tornado(
        self, log_request: Callable[[LightHandler], None] | None = None
    ) -> tuple[str, Any, dict[str, Any]]:
        """The rule Tornado routes by: the handler class, or a light page's
        :class:`~toolkit.server.light_handler.LightRoute` (logging through ``log_request``)."""
        if issubclass(self.handler, LightHandler):
            return (self.pattern, LightRoute(self.handler, log_request), dict(self.kwargs))
        return (self.pattern, self.handler, dict(self.kwargs))

    def matches(self, path: str) -> bool:
        """Whether ``path`` is answered by this route's pattern (Tornado matches in full)."""
        return re.fullmatch(self.pattern, path) is not None


class AnonymousGate(routing.Matcher):
    """Matches every request that is neither public, nor from the facilitator, nor one that
    a table laptop's cookie allows (its own table's apps and what they load)."""

    def __init__(
        self,
        public_patterns: Iterable[str],
        access: FacilitatorAccess,
        tables: TableAccess | None = None,
        base_url: str = "/",
    ) -> None:
        # One expression for all of them: every request passes here (a phone's too).
        self.public = re.compile(
            "|".join(f"(?:{pattern.rstrip('$')})$" for pattern in public_patterns) or "(?!)"
        )
        self.access = access
        self.tables = tables
        self.base_url = base_url

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, Any] | None:
        if self.public.match(request.path):
            return None
        header = request.headers.get("Cookie")
        if self.access.check_cookie_header(header):
            return None
        if self.tables is not None:
            found = self.tables.table_of_header(header)
            if found is not None and self.tables.allows(
                request.path, request.query, found[1], self.base_url, request.method or "GET"
            ):
                return None
        return {}


def _join(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def public_routes(
    access: FacilitatorAccess,
    *,
    base_url: str,
    console_path: str,
    service: ParticipantService | None = None,
    tables: TableAccess | None = None,
) -> list[Route]:
    """Ureshii's own routes that anyone may reach: the entry, the health check, the table
    links (``/t/``), the participants' pages (``/p/``) and their REST API (``/api/v1/``).
    Each handler checks its own credentials (a table link's key, a participant token, or
    the facilitator secret for the facilitator's API endpoints)."""
    participant = _join(base_url, PARTICIPANT_PREFIX)
    service = service or ParticipantService(None, secret=access.secret)
    shared = {"service": service, "access": access, "base_url": base_url}
    p, api = participant, _join(base_url, API_PREFIX)
    w = api + "workshops/" + SLUG
    routes = [
        Route(
            _join(base_url, "/"),
            EntryHandler,
            {"access": access, "console_path": console_path, "participant_path": participant},
            access="public",
            probe=_join(base_url, "/"),
        ),
        Route(
            _join(base_url, HEALTH_PATH),
            HealthHandler,
            access="public",
            probe=_join(base_url, HEALTH_PATH),
        ),
    ]
    if tables is not None:
        routes.append(
            Route(
                _join(base_url, TABLE_PREFIX) + SLUG + r"/([0-9]{1,2})",
                TableLinkHandler,
                {
                    "tables": tables,
                    "render_path": _join(base_url, "/voila/render/"),
                    "participant_path": participant,
                },
                access="public",
                probe=_join(base_url, TABLE_PREFIX) + "demo/1",
            )
        )
    pages: list[tuple[str, type[web.RequestHandler] | type[LightHandler], str]] = [
        (p, join_pages.EntryPage, p),
        (p + SLUG + "/", join_pages.WorkshopPage, p + "demo/"),
        (p + SLUG + "/join", join_pages.JoinPage, p + "demo/join"),
        (p + SLUG + "/card", answer_pages.CardPage, p + "demo/card"),
        (p + SLUG + "/consent", answer_pages.ConsentPage, p + "demo/consent"),
        (p + SLUG + "/vision", answer_pages.VisionConsentPage, p + "demo/vision"),
        (p + SLUG + r"/score/([0-9]{1,4})", answer_pages.ScorePage, p + "demo/score/1"),
        (p + SLUG + "/b/" + KEY, ballot_pages.BallotPage, p + "demo/b/top"),
        (p + SLUG + "/b/" + KEY + "/receipt", ballot_pages.ReceiptPage, p + "demo/b/top/receipt"),
        (p + SLUG + "/b/" + KEY + "/results", ballot_pages.ResultsPage, p + "demo/b/top/results"),
        (p + SLUG + "/surveys/" + SLUG, survey_pages.SurveyPage, p + "demo/surveys/staff-dx"),
        (api + "openapi.json", api_module.OpenApiHandler, api + "openapi.json"),
        (w, api_module.WorkshopApiHandler, api + "workshops/demo"),
        (w + "/join", api_module.JoinApiHandler, api + "workshops/demo/join"),
        (w + "/me", api_module.MeApiHandler, api + "workshops/demo/me"),
        (w + "/cards", api_module.CardsApiHandler, api + "workshops/demo/cards"),
        (w + "/consents", api_module.ConsentsApiHandler, api + "workshops/demo/consents"),
        (w + "/scores", api_module.ScoresApiHandler, api + "workshops/demo/scores"),
        (w + "/codes", api_module.CodesApiHandler, api + "workshops/demo/codes"),
        (w + "/ballots", api_module.CreateBallotApiHandler, api + "workshops/demo/ballots"),
        (w + "/ballots/" + KEY, api_module.BallotApiHandler, api + "workshops/demo/ballots/top"),
        (
            w + "/ballots/" + KEY + "/votes",
            api_module.VoteApiHandler,
            api + "workshops/demo/ballots/top/votes",
        ),
        (
            w + "/ballots/" + KEY + "/results",
            api_module.ResultsApiHandler,
            api + "workshops/demo/ballots/top/results",
        ),
        (
            w + "/ballots/" + KEY + "/paper",
            api_module.PaperVoteApiHandler,
            api + "workshops/demo/ballots/top/paper",
        ),
        (
            w + "/ballots/" + KEY + "/(open|close|release)",
            api_module.BallotActionApiHandler,
            api + "workshops/demo/ballots/top/open",
        ),
        (w + "/surveys", api_module.SurveysApiHandler, api + "workshops/demo/surveys"),
        (
            w + "/surveys/" + SLUG + "/responses",
            api_module.SurveyResponsesApiHandler,
            api + "workshops/demo/surveys/staff-dx/responses",
        ),
        (w + "/indicators", api_module.IndicatorsApiHandler, api + "workshops/demo/indicators"),
        (
            w + "/indicators/" + KEY + "/measurements",
            api_module.MeasurementsApiHandler,
            api + "workshops/demo/indicators/wait/measurements",
        ),
        (api + ".*", api_module.ApiNotFoundHandler, api + "no-such-thing"),
    ]
    routes += [
        Route(pattern, handler, shared, access="public", probe=probe)
        for pattern, handler, probe in pages
    ]
    return routes


def _probe_for(pattern: str, base_url: str) -> str:
    for path in VOILA_PROBE_PATHS:
        candidate = _join(base_url, path)
        if re.fullmatch(pattern, candidate):
            return candidate
    return ""


def voila_routes(handlers: Sequence[Any], *, base_url: str) -> list[Route]:
    """Voilà's routes, all facilitator-only; its listing on ``/`` is left out (``/`` is ours)."""
    routes = []
    for spec in handlers:
        pattern, handler = spec[0], spec[1]
        kwargs = spec[2] if len(spec) > 2 else {}
        if re.fullmatch(pattern, _join(base_url, "/")):
            continue
        routes.append(Route(pattern, handler, kwargs, "facilitator", _probe_for(pattern, base_url)))
    return routes


def build_route_table(
    access: FacilitatorAccess,
    voila_handlers: Sequence[Any],
    *,
    base_url: str = "/",
    console_path: str,
    service: ParticipantService | None = None,
    tables: TableAccess | None = None,
) -> list[Route]:
    """The whole table: public routes first, then Voilà's (facilitator) routes."""
    return [
        *public_routes(
            access, base_url=base_url, console_path=console_path, service=service, tables=tables
        ),
        *voila_routes(voila_handlers, base_url=base_url),
    ]


def tornado_rules(
    table: Sequence[Route],
    access: FacilitatorAccess,
    *,
    base_url: str,
    tables: TableAccess | None = None,
    service: ParticipantService | None = None,
    log_request: Callable[[LightHandler], None] | None = None,
) -> list[Any]:
    """The table as Tornado rules, behind the rate limits and the anonymous gate (whose
    per-workshop rules come from ``service``'s store when it has one). ``log_request``:
    the application's request log, for the light pages (Tornado logs the others)."""
    public = [route.pattern for route in table if route.access == "public"]
    api = _join(base_url, API_PREFIX)
    rules = (
        VenueRules(lambda: service.store) if service is not None and service.configured else None
    )
    limits = routing.Rule(
        RateGate((_join(base_url, PARTICIPANT_PREFIX), api), access, rules=rules),
        TooManyRequestsHandler,
        {"api_prefix": api},
        name="ureshii-rate-limits",
    )
    gate = routing.Rule(
        AnonymousGate(public, access, tables, base_url),
        ForbiddenHandler,
        {"participant_path": _join(base_url, PARTICIPANT_PREFIX)},
        name="ureshii-anonymous-gate",
    )
    return [limits, gate, *(route.to_tornado(log_request) for route in table)]


__all__ = [
    "API_PREFIX",
    "COOKIE_NAME",
    "HEALTH_PATH",
    "PARTICIPANT_PREFIX",
    "TABLE_PREFIX",
    "Access",
    "AnonymousGate",
    "Route",
    "build_route_table",
    "public_routes",
    "tornado_rules",
    "voila_routes",
]
