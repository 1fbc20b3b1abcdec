"""The assignment mail, received by a real SMTP server: one mail per reviewer listing exactly
their new papers, never a conflicted or withdrawn one, and nobody mailed twice."""

from __future__ import annotations

from fastpath.cfp.models import SubmissionStatus
from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.reviews import assignment
from fastpath.reviews.models import Assignment
from tests.helpers.organizers import add_submission, make_organizer, sign_in
from tests.helpers.reviews import assign, make_reviewer

AUTHORS = [("Ada Lovelace", "ada@example.org", "University of London")]


def test_one_mail_per_reviewer_lists_exactly_their_new_papers(mail_app, smtp):
    ann = make_reviewer(mail_app, "ann@one.test", name="Ann One", affiliation="One Lab")
    bob = make_reviewer(mail_app, "bob@two.test", name="Bob Two", affiliation="Two Lab")
    first = add_submission(mail_app, "Roofline models", authors=AUTHORS)
    second = add_submission(mail_app, "Cache misses", authors=AUTHORS)
    third = add_submission(
        mail_app, "Colleague's paper", authors=[("Lee", "lee@one.test", "Elsewhere")]
    )
    gone = add_submission(mail_app, "Withdrawn one", authors=AUTHORS)
    for rid, sid in [(ann, first), (ann, second), (ann, third), (ann, gone), (bob, second)]:
        assign(mail_app, rid, sid)  # third: ann is in a suggested conflict (same domain)
    with mail_app.app_context():
        from fastpath.cfp.models import Submission

        db.session.get(Submission, gone).status = SubmissionStatus.WITHDRAWN
        db.session.commit()
        assert assignment.notify_new_assignments(by=None) == 2
        db.session.commit()
        assert deliver_pending() == 2
    smtp.recorder.wait_for(2)
    [to_ann] = smtp.recorder.to("ann@one.test")
    [to_bob] = smtp.recorder.to("bob@two.test")
    assert to_ann.subject == "[FastPath 2020] 2 new submissions to review"
    assert to_bob.subject == "[FastPath 2020] 1 new submission to review"
    text = to_ann.text
    assert "FP20-001: Roofline models" in text
    assert "http://fastpath.test/organizer/reviews/submissions/1" in text
    assert "FP20-002: Cache misses" in text
    assert "Colleague" not in text and "FP20-003" not in text
    assert "Withdrawn" not in text and "FP20-004" not in text
    assert "Reviews are due by" in text and "UTC" in text
    assert 'href="http://fastpath.test/organizer/reviews/submissions/2"' in to_ann.html
    assert "FP20-002: Cache misses" in to_bob.text and "Roofline" not in to_bob.text
    assert max(len(line) for line in to_ann.text.splitlines()) < 998
    with mail_app.app_context():
        notified = {
            (row.reviewer_id, row.submission_id): row.notified_at is not None
            for row in db.session.scalars(db.select(Assignment))
        }
        assert notified == {
            (ann, first): True,
            (ann, second): True,
            (ann, third): False,
            (ann, gone): False,
            (bob, second): True,
        }
        # Nothing new: nobody is mailed again.
        assert assignment.notify_new_assignments(by=None) == 0


def test_notify_button_mails_and_counts(mail_app, smtp):
    make_organizer(mail_app)
    client = mail_app.test_client()
    assert sign_in(client).status_code == 302
    ann = make_reviewer(mail_app, "ann@one.test", name="Ann One", affiliation="One Lab")
    assign(mail_app, ann, add_submission(mail_app, "A", authors=AUTHORS))
    assign(mail_app, ann, add_submission(mail_app, "B", authors=AUTHORS))
    page = client.get("/organizer/reviews/assign").get_data(as_text=True)
    assert "2 assignments not yet mailed to 1 reviewer." in page
    response = client.post("/organizer/reviews/assignments/notify")
    assert response.status_code == 303
    with mail_app.app_context():
        deliver_pending()
    [mail] = smtp.recorder.wait_for(1)
    assert mail.envelope_to == ["ann@one.test"]
    assert "FP20-001: A" in mail.text and "FP20-002: B" in mail.text
    page = client.get("/organizer/reviews/assign").get_data(as_text=True)
    assert "No assignment is waiting to be mailed." in page
    assert client.post("/organizer/reviews/assignments/notify").status_code == 303
    with mail_app.app_context():
        assert deliver_pending() == 0


def test_saving_the_auto_plan_mails_each_reviewer_once(mail_app, smtp):
    make_organizer(mail_app)
    client = mail_app.test_client()
    assert sign_in(client).status_code == 302
    for i in range(3):
        make_reviewer(mail_app, f"r{i}@lab{i}.test", name=f"R {i}", affiliation=f"Lab {i}")
    for i in range(4):
        add_submission(mail_app, f"Paper {i}", authors=AUTHORS)
    import re

    page = client.get("/organizer/reviews/assign?per_submission=2").get_data(as_text=True)
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page).group(1)
    data = {"per_submission": "2", "fingerprint": fingerprint}
    assert client.post("/organizer/reviews/assign", data=data).status_code == 303
    with mail_app.app_context():
        assert deliver_pending() == 3
    received = smtp.recorder.wait_for(3)
    assert sorted(m.envelope_to[0] for m in received) == [
        "r0@lab0.test",
        "r1@lab1.test",
        "r2@lab2.test",
    ]
    # 8 assignments over 3 reviewers: 3, 3, 2 papers listed.
    assert sorted(m.text.count("FP20-") for m in received) == [2, 3, 3]
