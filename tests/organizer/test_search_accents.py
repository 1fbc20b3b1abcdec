"""The organizers' search ignores accents and case, both ways, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.helpers.organizers import add_registration, add_submission, make_organizer, sign_in


@pytest.fixture
def signed_in(app, client):
    make_organizer(app)
    assert sign_in(client).status_code == 302
    return client


def _names(client, path: str, q: str) -> list[str]:
    """The names a list page links to, in its order (registrations: the rows' names)."""
    page = client.get(path, query_string={"q": q, "sort": "name"})
    assert page.status_code == 200
    return re.findall(r'href="/organizer/registrations/\d+">([^<]+)</a>', page.text)


def _references(client, q: str) -> list[str]:
    page = client.get("/organizer/submissions", query_string={"q": q})
    assert page.status_code == 200
    return sorted(set(re.findall(r"FP20-\d{3}", page.text)))


def test_search_registrations_ignores_accents_and_case(app, signed_in):
    add_registration(app, "Anna Müller", affiliation="ETH Zürich")
    add_registration(app, "Ben Muller", affiliation="Uni Basel")
    add_registration(app, "Søren Straße", affiliation="DTU")
    add_registration(app, "Zoë Other", affiliation="Elsewhere")
    both = ["Anna Müller", "Ben Muller"]

    for q in ("müller", "Muller", "MÜLLER", "mu\u0308ller", "  muLLer "):
        assert _names(signed_in, "/organizer/registrations", q) == both, q
    assert _names(signed_in, "/organizer/registrations", "zurich") == ["Anna Müller"]
    assert _names(signed_in, "/organizer/registrations", "soren strasse") == ["Søren Straße"]
    assert _names(signed_in, "/organizer/registrations", "Zoe") == ["Zoë Other"]
    assert _names(signed_in, "/organizer/registrations", "100%_") == []

    export = signed_in.get("/organizer/export/registrations.csv?q=Muller")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"), newline="")))
    assert sorted(row[rows[0].index("Name")] for row in rows[1:]) == both


def test_search_submissions_ignores_accents_in_titles_and_authors(app, signed_in):
    add_submission(app, "Caches on Cortex", authors=[("Anna Müller", "anna@example.de", "ETH")])
    add_submission(app, "Über-fast kernels", authors=[("Li Lei", "li@example.cn", "PKU")])
    add_submission(app, "Plain", authors=[("José Muller", "jose@example.es", "Universitat Zürich")])

    assert _references(signed_in, "Muller") == ["FP20-001", "FP20-003"]
    assert _references(signed_in, "müller") == ["FP20-001", "FP20-003"]
    assert _references(signed_in, "uber-FAST") == ["FP20-002"]
    assert _references(signed_in, "jose") == ["FP20-003"]
    assert _references(signed_in, "zurich") == ["FP20-003"]
    assert _references(signed_in, "nobody") == []
