"""`flask --app app freeze DIR`: the frozen copy, served by a real static file server and
crawled from its home page, says what the live pages say and keeps nothing private."""

from __future__ import annotations

import functools
import html
import http.client
import http.server
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from fastpath.content import current_workshop
from fastpath.core.extensions import db
from fastpath.program.models import ProgramPublication
from fastpath.program.public import current_program
from fastpath.site.freeze import MARKER, FreezeError, freeze

LIVE = "https://live.example.org"
_LINK = re.compile(r"""\s(?:href|src)\s*=\s*["']([^"']*)["']""")
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[tuple[str, int]]:
    """The folder served by Python's own static file server on a free loopback port."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_address[1]
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def get(address: tuple[str, int], path: str) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection(*address, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def crawl(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Every address reachable from / on the static server: path -> (content type, body).
    Fails on any answer but 200 (a redirect too: links must name the frozen address)."""
    found: dict[str, tuple[str, bytes]] = {}
    failures = []
    with static_server(folder) as address:
        queue, seen = [("/", "start")], {"/"}
        while queue:
            path, referrer = queue.pop()
            status, content_type, body = get(address, path)
            if status != 200:
                failures.append(f"{path} (linked from {referrer}): {status}")
                continue
            found[path] = (content_type, body)
            if content_type.startswith("text/html"):
                links = _LINK.findall(body.decode())
            elif content_type.startswith("text/css"):
                links = _CSS_URL.findall(body.decode())
            else:
                links = []
            for link in links:
                parts = urlsplit(urljoin(path, html.unescape(link)))
                if parts.scheme or parts.netloc or not parts.path:
                    continue  # another site, or a fragment of this page
                if parts.path not in seen:
                    seen.add(parts.path)
                    queue.append((parts.path, path))
    assert failures == []
    return found


@pytest.fixture
def site(app, tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    freeze(app, folder, live_url=LIVE)
    return folder


def page_text(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text() if page else (site / "index.html").read_text()


def test_frozen_site_crawled_from_home_answers_every_link_and_pages_are_html(site):
    found = crawl(site)

    pages = {path for path, (kind, _) in found.items() if kind.startswith("text/html")}
    assert {
        "/",
        "/call-for-papers/",
        "/program/",
        "/speakers/",
        "/people/",
        "/venue/",
        "/previous-editions/",
        "/privacy/",
        "/attendees/",
    } <= pages
    assert all(path.endswith("/") for path in pages)
    for path, (kind, body) in found.items():
        if path.startswith("/static/css/"):
            assert kind.startswith("text/css")
        elif path.startswith("/static/js/"):
            assert "javascript" in kind
        elif path.endswith(".ics"):
            assert kind.startswith("text/calendar"), path
            assert body.startswith(b"BEGIN:VCALENDAR"), path
        elif path.endswith(".pdf"):
            assert kind == "application/pdf", path
        elif not path.startswith("/static/"):
            assert kind.startswith("text/html"), path
            assert body.lstrip().startswith(b"<!doctype html>"), path


def test_frozen_site_has_every_speaker_page_and_the_404_page(app, site):
    with app.app_context():
        speakers = current_program().speakers
    crawled = crawl(site)
    for speaker in speakers:
        _, body = crawled[f"/speakers/{speaker.key}/"]
        assert f"<h1>{html.escape(speaker.name)}</h1>" in body.decode()
    not_found = (site / "404.html").read_text()
    assert "<h1>Page not found</h1>" in not_found
    assert 'href="/"' in not_found  # root-absolute: 404.html is served at any address


def test_frozen_files_never_mention_the_organizers_area_nor_carry_a_form(site):
    files = [path for path in site.rglob("*") if path.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert b"/organizer" not in data, path
        assert b"csrf_token" not in data, path
        assert b"<form" not in data, path


def test_frozen_program_shows_every_item_title_and_time_like_the_live_page(app, client, site):
    live = client.get("/program").get_data(as_text=True)
    frozen = page_text(site, "program")
    with app.app_context():
        items = [item for item in current_program().items if item.kind != "session"]
    assert len(items) > 5
    for item in items:
        for page in (live, frozen):
            assert html.escape(item.title) in page
            assert f'datetime="{item.starts.isoformat(timespec="seconds")}"' in page
            assert f'datetime="{item.ends.isoformat(timespec="seconds")}"' in page


def test_frozen_home_shows_the_key_dates_and_speakers_page_every_speaker(app, site):
    home = page_text(site, "")
    speakers = page_text(site, "speakers")
    with app.app_context():
        workshop = current_workshop()
        key_dates = workshop.key_dates
        names = [speaker.name for speaker in current_program().speakers]
    for item in key_dates:
        assert html.escape(item.label) in home
        if item.deadline:
            assert f'datetime="{item.deadline.utc.isoformat(timespec="seconds")}"' in home
        else:
            assert f'datetime="{item.day.isoformat()}"' in home
    for name in names:
        assert f">{html.escape(name)}</a>" in speakers


def test_frozen_links_to_the_forms_point_at_the_live_site(site):
    # At the tests' clock (2020-01-20) submissions and registration are open.
    home = page_text(site, "")
    assert f'href="{LIVE}/submit"' in home
    assert f'href="{LIVE}/register"' in home
    hrefs = set(_LINK.findall(home))
    assert not {h for h in hrefs if h.startswith(("/submit", "/register", "/registration"))}


@pytest.mark.app_config(NOW="2020-03-01T12:00:00+00:00")
def test_frozen_home_after_the_submission_deadline_says_closed_and_has_no_submit_link(site):
    home = page_text(site, "")
    assert "Submissions are closed: abstracts were due <time" in home
    assert "/submit" not in home
    assert "Submit an abstract" not in home


def _publish(app, snapshot: dict) -> None:
    with app.app_context():
        db.session.add(
            ProgramPublication(
                published_at=datetime(2020, 3, 20, 12, tzinfo=UTC),
                organizer_id=None,
                draft_version=1,
                snapshot=json.dumps(snapshot),
            )
        )
        db.session.commit()


SNAPSHOT = {
    "format": 1,
    "items": [
        {
            "key": "session-papers-1",
            "kind": "session",
            "title": "Papers on frozen sites",
            "starts": "2020-04-05T11:00:00-04:00",
            "ends": "2020-04-05T12:00:00-04:00",
            "room": "Room 101",
            "chair": "Grace Hopper",
        },
        {
            "key": "fp20-007",
            "kind": "paper",
            "title": "Static copies of dynamic sites",
            "starts": "2020-04-05T11:00:00-04:00",
            "ends": "2020-04-05T11:30:00-04:00",
            "session": "Papers on frozen sites",
            "room": "Room 101",
            "speakers": ["ada-lovelace"],
            "authors": [{"name": "Ada Lovelace", "affiliation": "Analytical Engines"}],
            "abstract": "We freeze a site.",
            "slides": None,
            "video_url": None,
            "submission_id": None,
        },
    ],
    "speakers": [
        {
            "key": "ada-lovelace",
            "name": "Ada Lovelace",
            "affiliation": "Analytical Engines",
            "bio": "Wrote the first program.",
        }
    ],
}


def test_frozen_program_of_a_published_program_shows_its_session_and_talk(app, tmp_path):
    _publish(app, SNAPSHOT)
    folder = tmp_path / "site"
    freeze(app, folder, live_url=LIVE)

    crawled = crawl(folder)
    program = crawled["/program/"][1].decode()
    assert "Papers on frozen sites" in program
    assert "Static copies of dynamic sites" in program
    assert 'href="/speakers/ada-lovelace/"' in program
    speaker = crawled["/speakers/ada-lovelace/"][1].decode()
    assert "Wrote the first program." in speaker


def test_freeze_refuses_a_non_empty_folder_that_is_not_an_earlier_freeze(app, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")

    with pytest.raises(FreezeError, match="not an earlier freeze"):
        freeze(app, folder, live_url=LIVE)

    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_freeze_with_clean_replaces_a_folder_that_is_not_an_earlier_freeze(app, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("replace me")

    freeze(app, folder, live_url=LIVE, clean=True)

    assert not (folder / "notes.txt").exists()
    assert (folder / "index.html").exists()
    assert json.loads((folder / MARKER).read_text())["live_url"] == LIVE


def test_freeze_again_replaces_the_earlier_freeze_and_keeps_a_worktree_git_file(app, site):
    (site / "stale.html").write_text("from an older freeze")
    (site / ".git").write_text("gitdir: /somewhere/.git/worktrees/site\n")
    (site / "CNAME").write_text("fastpath.example.org\n")

    freeze(app, site, live_url=LIVE)

    assert not (site / "stale.html").exists()
    assert (site / ".git").read_text() == "gitdir: /somewhere/.git/worktrees/site\n"
    assert (site / "CNAME").read_text() == "fastpath.example.org\n"
    assert (site / "program" / "index.html").exists()


def test_freeze_into_a_fresh_worktree_holding_only_git_needs_no_clean(app, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / ".git").write_text("gitdir: /somewhere\n")

    freeze(app, folder, live_url=LIVE)

    assert (folder / ".git").read_text() == "gitdir: /somewhere\n"
    assert (folder / "index.html").exists()


def test_failed_freeze_leaves_the_earlier_copy_as_it_was(app, site):
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}

    with pytest.raises(FreezeError, match="/no-such-page .*404"):
        freeze(app, site, live_url=LIVE, paths=["/", "/no-such-page"])
    with pytest.raises(FreezeError, match="organizers' area"):
        freeze(app, site, live_url=LIVE, paths=["/", "/organizer/"])

    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert [p.name for p in site.parent.iterdir() if p.name.startswith(".")] == []


def test_freeze_refuses_a_live_url_that_is_not_a_web_address(app, tmp_path):
    with pytest.raises(FreezeError, match="http"):
        freeze(app, tmp_path / "site", live_url="live.example.org")
    assert not (tmp_path / "site").exists()


def test_freeze_command_writes_the_site_and_says_what_it_wrote(app, runner, tmp_path):
    folder = tmp_path / "out"

    result = runner.invoke(args=["freeze", str(folder), "--live-url", LIVE])

    assert result.exit_code == 0, result.output
    assert re.search(r"Froze \d+ pages and \d+ files \([\d,]+ bytes\) into ", result.output)
    assert f"python -m http.server --directory {folder}" in result.output
    assert (folder / "index.html").exists()


def test_freeze_command_refuses_a_foreign_folder_without_clean(app, runner, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")

    refused = runner.invoke(args=["freeze", str(folder)])
    assert refused.exit_code == 1
    assert "not an earlier freeze" in refused.output
    assert (folder / "notes.txt").read_text() == "keep me"

    cleaned = runner.invoke(args=["freeze", str(folder), "--clean"])
    assert cleaned.exit_code == 0, cleaned.output
    assert not (folder / "notes.txt").exists()
    # Default live address: PUBLIC_BASE_URL.
    assert 'href="http://fastpath.test/submit"' in (folder / "index.html").read_text()
