"""Lockdown: a participant or an anonymous visitor reaches nothing but the phone pages and API.

The server here serves a folder that also holds what must never leave it: the store
(``town.sqlite`` with its ``-wal`` and ``-shm`` files), the workshop file (``town.yaml``)
and exports (CSV, JSON, HTML). Every route of the real route table (the one
``tests/server/test_server_routes.py`` checks declaration by declaration) is walked with
every HTTP method, as an anonymous visitor and as a joined participant (token cookie and
bearer token): no notebook page, kernel, Jupyter API, file or facilitator endpoint answers,
nothing changes in the store but new anonymous joins, and every answer carries the security
headers. A "hidden until close" ballot gives away only its number of votes while open.

What ``tests/server/test_server_access.py`` already proves for the anonymous visitor on
Voilà's routes (the 403 page, no kernel started, the facilitator cookie's attributes, a
forged cookie) is not repeated; this walk adds the participant, every method, the files,
encoded traversals, the participant routes, CSRF, body sizes and headers.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import http.client
import inspect
import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from tests.participant.conftest import Meeting
from tests.server.server_helpers import (
    TEST_SECRET,
    Response,
    build_app_in_test_process,
    wait_until,
)
from tests.trust.trust_helpers import A, B, C, copy_apps, new_town_meeting, serve_meeting
from toolkit.server.access import FacilitatorAccess
from toolkit.server.app import MAX_BODY_SIZE
from toolkit.server.participant.pages import (
    CSRF_COOKIE,
    CSRF_FIELD,
    PAGE_TEMPLATES,
    SCRIPT_HASH,
    TOKEN_COOKIE_PREFIX,
)
from toolkit.server.participant.service import VIEW_TTL
from toolkit.server.routes import Route

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
HIDDEN = "hidden-vote"
"""A "hidden until close" ballot, open, with votes: its tally must not leak."""
HIDDEN_VOTES = {"x": [A, B], "y": [B], "z": [B, C]}
FACILITATOR_API = ("/ballots", "/codes", "/paper", "/open", "/close", "/release")
"""Endpoints (suffixes under ``/api/v1/workshops/<slug>``) that need the facilitator secret."""
# What an answer that leaks a notebook, a kernel or a file would contain.
LEAK_MARKERS = (
    "jupyter-config-data",
    '"nbformat"',
    "kernelId",
    "SQLite format 3",
    "ureshii-workshop/1",
    "ureshii-export/1",
)


@dataclass
class Site:
    """The server, its store inside the served folder, and one joined participant."""

    meeting: Meeting
    folder: Path
    table: list[Route]
    token: str

    @property
    def slug(self) -> str:
        return self.meeting.slug

    def request(
        self,
        path: str,
        *,
        method: str = "GET",
        participant: bool = False,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
    ) -> Response:
        """A request as an anonymous visitor, or as a participant (``token``, or the
        site's own participant): the token cookie, a CSRF cookie, and the bearer token."""
        all_headers = dict(headers or {})
        if participant:
            token = token or self.token
            cookie = f"{TOKEN_COOKIE_PREFIX}{self.slug}={token}; {CSRF_COOKIE}=seed"
            all_headers.setdefault("Cookie", cookie)
            all_headers.setdefault("Authorization", f"Bearer {token}")
        if data is None and method in {"POST", "PUT", "PATCH"}:
            data = b"{}"
            all_headers.setdefault("Content-Type", "application/json")
        return self.meeting.server.request(path, method=method, headers=all_headers, data=data)

    def state(self) -> dict[str, object]:
        """Everything a participant must not be able to change (joins aside)."""
        with self.meeting.store() as store:
            ballots = [(b.key, b.status, b.results_visible) for b in store.ballots(self.slug)]
            counts = store.counts(self.slug)
            counts.pop("participants")
            with store.engine.connect() as conn:
                channels = dict(
                    conn.execute(
                        text("SELECT channel, count(*) FROM participants GROUP BY channel")
                    ).all()
                )
            channels.pop("device", None)
            answers = store.survey_response_counts(self.slug)
            return {"ballots": ballots, "counts": counts, "channels": channels, "answers": answers}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = copy_apps(tmp_path_factory.mktemp("lockdown") / "apps")
    store_path = folder / "town.sqlite"
    slug = new_town_meeting(folder, str(store_path))
    from toolkit.export import export
    from toolkit.store import Store

    with Store.open(str(store_path)) as store:
        for fmt, name in (("csv", "backlog.csv"), ("json", "export.json"), ("html", "report.html")):
            export(store, slug, fmt, folder / name)
    (folder / "chart.png").write_bytes((folder / "backlog.csv").read_bytes())
    app = build_app_in_test_process(
        notebook_dir=folder, access=FacilitatorAccess(TEST_SECRET), port=0
    )
    table = app.describe_routes()
    meeting = serve_meeting("lockdown", str(store_path), slug, folder=folder)
    try:
        meeting.ballot(HIDDEN, "approval", [A, B, C])
        for vote in HIDDEN_VOTES.values():
            status, _ = meeting.api(
                "POST", f"/ballots/{HIDDEN}/votes", {"vote": vote}, token=meeting.join()
            )
            assert status == 201
        for suffix in ("-wal", "-shm"):
            assert (folder / f"town.sqlite{suffix}").exists(), "the store runs in WAL mode"
        yield Site(meeting, folder, table, meeting.join())
    finally:
        meeting.server.stop()


def _path(route: Route, site: Site) -> str:
    """The route's probe, on this server's workshop and hidden ballot."""
    if route.access == "facilitator":
        return route.probe
    return route.probe.replace("/demo", f"/{site.slug}").replace("/top", f"/{HIDDEN}")


def _is_facilitator_api(path: str) -> bool:
    return path.startswith("/api/v1/workshops/") and path.endswith(FACILITATOR_API)


def _assert_forbidden(reply: Response, what: str) -> None:
    assert reply.status == 403, (what, reply.status, reply.body[:200])
    if not what.startswith("HEAD"):
        assert "Facilitator link needed" in reply.body, what


def _assert_nothing_leaks(reply: Response, what: str) -> None:
    for marker in LEAK_MARKERS:
        assert marker not in reply.body, (what, marker)


# ---------------------------------------------------------------------- the walk
@dataclass
class Answer:
    what: str
    path: str
    reply: Response


@pytest.fixture(scope="module")
def walk(site: Site) -> list[Answer]:
    """Every route × every method × (anonymous, participant), answered once."""
    before_state = site.state()
    before_kernels = site.meeting.server.kernel_pids()
    answers = []
    for route in site.table:
        path = _path(route, site)
        # A new phone per route: one phone's writes are rate limited (30 a minute), and
        # the walk is about what a route gives away, not about that limit.
        token = site.meeting.join()
        for participant in (False, True):
            who = "participant" if participant else "anonymous"
            for method in METHODS:
                reply = site.request(path, method=method, participant=participant, token=token)
                answers.append(Answer(f"{method} {path} as {who}", path, reply))
    assert site.meeting.server.kernel_pids() <= before_kernels, "the walk started a kernel"
    assert site.state() == before_state, "the walk changed the workshop"
    return answers


def test_the_walk_covers_every_route_and_method(site: Site, walk: list[Answer]) -> None:
    assert len(site.table) >= 35
    assert len(walk) == len(site.table) * len(METHODS) * 2
    assert {route.access for route in site.table} == {"public", "facilitator"}


def test_no_answer_is_a_server_error_or_leaks_a_notebook_kernel_or_file(
    walk: list[Answer],
) -> None:
    for answer in walk:
        assert answer.reply.status < 500, (answer.what, answer.reply.status)
        _assert_nothing_leaks(answer.reply, answer.what)


def test_facilitator_routes_refuse_anonymous_visitors_and_participants(
    site: Site, walk: list[Answer]
) -> None:
    facilitator_paths = {_path(r, site) for r in site.table if r.access == "facilitator"}
    checked = 0
    for answer in walk:
        if answer.path in facilitator_paths:
            _assert_forbidden(answer.reply, answer.what)
            checked += 1
    assert checked == len(facilitator_paths) * len(METHODS) * 2
    before = site.meeting.server.kernel_pids()
    for path in sorted(facilitator_paths):
        reply_status = _websocket_status(site, path)
        assert reply_status == 403, (path, reply_status)
    assert site.meeting.server.kernel_pids() <= before


def _websocket_status(site: Site, path: str) -> int:
    """A websocket handshake as a participant (token cookie), e.g. to a kernel channel."""
    connection = http.client.HTTPConnection("127.0.0.1", site.meeting.server.port, timeout=60)
    headers = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Origin": site.meeting.server.base,
        "Cookie": f"{TOKEN_COOKIE_PREFIX}{site.slug}={site.token}",
    }
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_facilitator_api_endpoints_refuse_participants(walk: list[Answer]) -> None:
    answers = [a for a in walk if _is_facilitator_api(a.path) and a.what.startswith("POST")]
    assert len(answers) == 2 * 4  # ballots, codes, paper, open|close|release; two identities
    for answer in answers:
        expected = 403 if answer.what.endswith("participant") else 401
        assert answer.reply.status == expected, (answer.what, answer.reply.status)
        code = json.loads(answer.reply.body)["error"]["code"]
        assert code == ("api_facilitator_only" if expected == 403 else "api_token_required")


# ---------------------------------------------------------------------- files
STORE_FILES = ("town.sqlite", "town.sqlite-wal", "town.sqlite-shm")
OTHER_FILES = ("town.yaml", "backlog.csv", "export.json", "report.html", "console.ipynb")
FILE_ROUTES = (
    "/voila/files/{}",
    "/files/{}",
    "/voila/tree/{}",
    "/voila/api/contents/{}",
    "/api/contents/{}",
    "/voila/render/{}",
    "/{}",
    "/p/../{}",
    "/p/static/../../{}",
    "/p/%2e%2e/{}",
    "/p/..%2f{}",
    "/p/static/..%2f..%2f{}",
    "/p/%2E%2E%2F%2E%2E%2F{}",
    "/p/..%5c{}",
    "/voila/files/..%2f{}",
    "/voila/files/%2e%2e/apps/{}",
    "/voila/static/../../{}",
    "/voila/static/..%2f..%2f{}",
    "/api/v1/../../{}",
    "/api/v1/%2e%2e/%2e%2e/voila/files/{}",
    "/healthz/../{}",
    "/p/{}",
    "/p/static/{}",
)


def _file_contents(site: Site, name: str) -> bytes:
    return (site.folder / name).read_bytes()


@pytest.mark.parametrize("name", STORE_FILES + OTHER_FILES)
def test_no_file_of_the_served_folder_is_reachable(site: Site, name: str) -> None:
    """Not by an anonymous visitor, not by a participant, whatever the path trick."""
    sample = _file_contents(site, name)[:64].decode("utf-8", "replace").strip()
    for pattern in FILE_ROUTES:
        path = pattern.format(name)
        for participant in (False, True):
            reply = site.request(path, participant=participant)
            what = f"GET {path} as {'participant' if participant else 'anonymous'}"
            assert reply.status in (403, 404), (what, reply.status)
            assert not sample or sample not in reply.body, what
            _assert_nothing_leaks(reply, what)


@pytest.mark.parametrize("name", (*STORE_FILES, "town.yaml", "backlog.csv", "export.json"))
def test_even_the_facilitator_cannot_download_the_store_or_the_workshop_files(
    site: Site, name: str
) -> None:
    """Voilà's file route serves images only; the store never, whatever its name."""
    for pattern in ("/voila/files/{}", "/voila/files/./{}", "/voila/files/%2e/{}"):
        reply = site.meeting.server.request(pattern.format(name), facilitator=True)
        assert reply.status in (403, 404), (pattern, name, reply.status)
        _assert_nothing_leaks(reply, pattern.format(name))


def test_an_image_in_the_folder_is_for_the_facilitator_only(site: Site) -> None:
    for participant in (False, True):
        assert site.request("/voila/files/chart.png", participant=participant).status == 403
    assert site.meeting.server.request("/voila/files/chart.png", facilitator=True).status == 200


# ---------------------------------------------------------------------- hidden results
def test_a_hidden_ballot_gives_no_order_or_points_while_open(site: Site) -> None:
    api = f"/api/v1/workshops/{site.slug}/ballots/{HIDDEN}/results"
    page = f"/p/{site.slug}/b/{HIDDEN}/results"
    labels = ("Shorter queues at the front desk", "Reschedule health checks online")
    for participant in (False, True):
        reply = site.request(api, participant=participant)
        assert reply.status == 200
        results = json.loads(reply.body)
        assert results["visible"] is False and results["status"] == "open"
        assert results["order"] == [] and results["points"] == {}
        assert "selected" not in results
        assert results["votes"] == len(HIDDEN_VOTES)  # how many, never for what

        shown = site.request(page, participant=participant)
        assert shown.status == 200
        assert "<table" not in shown.body and 'class="bar"' not in shown.body
        assert not any(label in shown.body for label in labels)

    # Nothing else a participant may read carries the tally either.
    for path in (
        f"/api/v1/workshops/{site.slug}",
        f"/api/v1/workshops/{site.slug}/ballots/{HIDDEN}",
        f"/api/v1/workshops/{site.slug}/me",
        f"/p/{site.slug}/",
    ):
        body = site.request(path, participant=True).body
        assert '"points"' not in body and '"order"' not in body, path


# ---------------------------------------------------------------------- headers
_SOURCE_OK = re.compile(r"^('none'|'self'|'unsafe-inline'|data:)$")


def _assert_security_headers(reply: Response, what: str) -> None:
    policy = reply.header("Content-Security-Policy")
    assert policy, (what, "no Content-Security-Policy")
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        directives[name] = sources
        for source in sources:
            allowed = _SOURCE_OK.match(source) or (name, source) == ("script-src", SCRIPT_HASH)
            assert allowed, (what, f"{name} allows {source!r}")
    assert directives.get("frame-ancestors") == ["'none'"], (what, policy)
    assert "default-src" in directives, (what, policy)
    assert reply.header("X-Content-Type-Options") == "nosniff", what


def test_every_public_answer_carries_the_security_headers(walk: list[Answer]) -> None:
    """Pages, API answers, the 403 and 405 pages, /healthz and the script alike."""
    for answer in walk:
        _assert_security_headers(answer.reply, answer.what)


def test_the_pages_one_script_is_in_the_page_and_only_its_bytes_run(walk: list[Answer]) -> None:
    """No script file to sniff, swap or ask for: a phone page carries its one script, and
    its policy lets exactly those bytes run (no 'self', no 'unsafe-inline' for scripts)."""
    script = (PAGE_TEMPLATES / "enhance.js").read_bytes()
    own = f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
    carrying = [a for a in walk if "<script" in a.reply.body]
    assert carrying
    for answer in carrying:
        assert answer.reply.body.count("<script") == 1, answer.what
        assert f"<script>{script.decode()}</script>" in answer.reply.body, answer.what
        policy = answer.reply.header("Content-Security-Policy")
        assert f"script-src {own};" in policy, (answer.what, policy)
    assert b"http" not in script  # the script fetches nothing from anywhere


def _set_cookies(reply: Response) -> list[str]:
    return list(reply.headers.get_all("Set-Cookie") or [])


def test_every_cookie_is_httponly_and_samesite(site: Site, walk: list[Answer]) -> None:
    """Every Set-Cookie of the walk, and of the answers that set each kind of cookie."""
    replies = [answer.reply for answer in walk]
    server = site.meeting.server
    replies.append(server.request(f"/?secret={server.secret}"))  # the facilitator cookie
    replies.append(server.request(f"/p/{site.slug}/?lang=ja"))  # language + CSRF seed
    seeded = server.request(f"/p/{site.slug}/")
    seed = _cookie_value(seeded, CSRF_COOKIE)
    csrf = re.search(rf'name="{CSRF_FIELD}" value="([0-9a-f]+)"', seeded.body)
    assert seed and csrf
    joined = server.request(
        f"/p/{site.slug}/join",
        method="POST",
        headers={
            "Cookie": f"{CSRF_COOKIE}={seed}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        data=urlencode({CSRF_FIELD: csrf.group(1)}).encode(),
    )
    assert joined.status == 303
    replies += [seeded, joined]
    with site.meeting.store() as store:
        (code,) = store.issue_codes(site.slug, 1)
    replies.append(server.request(f"/p/?code={code}"))  # a printed code: its token cookie

    names = set()
    for reply in replies:
        for cookie in _set_cookies(reply):
            attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
            assert "httponly" in attributes, cookie
            assert any(a in ("samesite=strict", "samesite=lax") for a in attributes), cookie
            names.add(cookie.split("=", 1)[0])
    assert {
        "ureshii_facilitator",
        CSRF_COOKIE,
        "ureshii_lang",
        f"{TOKEN_COOKIE_PREFIX}{site.slug}",
    } <= names


def _cookie_value(reply: Response, name: str) -> str:
    for cookie in _set_cookies(reply):
        if cookie.startswith(name + "="):
            return cookie.split(";", 1)[0].split("=", 1)[1]
    return ""


# ---------------------------------------------------------------------- CSRF
FORMS = ("join", "card", "consent", "score/1", f"b/{HIDDEN}", "surveys/lockdown")


@dataclass
class Phone:
    """A browser that opened a participant page: its cookies and its form's CSRF token."""

    cookie: str
    csrf: str


def _phone(site: Site) -> Phone:
    token = site.meeting.join()
    page = site.meeting.server.request(
        f"/p/{site.slug}/card", headers={"Cookie": f"{TOKEN_COOKIE_PREFIX}{site.slug}={token}"}
    )
    assert page.status == 200, page.status
    seed = _cookie_value(page, CSRF_COOKIE)
    csrf = re.search(rf'name="{CSRF_FIELD}" value="([0-9a-f]+)"', page.body)
    assert seed and csrf
    return Phone(f"{TOKEN_COOKIE_PREFIX}{site.slug}={token}; {CSRF_COOKIE}={seed}", csrf.group(1))


def _post_form(
    site: Site, form: str, phone: Phone, fields: dict[str, str], origin: str | None = None
) -> Response:
    headers = {"Cookie": phone.cookie, "Content-Type": "application/x-www-form-urlencoded"}
    if origin is not None:
        headers["Origin"] = origin
    return site.meeting.server.request(
        f"/p/{site.slug}/{form}", method="POST", headers=headers, data=urlencode(fields).encode()
    )


FIELDS = {
    "join": {},
    "card": {"text": "夜でも申請できる"},
    "consent": {"level": "4"},
    "score/1": {"c_resident-joy": "3"},
    f"b/{HIDDEN}": {"choice": "0"},
    "surveys/lockdown": {"q_mood": "3", "_go": "send"},
}


def _open_for(site: Site, form: str) -> None:
    """Put the charter where ``form`` is taken: proposed for consent, locked for scores (so
    that a refusal can only come from the CSRF check, not from the workshop's state)."""
    if form == "surveys/lockdown":
        with site.meeting.store() as store:
            if not any(s.key == "lockdown" for s in store.surveys(site.slug)):
                question = {"id": "mood", "kind": "likert", "text": "前向きだ"}
                store.define_survey(
                    site.slug, {"id": "lockdown", "title": "職員", "questions": [question]}
                )
                store.open_survey_wave(site.slug, "lockdown", "before")
                time.sleep(VIEW_TTL + 0.1)  # the server's view of the workshop is this old
        return
    if form not in ("consent", "score/1"):
        return
    with site.meeting.store() as store:
        charters = store.charters(site.slug)
        if form == "consent" and (not charters or charters[-1].locked):
            if charters:
                store.revise_charter(site.slug, reason="lockdown test: consent again")
            else:
                weights = {
                    c.key: 1 / len(store.criteria(site.slug)) for c in store.criteria(site.slug)
                }
                store.propose_charter(site.slug, method="weighted_sum", weights=weights)
        if form == "score/1":
            if not charters:
                _open_for(site, "consent")
            if not store.charters(site.slug)[-1].locked:
                store.record_consent(site.slug, store.join(site.slug), 5)
                store.lock_charter(site.slug)
    locked = form == "score/1"

    def seen_by_the_server() -> bool:  # its workshop cache lives about a second
        charter = json.loads(site.request(f"/api/v1/workshops/{site.slug}").body)["charter"]
        return charter is not None and charter["locked"] is locked

    wait_until(seen_by_the_server, deadline_s=30, what=f"the server to see the charter for {form}")


@pytest.mark.parametrize("form", FORMS)
def test_every_form_refuses_a_post_without_this_browsers_csrf_token(site: Site, form: str) -> None:
    _open_for(site, form)
    phone = _phone(site)
    other = _phone(site)
    before = site.state()
    fields = FIELDS[form]
    attempts = {
        "no token": _post_form(site, form, phone, fields),
        "empty token": _post_form(site, form, phone, {**fields, CSRF_FIELD: ""}),
        "another browser's token": _post_form(
            site, form, phone, {**fields, CSRF_FIELD: other.csrf}
        ),
        "made-up token": _post_form(site, form, phone, {**fields, CSRF_FIELD: "0" * 64}),
        "another site": _post_form(
            site, form, phone, {**fields, CSRF_FIELD: phone.csrf}, origin="http://evil.example"
        ),
    }
    for what, reply in attempts.items():
        assert reply.status == 403, (form, what, reply.status)
        assert "Set-Cookie" not in reply.headers or all(
            not c.startswith(TOKEN_COOKIE_PREFIX) for c in _set_cookies(reply)
        ), (form, what)
    assert site.state() == before, f"a refused {form} post changed the workshop"


@pytest.mark.parametrize("form", ["join", "card", f"b/{HIDDEN}", "surveys/lockdown"])
def test_the_same_form_with_its_token_is_taken(site: Site, form: str) -> None:
    """The positive control: the refusals above are the CSRF check, not something else."""
    _open_for(site, form)
    phone = _phone(site)
    same_site = site.meeting.server.base
    reply = _post_form(site, form, phone, {**FIELDS[form], CSRF_FIELD: phone.csrf}, same_site)
    assert reply.status == 303, (form, reply.status, reply.body[:300])


# ---------------------------------------------------------------------- body size
TWENTY_MB = 20 * 1024 * 1024


def _send_big_body(port: int, path: str, *, chunked: bool) -> bytes:
    """POST 20 MB (declared, or chunked); the status line the server sent, or b"" if it
    closed the connection without one."""
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    head += "Content-Type: application/json\r\n"
    head += (
        "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {TWENTY_MB}\r\n\r\n"
    )
    piece = b"x" * 65536
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        try:
            connection.sendall(head.encode("ascii"))
            for _ in range(TWENTY_MB // len(piece)):
                data = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece
                connection.sendall(data)
            if chunked:
                connection.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server stopped reading and closed: refused
        try:
            return connection.recv(64).split(b"\r\n", 1)[0]
        except OSError:
            return b""


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("route", ["api-join", "page-card"])
def test_a_20_mb_post_to_a_public_route_is_refused_and_the_server_stays_healthy(
    site: Site, route: str, chunked: bool
) -> None:
    assert TWENTY_MB > MAX_BODY_SIZE
    before = site.state()
    path = f"/api/v1/workshops/{site.slug}/join" if route == "api-join" else f"/p/{site.slug}/card"
    status_line = _send_big_body(site.meeting.server.port, path, chunked=chunked)
    assert status_line == b"" or re.match(rb"HTTP/1\.1 4(00|13) ", status_line), status_line
    assert site.meeting.server.process.poll() is None, "the server died"
    assert site.request("/healthz").status == 200
    assert site.meeting.join()  # and it still takes a phone
    assert site.state() == before


# ---------------------------------------------------------------------- the secret
def _source(function: Any) -> str:
    """The source of a method, found by name in its module's file: ``inspect.getsource``
    goes by line number, which is wrong once the file was edited after the import."""
    module = inspect.getmodule(function)
    assert module is not None and module.__file__
    text = Path(module.__file__).read_text(encoding="utf-8")
    owner, name = function.__qualname__.split(".")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef) and node.name == owner:
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == name:
                    return ast.get_source_segment(text, item) or ""
    raise AssertionError(f"{function.__qualname__} not found in {module.__file__}")


def test_the_facilitator_secret_and_cookie_are_compared_in_constant_time() -> None:
    """Timing cannot be measured reliably here; the code must use hmac.compare_digest."""
    from toolkit.server.handlers import EntryHandler
    from toolkit.server.participant.api import ApiHandler
    from toolkit.server.participant.pages import PageHandler

    assert inspect.getsource(FacilitatorAccess.check_secret).lstrip().startswith("def check_")
    for method in (FacilitatorAccess.check_secret, FacilitatorAccess.check_cookie):
        source = _source(method)
        assert "hmac.compare_digest(" in source, method.__qualname__
        assert " == " not in source and " != " not in source, method.__qualname__
    # Every place that takes the secret or the cookie goes through those two methods.
    assert "self.access.check_secret(" in _source(ApiHandler.require_facilitator)
    entry = _source(EntryHandler.get)
    assert "self.access.check_secret(" in entry and "self.access.check_cookie(" in entry
    assert "hmac.compare_digest(" in _source(PageHandler.check_form)
