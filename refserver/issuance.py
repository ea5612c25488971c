"""Issuing client certificates (電子証明書取得) and judging a presented one at certificate logon.

One valid certificate per ID: a second acquisition is refused while one is valid. A certificate stops counting when
it expires (FAQ 15: get a new one from 電子証明書取得) or is revoked — revoking is how a reissue gets authorised.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import ExtendedKeyUsageOID
from flask import current_app

from . import auth, clock
from .models import ADMIN, PENDING, Certificate, Principal, db
from .tls import common_name, fingerprint

# No 0/O, 1/l/I: the import password is read off the screen and typed in.
_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


def pki():
    return current_app.extensions["ibcert_pki"]


def valid_certificate(principal: Principal, now: dt.datetime) -> Certificate | None:
    return next((c for c in principal.certificates if c.valid_at(now)), None)


def refusal(principal: Principal) -> str | None:
    """Why *principal* may not obtain a certificate now, or None."""
    now = clock.now()
    if principal.locked_at:
        return auth.locked_message()
    if principal.status == PENDING:
        return "開通確認が完了していません。先に開通確認を行ってください。"
    if valid_certificate(principal, now):
        return "この ID には有効な電子証明書が発行済みです。再発行の手続き後に取得してください。"
    if not principal.certificates:
        # The first certificate only within the window: from the application for the administrator (the manual's
        # 80 days), from the registration by the administrator for a user.
        # Counted in calendar days in Japan: applied on 4/1, the last day for an 80-day window is 6/20.
        start = principal.contract.applied_at if principal.kind == ADMIN else principal.created_at
        days = current_app.config["ENROLLMENT_WINDOW_DAYS"]
        if clock.jst_day(now) > clock.jst_day(start) + dt.timedelta(days=days):
            return f"電子証明書の取得期間（お申込みから{days}日間）を過ぎています。当金庫までご連絡ください。"
    return None


@dataclass(frozen=True)
class Delivery:
    """What the completion screen hands out once: the PKCS#12 file and the password that opens it."""

    record: Certificate
    pkcs12: bytes
    password: str
    filename: str


def subject_names(principal: Principal) -> tuple[str, str]:
    """(common name, organisational unit): the certificate names the contract and the ID."""
    login = "admin" if principal.kind == ADMIN else principal.user_id
    return f"{principal.contract.number} {login}", f"contract {principal.contract.number} {principal.kind}"


def issue(principal: Principal, *, validity: tuple[dt.datetime, dt.datetime] | None = None,
          usage=ExtendedKeyUsageOID.CLIENT_AUTH) -> Delivery:
    """Make the key pair and the certificate now; keep only the certificate's serial and fingerprint. *validity* and
    *usage* differ from the defaults only for the test certificates the bank-side API mints (testing mode)."""
    now = clock.now()
    cn, ou = subject_names(principal)
    days = current_app.config["CERT_VALIDITY_DAYS"]
    not_before, not_after = validity or (now - dt.timedelta(minutes=5), now + dt.timedelta(days=days))
    issued = pki().issuing_ca.issue_client(cn, ou, not_before, not_after, usage=usage)
    record = Certificate(
        principal=principal,
        serial=f"{issued.serial:x}",
        fingerprint=issued.fingerprint,
        subject=cn,
        not_before=issued.cert.not_valid_before_utc,
        not_after=issued.cert.not_valid_after_utc,
        issued_at=now,
    )
    db.session.add(record)
    db.session.commit()
    password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(12))
    friendly = f"めぐるビジネス {cn}"
    filename = f"ibcert-{cn.replace(' ', '-')}.p12"
    return Delivery(record, issued.pkcs12(password, friendly), password, filename)


def logon_refusal(cert: x509.Certificate, kind: str) -> tuple[Principal | None, str | None]:
    """The ID a presented certificate logs on as, or why it cannot. TLS already checked the chain under a real
    server; it is checked here again because validity dates, revocation and binding are the app's to judge."""
    issuing = pki().issuing_ca.cert
    try:
        if cert.issuer != issuing.subject:
            raise ValueError
        cert.verify_directly_issued_by(issuing)
    except (ValueError, TypeError, InvalidSignature):
        return None, "当金庫が発行した電子証明書ではありません。"
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usages = []
    if ExtendedKeyUsageOID.CLIENT_AUTH not in usages:
        return None, "この電子証明書はログオンに使用できません（用途がクライアント認証ではありません）。"
    now = clock.now()
    if now > cert.not_valid_after_utc:
        return None, "電子証明書の有効期限が切れています。電子証明書を取得し直してください。"
    if now < cert.not_valid_before_utc:
        return None, "電子証明書の有効期間が始まっていません。"
    record = db.session.scalar(db.select(Certificate).filter_by(fingerprint=fingerprint(cert)))
    if record is None:
        return None, f"この電子証明書（{common_name(cert.subject)}）はどの ID にも登録されていません。"
    if record.revoked_at is not None:
        return None, "この電子証明書は失効しています。"
    principal = record.principal
    if principal.kind != kind:
        screen = "管理者ログオン" if kind == ADMIN else "利用者ログオン"
        return None, f"この電子証明書は{principal.label}の電子証明書です。{screen}には使用できません。"
    if principal.locked_at:
        return None, auth.locked_message()
    return principal, None
