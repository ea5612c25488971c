"""The user's screens: certificate logon (II-2.1 … II-2.4), the user's 開通確認 (II-2.5), 利用者ステータス (II-2.6)
and the certificate's renewal."""

from __future__ import annotations

from flask import Blueprint, Response, g, redirect, request, url_for

from . import auth, clock, issuance, lifecycle, onboarding
from .certlogon import CertificateLogon
from .passwordlogon import PasswordLogon
from .models import USER, db
from .renewal import add_renewal
from .web import Form, check_new_pins, confirmed_by_pin, new_pin_names, notify, require_logon, screen, w

bp = Blueprint("user", __name__, url_prefix="/ib/user")
CertificateLogon(bp, USER, w("logon.user_heading"), w("certificate_logon.user_pin"), one_time_password=False)
PasswordLogon(bp, USER, w("logon.user_heading"), w("logon.user_pin"), one_time_password=False)
add_renewal(bp, USER)


@bp.route("/activation", methods=["GET", "POST"])
@require_logon(USER, provisional=True)
def activation():
    """II-2.5: the user types the 仮 利用者確認暗証番号 (ヘ: the legend uses ホ and ヘ at the user's 開通確認, ホ having
    logged on) and replaces the 仮 PINs with their own 利用者暗証番号 (ト) and 利用者確認暗証番号 (チ), each typed
    again. The new PINs are judged first (nothing counted); then ヘ, counted towards the lockout like every PIN."""
    user = g.principal
    form = Form("temp_confirmation_pin", *new_pin_names("logon_pin", "confirmation_pin"))
    if request.method == "POST":
        logon_label, confirmation_label = w("user_activation.logon_pin"), w("user_activation.confirmation_pin")
        check_new_pins(form, [("logon_pin", logon_label, "ト"), ("confirmation_pin", confirmation_label, "チ")],
                       contract_number=user.contract.number, user_id=user.user_id)
        if form.ok:
            if auth.pin_matches(user.logon_pin_hash, form["logon_pin"]):
                form.check("logon_pin", onboarding.same_as_provisional(logon_label))
            if auth.pin_matches(user.confirmation_pin_hash, form["confirmation_pin"]):
                form.check("confirmation_pin", onboarding.same_as_provisional(confirmation_label))
        confirmed = confirmed_by_pin(user, form, w("user_activation.temporary_confirmation_pin"), "user.logon",
                                     field="temp_confirmation_pin")
        if isinstance(confirmed, Response):
            return confirmed
        if confirmed:
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
