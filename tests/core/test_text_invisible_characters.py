"""Invisible characters do not count as input, and user text is isolated where it is shown
(issue 18 item 12)."""

from __future__ import annotations

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from fastpath.core.text import strip_invisible
from fastpath.registration.models import Registration
from tests.helpers.forms import post, registration_fields, submission_fields

ZERO_WIDTH = "\u200b\u200b\ufeff\u2060"
RLO = "\u202e"


def replaced(fields: list, **values: str) -> list:
    return [(name, values.get(name.replace("-", "_"), value)) for name, value in fields]


def test_invisible_name_only_zero_width_is_required(app, client):
    response = post(
        client, "/submit", replaced(submission_fields(), authors_0_name=ZERO_WIDTH), files=True
    )
    assert response.status_code == 422
    assert "Enter the author&#39;s name." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(Submission)).all() == []


def test_invisible_bidi_override_is_stripped_and_text_isolated(app, client):
    fields = replaced(
        submission_fields(), title=f"Fast {RLO}fdp.exe paths", authors_1_name="גרייס הופר"
    )
    assert post(client, "/submit", fields, files=True).status_code == 303
    with app.app_context():
        [row] = db.session.scalars(db.select(Submission)).all()
        assert row.title == "Fast fdp.exe paths"
    html = client.get("/submit/thanks").get_data(as_text=True)
    assert "<dd><bdi>Fast fdp.exe paths</bdi></dd>" in html
    assert "<li><bdi>גרייס הופר</bdi> &lt;<bdi>grace@example.org</bdi>&gt;" in html


def test_invisible_registration_name_is_required(app, client):
    fields = replaced(registration_fields(), name=ZERO_WIDTH + " \u200e")
    response = post(client, "/register", fields)
    assert response.status_code == 422  # a form shown again to correct
    assert "Please enter your name." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(Registration)).all() == []


def test_invisible_filter_keeps_joiners_inside_words():
    assert strip_invisible("\u200cمی\u200cخواهم\u200d") == "می\u200cخواهم"
    assert strip_invisible("\u200d\u200c") == ""
    assert strip_invisible("e\u0301") == "e\u0301"
    assert strip_invisible("\u0301") == ""
    assert strip_invisible(None) is None
