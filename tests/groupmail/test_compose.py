"""The compose page and the preview: groups with counts, placeholders refused with the
message next to the field (input kept), an empty group refused, each recipient's copy."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from tests.groupmail.conftest import hidden_fields, preview
from tests.helpers.organizers import add_registration, add_submission
from tests.helpers.registrations import field_error, html_of


def outbox_size(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(OutboxMail))


def test_compose_page_shows_groups_with_counts(app: Flask, chair_client: FlaskClient) -> None:
    add_registration(app, "Ada Lovelace")
    add_registration(app, "Alan Turing")
    html = chair_client.get("/organizer/group-mail/").get_data(as_text=True)
    assert 'Registered attendees <span class="badge">2</span>' in html
    assert 'Waiting list <span class="badge">0</span>' in html
    assert "No group mail yet." in html


def test_unknown_placeholder_is_refused_next_to_the_field(
    app: Flask, chair_client: FlaskClient
) -> None:
    add_registration(app, "Ada Lovelace")
    response = preview(chair_client, "registered", "Hello", "Dear {nmae},\n\nsee you.")
    assert response.status_code == 422
    html = html_of(response)
    assert field_error(html, "body") == (
        "{nmae} is not a placeholder; placeholders for this group: {name}, {private_link}."
    )
    assert "Dear {nmae},\n\nsee you.</textarea>" in html  # input kept
    assert outbox_size(app) == 0


def test_placeholder_of_another_group_is_refused(app: Flask, chair_client: FlaskClient) -> None:
    add_registration(app, "Ada Lovelace")
    response = preview(chair_client, "registered", "About {title}", "Dear {name}")
    assert response.status_code == 422
    assert field_error(html_of(response), "subject") == (
        "{title} is not available for this group; placeholders for this group: {name}."
    )


def test_private_link_in_subject_or_inside_a_tag_is_refused(
    app: Flask, chair_client: FlaskClient
) -> None:
    add_registration(app, "Ada Lovelace")
    response = preview(chair_client, "registered", "{private_link}", "[you]({name})")
    html = html_of(response)
    assert response.status_code == 422
    assert field_error(html, "subject").startswith("{private_link} cannot be used in the subject")
    assert field_error(html, "body") == (
        "{name} cannot be used inside a link address or an HTML tag (only {private_link} can)."
    )


def test_private_link_is_not_offered_to_all_authors(app: Flask, chair_client: FlaskClient) -> None:
    add_submission(app)
    response = preview(chair_client, "all_authors", "News", "Your link: {private_link}")
    assert response.status_code == 422
    assert field_error(html_of(response), "body") == (
        "{private_link} is not available for this group; placeholders for this group: {name}, "
        "{submission_number}, {title}."
    )


def test_empty_group_is_refused_and_nothing_sent(app: Flask, chair_client: FlaskClient) -> None:
    response = preview(chair_client, "waiting", "Hello", "Dear {name}")
    assert response.status_code == 422
    assert field_error(html_of(response), "group") == (
        "Nobody is in this group right now: choose another one. Nothing was sent."
    )
    assert outbox_size(app) == 0


def test_preview_lists_everyone_and_shows_the_chosen_copy(
    app: Flask, chair_client: FlaskClient
) -> None:
    add_registration(app, "Ada Lovelace", email="ada@example.org")
    add_registration(app, "Alan <b>Turing</b>", email="alan@example.org")
    response = preview(
        chair_client, "registered", "Hi {name}", "Dear {name},\n\n**Bring** a badge.", show="2"
    )
    assert response.status_code == 200
    html = html_of(response)
    assert '<strong id="recipient-count">2</strong> recipients' in html
    assert "<td><bdi>ada@example.org</bdi></td>" in html
    assert "<td><bdi>alan@example.org</bdi></td>" in html
    assert '<option value="2" selected>2. Alan &lt;b&gt;Turing&lt;/b&gt;' in html
    # The text part: the Markdown as written, the value as it is.
    assert "Dear Alan &lt;b&gt;Turing&lt;/b&gt;,\n\n**Bring** a badge." in html
    # The HTML part (shown escaped in the page): Markdown rendered, the value escaped.
    assert (
        "&lt;p&gt;Dear &lt;bdi&gt;Alan &amp;lt;b&amp;gt;Turing&amp;lt;/b&amp;gt;&lt;/bdi&gt;,"
        "&lt;/p&gt;\n&lt;p&gt;&lt;strong&gt;Bring&lt;/strong&gt; a badge.&lt;/p&gt;"
    ) in html
    assert outbox_size(app) == 0
    fields = hidden_fields(html)
    assert (fields["group"], fields["subject"], fields["count"]) == ("registered", "Hi {name}", "2")
    assert fields["body"] == "Dear {name},\n\n**Bring** a badge."


def test_edit_goes_back_to_the_form_with_input_kept(app: Flask, chair_client: FlaskClient) -> None:
    add_registration(app, "Ada Lovelace")
    response = chair_client.post(
        "/organizer/group-mail/",
        data={"group": "registered", "subject": "Hi", "body": "Dear {name}"},
    )
    assert response.status_code == 200
    html = html_of(response)
    assert 'checked id="group-0" name="group" required type="radio" value="registered"' in html
    assert 'value="Hi"' in html
    assert "Dear {name}</textarea>" in html
