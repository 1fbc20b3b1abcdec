"""Files for upload tests, generated on the spot (no binaries checked in)."""

from __future__ import annotations

import io
import struct
import zlib

from pypdf import PdfWriter


def pdf_bytes(pages: int, *, password: str | None = None, width: int = 612) -> bytes:
    """A real PDF with `pages` blank pages, optionally encrypted with a password."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=width, height=792)
    if password is not None:
        # RC4 needs no extra crypto library; AES would need `cryptography`.
        writer.encrypt(user_password=password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    """A tiny valid PNG image (1×1 pixel), to rename as .pdf."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def corrupt_pdf_bytes() -> bytes:
    """Starts like a PDF, but the rest is cut off and garbled."""
    return pdf_bytes(3)[:120] + b"\x00garbage" * 20
