"""The phone pages under /p/ over plain HTTP, as an old phone without JavaScript uses them.

A real ``ureshii serve`` on a fresh town-meeting store (the ``meeting`` fixture). Each
:class:`Phone` is a cookie jar that follows no redirect by itself, so every 303 is seen.
Every page fetched is measured (< 50 KB), searched for addresses of other hosts, and its
Content-Security-Policy read; no participant page may start a kernel. The largest page of
each kind is written to ``test-artifacts/participant-page-sizes.txt``.

A refused form must answer 4xx with the message in the page's language, show the form again
with what was sent, and store nothing.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.participant.conftest import BUDGET, TITLES, A, B, C, D, Meeting
from tests.server.server_helpers import ARTIFACTS, LOOPBACK_HOSTS, wait_until
from toolkit.i18n import t
from toolkit.server.participant.pages import ENHANCE_SCRIPT, SCRIPT_HASH

PAGE_LIMIT = 50_000
"""Bytes a phone page may weigh (the issue's limit: < 50 KB per page)."""
CSP_SOURCES = {"'self'", "'none'", "'unsafe-inline'", "data:"}
CATALOG = Path(__file__).resolve().parents[2] / "toolkit/i18n/catalog/participant.yaml"
SIZES: dict[str, int] = {}
"""The largest page of each kind fetched in this module, in bytes."""


# ---------------------------------------------------------------------- reading pages
class _Reader(HTMLParser):
    """The successful controls of a page's forms (what a browser would send), its visible
    text and its ``<html lang>``."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.controls: set[str] = set()
        self.disabled: set[str] = set()
        self.text: list[str] = []
        self.lang = ""
        self.meta_refresh = False
        self.live_seconds = 0
        self._select: str | None = None
        self._textarea: str | None = None
        self._skip = 0
        self._fieldset_disabled = 0

    def _add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag in ("script", "style"):
            self._skip += 1
        elif tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.meta_refresh = True
        if a.get("id") == "live":
            self.live_seconds = int(a.get("data-live-seconds") or 0)
        elif tag == "fieldset" and "disabled" in a:
            self._fieldset_disabled += 1
        elif tag in ("input", "select", "textarea") and name:
            self.controls.add(name)
            if "disabled" in a or self._fieldset_disabled:
                self.disabled.add(name)
        if tag == "input" and "disabled" in a:
            pass  # a browser does not send it (a script may enable it: see the browser tests)
        elif tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            elif a.get("value"):
                self._add(name, a["value"])
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self._add(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "fieldset" and self._fieldset_disabled:
            self._fieldset_disabled -= 1

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data
        if not self._skip:
            self.text.append(data)


@dataclass
class Page:
    """One answer of the server."""

    status: int
    headers: http.client.HTTPMessage
    raw: bytes
    path: str

    @property
    def body(self) -> str:
        return self.raw.decode("utf-8")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    @cached_property
    def _read(self) -> _Reader:
        reader = _Reader()
        reader.feed(self.body)
        reader.close()
        return reader

    @property
    def text(self) -> str:
        """What a person reads, whitespace collapsed."""
        return " ".join("".join(self._read.text).split())

    @property
    def lang(self) -> str:
        return self._read.lang

    @property
    def values(self) -> dict[str, list[str]]:
        """What the page's form would send as it stands (without the CSRF token)."""
        return {k: v for k, v in self._read.values.items() if k != "_csrf"}

    @property
    def controls(self) -> set[str]:
        return self._read.controls

    @property
    def disabled(self) -> set[str]:
        return self._read.disabled

    @property
    def refreshes(self) -> bool:
        """The page follows changes by itself: a live region its script fetches again (never
        a meta refresh, which reloads the whole page under a screen reader's cursor)."""
        assert not self._read.meta_refresh, "no meta refresh"
        return self._read.live_seconds > 0

    @property
    def csrf(self) -> str:
        return self._read.values["_csrf"][0]

    @property
    def alert(self) -> str:
        """The text of the page's error message (``role="alert"``), or ""."""
        found = re.search(r'<p class="error" role="alert">(.*?)</p>', self.body, re.S)
        if not found:
            return ""
        reader = _Reader()
        reader.feed(found.group(1))
        return " ".join("".join(reader.text).split())


def kind_of(path: str) -> str:
    """A page's kind for the size report: its path with the variable parts named."""
    path = urlsplit(path).path
    path = re.sub(r"^/p/[^/]+/", "/p/<slug>/", path)
    path = re.sub(r"/b/[^/]+", "/b/<key>", path)
    return re.sub(r"/score/\d+", "/score/<n>", path)


def check_page(page: Page) -> None:
    """Every page: small, nothing from other hosts, a CSP with no external source."""
    csp = page.headers.get("Content-Security-Policy", "")
    assert csp, f"{page.path}: no Content-Security-Policy"
    for directive in filter(None, (d.strip() for d in csp.split(";"))):
        name, *sources = directive.split()
        # Scripts: the pages' own, allowed by its hash (those bytes, from no host).
        allowed = CSP_SOURCES | ({SCRIPT_HASH} if name == "script-src" else set())
        assert set(sources) <= allowed, f"{page.path}: CSP {directive!r}"
    if not page.headers.get("Content-Type", "").startswith("text/html"):
        return
    size = len(page.raw)
    assert size < PAGE_LIMIT, f"{page.path} is {size} bytes"
    kind = kind_of(page.path)
    SIZES[kind] = max(SIZES.get(kind, 0), size)
    for url in re.findall(r"(?i)https?://[^\s\"'<>)]+", page.body):
        assert urlsplit(url).hostname in LOOPBACK_HOSTS, f"{page.path} links to {url}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Phone:
    """One phone's browser: its own cookies, redirects seen one by one."""

    def __init__(self, meeting: Meeting) -> None:
        self.meeting = meeting
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            _NoRedirect(), urllib.request.HTTPCookieProcessor(self.jar)
        )

    @property
    def base(self) -> str:
        return self.meeting.server.base

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=60) as reply:
                page = Page(reply.status, reply.headers, reply.read(), request.selector)
        except urllib.error.HTTPError as error:
            page = Page(error.code, error.headers, error.read(), request.selector)
        check_page(page)
        return page

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base + path))

    def post(
        self,
        path: str,
        fields: list[tuple[str, str]],
        *,
        origin: str | None = "same",
    ) -> Page:
        """A form post as a browser sends it (with an ``Origin`` of this site by default)."""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if origin is not None:
            headers["Origin"] = self.base if origin == "same" else origin
        request = urllib.request.Request(
            self.base + path, data=urlencode(fields).encode(), headers=headers, method="POST"
        )
        return self._open(request)

    def submit(self, page: Page, action: str, fields: list[tuple[str, str]]) -> Page:
        """Send ``fields`` through the form of ``page`` (with its CSRF token)."""
        return self.post(action, [("_csrf", page.csrf), *fields])

    def follow(self, page: Page) -> Page:
        assert page.status == 303, (page.status, page.path, page.text[:300])
        return self.get(page.location)

    def cookie(self, name: str) -> http.cookiejar.Cookie | None:
        return next((c for c in self.jar if c.name == name), None)

    @property
    def token(self) -> str:
        found = self.cookie(f"ureshii_p_{self.meeting.slug}")
        assert found is not None and found.value
        return found.value


def ws(meeting: Meeting, rest: str = "") -> str:
    """A path under the workshop's pages."""
    return f"/p/{meeting.slug}/{rest}"


def join(meeting: Meeting, lang: str | None = None, category: str = "") -> Phone:
    """A phone that joined through the join form (in ``lang``, remembered by a cookie)."""
    phone = Phone(meeting)
    page = phone.get(ws(meeting) + (f"?lang={lang}" if lang else ""))
    assert page.status == 200 and "category" in page.controls
    home = phone.follow(phone.submit(page, ws(meeting, "join"), [("category", category)]))
    assert home.status == 200, home.text
    return phone


def stored(meeting: Meeting, key: str) -> list[Any]:
    with meeting.store() as store:
        return [v.payload for v in store.votes(meeting.slug, key)]


def participants(meeting: Meeting) -> int:
    with meeting.store() as store:
        return store.counts(meeting.slug)["participants"]


@pytest.fixture(scope="module", autouse=True)
def _page_sizes() -> Iterator[None]:
    yield
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [f"{size:>7,d} bytes  {kind}" for kind, size in sorted(SIZES.items())]
    (ARTIFACTS / "participant-page-sizes.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture(autouse=True)
def _no_kernel(meeting: Meeting) -> Iterator[None]:
    """No participant page may start a kernel (counted on the operating system)."""
    before = meeting.server.kernel_pids()
    assert before == set()
    yield
    assert meeting.server.kernel_pids() == before


# ---------------------------------------------------------------------- joining
def test_a_phone_joins_through_the_form_and_lands_on_its_home_page(meeting: Meeting) -> None:
    phone = Phone(meeting)
    before = participants(meeting)
    page = phone.get(ws(meeting))
    assert page.status == 200
    assert "Welcome" in page.text and "no name" in page.text
    csrf_cookie = phone.cookie("ureshii_csrf")
    assert csrf_cookie is not None and csrf_cookie.has_nonstandard_attr("HttpOnly")

    joined = phone.submit(page, ws(meeting, "join"), [("category", "resident")])
    assert joined.status == 303 and joined.location == ws(meeting)
    token = phone.cookie(f"ureshii_p_{meeting.slug}")
    assert token is not None and token.path == ws(meeting)
    assert token.has_nonstandard_attr("HttpOnly")

    home = phone.follow(joined)
    assert home.status == 200 and "What you can do now" in home.text
    assert participants(meeting) == before + 1
    with meeting.store() as store:
        assert store.participant(meeting.slug, phone.token).category == "resident"
    # The join page of a phone that joined is its home page: no second join by reloading.
    assert "What you can do now" in phone.get(ws(meeting)).text


# rule, settings, what the person fills in, the vote stored, what the receipt lists
VOTES: list[tuple[str, dict[str, Any], list[tuple[str, str]], Any, list[str]]] = [
    ("single", {}, [("choice", "1")], B, [TITLES[B]]),
    (
        "approval",
        {"max_choices": 2},
        [("choice", "0"), ("choice", "2")],
        [A, C],
        [TITLES[A], TITLES[C]],
    ),
    (
        "dot_votes",
        {"dots": 3},
        [("o0", "2"), ("o1", ""), ("o2", "1"), ("o3", "")],
        {A: 2, C: 1},
        [f"{TITLES[A]}: 2", f"{TITLES[C]}: 1"],
    ),
    (
        "points",
        {"total": 100},
        [("o0", "60"), ("o1", "40"), ("o2", ""), ("o3", "0")],
        {A: 60, B: 40},
        [f"{TITLES[A]}: 60", f"{TITLES[B]}: 40"],
    ),
    (
        "borda",
        {},
        [("o0", "2"), ("o1", "3"), ("o2", "1"), ("o3", "")],
        [C, A, B],
        [TITLES[C], TITLES[A], TITLES[B]],
    ),
    (
        "schulze",
        {},
        [("o0", ""), ("o1", "１"), ("o2", "2"), ("o3", "")],  # a full-width 1, as IMEs type it
        [B, C],
        [TITLES[B], TITLES[C]],
    ),
    (
        "score",
        {"min": 0, "max": 5},
        [("o0", "5"), ("o1", "0"), ("o2", ""), ("o3", "")],
        {A: 5, B: 0},
        [f"{TITLES[A]}: 5", f"{TITLES[B]}: 0"],
    ),
    (
        "quadratic",
        {"credits": 9},
        [("o0", "2"), ("o1", ""), ("o2", "２"), ("o3", "1")],  # 4 + 4 + 1 = 9 credits
        {A: 2, C: 2, D: 1},
        [f"{TITLES[A]}: 2", f"{TITLES[C]}: 2", f"{TITLES[D]}: 1"],
    ),
    ("equal_shares", BUDGET, [("choice", "1"), ("choice", "2")], [B, C], [TITLES[B], TITLES[C]]),
    ("greedy_budget", BUDGET, [("choice", "0"), ("choice", "3")], [D, A], [TITLES[A], TITLES[D]]),
]


@pytest.mark.parametrize(
    ("rule", "settings", "filled", "vote", "listed"), VOTES, ids=[v[0] for v in VOTES]
)
def test_each_rule_votes_through_the_form_and_shows_the_receipt(
    meeting: Meeting,
    rule: str,
    settings: dict[str, Any],
    filled: list[tuple[str, str]],
    vote: Any,
    listed: list[str],
) -> None:
    key = f"page-{rule}"
    meeting.ballot(key, rule, [A, B, C, D], **settings)
    phone = join(meeting)
    home = phone.get(ws(meeting))
    assert f"Ballot {key}" in home.text and f'href="{ws(meeting, "b/" + key)}"' in home.body

    form = phone.get(ws(meeting, f"b/{key}"))
    assert form.status == 200
    assert {name for name, _ in filled} <= form.controls
    if "costs" in settings:
        assert "Cost: 8,000,000 yen" in form.text and "10,000,000 yen" in form.text
    if rule == "quadratic":  # the hint, the counter and the field range come from the registry
        assert "You have 9 credits" in form.text and "Credits: 9" in form.text
        assert 'data-counter="credits"' in form.body and 'max="3"' in form.body

    sent = phone.submit(form, ws(meeting, f"b/{key}"), filled)
    assert sent.status == 303 and sent.location == ws(meeting, f"b/{key}/receipt"), sent.text
    receipt = phone.follow(sent)
    assert receipt.status == 200 and "Your vote is in" in receipt.text
    status, me = meeting.api("GET", "/me", token=phone.token)
    assert status == 200
    number = me["votes"][key]["receipt"]
    assert re.search(rf'<span class="code"[^>]*>{number}</span>', receipt.body)
    chosen = receipt.text.split("Your vote", 2)[-1]
    positions = [chosen.index(text) for text in listed]
    if rule in ("borda", "schulze"):
        assert positions == sorted(positions), "the receipt lists a ranking in its order"
        assert "<ol>" in receipt.body
    others = set(TITLES.values()) - {text.split(":")[0] for text in listed}
    assert not any(title in chosen for title in others)

    assert stored(meeting, key) == [vote]
    with meeting.store() as store:
        (kept,) = store.votes(meeting.slug, key)
    at = kept.created_at if kept.created_at.tzinfo else kept.created_at.replace(tzinfo=UTC)
    # In the workshop's zone (the file names none: the setting, else Tokyo), not the server's.
    zone = ZoneInfo(os.environ.get("URESHII_TIME_ZONE") or "Asia/Tokyo")
    assert f"Received at {at.astimezone(zone):%H:%M}" in receipt.text, "workshop time, not UTC"
    # Back to the ballot: the receipt again, not a second form.
    again = phone.get(ws(meeting, f"b/{key}"))
    assert again.status == 303 and again.location.endswith(f"b/{key}/receipt")
    # The same post again (a double tap, the back button): refused, still one vote.
    replay = phone.submit(form, ws(meeting, f"b/{key}"), filled)
    assert replay.status == 409
    assert replay.alert == t("p_vote_duplicate", "en")
    assert f'href="{ws(meeting, f"b/{key}/receipt")}"' in replay.body
    assert "Send my vote" not in replay.text
    assert stored(meeting, key) == [vote]


# ---------------------------------------------------------------------- refusals
@dataclass
class Refusal:
    """A form that must be refused: what is sent, the answer, and the form shown again."""

    id: str
    rule: str
    settings: dict[str, Any]
    lang: str
    filled: list[tuple[str, str]]
    status: int
    message: str
    refilled: dict[str, list[str]] = field(default_factory=dict)
    csrf: str = "page"  # "page": the page's token; "none": left out; else this value
    origin: str | None = "same"
    close_first: bool = False


REFUSALS = [
    Refusal(
        "too-many-dots",
        "dot_votes",
        {"dots": 3},
        "ja",
        [("o0", "3"), ("o1", "1"), ("o2", ""), ("o3", "")],
        422,
        "ドットは4個使われています。1人3個までです。",
        {"o0": ["3"], "o1": ["1"]},
    ),
    Refusal(
        "over-budget",
        "equal_shares",
        BUDGET,
        "en",
        [("choice", "0"), ("choice", "1")],
        422,
        t("vote_over_budget", "en", total="11,000,000", budget="10,000,000"),
        {"choice": ["0", "1"]},
    ),
    Refusal(
        "over-budget-ja",
        "greedy_budget",
        BUDGET,
        "ja",
        [("choice", "0"), ("choice", "1")],
        422,
        "選んだ事業の費用が合計 11,000,000 円で、予算 10,000,000 円を超えています。",
        {"choice": ["0", "1"]},
    ),
    Refusal(
        "unknown-option",
        "approval",
        {},
        "en",
        [("choice", "0"), ("choice", "9")],
        422,
        "That choice is not on this ballot.",
        {"choice": ["0"]},
    ),
    Refusal(
        "repeated-rank",
        "borda",
        {},
        "ja",
        [("o0", "1"), ("o1", "1"), ("o2", "2"), ("o3", "")],
        422,
        "同じ順位は1回しか使えません（1, 2, 3 …）。",
        {"o0": ["1"], "o1": ["1"], "o2": ["2"]},
    ),
    Refusal(
        "not-a-number",
        "points",
        {"total": 10},
        "en",
        [("o0", "six"), ("o1", "4"), ("o2", ""), ("o3", "")],
        422,
        f"Please write a whole number for “{TITLES[A]}”.",
        {"o0": ["six"], "o1": ["4"]},
    ),
    Refusal(
        "closed-ballot",
        "approval",
        {},
        "ja",
        [("choice", "2")],
        409,
        "この投票はいま受け付けていません。",
        {"choice": ["2"]},
        close_first=True,
    ),
    Refusal(
        "no-csrf-token",
        "dot_votes",
        {"dots": 3},
        "ja",
        [("o0", "1"), ("o1", ""), ("o2", "2"), ("o3", "")],
        403,
        t("participant_form_expired", "ja"),
        {"o0": ["1"], "o2": ["2"]},
        csrf="none",
    ),
    Refusal(
        "wrong-csrf-token",
        "single",
        {},
        "en",
        [("choice", "3")],
        403,
        t("participant_form_expired", "en"),
        {"choice": ["3"]},
        csrf="0" * 64,
    ),
    Refusal(
        "cross-origin",
        "approval",
        {},
        "en",
        [("choice", "1")],
        403,
        t("participant_form_expired", "en"),
        {"choice": ["1"]},
        origin="http://evil.example",
    ),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[r.id for r in REFUSALS])
def test_a_refused_vote_says_why_keeps_what_was_sent_and_stores_nothing(
    meeting: Meeting, case: Refusal
) -> None:
    key = f"refuse-{case.id}"
    meeting.ballot(key, case.rule, [A, B, C, D], **case.settings)
    phone = join(meeting, case.lang)
    form = phone.get(ws(meeting, f"b/{key}"))
    assert form.status == 200 and form.lang == case.lang
    if case.close_first:
        status, _ = meeting.api("POST", f"/ballots/{key}/close", facilitator=True)
        assert status == 200
    token = {"page": [("_csrf", form.csrf)], "none": []}.get(case.csrf, [("_csrf", case.csrf)])
    refused = phone.post(ws(meeting, f"b/{key}"), [*token, *case.filled], origin=case.origin)

    assert refused.status == case.status, refused.text
    assert refused.lang == case.lang
    assert refused.alert == case.message
    assert refused.values == case.refilled, "the form comes back as it was sent"
    assert stored(meeting, key) == []
    if case.close_first:
        assert case.refilled.keys() <= refused.disabled, "a closed ballot takes no vote"
        return
    # Nothing lost: the form as it came back, sent again once the problem is gone.
    assert refused.controls - refused.disabled >= case.refilled.keys()
    if case.status == 403:
        again = phone.submit(refused, ws(meeting, f"b/{key}"), case.filled)
        assert again.status == 303, again.text
        assert len(stored(meeting, key)) == 1


def test_a_join_without_the_csrf_token_is_refused_and_joins_nobody(meeting: Meeting) -> None:
    phone = Phone(meeting)
    page = phone.get(ws(meeting, "?lang=ja"))
    before = participants(meeting)
    for fields, origin in (
        ([("category", "staff")], "same"),
        ([("_csrf", page.csrf), ("category", "staff")], "http://evil.example"),
    ):
        refused = phone.post(ws(meeting, "join"), fields, origin=origin)
        assert refused.status == 403
        assert refused.alert == t("participant_form_expired", "ja")
        assert refused.values == {"category": ["staff"]}
    assert participants(meeting) == before
    assert phone.cookie(f"ureshii_p_{meeting.slug}") is None


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_unknown_code_is_refused_on_the_entry_page(meeting: Meeting, lang: str) -> None:
    phone = Phone(meeting)
    before = participants(meeting)
    page = phone.get("/p/?" + urlencode({"code": "ZZZZZ-ZZZZZ", "lang": lang}))
    assert page.status == 404 and page.lang == lang
    assert page.alert == t("participant_code_unknown", lang)
    assert page.values == {"code": ["ZZZZZ-ZZZZZ"]}
    assert phone.cookie(f"ureshii_p_{meeting.slug}") is None
    assert participants(meeting) == before


# ---------------------------------------------------------------------- codes
def test_join_by_the_six_digit_code_and_by_a_printed_code(meeting: Meeting) -> None:
    status, workshop = meeting.api("GET", "")
    assert status == 200
    join_code = workshop["join_code"]

    # The 6-digit number from the screen, typed with a space: the join page of that meeting.
    phone = Phone(meeting)
    start = phone.get("/p/")
    assert start.status == 303 and start.location == ws(meeting), "one meeting: straight in"
    join_page = phone.follow(start)
    assert "code" in join_page.controls, "the join page takes a code too"
    found = phone.get("/p/?" + urlencode({"code": f"{join_code[:3]} {join_code[3:]}"}))
    assert found.status == 303 and found.location == ws(meeting)
    page = phone.follow(found)
    home = phone.follow(phone.submit(page, ws(meeting, "join"), []))
    assert "What you can do now" in home.text

    # A codes-only ballot (from the template) refuses that phone, saying what to do.
    key = "ureshii-top3"
    status, _ = meeting.api("POST", f"/ballots/{key}/open", facilitator=True)
    assert status == 200
    form = phone.get(ws(meeting, f"b/{key}"))
    assert form.status == 200
    assert t("p_ballot_codes_only", "en") in form.text
    assert 'href="/p/"' in form.body or "code" in form.controls
    fields = [("o0", "2"), ("o1", "1")]
    refused = phone.post(ws(meeting, f"b/{key}"), [("_csrf", form.csrf), *fields])
    assert refused.status == 403
    assert refused.alert == t("p_ballot_codes_only", "en")
    assert refused.values == {"o0": ["2"], "o1": ["1"]}
    assert stored(meeting, key) == []

    # Printed codes: typed in small letters without the dash, the phone is in at once.
    status, issued = meeting.api("POST", "/codes", {"count": 2}, facilitator=True)
    assert status == 201
    first, second = issued["codes"]
    paper = Phone(meeting)
    entered = paper.get("/p/?" + urlencode({"code": first.lower().replace("-", "")}))
    assert entered.status == 303 and entered.location == ws(meeting)
    home = paper.follow(entered)
    assert "What you can do now" in home.text
    form = paper.get(ws(meeting, f"b/{key}"))
    assert t("p_ballot_codes_only", "en") not in form.text
    receipt = paper.follow(paper.submit(form, ws(meeting, f"b/{key}"), fields))
    assert "Your vote is in" in receipt.text

    # The device phone types the second code and can vote with it now.
    entered = phone.get("/p/?" + urlencode({"code": second}))
    assert entered.status == 303
    form = phone.get(ws(meeting, f"b/{key}"))
    receipt = phone.follow(phone.submit(form, ws(meeting, f"b/{key}"), [("o2", "3")]))
    assert "Your vote is in" in receipt.text

    with meeting.store() as store:
        votes = store.votes(meeting.slug, key)
    assert [(v.channel, v.payload) for v in votes] == [("code", {A: 2, B: 1}), ("code", {C: 3})]


# ---------------------------------------------------------------------- language
def _texts() -> dict[str, dict[str, str]]:
    entries: dict[str, dict[str, str]] = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    return {k: v for k, v in entries.items() if "{" not in v["en"] and k.startswith("p_")}


def content(meeting: Meeting) -> list[str]:
    """What the workshop itself says (titles, names): in its own language on every page."""
    with meeting.store() as store:
        slug = meeting.slug
        texts = [store.workshop(slug).title]
        texts += [b.title for b in store.ballots(slug)]
        texts += [i.title for i in store.issues(slug)] + [i.description for i in store.issues(slug)]
        texts += [s.name for s in store.stakeholders(slug)]
    return sorted(filter(None, texts), key=len, reverse=True)


def assert_in_language(page: Page, lang: str, workshop: list[str]) -> None:
    """``page`` is in ``lang``: no catalog text of the other language is visible."""
    assert page.lang == lang, page.path
    text = page.text
    if lang == "en":
        # The workshop is in English too: the only Japanese is the link to the Japanese page.
        japanese = re.findall(r"[\u3040-\u30ff\u3400-\u9fff]+", text)
        assert japanese == ["日本語"], (page.path, japanese)
        return
    for said in workshop:
        text = text.replace(said, "")
    for key, texts in _texts().items():
        if texts["en"] != texts["ja"] and len(texts["en"]) >= 4:
            assert texts["en"] not in text, (page.path, key)


def test_lang_switches_every_visible_string(meeting: Meeting) -> None:
    key = "lang-dots"
    meeting.ballot(key, "dot_votes", [A, B, C], dots=2)
    budget = "lang-budget"
    meeting.ballot(budget, "greedy_budget", [A, B, C, D], **BUDGET)
    phone = join(meeting)
    visitor = Phone(meeting)
    for lang, words in (
        ("ja", ["ようこそ", "参加する", "いまできること", "ドットは2個です", "予算", "結果"]),
        ("en", ["Welcome", "Take part", "What you can do now", "You have 2 dots", "Budget"]),
    ):
        join_page = Phone(meeting).get(ws(meeting, f"?lang={lang}"))
        entry = visitor.get("/p/?" + urlencode({"code": "nope", "lang": lang}))
        pages = [
            join_page,
            entry,
            phone.get(ws(meeting, f"?lang={lang}")),
            phone.get(ws(meeting, f"b/{key}?lang={lang}")),
            phone.get(ws(meeting, f"b/{budget}?lang={lang}")),
            phone.get(ws(meeting, f"b/{key}/results?lang={lang}")),
            phone.get(ws(meeting, f"card?lang={lang}")),
            phone.get(ws(meeting, f"consent?lang={lang}")),
            phone.get(ws(meeting, f"score/1?lang={lang}")),
            phone.get(ws(meeting, f"b/no-such-ballot?lang={lang}")),
        ]
        workshop = content(meeting)
        for page in pages:
            assert page.status in (200, 404, 409), (page.path, page.status)
            assert_in_language(page, lang, workshop)
        text = " ".join(page.text for page in pages)
        for word in words:
            assert word in text, (lang, word)
        # The choice is remembered: the next page without ?lang= is in the same language.
        assert phone.get(ws(meeting)).lang == lang
    # The receipt, in both languages.
    sent = phone.submit(phone.get(ws(meeting, f"b/{key}")), ws(meeting, f"b/{key}"), [("o0", "2")])
    assert sent.status == 303
    assert_in_language(phone.get(sent.location + "?lang=ja"), "ja", content(meeting))
    assert_in_language(phone.get(sent.location + "?lang=en"), "en", content(meeting))


def test_the_browser_language_is_the_default(meeting: Meeting) -> None:
    phone = Phone(meeting)
    phone.opener.addheaders = [("Accept-Language", "ja-JP,ja;q=0.9,en;q=0.8")]
    assert phone.get(ws(meeting)).lang == "ja"
    assert phone.get(ws(meeting, "?lang=en")).lang == "en"
    assert phone.get(ws(meeting)).lang == "en", "an explicit choice beats the browser's"
    other = Phone(meeting)
    other.opener.addheaders = [("Accept-Language", "fr-FR,fr;q=0.9")]
    assert other.get(ws(meeting)).lang == "en", "the workshop's language otherwise"


# ---------------------------------------------------------------------- results
def test_results_are_hidden_until_released_then_shown_and_refresh_while_open(
    meeting: Meeting,
) -> None:
    key = "page-results"
    meeting.ballot(key, "approval", [A, B, C])
    meeting.new_phones_vote(key, [[A, B], [B], [B, C]])
    phone = join(meeting)
    path = ws(meeting, f"b/{key}/results")

    hidden = phone.get(path)
    assert hidden.status == 200 and hidden.refreshes
    assert "3 votes" in hidden.text and t("p_results_hidden", "en") in hidden.text
    assert not any(title in hidden.text for title in TITLES.values())
    home = phone.get(ws(meeting))
    assert f'href="{path}"' not in home.body, "no results link while hidden"

    status, _ = meeting.api("POST", f"/ballots/{key}/release", facilitator=True)
    assert status == 200
    shown = phone.get(path)
    assert shown.refreshes, "an open ballot's results follow the votes"
    rows = re.findall(
        r'<tr><td>(\d+)</td><td>(.*?)<div.*?</td><td class="n">(\d+)</td></tr>', shown.body
    )
    assert rows[0] == ("1", TITLES[B], "3")
    assert {(title, points) for _, title, points in rows} == {
        (TITLES[A], "1"),
        (TITLES[B], "3"),
        (TITLES[C], "1"),
    }
    assert f'href="{path}"' in phone.get(ws(meeting)).body

    status, _ = meeting.api("POST", f"/ballots/{key}/close", facilitator=True)
    assert status == 200
    final = phone.get(path + "?lang=ja")
    assert not final.refreshes, "a closed ballot's result is final"
    assert "締切" in final.text and "3票" in final.text
    # A closed ballot's page says so and links the result.
    closed = phone.get(ws(meeting, f"b/{key}"))
    assert closed.status == 200 and f'href="{path}"' in closed.body
    assert t("p_ballot_not_open", "ja") in closed.text


def test_a_budget_ballot_shows_what_is_funded(meeting: Meeting) -> None:
    key = "page-results-budget"
    status, _ = meeting.api(
        "POST",
        "/ballots",
        {
            "key": key,
            "title": "Budget",
            "rule": "equal_shares",
            "options": [A, B, C, D],
            "settings": BUDGET,
            "visibility": "live",
        },
        facilitator=True,
    )
    assert status == 201
    meeting.api("POST", f"/ballots/{key}/open", facilitator=True)
    for choice in ([B, C], [B], [A]):
        status, _ = meeting.api(
            "POST", f"/ballots/{key}/votes", {"vote": choice}, token=meeting.join()
        )
        assert status == 201
    page = Phone(meeting).get(ws(meeting, f"b/{key}/results"))
    assert page.status == 200 and page.refreshes
    assert f"{TITLES[B]} ✓" in page.text and t("p_results_selected", "en") in page.text


# ---------------------------------------------------------------------- cards, consent, scores
def test_cards_then_consent_then_scoring_one_issue_per_page(meeting: Meeting) -> None:
    phone = join(meeting, "en", category="staff")
    slug = meeting.slug

    # A happiness card; an empty one is refused and the choice of stakeholder kept.
    card = phone.get(ws(meeting, "card"))
    assert card.status == 200 and {"text", "stakeholder"} <= card.controls
    refused = phone.submit(card, ws(meeting, "card"), [("stakeholder", "kosodate"), ("text", " ")])
    assert refused.status == 422 and refused.alert
    assert refused.values == {"stakeholder": ["kosodate"], "text": [" "]}
    text = "夜でもスマホで保育園の申請ができる"
    added = phone.submit(card, ws(meeting, "card"), [("stakeholder", "kosodate"), ("text", text)])
    assert added.status == 303
    assert t("p_card_added", "en") in phone.follow(added).text
    with meeting.store() as store:
        assert [(c.text, c.stakeholder) for c in store.cards(slug)] == [(text, "kosodate")]

    # Scoring is refused before the charter is locked, in either language.
    for lang in ("en", "ja"):
        early = phone.get(ws(meeting, f"score/1?lang={lang}"))
        assert early.status == 409
        assert early.alert == t("participant_scoring_not_open", lang)
    phone.get(ws(meeting, "?lang=en"))

    with meeting.store() as store:
        criteria = [c.key for c in store.criteria(slug)]
        issues = [i.key for i in store.issues(slug)]
        charter = store.propose_charter(
            slug, method="weighted_sum", weights={"resident-joy": 0.6, "urgency": 0.4}
        )
    assert criteria == ["resident-joy", "urgency"]

    def consent_form() -> bool:
        return "level" in phone.get(ws(meeting, "consent")).controls

    wait_until(consent_form, deadline_s=30, what="the consent form (views are cached ~1 s)")
    home = phone.get(ws(meeting))
    assert f'href="{ws(meeting, "consent")}"' in home.body
    page = phone.get(ws(meeting, "consent"))
    assert "Weighted" in page.text and "60%" in page.text and "40%" in page.text
    nothing = phone.submit(page, ws(meeting, "consent"), [("version", str(charter.version))])
    assert nothing.status == 422 and nothing.alert == t("participant_choose_one", "en")
    for odd in ("9" * 30, "", "v1"):  # not a version this page ever sent
        crafted = phone.submit(page, ws(meeting, "consent"), [("version", odd), ("level", "4")])
        assert crafted.status == 400
        assert crafted.values == {"level": ["4"], "version": [str(charter.version)]}
    given = phone.submit(
        page, ws(meeting, "consent"), [("version", str(charter.version)), ("level", "4")]
    )
    assert given.status == 303
    assert t("p_consent_done", "en") in phone.follow(given).text
    twice = phone.submit(
        page, ws(meeting, "consent"), [("version", str(charter.version)), ("level", "5")]
    )
    assert twice.status == 409 and twice.alert
    with meeting.store() as store:
        assert [c.level for c in store.consents(slug, charter.version)] == [4]
        store.lock_charter(slug)

    def scoring_open() -> bool:
        return phone.get(ws(meeting, "score/1")).status == 200

    wait_until(scoring_open, deadline_s=30, what="scoring to open after the lock")
    first = phone.get(ws(meeting, "score/1"))
    assert f"Issue 1 of {len(issues)}" in first.text and TITLES[A] in first.text
    assert "Many residents are clearly glad" in first.text  # the scale's anchors
    assert "Don't know" in first.text
    empty = phone.submit(first, ws(meeting, "score/1"), [])
    assert empty.status == 422 and empty.alert == t("participant_choose_one", "en")
    saved = phone.submit(
        first, ws(meeting, "score/1"), [("c_resident-joy", "4"), ("c_urgency", "dk")]
    )
    assert saved.status == 303 and saved.location == ws(meeting, "score/2")
    out = phone.submit(first, ws(meeting, "score/2"), [("c_resident-joy", "9")])
    assert out.status == 422 and out.values == {}
    assert out.alert == t(
        "p_score_out_of_scale", "en", criterion="Residents' gladness", low=1, high=5
    )
    last = phone.get(ws(meeting, f"score/{len(issues)}"))
    assert last.status == 200 and "Save and finish" in last.text
    done = phone.submit(last, ws(meeting, f"score/{len(issues)}"), [("c_urgency", "2")])
    assert done.status == 303
    finished = phone.follow(done)
    assert t("p_home_scored", "en") in finished.text
    assert phone.get(ws(meeting, f"score/{len(issues) + 1}")).status == 404

    with meeting.store() as store:
        scores = store.scores(slug)
    rows = {
        (r.issue, r.criterion): None if r.score != r.score else r.score for r in scores.itertuples()
    }
    assert rows == {
        (issues[0], "resident-joy"): 4,
        (issues[0], "urgency"): None,
        (issues[-1], "urgency"): 2,
    }


def test_pages_without_a_token_send_the_phone_to_join(meeting: Meeting) -> None:
    stranger = Phone(meeting)
    for rest in ("b/page-single", "b/page-single/receipt", "card", "consent", "score/1"):
        page = stranger.get(ws(meeting, rest))
        assert page.status == 303 and page.location == ws(meeting), rest
    missing = stranger.get("/p/no-such-meeting/?lang=ja")
    assert missing.status == 404 and missing.lang == "ja"
    assert missing.alert == t("p_workshop_unknown", "ja")
    assert 'href="/p/"' in missing.body
    # The address of a join form, opened (a reload, a shared link): the join page.
    reopened = stranger.get(ws(meeting, "join"))
    assert reopened.status == 303 and reopened.location == ws(meeting)
    # A method no page takes: a short page in the phone's language, no traceback.
    odd = stranger.post(ws(meeting), [])
    assert odd.status == 405 and odd.lang == "ja"
    assert odd.alert == t("p_error_request", "ja") and "Traceback" not in odd.body
    # The pages' one script is in the pages (no file to ask for), small, and wordless.
    assert len(ENHANCE_SCRIPT.encode()) < 4_000
    assert not re.search(r"[\u3040-\u30ff]|Dots left|Budget left", ENHANCE_SCRIPT), (
        "every word comes from the catalog"
    )
    gone = stranger.get("/p/static/enhance.js")
    assert gone.status in (403, 404) and "addEventListener" not in gone.body


# ---------------------------------------------------------------------- vision consent
LEVEL_LABEL = re.compile(r"<strong>(\d)</strong> — ([^<]+)</span>")


def test_a_phone_answers_the_vision_consent_on_the_one_scale(meeting: Meeting) -> None:
    """Phones take part in the vision's consent check, on the scale of every other screen:
    the same words, from 5 (full support) down to 0 (block); one answer per person and
    draft; an answer to a draft that is no longer the newest is refused."""
    from toolkit import consent

    slug = meeting.slug
    with meeting.store() as store:
        phase = store.workshop(slug).phase
        first = store.draft_vision(slug, "誰も取り残さないデジタルのまち", actor="table")
        store.set_phase(slug, "vision")
    try:
        phone = join(meeting, "ja")
        other = join(meeting, "en")

        def invited() -> bool:
            return f'href="{ws(meeting, "vision")}"' in phone.get(ws(meeting)).body

        wait_until(invited, deadline_s=30, what="the vision link on the home page (cached ~1 s)")
        page = phone.get(ws(meeting, "vision"))
        assert page.status == 200 and "level" in page.controls
        assert "誰も取り残さないデジタルのまち" in page.text
        for lang, reader in (("ja", phone), ("en", other)):
            shown = LEVEL_LABEL.findall(reader.get(ws(meeting, "vision")).body)
            expected = [(str(level), consent.words(level, lang)) for level in (5, 4, 3, 2, 1, 0)]
            assert shown == expected, f"the one scale, support first ({lang})"

        nothing = phone.submit(page, ws(meeting, "vision"), [("version", str(first.version))])
        assert nothing.status == 422 and nothing.alert == t("participant_choose_one", "ja")
        given = phone.submit(
            page, ws(meeting, "vision"), [("version", str(first.version)), ("level", "3")]
        )
        assert given.status == 303
        assert t("p_consent_done", "ja") in phone.follow(given).text
        twice = phone.submit(
            page, ws(meeting, "vision"), [("version", str(first.version)), ("level", "5")]
        )
        assert twice.status == 409 and twice.alert == t("p_vision_already", "ja")

        # A table saves a new draft while the second phone still reads the first one.
        stale = other.get(ws(meeting, "vision"))
        with meeting.store() as store:
            second = store.draft_vision(slug, "みんなが使えるデジタルのまち", actor="table")
        late = other.submit(
            stale, ws(meeting, "vision"), [("version", str(first.version)), ("level", "4")]
        )
        assert late.status == 422
        assert late.alert == t("vision_changed", "en", version=first.version, newest=2)
        assert "みんなが使えるデジタルのまち" in late.text, "the newer draft, to read first"
        with meeting.store() as store:
            assert [c.level for c in store.vision_consents(slug, first.version)] == [3]
            assert store.vision_consents(slug, second.version) == []
            store.set_phase(slug, "issues")

        def closed() -> bool:
            return "level" not in other.get(ws(meeting, "vision")).controls

        wait_until(closed, deadline_s=30, what="the vision form gone once the phase moved on")
        assert t("p_vision_nothing", "en") in other.get(ws(meeting, "vision")).text
    finally:
        with meeting.store() as store:
            store.set_phase(slug, phase)


def test_phones_share_one_rendering_of_a_page_each_with_its_own_csrf_token(
    meeting: Meeting,
) -> None:
    """The join and ballot pages are drawn once per snapshot of the workshop and reused
    (``render_page``'s ``cache_key``): every phone still gets its own CSRF token, which
    alone takes its vote; the next snapshot shows what changed (here: the ballot closed)."""
    key = "shared-page"
    meeting.ballot(key, "approval", [A, B, C, D])
    first, second = join(meeting), join(meeting)
    pages = [phone.get(ws(meeting, f"b/{key}")) for phone in (first, second)]
    assert [page.status for page in pages] == [200, 200]
    assert pages[0].csrf != pages[1].csrf
    assert pages[0].body.replace(pages[0].csrf, "") == pages[1].body.replace(pages[1].csrf, "")
    # Each phone's own token, and only its own, takes its vote.
    crossed = second.post(ws(meeting, f"b/{key}"), [("_csrf", pages[0].csrf), ("choice", "0")])
    assert crossed.status == 403 and stored(meeting, key) == []
    receipts = [
        phone.follow(phone.submit(page, ws(meeting, f"b/{key}"), [("choice", "1")]))
        for phone, page in zip((first, second), pages, strict=True)
    ]
    assert stored(meeting, key) == [[B], [B]]
    # The same choice, one rendering: each receipt still shows its own number.
    numbers = [re.findall(r'<span class="code">([0-9A-F-]+)</span>', r.body) for r in receipts]
    assert all(len(found) == 1 for found in numbers) and numbers[0] != numbers[1]
    for receipt, phone in zip(receipts, (first, second), strict=True):
        _, me = meeting.api("GET", "/me", token=phone.token)
        assert numbers[receipts.index(receipt)] == [me["votes"][key]["receipt"]]
        assert TITLES[B] in receipt.text and "Received at" in receipt.text

    third = Phone(meeting)
    joining = [third.get(ws(meeting)), Phone(meeting).get(ws(meeting))]
    assert joining[0].csrf != joining[1].csrf
    home = third.follow(third.submit(joining[0], ws(meeting, "join"), []))
    assert home.status == 200 and f"b/{key}" in home.body

    status, _ = meeting.api("POST", f"/ballots/{key}/close", facilitator=True)
    assert status == 200

    def closed_shown() -> bool:
        page = third.get(ws(meeting, f"b/{key}"))
        return page.status == 200 and t("p_ballot_not_open", "en") in page.text

    wait_until(closed_shown, deadline_s=30, what="the closed ballot (views are cached ~1 s)")


def test_a_new_phone_goes_straight_to_the_one_open_ballot_and_home_otherwise(
    tmp_path: Path,
) -> None:
    """A town meeting's one question is all a new phone has to do: the join leads to its form
    (one tap and one page fewer). With nothing open, two ballots, a codes-only ballot, or
    the cards of the happiness phase beside it, the join leads home. Each join is one
    participant, and a reload is not a second join."""
    from tests.participant.conftest import start_meeting

    meeting = start_meeting(tmp_path, str(tmp_path / "town.sqlite"), "first-page")
    with meeting.store() as store:  # the phase of a town meeting's votes
        store.set_phase(meeting.slug, "town_meeting")
    try:

        def first_page() -> tuple[Phone, Page]:
            phone = Phone(meeting)
            page = phone.get(ws(meeting))
            joined = phone.submit(page, ws(meeting, "join"), [("category", "resident")])
            assert joined.status == 303, joined.text
            return phone, joined

        _, joined = first_page()
        assert joined.location == ws(meeting)  # nothing open: home

        meeting.ballot("only", "approval", [A, B, C])
        phone, joined = first_page()
        assert joined.location == ws(meeting, "b/only")
        form = phone.follow(joined)
        assert form.status == 200 and "Ballot only" in form.text and "choice" in form.controls
        voted = phone.submit(form, ws(meeting, "b/only"), [("choice", "1")])
        assert voted.status == 303 and voted.location == ws(meeting, "b/only/receipt")
        assert stored(meeting, "only") == [[B]]
        # Reloading the join address later shows the phone's home page: still one person.
        assert "What you can do now" in phone.get(ws(meeting)).text
        assert participants(meeting) == 2

        meeting.ballot("second", "approval", [A, B])
        _, joined = first_page()
        assert joined.location == ws(meeting)  # two questions open: home lists both

        status, _ = meeting.api("POST", "/ballots/second/close", facilitator=True)
        assert status == 200
        status, _ = meeting.api("POST", "/ballots/only/close", facilitator=True)
        assert status == 200
        meeting.ballot("codes", "approval", [A, B], eligible=["code"])
        _, joined = first_page()
        assert joined.location == ws(meeting)  # a codes-only ballot is not a new phone's

        meeting.api("POST", "/ballots/codes/close", facilitator=True)
        meeting.ballot("mapping", "approval", [A, B])
        _, joined = first_page()
        assert joined.location == ws(meeting, "b/mapping")
        with meeting.store() as store:  # the happiness phase: cards to write as well
            store.set_phase(meeting.slug, "happiness")
        wait_until(
            lambda: first_page()[1].location == ws(meeting),
            deadline_s=10,
            what="the home page once the cards are open too",
        )
        assert participants(meeting) >= 6
    finally:
        meeting.server.stop()


@contextmanager
def one_question(tmp_path: Path, name: str) -> Iterator[Meeting]:
    """A fresh server and store in the town-meeting phase with one question open: ballot
    "only", approval, one choice at most (so the join page asks it)."""
    from tests.participant.conftest import start_meeting

    meeting = start_meeting(tmp_path, str(tmp_path / "town.sqlite"), name)
    with meeting.store() as store:
        store.set_phase(meeting.slug, "town_meeting")
    try:
        meeting.ballot("only", "approval", [A, B, C], max_choices=1)
        yield meeting
    finally:
        meeting.server.stop()


def test_the_join_page_asks_a_town_meetings_one_question_and_stores_both_or_neither(
    tmp_path: Path,
) -> None:
    """With one question open, a new phone joins and votes from one page (three requests
    in all: the page, the post, the receipt). A refused vote leaves no participant behind; a
    blank question joins only; an old tab's join form never makes a second person."""
    with one_question(tmp_path, "join-and-vote") as meeting:
        phone = Phone(meeting)
        page = first_join_page = phone.get(ws(meeting))
        assert page.status == 200 and "Ballot only" in page.text
        assert "Take part and vote" in page.text and {"category", "choice"} <= page.controls
        assert page.values["ballot"] == ["only"]
        voted = phone.submit(
            page, ws(meeting, "join"), [("category", "staff"), ("ballot", "only"), ("choice", "1")]
        )
        assert voted.status == 303 and voted.location == ws(meeting, "b/only/receipt")
        receipt = phone.follow(voted)
        assert receipt.status == 200 and TITLES[B] in receipt.text
        assert stored(meeting, "only") == [[B]] and participants(meeting) == 1
        with meeting.store() as store:
            assert store.participant(meeting.slug, phone.token).category == "staff"
        assert "What you can do now" in phone.get(ws(meeting)).text  # joined: home page

        # Two ticks where one is allowed: refused, the ticks kept, nobody joined.
        refused_phone = Phone(meeting)
        page = refused_phone.get(ws(meeting))
        refused = refused_phone.submit(
            page, ws(meeting, "join"), [("ballot", "only"), ("choice", "0"), ("choice", "2")]
        )
        assert refused.status == 422 and refused.alert, refused.text[:400]
        assert refused.values["choice"] == ["0", "2"] and "Take part and vote" in refused.text
        assert refused_phone.cookie(f"ureshii_p_{meeting.slug}") is None
        assert participants(meeting) == 1 and stored(meeting, "only") == [[B]]

        # The question left blank: the phone joins, then finds the question on its own page.
        later = Phone(meeting)
        page = later.get(ws(meeting))
        joined = later.submit(page, ws(meeting, "join"), [("ballot", "only")])
        assert joined.status == 303 and joined.location == ws(meeting, "b/only")
        assert participants(meeting) == 2 and stored(meeting, "only") == [[B]]
        # Its old tab's join form, answered now: its vote, not a second person.
        again = later.submit(page, ws(meeting, "join"), [("ballot", "only"), ("choice", "2")])
        assert again.status == 303 and again.location == ws(meeting, "b/only/receipt")
        assert participants(meeting) == 2 and stored(meeting, "only") == [[B], [C]]

        # The first phone's old tab again: one vote per person holds.
        twice = phone.submit(
            first_join_page, ws(meeting, "join"), [("ballot", "only"), ("choice", "0")]
        )
        assert twice.status == 409 and twice.alert
        assert participants(meeting) == 2 and stored(meeting, "only") == [[B], [C]]


def test_a_vote_sent_by_the_page_script_is_answered_with_its_receipt_in_place(
    tmp_path: Path,
) -> None:
    """With the page's script running (it enables the form's ``answer=here``), a stored vote
    is answered with its receipt, not a redirect to it: one request fewer per phone. The
    receipt says its own address (the script puts it in the address bar) and links the
    receipt in the other language; the same receipt is there on a reload. Without the field
    the answer stays a redirect; a refused vote is the form again either way."""
    with one_question(tmp_path, "in-place") as meeting:
        phone = Phone(meeting)
        page = phone.get(ws(meeting))
        assert "answer" in page.controls and "answer" in page.disabled
        assert "answer" not in page.values, "a browser without the script does not send it"
        here = [("ballot", "only"), ("choice", "2"), ("answer", "here")]
        receipt = phone.submit(page, ws(meeting, "join"), here)
        assert receipt.status == 200 and "Your vote is in" in receipt.text, receipt.text[:300]
        address = ws(meeting, "b/only/receipt")
        assert f'data-address="{address}"' in receipt.body
        assert f'href="{address}?lang=ja"' in receipt.body
        assert stored(meeting, "only") == [[C]] and participants(meeting) == 1
        _, me = meeting.api("GET", "/me", token=phone.token)
        number = me["votes"]["only"]["receipt"]
        assert number in receipt.text
        again = phone.get(address)  # a reload, once the script put the address there
        assert again.status == 200 and number in again.text and TITLES[C] in again.text

        # A refused vote: the form again, with the ticks kept and nobody stored.
        refused_phone = Phone(meeting)
        page = refused_phone.get(ws(meeting))
        refused = refused_phone.submit(
            page, ws(meeting, "join"), [*here[:2], ("choice", "0"), ("answer", "here")]
        )
        assert refused.status == 422 and refused.alert and "Take part and vote" in refused.text
        assert participants(meeting) == 1 and stored(meeting, "only") == [[C]]

        # The ballot page of a phone that joined first answers in place too.
        later = Phone(meeting)
        joined = later.submit(later.get(ws(meeting)), ws(meeting, "join"), [("ballot", "only")])
        form = later.follow(joined)
        assert "answer" in form.disabled
        sent = later.submit(form, ws(meeting, "b/only"), [("choice", "0"), ("answer", "here")])
        assert sent.status == 200 and "Your vote is in" in sent.text and TITLES[A] in sent.text
        assert participants(meeting) == 2 and stored(meeting, "only") == [[C], [A]]
