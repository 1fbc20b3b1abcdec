"""Bad input on the submission form: a message next to the field, the rest kept, nothing
stored; markup and crafted posts answered, never a crash."""

from __future__ import annotations

import pytest

from tests.helpers.submissions import (
    KEPT,
    all_submissions,
    assert_refused_and_kept,
    deliver,
    link_in,
    post_submit,
    submission_data,
    submit_ok,
    text_of,
)


@pytest.mark.parametrize(
    ("overrides", "message", "field_id"),
    [
        ({"title": "  "}, "Enter the title.", "title-error"),
        ({"abstract": ""}, "Enter the abstract.", "abstract-error"),
        ({"topics": None}, "Choose at least one topic.", "topics-error"),
        ({"consent": None}, "Tick this box so that we may store your submission.", "consent-error"),
        ({"authors-1-email": ""}, "Enter the author's email address.", "authors-1-email-error"),
        (
            {"authors-2-affiliation": ""},
            "Enter the author's affiliation",
            "authors-2-affiliation-error",
        ),
    ],
)
def test_submit_missing_field_gets_message_next_to_it(app, client, overrides, message, field_id):
    response = post_submit(client, submission_data(**overrides))
    html = assert_refused_and_kept(app, response, message)
    assert f'id="{field_id}"' in html
    assert 'value="Tail latency' in html or "title" in overrides


def test_submit_without_pdf_asks_for_it_and_keeps_input(app, client):
    response = post_submit(client, submission_data(pdf=None))
    assert_refused_and_kept(app, response, "Choose your extended abstract as a PDF file.", KEPT)


def test_submit_without_any_author_asks_for_one(app, client):
    blank = {f"authors-{i}-{f}": "" for i in range(3) for f in ("name", "email", "affiliation")}
    response = post_submit(client, submission_data(**blank))
    assert_refused_and_kept(app, response, "Add at least one author")


def test_submit_title_too_long(app, client):
    response = post_submit(client, submission_data(title="T" * 201))
    assert_refused_and_kept(
        app, response, "The title has 201 characters; the limit is 200.", ('value="' + "T" * 201,)
    )


def test_submit_abstract_too_many_words_says_how_many(app, client):
    words = " ".join(["word"] * 301)
    response = post_submit(client, submission_data(abstract=words))
    html = assert_refused_and_kept(
        app,
        response,
        "The abstract has 301 words; the limit is 300. Please shorten it by 1.",
        KEPT[:3],
    )
    assert "<span data-word-count>301</span> of 300 words" in html


def test_submit_malformed_author_email(app, client):
    response = post_submit(client, submission_data(**{"authors-1-email": "grace@"}))
    assert_refused_and_kept(
        app, response, "Enter a valid email address, like name@example.org.", ('value="grace@"',)
    )


def test_submit_duplicate_author_emails(app, client):
    response = post_submit(client, submission_data(**{"authors-2-email": "ADA@example.org"}))
    html = assert_refused_and_kept(
        app, response, "Another author above has this address already.", KEPT[:2]
    )
    assert "Each author needs their own email address." in html


def test_submit_unknown_topic_is_an_error_not_a_crash(app, client):
    response = post_submit(client, submission_data(topics=["accelerators", "astrology"]))
    assert_refused_and_kept(app, response, "'astrology' is not a valid choice")


def test_submit_contact_must_be_a_listed_author(app, client):
    overrides = {"contact": "2", "authors-2-name": "", "authors-2-email": ""}
    overrides["authors-2-affiliation"] = ""
    response = post_submit(client, submission_data(**overrides))
    assert_refused_and_kept(app, response, "Choose the contact author")


@pytest.mark.parametrize("contact", ["-1", "3", "x", ""])
def test_submit_contact_outside_the_rows_is_an_error(app, client, contact):
    response = post_submit(client, submission_data(contact=contact))
    assert_refused_and_kept(app, response, "Choose the contact author", KEPT)


def test_submit_blank_author_rows_are_skipped(app, client):
    overrides = {f"authors-1-{f}": "" for f in ("name", "email", "affiliation")}
    submit_ok(client, contact="2", **overrides)
    [row] = all_submissions(app)
    assert [(a.position, a.name, a.is_contact) for a in row.authors] == [
        (1, "Ada Lovelace", False),
        (2, "Alan Turing", True),
    ]


def test_submit_html_and_script_show_as_text_everywhere(mail_app, smtp):
    client = mail_app.test_client()
    script = '<script>alert("x")</script>'
    submit_ok(
        client,
        title=f"Fast {script} paths",
        abstract="Uses <img src=x onerror=alert(1)> & more",
        note="<b>bold</b>",
        **{"authors-0-name": "<i>Ada</i>", "authors-1-affiliation": "<u>Yale</u>"},
    )
    escaped = "Fast &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; paths"
    receipt = text_of(client.get("/submit/thanks"))
    assert escaped in receipt
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; more" in receipt
    assert "&lt;i&gt;Ada&lt;/i&gt;" in receipt and "&lt;u&gt;Yale&lt;/u&gt;" in receipt
    assert "&lt;b&gt;bold&lt;/b&gt;" in receipt
    for markup in (script, "<img src=x", "<i>Ada</i>", "<u>Yale</u>", "<b>bold</b>"):
        assert markup not in receipt

    deliver(mail_app, smtp, 3)
    [mail] = smtp.recorder.to("ada@example.org")
    assert f"Title: Fast {script} paths" in mail.text  # plain text: shown as typed
    assert escaped in mail.html
    for markup in (script, "<img src=x", "<i>Ada</i>", "<b>bold</b>"):
        assert markup not in mail.html
    page = text_of(client.get(link_in(mail.text)))
    assert escaped in page and script not in page
    [coauthor] = smtp.recorder.to("grace@example.org")
    assert escaped in coauthor.html and script not in coauthor.html


def test_submit_line_breaks_in_title_and_names_become_spaces(app, client):
    submit_ok(client, title="Two\r\nlines\x00 here", **{"authors-0-name": "Ada\nLovelace"})
    [row] = all_submissions(app)
    assert row.title == "Two lines here"
    assert row.authors[0].name == "Ada Lovelace"


@pytest.mark.parametrize(
    "overrides",
    [
        {"contact": "first"},
        {"contact": "-1"},
        {"contact": "99"},
        {"form_nonce": "x" * 5000},
        {"form_nonce": None},
        {"pdf_upload": "not-signed"},
        {"topics": ""},
        {"topics": ["accelerators"] * 500},
        {"authors-999999-name": "Far away"},
        {"authors-0-email": "ada@example.org\r\nBcc: victim@example.org"},
        {"title": "\x00\x01\x02"},
        {"note": "n" * 5000},
        {"pdf": "just a string, not a file"},
        {"consent": "maybe"},
        {"action": "remove-99999999999999999999999"},
        {"version": "abc"},
    ],
)
def test_crafted_posts_get_an_answer_not_a_crash(app, client, overrides):
    data = submission_data(**{k: v for k, v in overrides.items() if k != "pdf"})
    if "pdf" in overrides:
        data["pdf"] = overrides["pdf"]
    response = post_submit(client, data)
    # 413: more form parts than Flask accepts (MAX_FORM_PARTS); the friendly page says so.
    assert response.status_code in (200, 303, 413, 422)
    for row in all_submissions(app):
        assert "\n" not in row.contact.email and "\x00" not in row.title
