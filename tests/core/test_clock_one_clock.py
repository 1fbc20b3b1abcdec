"""One clock: what the site shows or stores carries the site's moment (FASTPATH_NOW when
pinned); only real-time timers (sessions, lockouts, mail backoff and claims) use real time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from fastpath.cfp.models import Submission
from fastpath.clock import as_utc
from fastpath.config import PACKAGE_DIR
from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail
from fastpath.organizer.models import Organizer, OrganizerSession, SignInThrottle
from tests.helpers.organizers import add_submission, download, make_organizer, sign_in

PINNED = "2020-03-01T08:30:00+00:00"
PINNED_AT = datetime.fromisoformat(PINNED)
ANNA = ("Anna Müller", "anna@example.de", "ETH Zürich")


def decide_one(app) -> int:
    make_organizer(app)
    client = app.test_client()
    assert sign_in(client).status_code == 302
    submission_id = add_submission(app, "Roofline models", authors=[ANNA])
    data = {"outcome": "accepted", "ids": [submission_id]}
    assert client.post("/organizer/decisions", data=data).status_code == 303
    return submission_id


@pytest.mark.app_config(NOW=PINNED)
def test_decision_audit_and_mail_date_carry_the_pinned_moment(mail_app, smtp):
    submission_id = decide_one(mail_app)
    with mail_app.app_context():
        assert as_utc(db.session.get(Submission, submission_id).decided_at) == PINNED_AT
        events = db.session.scalars(db.select(AuditEvent)).all()
        assert {as_utc(event.at) for event in events} == {PINNED_AT}
        organizer = db.session.scalars(db.select(Organizer)).one()
        assert as_utc(organizer.created_at) == PINNED_AT
        assert as_utc(organizer.last_sign_in_at) == PINNED_AT
        assert deliver_pending() == 1
        [mail] = db.session.scalars(db.select(OutboxMail)).all()
        assert as_utc(mail.created_at) == as_utc(mail.sent_at) == PINNED_AT
    [received] = smtp.recorder.wait_for(1)
    assert parsedate_to_datetime(received.message["Date"]) == PINNED_AT


@pytest.mark.app_config(NOW=PINNED)
def test_spooled_mail_is_named_for_the_pinned_moment(app):
    decide_one(app)
    with app.app_context():
        assert deliver_pending() == 1
    [path] = Path(app.config["MAIL_SPOOL_DIR"]).iterdir()
    assert path.name.startswith("20200301-083000-")


@pytest.mark.app_config(NOW=PINNED)
def test_export_decided_at_and_file_name_carry_the_pinned_moment(app):
    decide_one(app)
    client = app.test_client()
    assert sign_in(client).status_code == 302
    _, rows, _ = download(client, "/organizer/export/submissions.csv")
    assert [row["Decided at"] for row in rows] == ["2020-03-01T08:30:00+00:00"]
    response = client.get("/organizer/export/submissions.csv")
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="fastpath-2020-submissions-2020-03-01.csv"'


@pytest.mark.app_config(NOW=PINNED)
def test_real_time_timers_ignore_the_pinned_moment(app):
    before = datetime.now(UTC)
    decide_one(app)  # signs in (a session row) and queues mail (due at once)
    for _ in range(5):
        sign_in(app.test_client(), password="wrong")
    after = datetime.now(UTC)
    with app.app_context():
        session_row = db.session.scalars(db.select(OrganizerSession)).one()
        assert before <= as_utc(session_row.created_at) <= after
        [mail] = db.session.scalars(db.select(OutboxMail)).all()
        assert before <= as_utc(mail.next_attempt_at) <= after
        # The pause of this account from this client address (the sign-in throttle).
        pause = db.session.scalars(
            db.select(SignInThrottle).where(SignInThrottle.organizer_id.is_not(None))
        ).one()
        locked = as_utc(pause.locked_until)
        assert before + timedelta(minutes=15) <= locked <= after + timedelta(minutes=15)


def test_no_module_but_the_clock_reads_the_time_or_copies_as_utc():
    reads = ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time(", "def as_utc")
    found = [
        f"{path.relative_to(PACKAGE_DIR)}: {read}"
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if path != PACKAGE_DIR / "clock.py"
        for read in reads
        if read in path.read_text(encoding="utf-8")
    ]
    assert found == []
