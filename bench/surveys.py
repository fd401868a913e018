"""A staff survey: N staff answer a 20-question survey from their phones.

    .venv/bin/python bench/surveys.py                         # N = 500: at once, then over 60 s
    .venv/bin/python bench/surveys.py --staff 100 --spread 0  # quicker: one burst only
    .venv/bin/python bench/surveys.py --write docs/benchmarks.md

Starts ``ureshii serve`` on a fresh store (SQLite, or ``--database URL``) on a free loopback
port, defines a 20-question staff survey (3 segment questions, 12 Likert, a multiple
choice, a number, 2 free texts, and the link code), opens its ``before`` wave, and then N
simulated phones each do what a browser does with the kernel-free pages, redirects followed
and, after each page, what a browser asks for with it (``town_meeting.subresources``):

1. **join**: ``GET /p/<slug>/`` (the join page, with its CSRF token), ``POST …/join`` and
   the home page it leads to;
2. **page**: ``GET /p/<slug>/surveys/<survey>`` (the whole survey on one page);
3. **submit**: ``POST`` every answer, until the server acknowledges it, sent only once the
   answers are committed: the thanks themselves, as a browser running the page's script
   gets them (the script enables the form's ``answer=here``); with ``--without-script``, a
   303 to the thanks;
4. **thanks** (``--without-script`` only): the page that 303 leads to.

The phones arrive all at once (the worst case: a room told "please answer now"), and then,
in a second store, spread evenly over ``--spread`` seconds (staff answering over a few
minutes). It prints p50 / p95 / max per step, the server's CPU seconds (its writer process
included) and peak RSS, and **lost = acknowledged − stored** (counted in the store; must be
0), and checks that every stored answer equals what its phone sent.

The simulated phones share the 2 cores with the server (real phones bring their own); they
use bench/town_meeting.py's light HTTP client. A benchmark, not a test: it asserts nothing.
Targets: 0 lost, p95 page < 1 s, p95 submit < 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sections import write_section  # noqa: E402
from town_meeting import (  # noqa: E402
    CSRF_RE,
    SECRET,
    VENV_BIN,
    Connection,
    Reply,
    Sampler,
    free_port,
    percentiles,
    steps_table,
    subresources,
    wait_healthy,
)

from toolkit.store import Store  # noqa: E402
from toolkit.workshop_file import write_template  # noqa: E402

SECTION = "## Staff survey (bench/surveys.py)"
SURVEY = "bench-staff"
DEPARTMENTS = ["shimin", "zeimu", "fukushi", "kodomo", "somu", "kikaku", "doboku", "kyoiku"]


def definition() -> dict[str, Any]:
    """A 20-question staff DX survey, as a city would ask it."""
    options = [{"id": d, "text": f"{d}課"} for d in DEPARTMENTS]
    questions: list[dict[str, Any]] = [
        {"id": "dept", "kind": "single", "segment": True, "text": "所属", "options": options},
        {
            "id": "role",
            "kind": "single",
            "segment": True,
            "text": "職種",
            "options": [{"id": r, "text": r} for r in ("jimu", "gijutsu", "hoken", "kyoiku")],
        },
        {
            "id": "age",
            "kind": "single",
            "segment": True,
            "text": "年代",
            "options": [{"id": a, "text": a} for a in ("20s", "30s", "40s", "50s", "60s")],
        },
    ]
    questions += [
        {"id": f"q{n:02d}", "kind": "likert", "required": True, "text": f"設問 {n}: 前向きだ"}
        for n in range(1, 13)
    ]
    questions += [
        {
            "id": "tasks",
            "kind": "multiple",
            "max_choices": 3,
            "text": "先にデジタル化したい業務",
            "options": [{"id": t, "text": t} for t in ("shinsei", "kessai", "kaigi", "shukei")],
        },
        {"id": "hours", "kind": "number", "min": 0, "max": 60, "text": "紙の作業（時間/週）"},
        {"id": "barrier", "kind": "text", "text": "妨げになっていること"},
        {"id": "wish", "kind": "text", "text": "研修への希望"},
    ]
    questions.insert(15, {"id": "q13", "kind": "likert", "scale": 7, "text": "研修を受けたい"})
    assert len(questions) == 20
    return {"id": SURVEY, "title": "職員DX意識調査", "link_code": True, "questions": questions}


def answers_for(index: int) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """One phone's form fields, and the answers the store should then hold."""
    rng = random.Random(index)
    form: dict[str, list[str]] = {}
    expected: dict[str, Any] = {}
    for key, value in (
        ("dept", rng.choice(DEPARTMENTS)),
        ("role", rng.choice(["jimu", "gijutsu", "hoken", "kyoiku"])),
        ("age", rng.choice(["20s", "30s", "40s", "50s", "60s"])),
    ):
        form[f"q_{key}"], expected[key] = [value], value
    for n in range(1, 13):
        point = rng.randint(1, 5)
        form[f"q_q{n:02d}"], expected[f"q{n:02d}"] = [str(point)], point
    wish = rng.randint(1, 7)
    form["q_q13"], expected["q13"] = [str(wish)], wish
    chosen = sorted(rng.sample(["shinsei", "kessai", "kaigi", "shukei"], rng.randint(1, 3)))
    order = ["shinsei", "kessai", "kaigi", "shukei"]
    form["q_tasks"], expected["tasks"] = chosen, [t for t in order if t in chosen]
    hours = rng.randint(0, 20)
    form["q_hours"], expected["hours"] = [str(hours)], hours
    text = f"紙の回覧が多い（{index}）"
    form["q_barrier"], expected["barrier"] = [text], text
    form["link_mother"] = [rng.choice("あいうえおかきくけこさしすせそ")]
    form["link_birthday"] = [str(rng.randint(1, 28))]
    form["link_school"] = [rng.choice("たちつてとなにぬねの")]
    return form, expected


def pairs(form: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Form fields as pairs: a multiple choice sends its field once per tick."""
    return [(key, value) for key, values in form.items() for value in values]


async def phone(
    host: str, port: int, slug: str, index: int, start: asyncio.Event, delay: float, script: bool
) -> dict[str, Any]:
    cookies: dict[str, str] = {}
    result: dict[str, Any] = {"ok": False, "index": index}
    connection = Connection(host, port)

    def jar() -> str:
        return "; ".join(f"{k}={v}" for k, v in cookies.items())

    def keep(reply: Reply) -> Reply:
        for set_cookie in reply.cookies:
            name, _, rest = set_cookie.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        return reply

    async def with_extras(path: str) -> Reply:
        """A page, then what a browser asks for with it (none, since the pages carry
        their script and icon)."""
        reply = keep(await connection.request("GET", path, jar()))
        for extra in subresources(reply.body.decode(), path):
            keep(await connection.request("GET", extra, jar()))
        return reply

    await start.wait()
    await asyncio.sleep(delay)
    home = f"/p/{slug}/"
    try:
        began = time.perf_counter()
        reply = await with_extras(home)
        csrf = CSRF_RE.search(reply.body.decode())
        if csrf is None:
            result["error"] = f"join page {reply.status}"
            return result
        token = csrf.group(1)
        reply = keep(
            await connection.request(
                "POST", home + "join", jar(), {"_csrf": token, "category": "staff"}
            )
        )
        if reply.status != 303:
            result["error"] = f"join {reply.status}"
            return result
        reply = await with_extras(reply.headers["location"])
        if reply.status != 200:
            result["error"] = f"home {reply.status}"
            return result
        result["join"] = time.perf_counter() - began

        page = f"{home}surveys/{SURVEY}"
        began = time.perf_counter()
        reply = await with_extras(page)
        result["page_bytes"] = len(reply.body)
        found = CSRF_RE.search(reply.body.decode())
        if reply.status != 200 or found is None:
            result["error"] = f"page {reply.status}"
            return result
        result["page"] = time.perf_counter() - began

        form, result["expected"] = answers_for(index)
        form["_csrf"], form["_go"] = [found.group(1)], ["send"]
        if script:
            form["answer"] = ["here"]  # the field the page's script enables
        began = time.perf_counter()
        reply = keep(await connection.request("POST", page, jar(), pairs(form)))
        location = reply.headers.get("location", "")
        thanked = reply.status == 200 and b"data-address=" in reply.body
        if not (thanked if script else reply.status == 303):
            result["error"] = f"submit {reply.status}"
            return result
        result["submit"] = time.perf_counter() - began  # the answers are stored
        result["ok"] = True
        if script:
            return result  # the thanks came as the answer

        began = time.perf_counter()
        reply = keep(await connection.request("GET", location, jar()))
        if reply.status != 200:
            result["error"] = f"thanks {reply.status}"
            return result
        result["thanks"] = time.perf_counter() - began
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        result["error"] = type(error).__name__
    finally:
        await connection.close()
    return result


async def crowd(
    base: str, slug: str, staff: int, spread: float, script: bool
) -> tuple[list[dict[str, Any]], float]:
    start = asyncio.Event()
    address = urllib.parse.urlsplit(base)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    step = spread / staff if staff else 0.0
    tasks = [
        asyncio.create_task(phone(host, port, slug, i, start, i * step, script))
        for i in range(staff)
    ]
    await asyncio.sleep(0.2)
    began = time.perf_counter()
    start.set()
    results = await asyncio.wait_for(asyncio.gather(*tasks), 600 + spread)
    return list(results), time.perf_counter() - began


def run(
    staff: int, spread: float, database: str | None, folder: Path, *, script: bool = True
) -> dict[str, Any]:
    spec = write_template(folder / "w.yaml", "dx-vision", "ja")
    url = database or str(folder / "survey.sqlite")
    with Store.open(url) as store:
        slug = store.load_workshop_file(spec).slug
        store.define_survey(slug, definition())
        store.open_survey_wave(slug, SURVEY, "before")
    port = free_port()
    env = {**os.environ, "URESHII_DATABASE_URL": url, "URESHII_LANG": "ja"}
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [
            *(str(VENV_BIN / "ureshii"), "serve", str(REPO / "workshops")),
            *("--port", str(port), "--secret", SECRET),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base + "/healthz", server)
        # One phone first (index -1), so the store and caches are warm.
        asyncio.run(crowd(base, slug, 1, 0, script))
        with Sampler(server.pid) as sampler:
            cpu_before = sampler.cpu()
            results, wall = asyncio.run(crowd(base, slug, staff, spread, script))
            cpu = sampler.cpu() - cpu_before
        with Store.open(url) as store:
            stored = store.survey_responses(slug, SURVEY)[1:]  # minus the warm-up phone
            paired = len({r.link_key for r in stored if r.link_key})
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        log.close()
    acknowledged = [r for r in results if r["ok"]]
    sent = sorted(json.dumps(r["expected"], sort_keys=True) for r in acknowledged)
    held = sorted(json.dumps(r.answers, sort_keys=True) for r in stored)
    errors: dict[str, int] = {}
    for r in results:
        if "error" in r:
            errors[r["error"]] = errors.get(r["error"], 0) + 1
    return {
        "staff": staff,
        "spread_s": spread,
        "engine": "postgresql" if database else "sqlite",
        "join": percentiles([r["join"] for r in results if "join" in r]),
        "page": percentiles([r["page"] for r in results if "page" in r]),
        "submit": percentiles([r["submit"] for r in results if "submit" in r]),
        "thanks": percentiles([r["thanks"] for r in results if "thanks" in r]),
        "page_kb": max((r.get("page_bytes", 0) for r in results), default=0) / 1024,
        "acknowledged": len(acknowledged),
        "stored": len(stored),
        "lost": len(acknowledged) - len(stored),
        "answers_equal": sent == held,
        "link_keys": paired,
        "errors": errors,
        "wall_s": wall,
        "cpu_s": cpu,
        "cpu_ms_per_person": 1000 * cpu / staff if staff else 0.0,
        "script": script,
        "peak_rss_mb": sampler.peak,
    }


STEPS = {
    "join": ("join page + form + home page", ""),
    "page": ("the survey page (20 questions)", "p95 < 1 s"),
    "submit": ("the answers, until acknowledged (stored; with the thanks)", "p95 < 0.5 s"),
    "thanks": ("the thank-you page after a 303 (`--without-script`)", ""),
}


def table(figures: dict[str, Any]) -> list[str]:
    lines = steps_table(figures, STEPS)
    f = figures
    return [
        *lines,
        "",
        f"- acknowledged {f['acknowledged']}, stored {f['stored']}, **lost {f['lost']}** "
        f"(target 0); every stored answer equals what its phone sent: "
        f"**{'yes' if f['answers_equal'] else 'NO'}**; failed requests: {f['errors'] or 'none'}",
        f"- whole run {f['wall_s']:.1f} s; server CPU {f['cpu_s']:.1f} s "
        f"({f['cpu_ms_per_person']:.1f} ms per person); server peak RSS "
        f"{f['peak_rss_mb']:.0f} MB; survey page {f['page_kb']:.1f} KB",
    ]


def report(runs: list[dict[str, Any]], command: str) -> str:
    first = runs[0]
    lines = [
        SECTION,
        "",
        f"Command: `{command}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; server and {first['staff']} simulated phones on the "
        f"same machine (loopback). Store: {first['engine']}. A 20-question survey on one page "
        "(3 segment questions, 13 Likert, a multiple choice, a number, 2 free texts) and the "
        "link code.",
    ]
    for figures in runs:
        when = (
            "all at once"
            if not figures["spread_s"]
            else f"arriving evenly over {figures['spread_s']:.0f} s"
        )
        lines += ["", f"**N = {figures['staff']}, {when}:**", "", *table(figures)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=500)
    parser.add_argument(
        "--spread", type=float, default=60.0, help="seconds for the second run (0 = none)"
    )
    parser.add_argument("--database", help="a PostgreSQL URL (default: a new SQLite file)")
    parser.add_argument("--write", type=Path, help="update this benchmarks file's section")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    parser.add_argument(
        "--without-script",
        action="store_true",
        help="phones as browsers without the page's script (a 303, then the thanks)",
    )
    args = parser.parse_args()
    script = not args.without_script
    command = " ".join([".venv/bin/python bench/surveys.py", *sys.argv[1:]])
    runs = []
    with tempfile.TemporaryDirectory(prefix="ureshii-bench-") as tmp:
        folder = Path(tmp)
        burst = folder / "burst"
        burst.mkdir()
        runs.append(run(args.staff, 0.0, args.database, burst, script=script))
        if args.spread and not args.database:  # a PostgreSQL database holds one workshop
            spread = folder / "spread"
            spread.mkdir()
            runs.append(run(args.staff, args.spread, None, spread, script=script))
    if args.json:
        print(json.dumps(runs, indent=2, default=str))
    text = report(runs, command)
    print(text)
    if args.write:
        write_section(args.write, SECTION, text)


if __name__ == "__main__":
    main()
