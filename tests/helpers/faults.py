"""Fault helpers: small tmpfs filesystems mounted for a test, filled to the last byte or made
read-only, and an app's database connections let go of."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

from fastpath.core.extensions import db

UNAVAILABLE = "The site cannot save anything right now"
DATABASE_REASON = "Our database is not accepting changes at the moment."
STORAGE_REASON = "Our file storage is full or not writable at the moment."


def assert_unavailable(response, reason: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:500]
    assert UNAVAILABLE in html and reason in html


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False)


@contextmanager
def tmpfs(
    path: Path, size: str, before_unmount: list[Callable[[], None]] | None = None
) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `path` for the block; `before_unmount` holds callables
    that let go of files on it (an app's database connections) before it is unmounted."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI and the dev container run as root)")
    path.mkdir(parents=True, exist_ok=True)
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        for release in before_unmount or []:
            release()
        _run("mount", "-o", "remount,rw", str(path))
        if _run("umount", str(path)).returncode != 0:
            _run("umount", "--lazy", str(path))  # still unmounted, once the last file closes


def remount(path: Path, mode: str) -> None:
    result = _run("mount", "-o", f"remount,{mode}", str(path))
    assert result.returncode == 0, result.stderr


def fill(folder: Path) -> Path:
    """Fill the filesystem of `folder` to the last byte; the returned file frees it again."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        try:
            while True:  # the last partial chunk
                handle.write(b"\0" * 512)
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


def release_database(app: Flask) -> None:
    """Close every pooled connection: a filesystem with a file open for writing cannot be
    made read-only (mount says "busy"), and cannot be unmounted."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def files_in(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()} if folder.is_dir() else set()


@contextmanager
def locked(app) -> Iterator[None]:
    """Another process holds SQLite's write lock for the block."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
