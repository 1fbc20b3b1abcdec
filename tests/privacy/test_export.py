"""`flask privacy export`: everything about the person, nothing of others."""

from __future__ import annotations

import json

import pytest

from tests.helpers.privacy import ADA, audit_trail, cli, export, make_site, mentions, populate


@pytest.fixture
def data(tmp_path) -> dict:
    """What `flask privacy export` prints about Ada on a populated site (address as typed)."""
    app = make_site(tmp_path)
    populate(app)
    return export(app, "  ADA@example.Org ")


def test_export_gives_her_registration_without_its_token(data):
    assert data["email"] == ADA
    (registration,) = data["registrations"]
    assert registration["name"] == "Ada Lovelace"
    assert registration["email"] == ADA
    assert registration["affiliation"] == "Ada's lab"
    assert registration["position"] == "academia"
    assert registration["dietary"] == "vegetarian"
    assert registration["accessibility"] == "step-free access"
    assert registration["consent"] is True
    assert registration["status"] == "registered"
    assert registration["waiting_position"] is None
    assert [event["kind"] for event in registration["history"]] == ["registered", "link_resent"]
    assert "token_hash" not in registration


def test_export_gives_her_submissions_and_only_her_row_of_those_she_co_authored(data):
    by_reference = {entry["reference"]: entry for entry in data["submissions"]}
    assert sorted(by_reference) == ["FP20-001", "FP20-002", "FP20-003"]
    first = by_reference["FP20-001"]
    assert first["role"] == "contact author"
    assert first["title"] == "Tail latency on shared GPUs"
    assert first["author"] == {
        "position": 1,
        "name": "Ada Lovelace",
        "email": ADA,
        "affiliation": "Engines Ltd",
        "is_contact": True,
    }
    assert first["submission"]["authors"] == 3
    assert first["submission"]["status"] == "submitted"
    assert first["submission"]["pdf"]["pages"] == 2
    assert [event["kind"] for event in first["submission"]["history"]] == ["submitted"]
    co_authored = by_reference["FP20-003"]
    assert co_authored["role"] == "co-author"
    assert co_authored["author"]["name"] == "Augusta Ada King"
    assert co_authored["author"]["email"] == "Ada@Example.ORG"
    assert "submission" not in co_authored  # co-authors get title, number and their own row


def test_export_gives_the_mails_sent_to_her_and_her_audit_events(data):
    subjects = sorted(mail["subject"] for mail in data["mails"])
    assert subjects == [
        "[FastPath 2020] Registration confirmed",
        "[FastPath 2020] Submission FP20-001 received",
        "[FastPath 2020] Submission FP20-002 received",
        "[FastPath 2020] You are an author of submission FP20-003",
        "[FastPath 2020] Your registration link",
    ]
    assert all(mail["status"] == "sent" for mail in data["mails"])
    # Co-author notices name nobody (issue 18 item 5); every other mail to her names her.
    notices = [m for m in data["mails"] if m["subject"].startswith("[FastPath 2020] You are an")]
    assert len(notices) == 1
    assert all("Ada" in m["body_text"] for m in data["mails"] if m not in notices)
    assert data["organizer"] is None
    actions = sorted(event["action"] for event in data["audit_events"])
    assert actions == ["link_resent", "sign_in_failed"]


def test_export_names_nobody_else_outside_the_mails_she_was_sent(data):
    text = json.dumps(data)
    for other in ("Bob Babbage", "bob@example.org", "Carol", "carol@", "Dave", "dave@", "FP20-004"):
        assert other not in text, other
    # Her co-authors appear only inside the mails she was sent.
    without_mails = json.dumps({key: value for key, value in data.items() if key != "mails"})
    for co_author in ("Grace", "grace@example.org", "Alan", "alan@example.org"):
        assert co_author not in without_mails, co_author


def test_export_of_a_co_author_shows_only_their_row_of_others_submissions(tmp_path):
    app = make_site(tmp_path)
    populate(app)

    data = export(app, "grace@example.org")

    assert data["registrations"] == []
    by_reference = {entry["reference"]: entry for entry in data["submissions"]}
    assert by_reference["FP20-001"]["role"] == "co-author"
    assert by_reference["FP20-001"]["author"]["name"] == "Grace Hopper"
    assert "submission" not in by_reference["FP20-001"]
    assert by_reference["FP20-003"]["role"] == "contact author"
    assert by_reference["FP20-003"]["submission"]["authors"] == 2
    without_mails = json.dumps({key: value for key, value in data.items() if key != "mails"})
    assert "ada@example.org" not in without_mails.casefold()
    assert "Augusta" not in without_mails


def test_export_of_an_unknown_address_is_empty_and_is_recorded(tmp_path):
    app = make_site(tmp_path)
    populate(app)
    trail = audit_trail(app)

    data = export(app, "nobody@example.org")

    assert {
        key: data[key] for key in ("registrations", "submissions", "mails", "audit_events")
    } == {
        "registrations": [],
        "submissions": [],
        "mails": [],
        "audit_events": [],
    }
    assert data["organizer"] is None
    after = audit_trail(app)
    assert after[: len(trail)] == trail
    assert [action for _, action in after[len(trail) :]] == ["privacy_export"]
    assert mentions(app, "nobody@example.org") == []


def test_export_refuses_something_that_is_not_an_address(tmp_path):
    app = make_site(tmp_path)
    result = cli(app, "privacy", "export", "ada")
    assert result.exit_code == 2
    assert "not a mail address" in result.output
