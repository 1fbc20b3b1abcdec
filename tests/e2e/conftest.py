"""Browser fixtures: Playwright driving Debian's Chromium (/usr/bin/chromium).

Playwright cannot download its own browser here, so it launches the system one. Without
Chromium these tests skip with a reason; with FASTPATH_REQUIRE_BROWSER set (CI) they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("FASTPATH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: install Debian's chromium to run browser tests"
        if os.environ.get("FASTPATH_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class ConsoleWatch:
    """Collects console errors and failed requests of one page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def attach(self, page) -> None:  # type: ignore[no-untyped-def]
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture
def page_factory(browser) -> Iterator:  # type: ignore[no-untyped-def]
    """Make pages at a given viewport; each gets `.console` with its console errors."""
    contexts = []

    def make(viewport: dict | None = None, **context_options):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport=viewport or DESKTOP, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        watch = ConsoleWatch()
        watch.attach(page)
        page.console = watch  # type: ignore[attr-defined]
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_factory):  # type: ignore[no-untyped-def]
    return page_factory()
