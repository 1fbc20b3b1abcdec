"""Write cases: a registration POST, an abstract submission POST with a 2-page PDF, and the
registration POST again while the mail server takes 2 s per message.

How they are driven: each is a browser's round trip with CSRF on. Every wrk thread has
exactly one connection (16 threads × 1 connection: the same 16 concurrent clients as the page
cases), so its Lua script sees its own requests strictly in turn: GET the form (keep the
session cookie from Set-Cookie, the csrf_token and the one-time nonce from the HTML), then
POST it with a new address (`<case>-<thread>-<count>@example.org`), and again. The submission
body is a multipart template written here (a real 2-page PDF made with pypdf) whose
placeholders the script fills in per post.

What the rows show: wrk counts the GET and the POST as two requests, so a POST row shows
only the POSTs. The scripts time each POST themselves (a monotonic clock read in request()
and in response(), which with one connection per thread bracket exactly that request): req/s
is POSTs per second, p50/p99 the POSTs' own latency, × base POSTs per second over the
baseline's requests per second, CPU ms the server's CPU time per POST including its form's
GET and the delivery of its mail. A success is a 303 to the thanks (receipt) page; any other
answer to a POST, a GET without a form, and wrk's socket errors and timeouts (2 s) are
errors.

After each case: one row per success in the registration or submission table (counted by the
case's addresses; see the note above _registration_rows for the POSTs cut off when wrk
stops), no person or form twice, one queued mail per row (and one stored PDF per
submission); with the fast mail server every one of those mails is sent, and arrives exactly
once, within 60 s after the load stops. The slow mail server must not raise the registration
POSTs' p99 by 20 % or more (one-sided: it lowers it when the senders, sending 2 s per mail,
take less CPU from the requests).
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from tests.helpers.pdfs import pdf_bytes

if TYPE_CHECKING:  # the runner imports this module, not the other way round
    from tests.benchmarks.__main__ import MailSink, Result, Server

    Wrk = Callable[..., Result]

REGISTER_RATIO = 0.3  # registration POSTs/s over the baseline's requests/s
REGISTER_P99_MS = 100.0
SLOW_MAIL_SECONDS = 2.0
SLOW_MAIL_P99_CHANGE = 0.20
DELIVERY_SECONDS = 60.0

Check = tuple[str, bool]


def write_cases(
    server: Server, sink: MailSink, baseline: Result, results: list[Result], wrk: Wrk
) -> list[Check]:
    def form_case(name: str, script: str, label: str, env: dict | None = None) -> Result:
        return wrk(
            name,
            server.url + "/",
            script=script,
            env={"BENCH_LABEL": label, **(env or {})},
            timed=True,
            server=server,
        )

    checks: list[Check] = []

    register = form_case("POST /register (CSRF on)", "register.lua", "reg")
    results.append(register)
    checks += _speed_checks("registration", register, baseline)
    checks += _registration_rows(server, "reg", register)
    checks += _delivered(server, sink, "reg")

    body = server.instance / "submit-body.bin"
    boundary = write_submission_body(body)
    submit = form_case(
        "POST /submit (2-page PDF)",
        "submit.lua",
        "sub",
        {"BENCH_BODY": str(body), "BENCH_BOUNDARY": boundary},
    )
    results.append(submit)
    checks.append(("submission: some POSTs succeeded", submit.successes > 0))
    checks.append(("submission: zero errors", submit.errors == 0))
    checks += _submission_rows(server, "sub", submit)
    checks += _delivered(server, sink, "sub")

    sink.delay_seconds = SLOW_MAIL_SECONDS
    try:
        slow = form_case(
            f"POST /register, mail {SLOW_MAIL_SECONDS:g} s/msg", "register.lua", "slow"
        )
    finally:
        sink.delay_seconds = 0.0
    results.append(slow)
    checks += _speed_checks("registration, slow mail", slow, baseline)
    # One-sided: the slow server must not make registering slower. It can make it faster,
    # because with it the senders send (and take CPU) far less during the load.
    change = slow.p99_ms / register.p99_ms - 1 if register.p99_ms else float("inf")
    checks.append(
        (
            f"slow mail server raises registration p99 by < {SLOW_MAIL_P99_CHANGE:.0%}"
            f" ({register.p99_ms:.1f} → {slow.p99_ms:.1f} ms, {change:+.0%})",
            change < SLOW_MAIL_P99_CHANGE,
        )
    )
    checks += _registration_rows(server, "slow", slow)
    return checks


def _speed_checks(label: str, result: Result, baseline: Result) -> list[Check]:
    ratio = result.rps / baseline.rps if baseline.rps else 0.0
    return [
        (f"{label}: ≥ {REGISTER_RATIO}× baseline req/s ({ratio:.2f}×)", ratio >= REGISTER_RATIO),
        (
            f"{label}: p99 < {REGISTER_P99_MS:.0f} ms ({result.p99_ms:.1f} ms)",
            result.p99_ms < REGISTER_P99_MS,
        ),
        (f"{label}: zero errors", result.errors == 0),
    ]


def write_submission_body(path: Path) -> str:
    """A multipart/form-data body for /submit with a real 2-page PDF; the Lua script fills in
    the @@...@@ placeholders for each post. Returns the boundary."""
    boundary = "----fastpath-bench-" + secrets.token_hex(12)
    fields = [
        ("csrf_token", "@@CSRF@@"),
        ("form_nonce", "@@NONCE@@"),
        ("pdf_upload", ""),
        ("website", ""),
        ("title", "Tail latency under load, measurement @@NUMBER@@"),
        ("authors-0-name", "Bench Author"),
        ("authors-0-email", "@@EMAIL@@"),
        ("authors-0-affiliation", "Load Test Lab"),
        ("contact", "0"),
        ("topics", "characterization"),
        ("topics", "software"),
        ("abstract", "We measure how a workshop website holds up when everyone submits at once."),
        ("note", ""),
        ("consent", "y"),
    ]
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    ]
    parts.append(
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="pdf"; filename="extended-abstract.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + pdf_bytes(2)
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    path.write_bytes(b"".join(parts))
    return boundary


# --- What the database and the mail server hold afterwards ------------------------------------
#
# When wrk stops, up to one POST per connection is still on its way: the server finishes it
# (a row may appear) but its answer is never counted. So the counts are read once they have
# stopped changing, and the rows must lie between the successes and the successes plus the
# POSTs cut off: fewer means a success without its row (lost), more means rows nobody posted
# (duplicated), as do two rows for one address or form.


def _registration_rows(server: Server, label: str, result: Result) -> list[Check]:
    sql = (
        "SELECT count(*), count(DISTINCT email_normalized) FROM registration"
        " WHERE email_normalized LIKE ?"
    )
    rows, people = _settled(server, sql, label)
    mails = _queued_mails(server, label)
    return [
        _rows_match(label, "registration", rows, result),
        (f"{label}: no person registered twice ({people} people)", people == rows),
        (f"{label}: one queued mail per registration ({mails} mails)", mails == rows),
    ]


def _submission_rows(server: Server, label: str, result: Result) -> list[Check]:
    sql = (
        "SELECT count(*), count(DISTINCT s.form_nonce) FROM submission s"
        " JOIN submission_author a ON a.submission_id = s.id"
        " WHERE a.is_contact AND a.email LIKE ?"
    )
    rows, forms = _settled(server, sql, label)
    mails = _queued_mails(server, label)
    stored = sum(1 for path in (server.instance / "uploads").rglob("*") if path.is_file())
    return [
        _rows_match(label, "submission", rows, result),
        (f"{label}: no form submitted twice ({forms} forms)", forms == rows),
        (f"{label}: one queued mail per submission ({mails} mails)", mails == rows),
        (f"{label}: one stored PDF per submission ({stored} files)", stored == rows),
    ]


def _rows_match(label: str, table: str, rows: int, result: Result) -> Check:
    low, high = result.successes, result.successes + result.unanswered
    return (
        f"{label}: {table} rows = successes, none lost or duplicated ({rows} rows,"
        f" {result.successes} successes, {result.unanswered} POSTs cut off by the end)",
        low <= rows <= high,
    )


def _query(server: Server, sql: str, label: str) -> tuple:
    """One row of `sql`, whose only parameter is the LIKE pattern of the case's addresses."""
    with closing(server.db()) as db:
        return db.execute(sql, (f"{label}-%",)).fetchone()


def _settled(
    server: Server, sql: str, label: str, quiet: float = 1.0, timeout: float = 15.0
) -> tuple:
    """The query's row once it has not changed for `quiet` seconds (the last POSTs are done)."""
    deadline = time.monotonic() + timeout
    row, since = _query(server, sql, label), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(0.2)
        now = _query(server, sql, label)
        if now != row:
            row, since = now, time.monotonic()
    return row


def _queued_mails(server: Server, label: str) -> int:
    return _query(server, "SELECT count(*) FROM outbox_mail WHERE recipients LIKE ?", label)[0]


def _delivered(server: Server, sink: MailSink, label: str) -> list[Check]:
    """Wait (up to 60 s) until every mail of the case is sent; then each arrived once."""
    started = time.monotonic()
    total = _queued_mails(server, label)

    def sent() -> int:
        sql = "SELECT count(*) FROM outbox_mail WHERE recipients LIKE ? AND lower(status) = 'sent'"
        return _query(server, sql, label)[0]

    count = _wait_for(lambda: sent() >= total, DELIVERY_SECONDS, sent)
    waited = time.monotonic() - started
    arrived = Counter(r for r in list(sink.recipients) if r.startswith(f"{label}-"))
    return [
        (
            f"{label}: every mail delivered within {DELIVERY_SECONDS:.0f} s"
            f" ({count} / {total} sent, {waited:.1f} s after the load)",
            count == total,
        ),
        (
            f"{label}: each mail arrived exactly once ({sum(arrived.values())} arrived)",
            len(arrived) == total and set(arrived.values()) <= {1},
        ),
    ]


def _wait_for(done: Callable[[], bool], timeout: float, value: Callable[[], int]) -> int:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.25)
    return value()
