"""The store: contracts, the IDs that act for them (one administrator, any number of users), issued certificates,
logon sessions, one-time-password challenges and the testing clock.

The administrator and the users are rows of one table, Principal, because the rules that matter for security — PIN
checks, lockout, one certificate per ID, logon bound to a certificate — are the same for both.
"""

from __future__ import annotations

import datetime as dt

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, ForeignKey, String, TypeDecorator, UniqueConstraint, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the database keeps (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)


ADMIN = "admin"
USER = "user"

# Principal.status
PENDING = "pending"  # administrator before 開通確認
PROVISIONAL = "provisional"  # user with the 仮 PINs the administrator set, before the user's 開通確認
ACTIVE = "active"


class Contract(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(11), unique=True)  # 利用者番号 (A)
    registration_pin_hash: Mapped[str]  # ご契約先登録用暗証番号 (C)
    card: Mapped[dict] = mapped_column(JSON)  # お客様カード: {"ア": "11", …}
    otp_kind: Mapped[str] = mapped_column(String(8))  # "card" or "totp"
    totp_secret: Mapped[str | None]
    totp_last_step: Mapped[int | None]  # the last accepted TOTP time step: a code is accepted once
    fixed_challenge: Mapped[list | None] = mapped_column(JSON)  # testing mode: the cells every challenge asks
    email: Mapped[str | None]  # ご契約先Eメールアドレス (ハ)
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    principals: Mapped[list[Principal]] = relationship(back_populates="contract", order_by="Principal.id")

    @property
    def admin(self) -> Principal:
        return next(p for p in self.principals if p.kind == ADMIN)

    @property
    def users(self) -> list[Principal]:
        return [p for p in self.principals if p.kind == USER]


class Principal(db.Model):
    """An ID that logs on: the contract's administrator or one of its users."""

    __table_args__ = (UniqueConstraint("contract_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))
    kind: Mapped[str] = mapped_column(String(8))  # ADMIN or USER
    user_id: Mapped[str | None] = mapped_column(String(30))  # 利用者ID (ニ); None for the administrator
    name: Mapped[str | None]  # 利用者名
    permissions: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))
    # The logon PIN and the confirmation PIN: イ/ロ for the administrator; for a user ホ/ヘ (仮) while PROVISIONAL,
    # then ト/チ.
    logon_pin_hash: Mapped[str | None]
    confirmation_pin_hash: Mapped[str | None]
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    contract: Mapped[Contract] = relationship(back_populates="principals")
    certificates: Mapped[list[Certificate]] = relationship(back_populates="principal", order_by="Certificate.id")

    @property
    def label(self) -> str:
        return "管理者" if self.kind == ADMIN else self.user_id


class Certificate(db.Model):
    """An issued client certificate, bound to one ID by serial and fingerprint. Its private key is never stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"))
    serial: Mapped[str] = mapped_column(String(64), unique=True)  # hex: SQLite integers are too small for it
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the DER, lowercase hex
    subject: Mapped[str]
    not_before: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    not_after: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    principal: Mapped[Principal] = relationship(back_populates="certificates")

    def valid_at(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and self.not_before <= now <= self.not_after


class LogonSession(db.Model):
    """A logon, kept server-side so that logging off really ends it (a copied cookie is worthless afterwards)."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"))
    fingerprint: Mapped[str] = mapped_column(String(64))  # the certificate the logon was made with
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the last protected request
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    principal: Mapped[Principal] = relationship()


class ActivationRequest(db.Model):
    """The PINs and e-mail address chosen at I-2.3, waiting for the one-time password of I-2.4: nothing of the
    administrator changes until it is answered (a kept cookie cannot replace an active administrator's PINs)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))
    logon_pin_hash: Mapped[str]
    confirmation_pin_hash: Mapped[str]
    email: Mapped[str]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class OtpChallenge(db.Model):
    """The cells of the お客様カード one one-time-password screen asks for; it can be answered once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))
    cells: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ClientMisses(db.Model):
    """Wrong answers of one client (address) on the anonymous forms, in the current window (throttle.py)."""

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    misses: Mapped[int] = mapped_column(default=0)


class ClockState(db.Model):
    """The testing clock, in the database so that every gunicorn worker reads the same time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    offset_seconds: Mapped[float] = mapped_column(default=0.0)  # added to the real time
    frozen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # or the instant the clock stands at


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # Several gunicorn workers share one SQLite file: WAL lets readers run beside the writer, and the busy timeout
    # makes a writer wait for the lock instead of failing at once. In WAL mode synchronous=NORMAL cannot corrupt the
    # database; it only syncs at checkpoints instead of at every commit.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
