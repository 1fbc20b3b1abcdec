"""`flask --app app review assign`: the automatic assignment from the command line."""

from __future__ import annotations

from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.reviews.models import Assignment
from tests.helpers.organizers import add_submission
from tests.helpers.reviews import declare_conflict, make_reviewer

AUTHORS = [("Ada Lovelace", "ada@example.org", "University of London")]


def setup(app):
    ann = make_reviewer(app, "ann@one.test", name="Ann", affiliation="One")
    bob = make_reviewer(app, "bob@two.test", name="Bob", affiliation="Two")
    first = add_submission(app, "First", authors=AUTHORS)
    second = add_submission(app, "Second", authors=AUTHORS)
    declare_conflict(app, bob, first)
    return ann, bob, first, second


def rows(app):
    with app.app_context():
        found = db.session.execute(db.select(Assignment.reviewer_id, Assignment.submission_id))
        return {tuple(row) for row in found}


def test_dry_run_prints_loads_and_shortfalls_and_saves_nothing(app, runner):
    setup(app)
    result = runner.invoke(
        args=["review", "assign", "--auto", "--per-submission", "2", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "3 new assignment(s), 2 per submission.",
        "Load per reviewer (now -> after):",
        "  ann@one.test\t0 -> 2",
        "  bob@two.test\t0 -> 1",
        "Short: FP20-001 has 1 of 2 reviewers (1 missing: too few without a conflict).",
        "Dry run: nothing saved, nobody mailed.",
    ]
    assert rows(app) == set()


def test_auto_saves_audits_and_queues_mail(app, runner):
    ann, bob, first, second = setup(app)
    result = runner.invoke(args=["review", "assign", "--auto", "--per-submission", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Saved 3 assignment(s); the reviewers were mailed their new ones."
    )
    assert rows(app) == {(ann, first), (ann, second), (bob, second)}
    with app.app_context():
        from fastpath.mail.models import OutboxMail

        mails = db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)).all()
        assert [(m.recipients, m.subject) for m in mails] == [
            ("ann@one.test", "[FastPath 2020] 2 new submissions to review"),
            ("bob@two.test", "[FastPath 2020] 1 new submission to review"),
        ]
    with app.app_context():
        events = db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.action.in_(["assignment_added", "assignments_mailed"]))
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.action.value, e.actor) for e in events] == [
            ("assignment_added", "command line"),
            ("assignment_added", "command line"),
            ("assignment_added", "command line"),
            ("assignments_mailed", "command line"),
            ("assignments_mailed", "command line"),
        ]
    again = runner.invoke(args=["review", "assign", "--auto", "--per-submission", "2"])
    assert again.exit_code == 0
    assert "0 new assignment(s)" in again.output
    assert len(rows(app)) == 3


def test_default_is_three_per_submission(app, runner):
    setup(app)
    result = runner.invoke(args=["review", "assign", "--auto", "--dry-run"])
    assert result.exit_code == 0
    assert result.output.startswith("3 new assignment(s), 3 per submission.")


def test_without_auto_is_a_usage_error(app, runner):
    result = runner.invoke(args=["review", "assign", "--per-submission", "2"])
    assert result.exit_code == 2
    assert "assign by hand on the web page" in result.output
    assert rows(app) == set()


def test_per_submission_out_of_range_is_refused(app, runner):
    result = runner.invoke(args=["review", "assign", "--auto", "--per-submission", "0"])
    assert result.exit_code == 2
    assert rows(app) == set()
