"""The program page, the speakers list and each speaker page read the published program."""

from __future__ import annotations

import re

from tests.helpers.program import publish, sample_snapshot, store_slides, withdraw


def words(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def test_published_program_shows_sessions_rooms_chairs_presenters_and_links(app, client):
    name, _ = store_slides(app)
    publish(app, sample_snapshot(slides=name))
    html = client.get("/program").get_data(as_text=True)
    text = words(client.get("/program"))
    assert '<h2 class="session-title">Papers I</h2>' in html
    assert "Room: Ballroom B · Chair: Parijat Dube" in text
    assert "Room: Hall A" in text  # the welcome, outside any session
    assert (
        '<a href="/speakers/ada-lovelace">Ada Lovelace</a> '
        '<span class="affiliation">(University of London)</span>' in html
    )
    assert "Authors: Ada Lovelace, Grace Hopper (University of London; Yale University)" in text
    assert '<a href="/program/slides/fp20-007.pdf">Slides' in html
    assert '<a href="https://video.example.org/fp20-007">Video' in html
    assert html.count(">Slides<") == 1  # the second talk's authors did not consent
    assert "Sparse kernels &amp; friends" in html
    assert '<time datetime="2020-04-05T09:15:00-04:00">9:15</time>' in html
    assert '<a href="/program/fp20-007.ics" type="text/calendar">' in html
    assert (
        '<a href="/program.ics" type="text/calendar">Add the day to your calendar (.ics)</a>'
        in html
    )
    # The content file's program is not shown beside it.
    assert "How to Evaluate Efficient Deep Neural Network Approaches" not in html


def test_program_page_names_the_zone_of_its_times(app, client):
    text = words(client.get("/program"))
    assert "Times are in Boston time, America/New_York (EDT)." in text
    publish(app, sample_snapshot())
    assert "Times are in Boston time, America/New_York (EDT)." in words(client.get("/program"))


def test_speakers_list_is_the_published_programs(app, client):
    publish(app, sample_snapshot())
    html = client.get("/speakers/").get_data(as_text=True)
    assert re.findall(r'<a href="/speakers/([^"]+)">', html) == ["ada-lovelace", "alan-turing"]
    assert '<span class="affiliation">Bletchley Park</span>' in html


def test_speaker_page_shows_bio_talk_session_room_coauthors_and_links(app, client):
    name, _ = store_slides(app)
    publish(app, sample_snapshot(slides=name))
    response = client.get("/speakers/ada-lovelace")
    html = response.get_data(as_text=True)
    text = words(response)
    assert response.status_code == 200
    assert "<h1>Ada Lovelace</h1>" in html
    assert "<p>Ada writes programs.</p><p>She likes &lt;engines&gt;.</p>" in html
    assert "<p>We measure.</p><p>Then we model &lt;everything&gt;.</p>" in html
    assert "Roofline models for transformer inference" in text
    assert "Sunday, April 5, 2020, 9:15–9:45 (Boston time, America/New_York (EDT))" in text
    assert "Session: Papers I (chair: Parijat Dube) · Room: Ballroom B" in text
    assert '<a href="/program#session-papers-i">Papers I</a>' in html
    assert "Authors: Ada Lovelace (University of London), Grace Hopper (Yale University)" in text
    assert '<a href="/program/slides/fp20-007.pdf">Slides</a>' in html
    assert '<a href="https://video.example.org/fp20-007">Video</a>' in html
    assert '<a href="/program/fp20-007.ics" type="text/calendar">' in html


def test_speaker_without_bio_or_abstract_says_so(app, client):
    publish(app, sample_snapshot())
    text = words(client.get("/speakers/alan-turing"))
    assert "The abstract has not been published yet." in text
    assert "A short biography has not been published yet." in text


def test_content_file_speaker_is_404_once_a_program_without_them_is_published(app, client):
    assert client.get("/speakers/vivienne-sze").status_code == 200
    publish(app, sample_snapshot())
    assert client.get("/speakers/vivienne-sze").status_code == 404
    assert client.get("/speakers/nobody").status_code == 404


def test_page_cache_follows_a_publish_and_a_withdrawal_without_restart(app, client):
    first = client.get("/program").get_data(as_text=True)
    assert "How to Evaluate Efficient Deep Neural Network Approaches" in first
    assert client.get("/program").get_data(as_text=True) == first  # served from the cache
    publish(app, sample_snapshot())
    published = client.get("/program").get_data(as_text=True)
    assert "Roofline models for transformer inference" in published
    assert "How to Evaluate Efficient Deep Neural Network Approaches" not in published
    assert client.get("/speakers/ada-lovelace").status_code == 200
    withdraw(app)
    assert client.get("/program").get_data(as_text=True) == first
    assert client.get("/speakers/ada-lovelace").status_code == 404
