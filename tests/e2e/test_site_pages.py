"""Every public page in a real browser: loads clean, navigates, and passes axe (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import DESKTOP, PHONE

PAGES = [
    "/",
    "/call-for-papers",
    "/program",
    "/speakers/",
    "/speakers/grigori-fursin",
    "/people",
    "/venue",
    "/previous-editions",
    "/privacy",
    "/no-such-page",
]
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

axe = Axe()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("path", PAGES)
def test_page_loads_clean_and_passes_axe(live_server, page_factory, path, viewport):
    page = page_factory(viewport)
    response = page.goto(live_server.url + path)
    assert response is not None
    assert response.status == (404 if path == "/no-such-page" else 200)
    page.wait_for_load_state("load")
    if path != "/no-such-page":
        assert page.console.errors == []
    # Nothing wider than the screen: readable on a 360 px phone without sideways scrolling.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the {viewport['width']}px viewport"
    results = axe.run(page, options=WCAG_21_AA)
    violations = [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]
    assert violations == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_navigation_reaches_every_section(live_server, page_factory, viewport):
    page = page_factory(viewport)
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="Main")
    for label, path, heading in [
        ("Call for papers", "/call-for-papers", "Call for papers"),
        ("Program", "/program", "Program"),
        ("People", "/people", "Organizers and program committee"),
        ("Venue", "/venue", "Venue"),
        ("Past editions", "/previous-editions", "Past editions"),
        ("Home", "/", "FastPath 2020"),
    ]:
        nav.get_by_role("link", name=label, exact=True).click()
        page.wait_for_url(live_server.url + path)
        assert heading in page.locator("h1").inner_text()
        current = nav.locator('[aria-current="page"]')
        assert current.inner_text() == label
    page.goto(live_server.url + "/program")
    page.get_by_role("link", name="Vivienne Sze").click()
    assert page.locator("h1").inner_text() == "Vivienne Sze"
    assert page.console.errors == []


def test_skip_link_moves_focus_to_main(live_server, page):
    page.goto(live_server.url + "/program")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_deadline_gets_local_time_with_javascript_and_works_without(live_server, page_factory):
    page = page_factory(DESKTOP, timezone_id="Europe/Zurich")
    page.goto(live_server.url + "/call-for-papers")
    local = page.locator(".local-time").first
    assert "your time: " in local.inner_text()
    assert "12:59" in local.inner_text()  # 11:59 UTC is 12:59 in Zurich in February
    no_js = page_factory(DESKTOP, java_script_enabled=False)
    no_js.goto(live_server.url + "/call-for-papers")
    assert no_js.locator(".local-time").count() == 0
    assert "23:59 Anywhere on Earth (UTC−12)" in no_js.locator("main").inner_text()
