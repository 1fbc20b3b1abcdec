"""A PDF of very many pages is refused quickly: the page count is read, not walked (issue 18
item 3)."""

from __future__ import annotations

import io
import time

from fastpath.cfp import services
from tests.helpers.forms import Upload, post, submission_fields
from tests.helpers.pdfs import pdf_bytes


def many_pages_pdf(pages: int, *, declared: int | None = None) -> bytes:
    """A flat page tree of `pages` tiny pages; /Count says `declared` (default: the truth)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []

    def obj(number: int, body: bytes) -> None:
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    count = pages if declared is None else declared
    obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    obj(2, b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count)
    for i in range(pages):
        obj(3 + i, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (pages + 3))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (pages + 3, xref))
    return out.getvalue()


def refusal(app, data: bytes) -> tuple[str, float]:
    with app.test_request_context():
        started = time.process_time()
        try:
            services.inspect_pdf(data, services.rules())
        except services.PdfProblem as problem:
            return str(problem), time.process_time() - started
    raise AssertionError("the PDF was accepted")


def test_pdf_of_100000_pages_is_refused_fast(app):
    data = many_pages_pdf(100_000)
    assert len(data) <= app.extensions["workshop"].submission.max_file_bytes
    message, seconds = refusal(app, data)
    assert message == "The PDF has 100000 pages; an extended abstract has 2 to 4 pages."
    assert seconds < 2.5  # walking the tree took over 5 s; reading the count well under 1 s


def test_pdf_whose_count_lies_is_refused_fast(app):
    message, seconds = refusal(app, many_pages_pdf(100_000, declared=3))
    assert message == "The PDF has more than 4 pages; an extended abstract has 2 to 4 pages."
    assert seconds < 2.5


def test_pdf_small_hand_made_tree_is_counted(app):
    with app.test_request_context():
        info = services.inspect_pdf(many_pages_pdf(3), services.rules())
        assert info.pages == 3
        assert services.inspect_pdf(pdf_bytes(4), services.rules()).pages == 4


def test_pdf_many_pages_through_a_row_action_is_refused(client):
    fields = [f for f in submission_fields() if f[0] != "pdf"] + [("action", "add")]
    fields.append(("pdf", Upload("big.pdf", "application/pdf", many_pages_pdf(100_000))))
    response = post(client, "/submit", fields, files=True)
    assert response.status_code == 200
    assert "The PDF has 100000 pages" in response.get_data(as_text=True)
