"""What /healthz checks: the database answers, and the disks the site writes to take a write.

A site that cannot store a registration, a PDF or a mail is not healthy even when every page
still shows: a full or read-only disk is reported like an unreachable database.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .core.database import reading
from .core.extensions import db

FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
READ_ONLY = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def database_state() -> str:
    """The database's state: ok, read-only (PostgreSQL refuses writes) or unreachable.

    It reads without the write lock, so it answers at once while a writer is busy."""
    try:
        with reading():
            db.session.execute(text("SELECT 1"))
            if db.engine.dialect.name == "postgresql":
                if db.session.execute(text("SHOW transaction_read_only")).scalar() == "on":
                    return "read-only"
    except SQLAlchemyError as error:
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable: %s", error)
        return "unreachable"
    return "ok"


def storage_state() -> str:
    """The disks' state: ok, full, read-only or unwritable (any other error), the worst of
    the folders the site writes to."""
    states = {_folder_state(folder) for folder in _written_folders()}
    for state in ("unwritable", "read-only", "full"):
        if state in states:
            return state
    return "ok"


def _written_folders() -> set[Path]:
    config = current_app.config
    folders = [Path(current_app.instance_path), Path(config["UPLOAD_DIR"])]
    folders.append(Path(config["MAIL_SPOOL_DIR"]))
    database = db.engine.url
    if database.get_backend_name() == "sqlite" and database.database:
        folders.append(Path(database.database).parent)  # SQLite writes its WAL beside the file
    return {_nearest_existing(folder) for folder in folders}


def _nearest_existing(folder: Path) -> Path:
    # A folder made on first use (uploads, the mail spool) lives on its parent's disk till then.
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    return folder


def _folder_state(folder: Path) -> str:
    try:
        # An unnamed file (O_TMPFILE where the system has it): nothing is left behind.
        with tempfile.TemporaryFile(dir=folder) as probe:
            os.write(probe.fileno(), b"\0")  # a full disk may still hand out a file, not a block
    except OSError as error:
        current_app.logger.warning("health check: cannot write in %s: %s", folder, error)
        if error.errno in FULL:
            return "full"
        if error.errno in READ_ONLY:
            return "read-only"
        return "unwritable"
    return "ok"
