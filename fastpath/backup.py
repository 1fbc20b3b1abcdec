"""`flask --app app backup` and `restore`: a consistent copy of the database and uploads.

The SQLite copy uses SQLite's online backup API, so it is consistent even while the site is
serving and writing. A backup is one .tar.gz holding `fastpath.sqlite3` and `uploads/`.
"""

from __future__ import annotations

import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .clock import real_now
from .core.extensions import db

DATABASE_NAME = "fastpath.sqlite3"


class BackupError(click.ClickException):
    """A backup or restore that cannot be done; the message says why."""


def _sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            "backup/restore handle SQLite files; for PostgreSQL use pg_dump and pg_restore "
            "(see README, 'Backups')"
        )
    return Path(url.database)


def backup_to(target: Path) -> Path:
    """Write a consistent backup of the database and uploads to `target` (.tar.gz)."""
    database = _sqlite_path()
    uploads = Path(current_app.config["UPLOAD_DIR"])
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        copy = Path(work) / DATABASE_NAME
        source = sqlite3.connect(database, timeout=30)
        destination = sqlite3.connect(copy)
        try:
            with destination:
                source.backup(destination)  # pages copied under SQLite's own locking
        finally:
            destination.close()
            source.close()
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(copy, arcname=DATABASE_NAME)
            if uploads.is_dir():
                archive.add(uploads, arcname="uploads")
        partial.replace(target)  # never leave a half-written file under the real name
    return target


def restore_from(source: Path) -> None:
    """Bring back the database and uploads from a backup made by backup_to."""
    database = _sqlite_path()
    uploads = Path(current_app.config["UPLOAD_DIR"])
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    with tempfile.TemporaryDirectory() as work:
        with tarfile.open(source, "r:gz") as archive:
            archive.extractall(work, filter="data")
        restored = Path(work) / DATABASE_NAME
        if not restored.is_file():
            raise BackupError(f"{source} holds no {DATABASE_NAME}: not a fastpath backup")
        db.session.remove()
        db.engine.dispose()
        backup_db = sqlite3.connect(restored)
        live = sqlite3.connect(database, timeout=30)
        try:
            # The backup API writes into the live file under SQLite's locks, so a running
            # site sees either the old or the restored database, never a mix.
            backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
        restored_uploads = Path(work) / "uploads"
        if uploads.exists():
            shutil.rmtree(uploads)
        if restored_uploads.is_dir():
            shutil.copytree(restored_uploads, uploads)
        else:
            uploads.mkdir(parents=True, exist_ok=True)


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Back up the SQLite database and uploads to PATH (default instance/backups/...)."""
    if path is None:
        # Real time: backups taken under a pinned clock must not share (and overwrite) a name.
        stamp = real_now().strftime("%Y%m%d-%H%M%S")
        path = Path(current_app.instance_path) / "backups" / f"fastpath-{stamp}.tar.gz"
    written = backup_to(path)
    click.echo(f"Backup written to {written} ({written.stat().st_size} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the current data.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database and uploads with the backup at PATH."""
    if not yes:
        click.confirm(f"Replace the current database and uploads with {path}?", abort=True)
    restore_from(path)
    click.echo(f"Restored from {path}")


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
