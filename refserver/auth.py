"""PIN hashing and the lockout of an ID after consecutive wrong PINs or one-time passwords.

PINs are short, so a fast hash would give them away to anyone holding a copy of the database: scrypt makes each
guess cost memory and time. The failure counter is shared by PINs and one-time passwords and is reset only when an
authentication has fully succeeded, so knowing the PIN does not buy unlimited one-time-password guesses. Every answer
is counted before it is judged (`judge`), atomically in the database, so parallel guesses cannot outrun the lockout.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from flask import current_app
from sqlalchemy import update

from . import clock, notices
from .messages import message
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


@lru_cache(maxsize=4)
def _dummy_hash(cost: int) -> str:
    """A hash at the configured cost (*cost* keys the cache: hash_pin reads the same setting)."""
    return hash_pin("0000")


def spend_a_check(pin: str) -> None:
    """Cost what checking *pin* against a stored hash costs, for an ID that does not exist: an unknown 利用者番号 is
    answered in the same time as a known one with a wrong PIN."""
    pin_matches(_dummy_hash(current_app.config["PIN_KDF_COST"]), pin)


def threshold() -> int:
    return current_app.config["LOCKOUT_THRESHOLD"]


def locked_message() -> str:
    return f"暗証番号等の誤りが規定回数（{threshold()}回）に達したため、ご利用を停止しています。当金庫までご連絡ください。"


@dataclass(frozen=True)
class Judgement:
    right: bool
    message: str | None = None  # why not, for the screen
    locked: bool = False  # the ID is locked (now or already)


def judge(principal: Principal, check: Callable[[], bool], what: str = "暗証番号") -> Judgement:
    """Judge one answer of *principal* (``check()`` says whether it is right), counted before it is judged.

    The attempt is reserved first with one atomic UPDATE that only succeeds below the threshold, so however many
    requests, threads and workers answer at once, at most `threshold` answers are ever judged: a race can no longer
    outrun the lockout. A right answer gives its attempt back; a wrong one keeps it and, at the threshold, locks."""
    count = db.session.execute(
        update(Principal)
        .where(Principal.id == principal.id, Principal.locked_at.is_(None), Principal.failed_attempts < threshold())
        .values(failed_attempts=Principal.failed_attempts + 1)
        .returning(Principal.failed_attempts)
    ).scalar()
    db.session.commit()
    if count is None:
        return Judgement(False, locked_message(), locked=True)
    if check():
        _add(principal, -1)
        return Judgement(True)
    current_app.logger.info("wrong %s for principal %s (%d)", what, principal.id, count)
    if count >= threshold():
        locked = db.session.execute(update(Principal).where(Principal.id == principal.id,
                                                            Principal.locked_at.is_(None))
                                    .values(locked_at=clock.now())).rowcount
        db.session.commit()
        if locked:
            notices.send(principal.contract, notices.LOCKED, f"{principal.label}の{what}の誤りが規定回数に達したため、"
                                                             "ご利用を停止しました。", principal)
        return Judgement(False, f"{what}の誤りが規定回数（{threshold()}回）に達したため、ご利用を停止しました。"
                                "当金庫までご連絡ください。", locked=True)
    return Judgement(False, message("wrong_answer", what=what, left=threshold() - count))


def _add(principal: Principal, delta: int) -> None:
    db.session.execute(update(Principal).where(Principal.id == principal.id)
                       .values(failed_attempts=Principal.failed_attempts + delta))
    db.session.commit()


def record_success(principal: Principal) -> None:
    """An authentication completed: the count of consecutive failures starts again."""
    db.session.execute(update(Principal).where(Principal.id == principal.id).values(failed_attempts=0))
    db.session.commit()
