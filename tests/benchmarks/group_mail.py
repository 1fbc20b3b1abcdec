"""Group mail to 5,000 registered attendees, against the issue's target: queued in < 5 s,
the request returning before any delivery.

A fresh SQLite database gets 5,000 registrations in one bulk insert. A chair signs in through
the real form, previews a mail that uses {name} and {private_link} (the slow case: a new
private link per person, their pending-link hashes updated and a history line each), then
the send POST is timed through the Flask test client, in process. Delivery is not part of
it (no background sender; MAIL_SERVER unset); the run checks that every mail is in the
outbox, queued, with the batch id. CSRF is off here: the figure is the send's, not the
form's.

`PYTHONPATH=. .venv/bin/python tests/benchmarks/group_mail.py` runs it; BENCH_GROUP_MAIL_SIZE
sets the number of attendees (default 5000).
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

from sqlalchemy import insert

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail, OutboxStatus
from fastpath.organizer import services
from fastpath.registration.models import Registration, RegistrationStatus
from tests.benchmarks.tricks import make_app
from tests.helpers.organizers import EMAIL, PASSWORD, sign_in

SIZE = int(os.environ.get("BENCH_GROUP_MAIL_SIZE", "5000"))
TARGET_SECONDS = 5.0
MOMENT = datetime(2020, 2, 1, 10, 0, tzinfo=UTC)
BODY = (
    "Dear {name},\n\nthe workshop is on **Sunday** in room B1. Badges are at the desk from "
    "8:00.\n\n- bring your ID\n- the Wi-Fi is *fastpath*\n\nYour registration: {private_link}\n"
)


def seed(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.create_all()
        services.create_organizer(EMAIL, PASSWORD)
        db.session.execute(
            insert(Registration),
            [
                {
                    "name": f"Attendee {n:04d} Benchmark",
                    "email": f"attendee{n}@example.org",
                    "email_normalized": f"attendee{n}@example.org",
                    "active_email": f"attendee{n}@example.org",
                    "affiliation": "Benchmark University",
                    "position": "academia",
                    "dietary": "",
                    "accessibility": "",
                    "public_listing": False,
                    "consent": True,
                    "status": RegistrationStatus.REGISTERED,
                    "arrival": n,
                    "token_hash": secrets.token_hex(32),
                    "calendar_uid": f"registration-{secrets.token_hex(16)}",
                    "created_at": MOMENT,
                    "updated_at": MOMENT,
                }
                for n in range(1, SIZE + 1)
            ],
        )
        db.session.commit()


def hidden_fields(html: str) -> dict[str, str]:
    found = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html))
    return {name: unescape(value) for name, value in found.items()}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="fastpath-bench-groupmail-") as folder:
        app = make_app(Path(folder) / "instance", WTF_CSRF_ENABLED=False)
        seed(app)
        client = app.test_client()
        assert sign_in(client).status_code == 302
        started = time.perf_counter()
        page = client.post(
            "/organizer/group-mail/preview",
            data={"group": "registered", "subject": "See you on Sunday, {name}", "body": BODY},
        )
        preview_seconds = time.perf_counter() - started
        assert page.status_code == 200, page.status_code
        fields = hidden_fields(page.get_data(as_text=True))
        assert fields["count"] == str(SIZE), fields.get("count")

        started = time.perf_counter()
        response = client.post("/organizer/group-mail/send", data=fields)
        send_seconds = time.perf_counter() - started
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]

        with app.app_context():
            queued = db.session.scalar(
                db.select(db.func.count())
                .select_from(OutboxMail)
                .where(OutboxMail.status == OutboxStatus.QUEUED, OutboxMail.batch_id.is_not(None))
            )
            pending = db.session.scalar(
                db.select(db.func.count())
                .select_from(Registration)
                .where(Registration.pending_token_hash.is_not(None))
            )
        print(f"group mail to {SIZE} attendees ({{name}}, {{private_link}}), SQLite, in process")
        print(f"  preview POST: {preview_seconds:.2f} s (page with the full list)")
        print(f"  send POST:    {send_seconds:.2f} s  (target < {TARGET_SECONDS:.0f} s)")
        print(f"  queued mails: {queued}, new pending links: {pending}")
        ok = send_seconds < TARGET_SECONDS and queued == SIZE and pending == SIZE
        print("  OK" if ok else "  FAILED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
