"""The follow-up app's widgets (issue 18) on a real SQLite store: a facilitator puts issues
on the roadmap through the form, mistypes a period, adds an indicator and records
measurements; the store changes and the screen says what a person would check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.workshop_data import tied_scores
from toolkit.i18n import t
from toolkit.store import Store
from widgets.context import AppContext
from widgets.followup import FollowupApp
from widgets.live import LiveFeed

SLUG = "tsuru-dx"


@pytest.fixture
def ranked_store(tmp_path: Path) -> Iterator[Store]:
    """The small workshop, ranked: sanres 1, chat 2, madoguchi-konzatsu 3."""
    with Store.open(tmp_path / "f.sqlite") as opened:
        tied_scores(opened, SLUG, "lowest_cost")
        yield opened


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def _app(store: Store, lang: str) -> FollowupApp:
    return FollowupApp(AppContext.for_store(store, SLUG, lang))


def test_the_form_offers_the_ranked_issues_in_the_agreed_order(ranked_store: Store) -> None:
    app = _app(ranked_store, "ja")
    assert [label for label, _key in app.roadmap.issue.options] == [
        "1. 3レス（ペーパーレス・FAXレス・はんこレス）",
        "2. チャットツールの定着",
        "3. 窓口の混雑緩和",
    ]
    assert t("followup_roadmap_empty", "ja") in app.roadmap.table.value
    assert app.tabs.titles == ("ロードマップ", "指標と効果測定", "見直し")


def test_an_issue_put_on_the_roadmap_through_the_form_is_stored_and_shown(
    ranked_store: Store,
) -> None:
    app = _app(ranked_store, "ja")
    form = app.roadmap
    form.issue.value = "chat"
    form.period.value = "令和8年度 第2四半期"
    form.owner.value = "情報政策課"
    form.budget.value = "DX推進事業"
    form.review.value = date(2027, 3, 1)
    form.depends.value = ("sanres",)
    form.save_button.click()

    (item,) = [i for i in ranked_store.roadmap(SLUG) if i.issue == "chat"]
    assert (item.period.year, item.period.quarter) == (2026, 2)
    assert (item.owner_department, item.budget_line) == ("情報政策課", "DX推進事業")
    assert item.review_on == date(2027, 3, 1) and item.depends_on == ("sanres",)
    assert "ureshii-success" in form.message.value
    assert "チャットツールの定着 を 令和8年度 第2四半期 に置きました" in form.message.value
    row = _text(form.table.value)
    for cell in ("令和8年度 第2四半期", "チャットツールの定着", "情報政策課", "DX推進事業"):
        assert cell in row
    assert "2027-03-01" in row and "3レス" in row  # the review date, what it waits for
    assert "<svg" in form.chart._image.value  # the roadmap chart is drawn

    # choosing the issue again shows what it has; a change replaces it
    form.issue.value = "sanres"
    form.issue.value = "chat"
    assert form.period.value == "令和8年度 第2四半期" and form.owner.value == "情報政策課"
    form.period.value = "FY2027"
    form.save_button.click()
    (item,) = ranked_store.roadmap(SLUG)
    assert (item.period.year, item.period.quarter) == (2027, None)


@pytest.mark.parametrize(
    ("lang", "words"),
    [("ja", "第5四半期はありません"), ("en", "Quarter 5 does not exist")],
    ids=["ja", "en"],
)
def test_a_bad_period_is_explained_in_the_apps_language_and_the_form_keeps_its_text(
    ranked_store: Store, lang: str, words: str
) -> None:
    app = _app(ranked_store, lang)
    form = app.roadmap
    form.issue.value = "sanres"
    form.period.value = "FY2026 Q5"
    form.owner.value = "市民課"
    form.save_button.click()
    assert "ureshii-error" in form.message.value
    assert words in form.message.value
    other = "Quarter 5" if lang == "ja" else "第5四半期"
    assert other not in form.message.value  # one language, the app's
    assert (form.period.value, form.owner.value, form.issue.value) == (
        "FY2026 Q5",
        "市民課",
        "sanres",
    )
    assert ranked_store.roadmap(SLUG) == []


def test_a_measurement_recorded_through_the_form_changes_the_status_and_the_store(
    ranked_store: Store,
) -> None:
    today = date.today()
    app = _app(ranked_store, "en")
    panel = app.indicators
    assert panel.record_form.layout.display == "none"  # nothing to record yet
    panel.issue.value = "madoguchi-konzatsu"
    panel.name.value = "Waiting time"
    panel.unit.value = "min"
    panel.direction.value = "decrease"
    panel.baseline.value = "30"
    panel.baseline_on.value = today - timedelta(days=100)
    panel.target.value = "15"
    panel.target_on.value = today + timedelta(days=100)
    panel.add_button.click()
    (indicator,) = ranked_store.indicators(SLUG)
    assert (indicator.name, indicator.baseline, indicator.target) == ("Waiting time", 30, 15)
    assert panel.record_form.layout.display is None
    card = panel.cards[indicator.key]
    assert "no data yet" in card.head.value and t("followup_measurements_none", "en") in (
        card.table.value
    )

    # halfway through the time, 28 minutes is far behind the line: at risk
    panel.indicator.value = indicator.key
    panel.value.value = "28"
    panel.measured_on.value = today
    panel.entered_by.value = "Citizens' desk"
    panel.note.value = "after the new queue tickets"
    panel.record_button.click()
    assert [m.value for m in ranked_store.measurements(SLUG)] == [28]
    assert panel.status(indicator.key) == "at_risk"
    assert ">at risk<" in card.head.value  # the badge says it in words
    assert "Status now: at risk" in panel.record_message.value
    table = _text(card.table.value)
    assert "28 min" in table and "Citizens&#x27; desk" in card.table.value
    assert "after the new queue tickets" in table
    assert panel.value.value == ""  # ready for the next one

    # a newer measurement at the target: achieved; the first is kept (append-only)
    panel.value.value = "１５"  # full-width digits, as a Japanese keyboard may type
    panel.record_button.click()
    assert [m.value for m in ranked_store.measurements(SLUG)] == [28, 15]
    assert panel.status(indicator.key) == "achieved"
    assert ">achieved<" in card.head.value
    assert "<svg" in card.chart._image.value


def test_a_value_that_is_not_a_number_is_refused_and_nothing_is_recorded(
    ranked_store: Store,
) -> None:
    today = date.today()
    ranked_store.add_indicator(
        SLUG,
        "sanres",
        "ペーパーレス率",
        key="paperless",
        unit="%",
        direction="increase",
        baseline=20,
        baseline_on=today - timedelta(days=30),
        target=80,
        target_on=today + timedelta(days=300),
    )
    app = _app(ranked_store, "ja")
    panel = app.indicators
    panel.indicator.value = "paperless"
    panel.value.value = "約40"
    panel.entered_by.value = "総務課"
    panel.record_button.click()
    assert "「約40」は数値ではありません" in panel.record_message.value
    assert panel.value.value == "約40"
    assert ranked_store.measurements(SLUG) == []


def test_another_screens_writes_reach_the_app_through_the_live_feed(
    ranked_store: Store,
) -> None:
    ctx = AppContext.for_store(ranked_store, SLUG, "ja")
    feed = LiveFeed(ranked_store, SLUG)
    app = FollowupApp(ctx, feed)
    ranked_store.set_roadmap_item(SLUG, "sanres", "R8", owner_department="総務課")
    ranked_store.set_roadmap_item(SLUG, "chat", "R9", review_on=date.today() - timedelta(days=1))
    feed.poll_once()
    assert "総務課" in app.roadmap.table.value
    reviews = _text(app.reviews.body.value)
    assert "期限切れ" in reviews and "ロードマップ: チャットツールの定着" in reviews


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_console_links_to_the_follow_up_app_in_its_language(
    ranked_store: Store, lang: str
) -> None:
    from widgets.console.app import FacilitatorConsole

    ctx = AppContext.for_store(ranked_store, SLUG, lang)
    console = FacilitatorConsole(ctx, LiveFeed(ranked_store, SLUG))
    texts = [getattr(c, "value", "") for c in console.children]
    links = [text for text in texts if "ureshii-followup-link" in str(text)]
    assert len(links) == 1
    assert f'href="followup.ipynb?lang={lang}"' in links[0]
    assert t("followup_console_link", lang) in links[0]
    assert (Path(__file__).parents[2] / "workshops" / "followup.ipynb").is_file()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_review_date_for_the_charter_set_through_the_form(ranked_store: Store, lang: str) -> None:
    app = _app(ranked_store, lang)
    panel = app.reviews
    charter = {"ja": "憲章 第1版", "en": "Method charter v1"}[lang]
    assert [label for label, _ in panel.decision.options] == [charter]  # the town vote is a draft
    panel.decision.value = "charter:1"
    soon = date.today() + timedelta(days=3)
    panel.review_on.value = soon
    panel.note.value = "重みを見直す"
    panel.save_button.click()
    assert "ureshii-success" in panel.message.value, panel.message.value
    (review,) = ranked_store.reviews(SLUG, as_of=date.today())
    assert (review.subject, review.key, review.review_on, review.note) == (
        "charter",
        "1",
        soon,
        "重みを見直す",
    )
    shown = _text(panel.body.value)
    assert charter in shown and "重みを見直す" in shown
    assert {"ja": "まもなく", "en": "due soon"}[lang] in shown
    # an empty date removes it again
    panel.review_on.value = None
    panel.save_button.click()
    assert ranked_store.reviews(SLUG, as_of=date.today()) == []


def test_the_console_says_how_many_review_dates_are_due(ranked_store: Store) -> None:
    from widgets.console.app import FacilitatorConsole

    ctx = AppContext.for_store(ranked_store, SLUG, "ja")
    feed = LiveFeed(ranked_store, SLUG)
    console = FacilitatorConsole(ctx, feed)

    def link() -> str:
        texts = [str(getattr(c, "value", "")) for c in console.children]
        return _text(next(text for text in texts if "ureshii-followup-link" in text))

    assert "期限切れ" not in link()  # nothing to review yet: no line about it
    ranked_store.set_roadmap_item(SLUG, "chat", "R8", review_on=date(2020, 4, 1))
    ranked_store.set_review_date(SLUG, "charter", 1, date.today() + timedelta(days=2))
    feed.poll_once()
    assert "期限切れ 1 件、14 日以内 1 件" in link()


def test_the_measurement_date_starts_at_today_where_the_workshop_is(
    ranked_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """UTC+14 and UTC-12 are always on different dates: a form that took the computer's
    date could match at most one of them."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    seen = []
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):
        monkeypatch.setenv("URESHII_TIME_ZONE", zone)
        app = _app(ranked_store, "en")
        assert app.indicators.measured_on.value == datetime.now(ZoneInfo(zone)).date()
        seen.append(app.indicators.measured_on.value)
    assert seen[0] != seen[1]
