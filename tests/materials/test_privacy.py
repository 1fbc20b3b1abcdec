"""What materials store about a person, in the privacy export and gone after erasure: the
presenter's bio, video link and slides (files deleted, not left readable), the final version
when they are the only author."""

from __future__ import annotations

import json

import pytest

from tests.helpers.accepted import AFTER_NOTIFICATION, add_accepted
from tests.materials.helpers import (
    author_ids,
    event_kinds,
    materials_files,
    materials_row,
    page_url,
    post_details,
    post_final,
    post_slides,
)

pytestmark = pytest.mark.app_config(NOW=AFTER_NOTIFICATION)
BIO = "Grace Hopper builds compilers."


def privacy(runner, *args: str):
    result = runner.invoke(args=["privacy", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def presented(app, client) -> tuple[int, str]:
    submission_id, token = add_accepted(app)
    _ada, grace = author_ids(app, submission_id)
    assert post_final(client, token).status_code == 303
    assert post_slides(client, token, version="2").status_code == 303
    response = post_details(
        client, token, presenter=grace, bio=BIO, video_url="https://v.example.org/1", version="3"
    )
    assert response.status_code == 303
    return submission_id, token


def test_export_holds_the_presenters_bio_video_link_and_files(app, runner, presented):
    [entry] = json.loads(privacy(runner, "export", "grace@example.org"))["materials"]
    assert entry["reference"] == "FP20-001"
    assert entry["presenter"] is True
    assert (entry["bio"], entry["video_url"], entry["consent_publish"]) == (
        BIO,
        "https://v.example.org/1",
        True,
    )
    assert entry["slides"]["filename"] == "talk.pdf"
    assert entry["final_version"]["pages"] == 3
    [coauthor] = json.loads(privacy(runner, "export", "ada@example.org"))["materials"]
    assert coauthor["presenter"] is False and "bio" not in coauthor


def test_erasing_the_presenter_clears_the_details_and_deletes_the_slides(
    app, client, runner, presented
):
    submission_id, _token = presented
    final_name = materials_row(app, submission_id).final_stored_name
    privacy(runner, "erase", "--yes", "grace@example.org")
    row = materials_row(app, submission_id)
    assert (row.presenter_id, row.bio, row.video_url, row.consent_publish) == (
        None,
        "",
        None,
        False,
    )
    assert (row.slides_stored_name, row.slides_filename) == (None, None)
    # Two authors: the final version names Ada too, and stays.
    assert [p.name for p in materials_files(app)] == [final_name]
    assert "materials_edited" in event_kinds(app, submission_id)


def test_erasing_the_only_author_deletes_every_file(app, client, runner):
    submission_id, token = add_accepted(
        app, authors=[("Edsger Dijkstra", "ed@example.org", "UT Austin")]
    )
    [ed] = author_ids(app, submission_id)
    assert post_final(client, token).status_code == 303
    assert post_slides(client, token, version="2").status_code == 303
    assert post_details(client, token, presenter=ed, version="3").status_code == 303
    privacy(runner, "erase", "--yes", "ed@example.org")
    assert materials_files(app) == []
    row = materials_row(app, submission_id)
    assert (row.final_stored_name, row.slides_stored_name) == (None, None)
    assert client.get(page_url(token, "/final.pdf")).status_code == 404  # the link is gone too
