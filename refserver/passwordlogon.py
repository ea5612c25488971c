"""ID・パスワード方式 logon (FAQ 6, 9), on the same 管理者ログオン / 利用者ログオン screens as the certificate logon.

A contract is made for one 認証区分 (Contract.auth_method). A contract of ID・パスワード方式 logs on from any PC with
no certificate: the administrator with 利用者番号 and ご契約先暗証番号 (イ), then the one-time password of the
お客様カード (or the token) on the certificate logon's own ワンタイムパスワード入力 (I-4.5); a user with 利用者番号,
利用者ID and 利用者暗証番号 (ト, or the 仮 ホ the first time, after which 利用者暗証番号設定 follows as today). The
manual gives a user's logon no one-time password (II-2.4 ends at the PIN), and neither does this one.

A contract of 電子証明書方式 never logs on here: the form answers it exactly as an unknown 利用者番号 or a wrong PIN
(so the form is no oracle of which numbers exist, nor of their 認証区分), with words that tell a certificate
contract's customer where to log on, and judges and counts nothing of its IDs: guesses from a PC without the
certificate cannot lock them (FAQ 9: the certificate comes first). The client's misses count towards the throttle.

The logon made has no certificate (LogonSession.fingerprint None); `web.require_logon` judges it at every request by
`issuance.password_refusal` (認証区分, 事故登録, 解約, lockout, a deleted ID) instead of the presented certificate.
"""

from __future__ import annotations

from flask import Blueprint, redirect, url_for

from . import auth, issuance, rules, throttle
from .certlogon import FLOW
from .messages import message
from .models import ADMIN, PASSWORD_METHOD, PENDING, Contract, Principal, db
from .web import Form, screen, set_flow, start_logon

NOT_RIGHT = {
    ADMIN: "利用者番号またはご契約先暗証番号が正しくないか、ID・パスワード方式のご契約ではありません。"
           + message("certificate_method_hint"),
    "user": "利用者番号、利用者IDまたは利用者暗証番号が正しくないか、ID・パスワード方式のご契約ではありません。"
            + message("certificate_method_hint"),
}


def _find(kind: str, number: str, user_id: str) -> Principal | None:
    """The ID of a password contract whose PIN is to be judged: none for an unknown one, one without PINs yet (the
    administrator before 開通確認) or one of a 電子証明書方式 contract."""
    contract = db.session.scalar(db.select(Contract).filter_by(number=number))
    if contract is None or contract.auth_method != PASSWORD_METHOD:
        return None
    if kind == ADMIN:
        principal = contract.admin
    else:
        principal = next((u for u in contract.users if u.user_id == user_id), None)
    return principal if principal is not None and principal.status != PENDING else None


class PasswordLogon:
    """Adds POST /logon/password to *blueprint* (the form of the ID・パスワード方式 region on its logon screen). The
    administrator goes on to the blueprint's /logon/otp (added by CertificateLogon), a user lands on "status"."""

    def __init__(self, blueprint: Blueprint, kind: str, heading: str, pin_label: str, *, one_time_password: bool):
        self.kind, self.heading, self.pin_label = kind, heading, pin_label
        self.one_time_password = one_time_password
        self.blueprint_name = blueprint.name
        blueprint.add_url_rule("/logon/password", "password_logon", self.logon, methods=["POST"])

    def endpoint(self, step: str) -> str:
        return f"{self.blueprint_name}.{step}"

    def _render(self, form: Form, status: int = 200):
        return screen("logon.html", self.heading, kind=self.kind, dialog=None, password_form=form), status

    def logon(self):
        form = Form("contract_number", "user_id", "pin")
        number, problem = rules.contract_number(form["contract_number"])
        form.values["contract_number"] = number
        form.check("contract_number", problem)
        if self.kind != ADMIN:
            form.check("user_id", rules.user_id(form["user_id"]))
        form.check("pin", rules.entered_pin(form["pin"], self.pin_label))
        if not form.ok:
            return self._render(form)
        if throttle.held_back():
            form.alert = throttle.MESSAGE
            return self._render(form, 429)
        principal = _find(self.kind, number, form["user_id"])
        if principal is None:
            auth.spend_a_check(form["pin"])
            form.alert = NOT_RIGHT[self.kind]
        elif principal.locked_at is not None:
            form.alert = auth.locked_message()
        else:
            verdict = auth.judge(principal, lambda: auth.pin_matches(principal.logon_pin_hash, form["pin"]))
            if verdict.right:
                form.alert = issuance.password_refusal(principal)
                if form.alert is None:
                    return self._after_pin(principal)
            else:
                form.alert = verdict.message if verdict.locked else NOT_RIGHT[self.kind]
        if form.alert == NOT_RIGHT[self.kind]:
            throttle.missed()
        return self._render(form)

    def _after_pin(self, principal: Principal):
        if self.one_time_password:  # the certificate logon's I-4.5, with no certificate bound to the flow
            set_flow(FLOW, kind=self.kind, stage="otp", principal=principal.id, method=PASSWORD_METHOD)
            return redirect(url_for(self.endpoint("otp")))
        auth.record_success(principal)
        start_logon(principal, None)
        return redirect(url_for(self.endpoint("status")))
