"""`make bench-reviews` (also the last part of `make bench`): the chairs' review table at
full size, against the issue's target of 200 ms server time.

A fresh SQLite database is seeded with bulk inserts (one INSERT per table, not the ORM one
row at a time): 500 submissions of 1-3 authors and 1-2 topics, a committee of 30 reviewers,
and 3 assignments per submission, each with a submitted review (every score field of the
content file's form, both texts of a realistic length). A chair signs in through the real
form, then `GET /organizer/reviews/table` is requested in the same process through the
Flask test client: a few warm-up requests, then REQUESTS measured ones. The time measured
is the server's: a WSGI middleware times each request from the call into the app until its
body is fully produced (the test client adds nothing to it). p50 and p95 are printed with
the target; the run fails when p95 is over it, or when the page does not show every seeded
submission (then the figure measures some other page, e.g. a stub).

`python -m tests.benchmarks.reviews_table` runs it alone; BENCH_TABLE_REQUESTS sets the
count (default 50), BENCH_TABLE_URL another URL of the same data (e.g. with a sort).
"""

from __future__ import annotations

import gc
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import insert

from fastpath.cfp.models import Submission, SubmissionAuthor, SubmissionTopic
from fastpath.content import current_workshop
from fastpath.core.extensions import db
from fastpath.gunicorn_conf import freeze_startup_objects
from fastpath.organizer import services
from fastpath.organizer.models import Organizer, OrganizerRole
from fastpath.reviews.models import Assignment, Review, ReviewStatus
from tests.benchmarks.tricks import make_app
from tests.helpers.organizers import EMAIL, PASSWORD, sign_in

SUBMISSIONS = 500
REVIEWERS = 30
PER_SUBMISSION = 3
REQUESTS = int(os.environ.get("BENCH_TABLE_REQUESTS", "50"))
WARM_UP = 3
URL = os.environ.get("BENCH_TABLE_URL", "/organizer/reviews/table")
TARGET_MS = 200.0
MOMENT = datetime(2020, 2, 25, 10, 0, tzinfo=UTC)
WORDS = (
    "latency throughput roofline cache accelerator batch kernel memory bandwidth model "
    "profile tail scheduler energy sparse quantized pipeline operator fusion benchmark"
).split()


def sentence(rng: Any, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def seed(app: Flask) -> list[str]:
    """The data set; returns the submissions' titles (to check the page shows them all)."""
    import random

    rng = random.Random(14)  # the same data every run
    with app.app_context():
        db.create_all()
        services.create_organizer(EMAIL, PASSWORD)  # the chair who opens the table
        form = current_workshop().review
        topics = [topic.key for topic in current_workshop().topics]
        hash_for_all = services.create_organizer(
            "template@reviewers.test", secrets.token_urlsafe(16), role=OrganizerRole.REVIEWER
        ).password_hash
        db.session.execute(
            insert(Organizer),
            [
                {
                    "email": f"reviewer{i}@pc{i % 7}.test",
                    "password_hash": hash_for_all,
                    "created_at": MOMENT,
                    "password_changed_at": MOMENT,
                    "role": OrganizerRole.REVIEWER,
                    "name": f"Reviewer {i:02d} Benchmark",
                    "affiliation": f"Committee University {i % 7}",
                }
                for i in range(1, REVIEWERS)
            ],
        )
        reviewer_ids = list(
            db.session.scalars(
                db.select(Organizer.id)
                .where(Organizer.role == OrganizerRole.REVIEWER)
                .order_by(Organizer.id)
            )
        )
        assert len(reviewer_ids) == REVIEWERS
        titles = [
            f"Bench paper {n:03d}: {sentence(rng, 6).rstrip('.')}"
            for n in range(1, SUBMISSIONS + 1)
        ]
        db.session.execute(
            insert(Submission),
            [
                {
                    "number": n,
                    "title": titles[n - 1],
                    "abstract": sentence(rng, 120),
                    "note": "",
                    "consented_at": MOMENT - timedelta(days=30),
                    "status": "submitted",
                    "created_at": MOMENT - timedelta(days=30, minutes=n),
                    "updated_at": MOMENT - timedelta(days=30, minutes=n),
                    "version": 1,
                    "token_hash": secrets.token_hex(32),
                    "form_nonce": secrets.token_hex(16),
                    "pdf_stored_name": f"{n:032x}.pdf",
                    "pdf_filename": "abstract.pdf",
                    "pdf_size": 200_000,
                    "pdf_pages": 3,
                    "pdf_sha256": secrets.token_hex(32),
                }
                for n in range(1, SUBMISSIONS + 1)
            ],
        )
        submission_ids = list(
            db.session.scalars(db.select(Submission.id).order_by(Submission.number))
        )
        authors, topic_rows, assignments, reviews = [], [], [], []
        for index, sid in enumerate(submission_ids):
            for position in range(1, rng.randint(1, 3) + 1):
                authors.append(
                    {
                        "submission_id": sid,
                        "position": position,
                        "name": f"Author {sid}-{position}",
                        "email": f"a{sid}.{position}@example.org",
                        "email_normalized": f"a{sid}.{position}@example.org",
                        "affiliation": f"Author Institute {sid % 40}",
                        "is_contact": position == 1,
                    }
                )
            for key in rng.sample(topics, rng.randint(1, 2)):
                topic_rows.append({"submission_id": sid, "topic_key": key})
            # Consecutive reviewers, wrapping: loads stay balanced (50 reviews each).
            for k in range(PER_SUBMISSION):
                reviewer = reviewer_ids[(index * PER_SUBMISSION + k) % REVIEWERS]
                assignments.append(
                    {"reviewer_id": reviewer, "submission_id": sid, "assigned_at": MOMENT}
                )
                reviews.append(
                    {
                        "reviewer_id": reviewer,
                        "submission_id": sid,
                        "status": ReviewStatus.SUBMITTED,
                        "scores": {
                            f.key: rng.randint(f.lowest, f.highest) for f in form.score_fields
                        },
                        "texts": {f.key: sentence(rng, 80) for f in form.text_fields},
                        "created_at": MOMENT,
                        "updated_at": MOMENT,
                        "submitted_at": MOMENT,
                        "version": 2,
                    }
                )
        for model, rows in (
            (SubmissionAuthor, authors),
            (SubmissionTopic, topic_rows),
            (Assignment, assignments),
            (Review, reviews),
        ):
            db.session.execute(insert(model), rows)
        db.session.commit()
        db.engine.dispose()
    return titles


class ServerTimer:
    """WSGI middleware: the time of each request, from the call until the body is produced."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app
        self.timings_ms: list[float] = []

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        body = self.wsgi_app(environ, start_response)
        try:
            chunks = list(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        self.timings_ms.append((time.perf_counter() - started) * 1000)
        return chunks


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_table_bench() -> list[tuple[str, bool]]:
    """Seeds, measures and prints; returns the checks (label, passed)."""
    with tempfile.TemporaryDirectory(prefix="fastpath-bench-table-") as tmp:
        app = make_app(Path(tmp) / "instance")
        started = time.monotonic()
        titles = seed(app)
        seeded_in = time.monotonic() - started
        timer = ServerTimer(app.wsgi_app)
        app.wsgi_app = timer  # type: ignore[method-assign]
        client = app.test_client()
        signed_in = sign_in(client)
        assert signed_in.status_code == 302, f"the chair could not sign in: {signed_in.status}"
        timer.timings_ms.clear()
        statuses = []
        page = ""
        for _ in range(WARM_UP + REQUESTS):
            response = client.get(URL)
            statuses.append(response.status_code)
            page = response.get_data(as_text=True)
        unfrozen = timer.timings_ms[WARM_UP:]
        # As a gunicorn worker runs it: gunicorn_conf.post_worker_init freezes the objects
        # made at start-up (see freeze_startup_objects). Measured again after that.
        freeze_startup_objects()
        timer.timings_ms.clear()
        for _ in range(REQUESTS):
            response = client.get(URL)
            statuses.append(response.status_code)
            page = response.get_data(as_text=True)
        timings = list(timer.timings_ms)
        gc.unfreeze()
        with app.app_context():
            db.engine.dispose()
    # A submission counts as shown when its title or its reference (FP20-001) is on the page.
    shown = sum(
        1
        for number, title in enumerate(titles, start=1)
        if title in page or f"-{number:03d}" in page
    )
    p50 = statistics.median(timings)
    p95 = percentile(timings, 0.95)
    print(
        f"\nchairs' review table: {SUBMISSIONS} submissions × {PER_SUBMISSION} submitted reviews,"
        f" {REVIEWERS} reviewers (seeded in {seeded_in:.1f} s)"
    )
    print(f"  GET {URL} as a chair, {REQUESTS} requests after {WARM_UP} warm-up, server time:")
    print(
        f"  without gc.freeze: p50 {statistics.median(unfrozen):7.1f} ms"
        f"   p95 {percentile(unfrozen, 0.95):7.1f} ms   max {max(unfrozen):7.1f} ms"
    )
    print(
        f"  as gunicorn runs:  p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {max(timings):7.1f} ms"
        f"   target < {TARGET_MS:.0f} ms   ({len(page) // 1024} KB page)"
    )
    return [
        (
            f"review table: every request answered 200 ({sorted(set(statuses))})",
            set(statuses) == {200},
        ),
        (
            f"review table: the page shows all {SUBMISSIONS} seeded submissions ({shown}; "
            "otherwise this measures another page)",
            shown == SUBMISSIONS,
        ),
        (f"review table: p95 under {TARGET_MS:.0f} ms server time ({p95:.1f} ms)", p95 < TARGET_MS),
    ]


def main() -> int:
    checks = run_table_bench()
    print()
    for label, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
