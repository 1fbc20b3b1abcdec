"""Organizer accounts from the command line: create, set-password, list, demo-setup."""

from __future__ import annotations

import re

from fastpath.organizer import services
from tests.helpers.organizers import EMAIL, PASSWORD, audit_actions, make_organizer, sign_in


def test_cli_create_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["organizer", "create", "New@FastPath.test", "--password-stdin"],
        input=PASSWORD + "\n",
    )

    assert result.exit_code == 0, result.output
    assert "Organizer new@fastpath.test created" in result.output
    assert sign_in(app.test_client(), email="new@fastpath.test").location == "/organizer/"
    assert audit_actions(app)[0][:2] == ("account_create", "command line")


def test_cli_create_asks_for_the_password_twice(app, runner):
    mismatch = runner.invoke(
        args=["organizer", "create", EMAIL], input=f"{PASSWORD}\nsomething else\n"
    )
    assert "do not match" in mismatch.output or "Error" in mismatch.output
    with app.app_context():
        assert services.find_organizer(EMAIL) is None

    result = runner.invoke(args=["organizer", "create", EMAIL], input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    with app.app_context():
        assert services.find_organizer(EMAIL) is not None


def test_cli_create_refuses_a_duplicate_and_a_short_password(app, runner):
    make_organizer(app)

    duplicate = runner.invoke(
        args=["organizer", "create", "CHAIR@fastpath.test", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    short = runner.invoke(
        args=["organizer", "create", "other@fastpath.test", "--password-stdin"], input="short\n"
    )

    assert duplicate.exit_code == 1
    assert "exists already" in duplicate.output
    assert short.exit_code == 1
    assert "at least 12 characters" in short.output
    with app.app_context():
        assert [o.email for o in services.list_organizers()] == [EMAIL]


def test_cli_set_password_and_list(app, runner, client):
    make_organizer(app)
    sign_in(client)

    result = runner.invoke(
        args=["organizer", "set-password", EMAIL, "--password-stdin"],
        input="a brand new passphrase\n",
    )
    listing = runner.invoke(args=["organizer", "list"])

    assert result.exit_code == 0, result.output
    assert client.get("/organizer/").status_code == 302  # the old session has ended
    assert (
        sign_in(app.test_client()).status_code == 422
    )  # old password refused (the form shown again)
    assert sign_in(app.test_client(), password="a brand new passphrase").status_code == 302
    assert listing.exit_code == 0
    assert listing.output.startswith(f"{EMAIL}\tcreated ")
    assert ("password_change", "command line") in [(a, w) for a, w, _ in audit_actions(app)]


def test_cli_set_password_for_unknown_organizer_fails(runner):
    result = runner.invoke(
        args=["organizer", "set-password", "ghost@fastpath.test", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 1
    assert "no organizer with the address ghost@fastpath.test" in result.output


def test_demo_setup_creates_the_demo_organizer_once(app, runner):
    first = runner.invoke(args=["demo", "setup"])
    second = runner.invoke(args=["demo", "setup"])

    password = re.search(r"password: (\S+)", first.output).group(1)
    assert "organizer@fastpath.test" in first.output
    assert password not in second.output and "password:" not in second.output
    assert sign_in(app.test_client(), "organizer@fastpath.test", password).status_code == 302
    with app.app_context():
        chairs = [o.email for o in services.list_organizers() if o.is_chair]
        assert chairs == ["organizer@fastpath.test"]


def test_no_organizer_exists_without_demo_setup(app):
    with app.app_context():
        assert services.list_organizers() == []
