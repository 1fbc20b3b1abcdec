"""Issue 15's features tried as a stranger and as an attacker: the private materials link,
uploads and details, the organizers' program editor, the public program and the freeze.

Each test is one probe; a failing one is a finding (see helper F's report)."""

from __future__ import annotations

import pytest

from fastpath.cfp.models import SubmissionStatus
from fastpath.core.audit import AuditAction
from fastpath.core.extensions import db
from fastpath.program.models import ProgramEntry, ProgramSession
from tests.helpers.accepted import AFTER_MATERIALS_DEADLINE, AFTER_NOTIFICATION, add_accepted
from tests.helpers.organizers import audit_actions, make_organizer, sign_in
from tests.helpers.pdfs import png_bytes
from tests.helpers.program import store_slides
from tests.helpers.program_editor import (
    add_session,
    choose_presenter,
    draft_version,
    page_text,
    place_talk,
    publications,
)
from tests.helpers.reviews import REVIEWER_PASSWORD, make_reviewer
from tests.materials.helpers import (
    SLIDES,
    author_ids,
    materials_files,
    materials_row,
    page_url,
    post_details,
    post_final,
    post_slides,
    text_of,
    version_of,
)

pytestmark = pytest.mark.app_config(NOW=AFTER_NOTIFICATION)


def plain_404(client) -> str:
    return client.get("/no-such-page").get_data(as_text=True)


def body_without_address(response) -> str:
    import re

    return re.sub(r'<meta property="og:url" content="[^"]*">', "", response.get_data(as_text=True))


# --- Tokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [SubmissionStatus.REJECTED, SubmissionStatus.SUBMITTED, SubmissionStatus.WITHDRAWN]
)
def test_materials_of_an_undecided_rejected_or_withdrawn_submission_are_the_plain_404(
    app, client, status
):
    _sid, token = add_accepted(app, "Not for the program", status=status)
    never = client.get(page_url("A" * 43))
    for response in (
        client.get(page_url(token)),
        client.get(page_url(token, "/final.pdf")),
        post_final(client, token),
        post_details(client, token, presenter=1),
    ):
        assert response.status_code == 404
        assert body_without_address(response) == body_without_address(never)
    assert materials_files(app) == []


def test_a_token_of_another_submission_cannot_change_this_one(app, client):
    mine, my_token = add_accepted(app, "Mine")
    theirs, _their_token = add_accepted(app, "Theirs")
    their_author = author_ids(app, theirs)[0]
    response = post_details(client, my_token, presenter=their_author)
    assert response.status_code == 422
    assert materials_row(app, mine) is None or materials_row(app, mine).presenter_id is None
    assert materials_row(app, theirs) is None


# --- Uploads --------------------------------------------------------------------------------


def test_a_png_renamed_pdf_is_refused_and_nothing_is_stored(app, client):
    sid, token = add_accepted(app)
    response = post_final(client, token, png_bytes(), filename="final.pdf")
    assert response.status_code == 422
    assert "PDF" in text_of(response)
    assert materials_files(app) == []
    assert materials_row(app, sid) is None or materials_row(app, sid).final_stored_name is None


def test_an_html_file_as_slides_is_refused(app, client):
    sid, token = add_accepted(app)
    page = b"<!doctype html><html><script>alert(1)</script></html>"
    response = post_slides(client, token, page, filename="talk.pdf")
    assert response.status_code == 422
    assert materials_files(app) == []


def test_html_with_a_pdf_header_as_slides_is_refused(app, client):
    sid, token = add_accepted(app)
    page = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF"
    response = post_slides(client, token, page, filename="talk.pdf")
    assert response.status_code == 422
    assert materials_files(app) == []


def test_a_60_mb_body_is_refused_with_413_and_nothing_is_stored(app, client):
    sid, token = add_accepted(app)
    big = b"%PDF-1.4\n" + b"0" * (60 * 1024 * 1024)
    response = post_slides(client, token, big)
    assert response.status_code == 413
    assert "too large" in text_of(response)
    assert materials_files(app) == []


def huge_page_count_pdf() -> bytes:
    """A small PDF whose page tree claims a billion pages (one real /Kids entry)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1000000000 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_a_pdf_claiming_a_billion_pages_is_refused_quickly(app, client):
    import time

    sid, token = add_accepted(app)
    started = time.monotonic()
    response = post_final(client, token, huge_page_count_pdf())
    assert time.monotonic() - started < 10
    assert response.status_code in (200, 303, 422)
    assert response.status_code != 500
    row = materials_row(app, sid)
    # A one-page paper is outside the page limits either way: nothing is stored.
    assert row is None or row.final_stored_name is None


def pdf_with_javascript() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(12):
        writer.add_blank_page(width=612, height=792)
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_slides_with_javascript_are_refused_or_never_served_inline(app, client):
    sid, token = add_accepted(app)
    response = post_slides(client, token, pdf_with_javascript())
    if response.status_code == 303:
        # Stored: then the private download must not be an inline PDF a browser runs.
        with client.get(page_url(token, "/slides.pdf")) as download:
            assert download.headers.get("X-Content-Type-Options") == "nosniff"
            disposition = download.headers.get("Content-Disposition", "")
            assert disposition.startswith("attachment"), disposition
    else:
        assert response.status_code == 422


# --- Details --------------------------------------------------------------------------------

BAD_LINKS = {
    "javascript": "javascript:alert(1)",
    "data": "data:text/html,<script>alert(1)</script>",
    "http": "http://video.example.org/talk",
    "https no host": "https:///talk",
    "https dot host": "https://./talk",
    "very long": "https://video.example.org/" + "a" * 5000,
    "backslash host": "https:\\\\evil.example.org/x",
    "userinfo": "https://video.example.org@evil.example.org/x",
}


@pytest.mark.parametrize("case", list(BAD_LINKS), ids=list(BAD_LINKS))
def test_bad_video_links_are_refused_and_nothing_is_saved(app, client, case):
    sid, token = add_accepted(app)
    response = post_details(
        client, token, presenter=author_ids(app, sid)[0], video_url=BAD_LINKS[case]
    )
    assert response.status_code == 422, case
    assert materials_row(app, sid) is None


def test_a_bio_of_ten_thousand_words_is_refused_with_the_count(app, client):
    sid, token = add_accepted(app)
    response = post_details(client, token, presenter=author_ids(app, sid)[0], bio="word " * 10000)
    assert response.status_code == 422
    assert "10000 words" in text_of(response) or "10,000 words" in text_of(response)
    assert materials_row(app, sid) is None


def test_a_bio_of_invisible_characters_only_is_saved_as_empty(app, client):
    sid, token = add_accepted(app)
    response = post_details(
        client, token, presenter=author_ids(app, sid)[0], bio="\u200b\u200d\u2060\ufeff\u00ad"
    )
    assert response.status_code in (303, 422)
    row = materials_row(app, sid)
    if row is not None:
        assert row.bio == ""


def test_a_presenter_from_another_submission_is_refused(app, client):
    sid, token = add_accepted(app, "Mine")
    other, _ = add_accepted(app, "Theirs")
    response = post_details(client, token, presenter=author_ids(app, other)[0])
    assert response.status_code == 422
    assert materials_row(app, sid) is None


@pytest.mark.parametrize("presenter", ["", "x", "-1", "99999", "1e3", " 1"])
def test_a_presenter_that_is_not_an_author_id_is_refused_without_a_500(app, client, presenter):
    sid, token = add_accepted(app)
    response = post_details(client, token, presenter=presenter)
    assert response.status_code == 422
    assert materials_row(app, sid) is None


def test_a_stale_version_replay_is_refused_and_keeps_the_newer_details(app, client):
    sid, token = add_accepted(app)
    ada, grace = author_ids(app, sid)
    assert post_details(client, token, presenter=ada, bio="First", version="1").status_code == 303
    page = client.get(page_url(token)).get_data(as_text=True)
    current = version_of(page)
    assert (
        post_details(client, token, presenter=grace, bio="Second", version=current).status_code
        == 303
    )
    replay = post_details(client, token, presenter=ada, bio="First", version=current)
    assert replay.status_code == 409
    assert materials_row(app, sid).bio == "Second"


@pytest.mark.parametrize("version", ["", "abc", "-1", "0", "999999999999999999999"])
def test_a_nonsense_version_is_refused_without_a_500(app, client, version):
    sid, token = add_accepted(app)
    response = post_details(client, token, presenter=author_ids(app, sid)[0], version=version)
    assert response.status_code in (409, 422)
    assert response.status_code != 500


# --- Deadline and reopening -----------------------------------------------------------------


@pytest.mark.app_config(NOW=AFTER_MATERIALS_DEADLINE)
def test_uploads_after_the_deadline_are_refused_and_nothing_is_stored(app, client):
    sid, token = add_accepted(app)
    assert post_final(client, token).status_code == 403
    assert post_slides(client, token).status_code == 403
    assert post_details(client, token, presenter=author_ids(app, sid)[0]).status_code == 403
    assert materials_files(app) == []
    assert materials_row(app, sid) is None


@pytest.mark.app_config(NOW=AFTER_MATERIALS_DEADLINE)
def test_reopening_one_submission_reopens_only_that_one(app, client):
    reopened, reopened_token = add_accepted(app, "Reopened")
    closed, closed_token = add_accepted(app, "Still closed")
    make_organizer(app)
    chair = app.test_client()
    assert sign_in(chair).status_code == 302
    response = chair.post(f"/organizer/materials/{reopened}/reopen", data={"until": ""})
    assert response.status_code in (302, 303)
    assert post_final(client, reopened_token).status_code == 303
    assert post_final(client, closed_token).status_code == 403
    assert materials_row(app, closed) is None


def test_reopen_is_not_for_anonymous_visitors(app, client):
    sid, _token = add_accepted(app)
    response = client.post(f"/organizer/materials/{sid}/reopen", data={"until": ""})
    assert response.status_code in (302, 303, 404)
    assert materials_row(app, sid) is None or materials_row(app, sid).reopened_until is None


# --- The organizers' editor -----------------------------------------------------------------

EDITOR_GETS = ["/organizer/program/", "/organizer/materials/", "/organizer/materials/remind"]
EDITOR_POSTS = [
    ("/organizer/program/sessions", {"title": "X", "starts": "10:00", "ends": "11:00"}),
    ("/organizer/program/publish", {"draft_version": "0"}),
    ("/organizer/program/unpublish", {"draft_version": "0"}),
    ("/organizer/program/import", {"draft_version": "0"}),
    ("/organizer/program/items", {"kind": "break", "title": "X"}),
]


def test_editor_routes_send_anonymous_visitors_to_sign_in_and_change_nothing(app, client):
    before = draft_version(app)
    for url in EDITOR_GETS:
        response = client.get(url)
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert "/organizer/login" in response.headers["Location"]
    for url, data in EDITOR_POSTS:
        response = client.post(url, data=data)
        assert response.status_code in (302, 303, 404), url
    assert draft_version(app) == before
    assert publications(app) == []


def test_editor_routes_are_not_for_reviewers(app, client):
    make_reviewer(app, "reviewer@fastpath.test")
    assert sign_in(client, "reviewer@fastpath.test", REVIEWER_PASSWORD).status_code == 302
    before = draft_version(app)
    for url in EDITOR_GETS:
        assert client.get(url).status_code in (302, 403, 404), url
    for url, data in EDITOR_POSTS:
        assert client.post(url, data=data).status_code in (302, 303, 403, 404), url
    assert draft_version(app) == before
    assert publications(app) == []


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_editor_posts_without_the_csrf_token_change_nothing(app, client):
    make_organizer(app)
    assert sign_in(client).status_code == 302
    before = draft_version(app)
    data = {
        "draft_version": str(before),
        "title": "Forged",
        "starts": "10:00",
        "ends": "11:00",
    }
    response = client.post("/organizer/program/sessions", data=data)
    assert response.status_code in (400, 403)
    response = client.post("/organizer/program/publish", data={"draft_version": str(before)})
    assert response.status_code in (400, 403)
    assert draft_version(app) == before
    assert publications(app) == []


@pytest.fixture
def chair(app, client):
    make_organizer(app)
    assert sign_in(client).status_code == 302
    return client


@pytest.mark.parametrize(
    "status", [SubmissionStatus.REJECTED, SubmissionStatus.WITHDRAWN, SubmissionStatus.SUBMITTED]
)
def test_a_talk_that_is_not_accepted_cannot_be_placed_by_a_crafted_post(app, chair, status):
    sid, _ = add_accepted(app, "Not accepted", status=status)
    session_id = add_session(app)
    version = draft_version(app)
    response = chair.post(
        f"/organizer/program/talks/{sid}",
        data={
            f"place{sid}-draft_version": str(version),
            f"place{sid}-session_id": str(session_id),
            f"place{sid}-minutes": "20",
        },
    )
    assert response.status_code == 422
    assert draft_version(app) == version
    with app.app_context():
        assert db.session.scalars(db.select(ProgramEntry)).all() == []


def test_a_talk_accepted_but_not_yet_told_cannot_be_placed_or_published(app, chair):
    """Publishing must not announce an acceptance before the authors were told."""
    sid, _ = add_accepted(app, "Secret acceptance", notified=False)
    session_id = add_session(app, starts="11:00", ends="12:00")
    version = draft_version(app)
    response = chair.post(
        f"/organizer/program/talks/{sid}",
        data={
            f"place{sid}-draft_version": str(version),
            f"place{sid}-session_id": str(session_id),
            f"place{sid}-minutes": "20",
        },
    )
    if response.status_code == 303:
        # Placed: then the checks must at least stop it from going public.
        published = chair.post(
            "/organizer/program/publish",
            data={"draft_version": str(draft_version(app)), "anyway": "y"},
        )
        assert published.status_code == 422, "published an acceptance the authors were not told"
        assert publications(app) == []
        assert "Secret acceptance" not in chair.get("/program").get_data(as_text=True)
    else:
        assert response.status_code == 422


@pytest.mark.parametrize(
    "starts, ends",
    [
        ("11:00", "10:00"),
        ("11:00", "11:00"),
        ("25:99", "26:00"),
        ("10:00", "24:00"),
        ("9:5", "10:00"),
        ("１０:００", "11:00"),
        ("-1:00", "10:00"),
        ("10:00:00", "11:00"),
        ("10:00 pm", "11:00"),
        ("", ""),
    ],
)
def test_bad_session_times_are_refused_without_a_500(app, chair, starts, ends):
    version = draft_version(app)
    response = chair.post(
        "/organizer/program/sessions",
        data={"draft_version": str(version), "title": "T", "starts": starts, "ends": ends},
    )
    assert response.status_code == 422, (starts, ends, response.status_code)
    assert draft_version(app) == version


@pytest.mark.parametrize("minutes", ["0", "-5", "100000", "99999999999999999999999", "1e3", "x"])
def test_huge_or_odd_minutes_are_refused_without_a_500(app, chair, minutes):
    sid, _ = add_accepted(app)
    session_id = add_session(app)
    version = draft_version(app)
    response = chair.post(
        f"/organizer/program/talks/{sid}",
        data={
            f"place{sid}-draft_version": str(version),
            f"place{sid}-session_id": str(session_id),
            f"place{sid}-minutes": minutes,
        },
    )
    assert response.status_code == 422, minutes
    assert draft_version(app) == version


@pytest.mark.parametrize("session_id", ["999999", "abc", "-1", "99999999999999999999999"])
def test_a_talk_placed_in_a_session_that_does_not_exist_is_refused(app, chair, session_id):
    sid, _ = add_accepted(app)
    version = draft_version(app)
    response = chair.post(
        f"/organizer/program/talks/{sid}",
        data={
            f"place{sid}-draft_version": str(version),
            f"place{sid}-session_id": session_id,
            f"place{sid}-minutes": "20",
        },
    )
    assert response.status_code in (404, 409, 422), session_id
    assert draft_version(app) == version


def test_two_organizers_saving_at_once_the_second_is_refused_as_stale(app, chair):
    make_organizer(app, "second@fastpath.test")
    other = app.test_client()
    assert sign_in(other, "second@fastpath.test").status_code == 302
    version = draft_version(app)
    first = chair.post(
        "/organizer/program/sessions",
        data={"draft_version": str(version), "title": "First", "starts": "10:00", "ends": "11:00"},
    )
    assert first.status_code == 303
    second = other.post(
        "/organizer/program/sessions",
        data={"draft_version": str(version), "title": "Second", "starts": "13:00", "ends": "14:00"},
    )
    assert second.status_code == 409
    assert "First" in second.get_data(as_text=True)
    with app.app_context():
        titles = [s.title for s in db.session.scalars(db.select(ProgramSession))]
    assert titles == ["First"]


def test_a_double_publish_makes_one_publication(app, chair):
    add_session(app, starts="11:00", ends="12:00")
    data = {"draft_version": str(draft_version(app)), "anyway": "y"}
    first = chair.post("/organizer/program/publish", data=data)
    assert first.status_code == 303
    second = chair.post("/organizer/program/publish", data=data)
    assert second.status_code in (409, 422)
    assert len(publications(app)) == 1
    actions = [action for action, _actor, _target in audit_actions(app)]
    assert actions.count(AuditAction.PROGRAM_PUBLISHED.value) == 1


# --- The public program ---------------------------------------------------------------------

SCRIPT_BIO = '<script>alert("bio")</script><img src=x onerror=alert(1)> & "quotes"'


def published_talk(app, chair, *, bio="Ada studies engines.", consent=True, slides=True):
    """An accepted talk with a presenter (and slides), placed and published via the editor;
    (submission id, published snapshot)."""
    sid, _ = add_accepted(app)
    stored = store_slides(app)[0] if slides else None
    choose_presenter(app, sid, bio=bio, slides=stored, consent=consent)
    session_id = add_session(app, starts="11:00", ends="12:00")
    place_talk(app, sid, session_id)
    response = chair.post(
        "/organizer/program/publish",
        data={"draft_version": str(draft_version(app)), "anyway": "y"},
    )
    assert response.status_code == 303, page_text(response)
    return sid, publications(app)[-1][1]


def status_of(client, path: str) -> int:
    with client.get(path) as response:
        return response.status_code


def test_a_bio_with_html_is_escaped_on_the_public_speaker_pages(app, chair):
    _sid, snapshot = published_talk(app, chair, bio=SCRIPT_BIO)
    key = snapshot["speakers"][0]["key"]
    anonymous = app.test_client()
    for path in (f"/speakers/{key}", "/speakers/", "/program"):
        body = anonymous.get(path).get_data(as_text=True)
        assert "<script>alert" not in body, path
        assert "<img src=x" not in body, path
    assert "&lt;script&gt;" in anonymous.get(f"/speakers/{key}").get_data(as_text=True)


def test_slides_of_a_talk_without_consent_are_not_public(app, chair):
    _sid, snapshot = published_talk(app, chair, consent=False)
    talk = next(i for i in snapshot["items"] if i["kind"] == "paper")
    assert talk["slides"] is None
    assert status_of(app.test_client(), f"/program/slides/{talk['key']}.pdf") == 404


def test_slides_only_in_the_draft_are_not_public(app, chair):
    sid, snapshot = published_talk(app, chair, slides=False)
    talk = next(i for i in snapshot["items"] if i["kind"] == "paper")
    choose_presenter(app, sid, slides=store_slides(app)[0], consent=True)  # after the publish
    assert status_of(app.test_client(), f"/program/slides/{talk['key']}.pdf") == 404


@pytest.mark.parametrize(
    "key",
    [
        "..%2f..%2finstance%2ffastpath",
        "%2e%2e",
        "..",
        "fp20-001%00",
        "fp20-001.pdf%2f..",
        "%2fetc%2fpasswd",
        "session-papers-i",
        "x" * 5000,
    ],
)
def test_slides_path_traversal_and_odd_keys_are_404(app, chair, key):
    published_talk(app, chair)
    assert status_of(app.test_client(), f"/program/slides/{key}.pdf") == 404


def test_the_published_slides_are_served_with_nosniff_as_pdf(app, chair):
    _sid, snapshot = published_talk(app, chair)
    talk = next(i for i in snapshot["items"] if i["kind"] == "paper")
    with app.test_client().get(f"/program/slides/{talk['key']}.pdf") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("kind", ["session header", "unknown", "traversal", "long"])
def test_item_calendars_of_session_headers_and_unknown_keys_are_404(app, chair, kind):
    _sid, snapshot = published_talk(app, chair)
    session = next(i for i in snapshot["items"] if i["kind"] == "session")
    key = {
        "session header": session["key"],
        "unknown": "no-such-item",
        "traversal": "..%2f..%2fetc%2fpasswd",
        "long": "k" * 3000,
    }[kind]
    response = app.test_client().get(f"/program/{key}.ics")
    assert response.status_code == 404


def test_many_unknown_item_calendars_do_not_grow_the_calendar_cache(app, chair):
    published_talk(app, chair)
    anonymous = app.test_client()
    for number in range(200):
        assert anonymous.get(f"/program/nothing-{number}.ics").status_code == 404
    cached = app.extensions["fastpath.program_calendars"]
    assert len(cached[1]) <= 5


def test_the_page_cache_never_shows_the_draft_and_follows_publish_and_unpublish(app, chair):
    anonymous = app.test_client()
    before = anonymous.get("/program").get_data(as_text=True)
    sid, _ = add_accepted(app, "Only in the draft for now")
    session_id = add_session(app, "Draft session", starts="11:00", ends="12:00")
    place_talk(app, sid, session_id)
    assert "Only in the draft for now" not in anonymous.get("/program").get_data(as_text=True)
    response = chair.post(
        "/organizer/program/publish",
        data={"draft_version": str(draft_version(app)), "anyway": "y"},
    )
    assert response.status_code == 303
    assert "Only in the draft for now" in anonymous.get("/program").get_data(as_text=True)
    assert "Only in the draft for now" in anonymous.get("/program.ics").get_data(as_text=True)
    response = chair.post(
        "/organizer/program/unpublish", data={"draft_version": str(draft_version(app))}
    )
    assert response.status_code == 303
    after = anonymous.get("/program").get_data(as_text=True)
    assert "Only in the draft for now" not in after
    assert "Only in the draft for now" not in anonymous.get("/program.ics").get_data(as_text=True)
    assert after.count("<article") == before.count("<article")


def test_a_double_unpublish_makes_one_withdrawal(app, chair):
    published_talk(app, chair)
    data = {"draft_version": str(draft_version(app))}
    assert chair.post("/organizer/program/unpublish", data=data).status_code == 303
    assert chair.post("/organizer/program/unpublish", data=data).status_code in (409, 422)
    assert [snap is None for _v, snap in publications(app)] == [False, True]


# --- The frozen copy ------------------------------------------------------------------------


def test_the_frozen_site_has_no_organizer_pages_tokens_or_draft(app, chair, tmp_path):
    sid, token = add_accepted(app, "Published talk")
    choose_presenter(app, sid, bio="Public bio.", slides=store_slides(app)[0], consent=True)
    session_id = add_session(app, starts="11:00", ends="12:00")
    place_talk(app, sid, session_id)
    assert (
        chair.post(
            "/organizer/program/publish",
            data={"draft_version": str(draft_version(app)), "anyway": "y"},
        ).status_code
        == 303
    )
    draft_only, draft_token = add_accepted(app, "Draft only talk")
    place_talk(app, draft_only, add_session(app, "Later", starts="14:00", ends="15:00"))
    hidden, _ = add_accepted(app, "Unconsented talk")
    choose_presenter(app, hidden, slides=store_slides(app)[0], consent=False)

    from fastpath.site.freeze import freeze

    folder = tmp_path / "site"
    freeze(app, folder, live_url="https://fastpath.example.org")
    files = [p for p in folder.rglob("*") if p.is_file()]
    names = [str(p.relative_to(folder)) for p in files]
    assert not any(n.startswith("organizer") for n in names), names
    assert not any(n.startswith("submission") for n in names), names
    everything = b"".join(p.read_bytes() for p in files)
    assert token.encode() not in everything
    assert draft_token.encode() not in everything
    assert b"/organizer" not in everything
    assert b"Draft only talk" not in everything
    assert b"Unconsented talk" not in everything
    assert b"Published talk" in everything
    slides = [n for n in names if n.startswith("program/slides/")]
    assert len(slides) == 1, slides


def test_slides_uploaded_through_the_materials_page_are_served_once_published(app, client, chair):
    """End to end, no helper storing files: what an author uploads is what the public gets."""
    sid, token = add_accepted(app)
    assert post_slides(client, token).status_code == 303
    version = version_of(client.get(page_url(token)).get_data(as_text=True))
    details = post_details(
        client, token, presenter=author_ids(app, sid)[0], consent=True, version=version
    )
    assert details.status_code == 303
    place_talk(app, sid, add_session(app, starts="11:00", ends="12:00"))
    response = chair.post(
        "/organizer/program/publish",
        data={"draft_version": str(draft_version(app)), "anyway": "y"},
    )
    assert response.status_code == 303
    talk = next(i for i in publications(app)[-1][1]["items"] if i["kind"] == "paper")
    assert talk["slides"]
    with app.test_client().get(f"/program/slides/{talk['key']}.pdf") as public:
        assert public.status_code == 200, "published, consented slides are not served"
        assert public.get_data() == SLIDES


def test_the_freeze_copies_slides_uploaded_through_the_materials_page(app, client, chair, tmp_path):
    sid, token = add_accepted(app)
    assert post_slides(client, token).status_code == 303
    version = version_of(client.get(page_url(token)).get_data(as_text=True))
    assert (
        post_details(
            client, token, presenter=author_ids(app, sid)[0], consent=True, version=version
        ).status_code
        == 303
    )
    place_talk(app, sid, add_session(app, starts="11:00", ends="12:00"))
    assert (
        chair.post(
            "/organizer/program/publish",
            data={"draft_version": str(draft_version(app)), "anyway": "y"},
        ).status_code
        == 303
    )
    from fastpath.site.freeze import freeze

    folder = tmp_path / "site"
    freeze(app, folder, live_url="https://fastpath.example.org")
    slides = sorted((folder / "program" / "slides").glob("*.pdf"))
    assert [p.read_bytes() for p in slides] == [SLIDES]


# --- Markup and calendar injection through the editor and the materials ---------------------

HOSTILE = '<script>alert("x")</script>'


def test_editor_text_is_escaped_on_the_public_program(app, chair):
    version = draft_version(app)
    response = chair.post(
        "/organizer/program/sessions",
        data={
            "draft_version": str(version),
            "title": "Papers " + HOSTILE,
            "starts": "11:00",
            "ends": "12:00",
            "chair": "Chair " + HOSTILE,
            "room": "Room " + HOSTILE,
        },
    )
    assert response.status_code == 303
    response = chair.post(
        "/organizer/program/items",
        data={
            "draft_version": str(draft_version(app)),
            "kind": "break",
            "title": "Coffee " + HOSTILE,
            "presenters": "Barista " + HOSTILE,
            "session_id": "",
            "starts": "13:00",
            "ends": "13:30",
        },
    )
    assert response.status_code == 303, page_text(response)
    response = chair.post(
        "/organizer/program/publish",
        data={"draft_version": str(draft_version(app)), "anyway": "y"},
    )
    assert response.status_code == 303, page_text(response)
    anonymous = app.test_client()
    for path in ("/program", "/speakers/", "/"):
        body = anonymous.get(path).get_data(as_text=True)
        assert HOSTILE not in body, path


def test_a_video_link_with_quotes_cannot_break_out_of_the_public_link(app, client, chair):
    sid, token = add_accepted(app)
    link = 'https://video.example.org/x"onmouseover="alert(1)'
    response = post_details(
        client, token, presenter=author_ids(app, sid)[0], video_url=link, consent=True
    )
    if response.status_code == 422:
        return  # refused: nothing to show
    assert response.status_code == 303
    place_talk(app, sid, add_session(app, starts="11:00", ends="12:00"))
    publish = chair.post(
        "/organizer/program/publish",
        data={"draft_version": str(draft_version(app)), "anyway": "y"},
    )
    assert publish.status_code == 303
    body = app.test_client().get("/program").get_data(as_text=True)
    assert '"onmouseover="' not in body


def test_a_line_break_in_a_session_title_cannot_inject_calendar_lines(app, chair):
    response = chair.post(
        "/organizer/program/sessions",
        data={
            "draft_version": str(draft_version(app)),
            "title": "Papers\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Injected",
            "starts": "11:00",
            "ends": "12:00",
        },
    )
    if response.status_code == 303:
        sid, _ = add_accepted(app)
        with app.app_context():
            session_id = db.session.scalars(db.select(ProgramSession.id)).first()
        place_talk(app, sid, session_id)
        chair.post(
            "/organizer/program/publish",
            data={"draft_version": str(draft_version(app)), "anyway": "y"},
        )
        body = app.test_client().get("/program.ics").get_data(as_text=True)
        assert "\r\nSUMMARY:Injected" not in body
    else:
        assert response.status_code == 422


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_materials_posts_without_the_csrf_token_change_nothing(app, client):
    sid, token = add_accepted(app)
    client.get(page_url(token))  # a session cookie, as a victim's browser would have
    assert post_details(client, token, presenter=author_ids(app, sid)[0]).status_code == 400
    assert post_final(client, token).status_code == 400
    assert post_slides(client, token).status_code == 400
    assert materials_row(app, sid) is None
    assert materials_files(app) == []


def test_private_downloads_are_attachments_never_inline(app, client):
    sid, token = add_accepted(app)
    assert post_final(client, token).status_code == 303
    with client.get(page_url(token, "/final.pdf")) as response:
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers.get("Referrer-Policy") == "no-referrer"
        assert "no-store" in response.headers.get("Cache-Control", "")


def test_slides_with_javascript_are_not_served_inline_to_the_public(app, chair):
    """The upload check lets a PDF with an OpenAction script through; once published it is
    served inline from the site's own origin with no sandbox."""
    from pathlib import Path

    sid, _ = add_accepted(app)
    name = "ab" * 16 + ".pdf"
    folder = Path(app.config["UPLOAD_DIR"]) / "materials"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(pdf_with_javascript())  # where the public route reads
    choose_presenter(app, sid, slides=name, consent=True)
    place_talk(app, sid, add_session(app, starts="11:00", ends="12:00"))
    response = chair.post(
        "/organizer/program/publish",
        data={"draft_version": str(draft_version(app)), "anyway": "y"},
    )
    assert response.status_code == 303
    talk = next(i for i in publications(app)[-1][1]["items"] if i["kind"] == "paper")
    with app.test_client().get(f"/program/slides/{talk['key']}.pdf") as public:
        assert public.status_code == 200
        policy = public.headers.get("Content-Security-Policy", "")
        assert "sandbox" in policy or public.headers["Content-Disposition"].startswith(
            "attachment"
        ), "a PDF with an OpenAction script is served inline from the site's origin"


# --- Numbers too large for the database -----------------------------------------------------

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", f"/organizer/program/sessions/{HUGE}"),
        ("get", f"/organizer/program/entries/{HUGE}"),
        ("post", f"/organizer/program/talks/{HUGE}"),
        ("post", f"/organizer/program/sessions/{HUGE}/delete"),
        ("post", f"/organizer/program/entries/{HUGE}/up"),
        ("get", f"/organizer/materials/{HUGE}/final.pdf"),
        ("post", f"/organizer/materials/{HUGE}/reopen"),
    ],
)
def test_huge_ids_in_organizer_addresses_are_404_not_500(app, chair, method, url):
    response = getattr(chair, method)(url, data={"draft_version": str(draft_version(app))})
    assert response.status_code in (404, 409, 422), (url, response.status_code)


def test_a_fixed_item_in_a_huge_session_id_is_refused_not_500(app, chair):
    version = draft_version(app)
    response = chair.post(
        "/organizer/program/items",
        data={
            "draft_version": str(version),
            "kind": "break",
            "title": "Coffee",
            "session_id": HUGE,
            "minutes": "15",
        },
    )
    assert response.status_code in (409, 422)
    assert draft_version(app) == version


@pytest.mark.parametrize("until", ["9999-12-31T23:59", "0001-01-01T00:00", "2020-13-45T99:99"])
def test_reopen_until_odd_moments_is_handled_without_a_500(app, chair, until):
    sid, _ = add_accepted(app)
    response = chair.post(f"/organizer/materials/{sid}/reopen", data={"until": until})
    assert response.status_code in (302, 303, 400, 422), response.status_code


@pytest.mark.parametrize("status", [SubmissionStatus.REJECTED, SubmissionStatus.WITHDRAWN])
def test_reopen_of_a_submission_that_is_not_accepted_is_refused(app, chair, status):
    sid, token = add_accepted(app, "Not accepted", status=status)
    response = chair.post(f"/organizer/materials/{sid}/reopen", data={"until": ""})
    assert response.status_code in (303, 404, 409, 422), response.status_code
    assert materials_row(app, sid) is None
    assert "not reopened" in chair.get("/organizer/materials/").get_data(as_text=True)


def test_publishing_from_a_stale_editor_page_is_refused(app, chair):
    add_session(app, starts="11:00", ends="12:00")
    seen = draft_version(app)
    add_session(app, "Added by someone else", starts="14:00", ends="15:00")
    response = chair.post(
        "/organizer/program/publish", data={"draft_version": str(seen), "anyway": "y"}
    )
    assert response.status_code == 409
    assert "Added by someone else" in page_text(response)
    assert publications(app) == []


def test_unpublishing_when_nothing_is_published_is_refused(app, chair):
    response = chair.post(
        "/organizer/program/unpublish", data={"draft_version": str(draft_version(app))}
    )
    assert response.status_code in (409, 422)
    assert publications(app) == []
