"""The user's screens: certificate logon (II-2.1 … II-2.4), the user's 開通確認 (II-2.5), 利用者ステータス (II-2.6)
and the certificate's renewal."""

from __future__ import annotations

from flask import Blueprint, g, redirect, request, url_for

from . import auth, clock, issuance, lifecycle, onboarding, rules
from .certlogon import CertificateLogon
from .passwordlogon import PasswordLogon
from .models import USER, db
from .renewal import add_renewal
from .web import Form, notify, require_logon, screen, w

bp = Blueprint("user", __name__, url_prefix="/ib/user")
CertificateLogon(bp, USER, w("logon.user_heading"), w("certificate_logon.user_pin"), one_time_password=False)
PasswordLogon(bp, USER, w("logon.user_heading"), w("logon.user_pin"), one_time_password=False)
add_renewal(bp, USER)


@bp.route("/activation", methods=["GET", "POST"])
@require_logon(USER, provisional=True)
def activation():
    """II-2.5: the user replaces the 仮 PINs (ホ, ヘ) with their own 利用者暗証番号 (ト) and 利用者確認暗証番号 (チ)."""
    user = g.principal
    form = Form("logon_pin", "confirmation_pin")
    if request.method == "POST":
        logon_label, confirmation_label = w("user_activation.logon_pin"), w("user_activation.confirmation_pin")
        for name, label, rule in (("logon_pin", logon_label, "ト"), ("confirmation_pin", confirmation_label, "チ")):
            form.check(name, rules.new_pin(form[name], label, rule=rule, contract_number=user.contract.number,
                                           user_id=user.user_id))
        form.check("confirmation_pin", rules.different_pins(form["logon_pin"], form["confirmation_pin"],
                                                            logon_label, confirmation_label))
        if form.ok:
            if auth.pin_matches(user.logon_pin_hash, form["logon_pin"]):
                form.check("logon_pin", onboarding.same_as_provisional(logon_label))
            if auth.pin_matches(user.confirmation_pin_hash, form["confirmation_pin"]):
                form.check("confirmation_pin", onboarding.same_as_provisional(confirmation_label))
        if form.ok:
            onboarding.activate_user(user, form["logon_pin"], form["confirmation_pin"])
            db.session.commit()
            notify("利用者暗証番号と利用者確認暗証番号を設定しました。")
            return redirect(url_for("user.status"))
    return screen("user/activation.html", w("user_activation.pins_heading"), form=form)


@bp.get("/status")
@require_logon(USER)
def status():
    """II-2.6: 利用者ステータス — the user is ready to use the service."""
    user = g.principal
    return screen("user/status.html", w("user_activation.status_heading"), user=user,
                  certificate=issuance.valid_certificate(user, clock.now()), renewal_due=lifecycle.renewal_due(user))
