"""The migration spells every stored address again with the one normaliser (issue 12 item 10):
rows written before are found by the new look-ups, and no row is lost."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from fastpath.core.extensions import db
from tests.conftest import make_app

BEFORE = "50bf70013ea4"  # the schema before one normaliser


@pytest.mark.usefixtures("_loggers_kept")
def _insert_rows_with_addresses_as_stored_before(connection, moment: str) -> None:
    """One row of each table that holds an address, spelled as the old normaliser left it."""
    connection.execute(
        text(
            "INSERT INTO submission (id, number, title, abstract, note, consented_at,"
            " status, created_at, updated_at, version, token_hash, form_nonce,"
            " pdf_stored_name, pdf_filename, pdf_size, pdf_pages, pdf_sha256) VALUES"
            " (1, 1, 't', 'a', '', :at, 'SUBMITTED', :at, :at, 1, 'h', 'n', 's', 'f',"
            " 1, 1, 'x')"
        ),
        {"at": moment},
    )
    connection.execute(
        text(
            "INSERT INTO submission_author (id, submission_id, position, name, email,"
            " affiliation, is_contact) VALUES (1, 1, 1, 'Ü', 'ÜNAL@Example.org', '', :yes)"
        ),
        {"yes": True},
    )
    connection.execute(
        text(
            "INSERT INTO registration (id, name, email, email_normalized, active_email,"
            " affiliation, position, dietary, accessibility, public_listing, consent,"
            " status, arrival, token_hash, created_at, updated_at) VALUES (1, 'Ü',"
            " 'U\u0308nal@Example.org', 'u\u0308nal@example.org', 'u\u0308nal@example.org',"
            " '', 'academia', '', '', :no, :yes, 'REGISTERED', 1, 'h', :at, :at)"
        ),
        {"at": moment, "yes": True, "no": False},
    )
    connection.execute(
        text(
            "INSERT INTO registration_event (registration_id, at, kind, details)"
            " VALUES (1, :at, 'registered', '')"
        ),
        {"at": moment},
    )
    connection.execute(
        text(
            "INSERT INTO organizer (id, email, password_hash, created_at,"
            " password_changed_at, failed_sign_ins) VALUES (1, 'ÜNAL@example.org',"
            " 'x', :at, :at, 0)"
        ),
        {"at": moment},
    )


def test_migration_respells_addresses_stored_before(tmp_path):
    app = make_app(tmp_path / "m", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite3'}")
    moment = "2020-01-20 12:00:00.000000"
    with app.app_context():
        db.drop_all()
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _insert_rows_with_addresses_as_stored_before(connection, moment)

        upgrade()

        with db.engine.connect() as connection:
            author = connection.execute(text("SELECT email_normalized FROM submission_author"))
            registration = connection.execute(
                text("SELECT email_normalized, active_email FROM registration")
            )
            organizer = connection.execute(text("SELECT email FROM organizer"))
            assert author.scalar_one() == "ünal@example.org"
            assert tuple(registration.one()) == ("ünal@example.org", "ünal@example.org")
            assert organizer.scalar_one() == "ünal@example.org"
            # Nothing else was lost on the way (a copied-and-dropped table would cascade).
            events = connection.execute(text("SELECT count(*) FROM registration_event"))
            assert events.scalar_one() == 1
