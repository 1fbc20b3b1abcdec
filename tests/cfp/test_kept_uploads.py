"""Uploads through the author-row buttons: counted like a submit, and the files kept for forms
not sent yet stay within per-client and total bounds (issue 18 items 2 and 3)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask import Flask

from tests.helpers.forms import TWO_PAGES, Upload, client_from, post, submission_fields
from tests.helpers.pdfs import pdf_bytes


def row_action(pdf: bytes | None = TWO_PAGES) -> list:
    fields = [f for f in submission_fields() if f[0] != "pdf"] + [("action", "add")]
    if pdf is not None:
        fields.append(("pdf", Upload("abstract.pdf", "application/pdf", pdf)))
    return fields


def kept_files(app: Flask) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"])
    return sorted(folder.glob("*.pdf"), key=lambda path: path.stat().st_mtime_ns)


def kept_ref(html: str) -> str:
    return re.search(r'name="pdf_upload" type="hidden" value="([^"]*)"', html).group(1)


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_FORM_POSTS="3 per hour")
def test_upload_row_action_with_file_is_rate_limited(app, client):
    for _ in range(3):
        assert post(client, "/submit", row_action(), files=True).status_code == 200
    refused = post(client, "/submit", row_action(), files=True)
    assert refused.status_code == 429
    assert len(kept_files(app)) == 3
    # Rearranging rows without a file stays free.
    assert post(client, "/submit", row_action(pdf=None), files=True).status_code == 200


@pytest.mark.app_config(UPLOAD_KEPT_PER_CLIENT=3, UPLOAD_KEPT_MIN_AGE_SECONDS=0)
def test_upload_kept_per_client_drops_the_oldest(app):
    client = client_from(app, "192.0.2.1")
    other = client_from(app, "192.0.2.2")
    assert post(other, "/submit", row_action(), files=True).status_code == 200
    others = kept_files(app)
    names = []
    for pages in (2, 3, 4, 2, 3, 4):
        post(client, "/submit", row_action(pdf_bytes(pages)), files=True)
        names.append(kept_files(app)[-1].name)
    assert [p.name for p in kept_files(app)] == [others[0].name, *names[-3:]]


@pytest.mark.app_config(
    UPLOAD_KEPT_BYTES_PER_CLIENT=3 * len(TWO_PAGES) + 10, UPLOAD_KEPT_MIN_AGE_SECONDS=0
)
def test_upload_kept_per_client_bytes_are_bounded(app):
    client = client_from(app, "192.0.2.1")
    for _ in range(6):
        assert post(client, "/submit", row_action(), files=True).status_code == 200
    assert len(kept_files(app)) == 3


@pytest.mark.app_config(UPLOAD_KEPT_PER_CLIENT=1, UPLOAD_KEPT_MIN_AGE_SECONDS=0)
def test_upload_kept_cap_never_drops_a_submitted_file(app):
    client = client_from(app, "192.0.2.1")
    assert post(client, "/submit", submission_fields(), files=True).status_code == 303
    submitted = kept_files(app)
    for _ in range(3):
        post(client, "/submit", row_action(), files=True)
    assert len(kept_files(app)) == 2
    assert submitted[0].exists()


@pytest.mark.app_config(UPLOAD_KEPT_TOTAL_BYTES=3 * len(TWO_PAGES), UPLOAD_KEPT_GRACE_SECONDS=0)
def test_upload_kept_total_drops_the_oldest_of_anyone(app):
    for number in range(1, 6):
        post(client_from(app, f"192.0.2.{number}"), "/submit", row_action(), files=True)
    assert sum(path.stat().st_size for path in kept_files(app)) <= 3 * len(TWO_PAGES)
    assert len(kept_files(app)) == 3


@pytest.mark.app_config(UPLOAD_KEPT_TOTAL_BYTES=2 * len(TWO_PAGES))
def test_upload_kept_total_refuses_when_only_recent_files(app):
    for number in (1, 2):
        post(client_from(app, f"192.0.2.{number}"), "/submit", row_action(), files=True)
    client = client_from(app, "192.0.2.3")
    response = post(client, "/submit", submission_fields(), files=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "We cannot take another file at the moment" in html
    assert 'value="Tail latency of recommendation inference on shared GPUs"' in html
    assert kept_ref(html) == ""
    assert len(kept_files(app)) == 2


@pytest.mark.app_config(UPLOAD_KEPT_PER_CLIENT=1)
def test_upload_kept_cap_never_takes_a_file_a_request_may_still_be_saving(app):
    # A burst of submits from one address (a lab behind one NAT) stores files that are
    # committed a moment later: none younger than UPLOAD_KEPT_MIN_AGE_SECONDS is deleted.
    client = client_from(app, "192.0.2.1")
    for _ in range(3):
        assert post(client, "/submit", row_action(), files=True).status_code == 200
    young = kept_files(app)
    assert len(young) == 3
    for path in young:  # ...until they have settled
        stamp = path.stat().st_mtime - 200
        os.utime(path, (stamp, stamp))
    assert post(client, "/submit", row_action(), files=True).status_code == 200
    assert [p for p in young if p.exists()] == []
    assert len(kept_files(app)) == 1
