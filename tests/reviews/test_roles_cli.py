"""Roles from the command line: `organizer create EMAIL --role chair|reviewer [--name
--affiliation]` and `organizer list` showing each account's role."""

from __future__ import annotations

from fastpath.organizer import services
from fastpath.organizer.models import OrganizerRole
from tests.helpers.organizers import EMAIL, PASSWORD, audit_actions, make_organizer, sign_in

REVIEWER = "Reviewer@PC.test"


def test_cli_create_reviewer_with_name_and_affiliation(app, runner):
    result = runner.invoke(
        args=[
            "organizer",
            "create",
            REVIEWER,
            "--role",
            "reviewer",
            "--name",
            "Frances Allen",
            "--affiliation",
            "IBM Research",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )

    assert result.exit_code == 0, result.output
    assert "Reviewer reviewer@pc.test created" in result.output
    with app.app_context():
        account = services.find_organizer(REVIEWER)
        assert (account.role, account.name, account.affiliation) == (
            OrganizerRole.REVIEWER,
            "Frances Allen",
            "IBM Research",
        )
    response = sign_in(app.test_client(), email="reviewer@pc.test")
    assert response.location == "/organizer/reviews/"
    assert audit_actions(app)[0][:2] == ("account_create", "command line")


def test_cli_create_defaults_to_chair(app, runner):
    result = runner.invoke(
        args=["organizer", "create", EMAIL, "--password-stdin"], input=PASSWORD + "\n"
    )

    assert result.exit_code == 0, result.output
    assert "Organizer chair@fastpath.test created" in result.output
    with app.app_context():
        assert services.find_organizer(EMAIL).role == OrganizerRole.CHAIR
    assert sign_in(app.test_client()).location == "/organizer/"


def test_cli_create_refuses_an_unknown_role(app, runner):
    result = runner.invoke(
        args=["organizer", "create", REVIEWER, "--role", "admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 2
    assert "'admin' is not one of 'chair', 'reviewer'" in result.output
    with app.app_context():
        assert services.find_organizer(REVIEWER) is None


def test_cli_list_shows_roles(app, runner):
    make_organizer(app)
    runner.invoke(
        args=[
            "organizer",
            "create",
            REVIEWER,
            "--role",
            "reviewer",
            "--name",
            "Frances Allen",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )

    listing = runner.invoke(args=["organizer", "list"])

    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["chair@fastpath.test", "reviewer@pc.test"]
    assert lines[0].split("\t")[1].startswith("created ")
    assert lines[0].split("\t")[3:] == ["chair"]
    assert lines[1].split("\t")[3:] == ["reviewer", "Frances Allen"]
