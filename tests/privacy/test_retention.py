"""`flask privacy retention`: attendees anonymised once the retention period is over, and the
privacy page promising what the commands do."""

from __future__ import annotations

from datetime import datetime

from fastpath.cfp.models import Submission, SubmissionAuthor
from fastpath.mail.models import OutboxMail
from fastpath.registration.models import Registration
from tests.helpers.privacy import (
    AFTER_RETENTION,
    BEFORE_RETENTION,
    audit_trail,
    cli,
    make_site,
    mentions,
    populate,
    register,
    rows,
    spool_mentions,
    status_counts,
    text_values,
)


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
    submission_mails = rows(app, OutboxMail, OutboxMail.submission_id.is_not(None))
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
    for row in rows(app, OutboxMail, OutboxMail.registration_id.is_not(None)):
        assert row["recipients"] == f"erased-mail-{row['id']}@erased.invalid"
        assert row["body_html"] is None
        assert "Bob" not in row["body_text"] and "Ada" not in row["body_text"]
    assert rows(app, Submission) == submissions
    assert rows(app, SubmissionAuthor) == authors
    assert rows(app, OutboxMail, OutboxMail.submission_id.is_not(None)) == submission_mails
    new_trail = audit_trail(app)
    assert new_trail[: len(trail)] == trail
    assert [action for _, action in new_trail[len(trail) :]] == ["privacy_retention"]
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
