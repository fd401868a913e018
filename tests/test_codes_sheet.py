"""`ureshii codes`: printed one-time codes, end to end on a real SQLite store.

No QR reader is a dependency (the ones on PyPI need native libraries), so each card's QR code
is checked against segno's own encoding of the join link with that card's code in it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import segno
from click.testing import CliRunner, Result

from tests.workshop_data import small_workshop
from toolkit.cli import main
from toolkit.codes_sheet import CARDS_PER_PAGE, render_codes_sheet
from toolkit.errors import UreshiiError
from toolkit.i18n import t
from toolkit.store import Store, normalize_code

SLUG = "tsuru-dx"
URL = "http://192.168.10.23:8866/p/"
CARD = re.compile(r'<div class="card">(<svg .*?</svg>).*?<p class="code">([^<]+)</p>', re.DOTALL)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "tsuru.sqlite"
    with Store.open(path) as store:
        store.create_workshop(small_workshop(SLUG))
    return path


def participants(path: Path) -> int:
    with Store.open(path) as store:
        return store.counts(SLUG)["participants"]


def codes(
    *args: str, store: Path, out: Path | None = None, url: str | None = URL, lang: str = "en"
) -> Result:
    argv = ["codes", str(store), *args, "--lang", lang]
    if out is not None:
        argv += ["-o", str(out)]
    if url is not None:
        argv += ["--url", url]
    return CliRunner().invoke(main, argv)


def cards(html: str) -> list[tuple[str, str]]:
    """(QR svg, printed code) of every card on the sheet."""
    return CARD.findall(html)


def expected_qr(text: str) -> str:
    qr = segno.make(text, error="m", micro=False, boost_error=False)
    return str(qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None))


def test_the_sheet_holds_n_distinct_codes_that_the_store_knows_as_code_participants(
    store_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "codes.html"
    before = participants(store_path)

    result = codes("--count", "23", store=store_path, out=out)

    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    printed = [code for _, code in cards(html)]
    assert len(printed) == len(set(printed)) == 23
    assert all(re.fullmatch(r"[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}", code) for code in printed)
    with Store.open(store_path) as store:
        assert {store.participant(SLUG, normalize_code(c)).channel for c in printed} == {"code"}
        assert store.workshop_of_token(normalize_code(printed[0])) == SLUG
    assert participants(store_path) == before + 23
    size = out.stat().st_size
    assert result.output == (
        t(
            "codes_written",
            "en",
            count=23,
            title="鶴見町 DX ビジョンワークショップ",
            path=str(out),
            size=round(size / 1024),
        )
        + "\n"
        + t("codes_once_warning", "en")
        + "\n"
    )
    assert "cannot be printed again" in result.output
    assert html.count('<section class="page">') == 3  # 10 cards per A4 page
    assert out.stat().st_mode & 0o077 == 0  # the codes are secrets until handed out


def test_survey_codes_say_answer_code_and_answer_each_wave_once(
    store_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "survey-codes.html"
    with Store.open(store_path) as store:
        store.define_survey(
            SLUG,
            {
                "id": "staff",
                "title": "職員アンケート",
                "identity": "codes",
                "questions": [{"id": "q", "kind": "likert", "text": "前向きだ"}],
            },
        )
        store.open_survey_wave(SLUG, "staff", "before")

    result = codes("--count", "2", "--for", "survey", store=store_path, out=out, lang="ja")

    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '回答コード / <span lang="en">Answer code</span>' in html
    assert "投票" not in html and "vote" not in html.lower()
    first, second = (normalize_code(code) for _, code in cards(html))
    with Store.open(store_path) as store:
        store.submit_survey(SLUG, "staff", {"q": 4}, token=first)
        with pytest.raises(UreshiiError, match="already answered"):
            store.submit_survey(SLUG, "staff", {"q": 2}, token=first)
        store.submit_survey(SLUG, "staff", {"q": 5}, token=second)
        assert store.survey_response_counts(SLUG) == {"staff": {"before": 2, "after": 0}}


def test_each_qr_code_is_the_join_link_carrying_that_cards_code(
    store_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "codes.html"
    assert codes("--count", "12", store=store_path, out=out).exit_code == 0

    found = cards(out.read_text(encoding="utf-8"))

    assert len(found) == 12
    for svg, code in found:
        assert svg == expected_qr(f"{URL}?code={code}"), code


def test_the_sheet_is_self_contained_printable_a4_with_japanese_fonts(
    store_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "codes.html"
    assert codes("--count", "3", store=store_path, out=out, lang="ja").exit_code == 0
    html = out.read_text(encoding="utf-8")

    links = re.findall(r"https?://[^\s\"'<>)]+", html)
    assert links and all(link.startswith(URL) for link in links)
    assert not re.search(r"<(script|link|img|iframe)\b|@import|url\(|src=", html)
    assert "@page { size: A4;" in html
    assert 'font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", Meiryo' in html
    assert '<html lang="ja">' in html
    # Both languages on every card, the chosen one first.
    japanese = t("codes_card_scan", "ja", url=URL)
    english = t("codes_card_scan", "en", url=URL)
    assert html.count(japanese) == html.count(english) == 3
    assert html.index(japanese) < html.index(english)
    assert html.count(t("codes_card_once", "ja")) == 3


def test_without_url_the_cards_carry_this_machines_join_link(
    store_path: Path, tmp_path: Path
) -> None:
    from toolkit.server.app import join_url

    out = tmp_path / "codes.html"
    assert codes("--count", "2", store=store_path, out=out, url=None).exit_code == 0

    link = join_url("0.0.0.0", 8866)
    assert link.endswith(":8866/p/")
    for svg, code in cards(out.read_text(encoding="utf-8")):
        assert svg == expected_qr(f"{link}?code={code}")


def test_the_workshop_may_be_left_out_only_when_the_store_holds_one(
    store_path: Path, tmp_path: Path
) -> None:
    with Store.open(store_path) as store:
        store.create_workshop(small_workshop("kame-dx"))
    out = tmp_path / "codes.html"

    refused = codes("--count", "2", store=store_path, out=out)
    chosen = codes("--count", "2", "--workshop", "kame-dx", store=store_path, out=out)

    assert refused.exit_code == 2
    # In the order they were created.
    assert (
        refused.stderr == t("codes_error_choose_workshop", "en", slugs="tsuru-dx, kame-dx") + "\n"
    )
    assert chosen.exit_code == 0, chosen.output
    with Store.open(store_path) as store:
        assert store.counts("kame-dx")["participants"] == 2
        assert store.counts(SLUG)["participants"] == 0


def test_default_file_name_is_the_workshops(
    store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert codes("--count", "1", store=store_path).exit_code == 0
    assert (tmp_path / f"{SLUG}-codes.html").is_file()


@pytest.mark.parametrize("lang", ["ja", "en"], ids=["ja", "en"])
@pytest.mark.parametrize(
    ("count", "key", "params"),
    [
        ("0", "invalid_code_count", {"value": 0, "limit": 5000}),
        ("5001", "invalid_code_count", {"value": 5001, "limit": 5000}),
        ("ten", "invalid_code_count", {"value": "ten", "limit": 5000}),
    ],
    ids=["zero", "over-limit", "not-a-number"],
)
def test_a_bad_count_is_refused_in_both_languages(
    store_path: Path, tmp_path: Path, lang: str, count: str, key: str, params: dict[str, Any]
) -> None:
    out = tmp_path / "codes.html"
    result = codes("--count", count, store=store_path, out=out, lang=lang)
    assert result.exit_code == 2
    assert result.stderr == t(key, lang, **params) + "\n"
    assert not out.exists()
    assert participants(store_path) == 0


@pytest.mark.parametrize("lang", ["ja", "en"], ids=["ja", "en"])
def test_an_unknown_workshop_is_refused_in_both_languages(
    store_path: Path, tmp_path: Path, lang: str
) -> None:
    out = tmp_path / "codes.html"
    result = codes("--count", "5", "--workshop", "nope", store=store_path, out=out, lang=lang)
    assert result.exit_code == 2
    assert result.stderr == t("not_found_workshop", lang, slug="nope") + "\n"
    assert not out.exists()
    assert participants(store_path) == 0


@pytest.mark.parametrize("lang", ["ja", "en"], ids=["ja", "en"])
def test_an_existing_sheet_is_never_replaced_without_force(
    store_path: Path, tmp_path: Path, lang: str
) -> None:
    out = tmp_path / "codes.html"
    assert codes("--count", "4", store=store_path, out=out).exit_code == 0
    first = out.read_bytes()

    refused = codes("--count", "4", store=store_path, out=out, lang=lang)

    assert refused.exit_code == 2
    assert refused.stderr == t("codes_error_exists", lang, path=str(out)) + "\n"
    assert out.read_bytes() == first
    assert participants(store_path) == 4  # nothing issued for the refused sheet
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []

    replaced = codes("--count", "4", "--force", store=store_path, out=out, lang=lang)
    assert replaced.exit_code == 0, replaced.output
    assert out.read_bytes() != first
    assert participants(store_path) == 8


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("missing.sqlite", None, "codes_error_store_missing"),
        ("notes.sqlite", "not a store", "codes_error_not_sqlite"),
    ],
    ids=["missing", "text-file"],
)
def test_a_store_that_is_not_there_is_neither_created_nor_used(
    tmp_path: Path, name: str, content: str | None, key: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = codes("--count", "1", store=path, out=tmp_path / "codes.html")
    assert result.exit_code == 2
    assert result.stderr == t(key, "en", path=str(path)) + "\n"
    assert path.exists() == (content is not None)
    assert not (tmp_path / "codes.html").exists()


def test_bad_link_and_missing_folder_are_refused_before_any_code_exists(
    store_path: Path, tmp_path: Path
) -> None:
    bad_url = codes("--count", "1", store=store_path, out=tmp_path / "c.html", url="10.0.0.5/p/")
    no_folder = codes("--count", "1", store=store_path, out=tmp_path / "nowhere" / "c.html")

    assert bad_url.exit_code == no_folder.exit_code == 2
    assert bad_url.stderr == t("codes_error_bad_url", "en", value="10.0.0.5/p/") + "\n"
    assert no_folder.stderr == (
        t("codes_error_folder_missing", "en", folder=str(tmp_path / "nowhere")) + "\n"
    )
    assert participants(store_path) == 0


def test_render_escapes_the_title_and_fills_pages_of_ten() -> None:
    printed = [f"AAAAA-{n:05d}".replace("0", "2").replace("1", "3") for n in range(21)]
    html = render_codes_sheet('<script>alert("x")</script> 鶴見町', printed, URL, "en")

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.count('<section class="page">') == -(-21 // CARDS_PER_PAGE) == 3
    assert [code for _, code in cards(html)] == printed
    assert '<html lang="en">' in html
    assert html.index(t("codes_card_once", "en")) < html.index(t("codes_card_once", "ja"))


def test_the_link_keeps_a_query_it_already_has() -> None:
    html = render_codes_sheet("x", ["7KQ4M-XH2RD"], "https://town.example/p/?ws=tsuru", "ja")
    [(svg, _)] = cards(html)
    assert svg == expected_qr("https://town.example/p/?ws=tsuru&code=7KQ4M-XH2RD")


def test_the_command_line_still_starts_without_the_heavy_libraries() -> None:
    code = (
        "import sys, toolkit.cli; "
        "heavy = {'sqlalchemy', 'pandas', 'voila', 'segno', 'alembic'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
