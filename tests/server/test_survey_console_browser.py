"""The console's Surveys panel in a real browser (Debian Chromium, Playwright).

The facilitator opens a wave from the console, a phone's answer (through the store, as the
phone page writes it) appears in the live count, and closing asks first. The survey's phone
link with its QR code is on the page. No request may leave this machine. Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.server_helpers import ARTIFACTS, RequestLog, ServerProcess, start_server
from tests.workshop_data import small_workshop
from toolkit.store import Store

SLUG = "tsuru-dx"
PULSE = {
    "id": "pulse",
    "title": {"ja": "職員アンケート", "en": "Staff pulse"},
    "questions": [
        {"id": "q1", "kind": "likert", "required": True, "text": {"ja": "前向きだ", "en": "Keen"}}
    ],
}


@pytest.fixture(scope="module")
def survey_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("survey-console") / "w.sqlite"
    with Store.open(path) as store:
        store.create_workshop(small_workshop(SLUG))
        store.define_survey(SLUG, PULSE)
    return path


@pytest.fixture(scope="module")
def survey_server(survey_store: Path) -> Iterator[ServerProcess]:
    running = start_server("survey-console", env={"URESHII_DATABASE_URL": str(survey_store)})
    yield running
    running.stop()


def test_a_wave_is_opened_answered_and_closed_from_the_console(
    browser: Any, cjk_font: None, survey_server: ServerProcess, survey_store: Path
) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        requests = RequestLog()
        requests.attach(page)
        page.goto(survey_server.facilitator_url, timeout=120_000)
        panel = page.locator(".ureshii-surveys-panel")
        expect(panel.get_by_role("heading", name="Surveys")).to_be_visible(timeout=120_000)
        link = f"{survey_server.base}/p/{SLUG}/surveys/pulse"
        expect(panel.get_by_label("Phones answer at:")).to_have_value(link)
        expect(panel.get_by_role("img", name=f"QR code of the survey link {link}")).to_be_visible()
        row = panel.locator("tr", has_text="Before")
        expect(row).to_contain_text("not opened yet")

        panel.get_by_role("button", name="Open “Before”").click()
        expect(row).to_contain_text("open")
        with Store.open(survey_store) as store:
            assert store.survey(SLUG, "pulse").open_wave == "before"
            store.submit_survey(SLUG, "pulse", {"q1": 4}, token=store.join(SLUG))
        expect(row.locator("td").nth(2)).to_have_text("1", timeout=15_000)  # the live count

        panel.get_by_role("button", name="Close “Before”").click()
        with Store.open(survey_store) as store:
            assert store.survey(SLUG, "pulse").open_wave == "before"  # it asked first
        panel.get_by_role("button", name="Yes, close it").click()
        expect(row).to_contain_text("closed")
        with Store.open(survey_store) as store:
            assert [w.status for w in store.survey(SLUG, "pulse").waves] == ["closed", "draft"]
        page.screenshot(path=str(ARTIFACTS / "console-surveys.png"), full_page=True)
        assert requests.outside() == [], "the console's requests left this machine"
    finally:
        context.close()
