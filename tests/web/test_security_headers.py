"""Security headers, host checks and the secret key rule."""

from __future__ import annotations

import pytest

from fastpath import ConfigError, create_app
from fastpath.web.security import CONTENT_SECURITY_POLICY


def test_strict_headers_on_every_page(client):
    for path in ("/", "/program", "/no-such-page", "/healthz"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert csp == CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_private_link_pages_send_no_referrer(client):
    response = client.get("/submission/not-a-real-token")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_hsts_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_inline_script_or_style_in_pages(client):
    for path in ("/", "/call-for-papers", "/program", "/people", "/venue"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert " onclick=" not in html


def test_refuses_to_start_without_secret_key_outside_debug(tmp_path, monkeypatch):
    monkeypatch.setenv("FASTPATH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("FASTPATH_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="FASTPATH_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})


def test_unknown_host_refused_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("FASTPATH_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "SECRET_KEY": "s" * 32,
            "PUBLIC_BASE_URL": "https://fastpath.example.org",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        }
    )
    client = app.test_client()
    assert client.get("/", base_url="https://evil.example.com").status_code == 400
    assert client.get("/", base_url="https://fastpath.example.org").status_code == 200
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_behind_a_proxy_the_app_sees_the_client_and_https(tmp_path):
    from flask import request

    from tests.conftest import make_app

    app = make_app(tmp_path, PROXY_FIX_X_FOR=1)

    @app.get("/_whoami")
    def whoami():
        return {"addr": request.remote_addr, "secure": request.is_secure}

    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    response = app.test_client().get("/_whoami", headers=headers)
    assert response.get_json() == {"addr": "203.0.113.7", "secure": True}
    assert "Strict-Transport-Security" in response.headers


def test_without_proxy_setting_forwarded_headers_are_ignored(app):
    from flask import request

    @app.get("/_whoami")
    def whoami():
        return {"addr": request.remote_addr, "secure": request.is_secure}

    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    response = app.test_client().get("/_whoami", headers=headers)
    assert response.get_json() == {"addr": "127.0.0.1", "secure": False}


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_forms_post_over_https_without_a_referer(app):
    """Private-link pages send no Referer (no-referrer): their forms must still work."""
    import re

    client = app.test_client()
    page = client.get("/register", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/register",
        base_url="https://localhost",
        data={
            "name": "Ada",
            "email": "ada@example.org",
            "affiliation": "Analytical Engines",
            "position": "industry",
            "consent": "y",
            "nonce": nonce,
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert response.location.endswith("/register/thanks")
