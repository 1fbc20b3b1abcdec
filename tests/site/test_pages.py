"""The public pages show the workshop's facts from the content folder."""

from __future__ import annotations

import re

import pytest

PAGES = [
    "/",
    "/call-for-papers",
    "/program",
    "/speakers/",
    "/speakers/vivienne-sze",
    "/people",
    "/venue",
    "/previous-editions",
    "/privacy",
]


def text_of(response) -> str:
    return response.get_data(as_text=True)


def static_bytes(client, path: str) -> bytes:
    with client.get(path) as response:  # static files are streamed: close them
        assert response.status_code == 200
        return response.get_data()


@pytest.mark.parametrize("path", PAGES)
def test_page_has_one_h1_title_description_and_og_tags(client, path):
    response = client.get(path)
    html = text_of(response)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert '<html lang="en">' in html
    assert re.search(r"<title>[^<]*FastPath 2020</title>", html)
    assert re.search(r'<meta name="description" content="[^"]{20,}">', html)
    for prop in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
        assert f'property="{prop}"' in html
    assert 'rel="icon"' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html


@pytest.mark.parametrize("path", PAGES)
def test_page_under_100_kb_with_its_css_and_js(client, path):
    total = len(client.get(path).data)
    total += len(static_bytes(client, "/static/css/site.css"))
    total += len(static_bytes(client, "/static/js/site.js"))
    assert total < 100 * 1024


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_nothing_from_other_sites(client, path):
    html = text_of(client.get(path))
    for tag in re.findall(r"<(?:link|script|img)\b[^>]*>", html):
        for url in re.findall(r'(?:href|src)="([^"]+)"', tag):
            assert url.startswith("/"), f"{tag} loads {url} from elsewhere"


def test_home_shows_name_date_place_conference_and_actions(client):
    html = text_of(client.get("/"))
    assert "International Workshop on Performance Analysis of Machine Learning Systems" in html
    assert "Sunday, April 5, 2020" in html
    assert "Boston, Massachusetts, USA" in html
    assert '<a href="https://www.ispass.org/ispass2020">ISPASS 2020</a>' in html
    assert '<a class="button" href="/submit">Submit an abstract</a>' in html
    assert 'href="/register">Register</a>' in html
    assert "Submissions are open on this site" in html  # news
    assert "cross-stack hardware/software performance analysis" in html  # background
    assert "Hardware/software co-design" in html  # a topic
    assert "Author notification" in html and "Monday, March 2, 2020" in html


def test_deadline_shown_in_aoe_spelled_out_and_utc(client):
    for path in ("/", "/call-for-papers"):
        html = text_of(client.get(path))
        assert "February 21, 2020, 23:59 Anywhere on Earth (UTC−12)" in html
        assert "(February 22, 2020, 11:59 UTC)" in html
        assert 'datetime="2020-02-22T11:59:59+00:00"' in html


def test_call_for_papers_lists_all_topics_format_and_selection(client):
    html = text_of(client.get("/call-for-papers"))
    assert html.count("<li>") >= 14
    for topic in (
        "Workload characterization, performance modeling and profiling of machine learning"
        " applications",
        "Machine learning systems for specific domains, e.g., financial, biological, education,"
        " commerce, healthcare",
    ):
        assert topic in html
    assert "2–4 page extended abstract" in html
    assert "30-minute presentation" in html
    assert "How selection works" in html


def test_program_has_schedule_invited_talks_and_paper_authors(client):
    html = text_of(client.get("/program"))
    assert "How to Evaluate Efficient Deep Neural Network Approaches" in html
    assert 'href="/speakers/vivienne-sze">Vivienne Sze</a>' in html
    assert html.count('<span class="tag tag-invited">Invited</span>') == 7 + 1  # 7 talks + legend
    assert html.count('<span class="tag tag-paper">Paper</span>') == 2 + 1
    assert "Bochen Guan, Jinnian Zhang, William A. Sethares, Richard Kijowski, Fang Liu" in html
    assert "9:15</time>–<time" in html and "17:00</time>" in html
    assert "Lunch" in html


def test_speaker_page_shows_name_affiliation_talk_and_what_is_unknown(client):
    html = text_of(client.get("/speakers/anju-kambadur"))
    assert "<h1>Anju Kambadur</h1>" in html
    assert "Bloomberg L.P." in html
    assert "The Bloomberg Data Science Platform" in html
    assert "Ania Musial" in html and "Ian Hummel" in html
    assert "The abstract has not been published yet." in html


def test_unknown_speaker_is_404(client):
    response = client.get("/speakers/nobody")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


def test_people_lists_organizers_by_role_and_committee(client):
    html = text_of(client.get("/people"))
    assert "<dt>General Chair</dt>" in html
    assert "Erik Altman" in html and "Vijay Janapa Reddi" in html and "Falk Pollok" in html
    assert "<dt>Program Chairs</dt>" in html
    assert "Gennady Pekhimenko" in html and "University of Toronto" in html
    assert "NYU / Facebook" in html


def test_venue_links_to_ispass_and_names_no_hotel(client):
    html = text_of(client.get("/venue"))
    assert "https://www.ispass.org/ispass2020" in html
    assert "Boston" in html
    assert "hotel" in html.lower()  # points to ISPASS for it
    assert "Hilton" not in html and "Marriott" not in html


def test_previous_editions_listed_newest_first(client):
    html = text_of(client.get("/previous-editions"))
    years = [int(y) for y in re.findall(r'<th scope="row">(\d{4})</th>', html)]
    assert years == [2019, 2018, 2015, 2014, 2013, 2012]
    assert "Philadelphia" in html


def test_navigation_marks_the_current_page(client):
    html = text_of(client.get("/program"))
    assert '<a href="/program" aria-current="page">Program</a>' in html
    assert html.count('aria-current="page"') == 1
    speaker = text_of(client.get("/speakers/vivienne-sze"))
    assert '<a href="/program" aria-current="page">Program</a>' in speaker


def test_404_is_a_styled_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = text_of(response)
    assert "<h1>Page not found</h1>" in html
    assert 'rel="stylesheet" href="/static/css/site.' in html


def test_500_is_a_styled_page(app):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/_boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in text_of(response)


def test_clock_banner_shows_pinned_moment(client):
    html = text_of(client.get("/"))
    assert 'class="clock-banner"' in html
    assert "January 20, 2020, 12:00 UTC" in html


@pytest.mark.app_config(NOW=None)
def test_no_clock_banner_on_real_time(client):
    assert 'class="clock-banner"' not in text_of(client.get("/"))


def test_healthz_ok_with_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "storage": "ok"}


def test_healthz_503_when_database_unreachable(tmp_path, monkeypatch):
    from fastpath import create_app
    from fastpath.core.extensions import db

    # Unreachable at start-up, the app refuses to start; here the database goes away later.
    folder = tmp_path / "database"
    folder.mkdir()
    monkeypatch.setenv("FASTPATH_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'db.sqlite3'}"}
    )
    with app.app_context():
        db.engine.dispose()
    folder.rename(tmp_path / "gone")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "database": "unreachable",
        "storage": "ok",
    }


def test_print_stylesheet_for_the_program(client):
    css = static_bytes(client, "/static/css/site.css").decode()
    assert "@media print" in css


def test_privacy_page_says_what_why_how_long_and_whom(client):
    html = text_of(client.get("/privacy"))
    assert "<h1>Privacy</h1>" in html
    assert "dietary and accessibility needs" in html
    assert "anonymised 180 days after the workshop" in html
    assert "General Chair: Erik Altman" in html
    assert '<a href="/privacy">Privacy</a>' in text_of(client.get("/"))
