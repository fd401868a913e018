"""Two ``ureshii serve`` replicas behind nginx, sharing one PostgreSQL: one meeting, one result.

The set-up of ``docs/deploy.md``, on loopback: a throwaway PostgreSQL database, two replicas
started with the SAME facilitator secret, and an nginx started by this test as the current
user (config, pid, logs and temp files in the test's folder) that spreads the phones
(``/p/``, ``/api/v1/``) round-robin over both replicas and pins everything else (the
facilitator's and tables' Voilà pages and their kernels' websockets) to the first.

1,000 phones join and vote through nginx at once: every vote acknowledged is stored, once;
both replicas took a share; after the close both replicas, asked directly, give the same
result as the store; and a kernel started through nginx is reachable through nginx (the
websocket upgrade passes) but not on the other replica, which is why the pinning exists.
"""

from __future__ import annotations

import getpass
import http.client
import os
import re
import resource
import shutil
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tests.participant.conftest import Meeting
from tests.server.server_helpers import (
    ServerProcess,
    free_port,
    require,
    wait_until,
)
from tests.trust.trust_helpers import A, B, C, join_phones, new_town_meeting, serve, vote_phones

PHONES = 1_000
BALLOT = "replicas"
OPTIONS = [A, B, C]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

NGINX_CONF = """\
# Written by tests/trust/test_replicas.py: the config of docs/deploy.md on loopback.
{user}
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
worker_rlimit_nofile {files};
events {{ worker_connections {connections}; }}
http {{
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    log_format upstreams '$request_method $uri $status $upstream_addr';
    access_log {root}/access.log upstreams;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      '';
    }}
    map $request_method $ureshii_write_address {{
        default "";
        POST    $binary_remote_addr;
        PUT     $binary_remote_addr;
        PATCH   $binary_remote_addr;
        DELETE  $binary_remote_addr;
    }}
    limit_req_zone $ureshii_write_address zone=ureshii_writes:10m rate=100r/s;
    limit_req_status 429;
    # Phones: any replica (nothing lives in one process).
    upstream ureshii_phones {{
        server 127.0.0.1:{a};
        server 127.0.0.1:{b};
        keepalive 256;
    }}
    # Voilà apps: one replica (a kernel lives in the process that started it).
    upstream ureshii_apps {{
        server 127.0.0.1:{a};
        server 127.0.0.1:{b} backup;
    }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        client_max_body_size 1m;
        # Phone pages and the API: any replica.
        location ~ ^/(p|api/v1)/ {{
            limit_req zone=ureshii_writes burst={burst} nodelay;
            proxy_pass http://ureshii_phones;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
        location / {{
            proxy_pass http://ureshii_apps;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 1h;
            proxy_buffering off;
        }}
    }}
}}
"""


@dataclass
class Nginx:
    process: subprocess.Popen[bytes]
    port: int
    root: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routed(self) -> list[tuple[str, str, str, str]]:
        """(method, path, status, upstream) of every request nginx passed on."""
        lines = (self.root / "access.log").read_text(encoding="utf-8").splitlines()
        return [tuple(line.split(" ", 3)) for line in lines]  # type: ignore[misc]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish, then exit
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_nginx(root: Path, a: int, b: int, *, burst: int = 3000, phones: int = 1000) -> Nginx:
    """nginx as docs/deploy.md configures it, in front of replicas on ports ``a`` and ``b``;
    ``burst``: the writes one address may send at once (4 × the expected participants);
    ``phones``: how many may be connected at once (each holds a connection to nginx, and
    nginx one to a replica while its request is served; twice that again as headroom:
    short of connections, nginx closes phones' idle keep-alive connections under them)."""
    connections = max(1024, 4 * phones + 256)
    require(os.access(NGINX, os.X_OK), f"nginx is not installed at {NGINX} (Debian package: nginx)")
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    # As root, nginx would run its workers as "nobody", who may not write here.
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    conf = root / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            user=user,
            root=root,
            a=a,
            b=b,
            port=port,
            burst=burst,
            connections=connections,
            # No more than the system allows this process (nginx could not raise it).
            files=min(2 * connections, resource.getrlimit(resource.RLIMIT_NOFILE)[1]),
        )
    )
    command = [NGINX, "-p", str(root), "-c", str(conf), "-e", str(root / "error.log")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    nginx = Nginx(process, port, root)

    def answering() -> bool:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {(root / 'error.log').read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False

    wait_until(answering, deadline_s=30, what="nginx to pass /healthz on")
    return nginx


def _small_apps(folder: Path) -> Path:
    """A one-cell console: a kernel that starts in a second or two."""
    folder.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [nbformat.v4.new_code_cell("print('replica app')")]
    nbformat.write(notebook, folder / "console.ipynb")
    return folder


@dataclass
class Deployment:
    database: str
    slug: str
    replicas: tuple[ServerProcess, ServerProcess]
    nginx: Nginx

    def meeting(self, replica: int) -> Meeting:
        return Meeting(self.replicas[replica], self.database, self.slug)


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory, postgres_server_url: str
) -> Iterator[Deployment]:
    from tests.conftest import _fresh_postgres_database

    root = tmp_path_factory.mktemp("replicas")
    database = _fresh_postgres_database(postgres_server_url)
    slug = new_town_meeting(root, database)
    apps = _small_apps(root / "apps")
    env = {"URESHII_DATABASE_URL": database}
    first = serve("replica-a", folder=apps, env=env)
    second: ServerProcess | None = None
    nginx: Nginx | None = None
    try:
        second = serve("replica-b", folder=apps, env=env)
        assert first.secret == second.secret, "replicas share the facilitator secret"
        nginx = start_nginx(root / "nginx", first.port, second.port)
        yield Deployment(database, slug, (first, second), nginx)
    finally:
        if nginx is not None:
            nginx.stop()
        if second is not None:
            second.stop()
        first.stop()


def _through_nginx(deployment: Deployment) -> Meeting:
    """A client of the deployment as a whole (its requests go through nginx)."""
    front = ServerProcess(
        deployment.nginx.process,
        deployment.nginx.port,
        deployment.replicas[0].secret,
        deployment.nginx.root / "error.log",
    )
    return Meeting(front, deployment.database, deployment.slug)


def _result(server: ServerProcess, slug: str) -> dict[str, object]:
    import json

    reply = server.request(f"/api/v1/workshops/{slug}/ballots/{BALLOT}/results")
    assert reply.status == 200
    parsed: dict[str, object] = json.loads(reply.body)
    return parsed


def _results_table(server: ServerProcess, slug: str) -> str:
    """The result table of the phones' results page (the rest has a time stamp in it)."""
    body = server.request(f"/p/{slug}/b/{BALLOT}/results").body
    table = re.search(r"<tbody>.*?</tbody>", body, re.DOTALL)
    assert table, body[:500]
    return table.group(0)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_thousand_phones_across_two_replicas_give_one_result(deployment: Deployment) -> None:
    front = _through_nginx(deployment)
    front.ballot(BALLOT, "approval", OPTIONS)  # the facilitator's API calls, through nginx
    status, _ = front.api("POST", f"/ballots/{BALLOT}/release", facilitator=True)
    assert status == 200  # a live result while the phones vote

    tokens = join_phones(deployment.nginx.base, deployment.slug, PHONES)
    votes = {token: [OPTIONS[n % 3], OPTIONS[(n + 1) % 3]] for n, token in enumerate(tokens)}
    burst = vote_phones(deployment.nginx.base, deployment.slug, BALLOT, votes)
    acknowledged = burst.acknowledged
    assert len(acknowledged) == PHONES, burst.statuses()

    # Both replicas served the phones (round-robin), and nothing was lost between them.
    phones = [r for r in deployment.nginx.routed() if r[1].startswith("/api/v1/workshops/")]
    shares = Counter(upstream for _, _, _, upstream in phones)
    replica_addresses = {f"127.0.0.1:{r.port}" for r in deployment.replicas}
    assert set(shares) == replica_addresses, shares
    assert min(shares.values()) >= 0.4 * len(phones), shares
    with front.store() as store:
        stored = store.votes(deployment.slug, BALLOT)
        assert len(stored) == PHONES
        assert max(Counter(v.participant_id for v in stored).values()) == 1
        for token, payload in votes.items():
            assert store.participant_votes(deployment.slug, token)[BALLOT].payload == sorted(
                payload
            )

    # Closed through nginx; each replica, asked directly, comes to the same frozen result
    # once its second-long cache has expired.
    status, closed = front.api("POST", f"/ballots/{BALLOT}/close", facilitator=True)
    assert status == 200 and closed["status"] == "closed"
    a, b = deployment.replicas

    def both_closed() -> bool:
        return all(_result(r, deployment.slug)["status"] == "closed" for r in (a, b))

    wait_until(both_closed, deadline_s=30, what="both replicas to see the close")
    on_a, on_b = _result(a, deployment.slug), _result(b, deployment.slug)
    assert on_a == on_b
    from toolkit.ballots import tally
    from toolkit.summary import summarize

    with front.store() as store:
        ballot = store.ballot(deployment.slug, BALLOT)
        expected = tally(ballot.rule, ballot.options, ballot.settings, [v.payload for v in stored])
        summary = summarize(store, deployment.slug)
        titles = {issue.key: issue.title for issue in store.issues(deployment.slug)}
    assert on_a["votes"] == PHONES
    assert on_a["order"] == expected["order"] and on_a["points"] == expected["points"]
    board = next(entry for entry in summary["ballots"] if entry["key"] == BALLOT)
    assert board["votes"] == PHONES  # the summary the projector board renders
    # The phones' result pages agree too, whichever replica a phone lands on.
    table = _results_table(a, deployment.slug)
    assert table == _results_table(b, deployment.slug)
    places = [table.index(titles[option]) for option in expected["order"]]
    assert places == sorted(places), "the options in the order of the result"


def _websocket_status(port: int, path: str, cookie: str, origin: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Origin": origin,
        "Cookie": cookie,
    }
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.slow
@pytest.mark.postgres
def test_the_facilitators_apps_stay_on_one_replica_and_their_websockets_pass(
    deployment: Deployment,
) -> None:
    front = _through_nginx(deployment).server
    a, b = deployment.replicas
    assert front.request("/voila/render/console.ipynb").status == 403  # anonymous, via nginx
    rendered = front.request("/voila/render/console.ipynb", facilitator=True)
    assert rendered.status == 200 and "replica app" in rendered.body
    kernel = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', rendered.body)
    assert kernel, "the rendered page names its kernel"
    channels = f"/api/kernels/{kernel.group(1)}/channels"
    cookie = front.facilitator_cookie()

    assert _websocket_status(front.port, channels, cookie, front.base) == 101
    assert _websocket_status(b.port, channels, cookie, b.base) == 404, "the kernel is on A only"
    apps = [r for r in deployment.nginx.routed() if not r[1].startswith(("/p/", "/api/v1/"))]
    assert apps and {upstream for _, _, _, upstream in apps} == {f"127.0.0.1:{a.port}"}


@pytest.mark.postgres
def test_a_phone_that_joined_on_one_replica_and_voted_on_the_other_sees_its_vote_on_both(
    deployment: Deployment,
) -> None:
    """Round-robin sends a phone's requests to either replica: its vote, cast on one, is
    its vote on the other too (receipt page, "already voted", the API's /me)."""
    on_a, on_b = deployment.meeting(0), deployment.meeting(1)
    ballot = "replicas-cross"
    on_a.ballot(ballot, "approval", OPTIONS)
    token = on_a.join()
    status, me = on_a.api("GET", "/me", token=token)
    assert status == 200 and me["votes"] == {}  # as the phone's home page asks, after joining
    status, _ = on_b.api("POST", f"/ballots/{ballot}/votes", {"vote": [A]}, token=token)
    assert status == 201
    for replica in (on_a, on_b):
        status, me = replica.api("GET", "/me", token=token)
        assert status == 200 and list(me["votes"]) == [ballot], replica.server.port
        cookie = {"Cookie": f"ureshii_p_{deployment.slug}={token}"}
        receipt = replica.server.request(f"/p/{deployment.slug}/b/{ballot}/receipt", headers=cookie)
        assert receipt.status == 200, (replica.server.port, receipt.status)
