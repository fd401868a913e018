"""`ureshii print`: the day's printed sheets, end to end from a real SQLite store.

Each sheet is written by the command, parsed as HTML (the standard library's parser) and
read as a person would: the table's number and a QR code that holds the table's link, a card
sheet for every stakeholder, the consent scale's six levels in the scale's own words, one
ballot per printed code with the code on it (and that code votes). No QR reader is a
dependency (the ones on PyPI need native libraries), so a QR code is read back into its
modules from the SVG path and compared with the modules of the expected text's QR code.
The browser test prints every file to PDF in Chromium: one A4 page per sheet, no request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
import segno
from click.testing import CliRunner, Result

from tests.workshop_data import small_workshop
from toolkit import consent
from toolkit.ballots.rules import BALLOT_RULES
from toolkit.cli import main
from toolkit.codes_sheet import link_with_code
from toolkit.i18n import t
from toolkit.methods.charter import method_minutes
from toolkit.methods.registry import method_name
from toolkit.model import Ballot
from toolkit.printables import SHEETS
from toolkit.printables.sheets import CARD_BOXES, ballot_sheets, happiness_word
from toolkit.server.table_links import table_link, table_link_key
from toolkit.store import Store, normalize_code

SLUG = "tsuru-dx"
BASE = "http://192.168.10.23:8866/"
SECRET = "correct-horse-battery-staple"
LANGS = pytest.mark.parametrize("lang", ["ja", "en"])


# ---------------------------------------------------------------------- reading HTML
@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            classes = child.attrs.get("class", "").split()
            if (tag is None or child.tag == tag) and (cls is None or cls in classes):
                found.append(child)
            found += child.all(tag, cls)
        return found

    def one(self, tag: str | None = None, cls: str | None = None) -> Node:
        (found,) = self.all(tag, cls)
        return found

    @property
    def text(self) -> str:
        return "".join(self.texts) + "".join(c.text for c in self.children)


class _TreeBuilder(HTMLParser):
    VOID: ClassVar[set[str]] = {"meta", "br", "img", "input", "link", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].texts.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


def sheets_of(html: str) -> list[Node]:
    return parse(html).all("section", "sheet")


def qr_modules(svg: Node) -> set[tuple[int, int]]:
    """The dark modules (column, row) that a segno SVG path draws, quiet zone included."""
    (path,) = svg.all("path")
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, number, second in re.findall(
        r"([Mmh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path.attrs["d"]
    ):
        if command == "M":
            x, y = float(number), float(second)
        elif command == "m":
            x, y = x + float(number), y + float(second)
        else:
            width = int(float(number))
            dark.update((int(x) + i, int(y)) for i in range(width))
            x += width
    return dark


def expected_modules(text: str) -> set[tuple[int, int]]:
    """The dark modules of ``text``'s QR code, with a 4-module quiet zone."""
    matrix = segno.make(text, error="m", micro=False, boost_error=False).matrix
    return {(c + 4, r + 4) for r, row in enumerate(matrix) for c, v in enumerate(row) if v}


# ---------------------------------------------------------------------- fixtures
@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "tsuru.sqlite"
    with Store.open(path) as store:
        store.create_workshop(small_workshop(SLUG))
        # A second town-meeting ballot of another paper form: each code gets both.
        store.create_ballot(
            SLUG,
            "dots",
            "シールを貼るなら",
            rule="dot_votes",
            options=["madoguchi-konzatsu", "sanres", "chat"],
            settings={"dots": 3},
        )
    return path


def run(store: Path, out: Path, *args: str, lang: str = "ja") -> Result:
    argv = ["print", str(store), "--out", str(out), "--base-url", BASE, "--lang", lang, *args]
    return CliRunner().invoke(main, argv)


def written(out: Path, kind: str) -> str:
    return (out / f"{SLUG}-{kind}.html").read_text(encoding="utf-8")


def participants(path: Path) -> int:
    with Store.open(path) as store:
        return store.counts(SLUG)["participants"]


# ---------------------------------------------------------------------- the sheets
@LANGS
def test_table_sheets_carry_each_tables_current_link_as_a_qr_code(
    store_path: Path, tmp_path: Path, lang: str
) -> None:
    with Store.open(store_path) as store:
        store.revoke_table_link(SLUG, 2)  # table 2's printed link is its new one
    result = run(store_path, tmp_path, "--what", "tables", "--tables", "3", "--secret", SECRET,
                 lang=lang)  # fmt: skip
    assert result.exit_code == 0, result.output
    pages = sheets_of(written(tmp_path, "tables"))
    assert len(pages) == 3
    key = table_link_key(SECRET)
    for table, page in enumerate(pages, start=1):
        link = "http://192.168.10.23:8866" + table_link(key, "/", SLUG, table, int(table == 2))
        assert page.one("h1").text == t("print_table_number", lang, table=table)
        assert qr_modules(page.one("svg")) == expected_modules(link)
        assert page.one("p", "url").text == link
        steps = [li.text for li in page.one("ol", "steps").all("li")]
        assert steps[0].startswith(t("console_phase_happiness", lang))
        assert t("print_table_step_method", lang) in steps[3]
    old = "http://192.168.10.23:8866" + table_link(key, "/", SLUG, 2, 0)
    assert qr_modules(pages[1].one("svg")) != expected_modules(old)


@LANGS
def test_every_stakeholder_has_a_card_sheet(store_path: Path, tmp_path: Path, lang: str) -> None:
    assert run(store_path, tmp_path, "--what", "cards", lang=lang).exit_code == 0
    pages = sheets_of(written(tmp_path, "cards"))
    with Store.open(store_path) as store:
        stakeholders = store.stakeholders(SLUG)
    assert [p.one("h1").text for p in pages] == [s.name for s in stakeholders]
    for page, person in zip(pages, stakeholders, strict=True):
        assert page.one("p", "band").text.startswith(happiness_word(person.category, lang))
        assert page.one("p", "prompt").text == t("print_cards_prompt", lang, name=person.name)
        assert len(page.all("div", "box")) == CARD_BOXES
    if lang == "ja":
        bands = [p.one("p", "band").text for p in pages]
        assert bands[0].startswith("地域のうれしい") and bands[1].startswith("職員のうれしい")


@LANGS
def test_method_cards_show_the_workshops_candidates(
    store_path: Path, tmp_path: Path, lang: str
) -> None:
    assert run(store_path, tmp_path, "--what", "methods", lang=lang).exit_code == 0
    (page,) = sheets_of(written(tmp_path, "methods"))
    cards = page.all("article", "method")
    assert [c.one("h2").text for c in cards] == [
        method_name("weighted_sum", lang),
        method_name("dot_votes", lang),
    ]
    for card in cards:
        method = card.attrs["data-method"]
        texts = [p.text for p in card.all("p")]
        assert t(f"method_info_{method}_risks", lang) in texts
        minutes = method_minutes({"id": method})
        assert texts[-1] == t("print_methods_minutes", lang, minutes=minutes)


@LANGS
def test_consent_sheet_lists_the_six_levels_in_the_scales_words(
    store_path: Path, tmp_path: Path, lang: str
) -> None:
    assert run(store_path, tmp_path, "--what", "consent", lang=lang).exit_code == 0
    (page,) = sheets_of(written(tmp_path, "consent"))
    levels = page.one("ol", "scale").all("li")
    assert [(li.one("span", "fingers").text, li.one("span", "words").text) for li in levels] == [
        (str(level), consent.words(level, lang)) for level in (5, 4, 3, 2, 1, 0)
    ]


@LANGS
def test_one_paper_ballot_per_code_and_ballot_and_the_code_votes(
    store_path: Path, tmp_path: Path, lang: str
) -> None:
    before = participants(store_path)
    result = run(store_path, tmp_path, "--what", "ballots", "--codes", "3", lang=lang)
    assert result.exit_code == 0, result.output
    assert t("print_codes_issued", lang, count=3) in result.output
    assert participants(store_path) == before + 3
    html = written(tmp_path, "ballots")
    papers = parse(html).all("article", "ballot")
    codes = [p.one("p", "code").text for p in papers]
    assert len(set(codes)) == 3 and len(papers) == 6  # 3 codes × 2 ballots
    assert [p.attrs["data-ballot"] for p in papers] == ["town", "dots"] * 3
    assert len(sheets_of(html)) == 3  # two short ballots to a page
    for paper in papers:
        code = paper.one("p", "code").text
        assert qr_modules(paper.one("svg")) == expected_modules(
            link_with_code("http://192.168.10.23:8866/p/", code)
        )
        options = [li.one("span", "label").text for li in paper.all("li", "option")]
        assert options[0] == "窓口の混雑緩和" and len(options) == 3
    town = papers[0]
    assert len(town.all("span", "square")) == 3  # approval: tick boxes
    assert t("ballot_hint_approval", lang) in town.one("p", "prompt").text
    assert len(papers[1].all("span", "write")) == 3  # dot votes: a number per option
    with Store.open(store_path) as store:  # a printed code votes, once
        store.open_ballot(SLUG, "town")
        # as staff type it at the paper entry (widgets/paper.py)
        vote = store.cast_paper_vote(SLUG, "town", ["chat"], code=normalize_code(codes[0]))
        assert vote.channel == "paper"


@pytest.mark.parametrize("rule", BALLOT_RULES, ids=list(BALLOT_RULES))
def test_every_ballot_rule_has_a_paper_form(rule: str) -> None:
    options = ("a", "b", "c")
    settings = {"dots": 3, "credits": 9, "budget": 1_000, "costs": {"a": 400, "b": 500, "c": 600}}
    ballot = Ballot(
        1, "k", "どれ？", "town_meeting", rule, options, settings, "live", "open", False
    )
    labels = {"a": "案A", "b": "案B", "c": "案C"}
    [page] = ballot_sheets("町", [ballot], labels, ["7KQ4M-XH2RD"], BASE + "p/", "en")
    [paper] = parse(page).all("article", "ballot")
    prompt = paper.one("p", "prompt").text
    assert "{" not in prompt and prompt.endswith(
        t(f"print_ballot_mark_{BALLOT_RULES[rule].form}", "en")
    )
    rows = paper.all("li", "option")
    assert [r.one("span", "label").text for r in rows] == ["案A", "案B", "案C"]
    assert all(r.all("span", "mark") for r in rows)
    if BALLOT_RULES[rule].needs_costs:
        assert [r.one("span", "cost").text for r in rows] == ["400 yen", "500 yen", "600 yen"]


def test_the_table_limit_is_the_stores() -> None:
    from toolkit.cli import print_commands
    from toolkit.store.tables import MAX_TABLES

    assert print_commands.MAX_TABLES == MAX_TABLES


def test_refusals_write_nothing_and_issue_nothing(store_path: Path, tmp_path: Path) -> None:
    before = participants(store_path)
    no_secret = run(store_path, tmp_path, "--what", "all", "--codes", "2", lang="en")
    assert no_secret.exit_code == 2
    assert "--secret" in no_secret.output
    no_codes = run(store_path, tmp_path, "--what", "ballots", lang="en")
    assert no_codes.exit_code == 2 and "--codes N" in no_codes.output
    assert list(tmp_path.glob("*.html")) == [] and participants(store_path) == before
    (tmp_path / f"{SLUG}-ballots.html").write_text("codes handed out", encoding="utf-8")
    again = run(store_path, tmp_path, "--what", "all", "--codes", "2", "--secret", SECRET)
    assert again.exit_code == 2 and "--force" in again.output
    assert participants(store_path) == before
    assert sorted(p.name for p in tmp_path.glob("*.html")) == [f"{SLUG}-ballots.html"]


# ---------------------------------------------------------------------- printing
def test_every_sheet_prints_as_one_a4_page_with_no_request(
    browser: Any, cjk_font: None, store_path: Path, tmp_path: Path
) -> None:
    from tests.server.server_helpers import RequestLog

    result = run(store_path, tmp_path, "--what", "all", "--codes", "2", "--secret", SECRET)
    assert result.exit_code == 0, result.output
    context = browser.new_context()
    try:
        for kind in SHEETS:
            path = tmp_path / f"{SLUG}-{kind}.html"
            sheets = len(sheets_of(path.read_text(encoding="utf-8")))
            page = context.new_page()
            log = RequestLog()
            log.attach(page)
            page.goto(path.as_uri(), wait_until="load")
            pdf = page.pdf(format="A4", print_background=True)
            page.close()
            assert log.urls == [path.as_uri()], kind  # the file itself, nothing else
            boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
            assert len(boxes) == sheets, kind
            assert all(abs(float(w) - 595.9) < 2 and abs(float(h) - 842.9) < 2 for w, h in boxes)
    finally:
        context.close()
