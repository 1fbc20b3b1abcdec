"""The From name follows the edition's content (workshop.short_name) unless configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail import deliver_pending, queue_mail
from tests.conftest import SmtpServer, make_app
from tests.helpers.editions import edition_with


def edition_2021(tmp_path: Path) -> Path:
    return edition_with(
        tmp_path,
        'short_name = "FastPath 2020"',
        'short_name = "FastPath 2021"',
        name="fastpath2021",
    )


def from_header_of_a_mail(app: Flask, smtp: SmtpServer) -> str:
    with app.app_context():
        queue_mail(to="ada@example.org", template="notice", subject="Hi", context={"body": "x"})
        db.session.commit()
        assert deliver_pending() == 1
    [received] = smtp.recorder.received
    return str(received.message["From"])


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ({}, "FastPath 2021 <fastpath@localhost>"),
        ({"MAIL_DEFAULT_SENDER": "desk@fastpath.example"}, "FastPath 2021 <desk@fastpath.example>"),
        (
            {"MAIL_DEFAULT_SENDER": "Program Desk <desk@fastpath.example>"},
            "Program Desk <desk@fastpath.example>",
        ),
    ],
)
def test_sender_name_is_the_editions_unless_configured(
    tmp_path: Path, smtp: SmtpServer, configured: dict[str, str], expected: str
) -> None:
    content = edition_2021(tmp_path)
    app = make_app(tmp_path, CONTENT_DIR=str(content), **smtp.app_config(), **configured)

    assert from_header_of_a_mail(app, smtp) == expected
