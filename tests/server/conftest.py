"""Fixtures for the tests that run Alembic migrations and start servers."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture
def _loggers_kept() -> Iterator[None]:
    # Alembic's logging set-up disables the loggers that exist already (fastpath.mail's
    # included); give them back so later tests still see their log lines.
    enabled = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.disabled
    ]
    yield
    for logger in enabled:
        logger.disabled = False
