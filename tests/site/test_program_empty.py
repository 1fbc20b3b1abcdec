"""An edition without a program yet says when it will be announced, not an empty table."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

from tests.conftest import make_app
from tests.helpers.editions import EDITION


def app_without_program(tmp_path: Path):
    folder = tmp_path / "edition"
    shutil.copytree(EDITION, folder)
    toml = folder / "workshop.toml"
    text = toml.read_text(encoding="utf-8")
    start, end = text.index("[[program]]"), text.index("[[news]]")
    toml.write_text(text[:start] + text[end:], encoding="utf-8")
    return make_app(tmp_path, CONTENT_DIR=str(folder))


def words(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_empty_program_says_when_it_will_be_announced(tmp_path):
    client = app_without_program(tmp_path).test_client()
    html = client.get("/program").get_data(as_text=True)
    assert '<table class="program">' not in html
    assert (
        "The program will be announced by Monday, March 2, 2020, "
        "when authors hear about their submissions." in words(client, "/program")
    )


def test_empty_program_after_the_notification_date_says_soon(tmp_path):
    app = app_without_program(tmp_path)
    client = app.test_client()
    assert "announced by Monday, March 2, 2020" in words(client, "/program")  # now cached
    app.config["NOW"] = datetime.fromisoformat("2020-03-03T12:00:00+00:00")
    text = words(client, "/program")
    assert "The program will be announced here soon." in text
    assert "March 2, 2020" not in text


def test_program_with_items_is_a_table(client):
    html = client.get("/program").get_data(as_text=True)
    assert '<table class="program">' in html and "will be announced" not in html
