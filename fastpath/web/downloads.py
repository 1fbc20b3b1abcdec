"""A stored file sent as a private download (a submission's PDF, for its authors and the
organizers): the services say which file; this turns it into the response."""

from __future__ import annotations

from pathlib import Path

from flask import Response, send_file
from werkzeug.exceptions import NotFound


def private_download(path: Path, download_name: str, mimetype: str) -> Response:
    """The file at `path` as an attachment; 404 when it is gone."""
    try:
        response = send_file(
            path, mimetype=mimetype, as_attachment=True, download_name=download_name, max_age=0
        )
    except FileNotFoundError:
        # Deleted after the caller found it (an edit that replaced the PDF committed meanwhile).
        raise NotFound() from None
    response.headers["X-Content-Type-Options"] = "nosniff"
    # No Cache-Control here: both callers answer `no-store` already (web/security.py for the
    # private links, the organizer blueprint for its pages), which would overwrite it.
    return response
