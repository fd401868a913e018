"""A town meeting's burst on the documented deployment: two replicas and PostgreSQL behind
nginx, side by side with one process on the same PostgreSQL.

    .venv/bin/python bench/replicas.py                  # N = 3000 phones at once
    .venv/bin/python bench/replicas.py --phones 1000
    .venv/bin/python bench/replicas.py --write docs/benchmarks.md

Starts a throwaway PostgreSQL cluster (as the tests do: tests/conftest.py), then runs the
same burst twice, each on a fresh database of the town-meeting workshop with
``expected_participants`` set to N:

1. **one process**: ``ureshii serve`` on PostgreSQL, the phones straight at it;
2. **two replicas behind nginx**: two ``ureshii serve`` sharing the facilitator secret and
   the database, nginx in front as docs/deploy.md configures it (phones round-robin over
   both; its per-address write limit sized for N: ``burst`` = 4 × N).

Each phone does what a browser running the page's script does with the light pages
(bench/town_meeting.py: the join page, which asks the one question; the post that joins and
votes, answered with the receipt once both are stored), all from one address (loopback: a
venue's Wi-Fi). Printed: p50 / p95 / max per step, acknowledged, stored, lost, refused,
the servers' CPU (and nginx's) per phone and peak RSS. Everything runs on this one machine,
so two replicas share its 2 cores: the figures show what the deployment costs and that
nothing is lost through it, not a speed-up. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sections import write_section  # noqa: E402
from town_meeting import (  # noqa: E402
    BALLOT,
    OPTIONS,
    SECRET,
    VENV_BIN,
    Sampler,
    burst,
    free_port,
    light_pages,
    percentiles,
    steps_table,
    wait_healthy,
)

from tests.conftest import _Cluster, _pg_bindir  # noqa: E402
from tests.trust.test_replicas import start_nginx  # noqa: E402
from toolkit.store import Store  # noqa: E402
from toolkit.workshop_file import write_template  # noqa: E402

SECTION = "## Two replicas behind nginx (bench/replicas.py)"


def fresh_database(cluster: _Cluster, name: str) -> str:
    subprocess.run(
        [
            *(*cluster.prefix, str(cluster.bindir / "createdb")),
            *("-h", "127.0.0.1", "-p", str(cluster.port), "-U", "ureshii", name),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cluster.url(name)


def replica(name: str, database: str, folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "URESHII_DATABASE_URL": database, "URESHII_LANG": "ja"}
    log = (folder / f"{name}.log").open("wb")
    server = subprocess.Popen(
        [
            *(str(VENV_BIN / "ureshii"), "serve", str(REPO / "workshops")),
            *("--port", str(port), "--secret", SECRET),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    wait_healthy(f"http://127.0.0.1:{port}/healthz", server)
    return server, port


def two_replicas(phones: int, database: str, folder: Path) -> dict[str, Any]:
    spec = write_template(folder / "town.yaml", "town-meeting", "ja")
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("\nlang:", f"\nexpected_participants: {phones + 1}\nlang:", 1))
    with Store.open(database) as store:
        slug = store.load_workshop_file(spec).slug
        store.create_ballot(
            slug, BALLOT, "ベンチマーク", rule="approval", options=OPTIONS, visibility="live"
        )
        store.open_ballot(slug, BALLOT)
        store.set_phase(slug, "town_meeting")  # the phase of a town meeting's votes
    (a, a_port), (b, b_port) = replica("a", database, folder), replica("b", database, folder)
    nginx = start_nginx(folder / "nginx", a_port, b_port, burst=4 * (phones + 1), phones=phones)
    try:
        asyncio.run(burst(nginx.base, slug, 1))  # warm-up, as in bench/town_meeting.py
        samplers = [Sampler(p.pid) for p in (a, b, nginx.process)]
        for sampler in samplers:
            sampler.__enter__()
        try:
            before = [s.cpu() for s in samplers]
            results, wall = asyncio.run(burst(nginx.base, slug, phones))
            cpu = [s.cpu() - b for s, b in zip(samplers, before, strict=True)]
        finally:
            for sampler in samplers:
                sampler.__exit__()
        with Store.open(database) as store:
            stored = len(store.votes(slug, BALLOT)) - 1
        # The posts that join and vote: the request each phone makes once, with its vote.
        upstreams = [r[3] for r in nginx.routed() if r[:2] == ("POST", f"/p/{slug}/join")]
        nginx_errors = nginx_complaints(folder / "nginx" / "error.log")
    finally:
        nginx.stop()
        for server in (a, b):
            server.send_signal(signal.SIGTERM)
            server.wait(30)
    acknowledged = sum(1 for r in results if r["ok"])
    errors: dict[str, int] = {}
    for r in results:
        if "error" in r:
            errors[r["error"]] = errors.get(r["error"], 0) + 1
    return {
        "phones": phones,
        "engine": "postgresql, 2 replicas + nginx",
        "join": percentiles([r["join"] for r in results if "join" in r]),
        "page": percentiles([r["page"] for r in results if "page" in r]),
        "submit": percentiles([r["submit"] for r in results if "submit" in r]),
        "receipt": percentiles([r["receipt"] for r in results if "receipt" in r]),
        "acknowledged": acknowledged,
        "stored": stored,
        "lost": acknowledged - stored,
        "errors": errors,
        "wall_s": wall,
        "cpu_s": sum(cpu[:2]),
        "nginx_cpu_s": cpu[2],
        "peak_rss_mb": sum(s.peak for s in samplers[:2]),
        "share": {port: upstreams.count(f"127.0.0.1:{port}") for port in (a_port, b_port)},
        "nginx_errors": nginx_errors,
    }


def nginx_complaints(log: Path) -> dict[str, int]:
    """What nginx's error log says, each kind of message counted (addresses and numbers
    taken out): where a phone's failed request went wrong."""
    kinds: dict[str, int] = {}
    if not log.exists():
        return kinds
    for line in log.read_text(errors="replace").splitlines():
        message = line.split("] ", 1)[-1]
        message = re.sub(r"^\d+#\d+: (\*\d+ )?", "", message).split(", client:")[0]
        message = re.sub(r"\d+", "N", message)
        kinds[message] = kinds.get(message, 0) + 1
    return dict(sorted(kinds.items(), key=lambda item: -item[1]))


def line(name: str, f: dict[str, Any]) -> str:
    cpu_ms = 1000 * f["cpu_s"] / f["phones"]
    nginx = f" + nginx {1000 * f['nginx_cpu_s'] / f['phones']:.1f}" if "nginx_cpu_s" in f else ""
    refused = sum(n for e, n in f["errors"].items() if "429" in e)
    return (
        f"| {name} | {f['join']['p95']:.2f} s | {f['page']['p95']:.2f} s | "
        f"{f['submit']['p95']:.2f} s | {f['acknowledged']} | {f['stored']} | **{f['lost']}** | "
        f"{refused} | {cpu_ms:.1f}{nginx} | {f['peak_rss_mb']:.0f} MB |"
    )


def report(one: dict[str, Any], two: dict[str, Any], command: str) -> str:
    lines = [
        SECTION,
        "",
        f"Command: `{command}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; PostgreSQL, nginx, the servers and {one['phones']} "
        "simulated phones on this one machine (loopback, one address). Two replicas share the "
        "same 2 cores, so this shows the deployment's cost and that nothing is lost through it.",
        "",
        "| set-up | p95 join | p95 ballot page | p95 vote acknowledged | acknowledged | stored "
        "| lost | refused | server CPU-ms per phone | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        line("one process", one),
        line("two replicas behind nginx", two),
        "",
        f"Replicas' share of the votes (the posts that join and vote, nginx round-robin): "
        f"{two['share']}. "
        f"Failed requests: one process {one['errors'] or 'none'}; two replicas "
        f"{two['errors'] or 'none'}. nginx's error log: {two['nginx_errors'] or 'nothing'}.",
        "",
        "Two replicas, each step:",
        "",
        *steps_table(two),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=3000)
    parser.add_argument("--write", type=Path, help="update this benchmarks file's section")
    args = parser.parse_args()
    command = " ".join([".venv/bin/python bench/replicas.py", *sys.argv[1:]])
    bindir = _pg_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL is not installed (scripts/system-deps.sh installs it)")
    cluster = _Cluster(bindir)
    try:
        with tempfile.TemporaryDirectory(prefix="ureshii-bench-") as tmp:
            folder = Path(tmp)
            for sub in ("one", "two"):
                (folder / sub).mkdir()
                if os.geteuid() == 0:  # nginx's workers write their temp files as this user
                    os.chmod(folder / sub, 0o777)
            one = light_pages(args.phones, fresh_database(cluster, "one"), folder / "one")
            two = two_replicas(args.phones, fresh_database(cluster, "two"), folder / "two")
    finally:
        cluster.stop()
    text = report(one, two, command)
    print(text)
    if args.write:
        write_section(args.write, SECTION, text)


if __name__ == "__main__":
    main()
