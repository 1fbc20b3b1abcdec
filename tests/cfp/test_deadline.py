"""The submission deadline: the window ends at the AoE deadline and a late post keeps its input."""

from __future__ import annotations

from datetime import datetime

import pytest

from fastpath.cfp import services
from tests.helpers.submissions import (
    AFTER,
    DEADLINE_TEXT,
    KEPT,
    all_submissions,
    nonce_of,
    post_submit,
    set_now,
    stored_files,
    submission_data,
    text_of,
)


@pytest.mark.app_config(NOW="2020-02-22T12:00:00+00:00")
def test_submit_after_deadline_explains_when_it_closed(client):
    response = client.get("/submit")
    html = text_of(response)
    assert response.status_code == 200
    assert "Submissions closed." in html
    assert f"The deadline was {DEADLINE_TEXT}" in html
    assert "<form" not in html.split('<main id="main"', 1)[1]


def test_form_opened_before_deadline_and_posted_after_is_refused_with_input_kept(app, client):
    html = text_of(client.get("/submit"))
    set_now(app, AFTER)
    response = post_submit(client, submission_data(nonce=nonce_of(html)))
    html = text_of(response)
    assert response.status_code == 422
    assert "Submissions closed." in html and DEADLINE_TEXT in html
    assert "Everything you typed is shown below" in html
    for value in KEPT:
        assert value in html
    assert "Submit abstract</button>" not in html
    assert all_submissions(app) == []
    assert stored_files(app) == []


@pytest.mark.parametrize(
    ("moment", "window"),
    [
        ("2020-02-22T11:59:59+00:00", "open"),  # the last second, AoE
        ("2020-02-22T12:00:00+00:00", "closed"),
    ],
)
def test_submission_window_ends_at_the_aoe_deadline(app, moment, window):
    with app.app_context():
        assert services.submission_window(datetime.fromisoformat(moment)) == window
