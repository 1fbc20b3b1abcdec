"""Test editions: a copy of the shipped content folder with some lines of workshop.toml
changed, for tests about what the content decides (capacity, dates, program, names)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from fastpath.config import PACKAGE_DIR, ROOT_DIR

EDITION = PACKAGE_DIR / "editions" / "fastpath2020"


def edition_with(tmp_path: Path, old: str, new: str, *, name: str = "edition") -> Path:
    """A copy of the shipped edition whose workshop.toml has `old` (which must be there)
    replaced by `new` once."""
    folder = tmp_path / name
    shutil.copytree(EDITION, folder)
    toml = folder / "workshop.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text, old
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def edition_with_capacity(tmp_path: Path, capacity: int, *, name: str = "edition") -> Path:
    """A copy of the shipped edition with a limited capacity."""
    return edition_with(tmp_path, "# capacity = 120", f"capacity = {capacity}", name=name)


def start_up_with(content: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """Start the app from the command line on `content`, as a deployment would, and return
    how it ended (exit status, and what it printed)."""
    env = {
        **os.environ,
        "FASTPATH_CONTENT_DIR": str(content),
        "FASTPATH_SECRET_KEY": "test-only",
        "FASTPATH_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "routes"],
        cwd=ROOT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
