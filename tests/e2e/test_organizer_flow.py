"""The organizers' area in a real browser: sign in, filter, decide (after the preview), the
mails arrive, download an export; every page passes axe and fits a phone."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from tests.conftest import make_app, start_live_server
from tests.e2e.conftest import PHONE
from tests.helpers.organizers import (
    EMAIL,
    PASSWORD,
    add_registration,
    add_submission,
    make_organizer,
)

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

axe = Axe()


@pytest.fixture
def site(tmp_path, smtp):
    app = make_app(tmp_path, **smtp.app_config())
    make_organizer(app)
    add_submission(
        app,
        "Roofline models for transformer inference",
        authors=[
            ("Anna Müller", "anna@example.de", "ETH Zürich"),
            ("李雷", "li@example.cn", "北京大学"),
        ],
        topics=("accelerators",),
        created_at=datetime(2020, 1, 14, 9, tzinfo=UTC),
    )
    add_submission(
        app,
        "Profiling data loaders",
        authors=[("Bob Example", "bob@example.org", "Example Corp")],
        topics=("memory-io",),
    )
    add_submission(
        app,
        "FPGA <b>kernels</b>, fast",
        authors=[("Carol Example", "carol@example.org", "Example Labs")],
        topics=("accelerators", "co-design"),
    )
    add_registration(app, "Grace Hopper", created_at=datetime(2020, 1, 12, 9, tzinfo=UTC))
    server = start_live_server(app)
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


def assert_clean(page) -> None:
    assert page.console.errors == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    results = axe.run(page, options=WCAG_21_AA)
    violations = [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]
    assert violations == []


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/organizer/submissions")
    expect(page).to_have_url(f"{base}/organizer/login?next=/organizer/submissions")
    assert_clean(page)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/organizer/submissions")


def test_organizer_signs_in_filters_decides_and_exports(site, page, smtp):
    base = site.url
    sign_in(page, base)

    # Filter by topic: two of the three submissions.
    page.get_by_label("Topic").select_option("accelerators")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("table.org-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_text("FPGA <b>kernels</b>, fast")).to_be_visible()  # as text
    assert_clean(page)

    # Choose one and accept: first a preview of every mail, nothing sent yet.
    page.get_by_label("Choose FP20-001").check()
    page.get_by_role("button", name="Accept…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept 1 submission?")
    expect(page.get_by_text("To li@example.cn")).to_be_visible()
    expect(page.locator(".mail-body").first).to_contain_text("Dear Anna Müller,")
    assert smtp.recorder.received == []
    assert_clean(page)

    page.get_by_role("button", name="Accept and send 2 mails").click()
    expect(page.get_by_role("status").first).to_contain_text("Accepted: FP20-001. 2 mails")
    expect(page.locator(".lead .badge")).to_have_text("accepted")
    with site.app.app_context():
        deliver_pending()
        assert db.session.scalar(db.select(Submission.status).where(Submission.number == 1)) == (
            "accepted"
        )
    received = smtp.recorder.wait_for(2)
    assert sorted(m.envelope_to[0] for m in received) == ["anna@example.de", "li@example.cn"]
    assert {m.subject for m in received} == {"[FastPath 2020] Submission FP20-001 accepted"}

    # The accepted ones, exported from the filtered list.
    page.goto(f"{base}/organizer/submissions?status=accepted")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export these 1 submissions as CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("fastpath-2020-submissions-")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [(r["Submission"], r["Status"], r["Authors"]) for r in rows] == [
        ("FP20-001", "accepted", "Anna Müller; 李雷")
    ]

    # The dashboard shows it, and the activity.
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("img", name="Submissions and Registrations per day")).to_be_visible()
    expect(page.locator("table.activity")).to_contain_text("decision")
    assert_clean(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/organizer/login")
    page.goto(f"{base}/organizer/")
    expect(page).to_have_url(f"{base}/organizer/login?next=/organizer/")


def test_organizer_pages_fit_a_phone(site, page_factory):
    page = page_factory(PHONE)
    base = site.url
    sign_in(page, base)
    for path in ("/organizer/", "/organizer/registrations", "/organizer/submissions/1"):
        page.goto(base + path)
        assert_clean(page)
