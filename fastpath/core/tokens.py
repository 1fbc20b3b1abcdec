"""Private links: random tokens that only their owner knows; the database keeps a hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits of randomness; the issue asks for at least 128


def new_token() -> tuple[str, str]:
    """A fresh token for the link, and the hash to store in its place."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """The stored form of a token. Lookups compare hashes through a unique index, so the
    time a lookup takes says nothing about how close a guessed token was."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
