"""A stored file sent as a private download (a submission's PDF, for its authors and the
organizers): the services say which file; this turns it into the response."""

from __future__ import annotations

from pathlib import Path

from flask import Response, send_file
from werkzeug.exceptions import NotFound


def private_download(path: Path, download_name: str, mimetype: str) -> Response:
    """The file at `path` as an attachment no shared cache keeps; 404 when it is gone."""
    try:
        response = send_file(
            path, mimetype=mimetype, as_attachment=True, download_name=download_name, max_age=0
        )
    except FileNotFoundError:
        # Deleted after the caller found it (an edit that replaced the PDF committed meanwhile).
        raise NotFound() from None
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
