"""Group mail in a real browser, CSRF on: a chair composes a mail to the registered
attendees with {name}, reads the preview, sends it; the progress page (polling the batch's
status with JavaScript) reaches "All sent" while the app's background sender delivers to a
real SMTP server. Every page passes axe (WCAG 2.1 AA) and logs no console error."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from fastpath.core.extensions import db
from tests.conftest import make_app, start_live_server
from tests.e2e.test_program_flow import WCAG_21_AA
from tests.helpers.organizers import EMAIL, PASSWORD, add_registration, make_organizer

axe = Axe()


@pytest.fixture
def site(tmp_path, smtp):
    app = make_app(
        tmp_path,
        WTF_CSRF_ENABLED=True,
        MAIL_BACKGROUND_SENDER=True,
        MAIL_SENDER_INTERVAL_SECONDS=0.5,
        **smtp.app_config(),
    )
    make_organizer(app)
    add_registration(app, "Ada Lovelace", email="ada@example.org")
    add_registration(app, "Alan Turing", email="alan@example.org")
    server = start_live_server(app)
    app.config["PUBLIC_BASE_URL"] = server.url
    yield server
    server.stop()
    sender = app.extensions.get("fastpath_mail_sender")
    if sender is not None:
        sender.stop()
    with app.app_context():
        db.engine.dispose()


def assert_clean(page) -> None:  # type: ignore[no-untyped-def]
    assert page.console.errors == [], page.url
    results = axe.run(page, options=WCAG_21_AA)
    violations = [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]
    assert violations == [], page.url


def test_group_mail_from_compose_to_all_sent(site, smtp, page) -> None:  # type: ignore[no-untyped-def]
    base = site.url
    page.goto(f"{base}/organizer/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/organizer/")

    page.goto(f"{base}/organizer/group-mail/")
    assert_clean(page)
    page.get_by_label("Registered attendees").check()
    page.get_by_label("Subject").fill("Badges for {name}")
    page.get_by_label("Message (Markdown)").fill("Dear {name},\n\nyour badge is **ready**.")
    page.get_by_role("button", name="Preview").click()

    expect(page.locator("#recipient-count")).to_have_text("2")
    expect(page.locator("pre.mail-body").first).to_contain_text("Dear Ada Lovelace,")
    assert_clean(page)
    page.get_by_label("Show the copy for").select_option("2")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("pre.mail-body").first).to_contain_text("Dear Alan Turing,")

    page.get_by_role("button", name="Send to 2 recipients").click()
    expect(page).to_have_url(f"{base}/organizer/group-mail/batches/1")
    expect(page.locator("#batch-state")).to_have_text("All sent.", timeout=20_000)
    expect(page.locator('[data-count="sent"]')).to_have_text("2")
    assert_clean(page)

    received = smtp.recorder.wait_for(2)
    assert sorted((m.envelope_to[0], m.subject) for m in received) == [
        ("ada@example.org", "[FastPath 2020] Badges for Ada Lovelace"),
        ("alan@example.org", "[FastPath 2020] Badges for Alan Turing"),
    ]
