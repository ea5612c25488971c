"""Issuing client certificates (電子証明書取得) and judging a presented one at certificate logon.

One valid certificate per ID: a second acquisition is refused while one is valid. A certificate stops counting when
it expires (FAQ 15: get a new one from 電子証明書取得) or is revoked (then a new one only after a reissue is
authorised, lifecycle.py); nothing of a cancelled contract or one under 事故登録 logs on or obtains one.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import ExtendedKeyUsageOID
from flask import current_app, has_request_context, url_for

from . import auth, clock
from .messages import message
from .models import ADMIN, CERTIFICATE_METHOD, DELETED, PASSWORD_METHOD, PENDING, Certificate, Contract, Principal, db
from .tls import common_name, fingerprint

# No 0/O, 1/l/I: the import password is read off the screen and typed in.
_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
DELETED_ID = "この利用者IDは削除されています。"
UNBOUND_NAME = "テスト用 ID なし"  # the subject of a test certificate bound to no ID


def pki():
    return current_app.extensions["ibcert_pki"]


def crl_url() -> str | None:
    """Where issued certificates say the issuing CA's CRL is (refserver/revocation.py): IBCERT_CRL_URL, else this
    server's own address of it."""
    configured = current_app.config["CRL_URL"]
    if configured or not has_request_context():
        return configured
    return url_for("bank.crl", _external=True, _scheme="https")  # the bank is HTTPS only


def valid_certificate(principal: Principal, now: dt.datetime) -> Certificate | None:
    return next((c for c in principal.certificates if c.valid_at(now)), None)


NO_CERTIFICATE_FOR_PASSWORD = ("このご契約の認証区分はID・パスワード方式のため、電子証明書は発行しません。"
                               "電子証明書を取得せずに、ID・パスワード方式でログオンしてください。")


def contract_refusal(contract: Contract) -> str | None:
    """Why no ID of *contract* may log on or obtain a certificate now (解約, 事故登録), or None."""
    if contract.cancelled_at is not None:
        successor = f"新しいご契約（利用者番号 {contract.successor}）をご利用ください。" if contract.successor else ""
        return message("cancelled", successor=successor)
    if contract.accident_at is not None:
        return message("accident")
    return None


def refusal(principal: Principal) -> str | None:
    """Why *principal* may not obtain a certificate now, or None.

    The first certificate, and one after a reissue was authorised, only within a window: from the application for
    the administrator (the manual's 80 days), from the registration for a user, from the authorisation for a reissue.
    After one expired, a new one any time (FAQ 15); after one was revoked, only once a reissue is authorised (FAQ 14:
    the bank for the administrator, the administrator for a user)."""
    now = clock.now()
    if stopped := contract_refusal(principal.contract):
        return stopped
    if principal.contract.auth_method == PASSWORD_METHOD:
        return NO_CERTIFICATE_FOR_PASSWORD
    if principal.locked_at:
        return auth.locked_message()
    if principal.status in (PENDING, DELETED):
        return "開通確認が完了していません。先に開通確認を行ってください。" if principal.status == PENDING else DELETED_ID
    if valid_certificate(principal, now):
        return message("already_issued")
    reissued = principal.reissued_at
    since_reissue = [c for c in principal.certificates if reissued is None or c.issued_at >= reissued]
    if since_reissue and since_reissue[-1].revoked_at is not None:
        who = "当金庫" if principal.kind == ADMIN else "管理者"
        return f"電子証明書が失効しています。{who}に再発行を依頼してから取得してください。"
    if not since_reissue:
        start = reissued or (principal.contract.applied_at if principal.kind == ADMIN else principal.created_at)
        days = current_app.config["ENROLLMENT_WINDOW_DAYS"]
        # Counted in calendar days in Japan: applied on 4/1, the last day for an 80-day window is 6/20.
        if clock.jst_day(now) > clock.jst_day(start) + dt.timedelta(days=days):
            since = "再発行のお手続き" if reissued else "お申込み" if principal.kind == ADMIN else "利用者登録"
            return message("enrollment_window_passed", since=since, days=days)
    return None


@dataclass(frozen=True)
class Delivery:
    """What the completion screen hands out once: the PKCS#12 file and the password that opens it."""

    record: Certificate
    pkcs12: bytes
    password: str
    filename: str

    @property
    def data_url(self) -> str:
        """The PKCS#12 file as the download link's address: it exists in this response and nowhere else."""
        return "data:application/x-pkcs12;base64," + base64.b64encode(self.pkcs12).decode()


def subject_names(principal: Principal) -> tuple[str, str]:
    """(common name, organisational unit): the certificate names the contract and the ID in the manual's words — the
    customer reads the common name as 発行先 in 証明書の選択 (I-4.2, II-2.2): 利用者番号 and 管理者, or 利用者ID and
    利用者名. Nothing is bound by name: a certificate is its ID's by serial and fingerprint."""
    who = "管理者" if principal.kind == ADMIN else f"{principal.user_id} {principal.name}"
    return f"{principal.contract.number} {who}", principal.contract.number


def _signed(cn: str, ou: str, validity: tuple[dt.datetime, dt.datetime] | None, usage) -> Delivery:
    """The key pair and the certificate, made now, as handed out once; its record is bound to nothing yet."""
    now = clock.now()
    days = current_app.config["CERT_VALIDITY_DAYS"]
    not_before, not_after = validity or (now - dt.timedelta(minutes=5), now + dt.timedelta(days=days))
    issued = pki().issuing_ca.issue_client(cn, ou, not_before, not_after, usage=usage, crl_url=crl_url())
    record = Certificate(
        serial=f"{issued.serial:x}",
        fingerprint=issued.fingerprint,
        subject=cn,
        not_before=issued.cert.not_valid_before_utc,
        not_after=issued.cert.not_valid_after_utc,
        issued_at=now,
    )
    password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(12))
    friendly = f"めぐるビジネス {cn}"
    filename = f"ibcert-{cn.replace(' ', '-')}.p12"
    return Delivery(record, issued.pkcs12(password, friendly), password, filename)


def issue(principal: Principal, *, validity: tuple[dt.datetime, dt.datetime] | None = None,
          usage=ExtendedKeyUsageOID.CLIENT_AUTH) -> Delivery:
    """Make the key pair and the certificate now; keep only the certificate's serial and fingerprint. *validity* and
    *usage* differ from the defaults only for the test certificates the bank-side API mints (testing mode)."""
    delivery = _signed(*subject_names(principal), validity, usage)
    delivery.record.principal = principal
    db.session.add(delivery.record)
    db.session.commit()
    return delivery


def unbound(validity: tuple[dt.datetime, dt.datetime]) -> Delivery:
    """A valid certificate of the issuing CA recorded nowhere, so bound to no ID (testing mode: cert:no_id): what a
    logon with it meets is the binding's judgement alone — the CA, dates and usage are right."""
    return _signed(UNBOUND_NAME, UNBOUND_NAME, validity, ExtendedKeyUsageOID.CLIENT_AUTH)


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
        return None, message("expired")
    if now < cert.not_valid_before_utc:
        return None, "電子証明書の有効期間が始まっていません。"
    record = db.session.scalar(db.select(Certificate).filter_by(fingerprint=fingerprint(cert)))
    if record is None:
        return None, f"この電子証明書（{common_name(cert.subject)}）はどの ID にも登録されていません。"
    if record.revoked_at is not None:
        return None, message("revoked")
    principal = record.principal
    if stopped := contract_refusal(principal.contract):
        return None, stopped
    if principal.contract.auth_method != CERTIFICATE_METHOD:
        return None, "このご契約の認証区分はID・パスワード方式です。ID・パスワード方式でログオンしてください。"
    if principal.kind != kind:
        screen = "管理者ログオン" if kind == ADMIN else "利用者ログオン"
        return None, f"この電子証明書は{principal.label}の電子証明書です。{screen}には使用できません。"
    if principal.locked_at:
        return None, auth.locked_message()
    return principal, None


def password_refusal(principal: Principal) -> str | None:
    """Why *principal* may not log on by ID・パスワード方式 now (with the right PIN), or go on with such a logon: judged
    at the logon and at every protected request of it. Only a contract of that 認証区分 logs on without a certificate
    (FAQ 6, 9: a 電子証明書方式 contract never does)."""
    if principal.contract.auth_method != PASSWORD_METHOD:
        return CERTIFICATE_ONLY
    if stopped := contract_refusal(principal.contract):
        return stopped
    if principal.locked_at:
        return auth.locked_message()
    if principal.status == DELETED:  # (an ID before 開通確認 has no PIN to log on with: the form never finds it)
        return DELETED_ID
    return None


CERTIFICATE_ONLY = "このご契約の認証区分は電子証明書方式です。" + message("certificate_method_hint")
