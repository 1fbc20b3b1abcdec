"""Public pages say what is true at the moment of the request, also from the page cache."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from fastpath import create_app
from fastpath.content import ContentError, load_workshop
from fastpath.core.extensions import db
from tests.conftest import DEMO_NOW, make_app
from tests.helpers.editions import edition_with
from tests.helpers.registrations import form_data

AFTER_DEADLINE = "2020-02-23T12:00:00+00:00"


def words(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def links(client, path: str) -> list[str]:
    """Where the page's buttons (hero, menu actions) lead; prose links are the content's."""
    html = client.get(path).get_data(as_text=True)
    return re.findall(r'<a class="button[^"]*" href="([^"]+)"', html)


@pytest.mark.app_config(NOW=AFTER_DEADLINE)
def test_pages_after_the_deadline_offer_no_submission(client):
    for path in ("/", "/call-for-papers", "/program", "/people"):
        assert "/submit" not in links(client, path), path  # no button, no menu action
    for path in ("/", "/call-for-papers"):
        text = words(client, path)
        assert "Submit an abstract" not in text
        assert "Submissions are closed: abstracts were due February 21, 2020, 23:59" in text
    assert "Submissions are open" not in words(client, "/")  # the news item's window ended


def test_pages_before_the_deadline_offer_submission(client):
    assert "/submit" in links(client, "/people")
    text = words(client, "/")
    assert "Submit an abstract" in text and "Submissions are open on this site" in text
    assert "Abstracts due February 21, 2020, 23:59" in text


def test_cached_page_follows_the_clock_on_a_running_server(app, client):
    for path in ("/", "/call-for-papers", "/venue"):
        assert "/submit" in links(client, path)  # rendered and cached before the deadline
    app.config["NOW"] = datetime.fromisoformat(AFTER_DEADLINE)
    for path in ("/", "/call-for-papers", "/venue"):
        assert "/submit" not in links(client, path), path


def test_form_page_menu_follows_the_clock(app, client):
    assert "/submit" in links(client, "/register")
    app.config["NOW"] = datetime.fromisoformat(AFTER_DEADLINE)
    assert "/submit" not in links(client, "/register")  # registration is still open


def test_full_room_offers_the_waiting_list(tmp_path):
    folder = edition_with(tmp_path, "[registration]\n", "[registration]\ncapacity = 1\n")
    # Places at once: the room fills with the first registration (no address to confirm).
    app = make_app(tmp_path, CONTENT_DIR=str(folder), REGISTRATION_CONFIRM_ADDRESS=False)
    client = app.test_client()
    assert "Join the waiting list" not in words(client, "/")
    assert client.post("/register", data=form_data()).status_code == 303
    text = words(app.test_client(), "/")
    assert "Join the waiting list" in text and "Waiting list" in words(client, "/venue")
    assert "The room is full: registering now puts you on the waiting list." in text


@pytest.mark.parametrize(
    ("moment", "expected", "absent"),
    [
        ("2020-04-05T14:00:00+00:00", "Under way today, Sunday, April 5, 2020", "/register"),
        ("2020-04-06T00:00:00+00:00", "Took place on Sunday, April 5, 2020", "/register"),
    ],
)
def test_home_during_and_after_the_workshop(app, client, moment, expected, absent):
    app.config["NOW"] = datetime.fromisoformat(moment)
    assert expected in words(client, "/")
    assert absent not in links(client, "/")
    assert "/program" in links(client, "/")


def test_news_while_of_unknown_window_is_refused(tmp_path):
    folder = edition_with(tmp_path, 'while = "submissions_open"', 'while = "always"')
    with pytest.raises(ContentError, match=r"news\[1\]\.while: unknown 'always'"):
        load_workshop(folder)


def test_public_pages_need_no_database_to_tell_the_state(tmp_path, monkeypatch):
    folder = edition_with(tmp_path, "[registration]\n", "[registration]\ncapacity = 1\n")
    monkeypatch.setenv("FASTPATH_INSTANCE_PATH", str(tmp_path))
    # Reachable at start-up (else the app refuses to start), then the database goes away.
    database = tmp_path / "database"
    database.mkdir()
    app = create_app(
        {
            "TESTING": True,
            "NOW": DEMO_NOW,
            "CONTENT_DIR": str(folder),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database / 'db.sqlite3'}",
        }
    )
    with app.app_context():
        db.engine.dispose()
    database.rename(tmp_path / "gone")
    for path in ("/", "/venue", "/no-such-page"):
        response = app.test_client().get(path)
        assert response.status_code == (404 if path == "/no-such-page" else 200)
        assert "/register" in links(app.test_client(), path)  # "full" unknown: plain Register


def test_state_is_read_anew_for_each_request_in_one_app_context(app, client):
    with app.app_context():  # (requests inside share this app context and its `g`)
        assert "/submit" in links(client, "/")
        app.config["NOW"] = datetime.fromisoformat(AFTER_DEADLINE)
        assert "/submit" not in links(client, "/")
