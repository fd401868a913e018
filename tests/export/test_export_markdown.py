"""The Markdown export shows every user text as written, never as Markdown (issue 17, item 6).

A real store holds a workshop whose title, issue titles, descriptions, theme, stakeholder and
criterion names and charter reason are written in Markdown and HTML (links, images, bold,
emphasis, code, headings, strikethrough, autolinks, list and quote markers, raw HTML) mixed
with Japanese. Its real export is read by two renderers, markdown-it-py (CommonMark with GFM
tables and strikethrough) and Python-Markdown (what MkDocs uses), and what they make of it is
checked as a reader would: the document's own headings, tables and lists are there, one list
item per divisive issue holding its rank and title, and the user texts come out as the exact
text, with no link, image, emphasis, code, strikethrough, heading or HTML made from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.workshop_data import small_workshop
from toolkit.export._common import label, year_text
from toolkit.export.markdown import render_markdown
from toolkit.store import Store
from toolkit.summary import summarize

SLUG = "hostile-md"
WORKSHOP_TITLE = "# ~~鶴見町~~ [DX](http://example.com) **ワークショップ** <b>太字</b>"
TITLES = {
    "madoguchi-konzatsu": "1. [窓口](http://example.com/x) の**混雑**緩和 <b>x</b>",
    "sanres": "# ![はんこ](http://example.com/a.png) 3レス ~~FAX~~ `rm -rf` _強調_ <http://example.com>",
    "chat": "> 引用 - チャット *定着* [ref]: http://example.com",
    "koyosha": "- 公用車 + 1) 日報 \\ 逆スラッシュ &amp; &copy; <script>alert(1)</script>",
}
DESCRIPTIONS = {
    "madoguchi-konzatsu": "**説明**\n# 見出しではない\n---\n[リンク](javascript:alert(1))",
    "sanres": "![画像](x.png) と <img src=x onerror=alert(1)>",
    "chat": "`コード` と ~~取り消し~~",
    "koyosha": "1. 番号ではない\n2) これも\n> 引用でもない",
}
THEME = "[待たずに済む](http://example.com) _テーマ_"
STAKEHOLDER = "**子育て世帯** <i>住民</i>"
CRITERIA = {
    "resident": "`住民`のうれしさ",
    "staff": "~~職員~~の_うれしさ_",
    "cost": "<i>コスト</i>",
}
REASON = (
    "重みを変更: **住民** を重視\n# 見出しではない\n1. 番号ではない\n=====\n[x](http://example.com)"
)
#: Four raters: 1,5,1,5 and 2,5,5,5 split the group (r_wg 0); 3,3,3,3 does not.
SCORES = {
    "madoguchi-konzatsu": (1, 5, 1, 5),
    "sanres": (1, 5, 5, 5),
    "chat": (3, 3, 3, 3),
    "koyosha": (5, 1, 5, 1),
}
YEARS = {"madoguchi-konzatsu": 2027, "sanres": 2028, "chat": 2027}
#: Tokens a user text must never produce.
MARKUP = {"link_open", "image", "strong_open", "em_open", "code_inline", "s_open", "html_block"}


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    spec = small_workshop(SLUG)
    spec.pop("town_meeting")
    spec["title"] = WORKSHOP_TITLE
    spec["themes"][0]["name"] = THEME
    spec["stakeholders"][0]["name"] = STAKEHOLDER
    for criterion in spec["criteria"]:
        criterion["name"] = CRITERIA[criterion["id"]]
    spec["issues"].append({"id": "koyosha", "title": "", "cost": 200_000})
    for issue in spec["issues"]:
        issue["title"] = TITLES[issue["id"]]
        issue["description"] = DESCRIPTIONS[issue["id"]]
        issue["themes"] = ["matanai"]
        if issue["id"] in YEARS:
            issue["year"] = YEARS[issue["id"]]
    path = Path(tmp_path_factory.mktemp("md")) / "ureshii.sqlite"
    with Store.open(path) as store:
        store.create_workshop(spec)
        tokens = [store.join(SLUG) for _ in range(4)]
        for version, reason in ((1, ""), (2, REASON)):
            weights = {"resident": 50, "staff": 30, "cost": 20}
            if version == 2:
                weights = {"resident": 60, "staff": 25, "cost": 15}
            store.propose_charter(SLUG, method="weighted_sum", weights=weights, reason=reason)
            for token in tokens:
                store.record_consent(SLUG, token, 5)
            store.lock_charter(SLUG)
        for n, token in enumerate(tokens):
            store.record_scores(
                SLUG,
                token,
                {
                    (issue, criterion): values[n]
                    for issue, values in SCORES.items()
                    for criterion in CRITERIA
                },
            )
        yield summarize(store, SLUG)


@pytest.fixture(scope="module")
def document(summary: dict[str, Any]) -> str:
    return render_markdown(summary).decode("utf-8")


def test_the_fixture_has_what_the_checks_need(summary: dict[str, Any]) -> None:
    divisive = [r for r in summary["ranking"] if r["divides_group"]]
    assert len(divisive) == 3 and len(summary["ranking"]) == 4
    assert summary["charter"]["reason"] == REASON
    assert [y["year"] for y in summary["roadmap"] if y["year"] is not None] == [2027, 2028]


# ----------------------------------------------------------------------- markdown-it-py
def _plain(inline: Token) -> str:
    """What a reader sees of an inline token: text, entities decoded, breaks as new lines."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak") or (
            child.type == "html_inline" and child.content == "<br>"
        ):
            parts.append("\n")
    return "".join(parts)


def _parse(document: str) -> list[Token]:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(document)


def _section(tokens: list[Token], heading: str) -> list[Token]:
    """The tokens after the level-2 heading ``heading``, up to the next level-2 heading."""
    start = next(
        i
        for i, t in enumerate(tokens)
        if t.type == "inline" and tokens[i - 1].tag == "h2" and t.content == heading
    )
    end = next(
        (
            i
            for i in range(start + 2, len(tokens))
            if tokens[i].type == "heading_open" and tokens[i].tag == "h2"
        ),
        len(tokens),
    )
    return tokens[start + 2 : end]


def _items(tokens: list[Token]) -> list[str]:
    """The text of each top-level list item."""
    texts: list[str] = []
    depth = 0
    for token in tokens:
        if token.type == "list_item_open":
            depth += 1
            if depth == 1:
                texts.append("")
        elif token.type == "list_item_close":
            depth -= 1
        elif token.type == "inline" and depth == 1:
            texts[-1] += _plain(token)
    return texts


def test_no_user_text_becomes_markup(document: str) -> None:
    tokens = _parse(document)
    made = {t.type for t in tokens} | {
        c.type for t in tokens if t.type == "inline" for c in t.children or []
    }
    assert not made & MARKUP, made & MARKUP
    html = [
        c.content
        for t in tokens
        if t.type == "inline"
        for c in t.children or []
        if c.type == "html_inline"
    ]
    assert set(html) <= {"<br>"}  # the line breaks the export writes in a table cell
    assert "ordered_list_open" not in {t.type for t in tokens}
    # One quote: the scoring convention the export writes under the weights.
    assert [t.type for t in tokens].count("blockquote_open") == 1


def test_headings_are_the_documents_own(document: str, summary: dict[str, Any]) -> None:
    tokens = _parse(document)
    headings = [
        (tokens[i - 1].tag, _plain(t))
        for i, t in enumerate(tokens)
        if t.type == "inline" and tokens[i - 1].type == "heading_open"
    ]
    years = [year_text(y["year"], "ja") for y in summary["roadmap"]]
    sections = ("ranking", "charter", "disagreement", "roadmap")
    assert headings == [
        ("h1", WORKSHOP_TITLE),
        *[("h2", label(f"section_{key}", "ja")) for key in sections[:3]],
        ("h2", label("section_roadmap", "ja")),
        *[("h3", year) for year in years],
    ]


def test_divisive_issues_are_one_item_each_with_rank_and_title(
    document: str, summary: dict[str, Any]
) -> None:
    items = _items(_section(_parse(document), label("section_disagreement", "ja")))
    divisive = [r for r in summary["ranking"] if r["divides_group"]]
    assert items == [
        f"{r['rank']}. {r['title']} ({label('agreement_value', 'ja', value=r['agreement_rwg'])})"
        for r in divisive
    ]
    assert {r["title"] for r in divisive} == {
        TITLES["madoguchi-konzatsu"],
        TITLES["sanres"],
        TITLES["koyosha"],
    }


def test_tables_show_titles_descriptions_and_names_as_written(
    document: str, summary: dict[str, Any]
) -> None:
    tokens = _parse(document)
    rows: list[list[str]] = []
    for i, token in enumerate(tokens):
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and tokens[i - 1].type in ("td_open", "th_open"):
            rows[-1].append(_plain(token))
    by_title = {row[1]: row for row in rows if row and row[0].isdigit()}
    assert set(by_title) == set(TITLES.values())
    for key, title in TITLES.items():
        assert by_title[title][2] == DESCRIPTIONS[key]
        assert by_title[title][7] == THEME
    criteria = {row[0] for row in rows if len(row) == 3}
    assert set(CRITERIA.values()) <= criteria
    assert any(row[:2] == [CRITERIA["resident"], "60.0%"] for row in rows)


def test_reason_and_roadmap_items_read_as_written(document: str, summary: dict[str, Any]) -> None:
    tokens = _parse(document)
    charter = _items(_section(tokens, label("section_charter", "ja")))
    assert f"{label('col_reason', 'ja')}: {REASON}" in charter
    roadmap = _items(_section(tokens, label("section_roadmap", "ja")))
    assert sorted(roadmap) == sorted(TITLES.values())


# ----------------------------------------------------------------------- Python-Markdown
class _Html(HTMLParser):
    """Tags and the text inside each ``<li>``, ``<h1>``–``<h3>`` and ``<td>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("li", "h1", "h2", "h3", "td"):
            self._open.append(tag)
            self.texts.setdefault(tag, []).append("")
        elif tag == "br" and self._open:
            self.texts[self._open[-1]][-1] += "\n"

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            text = self.texts[self._open[-1]]
            if text[-1].endswith("\n") and data.startswith("\n"):  # "<br />\n"
                data = data[1:]
            text[-1] += data


def test_python_markdown_shows_the_same_text(document: str, summary: dict[str, Any]) -> None:
    page = _Html()
    page.feed(markdown.markdown(document, extensions=["tables"]))
    made = set(page.tags) & {"a", "img", "strong", "em", "code", "del", "s", "b", "i", "script"}
    assert not made, made
    assert page.tags.count("h1") == 1 and page.texts["h1"] == [WORKSHOP_TITLE]
    assert page.tags.count("ol") == 0 and page.tags.count("blockquote") == 1  # its own
    divisive = [r for r in summary["ranking"] if r["divides_group"]]
    for row in divisive:
        agreement = label("agreement_value", "ja", value=row["agreement_rwg"])
        assert f"{row['rank']}. {row['title']} ({agreement})" in page.texts["li"]
    for key, title in TITLES.items():
        assert title in page.texts["td"]
        assert title in page.texts["li"]  # the roadmap
        assert DESCRIPTIONS[key] in page.texts["td"]
    # Python-Markdown keeps the continuation line's indent, which HTML does not show.
    items = [re.sub(r"\n[ \t]+", "\n", text) for text in page.texts["li"]]
    assert f"{label('col_reason', 'ja')}: {REASON}" in items
