"""Random values the site hands out: private-link tokens (only their owner knows them; the
database keeps a hash) and one-time form nonces (a double click or replay of a form finds the
row its first post created). One size, one alphabet and one length bound for each."""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32  # 256 bits of randomness; the issue asks for at least 128
# Real tokens are 43 characters; anything much longer is not one of ours, and not worth hashing.
TOKEN_MAX_CHARS = 128
NONCE_BYTES = 32  # 43 characters, as a token: a nonce need not be guessable by anyone either
# What a posted nonce may look like (the column holds 64): pages rendered before nonces had
# one size carry 24 characters, so shorter ones than ours are still accepted.
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_token() -> tuple[str, str]:
    """A fresh token for the link, and the hash to store in its place."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """The stored form of a token. Lookups compare hashes through a unique index, so the
    time a lookup takes says nothing about how close a guessed token was."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_token(text: str | None) -> bool:
    """Whether `text` may be one of our tokens and is worth looking up (by its hash)."""
    return bool(text) and len(text) <= TOKEN_MAX_CHARS


def new_nonce() -> str:
    """A one-time value for one form as shown (see the models' form_nonce columns)."""
    return secrets.token_urlsafe(NONCE_BYTES)


def looks_like_nonce(text: str | None) -> bool:
    """Whether a posted nonce has the shape of one we hand out (a hand-made post may not)."""
    return bool(text) and _NONCE.fullmatch(text) is not None
