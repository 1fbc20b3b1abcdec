"""CSV exports: parsed back with the csv module and compared with the rows in the database."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from fastpath.cfp.models import SubmissionStatus
from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.organizer.exports import neutralize
from fastpath.registration.models import RegistrationStatus
from tests.conftest import DEMO_NOW
from tests.helpers.organizers import (
    BOM,
    EMAIL,
    add_registration,
    add_submission,
    download,
    parse,
)

TODAY = DEMO_NOW[:10]  # the site's clock (pinned in tests) dates export names

REGISTRATION_HEADER = [
    "Registration",
    "Status",
    "Waiting list place",
    "Name",
    "Email",
    "Affiliation",
    "Position",
    "Dietary needs",
    "Accessibility needs",
    "Public attendee list",
    "Registered at",
    "Updated at",
    "Promoted at",
    "Cancelled at",
]
SUBMISSION_HEADER = [
    "Submission",
    "Status",
    "Title",
    "Authors",
    "Author affiliations",
    "Author emails",
    "Contact author",
    "Contact email",
    "Topics",
    "Abstract",
    "Note to the organizers",
    "PDF file",
    "PDF pages",
    "PDF bytes",
    "Submitted at",
    "Updated at",
    "Withdrawn at",
    "Decided at",
    "Authors notified at",
]
AUTHOR_HEADER = [
    "Submission",
    "Title",
    "Status",
    "Author position",
    "Name",
    "Affiliation",
    "Email",
    "Contact author",
]


@pytest.fixture
def tricky_registrations(app) -> dict[str, int]:
    return {
        "jack": add_registration(
            app,
            'Smith, John "Jack"',
            email="jack@example.org",
            affiliation='=HYPERLINK("http://x")',
            dietary="+41 44 123 45 67",
            accessibility="-5",
            public_listing=True,
            created_at=datetime(2020, 1, 15, 10, 0, tzinfo=UTC),
        ),
        "wang": add_registration(
            app,
            "王小明",
            email="wang@example.cn",
            affiliation="清华大学",
            position="student",
            dietary="  @SUM(A1)",
            accessibility="line one\nline two",
            status=RegistrationStatus.WAITING,
            created_at=datetime(2020, 1, 16, 8, 5, 9, tzinfo=UTC),
        ),
        "zoe": add_registration(
            app,
            "Zoë Ångström",
            email="zoe@example.se",
            affiliation="\tTab AB",
            dietary="\r\nstarts with a line break",
            accessibility="a - b = c",
            position="industry",
            created_at=datetime(2020, 1, 17, 23, 59, 59, tzinfo=UTC),
        ),
    }


@pytest.fixture
def tricky_submissions(app) -> dict[str, int]:
    return {
        "first": add_submission(
            app,
            "Line one of the title\nand line two, with a comma",
            authors=[
                ('Müller, Anna "Anni"', "anna@example.de", "+41 44 123 45 67"),
                ("李雷", "li@example.cn", "北京大学"),
                ("-5 Minus", "minus@example.org", '=HYPERLINK("http://x")'),
            ],
            topics=("accelerators", "characterization"),
            abstract="=cmd|' /C calc'!A0\nSecond paragraph: 50% faster.",
            note="@admin please",
            created_at=datetime(2020, 1, 10, 12, 0, tzinfo=UTC),
        ),
        "second": add_submission(
            app,
            "Plain title",
            authors=[("Bob Example", "bob@example.org", "Example Corp")],
            topics=("memory-io",),
            status=SubmissionStatus.WITHDRAWN,
            created_at=datetime(2020, 1, 11, 7, 0, tzinfo=UTC),
        ),
    }


# --- The cell rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+41 44 123 45 67", "'+41 44 123 45 67"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("   =1+1", "'   =1+1"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("\nLF", "'\nLF"),
        ("a - b = c", "a - b = c"),
        ("Smith, John", "Smith, John"),
        ("", ""),
        ("   ", "   "),
        ("中文", "中文"),
    ],
)
def test_neutralize_quotes_only_formula_starts(value, expected):
    assert neutralize(value) == expected
    assert expected.removeprefix("'") == value  # nothing else is lost


# --- Registrations ------------------------------------------------------------------------


def test_registrations_export_round_trips_every_value(app, organizer_client, tricky_registrations):
    header, rows, raw = download(organizer_client, "/organizer/export/registrations.csv")
    labels = dict(app.extensions["workshop"].registration.positions)

    assert header == REGISTRATION_HEADER
    assert raw.split(b"\r\n")[0] == BOM + ",".join(REGISTRATION_HEADER).encode()
    assert raw.endswith(b"\r\n")
    assert b'"Smith, John ""Jack"""' in raw  # RFC 4180: quoted, quotes doubled
    by_name = {row["Name"]: row for row in rows}
    assert by_name['Smith, John "Jack"'] == {
        "Registration": str(tricky_registrations["jack"]),
        "Status": "registered",
        "Waiting list place": "",
        "Name": 'Smith, John "Jack"',
        "Email": "jack@example.org",
        "Affiliation": '\'=HYPERLINK("http://x")',
        "Position": labels["academia"],
        "Dietary needs": "'+41 44 123 45 67",
        "Accessibility needs": "'-5",
        "Public attendee list": "yes",
        "Registered at": "2020-01-15T10:00:00+00:00",
        "Updated at": "2020-01-15T10:00:00+00:00",
        "Promoted at": "",
        "Cancelled at": "",
    }
    wang = by_name["王小明"]
    assert (wang["Status"], wang["Waiting list place"], wang["Position"]) == (
        "waiting",
        "1",
        labels["student"],
    )
    assert (wang["Affiliation"], wang["Dietary needs"]) == ("清华大学", "'  @SUM(A1)")
    assert wang["Accessibility needs"] == "line one\nline two"
    assert wang["Registered at"] == "2020-01-16T08:05:09+00:00"
    zoe = by_name["Zoë Ångström"]
    assert zoe["Affiliation"] == "'\tTab AB"
    assert zoe["Dietary needs"] == "'\r\nstarts with a line break"
    assert zoe["Accessibility needs"] == "a - b = c"


def test_registrations_export_matches_the_database_rows(
    app, organizer_client, tricky_registrations
):
    from fastpath.registration.models import Registration

    _, rows, _ = download(organizer_client, "/organizer/export/registrations.csv?sort=oldest")

    with app.app_context():
        stored = db.session.scalars(db.select(Registration).order_by(Registration.id)).all()
        expected = [
            (str(r.id), r.name, r.email, r.affiliation, r.dietary, r.accessibility) for r in stored
        ]
    exported = [
        (
            row["Registration"],
            row["Name"],
            row["Email"],
            row["Affiliation"].removeprefix("'"),
            row["Dietary needs"].removeprefix("'"),
            row["Accessibility needs"].removeprefix("'"),
        )
        for row in rows
    ]
    assert exported == expected


def test_registrations_export_follows_the_list_filter(app, organizer_client, tricky_registrations):
    list_page = organizer_client.get("/organizer/registrations?status=waiting&sort=name")
    link = re.search(r'href="(/organizer/export/registrations\.csv[^"]*)"', list_page.text)
    url = link.group(1).replace("&amp;", "&")
    assert url == "/organizer/export/registrations.csv?status=waiting&sort=name"

    _, rows, _ = download(organizer_client, url)

    assert [row["Name"] for row in rows] == ["王小明"]
    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "export")).one()
        assert (event.actor, event.target) == (EMAIL, "export:registrations")
        assert event.details == "1 rows (filter: sort=name; status=waiting)"


def test_export_is_an_attachment_with_a_dated_name(organizer_client):
    for kind in ("registrations", "submissions", "authors"):
        response = organizer_client.get(f"/organizer/export/{kind}.csv")
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="fastpath-2020-{kind}-{TODAY}.csv"'
        )
        assert response.headers["Cache-Control"] == "no-store"
        assert parse(response.data)[1:] == []


def test_exports_signed_out_redirect_without_data(app, client, tricky_registrations):
    for kind in ("registrations", "submissions", "authors"):
        response = client.get(f"/organizer/export/{kind}.csv")
        assert response.status_code == 302
        assert response.location == f"/organizer/login?next=/organizer/export/{kind}.csv"
        assert b"jack@example.org" not in response.data
        assert "Content-Disposition" not in response.headers


# --- Submissions and authors --------------------------------------------------------------


def test_submissions_export_has_one_row_per_submission(app, organizer_client, tricky_submissions):
    header, rows, _ = download(organizer_client, "/organizer/export/submissions.csv")

    assert header == SUBMISSION_HEADER
    assert [row["Submission"] for row in rows] == ["FP20-001", "FP20-002"]
    first = rows[0]
    assert first == {
        "Submission": "FP20-001",
        "Status": "submitted",
        "Title": "Line one of the title\nand line two, with a comma",
        "Authors": 'Müller, Anna "Anni"; 李雷; -5 Minus',
        "Author affiliations": '\'+41 44 123 45 67; 北京大学; =HYPERLINK("http://x")',
        "Author emails": "anna@example.de; li@example.cn; minus@example.org",
        "Contact author": 'Müller, Anna "Anni"',
        "Contact email": "anna@example.de",
        # In the content file's order.
        "Topics": "Workload characterization, performance modeling and profiling of machine "
        "learning applications; GPUs, FPGAs, ASIC accelerators",
        "Abstract": "'=cmd|' /C calc'!A0\nSecond paragraph: 50% faster.",
        "Note to the organizers": "'@admin please",
        "PDF file": "my abstract.pdf",
        "PDF pages": "3",
        "PDF bytes": first["PDF bytes"],
        "Submitted at": "2020-01-10T12:00:00+00:00",
        "Updated at": "2020-01-10T12:00:00+00:00",
        "Withdrawn at": "",
        "Decided at": "",
        "Authors notified at": "",
    }
    assert int(first["PDF bytes"]) > 0
    assert (rows[1]["Status"], rows[1]["Withdrawn at"]) == (
        "withdrawn",
        "2020-01-11T07:00:00+00:00",
    )


def test_authors_export_has_one_row_per_author_in_order(app, organizer_client, tricky_submissions):
    header, rows, _ = download(organizer_client, "/organizer/export/authors.csv")

    assert header == AUTHOR_HEADER
    title = "Line one of the title\nand line two, with a comma"
    assert [list(row.values()) for row in rows] == [
        ["FP20-001", title, "submitted", "1", 'Müller, Anna "Anni"', "'+41 44 123 45 67",
         "anna@example.de", "yes"],
        ["FP20-001", title, "submitted", "2", "李雷", "北京大学", "li@example.cn", "no"],
        ["FP20-001", title, "submitted", "3", "'-5 Minus", '\'=HYPERLINK("http://x")',
         "minus@example.org", "no"],
        ["FP20-002", "Plain title", "withdrawn", "1", "Bob Example", "Example Corp",
         "bob@example.org", "yes"],
    ]  # fmt: skip


def test_submission_exports_follow_the_list_filter(app, organizer_client, tricky_submissions):
    _, by_topic, _ = download(organizer_client, "/organizer/export/submissions.csv?topic=memory-io")
    _, by_search, _ = download(organizer_client, "/organizer/export/authors.csv?q=北京")
    _, by_status, _ = download(
        organizer_client, "/organizer/export/submissions.csv?status=submitted"
    )

    assert [row["Submission"] for row in by_topic] == ["FP20-002"]
    # The filter picks submissions; the authors export lists every author of those.
    assert [row["Name"] for row in by_search] == ['Müller, Anna "Anni"', "李雷", "'-5 Minus"]
    assert [row["Submission"] for row in by_status] == ["FP20-001"]


# --- Command line -------------------------------------------------------------------------


def test_cli_export_writes_the_same_file_as_the_web(
    app, runner, organizer_client, tricky_submissions, tricky_registrations, tmp_path
):
    for kind in ("registrations", "submissions", "authors"):
        target = tmp_path / f"{kind}.csv"

        result = runner.invoke(args=["export", kind, "-o", str(target)])

        assert result.exit_code == 0, result.output
        web = organizer_client.get(f"/organizer/export/{kind}.csv").data
        assert target.read_bytes() == web
    with app.app_context():
        events = db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.actor == "command line", AuditEvent.action == "export")
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.target) for e in events] == [
            ("export", "export:registrations"),
            ("export", "export:submissions"),
            ("export", "export:authors"),
        ]


def test_cli_export_to_standard_output(app, runner, tricky_registrations):
    result = runner.invoke(args=["export", "registrations", "-o", "-"])

    assert result.exit_code == 0
    rows = parse(result.stdout_bytes)
    assert rows[0] == REGISTRATION_HEADER
    assert sorted(row[3] for row in rows[1:]) == sorted(
        ['Smith, John "Jack"', "王小明", "Zoë Ångström"]
    )


def test_cli_export_refuses_an_unknown_kind(runner):
    result = runner.invoke(args=["export", "passwords", "-o", "-"])
    assert result.exit_code == 2
    assert "Invalid value" in result.output
