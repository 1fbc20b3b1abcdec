"""An author in a real browser: submit with two co-authors, open the private link from the
mail the SMTP server received, edit the title, withdraw. Plus the author rows with and
without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask

from fastpath.cfp.models import Submission, SubmissionStatus
from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from tests.conftest import LiveServer, start_live_server
from tests.helpers.pdfs import pdf_bytes

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
TITLE = "Tail latency of recommendation inference on shared GPUs"

axe = Axe()


@pytest.fixture
def mail_server(mail_app: Flask) -> Iterator[LiveServer]:
    """The site on a live HTTP server, its mail going to the `smtp` fixture; links in mail
    point at this server."""
    server = start_live_server(mail_app)
    mail_app.config["PUBLIC_BASE_URL"] = server.url
    yield server
    server.stop()


def deliver(app: Flask, smtp, count: int):
    with app.app_context():
        deliver_pending()
    return smtp.recorder.wait_for(count)


def submissions(app: Flask) -> list[tuple[str, SubmissionStatus, list[str]]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Submission).order_by(Submission.number)).all()
        return [(s.title, s.status, [a.name for a in s.authors]) for s in rows]


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    results = axe.run(page, options=WCAG_21_AA)
    violations = [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]
    assert violations == []


def fill_author(page, index: int, name: str, email: str, affiliation: str) -> None:  # type: ignore[no-untyped-def]
    page.fill(f"#authors-{index}-name", name)
    page.fill(f"#authors-{index}-email", email)
    page.fill(f"#authors-{index}-affiliation", affiliation)


def test_author_submits_edits_and_withdraws_through_the_mailed_link(
    mail_server, mail_app, smtp, page
):
    page.goto(mail_server.url + "/submit")
    assert_accessible(page)
    page.fill("#title", TITLE)
    fill_author(page, 0, "Ada Lovelace", "ada@example.org", "Analytical Engines Ltd")
    add = page.get_by_role("button", name="Add another author")
    add.click()
    fill_author(page, 1, "Grace Hopper", "grace@example.org", "Yale University")
    add.click()
    fill_author(page, 2, "Alan Turing", "alan@example.org", "University of Manchester")
    page.get_by_label("GPUs, FPGAs, ASIC accelerators").check()
    page.get_by_label("Hardware/software co-design").check()
    page.fill("#abstract", "We measure tail latency of recommendation models on shared GPUs.")
    assert page.locator("#abstract-count").inner_text() == "10 of 300 words"
    page.set_input_files(
        "#pdf",
        files=[{"name": "tail.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(3)}],
    )
    page.fill("#note", "One author may present remotely.")
    page.get_by_label(re.compile("I agree that the data in this form is stored")).check()
    page.get_by_role("button", name="Submit abstract").click()

    page.wait_for_url(mail_server.url + "/submit/thanks")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Thank you: submission FP20-001 received"
    assert_accessible(page)
    assert submissions(mail_app) == [
        (TITLE, SubmissionStatus.SUBMITTED, ["Ada Lovelace", "Grace Hopper", "Alan Turing"])
    ]

    deliver(mail_app, smtp, 3)
    assert len(smtp.recorder.to("grace@example.org")) == 1
    assert len(smtp.recorder.to("alan@example.org")) == 1
    [confirmation] = smtp.recorder.to("ada@example.org")
    link = re.search(re.escape(mail_server.url) + r"/submission/[A-Za-z0-9_-]+", confirmation.text)
    assert link is not None

    page.goto(link.group(0))
    assert page.get_by_role("heading", level=1).inner_text() == "Submission FP20-001"
    assert_accessible(page)
    page.get_by_role("link", name="Edit submission").click()
    assert_accessible(page)
    page.fill("#title", "Tail latency, revisited")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(link.group(0))
    assert "Saved (title)." in page.locator(".flashes").inner_text()
    assert "Tail latency, revisited" in page.locator(".submission-summary").inner_text()

    [changed] = [m for m in deliver(mail_app, smtp, 4) if "changed" in m.subject]
    assert changed.envelope_to == ["ada@example.org"]
    assert "Tail latency, revisited" in changed.text

    page.get_by_role("link", name="Withdraw…").click()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, withdraw FP20-001").click()
    page.wait_for_url(link.group(0))
    assert "Status: Withdrawn" in page.locator(".status").inner_text()
    assert page.get_by_role("link", name="Edit submission").count() == 0

    [withdrawn] = [m for m in deliver(mail_app, smtp, 5) if "withdrawn" in m.subject]
    assert withdrawn.envelope_to == ["ada@example.org"]
    assert submissions(mail_app)[0][:2] == ("Tail latency, revisited", SubmissionStatus.WITHDRAWN)
    assert page.console.errors == []


def test_author_rows_reorder_and_remove_with_javascript(mail_server, mail_app, page):
    page.goto(mail_server.url + "/submit")
    page.evaluate("window.stillThisPage = true")
    add = page.get_by_role("button", name="Add another author")
    fill_author(page, 0, "Ada Lovelace", "ada@example.org", "Engines")
    add.click()
    fill_author(page, 1, "Grace Hopper", "grace@example.org", "Yale")
    add.click()
    fill_author(page, 2, "Alan Turing", "alan@example.org", "Manchester")
    page.locator("#contact-2").check()
    page.get_by_role("button", name="Move up author 3").click()  # Turing before Hopper
    page.get_by_role("button", name="Remove author 1").click()  # drop Lovelace
    names = page.locator("input[name$='-name']")
    assert [names.nth(i).input_value() for i in range(names.count())] == [
        "Alan Turing",
        "Grace Hopper",
    ]
    assert page.locator("#authors-0-name").input_value() == "Alan Turing"
    assert page.locator("#contact-0").is_checked()  # the contact moved with its author
    assert page.evaluate("window.stillThisPage === true")  # no round trip to the server
    assert page.get_by_role("button", name="Move up author 1").is_disabled()
    assert page.get_by_role("button", name="Move down author 2").is_disabled()

    page.fill("#title", "Rows")
    page.get_by_label("Hardware/software co-design").check()
    page.fill("#abstract", "Short.")
    page.set_input_files(
        "#pdf", files=[{"name": "a.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(2)}]
    )
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Submit abstract").click()
    page.wait_for_url(mail_server.url + "/submit/thanks")
    assert submissions(mail_app) == [
        ("Rows", SubmissionStatus.SUBMITTED, ["Alan Turing", "Grace Hopper"])
    ]
    with mail_app.app_context():
        contact = db.session.scalars(db.select(Submission)).one().contact
        assert contact.name == "Alan Turing"
    assert page.console.errors == []


def test_author_rows_and_kept_pdf_work_without_javascript(mail_server, mail_app, page_factory):
    page = page_factory(java_script_enabled=False)
    page.goto(mail_server.url + "/submit")
    page.fill("#title", "No script")
    fill_author(page, 0, "Ada Lovelace", "ada@example.org", "Engines")
    page.set_input_files(
        "#pdf", files=[{"name": "a.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(2)}]
    )
    page.get_by_role("button", name="Add another author").click()  # a round trip
    page.wait_for_load_state("load")
    assert page.locator("#authors-0-name").input_value() == "Ada Lovelace"
    assert page.locator("#title").input_value() == "No script"
    assert "You chose a.pdf (2 pages, 1 KB), which is kept" in page.content()
    fill_author(page, 1, "Grace Hopper", "grace@example.org", "Yale")
    page.get_by_role("button", name="Move up author 2").click()
    page.wait_for_load_state("load")
    assert page.locator("#authors-0-name").input_value() == "Grace Hopper"
    assert page.locator("#contact-1").is_checked()  # Ada is still the contact

    page.get_by_label("Hardware/software co-design").check()
    page.fill("#abstract", "Short.")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Submit abstract").click()
    page.wait_for_url(mail_server.url + "/submit/thanks")
    assert submissions(mail_app) == [
        ("No script", SubmissionStatus.SUBMITTED, ["Grace Hopper", "Ada Lovelace"])
    ]


def test_errors_are_shown_next_to_fields_in_the_browser(mail_server, mail_app, page):
    page.goto(mail_server.url + "/submit")
    page.fill("#title", "Only a title")
    page.get_by_role("button", name="Submit abstract").click()
    page.wait_for_load_state("load")
    assert page.locator("#title").input_value() == "Only a title"
    assert page.locator("#abstract-error").inner_text() == "Enter the abstract."
    assert page.locator("#pdf-error").inner_text() == "Choose your extended abstract as a PDF file."
    assert page.locator(".error-summary").evaluate("e => e === document.activeElement")
    assert_accessible(page)
    assert submissions(mail_app) == []
