"""Issue 18, "keep holding": CSRF on every POST. tests/web/test_csrf_every_post.py posts to
every POST rule of the URL map (sign-out and decisions included) without a token, with a
made-up one and with another session's; this adds the settings that test relies on, so that an
exemption or a switched-off default is caught even for a route added after it was written."""

from __future__ import annotations

import pytest
from flask import Flask

from fastpath.core.extensions import csrf
from tests.helpers.forms import registration_fields, row_counts
from tests.helpers.organizers import make_organizer, sign_in

pytestmark = pytest.mark.app_config(WTF_CSRF_ENABLED=True)


def test_csrf_exempts_no_view_and_no_blueprint(app: Flask):
    assert csrf._exempt_views == set()
    assert csrf._exempt_blueprints == set()
    assert app.config["WTF_CSRF_CHECK_DEFAULT"] is True
    assert {"POST", "PUT", "PATCH", "DELETE"} <= set(app.config["WTF_CSRF_METHODS"])


def test_csrf_routes_take_no_method_outside_the_checked_ones(app: Flask):
    posts = set()
    for rule in app.url_map.iter_rules():
        assert rule.methods <= {"GET", "HEAD", "OPTIONS", "POST"}, rule
        if "POST" in rule.methods:
            posts.add(rule.endpoint)
    assert {"organizer.logout", "organizer.decide", "organizer.login"} <= posts


def test_csrf_json_post_without_a_token_is_refused(app: Flask, client):
    """A JSON body carries no form token: the check must not skip what is not a form."""
    make_organizer(app)
    assert sign_in(client).status_code == 302

    assert client.post("/organizer/logout", json={}).status_code == 400
    registering = client.post("/register", json=dict(registration_fields()))

    assert client.get("/organizer/").status_code == 200  # still signed in
    assert registering.status_code == 400
    assert row_counts(app)["registration"] == 0
