"""The store: contracts, the IDs that act for them (one administrator, any number of users), issued certificates,
logon sessions, one-time-password challenges and the testing clock.

The administrator and the users are rows of one table, Principal, because the rules that matter for security — PIN
checks, lockout, one certificate per ID, logon bound to a certificate — are the same for both.
"""

from __future__ import annotations

import datetime as dt

from flask_sqlalchemy import SQLAlchemy
from psycopg.types.string import StrDumperUnknown
from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, MetaData, String, TypeDecorator, UniqueConstraint, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    # Constraints are named by rule, not by each database's own (PostgreSQL names them, SQLite leaves them unnamed):
    # a migration that alters one names it the same on both (refserver/migrations).
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


db = SQLAlchemy(model_class=Base)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out. The database keeps them as naive UTC (SQLite keeps no zone;
    on PostgreSQL a timestamp without time zone), so the database server's own time zone never enters."""

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
DELETED = "deleted"  # a user the administrator deleted: kept for the audit log and the CRL, never logs on again

# Contract.auth_method, the 認証区分 the contract was made for (FAQ 6, 9)
CERTIFICATE_METHOD = "certificate"  # 電子証明書方式: the certificate of the PC and the PIN
PASSWORD_METHOD = "password"  # ID・パスワード方式: the PIN (and the administrator's one-time password), from any PC
AUTH_METHODS = (CERTIFICATE_METHOD, PASSWORD_METHOD)


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
    accident_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # 事故登録: stopped until released
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # 解約: for good
    successor: Mapped[str | None] = mapped_column(String(11))  # 再契約: the 利用者番号 of the new contract
    # 認証区分 (FAQ 6, 9): CERTIFICATE_METHOD (電子証明書方式, the manual's) or PASSWORD_METHOD (ID・パスワード方式)
    auth_method: Mapped[str] = mapped_column(String(16), default=CERTIFICATE_METHOD)

    principals: Mapped[list[Principal]] = relationship(back_populates="contract", order_by="Principal.id")

    @property
    def admin(self) -> Principal:
        return next(p for p in self.principals if p.kind == ADMIN)

    @property
    def users(self) -> list[Principal]:
        """The users still registered (a deleted one is kept, but is no user of the contract any more)."""
        return [p for p in self.principals if p.kind == USER and p.status != DELETED]


class Principal(db.Model):
    """An ID that logs on: the contract's administrator or one of its users."""

    __table_args__ = (UniqueConstraint("contract_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))
    kind: Mapped[str] = mapped_column(String(8))  # ADMIN or USER
    user_id: Mapped[str | None] = mapped_column(String(30))  # 利用者ID (ニ); None for the administrator
    name: Mapped[str | None]  # 利用者名
    email: Mapped[str | None]  # a user's own Eメールアドレス (I-4.7, optional: FAQ 16); told of what concerns the user
    permissions: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))
    # The logon PIN and the confirmation PIN: イ/ロ for the administrator; for a user ホ/ヘ (仮) while PROVISIONAL,
    # then ト/チ.
    logon_pin_hash: Mapped[str | None]
    confirmation_pin_hash: Mapped[str | None]
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # the last reissue authorised (by the bank for the administrator, by the administrator for a user): a new
    # certificate may then be obtained, within a new window, although the last one was revoked
    reissued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    contract: Mapped[Contract] = relationship(back_populates="principals")
    certificates: Mapped[list[Certificate]] = relationship(back_populates="principal", order_by="Certificate.id")

    @property
    def label(self) -> str:
        return "管理者" if self.kind == ADMIN else self.user_id


class Certificate(db.Model):
    """An issued client certificate, bound to one ID by serial and fingerprint. Its private key is never stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"), index=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)  # hex: SQLite integers are too small for it
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the DER, lowercase hex
    subject: Mapped[str]
    not_before: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    not_after: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(String(32))  # an x509.ReasonFlags value

    principal: Mapped[Principal] = relationship(back_populates="certificates")

    def valid_at(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and self.not_before <= now <= self.not_after


class LogonSession(db.Model):
    """A logon, kept server-side so that logging off really ends it (a copied cookie is worthless afterwards)."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"), index=True)
    # the certificate the logon was made with; None for a logon of ID・パスワード方式 (of a password contract only)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the last protected request
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # SUPERSEDED: ended by a newer logon of the same ID elsewhere (one ID, one open logon: FAQ 7)
    ended_by: Mapped[str | None] = mapped_column(String(16))

    principal: Mapped[Principal] = relationship()


SUPERSEDED = "superseded"


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
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    cells: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class RevocationList(db.Model):
    """The issuing CA's CRL as last published (one row): signed anew at every revocation, served as it is."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]  # cRLNumber: grows with every list published
    der: Mapped[bytes]
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Staff(db.Model):
    """A member of the bank's staff who may use the back office's screens."""

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(32), unique=True)  # 職員ID
    name: Mapped[str]
    password_hash: Mapped[str]
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(db.Model):
    """One action of the bank's staff (screens, API, CLI) or of an administrator on the contract's IDs."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str]  # who: 職員 <login>, API, CLI <user>, 管理者 <利用者番号>
    action: Mapped[str]  # what, in Japanese: 電子証明書の失効, 事故登録, …
    contract_number: Mapped[str | None] = mapped_column(String(11), index=True)
    detail: Mapped[str] = mapped_column(default="")


class ClientMisses(db.Model):
    """Wrong answers of one client (address) on the anonymous forms, in the current window (throttle.py)."""

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    misses: Mapped[int] = mapped_column(default=0)


class Transfer(db.Model):
    """A 振込 of a user (transfer.py): entered, then accepted at most once, when its チ is right. The 受付番号 is
    given on acceptance from the row's own number, which the database hands out: unique whichever worker accepts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"), index=True)
    account_number: Mapped[str] = mapped_column(String(7))  # 振込先口座番号
    payee_name: Mapped[str] = mapped_column(String(30))  # 受取人名 (full-width カナ)
    amount: Mapped[int] = mapped_column(BigInteger)  # 振込金額, 円: IBCERT_TRANSFER_LIMIT may pass 2**31
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # None: waiting for its チ
    receipt_number: Mapped[str | None] = mapped_column(String(32), unique=True)  # 受付番号

    principal: Mapped[Principal] = relationship()


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


class _NulFreeText(StrDumperUnknown):
    """PostgreSQL's text cannot hold U+0000 (SQLite's can): a NUL in a value looked up (a 利用者番号 in an API path, a
    職員ID typed) would fail in the driver, a 500 where SQLite finds nothing. Sent as U+FFFD, which no 利用者番号, ID
    or PIN the rules accept holds, it finds nothing on PostgreSQL too."""

    def dump(self, obj: str):
        return super().dump(obj.replace("\x00", "\ufffd"))


@event.listens_for(Engine, "connect")
def _postgresql_session(dbapi_connection, connection_record):
    # Text goes without NUL (_NulFreeText). The store's times are UTC (UTCDateTime); a time PostgreSQL gets without a
    # column's type — the value of a CASE, say — comes as a time with zone, which PostgreSQL turns into a timestamp
    # in the session's zone: UTC, then, not the server's (a Japanese bank's may well be Asia/Tokyo), or such a time
    # would be nine hours off.
    if type(dbapi_connection).__module__.startswith("psycopg"):
        dbapi_connection.adapters.register_dumper(str, _NulFreeText)
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()
