"""/healthz reports a full or read-only disk the site writes to, not only the database."""

from __future__ import annotations

import pytest

from tests.conftest import make_app
from tests.helpers.faults import fill, remount, tmpfs


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_healthz_503_when_upload_disk_is_full_or_read_only(tmp_path, fault):
    uploads = tmp_path / "uploads"
    with tmpfs(uploads, "256k"):
        app = make_app(tmp_path, UPLOAD_DIR=str(uploads))
        client = app.test_client()
        assert client.get("/healthz").get_json()["storage"] == "ok"
        filler = fill(uploads) if fault == "full" else None
        if fault == "read-only":
            remount(uploads, "ro")

        refused = client.get("/healthz")

        if filler:
            filler.unlink()
        else:
            remount(uploads, "rw")
        recovered = client.get("/healthz")
        left = list(uploads.iterdir())

    assert (refused.status_code, refused.get_json()) == (
        503,
        {"status": "unavailable", "database": "ok", "storage": fault},
    )
    assert (recovered.status_code, recovered.get_json()["status"]) == (200, "ok")
    assert left == []  # the probes left no file behind
