"""Surveys in every export (issue 19): CSV (UTF-8 BOM and CP932), XLSX, JSON (schema,
verify, round trip), HTML and Markdown, on a real store (SQLite and PostgreSQL).

The survey: four departments (市民課 6, 税務課 7, 福祉課 8 and 情報政策課 2 people) answer
before; twelve of them answer again after with the same link code (pairs), eight new people
too. With a minimum group size of 5, 情報政策課 (2) is withheld, and with it the next
smallest (市民課, complementary suppression), in every format. Means, counts and intervals
are computed here by hand (``statistics`` and scipy's t quantile), never by the code under
test.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
from click.testing import CliRunner
from scipy import stats as scipy_stats
from sqlalchemy import select

from tests.export.conftest import SLUG, scored_workshop
from toolkit.cli import main as cli
from toolkit.export import export
from toolkit.export.json_import import comparable_summary, import_export_json
from toolkit.export.verify import verify_document
from toolkit.store import Store
from toolkit.store import tables as s
from toolkit.summary import summarize

SURVEY = "staff-dx"
SMALL = "情報政策課"  # 2 people: must appear in no result and no answer row
SMALL_KEY = "c"
MOTHER, SCHOOL = "ゑ", "ゐ"  # link answers: rare letters, so a leak would be found
DEPTS = {"a": "市民課", "b": "税務課", "c": SMALL, "d": "福祉課"}
DEFINITION: dict[str, Any] = {
    "id": SURVEY,
    "title": {"ja": "職員DX意識調査", "en": "Staff DX survey"},
    "link_code": True,
    "min_group_size": 5,
    "questions": [
        {
            "id": "dept",
            "kind": "single",
            "segment": True,
            "text": "所属",
            "options": [{"id": k, "text": v} for k, v in DEPTS.items()],
        },
        {
            "id": "q1",
            "kind": "likert",
            "required": True,
            "text": {"ja": "デジタル化に前向きだ", "en": "I am positive about going digital"},
            "issue": "madoguchi-konzatsu",
        },
        {
            "id": "q2",
            "kind": "multiple",
            "text": "使いたいもの",
            "options": [{"id": "x", "text": "チャット"}, {"id": "y", "text": "電子申請"}],
        },
        {"id": "q3", "kind": "number", "text": "残業時間", "unit": "時間", "min": 0, "max": 100},
        {"id": "q4", "kind": "text", "text": "ご意見"},
    ],
}
BEFORE_DEPTS = ["a"] * 6 + ["b"] * 7 + ["d"] * 8 + ["c"] * 2
BEFORE_Q1 = [2, 3, 3, 4, 2, 3, 4, 4, 3, 5, 2, 3, 4, 3, 3, 2, 4, 3, 3, 2, 4, 1, 2]
BEFORE_Q3 = [10, 12, 8, 20, 15, 9, 11, 7, 30, 14, 10, 12, 5, 6, 18, 22, 9, 13, 16, 11, 8, 40, 3]
PAIRED = [0, 1, 2, 3, 4, 6, 7, 8, 13, 14, 21, 22]  # who answers again (c's two included)
AFTER_Q1_PAIRED = [3, 4, 4, 5, 3, 5, 4, 4, 4, 4, 3, 2]
NEW_DEPTS = ["d"] * 5 + ["b"] * 3
AFTER_Q1_NEW = [4, 5, 3, 4, 4, 5, 3, 4]


def _link(person: int) -> dict[str, Any]:
    return {"mother": MOTHER, "birthday": person % 28 + 1, "school": SCHOOL}


def build_survey(store: Store) -> dict[str, Any]:
    """The workshop (12 raters, a locked charter), the survey and its answers; returns what
    the test needs to know: tokens, token hashes and link keys (to look for leaks)."""
    raters = scored_workshop(store, {"resident": 6, "staff": 6})
    store.define_survey(SLUG, DEFINITION)
    people = [store.join(SLUG) for _ in BEFORE_DEPTS]
    store.open_survey_wave(SLUG, SURVEY, "before")
    for n, token in enumerate(people):
        answers: dict[str, Any] = {
            "dept": BEFORE_DEPTS[n],
            "q1": BEFORE_Q1[n],
            "q3": BEFORE_Q3[n],
            "q2": ["x"] if n % 3 else ["x", "y"],
        }
        if n in (0, 5):
            answers["q4"] = "窓口の待ち時間を減らしたい" if n == 0 else "紙の申請をなくしたい"
        link = _link(n) if n in PAIRED else None
        store.submit_survey(SLUG, SURVEY, answers, token=token, link=link)
    store.close_survey_wave(SLUG, SURVEY, "before")
    store.open_survey_wave(SLUG, SURVEY, "after")
    for n, value in zip(PAIRED, AFTER_Q1_PAIRED, strict=True):
        store.submit_survey(
            SLUG,
            SURVEY,
            {"dept": BEFORE_DEPTS[n], "q1": value},
            token=people[n],
            link=_link(n),
        )
    for dept, value in zip(NEW_DEPTS, AFTER_Q1_NEW, strict=True):
        store.submit_survey(SLUG, SURVEY, {"dept": dept, "q1": value}, token=store.join(SLUG))
    store.close_survey_wave(SLUG, SURVEY, "after")
    tokens = raters + people
    hashes = store._read(
        lambda conn: [r for (r,) in conn.execute(select(s.participants.c.token_hash))]
    )
    links = {r.link_key for r in store.survey_responses(SLUG, SURVEY) if r.link_key}
    return {"tokens": tokens, "hashes": hashes, "links": links}


@pytest.fixture
def surveyed(empty_store: Store) -> tuple[Store, dict[str, Any]]:
    return empty_store, build_survey(empty_store)


# ── independent figures ──────────────────────────────────────────────────────
AFTER_Q1 = AFTER_Q1_PAIRED + AFTER_Q1_NEW


def hand_mean(values: list[int]) -> dict[str, float]:
    """Mean, SD and the t interval, by hand (statistics + scipy's t quantile)."""
    n = len(values)
    mean = statistics.fmean(values)
    sd = statistics.stdev(values)
    half = scipy_stats.t.ppf(0.975, n - 1) * sd / n**0.5
    return {"mean": mean, "sd": sd, "low": mean - half, "high": mean + half, "n": n}


def test_hand_figures_are_what_the_data_says() -> None:
    # The data itself (so a typo in the lists above shows here, not as a puzzling diff).
    assert len(BEFORE_Q1) == len(BEFORE_Q3) == len(BEFORE_DEPTS) == 23
    assert sum(BEFORE_Q1) == 69 and sum(AFTER_Q1) == 77
    assert hand_mean(BEFORE_Q1)["mean"] == pytest.approx(69 / 23)


# ── output collection ────────────────────────────────────────────────────────
def _csv_tables(folder: Path, encoding: str) -> dict[str, list[list[str]]]:
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        text = path.read_bytes().decode(encoding)
        tables[path.name] = list(csv.reader(io.StringIO(text)))
    return tables


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.parts += [v or "" for _k, v in attrs]

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _secrets(info: dict[str, Any]) -> list[str]:
    return [*info["tokens"], *info["hashes"], *info["links"], MOTHER, SCHOOL]


# ── CSV ──────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_csv_files_hold_answers_and_results(
    surveyed: tuple[Store, dict[str, Any]], tmp_path: Path, encoding: str
) -> None:
    store, info = surveyed
    folder = tmp_path / "out"
    folder.mkdir()
    export(store, SLUG, "csv", folder / f"{SLUG}.csv", encoding=encoding)
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        f"{SLUG}.csv",
        f"{SLUG}.survey-{SURVEY}-answers.csv",
        f"{SLUG}.survey-{SURVEY}-results.csv",
    ]
    if encoding == "utf-8-sig":
        assert (folder / names[1]).read_bytes().startswith(b"\xef\xbb\xbf")
    tables = _csv_tables(folder, encoding)
    answers = tables[names[1]]
    assert answers[0] == [
        "回",
        "回答方法",
        "同一回答者（組番号）",
        "所属",
        "デジタル化に前向きだ",
        "使いたいもの",
        "残業時間",
        "ご意見",
    ]
    rows = answers[1:]
    assert len(rows) == 23 + 20
    assert [r[0] for r in rows].count("事前") == 23 and [r[0] for r in rows].count("事後") == 20
    assert sum(int(r[4]) for r in rows if r[0] == "事前") == sum(BEFORE_Q1)
    assert sum(int(r[4]) for r in rows if r[0] == "事後") == sum(AFTER_Q1)
    # 12 people linked: every pair number twice, once in each wave
    pairs = [r[2] for r in rows if r[2]]
    assert len(pairs) == 24 and all(pairs.count(p) == 2 for p in pairs)
    # 情報政策課 (2) and 市民課 (6, its complement) withheld in every wave; the others shown
    departments = [r[3] for r in rows]
    # after: the pairs are a 5, b 3, d 2, c 2; the new people d 5, b 3
    assert departments.count("税務課") == 7 + 3 + 3 and departments.count("福祉課") == 8 + 2 + 5
    assert departments.count("") == 6 + 2 + 5 + 2  # a and c, before and after
    results = tables[names[2]]
    header = results[0]
    assert header[:9] == ["アンケート", "設問ID", "設問", "行の種類", "回", "属性（集計を分ける）",
                          "グループ", "回答数", "平均"]  # fmt: skip
    col = {name: n for n, name in enumerate(header)}
    everyone = {r[col["回"]]: r for r in results[1:] if r[col["設問ID"]] == "q1" and r[3] == "全体"}
    for wave, values in (("事前", BEFORE_Q1), ("事後", AFTER_Q1)):
        hand = hand_mean(values)
        row = everyone[wave]
        assert int(row[col["回答数"]]) == hand["n"]
        assert float(row[col["平均"]]) == pytest.approx(hand["mean"], abs=5e-5)
        assert float(row[col["95%信頼区間 下限"]]) == pytest.approx(hand["low"], abs=5e-5)
        assert float(row[col["95%信頼区間 上限"]]) == pytest.approx(hand["high"], abs=5e-5)
        # each Likert point's count and share
        for point in range(1, 6):
            at = col[f"件数{point}"]
            assert int(row[at]) == values.count(point)
            assert float(row[at + 1]) == pytest.approx(values.count(point) / len(values), abs=5e-5)
    cohort = next(r for r in results[1:] if r[3] == "前後比較（全体）" and r[1] == "q1")
    assert float(cohort[col["差"]]) == pytest.approx(
        statistics.fmean(AFTER_Q1) - statistics.fmean(BEFORE_Q1), abs=5e-5
    )
    paired = next(r for r in results[1:] if r[3] == "前後比較（同一回答者）" and r[1] == "q1")
    assert int(paired[col["回答数"]]) == 12
    differences = [a - BEFORE_Q1[n] for n, a in zip(PAIRED, AFTER_Q1_PAIRED, strict=True)]
    assert float(paired[col["差"]]) == pytest.approx(statistics.fmean(differences), abs=5e-5)
    assert paired[col["説明"]]  # the sentence
    groups = [r[col["グループ"]] for r in results[1:] if r[3] == "グループ別"]
    assert "税務課" in groups and "福祉課" in groups and "市民課" not in groups
    assert "2 グループは非表示（5 人未満）" in [r[col["グループ"]] for r in results[1:]]
    _no_leaks("\n".join("\t".join(r) for t in tables.values() for r in t), info)


# ── XLSX ─────────────────────────────────────────────────────────────────────
def test_xlsx_sheets(surveyed: tuple[Store, dict[str, Any]]) -> None:
    store, info = surveyed
    book = openpyxl.load_workbook(io.BytesIO(export(store, SLUG, "xlsx")))
    for name in ("アンケートの設問", "アンケート回答（匿名）", "アンケート集計"):
        assert name in book.sheetnames
        sheet = book[name]
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert book.sheetnames[-1] == "操作の記録"
    definition = [list(r) for r in book["アンケートの設問"].iter_rows(values_only=True)]
    header_at = next(n for n, r in enumerate(definition) if r[0] == "設問ID")
    questions = {r[0]: r for r in definition[header_at + 1 :] if r[0]}
    assert questions["q1"][2] == "段階評価" and questions["q1"][3] == "はい"
    assert questions["dept"][4] == "はい" and SMALL in questions["dept"][8]
    waves = {r[0]: r for r in definition if r[0] in ("before", "after")}
    assert waves["before"][5] == 23 and waves["after"][5] == 20
    answers = [list(r) for r in book["アンケート回答（匿名）"].iter_rows(values_only=True)]
    assert len(answers) == 1 + 43
    assert sum(r[4] for r in answers[1:] if r[0] == "事後") == sum(AFTER_Q1)
    results = [list(r) for r in book["アンケート集計"].iter_rows(values_only=True)]
    col = {name: n for n, name in enumerate(results[0])}
    after = next(r for r in results if r[1] == "q1" and r[3] == "全体" and r[4] == "事後")
    assert after[col["平均"]] == pytest.approx(hand_mean(AFTER_Q1)["mean"], abs=5e-5)
    assert any(r[3] == "前後比較（同一回答者）" for r in results)
    # privacy: every cell of every sheet but the questionnaire itself
    cells = [
        str(v)
        for name in book.sheetnames
        if name != "アンケートの設問"
        for row in book[name].iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    _no_leaks("\n".join(cells), info)


# ── JSON ─────────────────────────────────────────────────────────────────────
SCHEMA = Path(__file__).resolve().parents[2] / "toolkit" / "json_schemas" / "export.schema.json"


def test_json_valid_verified_private_and_round_trips(
    surveyed: tuple[Store, dict[str, Any]], tmp_path: Path, database_url: str
) -> None:
    store, info = surveyed
    path = tmp_path / "export.json"
    document = json.loads(export(store, SLUG, "json", path))
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
    [exported] = document["surveys"]
    assert exported["definition"]["id"] == SURVEY
    rows = exported["answers"]
    assert len(rows) == 43
    assert sum(r["answers"]["q1"] for r in rows if r["wave"] == "before") == sum(BEFORE_Q1)
    assert all(r["answers"]["dept"] != SMALL_KEY for r in rows)
    assert sorted({r["answers"]["dept"] for r in rows}) == ["", "b", "d"]
    [survey] = document["summary"]["surveys"]
    q1 = next(q for q in survey["questions"] if q["key"] == "q1")
    assert q1["waves"]["before"]["mean"]["mean"] == pytest.approx(69 / 23, abs=5e-5)
    dept = next(q for q in survey["questions"] if q["key"] == "dept")
    assert [d["label"] for d in dept["waves"]["before"]["distribution"]] == ["税務課", "福祉課"]
    assert dept["waves"]["before"]["withheld"] == 2
    # privacy: nowhere but in the questionnaire (the definition and the options listed)
    stripped = json.loads(json.dumps(document))
    stripped["surveys"][0]["definition"] = None
    for question in stripped["summary"]["surveys"][0]["questions"]:
        question["options"] = []
    _no_leaks(json.dumps(stripped, ensure_ascii=False), info)
    # verify re-computes the means from the answers …
    result = verify_document(document)
    assert result.matches, result.report("en")
    assert result.survey_means == 2 + 2  # q1 and q3, each in both waves
    assert SURVEY in result.report("en")
    # … and notices an edited one
    edited = json.loads(json.dumps(document))
    edited["summary"]["surveys"][0]["questions"][1]["waves"]["after"]["mean"]["mean"] += 0.1
    again = verify_document(edited)
    assert [d.field for d in again.differences] == ["survey.mean"]
    # round trip: a new store rebuilt from the file counts the same answers
    target = tmp_path / "rebuilt.sqlite"
    with Store.open(target) as rebuilt:
        import_export_json(rebuilt, path)
        assert rebuilt.survey_response_counts(SLUG) == {SURVEY: {"before": 23, "after": 20}}
        new = comparable_summary(summarize(rebuilt, SLUG))
    old = comparable_summary(summarize(store, SLUG))
    # equal, apart from what the export withholds (see comparable_summary): the answers
    # by wave, every distribution, mean and before/after comparison (the pairs link again)
    assert new == old
    assert new["surveys"][0]["questions"][1]["comparison"]["paired"]["pairs"] == 12


def test_an_indicator_measured_by_a_survey_is_named_in_the_exports_and_kept_through_json(
    surveyed: tuple[Store, dict[str, Any]], tmp_path: Path
) -> None:
    """The indicator's survey question is named in the XLSX and the HTML report (the
    survey's title, the question's id and text) and is in the JSON export
    (``measured_by``); it comes back with ``import_export_json``, and a file exported
    before it existed still imports (no link)."""
    from datetime import date

    store, _info = surveyed
    issue = store.issues(SLUG)[0].key
    for key, name, direction, baseline, target in (
        ("staff-satisfaction", "職員の満足度", "increase", 3.0, 4.0),  # measured by q1
        ("wait", "窓口待ち時間", "decrease", 30, 15),  # measured by hand
    ):
        store.add_indicator(
            SLUG,
            issue,
            name,
            direction=direction,  # type: ignore[arg-type]
            baseline=baseline,
            baseline_on=date(2026, 4, 1),
            target=target,
            target_on=date(2027, 3, 31),
            key=key,
        )
    store.link_indicator_to_survey(SLUG, "staff-satisfaction", SURVEY, "q1")
    named = "「職員DX意識調査」 q1: デジタル化に前向きだ"
    book = openpyxl.load_workbook(io.BytesIO(export(store, SLUG, "xlsx")))
    sheet = [list(r) for r in book["指標と効果測定"].iter_rows(values_only=True)]
    column = sheet[0].index("測定に使う設問")
    by_key = {r[sheet[0].index("ID")]: r for r in sheet[1:] if r and r[0]}
    assert by_key["staff-satisfaction"][column] == named
    assert by_key["wait"][column] is None
    page = export(store, SLUG, "html").decode("utf-8")
    section = page.split('<section id="indicators">')[1].split("</section>")[0]
    parser = _Text()
    parser.feed(section)
    assert "測定に使う設問" in parser.parts and named in parser.parts
    path = tmp_path / "export.json"
    document = json.loads(export(store, SLUG, "json", path))
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
    rows = {row["key"]: row for row in document["summary"]["followup"]["indicators"]}
    assert rows["staff-satisfaction"]["measured_by"] == {"survey": SURVEY, "question": "q1"}
    assert rows["wait"]["measured_by"] is None
    with Store.open(tmp_path / "rebuilt.sqlite") as rebuilt:
        import_export_json(rebuilt, path)
        assert rebuilt.survey_indicators(SLUG) == {"staff-satisfaction": (SURVEY, "q1")}
        new = comparable_summary(summarize(rebuilt, SLUG))
    assert new == comparable_summary(summarize(store, SLUG))
    # an export from before measured_by: valid, and it imports without the link
    for row in document["summary"]["followup"]["indicators"]:
        del row["measured_by"]
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
    older = tmp_path / "older.json"
    older.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with Store.open(tmp_path / "older.sqlite") as rebuilt:
        import_export_json(rebuilt, older)
        assert rebuilt.survey_indicators(SLUG) == {}
        assert [i.key for i in rebuilt.indicators(SLUG)] == ["staff-satisfaction", "wait"]


# ── HTML and Markdown ────────────────────────────────────────────────────────
def test_html_survey_section(surveyed: tuple[Store, dict[str, Any]]) -> None:
    store, info = surveyed
    page = export(store, SLUG, "html").decode("utf-8")
    section = page.split('<section id="surveys">')[1].split("</section>")[0]
    parser = _Text()
    parser.feed(section)
    text = " ".join(parser.parts)
    assert "職員DX意識調査" in text and "デジタル化に前向きだ" in text
    hand = hand_mean(BEFORE_Q1)
    assert f"平均 {hand['mean']:.2f}（95%信頼区間 {hand['low']:.2f}〜{hand['high']:.2f}" in text
    assert "2 グループは非表示（5 人未満）" in text
    assert "前後で" in text or "上がり" in text  # the before/after sentence
    assert "アンケートで測った現状とあるべき姿のギャップ" in text
    whole = _Text()
    whole.feed(page)
    _no_leaks(" ".join(whole.parts), info)


def test_markdown_survey_section(surveyed: tuple[Store, dict[str, Any]]) -> None:
    store, info = surveyed
    text = export(store, SLUG, "md").decode("utf-8")
    assert "## アンケート" in text
    assert f"事前 {69 / 23:.2f} (n = 23)" in text
    _no_leaks(text, info)


def test_cli_writes_the_survey_files(
    surveyed: tuple[Store, dict[str, Any]], tmp_path: Path, database_url: str
) -> None:
    out = tmp_path / "backlog.csv"
    result = CliRunner().invoke(cli, ["export", database_url, "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"backlog.survey-{SURVEY}-answers.csv").exists()
    assert (tmp_path / f"backlog.survey-{SURVEY}-results.csv").exists()
    assert f"backlog.survey-{SURVEY}-results.csv" in result.output


def test_no_surveys_no_survey_files(empty_store: Store, tmp_path: Path) -> None:
    scored_workshop(empty_store, {"staff": 6})
    folder = tmp_path / "out"
    folder.mkdir()
    export(empty_store, SLUG, "csv", folder / "b.csv")
    assert [p.name for p in folder.iterdir()] == ["b.csv"]
    book = openpyxl.load_workbook(io.BytesIO(export(empty_store, SLUG, "xlsx")))
    assert not any("アンケート" in name for name in book.sheetnames)
    assert 'id="surveys"' not in export(empty_store, SLUG, "html").decode("utf-8")


def _no_leaks(text: str, info: dict[str, Any]) -> None:
    assert SMALL not in text
    for secret in _secrets(info):
        assert secret not in text
