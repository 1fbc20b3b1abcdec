"""Issue 18, "keep holding": uploads that are not what they say. HTML or JavaScript named
.pdf, a page tree that loops, a small file that inflates to 1 GB, and `../` in the name: each
is refused with the reason next to the file field, quickly, and leaves no file behind."""

from __future__ import annotations

import functools
import io
import re
import struct
import time
import zlib
from pathlib import Path

import pytest
from flask import Flask

from fastpath.cfp import services
from tests.helpers.forms import Upload, post, row_counts, submission_fields
from tests.helpers.pdfs import pdf_bytes

NOT_A_PDF = "This file is not a PDF"
UNREADABLE = "The PDF could not be read"


def write_pdf(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF file of these numbered objects, with a classic cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    size = max(objects) + 1
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[number] if number in offsets else b"")
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    )
    return out.getvalue()


def cyclic_page_tree() -> bytes:
    """Two /Pages nodes that are each other's only kid; /Count claims 2 pages."""
    return write_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 2 >>",
            3: b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 2 >>",
        }
    )


def inflating_to(size: int, prefix: bytes) -> bytes:
    """zlib data that inflates to `prefix` and then `size` bytes of spaces, made without
    compressing `size` bytes: after a full flush, the same input block compresses to the
    same output, so one compressed megabyte is repeated and the checksum computed alongside."""
    block = b" " * (1 << 20)
    compressor = zlib.compressobj(9)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    one = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush()[:-4]  # the final block, without the checksum of what it saw
    checksum = zlib.adler32(prefix)
    for _ in range(size // len(block)):
        checksum = zlib.adler32(block, checksum)
    return head + one * (size // len(block)) + tail + struct.pack(">I", checksum)


@functools.cache
def zlib_bomb_pdf(inflated: int = 1 << 30) -> bytes:
    """A 2-page PDF whose page tree sits in an object stream that inflates to over 1 GB."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> "
    pages = b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> "
    header = b"2 0 3 %d 4 %d " % (len(pages), len(pages) + len(page))
    data = inflating_to(inflated, header + pages + page + page)
    stream = b"<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        len(header),
        len(data),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n")
    catalog = out.tell()
    out.write(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
    objstm = out.tell()
    out.write(b"5 0 obj\n" + stream + data + b"\nendstream\nendobj\n")
    xref = out.tell()
    # A cross-reference stream: type 1 = at an offset, type 2 = inside object stream 5.
    rows = [(0, 0, 255), (1, catalog, 0), (2, 5, 0), (2, 5, 1), (2, 5, 2), (1, objstm, 0)]
    rows.append((1, xref, 0))
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out.write(
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    )
    return out.getvalue()


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def pdf_error(html: str) -> str:
    found = re.search(r'id="pdf-error"[^>]*>(.*?)</', html, re.S)
    return found.group(1) if found else ""


CASES = {
    "html": ("abstract.pdf", "application/pdf", b"<!doctype html><script>alert(1)</script>"),
    "javascript": ("abstract.pdf", "text/javascript", b"alert(document.cookie);\n"),
    "html-after-pdf-magic": ("a.pdf", "application/pdf", b"%PDF-1.4\n<html><script>x</script>"),
    "cyclic-tree": ("loop.pdf", "application/pdf", cyclic_page_tree()),
    "zlib-bomb": ("bomb.pdf", "application/pdf", zlib_bomb_pdf()),
    "dot-dot-name": ("../../../escape.pdf", "application/pdf", b"<html>not a pdf</html>"),
}
MESSAGES = {
    "html": NOT_A_PDF,
    "javascript": NOT_A_PDF,
    "html-after-pdf-magic": UNREADABLE,
    "cyclic-tree": "an extended abstract has 2 to 4 pages",
    "zlib-bomb": UNREADABLE,
    "dot-dot-name": NOT_A_PDF,
}


def test_upload_zlib_bomb_is_small_and_inflates_past_what_pypdf_allows():
    bomb = zlib_bomb_pdf()
    assert len(bomb) < 3 * 1024 * 1024
    inflater, inflated = zlib.decompressobj(), 0
    data = bomb[bomb.index(b"stream\n") + 7 :]
    while data and inflated <= 300 << 20:  # of its 1 GB; pypdf stops at 75 MB
        inflated += len(inflater.decompress(data, 64 << 20))
        data = inflater.unconsumed_tail
    assert inflated > 300 << 20


def test_upload_zlib_bomb_without_its_padding_is_a_good_pdf(app: Flask):
    """So the bomb is refused for inflating, not for a mistake in how it is made."""
    with app.test_request_context():
        info = services.inspect_pdf(zlib_bomb_pdf(1 << 20), services.rules())
    assert info.pages == 2


@pytest.mark.parametrize("case", CASES)
def test_upload_disguised_file_is_refused_and_leaves_nothing(app: Flask, client, tmp_path, case):
    filename, content_type, data = CASES[case]
    before = files_under(tmp_path)
    fields = [(k, v) for k, v in submission_fields() if k != "pdf"]
    started = time.monotonic()

    response = post(
        client, "/submit", [*fields, ("pdf", Upload(filename, content_type, data))], files=True
    )

    assert time.monotonic() - started < 10
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert MESSAGES[case] in pdf_error(html)
    assert 'value="Tail latency of recommendation inference on shared GPUs"' in html  # kept
    assert row_counts(app)["submission"] == 0
    assert files_under(tmp_path) == before  # nothing in uploads/, nothing beside it


def test_upload_dot_dot_name_of_a_good_pdf_stays_in_the_upload_folder(app: Flask, client, tmp_path):
    fields = [(k, v) for k, v in submission_fields() if k != "pdf"]
    pdf = Upload("../../../escape.pdf", "application/pdf", pdf_bytes(2))

    assert post(client, "/submit", [*fields, ("pdf", pdf)], files=True).status_code == 303

    new = [f for f in files_under(tmp_path) if not f.startswith("instance/fastpath.sqlite3")]
    uploads = [f for f in new if f.startswith("instance/uploads/")]
    assert len(uploads) == 1 and re.fullmatch(r"instance/uploads/[0-9a-f]{32}\.pdf", uploads[0])
    assert not any("escape" in f for f in new)
