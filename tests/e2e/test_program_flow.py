"""From acceptance to the public program in a real browser: an accepted author hands in the
final version, slides and the presenter's details through the private link (each change is
confirmed by mail at a real SMTP server); an organizer builds a session in the program
editor, places the talk, reads the checks and publishes; the public program shows the
session, the talk, its presenter and a working slides link, the speaker page the bio, and
/program.ics has the talk. Every page passes axe (WCAG 2.1 AA) and logs no console error; the
materials page and the public program fit a phone. The editor also places a talk with
JavaScript off. CSRF is on, as in production."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import icalendar
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.materials.models import FinalMaterials
from fastpath.program.models import ProgramEntry, ProgramPublication
from tests.conftest import make_app, start_live_server
from tests.e2e.conftest import PHONE
from tests.helpers.accepted import AFTER_NOTIFICATION, add_accepted
from tests.helpers.organizers import EMAIL, PASSWORD, make_organizer
from tests.helpers.pdfs import pdf_bytes

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
ROOFLINE = "Roofline models for transformer inference"
LOADERS = "Profiling data loaders"
BIO = "Grace Hopper builds compilers and explains them with nanoseconds of wire."
ADA = "ada@example.org"

axe = Axe()


@pytest.fixture
def site(tmp_path, smtp):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, NOW=AFTER_NOTIFICATION, **smtp.app_config())
    make_organizer(app)
    roofline, token = add_accepted(app, ROOFLINE)
    loaders, _ = add_accepted(
        app, LOADERS, authors=[("Bob Byte", "bob@corp-labs.test", "Corp Labs")]
    )
    server = start_live_server(app)
    app.config["PUBLIC_BASE_URL"] = server.url
    server.ids = {"roofline": roofline, "loaders": loaders}  # type: ignore[attr-defined]
    server.token = token  # type: ignore[attr-defined]
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


def assert_clean(page) -> None:
    """No console error, no horizontal overflow, no axe WCAG 2.1 AA violation."""
    assert page.console.errors == [], page.url
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} overflows by {overflow} px"
    results = axe.run(page, options=WCAG_21_AA)
    violations = [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]
    assert violations == [], page.url
    assert results.response["passes"], "axe checked nothing"


def deliver(site) -> None:
    with site.app.app_context():
        deliver_pending()


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/organizer/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/organizer/")


def flash(page):
    return page.locator(".flash, [role=status]").first


def upload(page, label: str, name: str, data: bytes) -> None:
    page.get_by_label(label).set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": data}
    )


def test_author_hands_in_materials_organizer_publishes_and_the_public_sees_the_talk(
    site, page_factory, smtp
):
    base, token = site.url, site.token

    # 1. The author opens the private link and goes to the final materials page.
    author = page_factory()
    author.goto(f"{base}/submission/{token}")
    assert_clean(author)
    author.get_by_role("link", name="Hand in final materials").click()
    expect(author).to_have_url(f"{base}/submission/{token}/materials")
    expect(author.get_by_role("heading", level=1)).to_have_text("Final materials for FP20-001")
    assert_clean(author)

    # 2. Final version, slides, then presenter, bio and consent.
    upload(author, "Final version (PDF)", "final.pdf", pdf_bytes(3))
    author.get_by_role("button", name="Send the final version").click()
    expect(flash(author)).to_be_visible()
    assert_clean(author)
    slides = pdf_bytes(2)
    upload(author, "Slides (PDF)", "slides.pdf", slides)
    author.get_by_role("button", name="Send the slides").click()
    expect(author.get_by_text("Download the slides you sent")).to_be_visible()
    assert_clean(author)
    author.get_by_label("Grace Hopper").check()
    author.get_by_label("Speaker bio").fill(BIO)
    author.get_by_label(re.compile("^We agree that the slides")).check()
    author.get_by_role("button", name="Save the details").click()
    expect(author.get_by_text("Everything is in. Thank you!").first).to_be_visible()
    assert_clean(author)
    with site.app.app_context():
        row = db.session.get(FinalMaterials, site.ids["roofline"])
        assert row.final_stored_name and row.slides_stored_name
        assert row.presenter.name == "Grace Hopper"
        assert (row.bio, row.consent_publish, row.missing) == (BIO, True, [])

    # 3. Each change is confirmed by mail to the address the link was sent to.
    deliver(site)
    mails = smtp.recorder.wait_for(3)
    assert [m.envelope_to for m in mails] == [[ADA]] * 3
    assert all(m.subject.startswith("[FastPath 2020]") for m in mails), [m.subject for m in mails]
    assert all(f"{base}/submission/{token}/materials" in m.text for m in mails)
    assert BIO in mails[-1].text or "Grace Hopper" in mails[-1].text

    # The materials page fits a phone.
    phone = page_factory(PHONE)
    phone.goto(f"{base}/submission/{token}/materials")
    expect(phone.get_by_text("Everything is in. Thank you!").first).to_be_visible()
    assert_clean(phone)

    # 4. An organizer opens the program editor and creates a session.
    org = page_factory()
    sign_in(org, base)
    org.get_by_role("navigation", name="Organizers").get_by_role("link", name="Program").click()
    expect(org).to_have_url(f"{base}/organizer/program/")
    expect(org.get_by_role("heading", level=1)).to_have_text("Program")
    assert_clean(org)
    add = org.locator("form[action$='/organizer/program/sessions']")
    add.get_by_label("Title").fill("Papers I")
    add.get_by_label("Starts (HH:MM)").fill("14:00")
    add.get_by_label("Ends (HH:MM)").fill("15:00")
    add.get_by_label("Room").fill("Room A")
    add.get_by_role("button", name="Add the session").click()
    expect(org.get_by_role("heading", name=re.compile("Papers I"))).to_be_visible()
    assert_clean(org)

    # 5. Places the talk; the checks show.
    talk = org.locator(f"#unplaced-{site.ids['roofline']}")
    talk.get_by_label("Session").select_option(label="Papers I (14:00–15:00, Room A)")
    talk.get_by_label("Minutes").fill("20")
    talk.get_by_role("button", name="Place the talk").click()
    session_box = org.locator("section.program-session", has_text="Papers I")
    expect(session_box).to_contain_text(ROOFLINE)
    expect(org.locator("#checks")).to_be_visible()
    assert_clean(org)

    # 6. Publishes (confirming the warnings, if any).
    anyway = org.get_by_label("Publish anyway, with the warnings below")
    if anyway.count():
        anyway.check()
    org.get_by_role("button", name="Publish this program").click()
    expect(org.locator("#publication")).to_contain_text("Published at")
    assert_clean(org)
    with site.app.app_context():
        assert db.session.scalar(db.select(db.func.count(ProgramPublication.id))) == 1

    # 7. The public program: the session, the talk, the presenter, a working Slides link.
    public = page_factory()
    public.goto(f"{base}/program")
    program = public.locator("table.program")
    expect(program.get_by_role("heading", name="Papers I")).to_be_visible()
    row = program.locator("tr", has_text=ROOFLINE)
    expect(row).to_contain_text("Grace Hopper")
    slides_link = row.get_by_role("link", name=re.compile("^Slides"))
    href = slides_link.get_attribute("href")
    response = public.request.get(base + href if href.startswith("/") else href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body() == slides
    assert_clean(public)
    phone.goto(f"{base}/program")
    expect(phone.locator("table.program")).to_contain_text(ROOFLINE)
    assert_clean(phone)

    # 8. The speaker page has the bio.
    row.get_by_role("link", name="Grace Hopper").click()
    expect(public).to_have_url(re.compile(rf"^{re.escape(base)}/speakers/"))
    expect(public.get_by_role("heading", level=1)).to_contain_text("Grace Hopper")
    expect(public.locator("main")).to_contain_text(BIO)
    assert_clean(public)

    # 9. /program.ics parses and has the talk.
    calendar = public.request.get(f"{base}/program.ics")
    assert calendar.status == 200
    parsed = icalendar.Calendar.from_ical(calendar.body())
    summaries = [str(e.get("summary")) for e in parsed.walk("VEVENT")]
    assert any(ROOFLINE in s for s in summaries), summaries


def test_the_editor_places_a_talk_without_javascript(site, page_factory):
    base = site.url
    org = page_factory(java_script_enabled=False)
    sign_in(org, base)
    org.goto(f"{base}/organizer/program/")
    add = org.locator("form[action$='/organizer/program/sessions']")
    add.get_by_label("Title").fill("Systems")
    add.get_by_label("Starts (HH:MM)").fill("16:00")
    add.get_by_label("Ends (HH:MM)").fill("17:00")
    add.get_by_role("button", name="Add the session").click()
    expect(org.get_by_role("heading", name=re.compile("Systems"))).to_be_visible()
    talk = org.locator(f"#unplaced-{site.ids['loaders']}")
    talk.get_by_label("Session").select_option(label="Systems (16:00–17:00)")
    talk.get_by_label("Minutes").fill("25")
    talk.get_by_role("button", name="Place the talk").click()
    expect(org.locator("section.program-session", has_text="Systems")).to_contain_text(LOADERS)
    assert urlsplit(org.url).path == "/organizer/program/"
    # (No axe here: it runs as page script, which this context refuses.)
    with site.app.app_context():
        entry = db.session.scalar(
            db.select(ProgramEntry).where(ProgramEntry.submission_id == site.ids["loaders"])
        )
        assert (entry.minutes, entry.session_id is not None) == (25, True)
