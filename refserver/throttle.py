"""A throttle per client across contracts: the lockout stops guesses at one ID, this stops one client guessing at
many (100 wrong PINs spread over 20 contracts would lock none of them).

The anonymous forms (開通確認 I-2.2, 電子証明書取得 I-3.3 / II-1.3) count each wrong answer of a client (its address);
past IBCERT_CLIENT_MISS_LIMIT in IBCERT_CLIENT_MISS_WINDOW_MINUTES the client gets nothing judged until the window
has passed. The count lives in the database, like the lockout's, so every gunicorn worker (and host) shares it, and
it is kept with single UPDATE statements, so parallel requests cannot outrun it.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, request
from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError

from . import clock
from .models import ClientMisses, db

MESSAGE = "誤った入力が続いたため、しばらくご利用いただけません。時間をおいてから操作してください。"


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["CLIENT_MISS_WINDOW_MINUTES"])


def client() -> str:
    return request.remote_addr or "unknown"


def held_back() -> bool:
    """True if this client has used up its wrong answers for now."""
    row = db.session.get(ClientMisses, client())
    return (row is not None and clock.now() - row.window_start < _window()
            and row.misses >= current_app.config["CLIENT_MISS_LIMIT"])


def missed() -> None:
    """Count one wrong answer of this client (a new window once the last one has passed)."""
    now, key = clock.now(), client()
    fresh = ClientMisses.window_start <= now - _window()
    counted = db.session.execute(
        update(ClientMisses).where(ClientMisses.client == key)
        .values(misses=case((fresh, 1), else_=ClientMisses.misses + 1),
                window_start=case((fresh, now), else_=ClientMisses.window_start))
    ).rowcount
    if not counted:
        try:
            db.session.add(ClientMisses(client=key, window_start=now, misses=1))
            db.session.flush()
        except IntegrityError:  # another request made the row first: count on it
            db.session.rollback()
            return missed()
    db.session.commit()
