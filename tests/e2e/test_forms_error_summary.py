"""The error summary takes focus on any form, and its links focus their field (issue 12
item 17)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.conftest import LiveServer, start_live_server


@pytest.fixture
def server(app: Flask) -> Iterator[LiveServer]:
    live = start_live_server(app)
    yield live
    live.stop()


def test_error_summary_takes_focus_and_links_focus_fields(server, page):
    page.goto(server.url + "/register")
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    summary = page.locator(".error-summary")
    assert summary.evaluate("e => e === document.activeElement")
    page.get_by_role("link", name="Please enter your email address.").click()
    assert page.locator("#email").evaluate("e => e === document.activeElement")
