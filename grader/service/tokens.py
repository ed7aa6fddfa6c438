"""Secret tokens: made from the service's key, stored only as hashes.

Each person's token is an HMAC of their login and renewal count under the
key in ``DATA/secret.key`` (made once, readable by its owner alone), so that
``grader serve tokens`` can print every token again without the database
holding any: the database keeps each token's SHA-256 only, and a sign-in
compares hashes in constant time. Renewing a token raises its count: the old
one stops working.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from grader.errors import GraderError

KEY_FILE = "secret.key"
#: Every token starts so, which tells one apart from other secrets in a file.
PREFIX = "rn_"


def load_key(data: Path) -> bytes:
    """The service's key from ``data``, made (0600) where there is none yet."""
    path = data / KEY_FILE
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        raise GraderError(f"{path}: cannot read the service's key ({exc})") from None
    key = secrets.token_bytes(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_key(data)  # another process made it first
    except OSError as exc:
        raise GraderError(f"{path}: cannot write the service's key ({exc})") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key.hex() + "\n")
    return key


def token_for(key: bytes, login: str, renewals: int) -> str:
    """The token of ``login`` after ``renewals`` renewals."""
    mac = hmac.new(key, f"{login}\x00{renewals}".encode(), hashlib.sha256)
    return PREFIX + base64.urlsafe_b64encode(mac.digest()[:24]).decode("ascii")


def token_hash(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def same(a: str, b: str) -> bool:
    """Whether two hashes are equal, in time that does not depend on where."""
    return hmac.compare_digest(a.encode(), b.encode())


def form_token(key: bytes, token_hash_: str) -> str:
    """The hidden field that proves a form came from the service's own page."""
    mac = hmac.new(key, b"form\x00" + token_hash_.encode(), hashlib.sha256)
    return mac.hexdigest()
