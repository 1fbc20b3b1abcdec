"""Test editions: a copy of the shipped content folder with some lines of workshop.toml
changed, for tests about what the content decides (capacity, dates, program, names)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastpath.config import PACKAGE_DIR

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
