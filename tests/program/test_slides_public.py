"""/program/slides/<key>.pdf serves only the slides the current publication lists."""

from __future__ import annotations

import copy

from tests.helpers.program import publish, sample_snapshot, store_slides, withdraw


def status(client, path: str) -> int:
    with client.get(path) as response:  # a file is streamed: close it
        return response.status_code


def test_published_consented_slides_are_served_inline_as_pdf(app, client):
    name, data = store_slides(app)
    publish(app, sample_snapshot(slides=name))
    with client.get("/program/slides/fp20-007.pdf") as response:
        assert response.status_code == 200
        assert response.get_data() == data
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == "inline; filename=fp20-007-slides.pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_slides_of_a_talk_without_consent_are_404_even_when_the_file_exists(app, client):
    published, _ = store_slides(app)
    unconsented, _ = store_slides(app)  # uploaded by fp20-008's authors, not to be published
    publish(app, sample_snapshot(slides=published))
    assert status(client, "/program/slides/fp20-008.pdf") == 404
    # Nor under its stored name, nor any other name.
    assert status(client, f"/program/slides/{unconsented[:-4]}.pdf") == 404
    assert status(client, f"/program/slides/{published[:-4]}.pdf") == 404
    assert status(client, "/program/slides/session-papers-i.pdf") == 404


def test_slides_are_404_before_any_publication_and_after_a_withdrawal(app, client):
    name, _ = store_slides(app)
    assert status(client, "/program/slides/fp20-007.pdf") == 404
    publish(app, sample_snapshot(slides=name))
    assert status(client, "/program/slides/fp20-007.pdf") == 200
    withdraw(app)
    assert status(client, "/program/slides/fp20-007.pdf") == 404


def test_slides_only_of_the_newest_publication(app, client):
    name, _ = store_slides(app)
    publish(app, sample_snapshot(slides=name))
    later = sample_snapshot()  # consent withdrawn before the second publish
    publish(app, later)
    assert status(client, "/program/slides/fp20-007.pdf") == 404


def test_slides_whose_file_is_gone_or_name_is_not_a_stored_name_are_404(app, client):
    name, _ = store_slides(app)
    snapshot = sample_snapshot(slides=name)
    broken = copy.deepcopy(snapshot)
    broken["items"][2]["slides"] = "../../secret.pdf"
    publish(app, broken)
    assert status(client, "/program/slides/fp20-007.pdf") == 404
    gone = copy.deepcopy(snapshot)
    gone["items"][2]["slides"] = "0" * 32 + ".pdf"
    publish(app, gone)
    assert status(client, "/program/slides/fp20-007.pdf") == 404
