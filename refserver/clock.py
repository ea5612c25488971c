"""The app clock: real time in production; in testing mode a time that can be frozen and moved.

The 80-day enrollment window and certificate validity are judged by this clock, so tests reach day 81 or a year
later without waiting. The state is kept in the database so that every worker reads the same time.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, g

from .models import ClockState, db

JST = dt.timezone(dt.timedelta(hours=9), "JST")


def real_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 instant, in UTC; one without a zone is taken as UTC."""
    value = dt.datetime.fromisoformat(text)
    return value.astimezone(dt.timezone.utc) if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _state() -> ClockState | None:
    return db.session.get(ClockState, 1)


def _setting() -> tuple[dt.datetime | None, float]:
    """(frozen at, offset in seconds) of the testing clock, read once per request or command: a screen asks the time
    several times, and each commit would have the ORM read the row again (a sixth of a screen's time)."""
    if "clock" not in g:
        state = _state()
        if state is None:
            frozen = current_app.config["FROZEN_NOW"]
            g.clock = (parse_instant(frozen) if frozen else None, 0.0)
        else:
            g.clock = (state.frozen_at, state.offset_seconds)
    return g.clock


def now() -> dt.datetime:
    if not current_app.config["TESTING"]:
        return real_now()
    frozen_at, offset = _setting()
    if frozen_at is not None:
        return frozen_at
    return real_now() + dt.timedelta(seconds=offset)


def set_now(instant: dt.datetime) -> None:
    """Move the clock to *instant*: a frozen clock stays frozen there, a running one runs on from there."""
    state = _state() or ClockState(id=1, offset_seconds=0.0)
    if current_app.config["FROZEN_NOW"] or state.frozen_at is not None:
        state.frozen_at = instant
    else:
        state.offset_seconds = (instant - real_now()).total_seconds()
    db.session.add(state)
    db.session.commit()
    g.pop("clock", None)


def advance(days: float) -> None:
    set_now(now() + dt.timedelta(days=days))


def jst_day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(JST).date()


def jst_date(instant: dt.datetime) -> str:
    """The date as a Japanese screen shows it: 2027年11月22日."""
    local = instant.astimezone(JST)
    return f"{local.year}年{local.month}月{local.day}日"


def jst_datetime(instant: dt.datetime) -> str:
    """Date and time as a Japanese screen shows them: 2027年11月22日 14:05."""
    local = instant.astimezone(JST)
    return f"{jst_date(instant)} {local:%H:%M}"
