"""The migrations of issue 13: audit actions renamed to one style, and outbox mails pointing at
their submission or registration with foreign keys instead of "submission:12" strings; both
undone by the downgrade."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from fastpath.core.extensions import db
from tests.conftest import make_app

BEFORE = "e4b2c7d1a905"  # the schema before issue 13's migrations
MOMENT = "2020-01-20 12:00:00.000000"


def _insert_rows_before(connection) -> None:
    connection.execute(
        text(
            "INSERT INTO submission (id, number, title, abstract, note, consented_at,"
            " status, created_at, updated_at, version, token_hash, form_nonce,"
            " pdf_stored_name, pdf_filename, pdf_size, pdf_pages, pdf_sha256) VALUES"
            " (12, 1, 't', 'a', '', :at, 'SUBMITTED', :at, :at, 1, 'h', 'n', 's', 'f', 1, 1, 'x')"
        ),
        {"at": MOMENT},
    )
    connection.execute(
        text(
            "INSERT INTO registration (id, name, email, email_normalized, affiliation, position,"
            " dietary, accessibility, public_listing, consent, status, arrival, token_hash,"
            " calendar_uid, created_at, updated_at) VALUES (7, 'Ada', 'ada@example.org',"
            " 'ada@example.org', '', 'academia', '', '', :no, :yes, 'REGISTERED', 1, 'h',"
            " 'registration-7', :at, :at)"
        ),
        {"at": MOMENT, "yes": True, "no": False},
    )
    for action in ("sign-in-failed", "privacy.erase", "link-resent", "lockout"):
        connection.execute(
            text(
                "INSERT INTO audit_event (at, actor, action, details)"
                " VALUES (:at, 'command line', :action, '')"
            ),
            {"at": MOMENT, "action": action},
        )
    for mail_id, ref in enumerate(
        ["submission:12", "registration:7", None, "submission:99"], start=1
    ):
        connection.execute(
            text(
                "INSERT INTO outbox_mail (id, message_id, template, subject_ref, sender,"
                " recipients, subject, body_text, status, attempts, created_at, next_attempt_at)"
                " VALUES (:id, :message_id, 't', :ref, 's@x.org', 'a@x.org', 'S', 'B', 'SENT', 1,"
                " :at, :at)"
            ),
            {"id": mail_id, "message_id": f"<{mail_id}@x>", "ref": ref, "at": MOMENT},
        )


@pytest.mark.usefixtures("_loggers_kept")
def test_migration_renames_actions_and_types_mail_subjects_and_back(tmp_path):
    app = make_app(tmp_path / "m", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite3'}")
    with app.app_context():
        db.drop_all()
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _insert_rows_before(connection)

        upgrade()
        with db.engine.connect() as connection:
            actions = connection.execute(text("SELECT action FROM audit_event ORDER BY id"))
            mails = connection.execute(
                text("SELECT id, submission_id, registration_id FROM outbox_mail ORDER BY id")
            )
            assert actions.scalars().all() == [
                "sign_in_failed",
                "privacy_erase",
                "link_resent",
                "lockout",
            ]
            # A reference to a submission that is gone cannot be a foreign key: left empty.
            assert [tuple(row) for row in mails] == [
                (1, 12, None),
                (2, None, 7),
                (3, None, None),
                (4, None, None),
            ]

        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            actions = connection.execute(text("SELECT action FROM audit_event ORDER BY id"))
            refs = connection.execute(text("SELECT subject_ref FROM outbox_mail ORDER BY id"))
            assert actions.scalars().all() == [
                "sign-in-failed",
                "privacy.erase",
                "link-resent",
                "lockout",
            ]
            assert refs.scalars().all() == ["submission:12", "registration:7", None, None]
