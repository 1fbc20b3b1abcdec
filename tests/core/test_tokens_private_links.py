"""Private links (/submission/<token>, /registration/<token> and every page under them):
anything but the exact token is a plain 404 that says nothing about the record, changes
nothing, and is looked up by its hash alone, so its cost says nothing of how close the guess
was."""

from __future__ import annotations

import hashlib
import re
import secrets

import pytest
from flask import Flask
from sqlalchemy import event, select

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from fastpath.core.tokens import hash_token
from fastpath.materials import services as materials
from fastpath.reviews import invitations
from tests.helpers.accepted import add_accepted
from tests.helpers.forms import latest_token, post, registration_fields, snapshot, submission_fields
from tests.helpers.pdfs import pdf_bytes

# The page's own address (it names the guessed token, which the guesser knows anyway).
OWN_ADDRESS = re.compile(r'<meta property="og:url" content="[^"]*">')
SECRETS = ("Tail latency of recommendation", "Ada Lovelace", "ada@example.org", "Grace Hopper")


@pytest.fixture
def tokens(app: Flask, client) -> dict[str, str]:
    """A submission and a registration, made through the forms; their private tokens."""
    assert post(client, "/submit", submission_fields(), files=True).status_code == 303
    submission = latest_token(app, "submission")
    assert post(client, "/register", registration_fields()).status_code == 303
    registration = latest_token(app, "registration")
    with app.app_context():
        _row, invitation = invitations.invite_reviewer(
            "Grace Hopper", "grace@reviewers.test", "Yale University", by=None
        )
        db.session.commit()
    # Materials pages answer only an accepted submission's token, with files to download.
    accepted_id, accepted = add_accepted(app)
    with app.app_context():
        row = db.session.get(Submission, accepted_id)
        materials.save_final(row, pdf_bytes(3), "final.pdf", version=1, token=accepted)
        materials.save_slides(row, pdf_bytes(3), "talk.pdf", version=2, token=accepted)
        db.session.commit()
    return {
        "submission": submission,
        "registration": registration,
        "organizer": invitation,
        "accepted": accepted,
    }


def token_pages(app: Flask) -> list[tuple[str, str, str]]:
    """(feature, method, path with {token}) for every rule in the URL map that takes a token,
    so a page added later is covered without touching this file."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "token" not in rule.arguments:
            continue
        feature = rule.rule.strip("/").split("/")[0]
        path = rule.rule.replace("<token>", "{token}")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            pages.append((feature, method, path))
    return sorted(pages)


def bad_variants(token: str, other: str) -> dict[str, str]:
    """Tokens that are nearly, or not at all, the right one."""
    last = token[-1]
    first = token[0]
    middle = len(token) // 2
    return {
        "wrong": secrets.token_urlsafe(32),
        "other feature's token": other,
        "truncated by one": token[:-1],
        "truncated to half": token[: len(token) // 2],
        "last char changed": token[:-1] + ("A" if last != "A" else "B"),
        "first char changed": ("A" if first != "A" else "B") + token[1:],
        "middle char changed": token[:middle]
        + ("-" if token[middle] != "-" else "_")
        + token[middle + 1 :],
        "case flipped": token.swapcase() if token.swapcase() != token else token + "x",
        "one char longer": token + "A",
        "doubled": token + token,
        "overlong": token + "A" * 5000,
        "with a space": token + " ",
        "percent-encoded NUL": token + "%00",
        "non-ASCII": token[:-1] + "é",
    }


def test_token_pages_are_found_in_the_url_map(app):
    pages = {(method, path) for _, method, path in token_pages(app)}
    # The pages this file was written against; more may come and are covered too.
    assert {
        ("GET", "/submission/{token}"),
        ("GET", "/submission/{token}/edit"),
        ("POST", "/submission/{token}/edit"),
        ("GET", "/submission/{token}/withdraw"),
        ("POST", "/submission/{token}/withdraw"),
        ("GET", "/submission/{token}/pdf"),
        ("GET", "/registration/{token}"),
        ("POST", "/registration/{token}"),
        ("GET", "/registration/{token}/calendar.ics"),
        ("GET", "/registration/{token}/cancel"),
        ("POST", "/registration/{token}/cancel"),
    } <= pages


def test_every_private_page_answers_its_own_token(app, client, tokens):
    for feature, method, path in token_pages(app):
        if method != "GET":
            continue
        token = tokens["accepted" if "/materials" in path else feature]
        response = client.get(path.format(token=token))
        response.close()  # the PDF is sent from its file
        assert response.status_code == 200, path


def test_every_wrong_token_is_a_plain_404_that_changes_nothing(app, client, tokens):
    plain_404 = client.get("/no-such-page")
    assert plain_404.status_code == 404
    before = snapshot(app)
    other = {
        "submission": tokens["registration"],
        "registration": tokens["submission"],
        "organizer": tokens["submission"],  # /organizer/reviews/invitation/<token>
    }

    checked = 0
    for feature, method, path in token_pages(app):
        for variant, token in bad_variants(tokens[feature], other[feature]).items():
            url = path.format(token=token)
            # A post carries a complete, valid form: only the token is wrong.
            form = registration_fields() if feature == "registration" else submission_fields()
            if method == "POST":
                response = post(client, url, form, files=feature == "submission")
            else:
                response = client.get(url)
            where = (method, path, variant)
            assert response.status_code == 404, where
            body = OWN_ADDRESS.sub("", response.get_data(as_text=True))
            assert body == OWN_ADDRESS.sub("", plain_404.get_data(as_text=True)), where
            assert response.headers["Content-Type"] == "text/html; charset=utf-8", where
            assert response.headers["Referrer-Policy"] == "no-referrer", where
            for secret in (*SECRETS, tokens["submission"], tokens["registration"]):
                assert secret not in body, where
            assert "Set-Cookie" not in response.headers, where
            checked += 1

    assert checked >= 11 * 14
    assert snapshot(app) == before


@pytest.mark.parametrize("feature", ["submission", "registration"])
def test_wrong_tokens_reach_the_database_only_as_their_hash(app, client, tokens, feature):
    """Why a near guess costs what a random one does: the database never sees token text.
    It is handed the guess's SHA-256 (which for a near miss shares nothing with the stored
    hash) and compares it whole, by equality on a unique index. (A stopwatch cannot show
    this: a leak through a string comparison would be nanoseconds in milliseconds.)"""
    token = tokens[feature]
    variants = {
        "wrong": secrets.token_urlsafe(32),
        "truncated": token[:-1],
        "last char changed": token[:-1] + ("A" if token[-1] != "A" else "B"),
    }
    with app.app_context():
        engine = db.engine
    executed: list[tuple[str, object]] = []

    def remember(_conn, _cursor, statement, parameters, _context, _many) -> None:
        executed.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        for guess in variants.values():
            executed.clear()
            assert client.get(f"/{feature}/{guess}").status_code == 404
            lookups = [(sql, params) for sql, params in executed if "token_hash" in sql]
            assert lookups, "the page looked the token up"
            for sql, params in lookups:
                values = [str(v) for v in (params.values() if isinstance(params, dict) else params)]
                assert hash_token(guess) in values and guess not in values
                assert re.search(r"token_hash = (\?|%\(\w+\)s)", sql), sql  # whole, not LIKE
            assert not any(guess in sql for sql, _ in executed)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    with app.app_context():
        table = db.metadata.tables[feature]
        stored = set(db.session.scalars(select(table.c.token_hash)))
    assert hashlib.sha256(token.encode()).hexdigest() in stored and token not in stored
