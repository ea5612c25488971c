"""The browser session a customer has when a step inside one of the manual's flows is shown, made by the server
(testing mode), so that a test of that step opens its screen at once instead of walking the steps before it.

The flows keep their state in the signed session cookie (which step, whose, which certificate): the state built
here is exactly what those steps would have left, and the screen is then judged by the very same code.

    I-2.3, I-2.4                     開通確認: after the 利用者番号 and ご契約先登録用暗証番号 were taken (I-2.4: with
                                     I-2.3's PINs waiting for the one-time password)
    I-3.4 … I-3.7, II-1.4 … II-1.7   電子証明書取得: the prompts after the credentials were taken
    I-4.2 … I-4.5, II-2.2 … II-2.4   certificate logon: 証明書の選択, アクセス許可の付与, 暗証番号入力, the OTP
"""

from __future__ import annotations

from flask import url_for

from . import admin, auth, certlogon, clock, enrollment, issuance
from .models import ADMIN, PENDING, ActivationRequest, Principal, db

# step number within its section → (flow stage, endpoint showing it)
_ACTIVATION = {3: ("pins", "admin.activation_pins"), 4: ("otp", "admin.activation_otp")}
_ENROLLMENT = {4: ("confirm", "enrollment.confirm"), 5: ("security", "enrollment.security"),
               6: ("issuing", "enrollment.issuing"), 7: ("install", "enrollment.install")}
_LOGON = {2: ("select", "select"), 3: ("permission", "permission"), 4: ("pin", "pin"), 5: ("otp", "otp")}
STEPS = tuple([f"I-2.{n}" for n in _ACTIVATION] + [f"I-3.{n}" for n in _ENROLLMENT]
              + [f"II-1.{n}" for n in _ENROLLMENT] + [f"I-4.{n}" for n in _LOGON] + [f"II-2.{n}" for n in (2, 3, 4)])
# the step that needs I-2.3's values: {"logon_pin", "confirmation_pin", "email"}, judged by the caller
NEEDS_ADMIN_VALUES = "I-2.4"


class JumpRefused(ValueError):
    """The step cannot be shown for this ID now (a Japanese message)."""


def session_at(principal: Principal, step: str, admin_values: dict | None = None) -> tuple[dict, str]:
    """(session data, path) of the browser of *principal* at *step* (one of STEPS); *admin_values* are I-2.3's
    checked values, for NEEDS_ADMIN_VALUES."""
    section, number = step.rsplit(".", 1)
    kind = ADMIN if section.startswith("I-") else "user"
    if kind != principal.kind:
        raise JumpRefused(f"{step} は{'管理者' if kind == ADMIN else '利用者'}の手順です。")
    if section == "I-2":
        return _activation(principal, *_ACTIVATION[int(number)], admin_values)
    if section in ("I-3", "II-1"):
        return _enrollment(principal, *_ENROLLMENT[int(number)])
    return _logon(principal, *_LOGON[int(number)])


def _activation(principal: Principal, stage: str, endpoint: str, values: dict | None) -> tuple[dict, str]:
    """The 開通確認 of a pending administrator after I-2.2 was right. I-2.4's PINs wait server-side for the one-time
    password, as I-2.3 leaves them."""
    if principal.status != PENDING:
        raise JumpRefused("この利用者番号の開通確認は完了しています。")
    state = {"contract": principal.contract_id, "stage": stage}
    if stage == "otp":
        pending = ActivationRequest(contract_id=principal.contract_id, logon_pin_hash=auth.hash_pin(values["logon_pin"]),
                                    confirmation_pin_hash=auth.hash_pin(values["confirmation_pin"]),
                                    email=values["email"], created_at=clock.now())
        db.session.add(pending)
        db.session.commit()
        state["request"] = pending.id
    return {admin.ACTIVATION: state}, url_for(endpoint)


def _enrollment(principal: Principal, stage: str, endpoint: str) -> tuple[dict, str]:
    if (refusal := issuance.refusal(principal)) is not None:
        raise JumpRefused(refusal)
    state = {"kind": principal.kind, "principal": principal.id, "stage": stage, "started": clock.now().timestamp()}
    return {enrollment.FLOW: state}, url_for(endpoint, kind=principal.kind)


def _logon(principal: Principal, stage: str, endpoint: str) -> tuple[dict, str]:
    certificate = issuance.valid_certificate(principal, clock.now())
    if certificate is None or principal.status == PENDING:
        raise JumpRefused("この ID は有効な電子証明書でログオンできる状態ではありません。")
    state = {"kind": principal.kind, "stage": stage}
    if stage != "select":
        state["fingerprint"] = certificate.fingerprint
    if stage in ("pin", "otp"):
        state["principal"] = principal.id
    return {certlogon.FLOW: state}, url_for(f"{principal.kind}.{endpoint}")
