"""Bearer tokens: 256 random bits, shown once, stored only as a SHA-256 hash.

Why SHA-256 and not argon2: a slow hash protects low-entropy secrets (passwords) from guessing. A
token of 256 random bits cannot be guessed whatever the hash's speed, so a fast hash loses nothing,
and it lets every request find its token by an indexed equality lookup in microseconds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "plt_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)  # 32 bytes = 256 bits


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
