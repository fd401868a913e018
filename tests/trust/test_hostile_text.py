"""Hostile text: XSS payloads, RTL overrides, emoji, 10 KB strings and control characters,
posted through the API and the forms, then shown on the phone pages, in every export and on
the projector board, never executed and never breaking a format.

- Cards (Hypothesis): stored exactly as sent (trimmed), or refused with a ja/en message
  (blank, more than 500 characters); the card form gives a refused text back, escaped.
- Ballot titles and option keys (Hypothesis, facilitator API): every page that shows them
  (home, ballot, receipt, results) shows them escaped, with no script, handler or frame.
- Exports: two more workshops in the same store get the same payloads as cards (participant
  API), ballot titles and options (facilitator API), scores (participant API) and issue and
  theme names (the store, as the console does): one with printable payloads, one with
  control characters. Every format is written by a separate process (a chart library that
  aborts on bad input must not take the test run with it) and checked: CSV neutralises
  formulas, XLSX has no formula cell, JSON round-trips, Markdown and HTML carry no markup
  from the text, SVG is well-formed and inert, pabulib parses back.
- The board (Voilà, Chromium): cards with XSS payloads appear literally; no dialog opens.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape as html_escape
from html.parser import HTMLParser
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from tests.participant.conftest import Meeting
from tests.server.server_helpers import ARTIFACTS, TEST_SECRET, RequestLog
from tests.trust.trust_helpers import new_town_meeting, serve
from toolkit.export._common import BACKLOG_ID_COLUMN
from toolkit.export.csv_export import FORMULA_PREFIXES
from toolkit.server.access import COOKIE_NAME, FacilitatorAccess
from toolkit.server.participant.api import MAX_API_BODY
from toolkit.server.participant.pages import (
    CSRF_COOKIE,
    CSRF_FIELD,
    ENHANCE_SCRIPT,
    PAGE_ICON,
    TOKEN_COOKIE_PREFIX,
)
from toolkit.store import Store
from toolkit.text import clean_text
from toolkit.workshop_file import write_template

MAX_EXAMPLES = 30
CARD_LIMIT = 500
XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "javascript:alert(1)",
    "<a href='javascript:alert(1)'>x</a>",
    "<iframe src=//example.com></iframe>",
]
PRINTABLE = [
    *XSS,
    "\u202eevil\u202c.exe",  # RTL override: reads backwards
    "😀🎉 うれしい 👨‍👩‍👧",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.com","x")',
    "+1+cmd",
    "@SUM(1)",
    "-2+3",
    "{{7*7}} ${7*7} %s",
    "a|b\\c **bold** [link](javascript:alert(1))",
    "line one\nline two; VOTES",
    "next\x85line",  # a line break to str.splitlines() (the pabulib reader), not to CSV
]
CONTROL = [
    "bell\x07ring",
    "vertical\x0btab",
    "escape\x1b[31mred",
    "nul\x00byte",
    "back\x08space",
    "\x01\x02\x03start",
    "carriage\rreturn",
]
BROWSER_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "\u202eevil",
    "😀🎉うれしい",
]
#: What the store removes from every text (toolkit.text): C0 controls but tab and line feed,
#: DEL, lone surrogates; a carriage return becomes a line feed.
REMOVED = "".join(chr(c) for c in [*range(0x09), 0x0B, 0x0C, 0x0D, *range(0x0E, 0x20), 0x7F])
VISIBLE = st.characters(blacklist_categories=("Cs",), blacklist_characters=REMOVED)

# Visible hostile text: payloads, any text, mixes, and 10 KB strings.
HOSTILE = st.one_of(
    st.sampled_from(PRINTABLE),
    st.text(VISIBLE, max_size=600),
    st.lists(
        st.one_of(
            st.sampled_from(PRINTABLE),
            st.sampled_from(["\u202e", "\u200b", "\ufeff", " ", "\n", "\u3000"]),
        ),
        min_size=1,
        max_size=8,
    ).map("".join),
    st.builds(lambda s: (s * 10_240)[:10_240], st.text(VISIBLE, min_size=1, max_size=8)),
)
# Text with what the store removes, somewhere (at the ends too).
WITH_CONTROLS = (
    st.lists(
        st.one_of(
            st.sampled_from(PRINTABLE + CONTROL),
            st.sampled_from(list(REMOVED)),
            st.sampled_from([" ", "\n", "a"]),
        ),
        min_size=1,
        max_size=8,
    )
    .map("".join)
    .filter(lambda text: clean_text(text) != text)
)
HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# ---------------------------------------------------------------------- what "inert" means
class _Markup(HTMLParser):
    """Every tag and attribute a browser would build from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []  # each script element's text
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts.append("")
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


ACTIVE_TAGS = {"img", "svg", "iframe", "object", "embed", "base", "link", "math", "video", "audio"}


def assert_inert_html(html: str, what: str, *, own_script: bool = False) -> None:
    """No handler attribute, no javascript: URL, no frame or active element; the phone
    pages' own icon link and, with ``own_script``, at most their own script (byte for byte:
    the one the Content-Security-Policy allows), and nothing else of the kind."""
    parser = _Markup()
    parser.feed(html)
    for tag, attrs in parser.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (what, tag, name)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                assert not (value or "").strip().lower().startswith("javascript:"), (what, tag)
        if tag == "link" and attrs == {"rel": "icon", "href": PAGE_ICON}:
            continue
        assert tag not in ACTIVE_TAGS, (what, tag)
        if tag == "script":
            assert own_script and attrs == {}, (what, attrs)
    assert parser.scripts in ([], [ENHANCE_SCRIPT] if own_script else []), what


# ---------------------------------------------------------------------- the server
@dataclass
class Site:
    meeting: Meeting
    folder: Path
    clean: str
    control: str
    keys: Iterator[int] = field(default_factory=count)

    @property
    def slug(self) -> str:
        return self.meeting.slug

    def api(self, method: str, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        return self.meeting.api(method, path, body, **kwargs)


def _another_workshop(folder: Path, database: str, slug: str) -> str:
    """The town-meeting template once more, under another id."""
    spec = write_template(folder / f"{slug}.yaml", "town-meeting", "en")  # type: ignore[arg-type]
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("id: town-meeting-2026", f"id: {slug}")
    )
    with Store.open(database) as store:
        return store.load_workshop_file(spec).slug


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("hostile")
    database = str(folder / "hostile.sqlite")
    slug = new_town_meeting(folder, database)
    clean = _another_workshop(folder, database, "hostile-printable")
    control = _another_workshop(folder, database, "hostile-control")
    # The board shows the printable workshop (the newest would be the control one).
    running = serve(
        "hostile",
        env={"URESHII_DATABASE_URL": database, "URESHII_WORKSHOP": clean},
    )
    try:
        yield Site(Meeting(running, database, slug), folder, clean, control)
    finally:
        running.stop()


def _form_phone(site: Site, token: str) -> tuple[str, str]:
    """(cookie header, CSRF field) of a phone that opened the card form."""
    cookie = f"{TOKEN_COOKIE_PREFIX}{site.slug}={token}"
    page = site.meeting.server.request(f"/p/{site.slug}/card", headers={"Cookie": cookie})
    assert page.status == 200
    seed = re.search(rf"{CSRF_COOKIE}=([^;]+)", page.header("Set-Cookie"))
    csrf = re.search(rf'name="{CSRF_FIELD}" value="([0-9a-f]+)"', page.body)
    assert seed and csrf
    return f"{cookie}; {CSRF_COOKIE}={seed.group(1)}", csrf.group(1)


def _error_code(body: Any) -> str:
    message = body["error"]["message"]
    assert message["ja"] and message["en"], body
    code: str = body["error"]["code"]
    return code


# Tornado's form decoding turns C0 control characters (but tab, LF, VT, FF, CR) into spaces.
_FORM_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _post_card(site: Site, text: str) -> None:
    """A card through the API, then through the card form: stored as the store cleans it
    (``toolkit.text.clean_text``, then trimmed), or refused with a ja/en message."""
    token = site.meeting.join()
    status, body = site.api("POST", "/cards", {"text": text}, token=token)
    stored = clean_text(text).strip()
    if len(json.dumps({"text": text}).encode()) > MAX_API_BODY:  # as the client encodes it
        assert (status, _error_code(body)) == (413, "api_body_too_large")
    elif not stored:
        assert (status, _error_code(body)) == (422, "text_required")
    elif len(stored) > CARD_LIMIT:
        assert (status, _error_code(body)) == (422, "text_too_long")
        assert str(CARD_LIMIT) in body["error"]["message"]["en"]
    else:
        assert status == 201, body
        assert body["text"] == stored, "the API answers what it stored"
        with site.meeting.store() as store:
            assert store.cards(site.slug)[-1].text == stored

    # The same text through the card form: taken (303), or the form comes back with the
    # message and the text, escaped, in its text box.
    cookie, csrf = _form_phone(site, token)
    reply = site.meeting.server.request(
        f"/p/{site.slug}/card",
        method="POST",
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        data=urlencode({CSRF_FIELD: csrf, "text": text}).encode(),
    )
    as_read = clean_text(_FORM_CONTROLS.sub(" ", text)).strip()
    if as_read and len(as_read) <= CARD_LIMIT:
        assert reply.status == 303, (reply.status, reply.body[:300])
    else:
        assert reply.status == 422, reply.status
        assert_inert_html(reply.body, "card form", own_script=True)
        if as_read:
            assert str(escape(as_read)) in reply.body, "the refused text comes back"


@HYPOTHESIS
@given(text=HOSTILE)
@example(text="<script>alert(1)</script>")
@example(text="</textarea><script>alert(1)</script>" * 300)  # 11 KB: refused, shown back
@example(text="x" * CARD_LIMIT)
@example(text=" \n\t\u3000 ")  # blank, with an ideographic space
def test_a_card_is_stored_as_sent_or_refused_with_a_message(site: Site, text: str) -> None:
    _post_card(site, text)


@HYPOTHESIS
@given(text=WITH_CONTROLS)
@example(text="nul\x00 and bell\x07")
@example(text="\x07\x08")  # nothing visible: refused, not stored empty
@example(text="\x07 padded ")
def test_control_characters_are_removed_before_a_card_is_checked(site: Site, text: str) -> None:
    _post_card(site, text)


def test_a_ballot_title_of_control_characters_only_is_refused(site: Site) -> None:
    key = f"h{next(site.keys)}"
    body = {"key": key, "title": "\x1f", "rule": "approval", "options": ["a", "b"]}
    status, reply = site.api("POST", "/ballots", body, facilitator=True)
    assert status == 422, reply


@HYPOTHESIS
@given(text=HOSTILE.map(lambda t: t[:200]))
def test_hostile_titles_and_options_are_shown_escaped_on_every_page(site: Site, text: str) -> None:
    key = f"h{next(site.keys)}"
    title = text if text.strip() else "t"
    option = text[:64]
    if not _visible_key(option) or option == "plain":
        bad = {"key": key, "title": title, "rule": "approval", "options": [option, "plain"]}
        status, refused = site.api("POST", "/ballots", bad, facilitator=True)
        assert status == 422, refused  # an option is a short visible key
        option = "x"
    options = [option, "plain"]
    ballot = {
        "key": key,
        "title": title,
        "rule": "approval",
        "options": options,
        "visibility": "live",
    }
    status, created = site.api("POST", "/ballots", ballot, facilitator=True)
    assert status == 201, created
    # A title is stored as every text is: cleaned, then trimmed.
    stored_title = clean_text(title).strip()
    assert created["title"] == stored_title and created["options"][0]["label"] == options[0]
    status, _ = site.api("POST", f"/ballots/{key}/open", facilitator=True)
    assert status == 200
    voter = site.meeting.join()
    status, receipt = site.api("POST", f"/ballots/{key}/votes", {"vote": [options[0]]}, token=voter)
    assert status == 201, receipt
    assert receipt["vote"] == [options[0]]

    cookie = {"Cookie": f"{TOKEN_COOKIE_PREFIX}{site.slug}={voter}"}
    fresh = {"Cookie": f"{TOKEN_COOKIE_PREFIX}{site.slug}={site.meeting.join()}"}
    pages = {
        "home": (f"/p/{site.slug}/", cookie, [stored_title]),
        "ballot": (f"/p/{site.slug}/b/{key}", fresh, [stored_title, options[0]]),
        "receipt": (f"/p/{site.slug}/b/{key}/receipt", cookie, [options[0]]),
        "results": (f"/p/{site.slug}/b/{key}/results", cookie, [stored_title, options[0]]),
    }
    for name, (path, headers, shown) in pages.items():
        reply = site.meeting.server.request(path, headers=headers)
        assert reply.status == 200, (name, reply.status)
        assert_inert_html(reply.body, name, own_script=True)
        for value in shown:
            assert str(escape(value)) in reply.body, (name, value)
    status, results = site.api("GET", f"/ballots/{key}/results")
    assert status == 200 and results["points"][options[0]] == 1


def _visible_key(option: str) -> bool:
    """What a ballot option must be: a short key of visible characters."""
    return (
        0 < len(option) <= 64
        and option.strip() == option
        and clean_text(option) == option
        and "\n" not in option
        and "\t" not in option
    )


# ---------------------------------------------------------------------- exports
@dataclass
class Seeded:
    """A workshop filled with payloads, and what each payload became."""

    slug: str
    payloads: list[str]
    issues: dict[str, str] = field(default_factory=dict)
    """issue key → its hostile title"""
    cards: list[str] = field(default_factory=list)


def _seed(site: Site, slug: str, payloads: list[str]) -> Seeded:
    """The payloads as cards, scores and ballots (API) and issues and themes (store)."""
    seeded = Seeded(slug, [clean_text(text).strip() for text in payloads])
    api = f"/api/v1/workshops/{slug}"
    with Store.open(site.meeting.database) as store:
        for n, text in enumerate(payloads):
            issue = store.add_issue(slug, text, cost=1_000_000 + n)
            seeded.issues[issue.key] = seeded.payloads[n]
            store.add_theme(slug, text)
        criteria = [c.key for c in store.criteria(slug)]
        store.propose_charter(
            slug, method="weighted_sum", weights={c: 1 / len(criteria) for c in criteria}
        )
        store.record_consent(slug, store.join(slug), 5)
        store.lock_charter(slug)
    tokens: list[str] = []
    for _ in range(3):
        status, joined = site.api("POST", f"{api}/join", {})
        assert status == 201
        tokens.append(joined["token"])
    for n, text in enumerate(payloads):
        status, card = site.api("POST", f"{api}/cards", {"text": text}, token=tokens[n % 3])
        assert status == 201, card
        seeded.cards.append(seeded.payloads[n])
    for rater, token in enumerate(tokens):
        rows = [
            {"issue": key, "criterion": criterion, "score": 1 + (n + rater) % 5}
            for n, key in enumerate(seeded.issues)
            for criterion in criteria
        ]
        status, stored = site.api("POST", f"{api}/scores", {"scores": rows}, token=token)
        assert status == 201, stored
    # The options' own keys are hostile (those that are no visible key are refused), or
    # the options are the hostile issues (their costs make the pabulib file).
    keys = [text[:64] for text in payloads]
    ballots = {
        "by-title": list(seeded.issues),
        "by-key": [key if _visible_key(key) else f"option-{n}" for n, key in enumerate(keys)],
    }
    for key, options in ballots.items():
        body = {
            "key": key,
            "title": payloads[0][:200],
            "rule": "approval",
            "options": options,
            "visibility": "live",
        }
        if key == "by-key" and options != keys:
            status, refused = site.api(
                "POST", f"{api}/ballots", {**body, "options": keys}, facilitator=True
            )
            assert (status, _error_code(refused)) == (422, "ballot_bad_option")
        status, created = site.api("POST", f"{api}/ballots", body, facilitator=True)
        assert status == 201, created
        assert site.api("POST", f"{api}/ballots/{key}/open", facilitator=True)[0] == 200
        for n, token in enumerate(tokens):
            vote = {"vote": options[n::3][:3] or options[:1]}
            status, receipt = site.api("POST", f"{api}/ballots/{key}/votes", vote, token=token)
            assert status == 201, receipt
    return seeded


EXPORTER = """
import sys
from pathlib import Path
from toolkit.export import export
from toolkit.store import Store
database, slug, out, *jobs = sys.argv[1:]
with Store.open(database) as store:
    for job in jobs:
        fmt, _, option = job.partition(":")
        options = {"chart": option} if fmt in ("svg", "png") else {}
        if fmt == "pb":
            options = {"ballot": option}
        target = Path(out) / job.replace(":", "-")
        try:
            export(store, slug, fmt, target, **options)
        except Exception as error:
            target.with_suffix(".error").write_text(f"{type(error).__name__}: {error}")
"""
JOBS = [
    "csv",
    "xlsx",
    "json",
    "md",
    "pb:by-title",
    "html",
    "svg:happiness",
    "svg:ranking",
    "png:ranking",
]
CHART_JOBS = ("html", "svg:happiness", "svg:ranking", "png:ranking")


@dataclass
class Exported:
    seeded: Seeded
    folder: Path
    exits: dict[str, int]
    """job → exit status of the process that wrote it (negative: killed by that signal)"""

    def read(self, job: str) -> bytes:
        error = self.folder / (job.replace(":", "-") + ".error")
        assert not error.exists(), f"{job}: {error.read_text()}"
        assert self.exits[job] == 0, f"{job}: the exporting process ended with {self.exits[job]}"
        return (self.folder / job.replace(":", "-")).read_bytes()


def _export(site: Site, seeded: Seeded, name: str) -> Exported:
    """Every format: the charts (and the report that embeds them) in one process, the rest
    in another (a chart that aborts its process takes the charts after it along)."""
    out = site.folder / f"exports-{name}"
    out.mkdir()
    groups = [[j for j in JOBS if j not in CHART_JOBS], list(CHART_JOBS)]
    exits = {}
    for group in groups:
        done = subprocess.run(
            [sys.executable, "-c", EXPORTER, site.meeting.database, seeded.slug, str(out), *group],
            capture_output=True,
            timeout=300,
            check=False,
        )
        for job in group:
            exits[job] = done.returncode
    return Exported(seeded, out, exits)


@pytest.fixture(scope="module")
def printable(site: Site) -> Exported:
    return _export(site, _seed(site, site.clean, PRINTABLE), "printable")


@pytest.fixture(scope="module")
def control(site: Site) -> Exported:
    return _export(site, _seed(site, site.control, CONTROL), "control")


#: The only formula the CSV writes: an id (store keys are [a-z0-9_-]) a spreadsheet would
#: read as a number or a date, as a text literal (toolkit/export/csv_export.py ``id_text``).
_ID_LITERAL = re.compile(r'="[a-z0-9][a-z0-9_-]*"')


def _check_csv(exported: Exported) -> None:
    data = exported.read("csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    cells = [cell for row in rows for cell in row]
    for row in rows:
        for column, cell in enumerate(row):
            try:
                float(cell)
                continue  # numbers are written as numbers
            except ValueError:
                pass
            if column == BACKLOG_ID_COLUMN and _ID_LITERAL.fullmatch(cell):
                continue  # a number-like id as Ureshii's own text literal ="2-3": shows 2-3
            assert not cell.startswith(FORMULA_PREFIXES), cell
    for title in exported.seeded.issues.values():
        expected = "'" + title if title.startswith(FORMULA_PREFIXES) else title
        assert expected in cells, title


def _check_xlsx(exported: Exported) -> None:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(exported.read("xlsx")))
    texts = set()
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    for card in exported.seeded.cards:
        assert card in texts, card


def _check_json(exported: Exported) -> None:
    summary = json.loads(exported.read("json"))["summary"]
    assert [c["text"] for c in summary["cards"]][-len(exported.seeded.cards) :] == (
        exported.seeded.cards
    )
    titles = {i["key"]: i["title"] for i in summary["issues"]}
    for key, title in exported.seeded.issues.items():
        assert titles[key] == title


def _check_md(exported: Exported) -> None:
    text = exported.read("md").decode("utf-8")
    tags = re.findall(r"<(?!br>)[A-Za-z!/?][^>]*>?", text)
    assert tags == [], f"markup from the text reached the Markdown: {tags[:5]}"


def _check_html(exported: Exported) -> None:
    html = exported.read("html").decode("utf-8")
    assert_inert_html_report(html)
    for title in exported.seeded.issues.values():
        assert html_escape(title) in html, title


ACTIVE_IN_REPORT = ACTIVE_TAGS - {"svg"}


def assert_inert_html_report(html: str) -> None:
    """The report: inline SVG charts are its own; nothing else active, no handler."""
    parser = _Markup()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in ACTIVE_IN_REPORT and tag not in ("script", "foreignobject"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name)


def _check_svg(exported: Exported, job: str) -> None:
    root = ET.fromstring(exported.read(job))  # well-formed: every text was escaped
    texts = []
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1].lower()
        assert name not in ("script", "foreignobject", "iframe"), name
        for attribute, value in element.attrib.items():
            assert not attribute.rsplit("}", 1)[-1].lower().startswith("on"), attribute
            assert not value.strip().lower().startswith("javascript:"), attribute
        texts.append("".join(element.itertext()))
    drawn = " ".join(texts)
    assert any(p[:12] in drawn for p in exported.seeded.payloads), "the labels are drawn"


def _check_png(exported: Exported) -> None:
    assert exported.read("png:ranking").startswith(b"\x89PNG\r\n\x1a\n")


def _check_pb(exported: Exported) -> None:
    from pabutools.election import parse_pabulib

    path = exported.folder / "pb-by-title"
    exported.read("pb:by-title")
    instance, profile = parse_pabulib(str(path))
    assert len(instance) == len(exported.seeded.issues)
    assert len(profile) == 3


CHECKS = {
    "csv": _check_csv,
    "xlsx": _check_xlsx,
    "json": _check_json,
    "md": _check_md,
    "html": _check_html,
    "svg:happiness": lambda e: _check_svg(e, "svg:happiness"),
    "svg:ranking": lambda e: _check_svg(e, "svg:ranking"),
    "png:ranking": _check_png,
    "pb:by-title": _check_pb,
}


@pytest.mark.slow
@pytest.mark.parametrize("job", JOBS)
def test_every_export_shows_hostile_text_inert(printable: Exported, job: str) -> None:
    CHECKS[job](printable)


@pytest.mark.slow
@pytest.mark.parametrize("job", JOBS)
def test_every_export_survives_control_characters(control: Exported, job: str) -> None:
    CHECKS[job](control)


def test_a_line_separator_in_a_theme_name_leaves_the_charts_drawable(site: Site) -> None:
    slug = _another_workshop(site.folder, site.meeting.database, "hostile-separator")
    with Store.open(site.meeting.database) as store:
        store.add_theme(slug, "a\u2028b")
        store.add_theme(slug, "c\u2029d")
    out = site.folder / "exports-separator"
    out.mkdir()
    jobs = ["svg:happiness", "html"]
    done = subprocess.run(
        [sys.executable, "-c", EXPORTER, site.meeting.database, slug, str(out), *jobs],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    errors = {path.name: path.read_text() for path in out.glob("*.error")}
    assert errors == {}


# ---------------------------------------------------------------------- the board
def test_the_board_shows_hostile_cards_literally_and_runs_nothing(
    site: Site, browser: Any, cjk_font: None
) -> None:
    api = f"/api/v1/workshops/{site.clean}"
    status, joined = site.api("POST", f"{api}/join", {})
    assert status == 201
    for text in BROWSER_PAYLOADS:
        status, _ = site.api("POST", f"{api}/cards", {"text": text}, token=joined["token"])
        assert status == 201
    with Store.open(site.meeting.database) as store:
        store.set_phase(site.clean, "happiness")

    context = browser.new_context(locale="ja-JP", viewport={"width": 1600, "height": 1000})
    dialogs: list[str] = []
    requests = RequestLog()
    try:
        server = site.meeting.server
        context.add_cookies(
            [
                {
                    "name": COOKIE_NAME,
                    "value": FacilitatorAccess(TEST_SECRET).cookie_value,
                    "url": server.base,
                }
            ]
        )
        page = context.new_page()
        requests.attach(page)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{server.base}/voila/render/board.ipynb", timeout=180_000)
        cards = page.locator(".ureshii-cards li")
        cards.first.wait_for(timeout=180_000)
        page.wait_for_function(
            "n => document.querySelectorAll('.ureshii-cards li').length >= n",
            arg=len(BROWSER_PAYLOADS),
            timeout=60_000,
        )
        page.wait_for_load_state("networkidle", timeout=60_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "board-hostile-cards.png"), full_page=True)
        shown = [item.inner_text() for item in cards.all()]
        for text in BROWSER_PAYLOADS:
            assert any(text in item for item in shown), (text, shown)
        injected = page.evaluate(
            "() => document.querySelectorAll('.ureshii-cards img, .ureshii-cards script,"
            " .ureshii-cards svg, .ureshii-cards [onerror], .ureshii-cards [onload]').length"
        )
        assert injected == 0
        assert dialogs == [], f"a payload ran: {dialogs}"
        assert requests.outside() == []
    finally:
        context.close()


# ---------------------------------------------------------------------- PostgreSQL
@pytest.mark.postgres
def test_a_nul_character_never_reaches_postgresql(tmp_path: Path, postgres_server_url: str) -> None:
    """PostgreSQL text cannot hold NUL: the card answered 500 until the store removed it."""
    from tests.conftest import _fresh_postgres_database
    from tests.trust.trust_helpers import serve_meeting

    database = _fresh_postgres_database(postgres_server_url)
    meeting = serve_meeting("hostile-pg", database, new_town_meeting(tmp_path, database))
    try:
        token = meeting.join()
        status, body = meeting.api("POST", "/cards", {"text": "nul\x00byte"}, token=token)
        assert (status, body["text"]) == (201, "nulbyte")
        status, body = meeting.api("POST", "/cards", {"text": "\x00"}, token=token)
        assert (status, _error_code(body)) == (422, "text_required")
        with meeting.store() as store:
            assert [card.text for card in store.cards(meeting.slug)] == ["nulbyte"]
    finally:
        meeting.server.stop()
