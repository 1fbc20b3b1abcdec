"""Registrations in the organizers' area: the list, its search and pages, the detail page."""

from __future__ import annotations

import re

import pytest

from fastpath.registration.models import RegistrationStatus
from tests.helpers.organizers import add_registration, make_organizer, sign_in


def test_registrations_list_searches_filters_and_sorts(app, organizer_client):
    add_registration(app, "Grace Hopper", affiliation="Yale", position="industry")
    add_registration(app, "Alan Turing", affiliation="Cambridge", position="academia")
    add_registration(
        app, "Edsger Dijkstra", affiliation="UT Austin", status=RegistrationStatus.WAITING
    )

    def names(url: str) -> list[str]:
        page = organizer_client.get(url).get_data(as_text=True)
        return re.findall(r'/organizer/registrations/\d+">([^<]+)</a>', page)

    assert names("/organizer/registrations?sort=name") == [
        "Alan Turing",
        "Edsger Dijkstra",
        "Grace Hopper",
    ]
    assert names("/organizer/registrations?q=YALE") == ["Grace Hopper"]
    assert names("/organizer/registrations?q=turing%40") == []
    assert names("/organizer/registrations?position=academia&sort=name") == [
        "Alan Turing",
        "Edsger Dijkstra",
    ]
    assert names("/organizer/registrations?status=waiting") == ["Edsger Dijkstra"]
    assert names("/organizer/registrations?sort=bogus&q=%25") == []


@pytest.mark.app_config(ORGANIZER_PAGE_SIZE=10)
def test_registrations_list_has_pages(app, organizer_client):
    for i in range(25):
        add_registration(app, f"Person {i:02d}")

    page3 = organizer_client.get("/organizer/registrations?sort=name&page=3")
    text = page3.get_data(as_text=True)

    assert re.findall(r'registrations/\d+">([^<]+)</a>', text) == [
        f"Person {i:02d}" for i in range(20, 25)
    ]
    assert "Showing 21–25 of 25." in text
    assert 'href="/organizer/registrations?page=2&amp;sort=name" rel="prev"' in text


def test_registration_detail_shows_everything_and_escapes_html(app, organizer_client):
    registration_id = add_registration(
        app,
        "<script>alert('x')</script> Mallory",
        dietary="Vegan\nno nuts",
        accessibility="Step-free access",
        status=RegistrationStatus.WAITING,
    )

    page = organizer_client.get(f"/organizer/registrations/{registration_id}")
    text = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Mallory" in text
    assert "<script>alert(" not in text
    assert "Vegan\nno nuts" in text and "Step-free access" in text
    assert "number 1 on the waiting list" in text
    assert organizer_client.get("/organizer/registrations/999").status_code == 404


def test_list_search_with_control_characters_is_not_an_error(app, client):
    make_organizer(app)
    sign_in(client)
    for path in ("/organizer/submissions", "/organizer/registrations"):
        response = client.get(path, query_string={"q": "a\x00b\x1f", "status": "\x00"})
        assert response.status_code == 200
