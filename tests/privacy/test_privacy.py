"""Privacy: `flask privacy export`, `erase` and `retention`.

The data is made through the real site (registration and submission forms, the organizer
sign-in) and the real services; mail is delivered to the spool folder. The checks read every
text column of every table back through db.metadata.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import LargeBinary, String, func, select

from fastpath.cfp.models import Submission, SubmissionAuthor
from fastpath.core.extensions import db
from fastpath.core.tokens import new_nonce
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail, OutboxStatus
from fastpath.organizer import services as organizer_services
from fastpath.organizer.models import AuditEvent
from fastpath.registration import services as registration_services
from fastpath.registration.models import Registration, RegistrationStatus
from tests.conftest import make_app
from tests.helpers.pdfs import pdf_bytes

EDITION = Path(__file__).resolve().parents[2] / "fastpath" / "editions" / "fastpath2020"
ADA = "ada@example.org"
ADA_NAMES = ("Ada Lovelace", "Augusta Ada King")
# The workshop ends 2020-04-05 17:00 in Boston (21:00 UTC); 180 days later is 2020-10-02.
AFTER_RETENTION = "2020-10-05T00:00:00+00:00"
BEFORE_RETENTION = "2020-09-01T00:00:00+00:00"
DURING_WORKSHOP = datetime(2020, 4, 5, 15, 0, tzinfo=UTC)
TWO_PAGES = pdf_bytes(2)
ADA_IN_TEXT = re.compile(r"ada lovelace|augusta ada king|ada@example\.org", re.IGNORECASE)


# --- Helpers ---------------------------------------------------------------------------------


def make_site(tmp_path: Path, **config: Any) -> Flask:
    """An app on the FastPath 2020 content with room for two attendees."""
    folder = tmp_path / "content"
    if not folder.exists():
        shutil.copytree(EDITION, folder)
        toml = folder / "workshop.toml"
        text = toml.read_text(encoding="utf-8")
        toml.write_text(text.replace("[registration]\n", "[registration]\ncapacity = 2\n", 1))
    # Places at once, no address to confirm first: these tests are about erasure.
    config = {"REGISTRATION_CONFIRM_ADDRESS": False, **config}
    return make_app(tmp_path, CONTENT_DIR=str(folder), **config)


def register(client, name: str, email: str, **extra: str) -> None:
    data = {
        "name": name,
        "email": email,
        "affiliation": f"{name.split()[0]}'s lab",
        "position": "academia",
        "dietary": "vegetarian",
        "accessibility": "step-free access",
        "consent": "y",
        "nonce": new_nonce(),
        **extra,
    }
    response = client.post("/register", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)


def submit(client, title: str, authors: list[tuple[str, str, str]], contact: int = 0) -> None:
    data: dict[str, Any] = {
        "form_nonce": secrets.token_urlsafe(32),
        "title": title,
        "abstract": "We measure tail latency of recommendation models on shared GPUs.",
        "contact": str(contact),
        "topics": ["characterization"],
        "note": "",
        "consent": "y",
        "pdf": (io.BytesIO(TWO_PAGES), "abstract.pdf", "application/pdf"),
    }
    for index, (name, email, affiliation) in enumerate(authors):
        data[f"authors-{index}-name"] = name
        data[f"authors-{index}-email"] = email
        data[f"authors-{index}-affiliation"] = affiliation
    response = client.post("/submit", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)


def populate(app: Flask) -> None:
    """Four attendees (two with places, two waiting), four submissions, an organizer's
    action and a failed organizer sign-in, all mail delivered to the spool folder.

    Ada: registered; contact author of FP20-001 (with Grace and Alan) and sole author of
    FP20-002; co-author of Grace's FP20-003 under another name and spelling of her address.
    Bob: registered, sole author of FP20-004. Carol and Dave: waiting, in that order.
    """
    client = app.test_client()
    register(client, "Ada Lovelace", ADA)
    register(client, "Bob Babbage", "bob@example.org")
    register(client, "Carol Shaw", "carol@example.org")
    register(client, "Dave Cutler", "dave@example.org")
    grace = ("Grace Hopper", "grace@example.org", "Yale University")
    alan = ("Alan Turing", "alan@example.org", "University of Manchester")
    submit(
        client, "Tail latency on shared GPUs", [("Ada Lovelace", ADA, "Engines Ltd"), grace, alan]
    )
    submit(client, "Analytical engines for inference", [("Ada Lovelace", ADA, "Engines Ltd")])
    submit(
        client,
        "Compilers for tensor programs",
        [grace, ("Augusta Ada King", "Ada@Example.ORG", "Engines Ltd")],
    )
    submit(client, "Difference engines at scale", [("Bob Babbage", "bob@example.org", "Cambridge")])
    # Ada typed her address into the organizers' sign-in: the audit log names her.
    client.post("/organizer/login", data={"email": ADA, "password": "not-an-organizer"})
    with app.app_context():
        ada = db.session.scalars(select(Registration).where(Registration.email == ADA)).one()
        assert organizer_services.resend_registration_link(ada, by=None)
        db.session.commit()
        deliver_pending()


def cli(app: Flask, *args: str, input: str | None = None):
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def text_values(app: Flask) -> list[tuple[str, str, str]]:
    """(table, column, value) for every text and binary value in the database."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | LargeBinary)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if value:
                        found.append((table.name, column.name, value))
    return found


def mentions(app: Flask, *needles: str) -> list[tuple[str, str, str]]:
    """The values that contain any of the needles (any case)."""
    folded = [needle.casefold() for needle in needles]
    return [
        (table, column, value)
        for table, column, value in text_values(app)
        if any(needle in value.casefold() for needle in folded)
    ]


def spool_mentions(app: Flask, *needles: str) -> list[str]:
    folder = Path(app.config["MAIL_SPOOL_DIR"])
    texts = {path.name: path.read_text("utf-8", "replace").casefold() for path in folder.iterdir()}
    return [name for name, text in texts.items() if any(n.casefold() in text for n in needles)]


def status_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            select(Registration.status, func.count()).group_by(Registration.status)
        )
        return {status.value: count for status, count in rows}


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def rows(app: Flask, model: Any, *conditions: Any) -> list[dict[str, Any]]:
    """Every column of the matching rows, as plain dicts."""
    with app.app_context():
        table = model.__table__
        query = select(table).where(*conditions).order_by(*table.primary_key.columns)
        found = db.session.execute(query).mappings()
        return [dict(row) for row in found]


def audit_trail(app: Flask) -> list[tuple[int, str]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(AuditEvent.id, AuditEvent.action).order_by(AuditEvent.id)
            )
        ]


def export(app: Flask, email: str) -> dict[str, Any]:
    result = cli(app, "privacy", "export", email)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def registration_of(app: Flask, name: str) -> dict[str, Any]:
    (row,) = rows(app, Registration, Registration.name == name)
    return row


# --- Export ----------------------------------------------------------------------------------


def test_export_prints_everything_about_the_person_and_nothing_of_others(tmp_path):
    app = make_site(tmp_path)
    populate(app)

    data = export(app, "  ADA@example.Org ")

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
    assert actions == ["link-resent", "sign-in-failed"]

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
    assert [action for _, action in after[len(trail) :]] == ["privacy.export"]
    assert mentions(app, "nobody@example.org") == []


def test_export_refuses_something_that_is_not_an_address(tmp_path):
    app = make_site(tmp_path)
    result = cli(app, "privacy", "export", "ada")
    assert result.exit_code == 2
    assert "not a mail address" in result.output


# --- Erase -----------------------------------------------------------------------------------


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


def test_erase_keeps_counts_other_peoples_rows_and_grows_the_audit_trail(tmp_path):
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
    # The trail only grows: every earlier event is still there, then the erasure.
    new_trail = audit_trail(app)
    assert new_trail[: len(trail)] == trail
    assert [action for _, action in new_trail[len(trail) :]] == ["privacy.erase"]
    with app.app_context():
        erasure = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "privacy.erase")
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
                select(AuditEvent.actor).where(AuditEvent.action.in_(["sign-in", "sign-in-failed"]))
            )
        )
        assert actors == {f"erased organizer #{organizer_id}"}
    assert row_counts(app)["organizer"] == 0
    assert row_counts(app)["organizer_session"] == 0


# --- Retention -------------------------------------------------------------------------------


def test_retention_before_the_cutoff_says_how_long_and_changes_nothing(tmp_path):
    app = make_site(tmp_path)
    populate(app)
    app.config["NOW"] = datetime.fromisoformat(BEFORE_RETENTION)
    before = text_values(app)

    result = cli(app, "privacy", "retention")

    assert result.exit_code == 0
    assert result.output == (
        "Attendee data is kept until 2020-10-02T21:00:00+00:00 (180 days after the workshop): "
        "32 day(s) remain. Nothing done.\n"
    )
    assert text_values(app) == before


def test_retention_after_the_cutoff_anonymises_attendees_and_keeps_submissions(tmp_path):
    app = make_site(tmp_path)
    populate(app)
    app.config["NOW"] = datetime.fromisoformat(AFTER_RETENTION)
    counts = status_counts(app)
    submissions = rows(app, Submission)
    authors = rows(app, SubmissionAuthor)
    submission_mails = rows(app, OutboxMail, OutboxMail.subject_ref.like("submission:%"))
    trail = audit_trail(app)

    result = cli(app, "privacy", "retention")

    assert result.exit_code == 0
    assert result.output == (
        "Done: 4 registration(s) anonymised; mails about them: 5 kept without recipient and "
        "text, 0 unsent deleted; 1 audit event(s) scrubbed.\n"
    )
    assert status_counts(app) == counts
    for row in rows(app, Registration):
        assert row["name"] == f"erased-registration-{row['id']}"
        assert row["active_email"] is None
        assert (row["affiliation"], row["dietary"], row["accessibility"]) == ("", "", "")
    # Carol and Dave only registered: nothing of them is left. Bob and Ada are authors too:
    # their registrations and the mails about them are anonymised, their authorship stays.
    assert mentions(app, "Carol Shaw", "carol@", "Dave Cutler", "dave@") == []
    for row in rows(app, OutboxMail, OutboxMail.subject_ref.like("registration:%")):
        assert row["recipients"] == f"erased-mail-{row['id']}@erased.invalid"
        assert row["body_html"] is None
        assert "Bob" not in row["body_text"] and "Ada" not in row["body_text"]
    assert rows(app, Submission) == submissions
    assert rows(app, SubmissionAuthor) == authors
    assert rows(app, OutboxMail, OutboxMail.subject_ref.like("submission:%")) == submission_mails
    new_trail = audit_trail(app)
    assert new_trail[: len(trail)] == trail
    assert [action for _, action in new_trail[len(trail) :]] == ["privacy.retention"]
    assert spool_mentions(app, "carol@example.org", "Carol Shaw") == []

    again = cli(app, "privacy", "retention")
    assert again.output == "Nothing left to anonymise.\n"
    assert audit_trail(app) == new_trail


def test_retention_dry_run_says_what_it_would_do_and_changes_nothing(tmp_path):
    app = make_site(tmp_path)
    register(app.test_client(), "Carol Shaw", "carol@example.org")
    app.config["NOW"] = datetime.fromisoformat(AFTER_RETENTION)
    before = text_values(app)

    result = cli(app, "privacy", "retention", "--dry-run")

    assert result.output.startswith("Would be done (dry run, nothing changed): 1 registration(s)")
    assert text_values(app) == before


def test_retention_days_option_moves_the_cutoff(tmp_path):
    app = make_site(tmp_path, NOW=AFTER_RETENTION, RETENTION_DAYS_AFTER_WORKSHOP=400)
    assert "400 days after the workshop" in cli(app, "privacy", "retention").output
    assert "Nothing left to anonymise." in cli(app, "privacy", "retention", "--days", "30").output


def test_privacy_page_promises_what_the_commands_do(tmp_path):
    app = make_site(tmp_path, RETENTION_DAYS_AFTER_WORKSHOP=90)
    html = app.test_client().get("/privacy").get_data(as_text=True)
    assert "anonymised 90 days after the workshop" in html
    assert "cancelled while the workshop is still ahead" in html
    assert "the PDF of an abstract you wrote alone is deleted" in html
