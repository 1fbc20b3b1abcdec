"""Double clicks, replays, CSRF, the honeypot and the rate limit on the submission form."""

from __future__ import annotations

import http.client
import threading

import pytest

from fastpath.core.extensions import db
from tests.conftest import make_app, start_live_server
from tests.helpers.submissions import (
    KEPT,
    all_submissions,
    csrf_of,
    multipart_body,
    nonce_of,
    outbox,
    post_submit,
    stored_files,
    submission_data,
    submit_ok,
    text_of,
)


def test_double_submit_creates_one_submission_and_lands_on_the_same_receipt(app, client):
    first = post_submit(client, submission_data())
    second = post_submit(client, submission_data())
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == "/submit/thanks"
    assert len(all_submissions(app)) == 1
    receipt = text_of(client.get("/submit/thanks"))
    assert "This form had already been sent: submission FP20-001 was recorded once." in receipt
    assert len(stored_files(app)) == 1
    assert [template for _, _, template in outbox(app)] == [
        "submission_received",
        "submission_coauthor",
        "submission_coauthor",
    ]


def test_simultaneous_double_click_creates_one_submission(app):
    server = start_live_server(app)
    try:
        boundary, payload = multipart_body(submission_data())
        port = int(server.url.rsplit(":", 1)[1])
        statuses: list[tuple[int, str | None]] = []
        start = threading.Barrier(2)

        def click() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            start.wait()
            connection.request(
                "POST",
                "/submit",
                body=payload,
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            )
            response = connection.getresponse()
            statuses.append((response.status, response.getheader("Location")))
            response.read()
            connection.close()

        threads = [threading.Thread(target=click) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        server.stop()
    assert statuses == [(303, "/submit/thanks"), (303, "/submit/thanks")]
    assert len(all_submissions(app)) == 1
    assert len(stored_files(app)) == 1  # the losing request's copy of the PDF is gone


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_replayed_form_with_csrf_creates_one_submission(app, client):
    html = text_of(client.get("/submit"))
    data = submission_data(nonce=nonce_of(html), csrf_token=csrf_of(html))
    first = post_submit(client, data)
    assert first.status_code == 303
    replay = post_submit(client, submission_data(nonce=nonce_of(html), csrf_token=csrf_of(html)))
    assert replay.status_code == 303
    assert replay.headers["Location"] == "/submit/thanks"
    assert len(all_submissions(app)) == 1
    assert "was recorded once" in text_of(client.get("/submit/thanks"))


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_post_without_csrf_token_keeps_input_and_explains(app, client):
    response = post_submit(client, submission_data())
    html = text_of(response)
    assert response.status_code == 400
    assert "Your session ran out" in html
    for value in KEPT:
        assert value in html
    assert csrf_of(html)  # a fresh token to send again with
    assert all_submissions(app) == []


def test_filled_honeypot_is_refused_generically_and_nothing_is_stored(app, client):
    response = post_submit(client, submission_data(website="http://spam.example"))
    html = text_of(response)
    assert response.status_code == 422
    assert "We could not accept this form. Please check it and send it again." in html
    assert "spam.example" not in html  # emptied, so a person can simply send again
    for value in KEPT:
        assert value in html
    assert all_submissions(app) == []
    assert outbox(app) == []


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_FORM_POSTS="3 per hour")
def test_rate_limit_refuses_too_many_posts_and_keeps_the_input(app, client):
    for _ in range(3):
        assert post_submit(client, submission_data(title="")).status_code == 422
    response = post_submit(client, submission_data())
    html = text_of(response)
    assert response.status_code == 429
    assert "Too many forms were sent from your network" in html
    assert 'value="Tail latency of recommendation inference on shared GPUs"' in html
    assert all_submissions(app) == []
    assert client.get("/submit").status_code == 200  # reading is never limited


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_FORM_POSTS="3 per hour")
def test_rate_limit_does_not_count_author_row_buttons(app, client):
    for action in ["add"] * 6 + ["remove-3", "up-1", "down-0"]:
        assert post_submit(client, submission_data(pdf=None, action=action)).status_code == 200
    submit_ok(client)
    assert len(all_submissions(app)) == 1


def test_rate_limit_switched_off_in_one_app_stays_off(tmp_path):
    # Flask-Limiter keeps one on/off flag for all apps; building a limited app after an
    # unlimited one must not start limiting the unlimited one.
    unlimited = make_app(tmp_path / "off", RATELIMIT_FORM_POSTS="1 per hour")
    limited = make_app(tmp_path / "on", RATELIMIT_ENABLED=True, RATELIMIT_FORM_POSTS="1 per hour")
    client = unlimited.test_client()
    for _ in range(3):
        assert post_submit(client, submission_data(title="")).status_code == 422
    for application in (unlimited, limited):
        with application.app_context():
            db.engine.dispose()
