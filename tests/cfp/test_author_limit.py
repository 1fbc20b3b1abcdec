"""A post with more authors than the limit is refused with a message, every row kept (issue 18
item 11)."""

from __future__ import annotations

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from tests.helpers.forms import post, submission_fields


def with_authors(count: int) -> list:
    fields = [f for f in submission_fields() if not f[0].startswith("authors-")]
    for index in range(count):
        fields += [
            (f"authors-{index}-name", f"Author {index + 1}"),
            (f"authors-{index}-email", f"author{index + 1}@example.org"),
            (f"authors-{index}-affiliation", "Somewhere"),
        ]
    return fields


def test_author_limit_21st_author_is_refused_and_kept(app, client):
    response = post(client, "/submit", with_authors(21), files=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A submission can have at most 20 authors; this form lists 21." in html
    assert 'value="author21@example.org"' in html
    with app.app_context():
        assert db.session.scalars(db.select(Submission)).all() == []


def test_author_limit_20_authors_are_stored(app, client):
    assert post(client, "/submit", with_authors(20), files=True).status_code == 303
    with app.app_context():
        [submission] = db.session.scalars(db.select(Submission)).all()
        assert [a.email for a in submission.authors][-1] == "author20@example.org"
        assert len(submission.authors) == 20
