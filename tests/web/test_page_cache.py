"""Public pages come from the page cache with ETags; static files carry content hashes."""

from __future__ import annotations

import dataclasses
import hashlib
import re

from fastpath.config import ROOT_DIR


def test_static_files_have_hashed_names_and_a_year_of_cache(client):
    html = client.get("/").get_data(as_text=True)
    css_url = re.search(r'<link rel="stylesheet" href="([^"]+)">', html).group(1)
    digest = hashlib.sha256((ROOT_DIR / "static/css/site.css").read_bytes()).hexdigest()[:12]
    assert css_url == f"/static/css/site.{digest}.css"
    with client.get(css_url) as response:
        assert response.status_code == 200
        assert response.get_data() == (ROOT_DIR / "static/css/site.css").read_bytes()
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.immutable


def test_plain_static_name_still_served_with_short_cache(client):
    with client.get("/static/css/site.css") as response:
        assert response.status_code == 200
        assert response.cache_control.max_age == 3600


def test_unknown_hash_is_404(client):
    assert client.get("/static/css/site.0123456789ab.css").status_code == 404
    assert client.get("/static/../fastpath/config.py").status_code == 404


def test_public_page_has_etag_and_answers_304(client):
    first = client.get("/program")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    again = client.get("/program", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert client.get("/program").get_data() == first.get_data()


def test_page_is_rendered_once_then_served_from_cache(app, client):
    client.get("/people")
    cache = app.extensions["page_cache"]
    assert "/people" in cache
    page = cache["/people"]
    cache["/people"] = dataclasses.replace(page, body=page.body.replace(b"Erik Altman", b"CACHED"))
    assert b"CACHED" in client.get("/people").get_data()


def test_flashed_messages_are_never_cached(app, client):
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Only for you")]
    assert "Only for you" in client.get("/venue").get_data(as_text=True)
    assert "Only for you" not in app.test_client().get("/venue").get_data(as_text=True)
