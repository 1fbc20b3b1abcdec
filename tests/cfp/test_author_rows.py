"""Author rows without JavaScript: the add, move and remove buttons keep everything typed."""

from __future__ import annotations

from tests.helpers.submissions import (
    KEPT,
    all_submissions,
    author_values,
    post_submit,
    submission_data,
    text_of,
)


def test_add_author_button_adds_a_row_and_keeps_everything(app, client):
    response = post_submit(client, submission_data(action="add"))
    html = text_of(response)
    assert response.status_code == 200
    assert author_values(html) == [
        ("0", "Ada Lovelace"),
        ("1", "Grace Hopper"),
        ("2", "Alan Turing"),
        ("3", ""),
    ]
    assert "Please correct" not in html  # rearranging is not a failed attempt
    for value in KEPT:
        assert value in html
    # The PDF chosen with it is kept for the final post.
    assert "You chose tail-latency.pdf" in html
    assert all_submissions(app) == []


def test_move_and_remove_rows_and_the_contact_follows_its_author(app, client):
    html = text_of(post_submit(client, submission_data(contact="2", action="up-2")))
    assert [name for _, name in author_values(html)] == [
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
    ]
    assert 'id="contact-1" value="1" checked' in html

    data = submission_data(pdf=None, contact="0", action="remove-0")
    html = text_of(post_submit(client, data))
    assert [name for _, name in author_values(html)] == ["Grace Hopper", "Alan Turing"]
    assert 'id="contact-0" value="0" checked' in html  # the contact was removed: first row

    data = submission_data(pdf=None, contact="0", action="down-0")
    html = text_of(post_submit(client, data))
    assert [name for _, name in author_values(html)] == [
        "Grace Hopper",
        "Ada Lovelace",
        "Alan Turing",
    ]
    assert 'id="contact-1" value="1" checked' in html


def test_row_buttons_with_odd_values_are_harmless(app, client):
    for action in ("remove-99", "up-0", "down-7", "add-1", "explode"):
        response = post_submit(client, submission_data(pdf=None, action=action))
        assert response.status_code in (200, 422)
    assert all_submissions(app) == []
