"""PIN hashing and the lockout of an ID after consecutive wrong PINs or one-time passwords.

PINs are short, so a fast hash would give them away to anyone holding a copy of the database: scrypt makes each
guess cost memory and time. The failure counter is shared by PINs and one-time passwords and is reset only when an
authentication has fully succeeded, so knowing the PIN does not buy unlimited one-time-password guesses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app

from . import clock
from .models import Principal, db


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_pin(pin: str) -> str:
    n, r, p = 2 ** current_app.config["PIN_KDF_COST"], 8, 1
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def pin_matches(stored: str | None, pin: str) -> bool:
    if not stored:
        return False
    _, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(
        pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), maxmem=256 * 1024 * 1024, dklen=32
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def threshold() -> int:
    return current_app.config["LOCKOUT_THRESHOLD"]


def locked_message() -> str:
    return f"暗証番号等の誤りが規定回数（{threshold()}回）に達したため、ご利用を停止しています。当金庫までご連絡ください。"


def record_failure(principal: Principal, what: str = "暗証番号") -> str:
    """Count one wrong answer (committed at once: a refusal must still count) and say what it means."""
    principal.failed_attempts += 1
    locked = principal.failed_attempts >= threshold()
    if locked:
        principal.locked_at = clock.now()
    db.session.commit()
    current_app.logger.info("wrong %s for principal %s (%d)", what, principal.id, principal.failed_attempts)
    if locked:
        return f"{what}の誤りが規定回数（{threshold()}回）に達したため、ご利用を停止しました。当金庫までご連絡ください。"
    remaining = threshold() - principal.failed_attempts
    return f"{what}が正しくありません。あと{remaining}回誤るとご利用を停止します。"


def record_success(principal: Principal) -> None:
    """An authentication completed: the count of consecutive failures starts again (the caller commits)."""
    principal.failed_attempts = 0
