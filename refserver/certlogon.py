"""電子証明書方式 logon, shared by the administrator (I-4.1 … I-4.5) and the users (II-2.1 … II-2.4).

The browser's certificate prompt (証明書の選択) and the access prompt (アクセス許可の付与) of the manual are in-page
dialogs on the logon screen. 証明書の選択 shows the certificate presented in this very request's TLS handshake, and
every later step must present the same one: the flow is bound to its fingerprint from the moment it is chosen.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from . import auth, clock, issuance, tls
from .models import Principal, db
from .otp_screen import one_time_password
from .rules import entered_pin
from .web import (Form, end_flow, flow, out_of_order, presented_fingerprint, screen, set_flow, start_logon, w,
                  warn)

FLOW = "certlogon"


class CertificateLogon:
    """Adds the logon screen and its steps to *blueprint*: /logon, /logon/certificate, /logon/permission,
    /logon/pin and, with *one_time_password* (the administrator), /logon/otp. A completed logon lands on the
    blueprint's "status" screen."""

    def __init__(self, blueprint: Blueprint, kind: str, heading: str, pin_label: str, *, one_time_password: bool):
        self.kind, self.heading, self.pin_label = kind, heading, pin_label
        self.one_time_password = one_time_password
        self.blueprint_name = blueprint.name
        blueprint.add_url_rule("/logon", "logon", self.logon, methods=["GET", "POST"])
        blueprint.add_url_rule("/logon/certificate", "select", self.select, methods=["GET", "POST"])
        blueprint.add_url_rule("/logon/permission", "permission", self.permission, methods=["GET", "POST"])
        blueprint.add_url_rule("/logon/pin", "pin", self.pin, methods=["GET", "POST"])
        if one_time_password:
            blueprint.add_url_rule("/logon/otp", "otp", self.otp, methods=["GET", "POST"])

    # -- helpers ----------------------------------------------------------------------------------------------
    def endpoint(self, step: str) -> str:
        return f"{self.blueprint_name}.{step}"

    def _render(self, dialog: str | None = None, **context):
        context.setdefault("password_form", Form())  # the ID・パスワード方式 region's form (passwordlogon.py)
        return screen("logon.html", self.heading, kind=self.kind, dialog=dialog, **context)

    def _state(self, stage: str) -> dict | None:
        """The flow if it is at *stage* for this side and the same certificate is still presented."""
        state = flow(FLOW)
        if not state or state.get("kind") != self.kind or state.get("stage") != stage:
            return None
        if "fingerprint" in state and state["fingerprint"] != presented_fingerprint():
            return None
        return state

    def _abort(self, message: str):
        end_flow(FLOW)
        warn(message)
        return redirect(url_for(self.endpoint("logon")))

    def _principal(self, state: dict) -> Principal:
        return db.session.get(Principal, state["principal"])

    # -- steps ------------------------------------------------------------------------------------------------
    def logon(self):
        """I-4.1 / II-2.1: the logon screen; its ログオン button opens the certificate prompt."""
        if request.method == "POST":
            set_flow(FLOW, kind=self.kind, stage="select")
            return redirect(url_for(self.endpoint("select")))
        return self._render()

    def select(self):
        """I-4.2 / II-2.2: 証明書の選択, showing the certificate this connection presented."""
        if self._state("select") is None:
            return out_of_order(self.endpoint("logon"))
        cert = tls.presented_certificate(request.environ)
        if request.method == "GET":
            details = cert and {
                "issued_to": tls.common_name(cert.subject),
                "issued_by": tls.common_name(cert.issuer),
                "valid_until": clock.jst_date(cert.not_valid_after_utc),
            }
            return self._render("select", certificate=details)
        if request.form.get("action") != "ok":
            return self._abort("証明書の選択が取り消されたため、ログオンを中止しました。")
        if cert is None:
            return self._abort("電子証明書が提示されなかったため、ログオンできません。電子証明書を取得したパソコンでログオンしてください。")
        set_flow(FLOW, kind=self.kind, stage="permission", fingerprint=tls.fingerprint(cert))
        return redirect(url_for(self.endpoint("permission")))

    def permission(self):
        """I-4.3 / II-2.3: アクセス許可の付与; granting it is where the certificate is judged."""
        state = self._state("permission")
        if state is None:
            return out_of_order(self.endpoint("logon"))
        form = Form("access")
        if request.method == "GET":
            return self._render("permission", form=form)
        if form["access"] == "deny":
            return self._abort("アクセス許可が拒否されたため、ログオンを中止しました。")
        if form["access"] != "grant":
            form.check("access", "アクセス許可の付与または拒否を選択してください。")
            return self._render("permission", form=form)
        principal, refusal = issuance.logon_refusal(tls.presented_certificate(request.environ), self.kind)
        if refusal:
            return self._abort(refusal)
        state.update(stage="pin", principal=principal.id)
        set_flow(FLOW, **state)
        return redirect(url_for(self.endpoint("pin")))

    def pin(self):
        """I-4.4 / II-2.4: 暗証番号入力 (the administrator's イ; the user's ト, or the 仮 one the first time)."""
        state = self._state("pin")
        if state is None:
            return out_of_order(self.endpoint("logon"))
        principal = self._principal(state)
        form = Form("pin")
        if principal.locked_at is not None:
            return self._abort(auth.locked_message())
        if request.method == "POST":
            form.check("pin", entered_pin(form["pin"], self.pin_label))
            if not form.errors:
                verdict = auth.judge(principal, lambda: auth.pin_matches(principal.logon_pin_hash, form["pin"]))
                if verdict.right:
                    return self._after_pin(state, principal)
                if verdict.locked:
                    return self._abort(verdict.message)
                form.check("pin", verdict.message)
        return screen("pin.html", w("certificate_logon.pin_heading"), form=form, pin_label=self.pin_label)

    def _after_pin(self, state: dict, principal: Principal):
        if self.one_time_password:
            state.update(stage="otp")
            set_flow(FLOW, **state)
            return redirect(url_for(self.endpoint("otp")))
        return self._complete(state, principal)

    def otp(self):
        """I-4.5: the one-time password from the お客様カード (or the token)."""
        state = self._state("otp")
        if state is None:
            return out_of_order(self.endpoint("logon"))
        principal = self._principal(state)
        return one_time_password(principal.contract, principal, FLOW, self.endpoint("logon"),
                                 lambda: self._complete(state, principal))

    def _complete(self, state: dict, principal: Principal):
        auth.record_success(principal)
        start_logon(principal, state.get("fingerprint"))  # none after an ID・パスワード方式 PIN (passwordlogon.py)
        return redirect(url_for(self.endpoint("status")))
