"""Hypothesis fuzzing of every public form and the organizer sign-in.

Each property starts from a valid post and garbles it: fields dropped, replaced, repeated
(multi-valued keys, the bad value first or last) or added; random text with control
characters and lone surrogates (sent as the raw bytes a sloppy client would send), huge
values, numbers, file parts where text belongs and text where the file belongs, odd files,
and bodies of the wrong kind (JSON with numbers, lists and objects for values, a query
string, garbage bytes, nothing). A NUL in each field that reaches the database is always
tried too (PostgreSQL refuses NUL in strings).

Three things must hold for every post: the answer is never a 5xx (the tests run with
TESTING on, so an unhandled exception is raised right here); a post that is not answered
as a success changes nothing: every row of every table is the same before and after; and a
post left valid (no edits, sent as the form expects; each test tries one at least) is
accepted and stores what it says it stored. Without the last, the properties would hold if
every post were refused. Uploads are watched too: a refused post may keep its checked PDF on
disk only when the page it gets back carries it for the next post.

The examples are fixed per test (derandomized) so CI sees the same run every time; set
FASTPATH_FUZZ_SCALE=10 to explore ten times as many, randomly.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import example, given
from hypothesis import strategies as st

from fastpath.cfp import services as cfp_services
from fastpath.cfp.models import Submission, SubmissionStatus
from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.organizer.models import SignInThrottle
from fastpath.registration.models import Registration, RegistrationStatus
from tests.conftest import make_app
from tests.helpers.forms import (
    Field,
    Upload,
    latest_token,
    multipart,
    post,
    registration_fields,
    row_counts,
    snapshot,
    submission_fields,
    urlencoded,
)
from tests.helpers.fuzzing import fuzz
from tests.helpers.organizers import EMAIL, PASSWORD, make_organizer
from tests.helpers.pdfs import corrupt_pdf_bytes, pdf_bytes, png_bytes


def with_nul_in(*names: str, **fixed: Any) -> Callable:
    """Always also try a NUL in each of these fields: PostgreSQL refuses one in any string, so
    a value that reaches a query unchecked is a 500 there (SQLite takes it)."""

    def decorate(test: Callable) -> Callable:
        for name in names:
            edits = [("set", name, "nul\x00here")]
            test = example(edits=edits, encoding="form", odd=b"", **fixed)(test)
        return test

    return decorate


# Posts that once were 500s, tried in every run: an upload in a text field, a JSON body (its
# values lists and objects, or the whole document a list or a string), and a detail form
# without its optional text fields.
FILE_IN_TEXT = Upload("a.pdf", "application/pdf", b"%PDF-1.4")


def untouched(edits: list, encoding: str) -> bool:
    """Whether the generated post is still the valid one it started from."""
    return not edits and encoding == "form"


def valid_example(**fixed: Any) -> Callable:
    """Always try the valid post itself, so every run has one that must be accepted."""
    return example(edits=[], encoding="form", odd=b"", **fixed)


class Accepted:
    """Counts the examples a property saw accepted; a run must see at least one."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, accepted: bool) -> None:
        self.count += accepted

    def check(self) -> None:
        assert self.count > 0, "no generated post was accepted"


def found_before(*cases: tuple[list, str, Any], **fixed: Any) -> Callable:
    def decorate(test: Callable) -> Callable:
        for edits, encoding, odd in cases:
            test = example(edits=edits, encoding=encoding, odd=odd, **fixed)(test)
        return test

    return decorate


TYPE_CASES = (
    ([("set", "email", FILE_IN_TEXT), ("set", "name", FILE_IN_TEXT)], "form", b""),
    ([("set", "email", [1, {"a": None}]), ("set", "name", 5)], "json", b""),
    ([], "odd body", [1, 2]),
    ([], "odd body", "not an object"),
    ([], "odd body", True),
)


# --- Values ----------------------------------------------------------------------------------

CONTROL = [chr(c) for c in range(0x20)] + [
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u202e",
    "\ufeff",
    "\ufffd",
]
characters = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(CONTROL),
    st.integers(0xD800, 0xDFFF).map(chr),  # lone surrogates
)
text = st.text(characters, max_size=40)
SPECIAL = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "99999999999999999999999",
    "true",
    "null",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "\x00",
    "ada@example.org\r\nBcc: victim@example.org",
    "ada@example.org\x00",
    "a@b",
    "@",
    "ada@example.org",
    " ADA@Example.ORG ",
    "grace@example.org",
    "émile@exämple.org",
    "ada@example.org, grace@example.org",
    "Ada Lovelace <ada@example.org>",
    "/organizer/",
    "//evil.example/",
    "/\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "add",
    "remove-0",
    "up-1",
    "down-0",
    "remove-99999999999999999999",
]
HUGE = [
    "a" * 201,
    "word " * 400,
    "x" * 13_000,
    "\u00e9" * 600_000,  # 1.2 MB of UTF-8: over the form memory limit in a multipart post
]

ODD_PDFS = [
    pdf_bytes(2),
    pdf_bytes(1),
    pdf_bytes(5),
    pdf_bytes(2, password="secret"),
    corrupt_pdf_bytes(),
    png_bytes(),
    b"",
    b"%PDF-",
    b"%PDF-1.7\n" + b"\x00" * 64,
    b"PK\x03\x04 not a pdf",
    b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024),  # just over the 10 MB limit
]
filenames = st.one_of(
    st.sampled_from(
        ["abstract.pdf", "", "../../etc/passwd", "C:\\temp\\a.pdf", "a" * 5000 + ".pdf", ".pdf"]
    ),
    text,
)
content_types = st.sampled_from(
    ["application/pdf", "", "text/html", "image/png", "application/octet-stream", "x/\x00"]
)
uploads = st.builds(
    Upload,
    filename=filenames,
    content_type=content_types,
    data=st.one_of(st.sampled_from(ODD_PDFS), st.binary(max_size=300)),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=6,
)
values = st.one_of(
    text,
    st.sampled_from(SPECIAL),
    st.sampled_from(HUGE),
    st.integers().map(str),
    st.floats().map(str),
    uploads,  # a file where text belongs
    json_values,  # a number, list or object (in a JSON body; as its JSON text in a form)
)
# A whole body of the wrong kind: raw bytes, or any JSON document.
odd_bodies = st.one_of(st.binary(max_size=200), json_values)


def mutations(names: list[str], extra: list[str]) -> st.SearchStrategy:
    """Edits to a valid post: drop a field, set it, add another value before or after."""
    name = st.one_of(st.sampled_from(names), st.sampled_from(extra), text)
    return st.lists(
        st.one_of(
            st.tuples(st.just("drop"), name, st.none()),
            st.tuples(st.just("set"), name, values),
            st.tuples(st.just("repeat-before"), name, values),
            st.tuples(st.just("repeat-after"), name, values),
        ),
        max_size=5,
    )


def mutate(fields: list[Field], edits: list[tuple[str, str, Any]]) -> list[Field]:
    fields = list(fields)
    for action, name, value in edits:
        if action == "drop":
            fields = [(key, v) for key, v in fields if key != name]
        elif action == "set":
            at = next((i for i, (key, _) in enumerate(fields) if key == name), len(fields))
            fields = [(key, v) for key, v in fields if key != name]
            fields.insert(at, (name, value))
        elif action == "repeat-before":
            at = next((i for i, (key, _) in enumerate(fields) if key == name), 0)
            fields.insert(at, (name, value))
        else:
            fields.append((name, value))
    return fields


# How the body is sent: mostly as the form expects; sometimes as the wrong kind of body.
ENCODINGS = ["form"] * 6 + ["other form", "json", "query", "odd body", "empty"]
encodings = st.sampled_from(ENCODINGS)


_seeds = count()


def as_form_value(value: Any) -> str | Upload:
    return value if isinstance(value, str | Upload) else json.dumps(value)


def as_json_value(value: Any) -> Any:
    return {"filename": value.filename} if isinstance(value, Upload) else value


def send(client: Any, path: str, fields: list, encoding: str, *, files: bool, odd: Any) -> Any:
    """Post the fields as `encoding` says (`odd` is the body for "odd body")."""
    # Hypothesis seeds the global `random` alike for every example, and the mail's Message-ID
    # (email.utils.make_msgid) draws from it: two mails in the same 10 ms would get the same
    # one. Each post gets its own seed, still the same in every run.
    random.seed(next(_seeds))
    form = [(name, as_form_value(value)) for name, value in fields]
    if encoding == "form":
        return post(client, path, form, files=files)
    if encoding == "other form":
        return post(client, path, form, files=not files)
    if encoding == "query":
        return client.post(f"{path}?{urlencoded(form).decode('ascii')}")
    if encoding == "json":
        document: dict[str, Any] = {}
        for name, value in fields:  # a repeated field becomes a list
            value = as_json_value(value)
            if name in document:
                earlier = document[name]
                value = [*(earlier if isinstance(earlier, list) else [earlier]), value]
            document[name] = value
        return client.post(path, data=json.dumps(document), content_type="application/json")
    if encoding == "odd body":
        if isinstance(odd, bytes):
            content_type = multipart([])[0] if files else "application/x-www-form-urlencoded"
            return client.post(path, data=odd, content_type=content_type)
        return client.post(path, data=json.dumps(odd), content_type="application/json")
    return client.post(path)


def _ok(response: Any) -> None:
    body = response.get_data(as_text=True)[:500]
    assert response.status_code < 500, (response.status_code, body)


# --- Uploads ---------------------------------------------------------------------------------


def unused_uploads(app: Flask) -> set[str]:
    """Stored PDFs (and temp files) no submission refers to."""
    folder = Path(app.config["UPLOAD_DIR"])
    names = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    with app.app_context():
        used = set(db.session.scalars(db.select(Submission.pdf_stored_name)))
        db.session.rollback()
    return names - used


KEPT_REF = re.compile(r'name="pdf_upload" type="hidden" value="([^"]*)"')


def kept_by_page(app: Flask, response: Any) -> set[str]:
    """The stored PDF the answered form carries for its next post (at most one)."""
    found = KEPT_REF.search(response.get_data(as_text=True))
    if not found or not found.group(1):
        return set()
    with app.test_request_context():
        kept = cfp_services.kept_upload(found.group(1))
        db.session.rollback()
    return {kept.stored_name} if kept else set()


def assert_no_new_orphans(app: Flask, before: set[str], response: Any, stored: bool) -> None:
    new = unused_uploads(app) - before
    allowed = set() if stored else kept_by_page(app, response)
    assert new <= allowed, (new, allowed, response.status_code)


# --- The submission form ---------------------------------------------------------------------

SUBMISSION_EXTRA = [
    "action",
    "website",
    "pdf_upload",
    "version",
    "csrf_token",
    "authors-3-name",
    "authors-19-email",
    "authors-20-name",
    "authors-999999-email",
    "authors--1-name",
    "authors-x-name",
    "authors-0",
    "authors-0-name-extra",
]
SUBMISSION_NAMES = sorted({name for name, _ in submission_fields()})
_nonces = count()


def _nonce() -> str:
    return f"fuzz-nonce-{next(_nonces):032d}"


# Werkzeug spools a big multipart body's files to temporary files; when it refuses the body
# half-way (a field over the form memory limit: 413), it drops them unclosed, and the garbage
# collector closes them (a ResourceWarning, not a leak that lasts). A spooled file that grew
# past 500 KB has become an anonymous temporary file (the second pattern).
def spooled_files_dropped_on_413(test: Callable) -> Callable:
    for pattern in (
        "<function SpooledTemporaryFile.__del__",
        "<_io.FileIO name=[0-9]+ mode='rb[+]' closefd=True>",
    ):
        test = pytest.mark.filterwarnings(
            f"ignore:Exception ignored in. {pattern}:pytest.PytestUnraisableExceptionWarning"
        )(test)
    return test


@spooled_files_dropped_on_413
def test_fuzz_submit(tmp_path):
    app = make_app(tmp_path)
    accepted = Accepted()

    @fuzz(200)
    @valid_example(pdf=None)
    @found_before(
        ([("set", "title", FILE_IN_TEXT), ("set", "form_nonce", FILE_IN_TEXT)], "form", b""),
        ([("set", "title", [1, {"a": None}]), ("set", "contact", 0.5)], "json", b""),
        *TYPE_CASES[2:],
        pdf=None,
    )
    @with_nul_in("title", "authors-0-email", "authors-1-name", "form_nonce", "contact", pdf=None)
    @given(
        edits=mutations(SUBMISSION_NAMES, SUBMISSION_EXTRA),
        pdf=st.one_of(st.none(), uploads),
        encoding=encodings,
        odd=odd_bodies,
    )
    def check(edits, pdf, encoding, odd):
        fields = submission_fields(nonce=_nonce())
        if pdf is not None:
            fields = mutate(fields, [("set", "pdf", pdf)])
        fields = mutate(fields, edits)
        before, counts, orphans = snapshot(app), row_counts(app), unused_uploads(app)

        response = send(app.test_client(), "/submit", fields, encoding, files=True, odd=odd)

        _ok(response)
        stored = response.status_code == 303 and response.location == "/submit/thanks"
        after = row_counts(app)
        if untouched(edits, encoding) and pdf is None:
            assert stored, response.status_code
            assert after["submission"] == counts["submission"] + 1
        accepted.add(stored)
        if stored:
            assert after["submission"] - counts["submission"] in (0, 1)
            if after["submission"] > counts["submission"]:
                assert_sane_newest_submission(app)
        else:
            assert snapshot(app) == before, response.status_code
        assert_no_new_orphans(app, orphans, response, stored)

    check()
    accepted.check()


def assert_sane_newest_submission(app: Flask) -> None:
    with app.app_context():
        row = db.session.scalars(db.select(Submission).order_by(Submission.id.desc())).first()
        assert row.title and not re.search(r"[\x00-\x1f\x7f]", row.title)
        assert sum(a.is_contact for a in row.authors) == 1
        for author in row.authors:
            assert author.name and author.email and author.affiliation
            assert not re.search(r"[\x00-\x1f\x7f]", author.name + author.email)
        assert row.topics and 2 <= row.pdf_pages <= 4
        assert (Path(app.config["UPLOAD_DIR"]) / row.pdf_stored_name).is_file()
        db.session.rollback()


# --- The private link of a submission: edit and withdraw ------------------------------------


def _make_submission(app: Flask) -> str:
    response = post(app.test_client(), "/submit", submission_fields(), files=True)
    assert response.status_code == 303
    return latest_token(app, "submission")


def _submission_version(app: Flask) -> int:
    with app.app_context():
        version = db.session.scalar(db.select(Submission.version))
        db.session.rollback()
        return version


@spooled_files_dropped_on_413
def test_fuzz_submission_edit(tmp_path):
    app = make_app(tmp_path)
    token = _make_submission(app)
    path = f"/submission/{token}/edit"
    accepted = Accepted()

    @fuzz(150)
    @valid_example(pdf=None)
    @found_before(
        ([("set", "version", FILE_IN_TEXT), ("set", "abstract", FILE_IN_TEXT)], "form", b""),
        *TYPE_CASES[2:],
        pdf=None,
    )
    @with_nul_in("title", "authors-0-email", "note", "version", "pdf_upload", pdf=None)
    @given(
        edits=mutations(SUBMISSION_NAMES + ["version"], SUBMISSION_EXTRA),
        pdf=st.one_of(st.none(), uploads),
        encoding=encodings,
        odd=odd_bodies,
    )
    def check(edits, pdf, encoding, odd):
        fields = [
            (name, value)
            for name, value in submission_fields(title="An edited title")
            if name not in ("form_nonce", "consent", "pdf")
        ]
        fields.append(("version", str(_submission_version(app))))
        if pdf is not None:
            fields.append(("pdf", pdf))
        fields = mutate(fields, edits)
        before, orphans = snapshot(app), unused_uploads(app)

        response = send(app.test_client(), path, fields, encoding, files=True, odd=odd)

        _ok(response)
        saved = response.status_code == 303 and response.location == f"/submission/{token}"
        if untouched(edits, encoding) and pdf is None:
            assert saved, response.status_code
            with app.app_context():
                assert db.session.scalar(db.select(Submission.title)) == "An edited title"
                db.session.rollback()
        accepted.add(saved)
        if saved:
            assert_sane_newest_submission(app)
        else:
            assert snapshot(app) == before, response.status_code
        assert_no_new_orphans(app, orphans, response, saved)

    check()
    accepted.check()


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _csrf_values(real: str) -> st.SearchStrategy:
    return st.one_of(
        text,
        st.sampled_from(SPECIAL),
        st.just(real),
        st.just(real[:-1]),
        st.just(real + "x"),
        st.just(real.swapcase()),
        st.just(real.split(".")[0]),
    )


def _csrf_fields(real: str) -> st.SearchStrategy:
    pair = st.one_of(
        st.tuples(st.just("csrf_token"), _csrf_values(real)),
        st.tuples(st.one_of(text, st.sampled_from(SUBMISSION_EXTRA)), values),
    )
    return st.lists(pair, max_size=4)


def test_fuzz_submission_withdraw(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    token = _submission_by_form(app)
    path = f"/submission/{token}/withdraw"
    client = app.test_client()
    real = CSRF_FIELD.search(client.get(path).get_data(as_text=True)).group(1)
    accepted = Accepted()

    @fuzz(50)
    @example(fields=[("csrf_token", real)], encoding="form", odd=b"")
    @example(fields=[("csrf_token", "nul\x00here")], encoding="form", odd=b"")
    @given(fields=_csrf_fields(real), encoding=encodings, odd=odd_bodies)
    def check(fields, encoding, odd):
        before = snapshot(app)

        response = send(client, path, fields, encoding, files=False, odd=odd)
        if fields == [("csrf_token", real)] and encoding == "form":
            assert response.status_code == 303, response.status_code

        _ok(response)
        with app.app_context():
            row = db.session.scalars(db.select(Submission)).one()
            withdrawn = row.status == SubmissionStatus.WITHDRAWN
            if withdrawn:  # the right token came first: start again from a live submission
                row.status, row.withdrawn_at = SubmissionStatus.SUBMITTED, None
                db.session.commit()
            db.session.rollback()
        success = response.status_code == 303 and response.location == f"/submission/{token}"
        assert withdrawn == success, response.status_code
        accepted.add(withdrawn)
        if not withdrawn:
            assert snapshot(app) == before

    check()
    accepted.check()


def _submission_by_form(app: Flask) -> str:
    """A submission posted with its CSRF token (for apps with CSRF protection on)."""
    client = app.test_client()
    real = CSRF_FIELD.search(client.get("/submit").get_data(as_text=True)).group(1)
    response = post(client, "/submit", [*submission_fields(), ("csrf_token", real)], files=True)
    assert response.status_code == 303
    return latest_token(app, "submission")


def test_fuzz_submission_lost_link(tmp_path):
    app = make_app(tmp_path)
    _make_submission(app)
    accepted = Accepted()

    @fuzz(60)
    @valid_example()
    @found_before(*TYPE_CASES)
    @with_nul_in("email")
    @given(
        edits=mutations(["email"], ["website", "csrf_token"]),
        encoding=encodings,
        odd=odd_bodies,
    )
    def check(edits, encoding, odd):
        fields = mutate([("email", "ada@example.org")], edits)
        before = snapshot(app)

        response = send(
            app.test_client(), "/submission/lost", fields, encoding, files=False, odd=odd
        )

        _ok(response)
        response.close()  # the look-up and its mail run after the response
        sent = response.status_code == 303 and response.location == "/submission/lost"
        if untouched(edits, encoding):
            assert sent, response.status_code
            assert row_counts(app)["outbox_mail"] == len(before["outbox_mail"]) + 1
        accepted.add(sent)
        if not sent:
            assert snapshot(app) == before, response.status_code

    check()
    accepted.check()


# --- Registration ----------------------------------------------------------------------------

REGISTRATION_NAMES = sorted({name for name, _ in registration_fields()})
REGISTRATION_EXTRA = ["website", "public_listing", "csrf_token", "status", "token_hash", "id"]
_people = count()


@spooled_files_dropped_on_413  # "other form" sends a file part in a multipart body too
def test_fuzz_register(tmp_path):
    app = make_app(tmp_path)
    accepted = Accepted()

    @fuzz(200)
    @valid_example()
    @found_before(
        ([("set", "nonce", FILE_IN_TEXT), ("set", "website", FILE_IN_TEXT)], "form", b""),
        *TYPE_CASES,
    )
    @with_nul_in("name", "email", "nonce", "position", "dietary", "website")
    @given(
        edits=mutations(REGISTRATION_NAMES, REGISTRATION_EXTRA),
        encoding=encodings,
        odd=odd_bodies,
    )
    def check(edits, encoding, odd):
        number = next(_people)
        fields = registration_fields(
            email=f"person{number}@example.org", nonce=f"fuzz-nonce-{number:020d}"
        )
        fields = mutate(fields, edits)
        before, counts = snapshot(app), row_counts(app)

        response = send(app.test_client(), "/register", fields, encoding, files=False, odd=odd)

        _ok(response)
        stored = response.status_code == 303 and response.location == "/register/thanks"
        after = row_counts(app)
        if untouched(edits, encoding):
            assert stored, response.status_code
            assert after["registration"] == counts["registration"] + 1
        accepted.add(stored)
        if stored:
            assert after["registration"] - counts["registration"] in (0, 1)
            assert_sane_registrations(app)
        else:
            assert snapshot(app) == before, response.status_code

    check()
    accepted.check()


def assert_sane_registrations(app: Flask) -> None:
    with app.app_context():
        for row in db.session.scalars(db.select(Registration)):
            assert row.name.strip() and row.consent
            assert not re.search(r"[\x00-\x1f\x7f\u2028\u2029]", row.name + row.email)
            assert row.position in ("student", "academia", "industry", "other")
            assert "@" in row.email and len(row.email) <= 254
        db.session.rollback()


def _make_registration(app: Flask, client: Any | None = None, **extra: str) -> str:
    fields = [*registration_fields(), *extra.items()]
    assert post(client or app.test_client(), "/register", fields).status_code == 303
    return latest_token(app, "registration")


DETAIL_NAMES = ["name", "affiliation", "position", "dietary", "accessibility", "public_listing"]


def test_fuzz_registration_update(tmp_path):
    app = make_app(tmp_path)
    token = _make_registration(app)
    path = f"/registration/{token}"
    accepted = Accepted()

    @fuzz(150)
    @valid_example()
    @found_before(
        ([("drop", "dietary", None), ("drop", "accessibility", None)], "form", b""), *TYPE_CASES
    )
    @with_nul_in("name", "affiliation", "position", "accessibility")
    @given(
        edits=mutations(DETAIL_NAMES, REGISTRATION_EXTRA + ["email", "consent", "nonce"]),
        encoding=encodings,
        odd=odd_bodies,
    )
    def check(edits, encoding, odd):
        fields = [
            ("name", "Ada King"),
            ("affiliation", "Analytical Engines Ltd"),
            ("position", "industry"),
            ("dietary", "none"),
            ("accessibility", ""),
            ("public_listing", "y"),
        ]
        fields = mutate(fields, edits)
        before = snapshot(app)

        response = send(app.test_client(), path, fields, encoding, files=False, odd=odd)

        _ok(response)
        saved = response.status_code == 303 and response.location == path
        if untouched(edits, encoding):
            assert saved, response.status_code
        accepted.add(saved)
        if saved:
            assert_sane_registrations(app)
        else:
            assert snapshot(app) == before, response.status_code

    check()
    accepted.check()


def test_fuzz_registration_cancel(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    real = CSRF_FIELD.search(client.get("/register").get_data(as_text=True)).group(1)
    token = _make_registration(app, client, csrf_token=real)
    path = f"/registration/{token}/cancel"
    accepted = Accepted()

    @fuzz(50)
    @example(fields=[("csrf_token", real)], encoding="form", odd=b"")
    @example(fields=[("csrf_token", "nul\x00here")], encoding="form", odd=b"")
    @given(fields=_csrf_fields(real), encoding=encodings, odd=odd_bodies)
    def check(fields, encoding, odd):
        before = snapshot(app)

        response = send(client, path, fields, encoding, files=False, odd=odd)

        _ok(response)
        with app.app_context():
            row = db.session.scalars(db.select(Registration)).one()
            cancelled = row.status == RegistrationStatus.CANCELLED
            if fields == [("csrf_token", real)] and encoding == "form":
                assert cancelled, response.status_code
            accepted.add(cancelled)
            if cancelled:  # the right token came first: make the registration live again
                row.status, row.cancelled_at = RegistrationStatus.REGISTERED, None
                row.active_email = row.email_normalized
                db.session.commit()
            db.session.rollback()
        if response.status_code == 303:
            # Done or refused, the answer is the private page with a message saying which.
            assert response.location == f"/registration/{token}"
            page = client.get(response.location).get_data(as_text=True)
            assert ("Your registration is cancelled" in page) == cancelled
        else:
            assert not cancelled
        if not cancelled:
            assert snapshot(app) == before, response.status_code

    check()
    accepted.check()


def test_fuzz_registration_lost_link(tmp_path):
    app = make_app(tmp_path)
    _make_registration(app)
    accepted = Accepted()

    @fuzz(60)
    @valid_example()
    @found_before(*TYPE_CASES)
    @with_nul_in("email", "website")
    @given(
        edits=mutations(["email", "website"], ["csrf_token", "nonce"]),
        encoding=encodings,
        odd=odd_bodies,
    )
    def check(edits, encoding, odd):
        fields = mutate([("email", "ada@example.org"), ("website", "")], edits)
        before = snapshot(app)

        response = send(
            app.test_client(),
            "/registration/lost",
            fields,
            encoding,
            files=False,
            odd=odd,
        )

        _ok(response)
        response.close()  # the look-up and its mail run after the response
        sent = response.status_code == 303 and response.location == "/registration/lost/sent"
        if untouched(edits, encoding):
            assert sent, response.status_code
            assert row_counts(app)["outbox_mail"] == len(before["outbox_mail"]) + 1
        accepted.add(sent)
        if not sent:
            assert snapshot(app) == before, response.status_code

    check()
    accepted.check()


# --- The organizer sign-in -------------------------------------------------------------------


def test_fuzz_organizer_sign_in(tmp_path):
    app = make_app(tmp_path)
    make_organizer(app)
    accepted = Accepted()

    @fuzz(25)
    @valid_example()
    @found_before(
        ([("set", "email", FILE_IN_TEXT), ("set", "next", FILE_IN_TEXT)], "form", b""),
        *TYPE_CASES[1:],
    )
    @with_nul_in("email", "password", "next")
    @given(
        edits=mutations(["email", "password", "next"], ["csrf_token", "remember"]),
        encoding=encodings,
        odd=odd_bodies,
    )
    def check(edits, encoding, odd):
        with app.app_context():  # a paused sign-in would hide a correct password
            db.session.execute(db.delete(SignInThrottle))
            db.session.commit()
        fields = mutate([("email", EMAIL), ("password", PASSWORD), ("next", "/organizer/")], edits)
        counts = row_counts(app)
        with app.app_context():
            last_event = db.session.scalar(db.select(db.func.max(AuditEvent.id))) or 0
            db.session.rollback()
        client = app.test_client()

        response = send(client, "/organizer/login", fields, encoding, files=False, odd=odd)

        _ok(response)
        after = row_counts(app)
        if untouched(edits, encoding):
            assert response.status_code == 302, response.status_code
        accepted.add(response.status_code == 302)
        if response.status_code == 302:
            # Signed in: one new session, and the redirect stays on this site.
            assert after["organizer_session"] - counts["organizer_session"] == 1
            location = response.location
            assert location.startswith("/") and not location.startswith("//")
            assert "\\" not in location and not re.search(r"[\x00-\x1f]", location)
            assert client.get("/organizer/").status_code == 200
        else:
            assert client.get("/organizer/").status_code == 302
            # A refused sign-in leaves only its audit trail and its count towards a pause.
            trail = ("audit_event", "sign_in_throttle")
            assert {k: v for k, v in after.items() if k not in trail} == {
                k: v for k, v in counts.items() if k not in trail
            }
            with app.app_context():
                actions = set(
                    db.session.scalars(
                        db.select(AuditEvent.action).where(AuditEvent.id > last_event)
                    )
                )
                db.session.rollback()
            assert actions <= {"sign_in_failed", "lockout"}

    check()
    accepted.check()
