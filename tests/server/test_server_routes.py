"""The route table, walked: every route is declared public or facilitator, has a probe path,
and answers that probe as declared over real HTTP (anonymous → 403 for facilitator routes).

A Voilà upgrade that adds a route without a probe fails here, so the new route is looked at
before it ships.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server.server_helpers import (
    TEST_SECRET,
    WORKSHOPS,
    ServerProcess,
    build_app_in_test_process,
)
from toolkit.cli import serve_commands
from toolkit.server import access as access_module
from toolkit.server.access import FacilitatorAccess
from toolkit.server.app import (
    DEFAULT_CULL_IDLE_TIMEOUT,
    DEFAULT_HOST,
    DEFAULT_PORT,
    FILE_ALLOWLIST,
    UreshiiVoila,
)
from toolkit.server.handlers import ForbiddenHandler, TooManyRequestsHandler
from toolkit.server.limits import RateGate
from toolkit.server.routes import AnonymousGate, Route


@pytest.fixture(scope="module")
def app() -> Iterator[UreshiiVoila]:
    """The same application `ureshii serve workshops` builds, not listening."""
    built = build_app_in_test_process(
        notebook_dir=WORKSHOPS, access=FacilitatorAccess(TEST_SECRET), port=0
    )
    yield built


@pytest.fixture(scope="module")
def table(app: UreshiiVoila) -> list[Route]:
    return app.describe_routes()


def test_every_route_is_declared_and_has_a_probe(table: list[Route]) -> None:
    assert table, "the table is not empty"
    missing = [route.pattern for route in table if not route.probe]
    assert missing == [], "add a probe path for these routes in toolkit/server/routes.py"
    assert all(route.access in {"public", "facilitator"} for route in table)
    for route in table:
        assert route.matches(route.probe), (route.pattern, route.probe)


def test_public_routes_come_first_and_are_only_ureshiis_own(table: list[Route]) -> None:
    accesses = [route.access for route in table]
    first_facilitator = accesses.index("facilitator")
    assert set(accesses[:first_facilitator]) == {"public"}
    assert "public" not in accesses[first_facilitator:]
    public = {route.probe for route in table if route.access == "public"}
    assert {"/", "/healthz", "/p/", "/api/v1/openapi.json"} <= public
    ours = [probe for probe in public if probe not in {"/", "/healthz"}]
    assert all(probe.startswith(("/p/", "/api/v1/", "/t/")) for probe in ours), ours


def test_the_gate_is_the_first_rule_and_voila_tree_is_not_on_root(app: UreshiiVoila) -> None:
    rules = app.init_handlers()
    limits, gate = rules[0], rules[1]  # rate limits on writes, then the anonymous gate
    assert isinstance(limits.matcher, RateGate) and limits.target is TooManyRequestsHandler
    assert isinstance(gate.matcher, AnonymousGate) and gate.target is ForbiddenHandler
    voila_on_root = [route for route in app.route_table if route.matches("/")]
    assert [route.access for route in voila_on_root] == ["public"]


def test_files_allowlist_is_voilas_default(app: UreshiiVoila) -> None:
    assert app.voila_configuration.file_allowlist == list(FILE_ALLOWLIST)
    assert FILE_ALLOWLIST == (r".*\.(png|jpg|gif|svg)",)
    assert app.voila_configuration.allow_template_override == "NO"


def test_kernel_culling_is_on(app: UreshiiVoila) -> None:
    manager = app.config.MappingKernelManager
    assert manager.cull_idle_timeout == DEFAULT_CULL_IDLE_TIMEOUT > 0
    assert 0 < manager.cull_interval <= manager.cull_idle_timeout
    assert manager.cull_connected is False


def test_cli_defaults_agree_with_the_server() -> None:
    assert serve_commands.DEFAULT_HOST == DEFAULT_HOST
    assert serve_commands.DEFAULT_PORT == DEFAULT_PORT
    assert serve_commands.DEFAULT_CULL_IDLE_TIMEOUT == DEFAULT_CULL_IDLE_TIMEOUT
    assert serve_commands.MIN_SECRET_LENGTH == access_module.MIN_SECRET_LENGTH


def test_every_probe_answers_as_declared(server: ServerProcess, table: list[Route]) -> None:
    before = server.kernel_pids()
    for route in table:
        if route.access == "facilitator":
            for method in ("GET", "POST", "DELETE"):
                reply = server.request(route.probe, method=method)
                assert reply.status == 403, (method, route.probe, reply.status)
            assert server.websocket_upgrade(route.probe) == 403, route.probe
        else:  # the participants' routes answer for themselves (a 303, 401, 404, 405 …)
            assert server.request(route.probe).status < 500, route.probe
    assert server.kernel_pids() <= before


def test_facilitator_probes_pass_the_gate_with_the_cookie(
    server: ServerProcess, table: list[Route]
) -> None:
    """The gate lets the facilitator through (Voilà itself may still say 404 or 405)."""
    for route in table:
        if route.access == "facilitator" and "/render/" not in route.probe:
            reply = server.request(route.probe, facilitator=True)
            assert "Facilitator link needed" not in reply.body, route.probe


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/p/../voila/render/console.ipynb", 403),  # ".." is no workshop: the gate answers
        ("/p/../api/kernels/00000000-0000-0000-0000-000000000000/channels", 403),
        ("/api/v1/../kernels", 404),  # under /api/v1/ only the API answers, as JSON
        ("//voila/render/console.ipynb", 403),
        ("/P/", 403),
        ("/p", 403),
        ("/healthz/../voila/tree", 403),
        ("/voila/render/console.ipynb%00", 403),
        ("/%2e%2e/voila/tree", 403),
    ],
    ids=[
        "dotdot-render",
        "dotdot-channels",
        "api-dotdot",
        "double-slash",
        "upper",
        "no-slash",
        "healthz-dotdot",
        "nul",
        "encoded-dotdot",
    ],
)
def test_odd_paths_never_reach_facilitator_handlers(
    server: ServerProcess, path: str, expected: int
) -> None:
    before = server.kernel_pids()
    reply = server.request(path)
    assert reply.status == expected, (path, reply.status)
    if expected == 404:
        assert reply.header("Content-Type").startswith("application/json")
    assert server.kernel_pids() <= before
