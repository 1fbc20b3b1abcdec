"""The committee-review part of the `make run` demo (`flask --app app demo setup`): two
reviewer accounts with random passwords (shown once, by the command), and a handful of
fictional submissions, each with a small real PDF, so that assigning, bidding, reviewing and
deciding can be tried at once. Nothing here mails anyone; the caller commits.

The submissions are made only while the database has none at all, so a database with real
submissions is never mixed with demo ones. Their times are fixed moments of January 2020,
before the demo clock (`make run` serves at 2020-01-20), as a real call's would be."""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..cfp.models import (
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionEventKind,
    SubmissionStatus,
    SubmissionTopic,
)
from ..cfp.services import inspect_pdf, rules, upload_dir
from ..core.emails import normalize_email
from ..core.extensions import db
from ..core.tokens import new_nonce, new_token
from ..organizer.models import Organizer, OrganizerRole
from ..organizer.services import create_organizer, find_organizer


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    affiliation: str


# Two reviewers at different (reserved, .test) domains: an author at the first one's domain
# makes exactly one conflict suggested automatically, for reviewer one only.
DEMO_REVIEWERS = (
    DemoPerson("demo-reviewer-1@northwind.test", "Demo Reviewer One", "Northwind University"),
    DemoPerson("demo-reviewer-2@southgate.test", "Demo Reviewer Two", "Southgate Institute"),
)
CONFLICT_DOMAIN = "northwind.test"  # reviewer one's domain; one demo author has it


@dataclass(frozen=True)
class DemoSubmission:
    title: str
    abstract: str
    topics: tuple[str, ...]
    authors: tuple[tuple[str, str, str], ...]  # name, email, affiliation; the first is contact


DEMO_SUBMISSIONS = (
    DemoSubmission(
        "Demo: Roofline plots for an imaginary inference accelerator",
        "A fictional submission for the demo. We draw roofline plots for an accelerator "
        "that does not exist and find that it is, unsurprisingly, memory bound.",
        ("characterization", "accelerators"),
        (("Avery Example", "avery@example.org", "Example Institute of Technology"),),
    ),
    DemoSubmission(
        "Demo: Counting cache misses of a made-up transformer",
        "A fictional submission for the demo. Cache misses of a model nobody trained, "
        "counted with a simulator nobody wrote.",
        ("memory-io", "characterization"),
        (
            ("Blake Sample", "blake@example.org", "Sample University"),
            ("Casey Placeholder", "casey@example.org", "Sample University"),
        ),
    ),
    DemoSubmission(
        "Demo: Scheduling pretend jobs on a pretend cluster",
        "A fictional submission for the demo. A scheduler for jobs that never ran, on a "
        "cluster of imaginary nodes; it is fair to every one of them.",
        ("scheduling", "cloud"),
        (
            ("Dana Fictional", f"dana@{CONFLICT_DOMAIN}", "Northwind University"),
            ("Emery Example", "emery@example.org", "Example College"),
        ),
    ),
    DemoSubmission(
        "Demo: Approximate answers to questions nobody asked",
        "A fictional submission for the demo. We trade accuracy for speed on a benchmark "
        "of invented questions and report invented speed-ups.",
        ("approximate", "efficient-algorithms"),
        (("Finley Mock", "finley@example.org", "Mock State University"),),
    ),
    DemoSubmission(
        "Demo: The power draw of an accelerator that is switched off",
        "A fictional submission for the demo. We measure zero watts very precisely and "
        "discuss the error bars.",
        ("power", "accelerators"),
        (
            ("Gray Dummy", "gray@example.org", "Dummy Labs"),
            ("Harper Stand-in", "harper@example.org", "Dummy Labs"),
        ),
    ),
    DemoSubmission(
        "Demo: A profiler for software that is not written yet",
        "A fictional submission for the demo. The profiler reports that the unwritten "
        "software spends all its time in the unwritten parts.",
        ("software",),
        (("Indigo Trial", "indigo@example.org", "Trial Research Centre"),),
    ),
    DemoSubmission(
        "Demo: Co-designing hardware and software for a toy model",
        "A fictional submission for the demo. Toy hardware, toy software, toy model; the "
        "co-design is real in the sense that both are equally imaginary.",
        ("co-design", "software"),
        (("Jordan Specimen", "jordan@example.org", "Specimen Polytechnic"),),
    ),
)

# When the demo submissions "arrived": January 2020, before the demo clock.
DEMO_FIRST_ARRIVAL = datetime(2020, 1, 10, 9, 0, tzinfo=UTC)


def create_demo_reviewers() -> list[tuple[Organizer, str | None]]:
    """Each demo reviewer account and its new random password, or None as the password
    when the account was there already (its password was shown when it was made)."""
    found: list[tuple[Organizer, str | None]] = []
    for person in DEMO_REVIEWERS:
        existing = find_organizer(person.email)
        if existing is not None:
            found.append((existing, None))
            continue
        password = secrets.token_urlsafe(12)
        reviewer = create_organizer(
            person.email,
            password,
            role=OrganizerRole.REVIEWER,
            name=person.name,
            affiliation=person.affiliation,
        )
        found.append((reviewer, password))
    return found


def pdf_with_text(lines: list[str], pages: int = 2) -> bytes:
    """A small valid PDF (Helvetica, US Letter pages), each page showing the lines; the
    cross-reference table's offsets computed as the file is written."""

    def escaped(text: str) -> str:
        plain = text.encode("latin-1", "replace").decode("latin-1")
        return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    objects: list[bytes] = []
    page_ids = [4 + 2 * i for i in range(pages)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for number in range(pages):
        shown = [*lines, f"Page {number + 1} of {pages}"]
        text = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(f"({escaped(s)}) '" for s in shown)
        stream = (text + " ET").encode("latin-1")
        page = (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_ids[number] + 1} 0 R >>"
        )
        objects.append(page.encode())
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{index} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n"
    ).encode()
    return bytes(out)


def _store_pdf(data: bytes) -> str:
    """Write the PDF under UPLOAD_DIR with a generated name, as the call for papers does."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.pdf"
    handle, temp_name = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
        os.replace(temp_name, directory / stored_name)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return stored_name


def submission_count() -> int:
    return db.session.scalar(db.select(db.func.count(Submission.id))) or 0


def create_demo_submissions() -> list[Submission]:
    """The demo submissions, numbered 1, 2, ... with their PDFs stored; none (an empty list)
    when the database has any submission already."""
    if submission_count():
        return []
    limits = rules()
    made = []
    for index, demo in enumerate(DEMO_SUBMISSIONS):
        number = index + 1
        moment = DEMO_FIRST_ARRIVAL + timedelta(days=index, hours=index % 3)
        pdf = pdf_with_text(
            [demo.title, "A fictional extended abstract of the FastPath demo."],
            pages=limits.pages_min,
        )
        info = inspect_pdf(pdf, limits)  # the call's own checks: a PDF an author could send
        submission = Submission(
            number=number,
            title=demo.title,
            abstract=demo.abstract,
            note="",
            consented_at=moment,
            status=SubmissionStatus.SUBMITTED,
            created_at=moment,
            updated_at=moment,
            version=1,
            token_hash=new_token()[1],  # nobody holds the private link of a demo submission
            link_mailed_to=normalize_email(demo.authors[0][1]),
            form_nonce=new_nonce(),
            pdf_stored_name=_store_pdf(pdf),
            pdf_filename=f"demo-abstract-{number}.pdf",
            pdf_size=info.size,
            pdf_pages=info.pages,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            authors=[
                SubmissionAuthor(
                    position=position,
                    name=name,
                    email=email,
                    affiliation=affiliation,
                    is_contact=position == 1,
                )
                for position, (name, email, affiliation) in enumerate(demo.authors, start=1)
            ],
            topics=[SubmissionTopic(topic_key=key) for key in demo.topics],
        )
        submission.events.append(
            SubmissionEvent(
                at=moment,
                kind=SubmissionEventKind.SUBMITTED,
                details=f"Demo submission, made by `flask --app app demo setup` ({info.pages} "
                "pages)",
            )
        )
        db.session.add(submission)
        made.append(submission)
    db.session.flush()
    return made
