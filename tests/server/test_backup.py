"""Backups taken while the site writes hold every row committed before they started."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fastpath.backup import backup_to, restore_from
from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from tests.conftest import make_app

pytestmark = pytest.mark.sqlite_only  # PostgreSQL deployments back up with pg_dump


def _insert_row(n: int) -> int:
    moment = datetime.now(UTC)
    row = OutboxMail(
        message_id=f"<backup-test-{n}@fastpath.test>",
        template="notice",
        sender="a@fastpath.test",
        recipients="b@fastpath.test",
        subject=f"row {n}",
        body_text="x" * 2000,
        created_at=moment,
        next_attempt_at=moment,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def test_backup_under_write_load_restores_every_committed_row(tmp_path):
    app = make_app(tmp_path / "site")
    uploads = Path(app.config["UPLOAD_DIR"])
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "abstract.pdf").write_bytes(b"%PDF-1.7 test bytes")

    committed: list[int] = []
    stop = threading.Event()

    def writer(worker: int) -> None:
        n = 0
        with app.app_context():
            while not stop.is_set():
                committed.append(_insert_row(worker * 100_000 + n))
                n += 1
            db.session.remove()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    before_backup = set(committed)
    with app.app_context():
        archive = backup_to(tmp_path / "backups" / "b.tar.gz")
    time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(before_backup) > 10

    restored_app = make_app(tmp_path / "restored")
    with restored_app.app_context():
        restore_from(archive)
        ids = set(db.session.scalars(db.select(OutboxMail.id)))
        integrity = db.session.execute(db.text("PRAGMA integrity_check")).scalar()
    assert before_backup <= ids
    assert ids <= set(committed)
    assert integrity == "ok"
    restored_upload = Path(restored_app.config["UPLOAD_DIR"]) / "abstract.pdf"
    assert restored_upload.read_bytes() == b"%PDF-1.7 test bytes"


def test_backup_and_restore_commands(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        _insert_row(1)
    runner = app.test_cli_runner()
    target = tmp_path / "out" / "site.tar.gz"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Backup written to {target}" in result.output
    with app.app_context():
        _insert_row(2)
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        subjects = list(db.session.scalars(db.select(OutboxMail.subject)))
    assert subjects == ["row 1"]


def test_restore_of_missing_file_is_a_clear_error(tmp_path):
    app = make_app(tmp_path)
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "nope.tar.gz"), "--yes"])
    assert result.exit_code == 1
    assert "no backup file at" in result.output
