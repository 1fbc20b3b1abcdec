"""Registration in a real browser: register, open the link from the mail, cancel, and watch
the first person on the waiting list get the place."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from tests.conftest import make_app, start_live_server
from tests.e2e.conftest import DESKTOP, PHONE

EDITION = Path(__file__).resolve().parents[2] / "fastpath" / "editions" / "fastpath2020"
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

axe = Axe()


def content_with_capacity(tmp_path: Path, capacity: int) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(EDITION, folder)
    toml = folder / "workshop.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(
        text.replace("[registration]\n", f"[registration]\ncapacity = {capacity}\n", 1),
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def site(tmp_path, smtp):
    # Places at once (the address confirmation step is
    # tests/registration/test_address_confirmation.py's).
    app = make_app(
        tmp_path,
        CONTENT_DIR=str(content_with_capacity(tmp_path, 1)),
        REGISTRATION_CONFIRM_ADDRESS=False,
        **smtp.app_config(),
    )
    server = start_live_server(app)
    # Links in mail point at this server, as they would at the public address.
    app.config["PUBLIC_BASE_URL"] = server.url
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


def deliver(site) -> None:
    with site.app.app_context():
        deliver_pending()


def link_from(mail, base_url: str) -> str:
    (link,) = re.findall(re.escape(base_url) + r"/registration/[A-Za-z0-9_-]{20,}", mail.text)
    return link


def assert_accessible(page, expected_errors: tuple[str, ...] = ()) -> None:
    assert page.console.errors == list(expected_errors)
    page.console.errors.clear()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    results = axe.run(page, options=WCAG_21_AA)
    violations = [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]
    assert violations == []


def fill_registration(page, name: str, email: str) -> None:
    page.locator("#name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#affiliation").fill("Boston University")
    page.locator("#position").select_option("student")
    page.locator("#dietary").fill("vegetarian")
    page.locator("#consent").check()
    page.get_by_role("button", name="Register").click()


def test_register_cancel_and_waiting_list_moves_up(site, smtp, page_factory):
    ada = page_factory(PHONE)
    ada.goto(site.url + "/register")
    expect(ada.get_by_role("heading", level=1)).to_have_text("Register to attend")
    assert_accessible(ada)

    # A form sent with a mistake comes back with the message and the input kept.
    ada.locator("#name").fill("Ada Lovelace")
    ada.locator("#email").fill("Ada <ada@example.org>")
    ada.locator("#consent").check()
    ada.get_by_role("button", name="Register").click()
    expect(ada.locator("#email-error")).to_contain_text("without a name or angle brackets")
    expect(ada.locator("#name")).to_have_value("Ada Lovelace")
    # The refused form is answered with 422, which Chromium reports on the console.
    assert_accessible(
        ada,
        (
            "Failed to load resource: the server responded with a status of 422 "
            "(UNPROCESSABLE ENTITY)",
        ),
    )

    fill_registration(ada, "Ada Lovelace", "ada@example.org")
    expect(ada.get_by_role("heading", level=1)).to_have_text("Thank you, Ada Lovelace")
    expect(ada.get_by_text("You have a place at the workshop.")).to_be_visible()

    grace = page_factory(DESKTOP)
    grace.goto(site.url + "/register")
    expect(grace.get_by_text("The room is full.")).to_be_visible()
    fill_registration(grace, "Grace Hopper", "grace@example.org")
    expect(grace.get_by_text("you are number 1 on the waiting list")).to_be_visible()

    deliver(site)
    smtp.recorder.wait_for(2)
    (ada_mail,) = smtp.recorder.to("ada@example.org")
    (grace_mail,) = smtp.recorder.to("grace@example.org")
    assert ada_mail.subject == "[FastPath 2020] Registration confirmed"
    assert grace_mail.subject == "[FastPath 2020] You are on the waiting list (number 1)"

    # Ada opens her link from the mail and cancels, with a confirming step.
    ada.goto(link_from(ada_mail, site.url))
    expect(ada.get_by_role("heading", level=1)).to_have_text("Your registration")
    expect(ada.get_by_text("You have a place at the workshop.")).to_be_visible()
    assert_accessible(ada)
    ada.get_by_role("link", name="Cancel my registration…").click()
    expect(ada.get_by_role("heading", level=1)).to_have_text("Cancel your registration")
    assert_accessible(ada)
    ada.get_by_role("button", name="Yes, cancel my registration").click()
    expect(ada.get_by_text("Your registration is cancelled.")).to_be_visible()
    expect(ada.get_by_text("This registration is cancelled.")).to_be_visible()

    # Grace was promoted in the same moment and gets a mail with the calendar file.
    deliver(site)
    smtp.recorder.wait_for(4)
    promoted = smtp.recorder.to("grace@example.org")[-1]
    assert promoted.subject == "[FastPath 2020] A place is free: you are registered"
    assert [a.get_filename() for a in promoted.attachments()] == ["fastpath-2020.ics"]
    assert smtp.recorder.to("ada@example.org")[-1].subject == (
        "[FastPath 2020] Registration cancelled"
    )

    grace.goto(link_from(grace_mail, site.url))
    expect(grace.get_by_text("You have a place at the workshop.")).to_be_visible()
    with grace.expect_download() as download_info:
        grace.get_by_role("link", name="Add to your calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "fastpath-2020.ics"
    assert b"DTSTART;TZID=America/New_York:20200405T090000" in Path(download.path()).read_bytes()
    assert grace.console.errors == []
