"""The browser session a customer has when a step inside one of the manual's flows is shown, made by the server
(testing mode), so that a test of that step opens its screen at once instead of walking the steps before it.

The flows keep their state in the signed session cookie (which step, whose, which certificate): the state built
here is exactly what those steps would have left, and the screen is then judged by the very same code.

    I-3.4 … I-3.7, II-1.4 … II-1.7   電子証明書取得: the prompts after the credentials were taken
    I-4.2 … I-4.5, II-2.2 … II-2.4   certificate logon: 証明書の選択, アクセス許可の付与, 暗証番号入力, the OTP
"""

from __future__ import annotations

from flask import url_for

from . import certlogon, clock, enrollment, issuance
from .models import ADMIN, PENDING, Principal

# step number within its section → (flow stage, endpoint showing it)
_ENROLLMENT = {4: ("confirm", "enrollment.confirm"), 5: ("security", "enrollment.security"),
               6: ("issuing", "enrollment.issuing"), 7: ("install", "enrollment.install")}
_LOGON = {2: ("select", "select"), 3: ("permission", "permission"), 4: ("pin", "pin"), 5: ("otp", "otp")}
STEPS = tuple([f"I-3.{n}" for n in _ENROLLMENT] + [f"II-1.{n}" for n in _ENROLLMENT]
              + [f"I-4.{n}" for n in _LOGON] + [f"II-2.{n}" for n in (2, 3, 4)])


class JumpRefused(ValueError):
    """The step cannot be shown for this ID now (a Japanese message)."""


def session_at(principal: Principal, step: str) -> tuple[dict, str]:
    """(session data, path) of the browser of *principal* at *step* (one of STEPS)."""
    section, number = step.rsplit(".", 1)
    kind = ADMIN if section.startswith("I-") else "user"
    if kind != principal.kind:
        raise JumpRefused(f"{step} は{'管理者' if kind == ADMIN else '利用者'}の手順です。")
    if section in ("I-3", "II-1"):
        return _enrollment(principal, *_ENROLLMENT[int(number)])
    return _logon(principal, *_LOGON[int(number)])


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
