"""The HTML report in Chromium (nothing requested beyond the file, A4 print), the chart
images, the Markdown backlog and the pabulib file."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pabutools.election import parse_pabulib

from tests.server.server_helpers import ARTIFACTS, RequestLog
from tests.workshop_data import small_workshop
from toolkit.export import ExportError, render
from toolkit.export._common import label
from toolkit.export.html_report import render_html
from toolkit.export.markdown import escape_cell, render_markdown
from toolkit.export.pabulib import render_pabulib
from toolkit.store import Store
from toolkit.summary import summarize

SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@pytest.fixture(scope="module")
def report_ja(demo_summary: dict[str, Any]) -> bytes:
    return render_html(demo_summary)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served on 127.0.0.1 (so every request the page makes can be checked)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_report_is_self_contained(report_ja: bytes, demo_summary: dict[str, Any]) -> None:
    text = report_ja.decode("utf-8")
    followup = demo_summary["followup"]
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!#)""", text)  # only in-page anchors
    assert set(re.findall(r"https?://[^\s\"'<>)]+", text)) <= SVG_NAMESPACES
    assert "<script" not in text and "@import" not in text and "url(" not in text
    # happiness map, ranking, the roadmap and each indicator, inline; then each survey
    # question's distribution (rating and choice questions) and before/after means, and
    # each survey's gaps
    charts = 2 + bool(followup["roadmap"]) + len(followup["indicators"])
    for survey in demo_summary.get("surveys", []):
        for question in survey["questions"]:
            if any(w["answered"] for w in question["waves"].values()):
                charts += question["kind"] in ("likert", "single", "multiple")
                charts += question["comparison"] is not None
        charts += bool(survey["gaps"])
    assert text.count("<svg") == charts
    assert "@page { size: A4" in text


def test_report_sections_render_the_summary(report_ja: bytes, demo_summary: dict[str, Any]) -> None:
    text = report_ja.decode("utf-8")
    headings = (
        "うれしさマップ",
        "ビジョン",
        "優先順位の決め方（憲章）",
        "意見が割れている課題",
        "立場別の順位",
        "投票・タウンミーティングの結果",
        "ロードマップ",
    )
    for heading in headings:
        assert f">{heading}</h2>" in text
    assert demo_summary["vision"]["text"] in text
    for row in demo_summary["ranking"]:
        assert row["title"] in text
    assert "結果は投票の締め切りまで非公開です（現在 0 票）" in text
    assert "2026年度" in text and "2028年度" in text


def test_report_in_english(demo_summary: dict[str, Any]) -> None:
    text = render_html(demo_summary, lang="en").decode("utf-8")
    assert '<html lang="en">' in text
    assert ">How we agreed to prioritise (method charter)</h2>" in text
    assert "Prioritised backlog: score and robustness" in text  # the chart title


def test_report_in_chromium_requests_nothing_else_and_prints_to_a4(
    browser: Any, cjk_font: None, served: tuple[Path, str], report_ja: bytes
) -> None:
    folder, base = served
    (folder / "report.html").write_bytes(report_ja)
    context = browser.new_context(viewport={"width": 1024, "height": 1400})
    page = context.new_page()
    log = RequestLog()
    log.attach(page)
    try:
        page.goto(f"{base}/report.html", wait_until="networkidle")
        assert page.locator("h2#charter, section#charter h2").first.is_visible()
        assert page.locator("section#ranking svg").count() == 1
        page.screenshot(path=str(ARTIFACTS / "export-report-ja.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        context.close()
    assert log.outside() == []
    assert log.urls == [f"{base}/report.html"]  # the file itself, nothing else at all
    assert (ARTIFACTS / "export-report-ja.png").stat().st_size > 10_000
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.9) < 2 and abs(float(h) - 842.9) < 2 for w, h in boxes)


def test_chart_images_keep_japanese_text(cjk_font: None, demo_summary: dict[str, Any]) -> None:
    svg = render(demo_summary, "svg").decode("utf-8")
    assert svg.startswith("<svg") and "優先順位: スコアと頑健性" in svg
    assert demo_summary["ranking"][0]["title"] in svg
    assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) <= SVG_NAMESPACES
    happiness = render(demo_summary, "svg", chart="happiness").decode("utf-8")
    assert "子育て世帯" in happiness and "うれしさマップ" in happiness
    png = render(demo_summary, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    with pytest.raises(ExportError, match="Unknown chart 'pie'"):
        render(demo_summary, "svg", chart="pie")


def test_markdown_backlog(demo_summary: dict[str, Any]) -> None:
    text = render_markdown(demo_summary).decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == f"# {demo_summary['workshop']['title']}"
    backlog = lines[: lines.index(next(x for x in lines[3:] if x.startswith("## ")))]
    table = [line for line in backlog if line.startswith("| ") and line[2:3].isdigit()]
    assert len(table) == len(demo_summary["ranking"])
    first = demo_summary["ranking"][0]
    description = {i["key"]: i["description"] for i in demo_summary["issues"]}[first["key"]]
    assert table[0].startswith(
        f"| 1 | {first['title']} | {escape_cell(description)} | {first['score']:.3f} |"
    )
    assert "- 決め方: 重みづけ評価（加重和）" in lines
    assert escape_cell("FAX|はんこ\n押印") == "FAX\\|はんこ<br>押印"


def test_pabulib_file_reads_in_pabutools(tmp_path: Path, demo_summary: dict[str, Any]) -> None:
    path = tmp_path / "dots.pb"
    path.write_bytes(render_pabulib(demo_summary))
    instance, profile = parse_pabulib(str(path))
    ballot = next(b for b in demo_summary["ballots"] if b["key"] == "theme-dots")
    assert instance.meta["instance"] == "theme-dots"
    assert instance.meta["vote_type"] == "cumulative"
    # a dot vote has no budget: none is invented, and the rule is pabulib's "unknown"
    assert instance.budget_limit == 0 and instance.meta["rule"] == "unknown"
    assert {p.name for p in instance} == set(ballot["options"])
    assert len(profile) == ballot["votes"] == 24
    # the points in the file add up to the published tally
    totals: dict[str, float] = {}
    for vote in profile:
        for project, points in vote.items():
            totals[project.name] = totals.get(project.name, 0) + float(points)
    assert {k: v for k, v in ballot["tally"]["points"].items() if v} == totals


def test_pabulib_single_choice_and_hidden_ballots(demo_summary: dict[str, Any]) -> None:
    text = render_pabulib(demo_summary, ballot="method").decode("utf-8")
    assert "vote_type;choose-1" in text and "num_votes;24" in text
    with pytest.raises(ExportError, match="'jumin-shortlist' is hidden until it closes"):
        render_pabulib(demo_summary, ballot="jumin-shortlist")


class _Report(HTMLParser):
    """The report's table rows (cell texts) and its legend paragraphs, as a reader sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.legends: list[str] = []
        self._cell: list[str] | None = None
        self._legend: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "p" and "legend" in (dict(attrs).get("class") or "").split():
            self._legend = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "p" and self._legend is not None:
            self.legends.append("".join(self._legend))
            self._legend = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._legend):
            if part is not None:
                part.append(data)


@pytest.fixture(scope="module")
def weighted_summary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The small workshop, locked with weights 50 / 31.5 / 18.5 and scored by two raters."""
    with Store.open(tmp_path_factory.mktemp("weights") / "ureshii.sqlite") as store:
        store.create_workshop(small_workshop("tsuru-dx"))
        tokens = [store.join("tsuru-dx") for _ in range(2)]
        store.propose_charter(
            "tsuru-dx", method="weighted_sum", weights={"resident": 50, "staff": 31.5, "cost": 18.5}
        )
        for token in tokens:
            store.record_consent("tsuru-dx", token, 5)
        store.lock_charter("tsuru-dx")
        for token in tokens:
            store.record_scores(
                "tsuru-dx",
                token,
                {(i, c): 3 for i in ("madoguchi-konzatsu", "sanres", "chat") for c in CRITERIA},
            )
        return summarize(store, "tsuru-dx")


CRITERIA = ("resident", "staff", "cost")


@pytest.mark.parametrize(
    ("lang", "words"),
    [("ja", ("頑健性", "2,000 通り", "◆")), ("en", ("Robustness", "2,000 weightings", "◆"))],
)
def test_report_weights_have_one_decimal_and_robustness_has_a_legend(
    weighted_summary: dict[str, Any], lang: str, words: tuple[str, ...]
) -> None:
    page = _Report()
    page.feed(render_html(weighted_summary, lang=lang).decode("utf-8"))
    weights = {row[0]: row[1] for row in page.rows if len(row) == 4}
    # the criteria keep their (Japanese) names in an English report: they are user text
    assert [weights[n] for n in ("住民のうれしさ", "職員のうれしさ", "コスト")] == [
        "50.0%",
        "31.5%",
        "18.5%",
    ]
    assert len(page.legends) == 2  # the chart's marks, and the robustness column
    legend = " ".join(page.legends)
    assert all(word in legend for word in words), legend
    assert page.legends[1] == label("robustness_legend", lang)


def test_report_without_charts_keeps_the_robustness_legend(
    weighted_summary: dict[str, Any],
) -> None:
    page = _Report()
    page.feed(render_html(weighted_summary, lang="en", charts=False).decode("utf-8"))
    assert page.legends == [label("robustness_legend", "en")]
