"""Password hashes: argon2id for every new one (argon2-cffi), the two older formats still verified.

- ``$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>``: what :func:`hash_password` writes, with
  argon2-cffi's default parameters (RFC 9106's low-memory profile: 64 MiB, 3 passes, 4 lanes).
- ``scrypt$<n>$<r>$<p>$<salt>$<key>`` (base64): what ``veille web hash-password`` wrote before
  named accounts; :func:`hashlib.scrypt`.
- ``pbkdf2_sha256$<iterations>$<salt>$<key>`` (base64): :func:`hashlib.pbkdf2_hmac`, SHA-256,
  accepted for hashes made elsewhere.

An older hash keeps working; :func:`needs_rehash` says when a successful login should store
a new argon2id one in its place (older format, or weaker parameters than today's).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH, MAX_LENGTH = 8, 1024
_HASHER = PasswordHasher()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def hash_password(password: str) -> str:
    """A new argon2id hash (salted: the same password never gives the same hash twice)."""
    return _HASHER.hash(password)


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used (too short, too long), or None."""
    if len(password) < MIN_LENGTH:
        return f"password too short: use at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"password too long: at most {MAX_LENGTH} characters"
    return None


def check_hash_format(encoded: str) -> str | None:
    """Why ``encoded`` is not a usable hash, or None."""
    text = encoded.strip()
    if text.startswith("$argon2"):
        try:
            extract_parameters(text)
        except InvalidHashError:
            return "not a valid argon2 hash"
        return None
    parts = text.split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = (int(x) for x in parts[1:4])
            if n < 2 or n & (n - 1) or r < 1 or p < 1:
                return "bad scrypt parameters"
            _unb64(parts[4]), _unb64(parts[5])
            return None
        if parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            if int(parts[1]) < 1:
                return "bad iteration count"
            _unb64(parts[2]), _unb64(parts[3])
            return None
    except ValueError:
        return "not valid base64 or numbers"
    return "unknown format, expected $argon2id$…, scrypt$n$r$p$salt$key or pbkdf2_sha256$iterations$salt$key"


def verify_password(password: str, encoded: str | None) -> bool:
    """Whether ``password`` matches ``encoded`` (False for a missing or malformed hash)."""
    if not encoded or check_hash_format(encoded):
        return False
    text = encoded.strip()
    if text.startswith("$argon2"):
        try:
            return _HASHER.verify(text, password)
        except (VerificationError, InvalidHashError):
            return False
    parts = text.split("$")
    if parts[0] == "scrypt":
        n, r, p = (int(x) for x in parts[1:4])
        salt, expected = _unb64(parts[4]), _unb64(parts[5])
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=256 * 1024 * 1024
        )
    else:
        salt, expected = _unb64(parts[2]), _unb64(parts[3])
        got = hashlib.pbkdf2_hmac(
            "sha256", password.encode("utf-8"), salt, int(parts[1]), dklen=len(expected)
        )
    return hmac.compare_digest(got, expected)


def needs_rehash(encoded: str) -> bool:
    """True for an older format or argon2 parameters weaker than :func:`hash_password`'s."""
    text = encoded.strip()
    if not text.startswith("$argon2"):
        return True
    try:
        return _HASHER.check_needs_rehash(text)
    except InvalidHashError:
        return True


@cache
def decoy_hash() -> str:
    """A hash of nothing anyone types, verified when a login names no account: the answer takes
    as long as for a real account, so its timing does not tell which addresses have one."""
    return hash_password("\x00 no account \x00")
