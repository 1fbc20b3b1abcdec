"""Presenter, speaker bio, video link and consent: each rule refused next to its field with
the input kept; a save recorded and confirmed by mail, to the link's owner only."""

from __future__ import annotations

import pytest

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from tests.helpers.accepted import AFTER_NOTIFICATION, add_accepted
from tests.helpers.mail import outbox
from tests.materials.helpers import (
    author_ids,
    event_kinds,
    materials_row,
    page_url,
    post_details,
    post_final,
    text_of,
    version_of,
)

pytestmark = pytest.mark.app_config(NOW=AFTER_NOTIFICATION)


def test_details_are_saved_recorded_and_confirmed_to_the_link_owner(app, client, accepted):
    submission_id, token = accepted
    _ada, grace = author_ids(app, submission_id)
    response = post_details(
        client,
        token,
        presenter=grace,
        bio="Grace Hopper builds compilers.",
        video_url="https://video.example.org/talks/42",
    )
    assert response.status_code == 303
    row = materials_row(app, submission_id)
    assert (row.presenter_id, row.bio, row.video_url, row.consent_publish) == (
        grace,
        "Grace Hopper builds compilers.",
        "https://video.example.org/talks/42",
        True,
    )
    assert row.version == 2
    assert row.missing == ["final version", "slides"]
    assert event_kinds(app, submission_id)[-1] == "materials_edited"

    [mail] = outbox(app)
    # The private link's owner (the contact author), not the presenter typed in the form.
    assert mail.recipients == "ada@example.org"
    assert "Presenter: Grace Hopper (Yale University)" in mail.body_text
    assert "Speaker bio: 4 words" in mail.body_text
    assert "Video link: https[:]//video[.]example[.]org/talks/42" in mail.body_text
    assert "Consent to publish slides and video: yes" in mail.body_text
    assert "Still missing: final version, slides." in mail.body_text

    page = text_of(client.get(page_url(token)))
    assert 'value="https://video.example.org/talks/42"' in page
    assert "2 of 4 in; still missing: final version, slides." in page


def test_saving_the_same_details_again_changes_nothing(app, client, accepted):
    submission_id, token = accepted
    ada, _grace = author_ids(app, submission_id)
    assert post_details(client, token, presenter=ada).status_code == 303
    assert post_details(client, token, presenter=ada, version="2").status_code == 303
    assert materials_row(app, submission_id).version == 2
    assert len(outbox(app)) == 1


@pytest.mark.parametrize(
    ("video_url", "message"),
    [
        ("http://video.example.org/talk", "The video link must start with https://"),
        ("https://", "This is not a web address with a host name"),
        ("https://localhost/talk", "This is not a web address with a host name"),
        ("https://user:pw@video.example.org/", "This is not a web address with a host name"),
        ("javascript:alert(1)", "The video link must start with https://"),
        ("https://video.example.org/a b", "The link contains spaces"),
        ("https://video.example.org:port/", "This is not a web address."),
        (
            "https://video.example.org/" + "x" * 500,
            "The link has 526 characters; the limit is 500.",
        ),
    ],
    ids=["http", "no-host", "no-dot", "credentials", "javascript", "space", "bad-port", "long"],
)
def test_a_bad_video_link_is_refused_with_the_input_kept(app, client, accepted, video_url, message):
    submission_id, token = accepted
    ada, _grace = author_ids(app, submission_id)
    response = post_details(client, token, presenter=ada, video_url=video_url, bio="Kept bio.")
    assert response.status_code == 422
    page = text_of(response)
    assert message in page
    assert 'id="video_url-error"' in page
    assert "Kept bio." in page
    assert materials_row(app, submission_id) is None
    assert outbox(app) == []


def test_a_bio_over_the_word_limit_is_refused_with_the_count(app, client, accepted):
    submission_id, token = accepted
    ada, _grace = author_ids(app, submission_id)
    response = post_details(client, token, presenter=ada, bio="word " * 151)
    assert response.status_code == 422
    assert "The bio has 151 words; the limit is 150. Please shorten it by 1." in text_of(response)
    assert materials_row(app, submission_id) is None


def test_a_bio_at_the_word_limit_is_taken(app, client, accepted):
    submission_id, token = accepted
    ada, _grace = author_ids(app, submission_id)
    assert post_details(client, token, presenter=ada, bio="word " * 150).status_code == 303
    assert materials_row(app, submission_id).bio == " ".join(["word"] * 150)


def test_a_presenter_who_is_not_an_author_is_refused(app, client, accepted):
    submission_id, token = accepted
    other_id, _other_token = add_accepted(
        app, "Another paper", authors=[("Edsger Dijkstra", "ed@example.org", "UT Austin")]
    )
    [stranger] = author_ids(app, other_id)
    for presenter in (stranger, "", "not-a-number"):
        response = post_details(client, token, presenter=presenter)
        assert response.status_code == 422
        assert "Choose who presents the talk: one of the authors listed." in text_of(response)
    assert materials_row(app, submission_id) is None


def test_a_stale_details_form_is_refused_with_the_input_kept(app, client, accepted):
    submission_id, token = accepted
    ada, grace = author_ids(app, submission_id)
    opened = version_of(text_of(client.get(page_url(token))))
    assert post_final(client, token, version=opened).status_code == 303  # another window
    response = post_details(
        client, token, presenter=grace, bio="From the old page.", version=opened
    )
    assert response.status_code == 409
    page = text_of(response)
    assert "The materials were changed after you opened this page (a final version was" in page
    assert "From the old page." in page
    assert version_of(page) == "2"
    row = materials_row(app, submission_id)
    assert (row.presenter_id, row.bio, row.version) == (None, "", 2)
    # Sent again from the page shown, it is saved.
    assert post_details(client, token, presenter=grace, version="2").status_code == 303
    assert materials_row(app, submission_id).presenter_id == grace


def test_confirmation_goes_to_the_address_the_link_was_mailed_to(app, client):
    submission_id, token = add_accepted(app)
    with app.app_context():
        db.session.get(Submission, submission_id).link_mailed_to = "grace@example.org"
        db.session.commit()
    ada, _grace = author_ids(app, submission_id)
    assert post_details(client, token, presenter=ada).status_code == 303
    assert [mail.recipients for mail in outbox(app)] == ["grace@example.org"]
