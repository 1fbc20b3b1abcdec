"""The chairs' assignment pages: by hand per submission, and automatic with a preview."""

from __future__ import annotations
