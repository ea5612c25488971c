"""A certificate's life after 電子証明書取得, and the contract's, as the FAQ answers describe them (FAQ 12–15, 17, 18):
revocation (失効), 事故登録 and its release, reissue, unlocking, renewal, the users an administrator manages, and
the contract's end (解約) and 再契約.

Each operation is written once and used by the back office's screens (staff.py), the bank's JSON API and CLI
(bankops.py) and the administrator's screens (admin.py); each records who did it (audit.py) and tells the contract's
address (notices.py). A refused operation raises LifecycleError with a Japanese message and changes nothing. A
session already open ends on its next request: every protected request judges its certificate and its contract again
(web.require_logon), so a revoked certificate, a stopped or cancelled contract logs nothing on, with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from . import audit, auth, clock, issuance, notices, revocation, rules
from .applications import Application
from .models import ACTIVE, ADMIN, DELETED, PROVISIONAL, Certificate, Contract, Principal, db
from .web import w


class LifecycleError(ValueError):
    """An operation the state of the contract or ID does not allow (a Japanese message)."""


def _open(contract: Contract) -> None:
    if contract.cancelled_at is not None:
        raise LifecycleError("このご契約は解約されています。")


def certificate_of(contract: Contract, serial: str) -> Certificate:
    serial = serial.lower().lstrip("0") or "0"
    for principal in contract.principals:
        for certificate in principal.certificates:
            if certificate.serial.lstrip("0") == serial:
                return certificate
    raise LifecycleError(f"シリアル番号 {serial} の電子証明書はこのご契約にありません。")


def revoke(contract: Contract, serial: str, reason: str, actor: str) -> Certificate:
    """失効 (FAQ 12, 17: the PC was lost): the certificate is refused from now on, everywhere, and on the CRL."""
    if reason not in revocation.REASONS:
        raise LifecycleError(f"失効の理由は {', '.join(revocation.REASONS)} のいずれかで指定してください。")
    certificate = certificate_of(contract, serial)
    if not revocation.revoke(certificate, revocation.REASONS[reason]):
        raise LifecycleError("この電子証明書は既に失効しています。")
    principal = certificate.principal
    audit.record(actor, "電子証明書の失効", contract.number, f"{principal.label} シリアル番号 {certificate.serial}"
                                                          f"（理由：{reason}）")
    db.session.commit()
    notices.send(contract, notices.REVOKED, f"{principal.label}の電子証明書（シリアル番号 {certificate.serial}）を"
                                            "失効しました。この電子証明書ではログオンできません。", principal)
    return certificate


def set_accident(contract: Contract, on: bool, actor: str) -> None:
    """事故登録 (FAQ 12, 17): the whole contract stops — no logon, no 電子証明書取得, open sessions end — until
    released."""
    _open(contract)
    if (contract.accident_at is not None) == on:
        raise LifecycleError("このご契約は既に事故登録中です。" if on else "このご契約は事故登録されていません。")
    contract.accident_at = clock.now() if on else None
    audit.record(actor, "事故登録" if on else "事故登録の解除", contract.number)
    db.session.commit()
    notices.send(contract, notices.ACCIDENT if on else notices.RELEASED,
                 "法人IBの事故登録を行いました。解除されるまで、すべての利用者がご利用いただけません。" if on
                 else "法人IBの事故登録を解除しました。")


def _supersede(principal: Principal) -> Certificate | None:
    """The ID's valid certificate, revoked because another takes its place (reissue, renewal); None if it had none."""
    current = issuance.valid_certificate(principal, clock.now())
    if current is not None:
        revocation.revoke(current, revocation.SUPERSEDED)
    return current


def reissue_admin(contract: Contract, actor: str) -> None:
    """The administrator's certificate was lost (FAQ 14, 18: 所定の手続): the bank revokes it and the administrator
    may obtain a new one from 電子証明書取得 before logon, within a new window."""
    _open(contract)
    admin = contract.admin
    if admin.status != ACTIVE:
        raise LifecycleError("開通確認が完了していない管理者の電子証明書は再発行できません。")
    old = _supersede(admin)
    admin.reissued_at = clock.now()
    audit.record(actor, "管理者の電子証明書の再発行", contract.number,
                 f"旧シリアル番号 {old.serial}" if old else "有効な電子証明書なし")
    db.session.commit()
    notices.send(contract, notices.REISSUE, "管理者の電子証明書の再発行を受け付けました。ログオン前の「電子証明書取得」から"
                                            "新しい電子証明書を取得してください。")


def reissue_user(admin: Principal, user: Principal, temporary_logon_pin: str, temporary_confirmation_pin: str) -> None:
    """FAQ 14, 18 for a user: the administrator authorises it with new 仮 PINs (ホ, ヘ); the old certificate is
    revoked, and the user obtains a new one with the new 仮 PINs, then sets own PINs again (II-2.5). The PINs are
    judged by the caller (the screen's rules)."""
    _user_of(admin, user)
    old = _supersede(user)
    user.status = PROVISIONAL
    user.logon_pin_hash = auth.hash_pin(temporary_logon_pin)
    user.confirmation_pin_hash = auth.hash_pin(temporary_confirmation_pin)
    user.reissued_at = clock.now()
    user.failed_attempts, user.locked_at = 0, None
    audit.record(_admin_actor(admin), "利用者の電子証明書の再発行", admin.contract.number,
                 f"{user.user_id}" + (f" 旧シリアル番号 {old.serial}" if old else ""))
    db.session.commit()
    notices.send(admin.contract, notices.REISSUE, f"利用者 {user.user_id} の電子証明書の再発行を受け付けました。", user)


def unlock(principal: Principal, actor: str) -> None:
    """An ID locked by wrong PINs or one-time passwords may be used again (its count of misses starts over)."""
    _open(principal.contract)
    if principal.locked_at is None and not principal.failed_attempts:
        raise LifecycleError(f"{principal.label}はロックされていません。")
    principal.locked_at, principal.failed_attempts = None, 0
    audit.record(actor, "ロック解除", principal.contract.number, principal.label)
    db.session.commit()


def change_permissions(admin: Principal, user: Principal, permissions: list[str]) -> None:
    _user_of(admin, user)
    if problem := rules.permissions(permissions, w("admin_menu.permission_names")):
        raise LifecycleError(problem)
    allowed = w("admin_menu.permission_names")
    user.permissions = [name for name in allowed if name in permissions]
    audit.record(_admin_actor(admin), "権限の変更", admin.contract.number, f"{user.user_id}：{'、'.join(user.permissions)}")
    db.session.commit()


def change_email(admin: Principal, user: Principal, email: str) -> None:
    """The user's own Eメールアドレス (FAQ 16), checked by the caller (rules.email): set, changed or, where the bank
    does not require one, taken away (empty). The user's notices go there from now on."""
    _user_of(admin, user)
    user.email = email or None
    audit.record(_admin_actor(admin), "Eメールアドレスの変更", admin.contract.number, f"{user.user_id}：{email or '（なし）'}")
    db.session.commit()


def delete_user(admin: Principal, user: Principal) -> None:
    """The user's certificates are revoked and the ID never logs on again (its row stays, for the audit log)."""
    _user_of(admin, user)
    for certificate in user.certificates:
        revocation.revoke(certificate, revocation.ENDED)
    user.status = DELETED
    audit.record(_admin_actor(admin), "利用者の削除", admin.contract.number, user.user_id)
    db.session.commit()


def cancel(contract: Contract, actor: str) -> None:
    """解約: every certificate of the contract is revoked and no ID of it logs on again."""
    _open(contract)
    contract.cancelled_at = clock.now()
    for principal in contract.principals:
        for certificate in principal.certificates:
            revocation.revoke(certificate, revocation.ENDED)
    audit.record(actor, "解約", contract.number)
    db.session.commit()


@dataclass(frozen=True)
class Recontract:
    contract: Contract
    registration_pin: str  # the new contract's C, in clear this once (for the 申込書控え)


def recontract(contract: Contract, actor: str) -> Recontract:
    """再契約 (FAQ 13, 解約／新規): the old contract is cancelled and a new one opened for the same customer, with a new
    利用者番号, お客様カード and ご契約先登録用暗証番号; its IDs need new certificates."""
    _open(contract)
    new, registration_pin = Application(otp_kind=contract.otp_kind, auth_method=contract.auth_method).open()
    db.session.flush()
    contract.successor = new.number
    audit.record(actor, "再契約（新規）", new.number, f"旧利用者番号 {contract.number}")
    cancel(contract, actor)
    return Recontract(new, registration_pin)


def renewal_due(principal: Principal) -> Certificate | None:
    """The ID's valid certificate if it may be renewed now: within the renewal window before its expiry."""
    current = issuance.valid_certificate(principal, clock.now())
    window = dt.timedelta(days=current_app.config["RENEWAL_WINDOW_DAYS"])
    return current if current is not None and current.not_after - clock.now() <= window else None


def not_due_message() -> str:
    return f"電子証明書の更新は有効期限の{current_app.config['RENEWAL_WINDOW_DAYS']}日前から行えます。"


def renew(principal: Principal) -> issuance.Delivery:
    """更新: a new certificate for the logged-on ID, the old one revoked (superseded). Only within the window."""
    if refusal := issuance.contract_refusal(principal.contract):
        raise LifecycleError(refusal)
    old = renewal_due(principal)
    if old is None:
        raise LifecycleError(not_due_message())
    delivery = issuance.issue(principal)
    revocation.revoke(old, revocation.SUPERSEDED)
    audit.record(_admin_actor(principal) if principal.kind == ADMIN else f"利用者 {principal.user_id}",
                 "電子証明書の更新", principal.contract.number,
                 f"{principal.label} 新シリアル番号 {delivery.record.serial} 旧シリアル番号 {old.serial}")
    db.session.commit()
    notices.send(principal.contract, notices.RENEWED, f"{principal.label}の電子証明書を更新しました。新しい電子証明書で"
                                                      "ログオンしてください。", principal)
    return delivery


def _user_of(admin: Principal, user: Principal) -> None:
    if admin.kind != ADMIN or user.kind == ADMIN or user.contract_id != admin.contract_id or user.status == DELETED:
        raise LifecycleError("この利用者は操作できません。")
    _open(admin.contract)


def _admin_actor(admin: Principal) -> str:
    return f"管理者 {admin.contract.number}"
