"""Form posts built by hand for the fault and abuse tests: valid ones to start from, and
encoders that can carry any bytes a real client could send (lone surrogates included)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_from_bytes

from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from tests.helpers.pdfs import pdf_bytes

TWO_PAGES = pdf_bytes(2)
LINK = re.compile(r"http://fastpath\.test/(submission|registration)/([A-Za-z0-9_-]{43})\b")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart post."""

    filename: str
    content_type: str
    data: bytes


Field = tuple[str, "str | bytes | Upload"]


def as_bytes(value: str | bytes) -> bytes:
    # "surrogatepass": a lone surrogate goes out as the bytes a sloppy client would send.
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def urlencoded(fields: Iterable[Field]) -> bytes:
    """An application/x-www-form-urlencoded body (a file part is sent as its file name)."""
    pairs = []
    for name, value in fields:
        if isinstance(value, Upload):
            value = value.filename
        pairs.append(f"{quote_from_bytes(as_bytes(name))}={quote_from_bytes(as_bytes(value))}")
    return "&".join(pairs).encode("ascii")


def multipart(fields: Iterable[Field]) -> tuple[str, bytes]:
    """A multipart/form-data body and its content type."""
    boundary = f"fastpath-{secrets.token_hex(12)}"
    parts = []
    for name, value in fields:
        quoted = as_bytes(name).replace(b'"', b"%22").replace(b"\r", b"").replace(b"\n", b"")
        if isinstance(value, Upload):
            filename = as_bytes(value.filename).replace(b'"', b"%22")
            filename = filename.replace(b"\r", b"").replace(b"\n", b"")
            header = (
                b'Content-Disposition: form-data; name="' + quoted + b'"; filename="' + filename
            )
            header += b'"\r\nContent-Type: ' + as_bytes(value.content_type or "x/y") + b"\r\n"
            data = value.data
        else:
            header = b'Content-Disposition: form-data; name="' + quoted + b'"\r\n'
            data = as_bytes(value)
        parts.append(b"--" + boundary.encode() + b"\r\n" + header + b"\r\n" + data + b"\r\n")
    body = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
    return f"multipart/form-data; boundary={boundary}", body


def post(client: Any, path: str, fields: Iterable[Field], *, files: bool = False) -> Any:
    """Post the fields as a browser would: multipart when `files`, else urlencoded."""
    if files:
        content_type, body = multipart(fields)
    else:
        content_type, body = "application/x-www-form-urlencoded", urlencoded(fields)
    return client.post(path, data=body, content_type=content_type)


def submission_fields(
    *, nonce: str | None = None, email: str = "ada@example.org", title: str | None = None
) -> list[Field]:
    """A complete, valid /submit post: two authors (the first is the contact), two topics."""
    return [
        ("form_nonce", nonce or secrets.token_urlsafe(32)),
        ("title", title or "Tail latency of recommendation inference on shared GPUs"),
        ("abstract", "We measure tail latency of recommendation models on shared GPUs."),
        ("authors-0-name", "Ada Lovelace"),
        ("authors-0-email", email),
        ("authors-0-affiliation", "Analytical Engines Ltd"),
        ("authors-1-name", "Grace Hopper"),
        ("authors-1-email", "grace@example.org"),
        ("authors-1-affiliation", "Yale University"),
        ("contact", "0"),
        ("topics", "characterization"),
        ("topics", "accelerators"),
        ("note", "One author may present remotely."),
        ("consent", "y"),
        ("pdf", Upload("tail-latency.pdf", "application/pdf", TWO_PAGES)),
    ]


def registration_fields(
    *, nonce: str | None = None, email: str = "ada@example.org", name: str = "Ada Lovelace"
) -> list[Field]:
    """A complete, valid /register post."""
    return [
        ("name", name),
        ("email", email),
        ("affiliation", "Analytical Engines Ltd"),
        ("position", "academia"),
        ("dietary", "vegetarian"),
        ("accessibility", ""),
        ("consent", "y"),
        ("nonce", nonce or secrets.token_urlsafe(18)),
    ]


def latest_token(app: Flask, kind: str) -> str:
    """The token of the newest private link ("submission" or "registration") in the outbox."""
    with app.app_context():
        for body in db.session.scalars(
            db.select(OutboxMail.body_text).order_by(OutboxMail.id.desc())
        ):
            for found_kind, token in LINK.findall(body):
                if found_kind == kind:
                    return token
    raise AssertionError(f"no {kind} link in the outbox")


def snapshot(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: equal snapshots, nothing changed."""
    with app.app_context():
        tables = {}
        for table in db.metadata.sorted_tables:
            query = db.select(table).order_by(*table.primary_key.columns)
            tables[table.name] = [tuple(row) for row in db.session.execute(query)]
        db.session.rollback()
        return tables


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        counts = {
            table.name: db.session.scalar(db.select(db.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
        db.session.rollback()
        return counts


def client_from(app: Flask, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client
