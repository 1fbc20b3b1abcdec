"""`flask privacy erase`: the person's address and names nowhere, every count and other
people's rows kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from fastpath.cfp.models import Submission, SubmissionAuthor
from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail, OutboxStatus
from fastpath.organizer import services as organizer_services
from fastpath.registration import services as registration_services
from fastpath.registration.models import Registration, RegistrationStatus
from tests.helpers.privacy import (
    ADA,
    ADA_IN_TEXT,
    ADA_NAMES,
    DURING_WORKSHOP,
    audit_trail,
    cli,
    export,
    make_site,
    mentions,
    populate,
    register,
    registration_of,
    row_counts,
    rows,
    spool_mentions,
    status_counts,
    submit,
    text_values,
)


def test_erase_leaves_the_address_and_names_nowhere(tmp_path):
    app = make_site(tmp_path)
    populate(app)
    assert mentions(app, ADA, *ADA_NAMES)  # the check below can fail
    assert spool_mentions(app, ADA)

    result = cli(app, "privacy", "erase", "Ada@Example.org", "--yes")

    assert result.exit_code == 0, result.output
    assert mentions(app, ADA, *ADA_NAMES) == []
    assert spool_mentions(app, ADA, *ADA_NAMES) == []
    assert f"Erased {ADA}:" in result.output
    assert "1 registration(s) anonymised (1 cancelled first, 1 promoted" in result.output
    assert export(app, ADA)["submissions"] == []


def test_erase_cancels_an_active_place_and_the_waiting_list_moves_up(tmp_path):
    app = make_site(tmp_path)
    populate(app)
    assert status_counts(app) == {"registered": 2, "waiting": 2}
    with app.app_context():
        mails_before = db.session.scalar(select(func.max(OutboxMail.id)))

    cli(app, "privacy", "erase", ADA, "--yes")

    # Exactly what Ada cancelling herself would have done: Carol, first waiting, moves up.
    assert status_counts(app) == {"registered": 2, "waiting": 1, "cancelled": 1}
    assert registration_of(app, "Carol Shaw")["status"] == RegistrationStatus.REGISTERED
    assert registration_of(app, "Dave Cutler")["status"] == RegistrationStatus.WAITING
    (erased,) = rows(app, Registration, Registration.arrival == 1)
    assert erased["status"] == RegistrationStatus.CANCELLED
    assert erased["name"] == f"erased-registration-{erased['id']}"
    assert erased["email"] == f"erased-registration-{erased['id']}@erased.invalid"
    assert erased["email_normalized"] == erased["email"]
    assert erased["active_email"] is None
    assert (erased["affiliation"], erased["dietary"], erased["accessibility"]) == ("", "", "")
    assert erased["form_nonce"] is None
    # Carol's mail goes out as usual; the cancellation mail to Ada is not kept or sent.
    with app.app_context():
        new_mails = db.session.execute(
            select(OutboxMail.recipients, OutboxMail.template, OutboxMail.status).where(
                OutboxMail.id > mails_before
            )
        ).all()
    assert new_mails == [("carol@example.org", "registration_promoted", OutboxStatus.QUEUED)]


@dataclass
class Erased:
    """A populated site from which Ada was erased, and what it held just before."""

    app: Flask
    counts: dict[str, int]
    trail: list
    others: dict[str, list[dict[str, Any]]]
    ada_mails: int


@pytest.fixture
def erased(tmp_path) -> Erased:
    app = make_site(tmp_path)
    populate(app)
    counts = row_counts(app)
    trail = audit_trail(app)
    others = {
        "bob and dave": rows(
            app, Registration, Registration.name.in_(["Bob Babbage", "Dave Cutler"])
        ),
        "co-authors": rows(
            app, SubmissionAuthor, SubmissionAuthor.name.in_(["Grace Hopper", "Alan Turing"])
        ),
        "bob's submission": rows(app, Submission, Submission.number == 4),
        "mails to others": rows(app, OutboxMail, ~OutboxMail.recipients.ilike("%ada@%")),
    }
    with app.app_context():
        ada_mails = db.session.scalar(
            select(func.count()).select_from(OutboxMail).where(OutboxMail.recipients.ilike(ADA))
        )

    cli(app, "privacy", "erase", ADA, "--yes")
    return Erased(app, counts, trail, others, ada_mails)


def test_erase_keeps_every_count_but_the_history_and_mail_it_adds(erased: Erased):
    app, counts = erased.app, erased.counts
    after = row_counts(app)
    # One mail more (Carol's promotion); history lines for the cancellation, the erasure and
    # the promotion, one per submission Ada was an author of, one audit event; every other
    # table keeps its number of rows.
    assert after["outbox_mail"] == counts["outbox_mail"] + 1
    assert after["registration_event"] == counts["registration_event"] + 3  # cancel, erase, promote
    assert after["submission_event"] == counts["submission_event"] + 3
    assert after["audit_event"] == counts["audit_event"] + 1
    # Calendars: Ada's two go with her mails' text, Carol's promotion mail brings one.
    assert after["outbox_attachment"] == counts["outbox_attachment"] - 2 + 1
    unchanged = {
        "outbox_mail",
        "outbox_attachment",
        "registration_event",
        "submission_event",
        "audit_event",
    }
    assert {t: n for t, n in after.items() if t not in unchanged} == {
        t: n for t, n in counts.items() if t not in unchanged
    }


def test_erase_grows_the_audit_trail_and_keeps_the_mails_without_their_text(erased: Erased):
    app, trail, ada_mails = erased.app, erased.trail, erased.ada_mails
    # The trail only grows: every earlier event is still there, then the erasure.
    new_trail = audit_trail(app)
    assert new_trail[: len(trail)] == trail
    assert [action for _, action in new_trail[len(trail) :]] == ["privacy_erase"]
    with app.app_context():
        erasure = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "privacy_erase")
        ).one()
        assert erasure.actor == "command line"
        assert erasure.target is None
        assert "3 author row(s) anonymised" in erasure.details
        kept = db.session.scalars(
            select(OutboxMail).where(OutboxMail.recipients.like("erased-mail-%"))
        ).all()
        assert len(kept) == ada_mails == 5
        assert {mail.status for mail in kept} == {OutboxStatus.SENT}
        assert {len(mail.attachments) for mail in kept} == {0}
        assert {mail.body_html for mail in kept} == {None}


def test_erase_leaves_other_peoples_rows_as_they_were(erased: Erased):
    app, others = erased.app, erased.others
    assert rows(app, Registration, Registration.name == "Bob Babbage") == [
        row for row in others["bob and dave"] if row["name"] == "Bob Babbage"
    ]
    dave = [row for row in others["bob and dave"] if row["name"] == "Dave Cutler"]
    assert rows(app, Registration, Registration.name == "Dave Cutler") == dave
    co_authors = rows(
        app, SubmissionAuthor, SubmissionAuthor.name.in_(["Grace Hopper", "Alan Turing"])
    )
    assert co_authors == others["co-authors"]
    assert rows(app, Submission, Submission.number == 4) == others["bob's submission"]
    # Mails to others keep every column; where their text named Ada (the receipt to Grace
    # listing her co-authors; co-author notices name nobody), only that is replaced.
    before_mails = {row["id"]: row for row in others["mails to others"]}
    after_mails = {row["id"]: row for row in rows(app, OutboxMail, OutboxMail.id.in_(before_mails))}
    assert sorted(after_mails) == sorted(before_mails)
    named = 0
    for mail_id, before in before_mails.items():
        expected = {
            key: ADA_IN_TEXT.sub("[erased]", value) if key.startswith("body_") else value
            for key, value in before.items()
        }
        named += expected != before
        assert after_mails[mail_id] == expected
    assert named == 1


def test_erase_keeps_submissions_deletes_only_a_sole_authors_pdf_and_ends_the_links(tmp_path):
    app = make_site(tmp_path)
    populate(app)
    with app.app_context():
        stored = dict(
            db.session.execute(select(Submission.number, Submission.pdf_stored_name)).all()
        )
        received = dict(
            db.session.execute(
                select(OutboxMail.subject, OutboxMail.body_text).where(
                    OutboxMail.template == "submission_received"
                )
            ).all()
        )
    links = {
        subject.split()[3]: re.search(r"http://fastpath\.test(/submission/\S+)", text).group(1)
        for subject, text in received.items()
    }
    adas = [links["FP20-001"], links["FP20-002"]]
    client = app.test_client()
    assert [client.get(link).status_code for link in adas] == [200, 200]
    uploads = Path(app.config["UPLOAD_DIR"])

    cli(app, "privacy", "erase", ADA, "--yes")

    assert [client.get(link).status_code for link in adas] == [404, 404]
    # Grace, contact author of FP20-003 with Ada as co-author, still has her link.
    assert client.get(links["FP20-003"]).status_code == 200
    # FP20-002 had Ada as its only author: its PDF is gone; the others keep theirs.
    assert not (uploads / stored[2]).exists()
    assert [(uploads / stored[n]).exists() for n in (1, 3, 4)] == [True, True, True]
    with app.app_context():
        submissions = {s.number: s for s in db.session.scalars(select(Submission))}
        assert sorted(submissions) == [1, 2, 3, 4]
        assert submissions[2].pdf_filename == "erased.pdf"
        assert submissions[2].pdf_stored_name != stored[2]
        assert submissions[1].title == "Tail latency on shared GPUs"
        assert [a.name for a in submissions[1].authors] == [
            f"erased-author-{submissions[1].authors[0].id}",
            "Grace Hopper",
            "Alan Turing",
        ]
        assert submissions[1].contact.email.endswith("@erased.invalid")
        assert submissions[1].events[-1].kind == "author_erased"
        assert [a.name for a in submissions[3].authors][0] == "Grace Hopper"
        assert submissions[3].authors[1].affiliation == ""


def test_erase_of_a_cancelled_registration_keeps_every_count_by_status(tmp_path):
    app = make_site(tmp_path)
    populate(app)
    with app.app_context():
        dave = db.session.scalars(
            select(Registration).where(Registration.email == "dave@example.org")
        ).one()
        registration_services.cancel(dave)
        db.session.commit()
    counts = status_counts(app)
    assert counts == {"registered": 2, "waiting": 1, "cancelled": 1}

    result = cli(app, "privacy", "erase", "dave@example.org", "--yes")

    assert "(0 cancelled first, 0 promoted" in result.output
    assert status_counts(app) == counts
    assert mentions(app, "dave@example.org", "Dave Cutler") == []
    assert registration_of(app, "Carol Shaw")["status"] == RegistrationStatus.WAITING


def test_erase_once_the_workshop_started_keeps_the_place_taken(tmp_path):
    app = make_site(tmp_path)
    populate(app)
    app.config["NOW"] = DURING_WORKSHOP
    counts = status_counts(app)

    cli(app, "privacy", "erase", ADA, "--yes")

    assert status_counts(app) == counts == {"registered": 2, "waiting": 2}
    (erased,) = rows(app, Registration, Registration.arrival == 1)
    assert erased["status"] == RegistrationStatus.REGISTERED
    assert erased["active_email"] is None
    assert mentions(app, ADA, *ADA_NAMES) == []


def test_erase_leaves_a_namesake_her_registration_and_authorship(tmp_path):
    app = make_site(tmp_path)
    populate(app)
    client = app.test_client()
    register(client, "Ada Lovelace", "lovelace@other.example")
    submit(client, "Namesakes", [("Ada Lovelace", "lovelace@other.example", "Elsewhere")])
    namesake = rows(app, Registration, Registration.email == "lovelace@other.example")
    namesake_author = rows(app, SubmissionAuthor, SubmissionAuthor.affiliation == "Elsewhere")

    cli(app, "privacy", "erase", ADA, "--yes")

    assert rows(app, Registration, Registration.email == "lovelace@other.example") == namesake
    assert rows(app, SubmissionAuthor, SubmissionAuthor.affiliation == "Elsewhere") == (
        namesake_author
    )
    assert mentions(app, ADA) == []


def test_erase_asks_first_and_no_leaves_everything(tmp_path):
    app = make_site(tmp_path)
    populate(app)
    before = text_values(app)

    result = cli(app, "privacy", "erase", ADA, input="n\n")

    assert result.exit_code == 1
    assert f"Stored about {ADA}: 1 registration(s), 3 author row(s), 5 mail(s)" in result.output
    assert "Aborted" in result.output
    assert text_values(app) == before


def test_erase_deletes_an_organizer_account_and_keeps_its_audit_rows(tmp_path):
    app = make_site(tmp_path)
    result = app.test_cli_runner().invoke(
        args=["organizer", "create", ADA, "--password-stdin"], input="a long enough password\n"
    )
    assert result.exit_code == 0, result.output
    client = app.test_client()
    client.post("/organizer/login", data={"email": ADA, "password": "wrong password!"})
    client.post("/organizer/login", data={"email": ADA, "password": "a long enough password"})
    assert client.get("/organizer/").status_code == 200
    with app.app_context():
        organizer_id = organizer_services.find_organizer(ADA).id
    assert export(app, ADA)["organizer"]["email"] == ADA
    trail = audit_trail(app)

    result = cli(app, "privacy", "erase", ADA, input="y\n")

    assert "Their organizer account will be deleted." in result.output
    assert "organizer account deleted" in result.output
    assert client.get("/organizer/").location.startswith("/organizer/login")
    assert mentions(app, ADA) == []
    assert audit_trail(app)[: len(trail)] == trail
    with app.app_context():
        actors = set(
            db.session.scalars(
                select(AuditEvent.actor).where(AuditEvent.action.in_(["sign_in", "sign_in_failed"]))
            )
        )
        assert actors == {f"erased organizer #{organizer_id}"}
    assert row_counts(app)["organizer"] == 0
    assert row_counts(app)["organizer_session"] == 0
