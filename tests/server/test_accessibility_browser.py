"""Every app and phone page, checked by axe-core in a real browser, in Japanese and English.

One ``ureshii serve`` on the demo store (the dx-vision workshop after a morning's work) with a
live ballot open for the phones; one Debian Chromium. Each Voilà app (console through the
facilitator link, board, table through a table link, method, table_method, scoring, results,
paper, followup) is opened at 1920×1080 and each phone page at 390×844 (a phone), in ``ja`` and in
``en`` (``?lang=``), waits until the page is shown, then runs axe-core's WCAG 2.0 A/AA and
2.1 AA rules. The test fails on any critical or serious violation, listing each rule, its
impact and the elements it found; the page's ``<html lang>`` must be the page's language.

axe-core comes from the npm registry, pinned in ``tests/a11y/package-lock.json`` and
installed by ``scripts/system-deps.sh`` (``npm ci``); each page loads it from that local
file (an init script of the browser context), never from a CDN, and no request may leave
this machine. Without it the tests are skipped, except with ``CI=true``, where they fail.
Screenshots go to ``test-artifacts/a11y-*.png``; every violation (of any impact) to
``test-artifacts/a11y-*.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.server.server_helpers import (
    ARTIFACTS,
    REPO,
    RequestLog,
    ServerProcess,
    facilitator_context,
    require,
    start_server,
)
from toolkit.server.table_links import table_link, table_link_key
from toolkit.store import Store

pytestmark = pytest.mark.slow

A11Y = REPO / "tests" / "a11y"
AXE_JS = A11Y / "node_modules" / "axe-core" / "axe.min.js"
#: The rules axe runs: WCAG 2.0 A and AA, and the AA criteria WCAG 2.1 added.
TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]
#: What fails the test (axe's "moderate" and "minor" are written to the artifacts only).
FAILING = {"critical", "serious"}
#: A Voilà page's first kernel start on a busy 2-core machine.
KERNEL_START_MS = 180_000

APP_VIEWPORT = {"width": 1920, "height": 1080}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}
LANGS = ("ja", "en")
#: The locale a browser of each language sends (``Accept-Language``).
LOCALES = {"ja": "ja-JP", "en": "en-GB"}

#: Markup that axe flags and that comes from Voilà's or JupyterLab's own frontend, which the
#: apps cannot change: (rule id, CSS selector of the element, why). Only that rule on that
#: element is left out; every other element and rule is still checked.
FRONTEND_EXCLUSIONS: tuple[tuple[str, str, str], ...] = ()

#: The Voilà apps: name → notebook (the console is opened through the facilitator link, the
#: table app through a table link, the others by the facilitator at their address).
APPS = {
    "console": "console.ipynb",
    "board": "board.ipynb",
    "table": "table.ipynb",
    "method": "method.ipynb",
    "table_method": "table_method.ipynb",
    "scoring": "scoring.ipynb",
    "results": "results.ipynb",
    "paper": "paper.ipynb",
    "followup": "followup.ipynb",
}
#: The phone pages: name → path under ``/p/<slug>/`` (``None``: the entry page ``/p/``).
PHONE_PAGES = {
    "entry": None,
    "join": "",
    "home": "",
    "card": "card",
    "consent": "consent",
    "vision": "vision",
    "score": "score/1",
    "ballot": "b/live",
    "receipt": "b/live/receipt",
    "results": "b/live/results",
    "message": "b/no-such-ballot",
}


@dataclass
class Room:
    """The server, its demo workshop, and the token of a phone that joined and voted."""

    server: ServerProcess
    store_path: Path
    slug: str
    voter: str


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's script, from the npm package that ``scripts/system-deps.sh`` installed."""
    require(
        AXE_JS.is_file(),
        f"axe-core is not installed at {AXE_JS} (run `npm ci` in tests/a11y, or "
        "scripts/system-deps.sh)",
    )
    pinned = json.loads((A11Y / "package.json").read_text(encoding="utf-8"))["dependencies"]
    installed = json.loads((AXE_JS.parent / "package.json").read_text(encoding="utf-8"))
    assert installed["version"] == pinned["axe-core"], (
        f"tests/a11y has axe-core {installed['version']}, the lock pins {pinned['axe-core']}: "
        "run `npm ci` in tests/a11y"
    )
    return str(AXE_JS)


def _api(server: ServerProcess, method: str, path: str, body: Any, token: str) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    reply = server.request(
        f"/api/v1/workshops/{path}", method=method, headers=headers, data=json.dumps(body).encode()
    )
    assert reply.status in (200, 201), (path, reply.status, reply.body)
    return json.loads(reply.body)


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """The demo workshop served, with a live ballot open and one phone that voted on it."""
    from toolkit.demo import build_demo

    demo = build_demo(tmp_path_factory.mktemp("a11y-demo"), lang="ja", seed=0)
    with Store.open(demo.path) as store:
        issues = [issue.key for issue in store.issues(demo.slug)][:4]
    server = start_server("a11y", env={"URESHII_DATABASE_URL": str(demo.path)})
    try:
        secret, slug = server.secret, demo.slug
        ballot = {
            "key": "live",
            "title": "うれしい順 / Most wanted",
            "rule": "approval",
            "options": issues,
            "visibility": "live",
        }
        _api(server, "POST", f"{slug}/ballots", ballot, secret)
        _api(server, "POST", f"{slug}/ballots/live/open", {}, secret)
        voter = _api(server, "POST", f"{slug}/join", {}, "")["token"]
        _api(server, "POST", f"{slug}/ballots/live/votes", {"vote": issues[:2]}, voter)
        yield Room(server, demo.path, slug, voter)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def requests_seen() -> RequestLog:
    """Every request of every page of this module (none may leave this machine)."""
    return RequestLog()


def _with_axe(context: Any, axe_js: str) -> Any:
    """``context`` with axe-core loaded into each of its pages from the local file.

    As an init script (run by the browser before the page's own scripts): a ``<script>``
    tag added later would be refused by the phone pages' Content-Security-Policy
    (``script-src`` allows only their own script, by its hash), and on a Voilà page
    RequireJS would take axe as a module instead of ``window.axe``. The page's own policy
    stays in force."""
    context.add_init_script(path=axe_js)
    return context


def _violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now."""
    assert page.evaluate("typeof window.axe") == "object", "axe-core was not loaded"
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    excluded = [[rule, selector] for rule, selector, _ in FRONTEND_EXCLUSIONS]
    found: list[dict[str, Any]] = page.evaluate(
        """async ([options, excluded]) => {
            const result = await axe.run(document, options);
            const left = (rule, node) => !excluded.some(([id, selector]) => {
                const element = document.querySelector(node.target[0]);
                return id === rule && node.target.length === 1 && element !== null
                    && element.matches(selector);
            });
            return result.violations
                .map(v => ({...v, nodes: v.nodes.filter(node => left(v.id, node))}))
                .filter(v => v.nodes.length > 0);
        }""",
        [options, excluded],
    )
    return found


SETTLE_JS = """() => new Promise((resolve) => {
  // Quiet: no change to the page for 800 ms and the same layout on both sides of it
  // (a chart arriving after its heading, a font loading), at most 20 s.
  const started = Date.now();
  let changedAt = Date.now();
  const observer = new MutationObserver(() => { changedAt = Date.now(); });
  observer.observe(document.body, {childList: true, subtree: true, attributes: true,
                                   characterData: true});
  const layout = () => Array.from(document.querySelectorAll("#rendered_cells *"))
    .map((el) => el.scrollWidth + "x" + el.scrollHeight).join(",");
  let last = layout();
  const tick = () => {
    const now = layout();
    if (now !== last) { changedAt = Date.now(); last = now; }
    if (Date.now() - changedAt >= 800 || Date.now() - started > 20000) {
      observer.disconnect();
      window.ureshiiAccessibilityFix();
      resolve(null);
    } else {
      window.setTimeout(tick, 200);
    }
  };
  window.setTimeout(tick, 200);
})"""


def _fix_when_settled(page: Any) -> None:
    """Run the page's accessibility fixes once the page has stopped changing.

    The page itself runs them at most a second after each change (index.html.j2); a test
    that checked at once could see a box that began to scroll a moment after the last run
    (the board draws its chart after its heading)."""
    page.evaluate(SETTLE_JS)


def _findings(page: Any, name: str, lang: str) -> list[str]:
    """Run axe on ``page`` as it is now: every critical or serious violation (rule, impact,
    elements), and a wrong ``<html lang>``. Everything axe found goes to the artifacts."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{lang}.png"))
    found = _violations(page)
    (ARTIFACTS / f"a11y-{name}-{lang}.json").write_text(
        json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    failing = [
        f"{name} ({lang}): {violation['id']} ({violation['impact']}): {violation['help']}\n"
        + "\n".join(f"    {node['target']}: {node.get('failureSummary', '')}" for node in nodes)
        for violation in found
        if violation["impact"] in FAILING
        for nodes in [[n for n in violation["nodes"] if n.get("impact") in FAILING]]
    ]
    page_lang = page.evaluate("document.documentElement.lang")
    if page_lang != lang:
        failing.append(f"{name} ({lang}): <html lang={page_lang!r}>, not {lang!r}")
    return failing


def _check(page: Any, name: str, lang: str) -> None:
    """Fail listing every finding of :func:`_findings`."""
    failing = _findings(page, name, lang)
    assert not failing, "axe-core found\n" + "\n".join(failing)


def _check_every_tab(page: Any, name: str, lang: str) -> None:
    """:func:`_check` on the page as it opened, then with each of its tabs selected in turn
    (a tab's content is only checked while it is shown)."""
    failing = _findings(page, name, lang)
    tabs = page.get_by_role("tab")
    for index in range(tabs.count()):
        tab = tabs.nth(index)
        if not tab.is_visible() or tab.get_attribute("aria-selected") == "true":
            continue
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        _fix_when_settled(page)
        failing += _findings(page, f"{name}-tab{index + 1}", lang)
    assert not failing, "axe-core found\n" + "\n".join(failing)


def _wait_until_shown(page: Any) -> None:
    """The app is on screen: Voilà's spinner gone, its level-1 heading shown, every widget
    loaded (none failed)."""
    expect(page.locator("#rendered_cells")).to_be_attached(timeout=KERNEL_START_MS)
    expect(page.locator("h1").first).to_be_visible(timeout=KERNEL_START_MS)
    expect(page.get_by_text("Loading widget...")).to_have_count(0, timeout=KERNEL_START_MS)
    expect(page.get_by_text("Error displaying widget")).to_have_count(0)
    expect(page.locator("#loading")).to_be_hidden(timeout=KERNEL_START_MS)
    # The page's accessibility fixes (names of sliders, focusable scrolled boxes) run at
    # most a second after each change; run them once the page is still (index.html.j2).
    _fix_when_settled(page)


def _app_cases() -> list[Any]:
    return [pytest.param(app, lang, id=f"{app}-{lang}") for lang in LANGS for app in APPS]


def _phone_cases() -> list[Any]:
    return [pytest.param(name, lang, id=f"{name}-{lang}") for lang in LANGS for name in PHONE_PAGES]


@pytest.mark.parametrize(("app", "lang"), _app_cases())
def test_app_has_no_serious_accessibility_violations(
    app: str,
    lang: str,
    browser: Any,
    cjk_font: None,
    axe_source: str,
    room: Room,
    requests_seen: RequestLog,
) -> None:
    server = room.server
    if app == "table":
        # A table laptop: its table link (never the facilitator's cookie) sets the table
        # cookie and leads to the table app.
        context = _with_axe(
            browser.new_context(locale=LOCALES[lang], viewport=APP_VIEWPORT), axe_source
        )
        link = table_link(table_link_key(server.secret), "/", room.slug, 1, 0)
        url = f"{server.base}{link}"
    else:
        context = _with_axe(
            facilitator_context(browser, server, locale=LOCALES[lang], viewport=APP_VIEWPORT),
            axe_source,
        )
        url = f"{server.base}/voila/render/{APPS[app]}"
        if app == "console":  # the facilitator link, as the facilitator opens it
            url = server.facilitator_url
    try:
        page = context.new_page()
        requests_seen.attach(page)
        if app in ("console", "table"):
            # The link leads on to its app (a table link by a redirect, the facilitator link
            # by a refresh page): that first load is stopped (no kernel for it), and the
            # app opened at its address with the language, as the heading's switch does.
            render = re.compile(rf"/voila/render/{re.escape(APPS[app])}")
            page.route(render, lambda route: route.abort())
            with page.expect_event("requestfailed", lambda r: render.search(r.url)) as failed:
                page.goto(url)
            url = failed.value.url
            page.unroute(render)
        target = url + ("&" if "?" in url else "?") + f"lang={lang}"
        page.goto(target, timeout=KERNEL_START_MS)
        _wait_until_shown(page)
        _check_every_tab(page, app, lang)
    finally:
        context.close()
    assert requests_seen.outside() == [], "a page requested another host"


@pytest.fixture(scope="module")
def phones(browser: Any, room: Room, axe_source: str) -> Iterator[dict[str, Any]]:
    """A phone per language, joined (the phone that voted on the live ballot)."""
    contexts = {}
    try:
        for lang in LANGS:
            context = _with_axe(browser.new_context(locale=LOCALES[lang], **PHONE), axe_source)
            cookie = {"name": f"ureshii_p_{room.slug}", "value": room.voter}
            cookie |= {"url": f"{room.server.base}/p/{room.slug}/", "httpOnly": True}
            context.add_cookies([cookie])
            contexts[lang] = context
        yield contexts
    finally:
        for context in contexts.values():
            context.close()


@pytest.mark.parametrize(("name", "lang"), _phone_cases())
def test_phone_page_has_no_serious_accessibility_violations(
    name: str,
    lang: str,
    browser: Any,
    cjk_font: None,
    axe_source: str,
    room: Room,
    phones: dict[str, Any],
    requests_seen: RequestLog,
) -> None:
    base = room.server.base
    if name == "entry":
        context = _with_axe(browser.new_context(locale=LOCALES[lang], **PHONE), axe_source)
        url = f"{base}/p/?code=000000&lang={lang}"  # a code that is not known: entry + error
    elif name == "join":
        # not joined yet
        context = _with_axe(browser.new_context(locale=LOCALES[lang], **PHONE), axe_source)
        url = f"{base}/p/{room.slug}/?lang={lang}"
    else:
        context = phones[lang]
        url = f"{base}/p/{room.slug}/{PHONE_PAGES[name]}?lang={lang}"
    page = context.new_page()
    try:
        requests_seen.attach(page)
        page.goto(url)
        expect(page.locator("main h1")).to_be_visible()
        if name == "results":
            # the open ballot's live results: a live region, no meta refresh
            expect(page.locator("#live[aria-live=polite]")).to_be_attached()
            expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
        _check(page, f"phone-{name}", lang)
    finally:
        page.close()
        if name in ("entry", "join"):
            context.close()
    assert requests_seen.outside() == [], "a phone page requested another host"


@pytest.mark.parametrize("lang", LANGS)
def test_board_and_phone_home_in_every_phase_have_no_serious_violations(
    lang: str,
    browser: Any,
    cjk_font: None,
    axe_source: str,
    room: Room,
    phones: dict[str, Any],
    requests_seen: RequestLog,
) -> None:
    """The projector board and a phone's home page show something else in each phase (the
    join panel, the cards, the vision, the charter...): each phase is checked, the board
    following the store live, as in the room. The demo is put back in its results phase."""
    from toolkit.i18n import t
    from toolkit.model import PHASES

    server = room.server
    board_context = _with_axe(
        facilitator_context(browser, server, locale=LOCALES[lang], viewport=APP_VIEWPORT),
        axe_source,
    )
    phone = phones[lang].new_page()
    failing: list[str] = []
    try:
        board = board_context.new_page()
        requests_seen.attach(board)
        requests_seen.attach(phone)
        board.goto(f"{server.base}/voila/render/board.ipynb?lang={lang}", timeout=KERNEL_START_MS)
        _wait_until_shown(board)
        for phase in PHASES:
            with Store.open(room.store_path) as store:
                store.set_phase(room.slug, phase)
            heading = board.get_by_role("heading", name=t(f"console_phase_{phase}", lang))
            expect(heading.first).to_be_visible(timeout=30_000)
            # The heading comes first, the phase's charts after it (drawn in the kernel,
            # seconds on a busy machine): the panel names its phase once they have come.
            expect(board.locator(f".ureshii-phase-{phase}")).to_be_attached(timeout=30_000)
            expect(board.get_by_text("Loading widget...")).to_have_count(0, timeout=30_000)
            _fix_when_settled(board)
            failing += _findings(board, f"board-{phase}", lang)
            phone.goto(f"{server.base}/p/{room.slug}/?lang={lang}")
            expect(phone.locator("main h1")).to_be_visible()
            failing += _findings(phone, f"phone-home-{phase}", lang)
    finally:
        with Store.open(room.store_path) as store:
            store.set_phase(room.slug, "results")
        phone.close()
        board_context.close()
    assert not failing, "axe-core found\n" + "\n".join(failing)
    assert requests_seen.outside() == [], "a page requested another host"


#: A notebook with the widget markup that the page template's accessibility script fixes:
#: sliders named by a description or only by a tooltip, a menu named only by its tooltip,
#: a box that scrolls with nothing focusable in it, and one that begins to scroll later.
PROBE = """\
import ipywidgets as w
from IPython.display import display
pair = w.SelectionSlider(options=[("A", 1), ("=", 2), ("B", 3)], value=2, description="",
                         tooltip="Compare A with B", readout=False)
weight = w.FloatSlider(value=3, min=0, max=10, description="Weight of residents")
menu = w.Dropdown(options=["x", "y"], description="", tooltip="Seat")
long = w.HTML("<h3>Long list</h3>" + "".join(f"<p>line {i}</p>" for i in range(80)),
              layout={"height": "120px", "overflow": "auto"})
later = w.HTML("<h3>Cut later</h3>" + "".join(f"<p>row {i}</p>" for i in range(80)),
               layout={"overflow": "auto"})
later.add_class("probe-later")
display(w.VBox([pair, weight, menu, long, later]))
"""


def test_the_page_template_names_widgets_and_makes_scrolled_boxes_focusable(
    browser: Any, cjk_font: None, axe_source: str, tmp_path: Path
) -> None:
    """The fixes of ``index.html.j2`` on markup the apps may show in other states: each
    control gets the name a person reads, the scrolled box can be reached with Tab."""
    import shutil

    import nbformat

    from toolkit.demo import build_demo

    folder = tmp_path / "apps"
    shutil.copytree(REPO / "workshops", folder, ignore=shutil.ignore_patterns("*.py"))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, folder / "probe.ipynb")
    demo = build_demo(tmp_path / "data", lang="en", seed=0)
    server = start_server("a11y-probe", folder=folder, env={"URESHII_DATABASE_URL": str(demo.path)})
    context = _with_axe(facilitator_context(browser, server, viewport=APP_VIEWPORT), axe_source)
    try:
        page = context.new_page()
        # No lang= in the address: the page is in the server's language (URESHII_LANG=en).
        page.goto(f"{server.base}/voila/render/probe.ipynb", timeout=KERNEL_START_MS)
        expect(page.get_by_role("slider").first).to_be_visible(timeout=KERNEL_START_MS)
        expect(page.locator("#loading")).to_be_hidden(timeout=KERNEL_START_MS)
        page.evaluate("window.ureshiiAccessibilityFix()")
        expect(page.get_by_role("slider", name="Compare A with B")).to_be_visible()
        expect(page.get_by_role("slider", name="Weight of residents")).to_be_visible()
        expect(page.get_by_role("combobox", name="Seat")).to_be_visible()
        box = page.get_by_role("region", name="Long list")
        expect(box).to_have_attribute("tabindex", "0")
        # A box that begins to scroll by a change of style alone (no element added, as when
        # a font arrives or a widget's layout changes): the page fixes it by itself.
        later = page.locator(".probe-later")
        expect(later).not_to_have_attribute("tabindex", "0")
        _fix_when_settled(page)  # no element added for 800 ms ...
        page.wait_for_timeout(1_200)  # ... and the fix that the last one asked for has run
        later.evaluate("element => { element.style.height = '120px'; }")
        expect(page.get_by_role("region", name="Cut later")).to_have_attribute(
            "tabindex", "0", timeout=10_000
        )
        expect(page.get_by_role("main")).to_be_attached()
        _check(page, "probe", "en")
    finally:
        context.close()
        server.stop()
