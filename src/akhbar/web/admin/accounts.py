"""Operators' accounts: names, password rules, argon2id hashes (argon2-cffi defaults).

Used by the console's login and by ``akhbar admin``; the store keeps only the hashes.
"""

from __future__ import annotations

import functools
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from akhbar.errors import AkhbarError

MIN_PASSWORD = 12
# Argon2 reads a long password through Blake2b, but nobody types more than this.
MAX_PASSWORD = 1024
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

# argon2id with the library's defaults (RFC 9106's second recommended option).
hasher = PasswordHasher()


class AccountError(AkhbarError):
    """A name or password the rules refuse; the message says which rule."""


def check_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise AccountError(f"operator name {name!r} must be 1-64 lowercase letters, digits,"
                           " '.', '_' or '-', starting with a letter or digit")
    return name


def check_password(password: str, name: str = "") -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is too short: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password is too long: at most {MAX_PASSWORD} characters")
    if password != password.strip():
        raise AccountError("the password starts or ends with a space (a copy-paste mistake?)")
    if len(set(password)) < 5:
        raise AccountError("the password is too weak: it repeats too few characters")
    if name and name.casefold() in password.casefold():
        raise AccountError("the password is too weak: it contains the operator's name")
    return password


def hash_password(password: str) -> str:
    return hasher.hash(password)


@functools.cache
def dummy_hash() -> str:
    """A hash no password is checked against for real: an unknown name costs the same
    argon2 verification as a known one, so timing does not tell names apart."""
    return hasher.hash("not an operator's password: only spends the time of a real check")


def verify(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (None: an unknown name, checked against the
    dummy hash and refused). Never raises for a wrong password or a damaged hash."""
    try:
        hasher.verify(stored or dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return stored is not None


def needs_rehash(stored: str) -> bool:
    try:
        return hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True
