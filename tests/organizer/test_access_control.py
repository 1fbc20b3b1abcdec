"""Access to the organizers' area: CSRF tokens on every post, sign-in for every page, no
caching or indexing."""

from __future__ import annotations

import pytest
from flask import Flask

from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail, OutboxStatus
from tests.helpers.organizers import (
    EMAIL,
    PASSWORD,
    add_mail,
    add_registration,
    csrf_token_of,
    make_organizer,
    sign_in,
)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_csrf_token_is_required_for_sign_in_and_sign_out(app, client):
    make_organizer(app)

    refused = client.post("/organizer/login", data={"email": EMAIL, "password": PASSWORD})
    assert refused.status_code == 400
    assert client.get("/organizer/").status_code == 302
    assert sign_in(client).location == "/organizer/"  # with the form's token

    assert client.post("/organizer/logout").status_code == 400
    assert client.get("/organizer/").status_code == 200
    token = csrf_token_of(client, "/organizer/")
    assert client.post("/organizer/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/organizer/").status_code == 302


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_csrf_token_is_required_for_every_organizer_post(app, organizer_client):
    failed_id = add_mail(app, status=OutboxStatus.FAILED, error="550 no such user")

    for url in (f"/organizer/mail/{failed_id}/retry", "/organizer/mail/retry-failed"):
        refused = organizer_client.post(url)
        assert refused.status_code == 400
        assert "Nothing was changed." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OutboxMail, failed_id).status == OutboxStatus.FAILED


def _organizer_urls(app: Flask) -> list[tuple[str, str]]:
    """Every organizer URL (with made-up ids) and the method it answers."""
    values = {"submission_id": 1, "registration_id": 1, "mail_id": 1, "kind": "registrations"}
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("organizer.") or rule.endpoint == "organizer.login":
                continue
            args = {name: values[name] for name in rule.arguments}
            path = app.url_map.bind("localhost").build(rule.endpoint, args)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                urls.append((method, path))
    return urls


def test_every_organizer_url_signed_out_redirects_to_sign_in(app, client):
    registration_id = add_registration(app, "Secret Person", email="secret@example.org")
    add_mail(app, status=OutboxStatus.FAILED, error="secret error", ref=1)
    assert registration_id == 1
    urls = _organizer_urls(app)
    assert len(urls) >= 12

    for method, path in urls:
        response = client.open(path, method=method)
        body = response.get_data(as_text=True)
        assert response.status_code == 302, (method, path)
        assert response.location.startswith("/organizer/login"), (method, path)
        assert "Secret Person" not in body and "secret" not in body
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == 0
        mail = db.session.scalars(db.select(OutboxMail)).one()
        assert mail.status == OutboxStatus.FAILED


def test_organizer_pages_are_not_cached_or_indexed(organizer_client):
    response = organizer_client.get("/organizer/")

    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
