"""Who is offered materials: accepted submissions whose authors were told. Rejected,
withdrawn and undecided ones (and accepted ones not told yet) get the plain 404 on every
materials route, like a token never issued, and their submission page offers nothing."""

from __future__ import annotations

import re

import pytest

from fastpath.cfp.models import SubmissionStatus
from tests.helpers.accepted import AFTER_NOTIFICATION, add_accepted
from tests.helpers.forms import snapshot
from tests.materials.helpers import page_url, post_details, post_final, post_slides, text_of

pytestmark = pytest.mark.app_config(NOW=AFTER_NOTIFICATION)
# The page's own address (the only part of a 404 that differs between addresses).
OWN_ADDRESS = re.compile(r'<meta property="og:url" content="[^"]*">')

NOT_OFFERED = {
    "rejected": {"status": SubmissionStatus.REJECTED},
    "withdrawn": {"status": SubmissionStatus.WITHDRAWN},
    "undecided": {"status": SubmissionStatus.SUBMITTED},
    "accepted, not told": {"status": SubmissionStatus.ACCEPTED, "notified": False},
}


@pytest.mark.parametrize("case", list(NOT_OFFERED), ids=list(NOT_OFFERED))
def test_materials_routes_answer_the_plain_404_when_nothing_is_offered(app, client, case):
    _submission_id, token = add_accepted(app, **NOT_OFFERED[case])
    plain = client.get("/no-such-page").get_data(as_text=True)
    before = snapshot(app)
    responses = [
        client.get(page_url(token)),
        client.get(page_url(token, "/final.pdf")),
        client.get(page_url(token, "/slides.pdf")),
        post_final(client, token),
        post_slides(client, token),
        post_details(client, token, presenter=1),
    ]
    for response in responses:
        assert response.status_code == 404
        assert OWN_ADDRESS.sub("", response.get_data(as_text=True)) == OWN_ADDRESS.sub("", plain)
    assert snapshot(app) == before
    page = text_of(client.get(f"/submission/{token}"))
    assert "Final materials" not in page


def test_accepted_submission_page_shows_the_final_materials_section(app, client, accepted):
    _submission_id, token = accepted
    page = text_of(client.get(f"/submission/{token}"))
    assert '<h2 id="final-materials-title">Final materials</h2>' in page
    assert "by <strong>April 5, 2020, 09:00 America/New_York = April 5, 2020, 13:00 UTC" in page
    assert "0 of 4 in; still missing: final version, slides, presenter, speaker bio." in page
    assert f'href="/submission/{token}/materials"' in page


def test_downloads_of_files_not_sent_are_404(app, client, accepted):
    _submission_id, token = accepted
    assert client.get(page_url(token, "/final.pdf")).status_code == 404
    assert client.get(page_url(token, "/slides.pdf")).status_code == 404
