"""`flask --app app review ...`: the committee's review from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

review_cli = AppGroup("review", help="The committee's review: assignments, digests.")


@review_cli.command("assign")
@click.option("--auto", is_flag=True, help="Assign automatically (by hand: the web page).")
@click.option(
    "--per-submission",
    type=click.IntRange(1, 20),
    default=None,
    help="Reviewers per submission (default: the content file's, 3).",
)
@click.option("--dry-run", is_flag=True, help="Print the plan; save and mail nothing.")
def assign_command(auto: bool, per_submission: int | None, dry_run: bool) -> None:
    """Assign reviewers automatically; prints the load per reviewer and the shortfalls."""
    from ..content import current_workshop
    from ..core.extensions import db
    from . import assignment

    if not auto:
        raise click.UsageError(
            "Only --auto is done here; assign by hand on the web page of each submission "
            "(/organizer/reviews/submissions/NUMBER/assign)."
        )
    n = per_submission or current_workshop().review.per_submission
    plan = assignment.plan_auto(n)
    click.echo(f"{len(plan.pairs)} new assignment(s), {n} per submission.")
    click.echo("Load per reviewer (now -> after):")
    for load in plan.loads:
        click.echo(f"  {load.email}\t{load.before} -> {load.after}")
    if not plan.loads:
        click.echo("  (no reviewers yet)")
    for short in plan.shortfalls:
        click.echo(
            f"Short: {assignment.reference_of(short.number)} has {short.assigned} of "
            f"{short.wanted} reviewers ({short.missing} missing: too few without a conflict)."
        )
    for pair in plan.reluctant:
        click.echo(
            f"Note: {pair.reviewer_email} bid not interested in "
            f"{assignment.reference_of(pair.number)}, but nobody else was left."
        )
    if dry_run:
        click.echo("Dry run: nothing saved, nobody mailed.")
        return
    added = assignment.apply_plan(plan, by=None)
    db.session.commit()
    click.echo(f"Saved {added} assignment(s); the reviewers were mailed their new ones.")


commands = [review_cli]


@review_cli.command("digest")
def digest_command() -> None:
    """Mail each committee member the discussion comments since their last digest."""
    import click

    from ..core.extensions import db
    from .services import send_digests

    mails = send_digests()
    db.session.commit()
    click.echo(f"{mails} digest mail{'s' if mails != 1 else ''} queued.")
