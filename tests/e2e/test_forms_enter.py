"""Enter in a text field of the submission form sends the form (issue 12 item 16)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from tests.conftest import LiveServer, start_live_server
from tests.helpers.pdfs import pdf_bytes


@pytest.fixture
def server(app: Flask) -> Iterator[LiveServer]:
    live = start_live_server(app)
    yield live
    live.stop()


def stored_titles(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(Submission.title)))


@pytest.mark.parametrize("javascript", [True, False])
def test_enter_in_title_shows_the_form_again_with_errors(server, app, page_factory, javascript):
    page = page_factory(java_script_enabled=javascript)
    page.goto(server.url + "/submit")
    page.fill("#title", "Only a title")
    with page.expect_navigation():
        page.press("#title", "Enter")
    assert page.locator("#abstract-error").inner_text() == "Enter the abstract."
    assert page.locator("#title").input_value() == "Only a title"
    assert page.locator("#authors-1-name").count() == 0  # no row was added or moved
    assert stored_titles(app) == []


def test_enter_in_title_saves_a_complete_submission(server, app, page, tmp_path):
    page.goto(server.url + "/submit")
    page.fill("#authors-0-name", "Ada Lovelace")
    page.fill("#authors-0-email", "ada@example.org")
    page.fill("#authors-0-affiliation", "Analytical Engines Ltd")
    page.check("input[name=topics][value=accelerators]")
    page.fill("#abstract", "We measure tail latency.")
    pdf = tmp_path / "abstract.pdf"
    pdf.write_bytes(pdf_bytes(2))
    page.set_input_files("#pdf", str(pdf))
    page.check("#consent")
    page.fill("#title", "Saved with Enter")
    with page.expect_navigation():
        page.press("#title", "Enter")
    assert page.url.endswith("/submit/thanks")
    assert stored_titles(app) == ["Saved with Enter"]
