"""The follow-up app in a real browser (issue 18): roadmap chart, a measurement entered by hand.

A real ``ureshii serve`` on the demo store (the dx-vision workshop after its day), with a
roadmap and an indicator that has one measurement, put there through the store as staff
would have (the demo's own follow-up year is used as well when it has one), and Debian's
Chromium, in Japanese on a 1366 × 900 laptop and in English at 1920 × 1080. The facilitator
opens ``followup.ipynb``: the roadmap chart is drawn (inline SVG, offline) with its table,
no label is cut off and nothing scrolls sideways; on the indicators tab a measurement typed
into the form appears in the measurements table and in the store (one more measurement, with
the value and who entered it). No request leaves 127.0.0.1. Without the facilitator cookie
the app is refused (kernel apps are facilitator-only).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.server.server_helpers import (
    ARTIFACTS,
    RequestLog,
    ServerProcess,
    artifact_name,
    facilitator_context,
    start_server,
)
from tests.server.test_screen_words_browser import CUT_OFF_SCRIPT
from toolkit.followup import today_in
from toolkit.i18n import t
from toolkit.store import Store
from toolkit.times import workshop_time_zone

pytestmark = pytest.mark.slow

KERNEL_START_MS = 180_000
INDICATOR = "browser-wait"


@dataclass
class Served:
    server: ServerProcess
    store_path: Path
    slug: str


@pytest.fixture(scope="module")
def served(cjk_font: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from toolkit.demo import build_demo

    path = build_demo(tmp_path_factory.mktemp("followup"), lang="ja", seed=0).path
    today = date.today()
    with Store.open(path) as store:
        slug = store.workshops()[-1].slug
        issues = [i.key for i in store.issues(slug)]
        if not store.roadmap(slug):
            store.set_roadmap_item(slug, issues[0], "FY2026", owner_department="市民課")
            store.set_roadmap_item(slug, issues[1], "令和9年度 第2四半期", depends_on=[issues[0]])
        store.add_indicator(
            slug,
            issues[0],
            "窓口待ち時間",
            key=INDICATOR,
            unit="分",
            direction="decrease",
            baseline=30,
            baseline_on=today - timedelta(days=200),
            target=15,
            target_on=today + timedelta(days=200),
        )
        store.record_measurement(
            slug, INDICATOR, 27, today - timedelta(days=100), entered_by="市民課"
        )
    server = start_server("followup", env={"URESHII_DATABASE_URL": str(path)})
    try:
        yield Served(server, path, slug)
    finally:
        server.stop()


def test_the_app_is_for_the_facilitator_only(served: Served) -> None:
    path = "/voila/render/followup.ipynb?lang=ja"
    assert served.server.request(path).status == 403


@pytest.mark.parametrize(
    ("lang", "width", "height", "value"),
    [("ja", 1366, 900, "21.5"), ("en", 1920, 1080, "19")],
    ids=["ja-1366", "en-1920"],
)
def test_the_roadmap_is_drawn_and_a_measurement_typed_in_is_stored(
    browser: Any, served: Served, lang: str, width: int, height: int, value: str
) -> None:
    from playwright.sync_api import expect

    with Store.open(served.store_path) as store:
        before = len(store.measurements(served.slug, INDICATOR))
        zone = workshop_time_zone(store.workshop(served.slug).time_zone)
    typed_on = today_in(zone)  # the form's date: the workshop's day, not this machine's
    requests = RequestLog()
    context = facilitator_context(
        browser,
        served.server,
        locale="ja-JP" if lang == "ja" else "en-GB",
        viewport={"width": width, "height": height},
    )
    page = context.new_page()
    requests.attach(page)
    shot = ARTIFACTS / f"{artifact_name(f'followup-{lang}-{width}')}.png"
    try:
        page.goto(
            f"{served.server.base}/voila/render/followup.ipynb?lang={lang}",
            timeout=KERNEL_START_MS,
        )
        title = t("followup_app_title", lang)
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible(
            timeout=KERNEL_START_MS
        )
        expect(page.get_by_text("Loading widget...")).to_have_count(0, timeout=KERNEL_START_MS)

        # the roadmap: a chart drawn on the server (SVG, its title in the page's language)
        roadmap = page.locator(".ureshii-followup-roadmap")
        chart = roadmap.locator("figure[role=img] svg")
        expect(chart).to_have_count(1)
        expect(roadmap.locator("figure[role=img]")).to_have_attribute(
            "aria-label", t("followup_chart_roadmap_title", lang)
        )
        caption = t("followup_roadmap_table_caption", lang)
        expect(roadmap.get_by_role("table", name=caption)).to_be_visible()
        assert page.evaluate(CUT_OFF_SCRIPT) == [], "labels cut off"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        save = roadmap.get_by_role(
            "button", name=re.compile(re.escape(t("followup_form_roadmap_save", lang)))
        )
        assert save.bounding_box()["height"] >= 44  # a finger-sized target
        page.screenshot(path=str(shot), full_page=True)

        # the indicators tab: record a measurement through the form
        page.get_by_role("tab", name=t("followup_tab_indicators", lang)).click()
        panel = page.locator(".ureshii-followup-indicators")
        form = panel.locator(".ureshii-followup-form").first
        expect(form).to_be_visible()
        choice = t("followup_indicator_choice", lang, name="窓口待ち時間", issue=_title(served))
        form.get_by_role("combobox").first.select_option(label=choice)
        form.get_by_role("textbox", name=t("followup_form_value", lang), exact=True).fill(value)
        form.get_by_role("textbox", name=t("followup_form_entered_by", lang), exact=True).fill(
            "市民課 DX係"
        )
        form.get_by_role(
            "button", name=re.compile(re.escape(t("followup_form_record", lang)))
        ).click()
        expect(form.locator(".ureshii-success")).to_be_visible()
        measured = panel.get_by_role(
            "table", name=t("followup_measurements_caption", lang, name="窓口待ち時間")
        )
        expect(measured.get_by_role("cell", name=f"{value} 分", exact=True)).to_be_visible()
        expect(measured.get_by_role("cell", name="市民課 DX係", exact=True).first).to_be_visible()
        assert page.evaluate(CUT_OFF_SCRIPT) == [], "labels cut off on the indicators tab"
        page.screenshot(path=str(shot).replace(".png", "-indicators.png"), full_page=True)
    except BaseException:
        page.screenshot(path=str(shot).replace(".png", "-failure.png"), full_page=True)
        raise
    finally:
        context.close()

    with Store.open(served.store_path) as store:
        after = store.measurements(served.slug, INDICATOR)
    assert len(after) == before + 1
    assert (after[-1].value, after[-1].entered_by) == (float(value), "市民課 DX係")
    assert after[-1].measured_on in {typed_on, today_in(zone)}  # (a midnight in between)
    assert requests.outside() == [], "a request left this machine"


def _title(served: Served) -> str:
    with Store.open(served.store_path) as store:
        return store.issues(served.slug)[0].title
