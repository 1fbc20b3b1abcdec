"""`flask --app app mail ...` commands: deliver once (cron), run a worker, status, retry."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click
from flask import current_app
from flask.cli import AppGroup

from ..clock import real_now
from ..core.extensions import db
from .delivery import DeliveryReport, deliver_due
from .models import OutboxMail, OutboxStatus
from .outbox import outbox_counts, retry_failed

mail_cli = AppGroup("mail", help="Deliver the outbox and see how it stands.")


@mail_cli.command("deliver")
@click.option(
    "--due-only",
    is_flag=True,
    help="Leave mail whose next retry has not come yet (for cron, to keep the backoff).",
)
@click.option("--quiet", is_flag=True, help="Print nothing unless a mail was sent or failed.")
def deliver_command(due_only: bool, quiet: bool) -> None:
    """Send every queued mail once (by hand, e.g. after the mail server is back)."""
    report = deliver_due(include_waiting=not due_only)
    if not quiet or report.sent or report.failed:
        click.echo(_summary(report))
    waiting = _waiting_for_retry() if due_only else 0
    if waiting and not quiet:
        click.echo(
            f"{waiting} queued {_mails(waiting)} wait for a retry; "
            "send them now with: flask --app app mail deliver"
        )


@mail_cli.command("worker")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds between looks at the outbox [default: MAIL_SENDER_INTERVAL_SECONDS].",
)
def worker_command(interval: float | None) -> None:
    """Deliver mail continuously until SIGTERM or Ctrl-C."""
    pause = interval or float(current_app.config["MAIL_SENDER_INTERVAL_SECONDS"])
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    # Both end the loop between two mails, so no mail is left half-sent in "sending".
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    click.echo(f"Mail worker started; looking for due mail every {pause:g} s.")
    try:
        while not stop.is_set():
            try:
                report = deliver_due(stop=stop)
            except Exception as error:
                # A worker outlives a busy or briefly unreachable database: log, try again.
                db.session.rollback()
                click.echo(f"Delivery run failed: {type(error).__name__}: {error}", err=True)
            else:
                if report.sent or report.failed:
                    click.echo(_summary(report))
            stop.wait(pause)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Mail worker stopped.")


@mail_cli.command("status")
def status_command() -> None:
    """How many mails are queued, sending, sent and failed; the failed ones listed."""
    for status, count in outbox_counts().items():
        click.echo(f"{status.value:<8} {count}")
    failed = db.session.scalars(
        db.select(OutboxMail)
        .where(OutboxMail.status == OutboxStatus.FAILED)
        .order_by(OutboxMail.id)
    )
    for mail in failed:
        click.echo(
            f"failed #{mail.id} to {', '.join(mail.recipient_list)}: {mail.subject}"
            f" (after {mail.attempts} {_attempts(mail.attempts)}: {mail.last_error})"
        )


@mail_cli.command("retry-failed")
def retry_failed_command() -> None:
    """Queue every failed mail again, due now, with a fresh set of attempts."""
    count = retry_failed()
    db.session.commit()
    click.echo(f"Queued {count} failed {_mails(count)} again.")


def _summary(report: DeliveryReport) -> str:
    counts = outbox_counts()
    outbox = ", ".join(f"{count} {status.value}" for status, count in counts.items())
    return f"Sent {report.sent} {_mails(report.sent)}, {report.failed} failed. Outbox: {outbox}."


def _waiting_for_retry() -> int:
    return (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(OutboxMail)
            .where(
                OutboxMail.status == OutboxStatus.QUEUED,
                OutboxMail.next_attempt_at > real_now(),
            )
        )
        or 0
    )


def _mails(count: int) -> str:
    return "mail" if count == 1 else "mails"


def _attempts(count: int) -> str:
    return "attempt" if count == 1 else "attempts"


commands: list[AppGroup] = [mail_cli]
