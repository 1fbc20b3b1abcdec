"""The content folder: validation at start-up, sanitised Markdown, one source for each fact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fastpath.config import PACKAGE_DIR
from fastpath.content import ContentError, load_workshop, render_markdown
from tests.conftest import make_app
from tests.helpers.editions import start_up_with

DEFAULT_CONTENT = PACKAGE_DIR / "editions" / "fastpath2020"


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "edition"
    shutil.copytree(DEFAULT_CONTENT, folder)
    return folder


def edit(folder: Path, old: str, new: str) -> None:
    path = folder / "workshop.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in workshop.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_content_loads_with_all_facts():
    workshop = load_workshop(DEFAULT_CONTENT)
    assert workshop.short_name == "FastPath 2020"
    assert len(workshop.topics) == 14
    assert [p.name for p in workshop.program_committee][0] == "Christophe Dubach"
    assert len(workshop.program) == 14
    assert sum(item.kind == "invited" for item in workshop.program) == 7
    assert workshop.submission.deadline.utc.isoformat() == "2020-02-22T11:59:59+00:00"
    assert workshop.registration.closes.isoformat() == "2020-04-05T13:00:00+00:00"
    assert workshop.registration.capacity is None


def test_bad_date_names_file_field_and_problem(content_copy):
    edit(content_copy, "notification = 2020-03-02", 'notification = "March 2nd"')
    with pytest.raises(ContentError) as error:
        load_workshop(content_copy)
    assert error.value.path == content_copy / "workshop.toml"
    assert error.value.where == "submission.notification"
    assert "expected a date like 2020-04-05, got 'March 2nd'" in str(error.value)


def test_missing_field_names_it(content_copy):
    edit(content_copy, 'short_name = "FastPath 2020"\n', "")
    with pytest.raises(ContentError, match=r"workshop\.short_name: is missing"):
        load_workshop(content_copy)


def test_unknown_topic_names_the_program_item(content_copy):
    edit(
        content_copy,
        'title = "SpecNet: Spectral Domain Convolutional Neural Network"',
        'title = "SpecNet: Spectral Domain Convolutional Neural Network"\ntopics = ["quantum"]',
    )
    with pytest.raises(ContentError) as error:
        load_workshop(content_copy)
    assert error.value.where == "program[5].topics"
    assert "unknown topic 'quantum'" in error.value.problem


def test_unknown_speaker_is_refused(content_copy):
    edit(content_copy, 'speakers = ["vivienne-sze"]', 'speakers = ["vivian"]')
    with pytest.raises(ContentError, match=r"program\[2\]\.speakers: unknown speaker 'vivian'"):
        load_workshop(content_copy)


def test_toml_syntax_error_names_the_file(content_copy):
    edit(content_copy, "[conference]", "[conference")
    with pytest.raises(ContentError) as error:
        load_workshop(content_copy)
    assert error.value.where == "syntax"


def test_missing_page_is_refused(content_copy):
    (content_copy / "pages" / "venue.md").unlink()
    with pytest.raises(ContentError, match=r"venue\.md: file: not found"):
        load_workshop(content_copy)


def test_start_up_stops_with_one_clear_line_not_a_traceback(content_copy, tmp_path):
    edit(content_copy, "date = 2020-04-05\nstarts", 'date = "the fifth"\nstarts')
    result = start_up_with(content_copy, tmp_path)
    assert result.returncode == 3  # app.BOOT_ERROR_STATUS: gunicorn stops on it too
    assert "Traceback" not in result.stderr
    expected = f"fastpath cannot start: {content_copy / 'workshop.toml'}: workshop.date:"
    assert expected in result.stderr


def test_changing_the_deadline_changes_every_page(tmp_path, content_copy):
    edit(content_copy, "deadline = 2020-02-21T23:59:59", "deadline = 2020-02-28T23:59:59")
    client = make_app(tmp_path, CONTENT_DIR=str(content_copy)).test_client()
    for path in ("/", "/call-for-papers"):
        html = client.get(path).get_data(as_text=True)
        assert "February 28, 2020, 23:59 Anywhere on Earth (UTC−12)" in html
        assert "February 21, 2020" not in html


def test_content_dir_from_environment(tmp_path, content_copy, monkeypatch):
    edit(content_copy, 'short_name = "FastPath 2020"', 'short_name = "FastPath 2021"')
    monkeypatch.setenv("FASTPATH_CONTENT_DIR", str(content_copy))
    client = make_app(tmp_path).test_client()
    assert "<title>FastPath 2021</title>" in client.get("/").get_data(as_text=True)


def test_script_in_content_never_reaches_the_page(tmp_path, content_copy):
    venue = content_copy / "pages" / "venue.md"
    venue.write_text(
        venue.read_text(encoding="utf-8")
        + '\n<script>alert("x")</script>\n<a href="javascript:alert(1)" onclick="x()">click</a>\n',
        encoding="utf-8",
    )
    edit(content_copy, 'body = """', 'body = """<img src=x onerror=alert(1)> ')
    client = make_app(tmp_path, CONTENT_DIR=str(content_copy)).test_client()
    for path in ("/venue", "/"):
        html = client.get(path).get_data(as_text=True)
        assert 'alert("x")' not in html
        assert "javascript:" not in html
        assert "onclick" not in html and "onerror" not in html


def test_markdown_keeps_links_and_tables():
    html = render_markdown("A [link](https://example.org).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert '<a href="https://example.org" rel="noopener">link</a>' in html
    assert "<table>" in html and "<td>2</td>" in html


def test_pages_are_rendered_once_at_start_up(tmp_path, content_copy):
    app = make_app(tmp_path, CONTENT_DIR=str(content_copy))
    client = app.test_client()
    first = client.get("/venue").get_data(as_text=True)
    changed = "+++\ntitle='X'\ndescription='Y'\n+++\nchanged"
    (content_copy / "pages" / "venue.md").write_text(changed)
    assert client.get("/venue").get_data(as_text=True) == first
