"""Mail helpers: queueing a notice, reading the outbox back, delivering, waiting for a condition."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail import (
    deliver_pending,
    queue_mail,
)
from fastpath.mail.models import OutboxMail

SENDER = "FastPath 2020 Desk <desk@fastpath.example>"
REPLY_TO = "Program Chairs <chairs@fastpath.example>"
MAIL_CONFIG = {"MAIL_DEFAULT_SENDER": SENDER, "MAIL_REPLY_TO": REPLY_TO}
NAME = "Zoë Łukasiewicz 中文 🎉"
SUBJECT = "Grüße, ł, 中文 🎉"
BODY = "Your abstract “Ümlaut” was received.\n\nThank you — 谢谢 🎉 <b>not bold</b>"


def queue_notice(app: Flask, *, to: str | list[str] = "ada@example.org", **context: str) -> int:
    """Queue the generic notice in a committed transaction; return the mail's id."""
    with app.app_context():
        mail = queue_mail(
            to=to,
            template="notice",
            subject=context.pop("subject", "A notice"),
            context={"body": "Hello there.", **context},
        )
        db.session.commit()
        return mail.id


def outbox(app: Flask) -> list[OutboxMail]:
    """Every outbox row, detached for assertions."""
    with app.app_context():
        rows = list(db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)))
        db.session.expunge_all()
        return rows


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.05)


def deliver(app: Flask) -> int:
    with app.app_context():
        return deliver_pending()


def queue_many(app: Flask, count: int) -> None:
    with app.app_context():
        for number in range(count):
            queue_mail(
                to=f"person{number}@example.org",
                template="notice",
                subject=f"Notice {number}",
                context={"body": "x"},
            )
        db.session.commit()
